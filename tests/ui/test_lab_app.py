"""AppTest flows of the Volume Lab: upload, settings, ReLU/pooling, weight edits, the explained pixel."""

from __future__ import annotations

import io
import re
from html import unescape
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from convviz import conv2d, load_preset, load_sample, output_size
from convviz.filterbank.bank import FilterBank
from convviz.numbers import fmt
from ui import state
from ui.lab import live

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _run() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    return at


def test_the_lab_keeps_rerunning_elements_opaque():
    """Streamlit's stale fade is off on the Lab: arming it cost every edit two repaints (~20-30 ms)."""
    at = _run()
    sheets = [h.proto.body for h in at.get("html") if h.proto.body.lstrip().startswith("<style>")]
    assert any('[data-stale="true"] {opacity: 1 !important; transition: none !important;}' in s
               for s in sheets)


def _number(text: str) -> float:
    return float(text.replace("−", "-"))


def _explained(at: AppTest) -> dict[str, float]:
    """The explanation's total, the map's own value and the ReLU value, read from the page."""
    html = next(h.proto.body for h in at.get("html") if "cv-explain-total" in h.proto.body)
    found = dict(re.findall(r"data-testid='cv-explain-(\w+)'>([^<]+)<", html))
    return {name: _number(value) for name, value in found.items()}


def _pick(at: AppTest, row: int, col: int) -> AppTest:
    """Choose the explained pixel by its 0-based index [row, col] (the widgets count from 1). Its inputs
    rerun only the explanation fragments, so AppTest's tree then holds only those; one more full run brings
    back the whole page."""
    at.number_input(key=live.PIXEL_ROW).set_value(row + 1).run()
    at.number_input(key=live.PIXEL_COL).set_value(col + 1).run()
    return at.run()


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def _captions(at: AppTest) -> list[str]:
    """Captions of every map drawn: figure captions in the maps' HTML, and st.image captions."""
    html = "".join(h.proto.body for h in at.get("html"))
    found = [unescape(c) for c in re.findall(r"<figcaption[^>]*>([^<]*)</figcaption>", html)]
    return found + [img.caption for element in at.get("image") for img in element.proto.imgs]


def _png(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, "PNG")
    return buf.getvalue()


def _upload(at: AppTest, name: str, data: bytes, mime: str) -> AppTest:
    at.radio(key="cv_source").set_value("Upload").run()
    at.file_uploader(key="cv_upload").set_value((name, data, mime)).run()
    assert not at.exception
    return at


def test_default_page_shows_formula_and_maps():
    """The default page states the output volume from the formula and draws the focused filter's maps."""
    at = _run()
    assert "→ output volume **256 × 256 × 2**" in _markdown(at)
    assert "Filter 1 “vertical edges”" in _markdown(at)
    assert not at.warning, [w.value for w in at.warning]
    captions = _captions(at)
    for role in ("R ⋆ K_R", "G ⋆ K_G", "B ⋆ K_B", "map 1 (sum + bias)", "ReLU: ", "map 2 · [0, 3.6]"):
        assert any(c.startswith(role) for c in captions), role


def test_upload_png_becomes_the_input():
    """An uploaded PNG replaces the sample: its shape is shown and intake's notes are listed."""
    rng = np.random.default_rng(1)
    at = _upload(_run(), "photo.png", _png(rng.integers(0, 256, (60, 90, 3), dtype=np.uint8)), "image/png")
    assert at.subheader[0].value == "Your image is a volume: 60 × 90 × 3"
    assert "PNG file, 90 × 60 pixels" in _markdown(at).replace("\\", "")
    assert "→ output volume **60 × 90 × 2**" in _markdown(at)
    assert not at.error


def test_corrupt_upload_shows_the_intake_sentence():
    """A truncated JPEG gives a friendly error, no exception, and the page keeps working on the sample."""
    buf = io.BytesIO()
    Image.fromarray(np.zeros((64, 64, 3), np.uint8)).save(buf, "JPEG")
    at = _upload(_run(), "broken.jpg", buf.getvalue()[:200], "image/jpeg")
    assert len(at.error) == 1
    assert "Showing the sample image instead" in at.error[0].value
    assert at.subheader[0].value == "Your image is a volume: 256 × 256 × 3"


def test_text_renamed_png_is_refused():
    """A text file named .png is refused by content, with intake's sentence."""
    at = _upload(_run(), "notes.png", b"hello, this is not a picture\n" * 10, "image/png")
    assert len(at.error) == 1 and "image" in at.error[0].value.lower()


def test_stride_two_with_same_padding_is_tensorflows_same():
    """'same' padding with stride 2 gives TensorFlow's SAME (ceil(n/2) per side), without any warning (it
    used to be refused with a warning shown twice)."""
    at = _run()
    at.number_input(key=state.STRIDE).set_value(2).run()
    assert not at.exception and not at.warning
    assert "→ output volume **128 × 128 × 2**" in _markdown(at)
    assert "Output volume: 128 × 128 × 2" in _markdown(at)


def test_output_size_panel_follows_relu_and_pooling():
    """The output-size panel follows conv → ReLU → pooling with the user's numbers, as the maps do."""
    at = _run()
    at.selectbox(key=state.POOL).set_value("max").run()
    at.number_input(key=state.POOL_SIZE).set_value(3).run()
    text = _markdown(at)
    assert "convolution **256 × 256 × 2** → ReLU **256 × 256 × 2**" in text
    assert "`H″ = ⌊(256 + 2·0 − 1·(3−1) − 1) / 2⌋ + 1 = 127`" in text
    assert "→ output volume **127 × 127 × 2**" in text and "Output volume: 127 × 127 × 2" in text


def test_an_empty_output_is_explained_once():
    """Settings that leave no output give one warning (under the settings), not one per panel."""
    at = _upload(_run(), "tiny.png", _png(np.full((12, 12, 3), 90, np.uint8)), "image/png")
    at.selectbox(key=state.PADDING_MODE).set_value("valid").run()
    at.number_input(key=state.DILATION).set_value(8).run()
    assert not at.exception
    assert len(at.warning) == 1 and "output would be empty" in at.warning[0].value


def test_valid_padding_and_stride_follow_the_formula():
    """Valid padding with stride 2 gives the size of the formula, shown and used for every map."""
    at = _run()
    at.selectbox(key=state.PADDING_MODE).set_value("valid").run()
    at.number_input(key=state.STRIDE).set_value(2).run()
    n = output_size(256, 3, stride=2, padding=0)
    assert f"→ output volume **{n} × {n} × 2**" in _markdown(at)
    assert f"Output volume: {n} × {n} × 2" in _markdown(at)


def test_custom_padding_and_dilation():
    """Custom padding 3 with dilation 2 gives floor((256 + 6 - 4 - 1) / 1) + 1 outputs per side."""
    at = _run()
    at.selectbox(key=state.PADDING_MODE).set_value("custom").run()
    at.number_input(key=state.PADDING).set_value(3).run()
    at.number_input(key=state.DILATION).set_value(2).run()
    n = output_size(256, 3, padding=3, dilation=2)
    assert n == 258
    assert f"→ output volume **{n} × {n} × 2**" in _markdown(at)


def test_empty_output_is_explained():
    """Dilation 8 with valid padding on a 6x6 volume leaves no output: the page says why."""
    at = _run()
    at.session_state[state.PREVIEW_SIDE] = 1024
    at.selectbox(key="cv_sample").set_value("step").run()
    at.selectbox(key=state.PADDING_MODE).set_value("valid").run()
    at.number_input(key=state.DILATION).set_value(8).run()
    assert not any("would be empty" in w.value for w in at.warning)  # 96 px: still fits
    at.session_state[state.BANK] = FilterBank(np.ones((1, 15, 15, 3)))
    at.run()
    assert any("would be empty" in w.value for w in at.warning)
    assert not at.exception


def test_relu_off_and_max_pooling():
    """Without ReLU the output volume is straight from the convolution; max-pool 2 halves it."""
    at = _run()
    at.toggle(key=state.RELU).set_value(False).run()
    assert "Output volume: 256 × 256 × 2 (straight from the convolution)" in _markdown(at)
    at.selectbox(key=state.POOL).set_value("max").run()
    assert "Output volume: 128 × 128 × 2 (after max-pool 2×2, stride 2)" in _markdown(at)
    at.toggle(key=state.RELU).set_value(True).run()
    assert "Output volume: 128 × 128 × 2 (after ReLU and max-pool 2×2, stride 2)" in _markdown(at)
    assert not at.exception


def test_pool_window_larger_than_the_map_is_explained():
    """A pooling window larger than a tiny map is refused with a message, not an exception."""
    at = _run()
    at.selectbox(key="cv_sample").set_value("step").run()
    at.selectbox(key=state.PADDING_MODE).set_value("valid").run()
    at.session_state[state.BANK] = FilterBank(np.ones((1, 15, 15, 3)))
    at.number_input(key=state.DILATION).set_value(6).run()  # 96 - 84 = 12 outputs per side
    at.selectbox(key=state.POOL).set_value("max").run()
    at.number_input(key=state.POOL_SIZE).set_value(8).run()
    at.number_input(key=state.POOL_STRIDE).set_value(8).run()
    assert not at.exception
    assert "Output volume: 1 × 1 × 1" in _markdown(at)


@pytest.mark.parametrize(("row", "col"), [(0, 0), (20, 20), (60, 135), (255, 255)])
def test_explained_pixel_matches_the_map(row, col):
    """The explanation's sum equals the map's value there and an independent conv2d."""
    at = _pick(_run(), row, col)
    numbers = _explained(at)
    bank = load_preset(state.DEFAULT_PRESET)
    expected = conv2d(load_sample("testcard").array, bank.weights, bank.bias, padding="same")[row, col, 0]
    assert numbers["total"] == numbers["map"]
    assert numbers["total"] == pytest.approx(float(expected), abs=1e-3, rel=1e-3)
    assert numbers["relu"] == pytest.approx(max(float(expected), 0.0), abs=1e-3, rel=1e-3)


def test_explained_pixel_follows_stride_and_the_focused_filter():
    """With stride 2 and valid padding, pixel [10, 30] of filter 2 matches conv2d with those settings."""
    at = _run()
    at.selectbox(key=state.PADDING_MODE).set_value("valid").run()
    at.number_input(key=state.STRIDE).set_value(2).run()
    at.session_state[state.FOCUS] = 1
    _pick(at, 10, 30)
    bank = load_preset(state.DEFAULT_PRESET)
    expected = conv2d(load_sample("testcard").array, bank.weights, bank.bias, stride=2)[10, 30, 1]
    numbers = _explained(at)
    assert numbers["total"] == numbers["map"] == pytest.approx(float(expected), abs=1e-3, rel=1e-3)


def _weight_key(at: AppTest, k: int, c: int, i: int, j: int) -> str:
    return f"cv_w{at.session_state[state.BANK_REV]}_{k}_{c}_{i}_{j}"


def test_editing_a_weight_updates_the_bank_and_the_explanation():
    """Setting weight R[1,1] of filter 1 to 2 changes the bank and the explained value accordingly."""
    at = _pick(_run(), 60, 40)
    at.number_input(key=_weight_key(at, 0, 0, 1, 1)).set_value(2.0).run()
    assert not at.exception
    bank = at.session_state[state.BANK]
    assert bank.weights[0, 1, 1, 0] == 2.0
    expected = conv2d(load_sample("testcard").array, bank.weights, bank.bias, padding="same")[60, 40, 0]
    numbers = _explained(at)
    assert numbers["total"] == numbers["map"] == pytest.approx(float(expected), abs=1e-3, rel=1e-3)


def test_editing_the_bias_shifts_the_map():
    """A bias of 0.5 adds 0.5 to the explained value."""
    at = _run()
    before = _explained(at)["map"]
    at.number_input(key=f"cv_b{at.session_state[state.BANK_REV]}_0").set_value(0.5).run()
    assert _explained(at)["map"] == pytest.approx(before + 0.5, abs=1e-3)


def test_untrusted_settings_are_clamped():
    """Session values no widget allows (a URL could carry them) are clamped or replaced, never fatal."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[state.STRIDE] = 99
    at.session_state[state.POOL] = "median"
    at.session_state[live.PIXEL_ROW] = -5
    at.run()
    assert not at.exception
    assert at.number_input(key=state.STRIDE).value == state.MAX_STRIDE


def test_work_above_the_budget_is_refused():
    """64 filters of 15x15x3 on the test card exceed the live budget: a message, no computation."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[state.BANK] = FilterBank(np.zeros((64, 15, 15, 3)))
    at.run()
    assert not at.exception
    assert any("multiply-adds" in w.value for w in at.warning)


def test_per_map_normalisation_labels_each_scale():
    """Per-map colour scales are written in each map's caption."""
    at = _run()
    at.radio(key=state.NORM).set_value("per map").run()
    assert any("colours ±" in c for c in _captions(at))


def test_downloads_are_offered():
    """The volume, the focused map and the bank can be downloaded."""
    at = _run()
    labels = [b.proto.label for b in at.get("download_button")]
    assert any(label.startswith("Output volume") for label in labels)
    assert "Map 1 as PNG" in labels
    assert "Filter bank (JSON)" in labels


def _map_png(at: AppTest, k: int = 0) -> tuple[np.ndarray, np.ndarray, float, bool]:
    """The PNG download of output map `k` as RGB, the map itself, and the scale and view the page drew."""
    from ui.lab import export

    pipe = at.session_state[live.PIPELINE]
    png = np.asarray(Image.open(io.BytesIO(export.map_png(pipe, k))).convert("RGB"))
    scale, grey = pipe.shown[k]
    return png, pipe.post(pipe.settings)[k], scale, grey


@pytest.mark.parametrize("exact", [False, True])
def test_the_map_png_has_the_colours_of_the_page(exact):
    """The PNG draws every value of output map 1 with the scale and view its thumbnail used on the page."""
    from ui.draw.pictures import colorize

    at = _run()
    if exact:
        at.toggle(key=live.EXACT_MAX).set_value(True).run()
    png, m, scale, grey = _map_png(at)
    assert png.shape[:2] == m.shape  # one pixel per value
    legend = _markdown(at) + " ".join(_captions(at))
    assert f"±{fmt(scale)}" in legend or f"+{fmt(scale)}" in legend  # the scale the page states
    expected = colorize(m, scale) if not grey else np.repeat(
        np.clip(np.round(np.maximum(m, 0) * 255 / scale), 0, 255).astype(np.uint8)[..., None], 3, axis=2)
    assert np.abs(png.astype(int) - expected.astype(int)).max() <= 1


def test_the_map_png_follows_the_exact_max_toggle():
    """Bulk and exact-max scales differ on the test card, and so do the two PNGs."""
    at = _run()
    bulk_png, m, bulk_scale, _ = _map_png(at)
    at.toggle(key=live.EXACT_MAX).set_value(True).run()
    exact_png, _, exact_scale, _ = _map_png(at)
    assert bulk_scale < exact_scale
    assert not np.array_equal(bulk_png, exact_png)
