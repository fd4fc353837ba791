"""Lesson links: their own parameters read as hostile text, written back, and restored by the app."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import cv2
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from convviz import ConvSettings, decode_state, encode_state, load_preset
from ui import state
from ui.classroom.lesson import HIDEABLE, Lesson, lesson_params, read_lesson
from ui.classroom.qr import qr_png

APP = str(Path(__file__).resolve().parents[2] / "app.py")
SAMPLES = ("testcard", "scene")


@pytest.mark.parametrize("lesson", [
    Lesson(), Lesson(sample="scene"), Lesson(sample="upload", focus=3), Lesson(hide=frozenset(HIDEABLE)),
    Lesson(sample="testcard", focus=0, hide=frozenset({"designer", "nav"}), present=True),
])
def test_lesson_params_read_back_exactly(lesson):
    params = lesson_params(lesson)
    assert read_lesson(params, samples=SAMPLES) == (lesson, [])


@pytest.mark.parametrize(("params", "word"), [
    ({"sample": "../../etc/passwd"}, "`sample`"), ({"filter": "0"}, "`filter`"),
    ({"filter": "65"}, "`filter`"), ({"filter": "-1"}, "`filter`"), ({"filter": "1e3"}, "`filter`"),
    ({"hide": "designer,<script>"}, "`hide`"),
    ({"present": "yes"}, "`present`"), ({"sample": "x" * 10_000}, "`sample`"), ({"hide": ["nav"]}, "`hide`"),
])
def test_what_cannot_be_read_is_named_never_echoed(params, word):
    lesson, problems = read_lesson(params, samples=SAMPLES)
    assert lesson == Lesson() and len(problems) == 1 and word in problems[0]
    text = str(next(iter(params.values())))
    assert text not in problems[0]


def test_one_bad_parameter_leaves_the_others():
    lesson, problems = read_lesson({"sample": "scene", "filter": "x", "hide": " settings , designer "},
                                   samples=SAMPLES)
    assert lesson == Lesson(sample="scene", hide=frozenset({"settings", "designer"})) and len(problems) == 1


def decode_qr(png: bytes) -> str:
    """The payload of a QR code picture, read by OpenCV: its classic ``QRCodeDetector`` first, then its
    ArUco-based detector. Measured here (OpenCV 5.1): the classic one misses some valid codes of version
    18 and above (e.g. a 533-character link, version 18, mask 6) that the ArUco one and phones read."""
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
    text = cv2.QRCodeDetector().detectAndDecode(image)[0]
    return text or cv2.QRCodeDetectorAruco().detectAndDecode(image)[0]


def test_the_qr_code_decodes_to_the_link():
    link = "http://127.0.0.1:8501/lab?" + "&".join(f"{k}={v}" for k, v in {
        **encode_state(load_preset("compass-edges"), ConvSettings(stride=2)), "sample": "scene",
        "filter": "3", "hide": "settings,designer"}.items())
    assert decode_qr(qr_png(link, scale=4)) == link
    short = "http://127.0.0.1:8501/lab?sample=scene&filter=2"
    image = cv2.imdecode(np.frombuffer(qr_png(short, scale=4), np.uint8), cv2.IMREAD_GRAYSCALE)
    assert cv2.QRCodeDetector().detectAndDecode(image)[0] == short


def test_a_link_too_long_for_a_qr_code_is_refused():
    with pytest.raises(ValueError, match="too long for a QR code"):
        qr_png("x" * 5_000)


def _app(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    return at.run()


def test_a_lesson_link_restores_sample_filter_hidden_controls_and_presenter_mode():
    """The sample, the focused filter (counted from 1), the bank and settings; hidden panels are not drawn."""
    bank = load_preset("compass-edges")
    query = {**encode_state(bank, ConvSettings(stride=1, relu=False)), "sample": "scene", "filter": "3",
             "hide": "settings,designer,export", "present": "1"}
    at = _app(query)
    assert not at.exception and not at.warning
    assert at.session_state[state.FOCUS] == 2 and at.session_state[state.BANK].names == bank.names
    assert at.session_state["cv_sample"] == "scene" and at.session_state["cv_present"] is True
    assert at.session_state[state.RELU] is False
    keys = {w.key for kind in ("number_input", "selectbox", "toggle", "text_input") for w in at.get(kind)}
    assert state.STRIDE not in keys and "cv_preset" not in keys  # the settings and the designer are hidden
    assert "cv_sample" in keys  # the photo chooser is not
    assert not [b for b in at.get("download_button")]
    assert any("Filter 3" in m.value for m in at.markdown)


def test_a_bad_lesson_link_shows_one_escaped_message_and_keeps_the_rest():
    at = _app({"sample": "scene", "filter": "99", "hide": "**everything**", "present": "maybe"})
    assert not at.exception
    assert len(at.warning) == 1
    message = at.warning[0].value
    assert "`filter`" in message and "`hide`" in message and "`present`" in message
    assert "everything" not in message and "99" not in message
    assert at.session_state["cv_sample"] == "scene"


def test_share_link_carries_the_state_and_the_choices():
    """The share dialog's link decodes to the current bank, settings, focus and the hidden controls."""
    def script():
        import streamlit as st

        from ui import state as s
        from ui.classroom.panel import lesson_link

        s.init_state()
        st.session_state[s.FOCUS] = 1
        st.session_state[s.STRIDE] = 2
        st.session_state[s.PADDING_MODE] = "valid"
        st.text(lesson_link("http://host/lab", "scene", ["designer"], True))

    at = AppTest.from_function(script, default_timeout=60).run()
    link = at.text[0].value
    assert link.startswith("http://host/lab?")
    params = dict(parse_qsl(urlsplit(link).query))
    bank, settings = decode_state(params)
    assert bank.names == load_preset(state.DEFAULT_PRESET).names
    assert settings.stride == 2 and settings.padding == "valid"
    assert read_lesson(params, samples=SAMPLES) == (
        Lesson(sample="scene", focus=1, hide=frozenset({"designer"}), present=True), [])
