"""AppTest flows of issue 14: the student's photo stays across pages and source switches, "Open in designer"
keeps an undo, and the Lab's view options (exact max, per map, grey, border, window) do what they say."""

from __future__ import annotations

import io
from html import unescape

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from convviz.model.files import DEFAULT_MANIFEST
from ui import state
from ui.lab import live

HAS_MODEL = DEFAULT_MANIFEST.exists()


def _lab_or_cnn():
    """The Lab, or the CNN page when the test says so (a page change: the Lab's widgets are not drawn)."""
    import streamlit as st

    from ui.cnn import page as cnn
    from ui.lab import page as lab

    (cnn.page if st.session_state.get("test_page") == "cnn" else lab.page)()


def _lab():
    from ui.lab import page as lab

    lab.page()


def _run(script=_lab) -> AppTest:
    at = AppTest.from_function(script, default_timeout=60).run()
    assert not at.exception
    return at


def _png(h: int, w: int, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)).save(buf, "PNG")
    return buf.getvalue()


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.radio(key="cv_source").set_value("Upload").run()
    at.file_uploader(key="cv_upload").set_value((name, data, "image/png")).run()
    assert not at.exception
    return at


def _html(at: AppTest) -> str:
    return unescape("\n".join(h.proto.body for h in at.get("html")))


@pytest.mark.skipif(not HAS_MODEL, reason="the model weights are not installed")
def test_the_photo_survives_a_page_change_and_a_source_switch():
    """Upload in the Lab, visit the CNN page, come back: the photo is still the image everywhere; flipping
    the source radio keeps it too, until the student picks the sample."""
    at = _upload(_run(_lab_or_cnn), "cat.png", _png(90, 120))
    assert at.session_state[state.IMAGE].label == "upload: cat.png"
    at.session_state["test_page"] = "cnn"
    at.run()
    assert not at.exception and at.title[0].value == "Inside a CNN"
    assert at.session_state[state.IMAGE].label == "upload: cat.png"
    at.session_state["test_page"] = "lab"
    at.run()
    assert at.session_state[state.IMAGE].label == "upload: cat.png"
    assert at.subheader[0].value == "Your image is a volume: 90 × 120 × 3"
    at.radio(key="cv_source").set_value("Sample").run()
    assert at.session_state[state.IMAGE].label == "upload: cat.png"
    at.button(key="cv_use_sample_btn").click().run()
    assert at.session_state[state.IMAGE].label.startswith("sample:")
    at.button(key="cv_use_photo_btn").click().run()
    assert at.session_state[state.IMAGE].label == "upload: cat.png"


def test_a_bad_file_keeps_the_previous_photo():
    """A refused file after a good one says so and keeps the good one."""
    at = _upload(_run(), "good.png", _png(40, 50))
    at.file_uploader(key="cv_upload").set_value(("bad.png", b"not an image at all" * 20, "image/png")).run()
    assert not at.exception
    assert len(at.error) == 1 and "Keeping your previous photo" in at.error[0].value
    assert at.session_state[state.IMAGE].label == "upload: good.png"


@pytest.mark.skipif(not HAS_MODEL, reason="the model weights are not installed")
def test_open_in_designer_offers_to_restore_the_students_filters():
    """"Open in designer" replaces the bank but keeps the student's: the designer's Undo puts it back."""
    at = _run(_lab_or_cnn)
    mine = at.session_state[state.BANK]
    at.session_state["test_page"] = "cnn"
    at.run()
    at.button(key="cnn_open_3").click().run()
    at.session_state["test_page"] = "lab"
    at.run()
    assert not at.exception and at.session_state[state.BANK].name == "tinyvgg-conv1"
    assert any("are kept" in m.value for m in at.markdown)
    at.button(key="cvd_undo_replace").click().run()
    assert not at.exception
    assert at.session_state[state.BANK].name == mine.name
    np.testing.assert_array_equal(at.session_state[state.BANK].weights, mine.weights)
    assert state.BANK_BEFORE not in at.session_state


def test_exact_max_is_one_toggle_away_and_the_captions_say_what_is_clipped():
    """Bulk scale by default (captions count the values beyond it); the toggle gives the exact max."""
    at = _upload(_run(), "noise.png", _png(200, 260, seed=3))
    html = _html(at)
    assert "99.5th percentile" in html and "% beyond ±" in html
    at.toggle(key=live.EXACT_MAX).set_value(True).run()
    html = _html(at)
    assert "exact largest |value|" in html and "% beyond ±" not in html


def test_per_map_differs_from_shared_with_one_filter():
    """With a single filter, per map draws the channel maps on their own scales: other pictures."""
    at = _run()
    at.selectbox(key="cv_preset").set_value("blank").run()
    at.session_state[state.BANK] = at.session_state[state.BANK].replace(
        weights=np.array([[[[1, 0, 0]] * 3, [[1, 0, 0]] * 3, [[1, 0, 0]] * 3]], np.float32) * 0.1
        + np.array([[[[0, -1, 0], [0, 0, 0], [0, 1, 0]]] * 3], np.float32).transpose(0, 2, 1, 3))
    at.run()
    shared = _html(at)
    at.radio(key=state.NORM).set_value("per map").run()
    per_map = _html(at)
    assert not at.exception
    pictures = lambda html: [part.split("'")[0] for part in html.split("<img src='")[1:]]  # noqa: E731
    assert pictures(shared)[:3] != pictures(per_map)[:3]
    assert "colours ±" in per_map and "colours ±" not in shared


def test_identity_is_grey_and_the_padding_border_can_be_hidden():
    """The identity bank (all maps >= 0) is drawn grey by default; hiding the border crops each map."""
    at = _run()
    at.selectbox(key="cv_preset").set_value("identity").run()
    assert "black 0 · white +" in _html(at)
    at.toggle(key=live.HIDE_BORDER).set_value(True).run()
    assert any("Shown: 254 × 254" in m.value for m in at.markdown)
    at.selectbox(key=live.GREY).set_value("colours").run()
    assert "purple −" in _html(at)


def test_a_panorama_gets_a_window_and_a_note():
    """A 60 x 600 picture: the maps show a window (a slider moves it) and the input panel says so."""
    at = _upload(_run(), "pano.png", _png(60, 600))
    assert any("times wider than tall" in c.value for c in at.caption)
    assert any("Shown: 60 × 90" in m.value for m in at.markdown)
    at.slider(key=live.WINDOW).set_value(100).run()
    assert not at.exception


def _captions(at: AppTest) -> list[str]:
    return [img.caption for element in at.get("image") for img in element.proto.imgs]


def test_the_loupe_shows_real_values_and_the_original_at_full_resolution():
    """The loupe's square holds the map's own values; on the original it convolves the full-size photo, and
    its values equal conv2d over the whole original at that place."""
    import re

    from convviz import conv2d
    from convviz.numbers import fmt
    from ui.lab.loupe import COL, ORIGINAL, ROW

    at = _run()
    at.toggle(key=live.LOUPE).set_value(True).run()
    at.number_input(key=ROW).set_value(100).run()
    at.number_input(key=COL).set_value(40).run()
    assert not at.exception
    pipe = at.session_state[live.PIPELINE]
    square = pipe.conv[0][100:132, 40:72]
    loupe = next(c for c in _captions(at) if c.startswith("Loupe:"))
    assert "rows 100–131, columns 40–71" in loupe
    assert f"values {fmt(float(square.min()))} to {fmt(float(square.max()))}" in loupe
    at.toggle(key=ORIGINAL).set_value(True).run()
    assert not at.exception
    image, bank = at.session_state[state.IMAGE], at.session_state[state.BANK]
    loupe = next(c for c in _captions(at) if c.startswith("Loupe:"))
    top, left = map(int, re.search(r"rows (\d+)–\d+, columns (\d+)–", loupe).groups())
    full = conv2d(image.full, bank.weights[:1], bank.bias[:1], padding="same")[..., 0]
    full = full[top:top + 32, left:left + 32]
    assert f"of the {image.full_hw[0]} × {image.full_hw[1]} original" in loupe
    assert f"values {fmt(float(full.min()))} to {fmt(float(full.max()))}" in loupe


@pytest.mark.skipif(not HAS_MODEL, reason="the model weights are not installed")
def test_cnn_maps_use_the_bulk_scale_with_exact_max_one_toggle_away():
    """The CNN page's layer maps say their scale rule and clipped share; a toggle gives the exact max."""
    from ui.cnn.maps import EXACT_MAX

    at = _run(_lab_or_cnn)
    at.session_state["test_page"] = "cnn"
    at.run()
    assert any("99.5th percentile of |values|" in m.value and "lie beyond it" in m.value for m in at.markdown)
    at.toggle(key=EXACT_MAX).set_value(True).run()
    assert not at.exception
    assert any("the exact largest |value|" in m.value for m in at.markdown)
