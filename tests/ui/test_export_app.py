"""AppTest flows of the Lab's full-resolution file: made once per bank and settings, with a progress bar."""

from __future__ import annotations

import contextlib
import os
import threading
import time
import weakref
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from convviz import conv2d, load_image
from tests.e2e.helpers import photo_jpeg
from ui import state
from ui.lab import export
from ui.lab.pipeline import post_process
from ui.server import busy, exports

APP = str(Path(__file__).resolve().parents[2] / "app.py")
JPEG = photo_jpeg(300, 200, seed=3)  # full resolution (200, 300)


@pytest.fixture
def maps_made(monkeypatch) -> list[int]:
    """Every filter map the builds compute (one entry per filter, its index)."""
    made: list[int] = []
    real = export.filter_map

    def counting(full, bank, k, settings):
        made.append(k)
        return real(full, bank, k, settings)

    monkeypatch.setattr(export, "filter_map", counting)
    return made


def _lab() -> AppTest:
    """The Lab with an uploaded 300 x 200 photo and "Full resolution" ticked."""
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.radio(key="cv_source").set_value("Upload").run()
    at.file_uploader(key="cv_upload").set_value(("photo.jpg", JPEG, "image/jpeg")).run()
    at.checkbox(key=export.FULL_RES).check().run()
    assert not at.exception
    return at


def _texts(at: AppTest, kind: str) -> list[str]:
    return [e.value for e in at.get(kind)]


def _make_button(at: AppTest):
    return next(b for b in at.button if b.key == export.MAKE)


def _has_make(at: AppTest) -> bool:
    return any(b.key == export.MAKE for b in at.button)


def _volume_label(at: AppTest) -> str:
    return next(b.proto.label for b in at.get("download_button") if b.proto.label.startswith("Output volume"))


def _expected(bank, settings) -> np.ndarray:
    """The whole bank at once on the full photo, through the page's ReLU/pooling: (H', W', K)."""
    full = load_image(JPEG, max_side=None)
    return post_process(conv2d(full, bank.weights, bank.bias, **settings.conv_kwargs()), settings)


def test_make_follow_download_and_no_rebuild(maps_made):
    at = _lab()
    bank = at.session_state[state.BANK]
    k = bank.n_filters
    label = _make_button(at).label
    assert label == f"Make the full-resolution file (200 × 300 × {k}, 1 MB)"
    assert not any(b.proto.label.startswith("Output volume") for b in at.get("download_button"))
    _make_button(at).click().run()
    assert not at.exception
    [bar] = at.get("progress")
    assert bar.proto.value == 100 and bar.proto.text.startswith(f"All {k} filters done in ")
    ready = f"Ready: 200 × 300 × {k}, 1 MB, made for these filters"
    assert any(s.startswith(ready) for s in _texts(at, "success"))
    assert _volume_label(at) == "Output volume, full resolution (.npy)"
    assert sorted(maps_made) == list(range(k))
    build = at.session_state[export.BUILD]
    reader = export.file_download(weakref.ref(build.file))()  # what the button's callable hands Streamlit
    with reader:
        got = np.load(reader)
    np.testing.assert_allclose(got, _expected(bank, state.LabSettings()), rtol=1e-5, atol=1e-5)
    # Later runs (the whole page, the same bank): ready at once, nothing computed again.
    at.run()
    assert len(maps_made) == k and not _has_make(at) and not at.get("progress")
    assert _volume_label(at) == "Output volume, full resolution (.npy)"


def test_a_weight_edit_makes_the_file_stale_and_the_new_file_replaces_it(maps_made):
    at = _lab()
    _make_button(at).click().run()
    old = at.session_state[export.BUILD].file.path
    assert os.path.exists(old)
    rev = at.session_state[state.BANK_REV]
    at.number_input(key=f"cv_w{rev}_0_0_1_1").set_value(0.75).run()  # reruns the live fragments only
    at.run()
    assert any("for other filters, settings or photo" in s for s in _texts(at, "info"))
    assert _has_make(at) and os.path.exists(old)  # the old file stays until a new one is made
    _make_button(at).click().run()
    assert not os.path.exists(old)
    build = at.session_state[export.BUILD]
    assert build.ready and build.file.path != old
    bank = at.session_state[state.BANK]
    assert bank.weights[0, 1, 1, 0] == np.float32(0.75)
    np.testing.assert_allclose(np.load(build.file.path), _expected(bank, state.LabSettings()), rtol=1e-5,
                               atol=1e-5)
    assert len(maps_made) == 2 * bank.n_filters


def test_pooling_is_part_of_the_file_and_of_its_key(maps_made):
    at = _lab()
    _make_button(at).click().run()
    at.selectbox(key=state.POOL).set_value("max").run()
    assert any("for other filters, settings or photo" in s for s in _texts(at, "info"))
    assert "100 × 150" in _make_button(at).label
    _make_button(at).click().run()
    settings = state.LabSettings(pool="max")
    got = np.load(at.session_state[export.BUILD].file.path)
    np.testing.assert_allclose(got, _expected(at.session_state[state.BANK], settings), rtol=1e-5, atol=1e-5)


def test_a_second_click_while_one_builds_is_refused(maps_made):
    at = _lab()
    release = threading.Event()
    file = exports.reserve("another build", 128)
    running = exports.Build(file, 1, lambda f, step: (release.wait(30), step(1)))
    at.session_state[export.BUILD] = running
    threading.Timer(1.0, release.set).start()
    _make_button(at).click().run()  # the button drawn before that build began
    assert export.REFUSED in _texts(at, "warning")
    assert maps_made == []  # nothing else was started
    assert at.session_state[export.BUILD] is running and running.state == "done"


def test_busy_server_says_so_and_gives_up_with_a_sentence(maps_made, monkeypatch):
    """Every slot busy for the build (the page's own run is not held up here): the bar says so while it
    waits, then the sentence of ``server.Busy`` and "Make" again. The real slots: test_export_files."""
    at = _lab()
    seen: list[str] = []

    @contextlib.contextmanager
    def full(on_wait=None, *, wait_s=None):
        on_wait()
        time.sleep(0.6)  # the page looks at the build every 0.25 s
        seen.append(export._progress_text(at.session_state[export.BUILD]))
        raise busy.Busy(busy.GAVE_UP)
        yield

    monkeypatch.setattr(exports, "heavy_work", full)
    _make_button(at).click().run()
    assert seen == [busy.BUSY_MESSAGE]
    assert busy.GAVE_UP in _texts(at, "error")
    assert maps_made == [] and _has_make(at)
    assert not os.path.exists(at.session_state[export.BUILD].file.path)


def test_full_disk_budget_refuses_with_a_sentence(maps_made, monkeypatch):
    at = _lab()
    monkeypatch.setattr(exports, "DISK_BUDGET_BYTES", 100_000)
    _make_button(at).click().run()
    [error] = [e for e in _texts(at, "error") if "space for full-resolution files is full" in e]
    assert "yours (1 MB) was not made" in error and maps_made == []
