"""The server's busy gate (ui/server/busy.py): threads hold its slots, the next run waits, says so, gives up.

The gate is one per process, so these tests take every slot themselves (from helper threads that hold them
until told to let go) and always give them back.
"""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.server import busy

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@contextlib.contextmanager
def all_slots_taken(count: int = busy.SLOTS):
    """`count` threads each hold a heavy-work slot until the block ends; yields the event that frees them."""
    release, held = threading.Event(), threading.Barrier(count + 1)

    def hold() -> None:
        with busy.heavy_work():
            held.wait(timeout=10)
            release.wait(timeout=60)

    threads = [threading.Thread(target=hold, daemon=True) for _ in range(count)]
    for t in threads:
        t.start()
    held.wait(timeout=10)  # every slot is now taken
    try:
        yield release
    finally:
        release.set()
        for t in threads:
            t.join(timeout=10)


def test_a_free_slot_is_taken_without_waiting():
    waited = []
    with busy.heavy_work(on_wait=lambda: waited.append(1), wait_s=0.01):
        pass
    assert waited == []


def test_a_run_waits_says_so_once_and_gives_up_with_a_sentence():
    waited = []
    with all_slots_taken():
        t0 = time.monotonic()
        with pytest.raises(busy.Busy) as caught:
            with busy.heavy_work(on_wait=lambda: waited.append(1), wait_s=0.3):  # noqa: SIM117 - raises on entry
                pytest.fail("ran without a slot")
        elapsed = time.monotonic() - t0
    assert waited == [1]  # the page's "busy, retrying" note is drawn once, at the start of the wait
    assert 0.25 <= elapsed < 5
    assert str(caught.value) == busy.GAVE_UP
    with busy.heavy_work(wait_s=0.01):  # every slot came back (nothing leaked by the refused run)
        pass


def test_a_waiting_run_goes_ahead_when_a_slot_frees():
    order: list[str] = []
    with all_slots_taken() as release:
        def later() -> None:
            time.sleep(0.2)
            order.append("freed")
            release.set()

        threading.Thread(target=later, daemon=True).start()
        with busy.heavy_work(on_wait=lambda: order.append("waiting"), wait_s=10):
            order.append("ran")
    assert order == ["waiting", "freed", "ran"]


def test_a_slot_is_given_back_when_the_work_fails():
    for _ in range(busy.SLOTS + 1):
        with pytest.raises(ZeroDivisionError), busy.heavy_work(wait_s=0.5):
            1 / 0  # noqa: B018 - the failing work
    with busy.heavy_work(wait_s=0.01):
        pass


def test_no_more_than_the_slots_run_at_once():
    running, peak, lock = [0], [0], threading.Lock()

    def work() -> None:
        with busy.heavy_work(wait_s=10):
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
            time.sleep(0.05)
            with lock:
                running[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(busy.SLOTS * 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert peak[0] == busy.SLOTS


def test_the_lab_says_the_server_is_busy_instead_of_failing(monkeypatch):
    """With every slot taken, the Lab's run shows the busy message, then the sentence, and no traceback."""
    monkeypatch.setattr(busy, "WAIT_S", 0.3)
    with all_slots_taken():
        at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert busy.GAVE_UP in warnings
    # Once the server has room again, the same session computes as usual.
    at.run()
    assert not at.exception
    assert busy.GAVE_UP not in [w.value for w in at.warning]
    assert any("Output volume" in m.value for m in at.markdown)
