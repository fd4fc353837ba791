"""The server's built files (ui/server/exports.py): deleted when freed, replaced or expired; a disk budget."""

from __future__ import annotations

import gc
import os
import threading

import numpy as np
import pytest

from ui.server import busy, exports, housekeeping


def test_a_file_is_deleted_when_its_object_is_freed():
    f = exports.reserve("k", 10)
    path = f.path
    assert os.path.exists(path) and os.path.dirname(path) == exports.directory()
    del f
    gc.collect()
    assert not os.path.exists(path)


def test_delete_frees_the_file_and_the_budget_at_once():
    f = exports.reserve("k", 1000)
    before = exports.used_bytes()
    f.delete()
    f.delete()  # idempotent
    assert not os.path.exists(f.path) and not f.exists
    assert exports.used_bytes() == before - 1000
    with pytest.raises(FileNotFoundError):
        f.open()


def test_expired_files_are_swept_by_housekeeping():
    f, g = exports.reserve("old", 10), exports.reserve("new", 10)
    g.used = f.used + 60
    assert exports.sweep(f.used + exports.EXPIRY_S - 1) == 0 and f.exists
    # The tick sweeps even without a Streamlit runtime. One second past the expiry: (used + EXPIRY_S) - used
    # can round to just under EXPIRY_S (seen once in a full run).
    housekeeping.tick(f.used + exports.EXPIRY_S + 1)
    assert not f.exists and not os.path.exists(f.path)
    assert g.exists  # built a minute later: still within its time
    g.touch()  # a download restarts the clock
    assert exports.sweep(g.used + exports.EXPIRY_S - 1) == 0 and g.exists
    g.delete()


def test_the_disk_budget_refuses_a_new_file_with_a_sentence(monkeypatch):
    monkeypatch.setattr(exports, "DISK_BUDGET_BYTES", exports.used_bytes() + 3 * 2**20)
    a = exports.reserve("a", 2 * 2**20)
    with pytest.raises(exports.NoRoom, match=r"is full \(\d+ MB of \d+ MB.*yours \(2 MB\) was not made.*15 "
                                             r"minutes"):
        exports.reserve("b", 2 * 2**20)
    a.delete()
    exports.reserve("b", 2 * 2**20).delete()


def test_write_channels_makes_the_volume_channel_by_channel():
    f = exports.reserve("v", 0)
    planes = [np.arange(35, dtype=np.float32).reshape(5, 7) * (k + 1) for k in range(3)]
    steps: list[int] = []
    exports.write_channels(f, (5, 7, 3), planes.__getitem__, steps.append)
    got = np.load(f.path)
    assert got.shape == (5, 7, 3) and got.dtype == np.float32 and steps == [1, 2, 3]
    np.testing.assert_array_equal(got, np.stack(planes, axis=-1))
    assert f.nbytes == os.path.getsize(f.path) == 128 + 5 * 7 * 3 * 4
    f.delete()


def test_a_build_waits_for_a_slot_then_gives_up_and_deletes_its_file():
    taken = [busy._slots.acquire(timeout=5) for _ in range(busy.SLOTS)]
    try:
        f = exports.reserve("busy", 10)
        build = exports.Build(f, 1, lambda file, step: step(1), wait_s=0.3)
        build.wait(0.2)
        assert build.state == "waiting" and build.running
        build.join(5)
    finally:
        for _ in taken:
            busy._slots.release()
    assert build.state == "failed" and build.message == busy.GAVE_UP and not build.ready
    assert not os.path.exists(f.path)


def test_a_failing_build_says_so_and_deletes_its_file(monkeypatch):
    logged: list[str] = []
    monkeypatch.setattr(exports._log, "exception", lambda msg, *args: logged.append(msg % args))

    def broken(file, step):
        raise OSError("disk on fire")

    f = exports.reserve("broken", 10)
    build = exports.Build(f, 2, broken)
    build.join(5)
    assert build.state == "failed" and build.message == exports.FAILED and not os.path.exists(f.path)
    assert logged == [f"building {f.path} failed"]


def test_a_build_reports_each_step():
    gate, seen = threading.Event(), []

    def work(file, step):
        step(1)
        gate.wait(5)
        step(2)

    build = exports.Build(exports.reserve("steps", 10), 2, work)
    while build.done < 1:
        build.wait(0.1)
    seen.append((build.state, build.done))
    gate.set()
    build.join(5)
    assert seen == [("running", 1)] and build.state == "done" and build.done == 2 and build.ready
    assert build.seconds is not None and build.seconds >= 0
    build.file.delete()
