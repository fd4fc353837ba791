"""Hostile user text on every refusal path: links, filter files, file names, class names (issue 17, item 1).

Each payload is generated here and sent through the path a student (or a crafted link) would use; the
rendered Markdown of every message must hold it as text: no ``](`` (a link or image), no ``<img`` (HTML), no
bare ``https://`` or ``www.`` (autolinks) and no invisible bidi or zero-width character. Each case also
checks that the page raised nothing, answered in bounded time and left the rest of the session unchanged.
"""

from __future__ import annotations

import base64
import json
import time
import zlib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from convviz import bank_to_json, load_preset
from convviz.share import BANK_VERSION
from ui import state
from ui.draw.pictures import html_text, md_escape

APP = str(Path(__file__).resolve().parents[2] / "app.py")
INVISIBLE = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200c\u200d\ufeff"
PAYLOADS = {
    "image": "![](//x)",
    "link": "[a](//x)",
    "html": "<img src=x onerror=alert(1)>",
    "url": "https://evil.example",
    "email": "me@evil.example",
    "www": "www.evil.example",
    "bidi": "gnp.\u202eexe\u2066x\u200by\ufeff",
}
SECONDS = 30  # bound on one refusal (a page run is ~1-3 s here; a decode or parse loop would pass it)


def assert_literal(text: str) -> None:
    """`text` (rendered Markdown) shows no payload as a link, image, HTML, autolink or invisible character.

    The page's own HTML (its swatch ``<img src='data:...'>``) is allowed: only the payloads' forms count.
    """
    assert "](//x" not in text and "<a" not in text.lower(), text
    assert text.lower().count("<img") == text.count("<img src='data:"), text  # only the page's own pictures
    for url in ("https://evil", "www.evil"):  # GitHub Markdown would link them: only inside code spans
        assert text.count(url) == text.count("`" + url), text
    assert not set(text) & set(INVISIBLE), ascii(text)


def rendered(at: AppTest) -> list[str]:
    """Every Markdown text of the page: messages, markdown, captions (their ``.value``)."""
    kinds = (at.error, at.warning, at.info, at.success, at.markdown, at.caption)
    return [e.value for kind in kinds for e in kind]


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_md_escape_leaves_no_markup(payload):
    assert_literal(md_escape(payload))
    assert "<" not in html_text(payload) and not set(html_text(payload)) & set(INVISIBLE)


def test_md_escape_keeps_every_visible_character():
    """Escaping only adds backslashes and entities: the visible text is the student's."""
    text = "Sobel x (3×3) — 50% [v2] ~ok~ $5 a_b"
    assert md_escape(text).replace("\\", "") == text


# --- a crafted share link ----------------------------------------------------------------------------


def bank_param(doc: dict) -> str:
    """A ``bank`` link parameter holding the JSON document `doc` (packed as the app packs its own)."""
    packed = zlib.compress(json.dumps(doc).encode("utf-8"), 9, wbits=-15)
    return BANK_VERSION + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def preset_doc() -> dict:
    return json.loads(bank_to_json(load_preset("sobel-vertical")))


def link_cases() -> list:
    cases = []
    for pid, payload in PAYLOADS.items():
        cases.append(pytest.param({"relu": payload}, payload, id=f"relu-{pid}"))
        cases.append(pytest.param({"pool": payload}, payload, id=f"pool-{pid}"))
    for pid in ("image", "link", "html", "bidi"):
        doc = preset_doc()
        doc["format"] = PAYLOADS[pid]
        cases.append(pytest.param({"bank": bank_param(doc)}, PAYLOADS[pid], id=f"format-{pid}"))
        doc = preset_doc()
        doc[PAYLOADS[pid]] = 1  # an unknown key
        cases.append(pytest.param({"bank": bank_param(doc)}, PAYLOADS[pid], id=f"key-{pid}"))
    return cases


@pytest.mark.parametrize(("query", "payload"), link_cases())
def test_a_crafted_share_link_is_refused_as_text(query, payload):
    """The Lab opened with the link: one warning naming the problem, payload literal, defaults kept."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    t0 = time.perf_counter()
    at.run()
    assert time.perf_counter() - t0 < SECONDS
    assert not at.exception
    warnings = [w.value for w in at.warning if "could not be read" in w.value]
    assert len(warnings) == 1, rendered(at)
    for text in rendered(at):
        assert_literal(text)
    assert at.session_state[state.BANK].name == state.DEFAULT_PRESET  # nothing of the link was used
    core = state.LabSettings().core
    assert (at.session_state[state.RELU], at.session_state[state.POOL]) == (core.relu, core.pool)


# --- a filter file in the designer ------------------------------------------------------------------


def designer_page():
    from ui import state
    from ui.lab.designer.panel import designer_panel

    state.init_state()
    designer_panel()


def json_cases() -> list:
    cases = []
    for pid, payload in PAYLOADS.items():
        cases.append(pytest.param(f"{payload}.json", b"{not json", id=f"file-name-{pid}"))
        doc = preset_doc()
        doc[payload] = 1
        cases.append(pytest.param("bank.json", json.dumps(doc).encode(), id=f"json-key-{pid}"))
        doc = preset_doc()
        doc["format"] = payload
        cases.append(pytest.param("bank.json", json.dumps(doc).encode(), id=f"json-format-{pid}"))
    return cases


@pytest.mark.parametrize(("name", "data"), json_cases())
def test_a_hostile_filter_file_is_refused_as_text(name, data):
    at = AppTest.from_function(designer_page, default_timeout=60).run()
    before = at.session_state[state.BANK]
    t0 = time.perf_counter()
    at.get("file_uploader")[0].set_value((name, data, "application/json")).run()
    assert time.perf_counter() - t0 < SECONDS
    assert not at.exception
    assert [e.value for e in at.error if "could not be imported" in e.value], rendered(at)
    for text in rendered(at):
        assert_literal(text)
    assert at.session_state[state.BANK] is before


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_hostile_filter_names_in_a_file_are_shown_as_text(payload):
    """A valid file whose title and filter names are hostile: imported, and every mention literal."""
    at = AppTest.from_function(designer_page, default_timeout=60).run()
    doc = preset_doc()
    doc["title"] = payload
    for f in doc["filters"]:
        f["name"] = payload
    at.get("file_uploader")[0].set_value(("bank.json", json.dumps(doc).encode(), "application/json")).run()
    assert not at.exception
    assert at.session_state[state.BANK].names[0] == payload[:len(at.session_state[state.BANK].names[0])]
    for text in rendered(at) + list(at.pills[0].options):
        assert_literal(text)


# --- an uploaded photo -------------------------------------------------------------------------------


def input_page():
    from ui import image_input, state

    state.init_state()
    image_input.image_input_panel()


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_a_hostile_photo_file_name_is_shown_as_text(payload):
    """An unreadable upload whose name is hostile: refused, every message literal, the sample kept."""
    at = AppTest.from_function(input_page, default_timeout=60).run()
    at.radio[0].set_value("Upload").run()
    at.get("file_uploader")[0].set_value((f"{payload}.png", b"\x89PNG not really", "image/png")).run()
    assert not at.exception
    assert at.error, rendered(at)
    for text in rendered(at):
        assert_literal(text)
    assert at.session_state[state.PHOTO] is None if state.PHOTO in at.session_state else True


# --- class names in a tampered model manifest --------------------------------------------------------


def cnn_page():
    from ui.cnn import page as cnn

    cnn.page()


def test_hostile_class_names_in_a_manifest_are_shown_as_text(monkeypatch, tmp_path):
    """A manifest whose classes are the payloads: the CNN page's words and its bar chart show them as text."""
    import shutil

    from convviz.model.files import DEFAULT_MANIFEST
    from ui.cnn import page as cnn

    if not DEFAULT_MANIFEST.exists():
        pytest.skip(f"the model weights are not installed ({DEFAULT_MANIFEST} is absent)")
    manifest = json.loads(DEFAULT_MANIFEST.read_text())
    shutil.copy(DEFAULT_MANIFEST.parent / manifest["weights_file"], tmp_path / manifest["weights_file"])
    names = list(PAYLOADS.values())
    manifest["classes"] = names + [f"class {i}" for i in range(len(manifest["classes"]) - len(names))]
    (tmp_path / DEFAULT_MANIFEST.name).write_text(json.dumps(manifest))
    monkeypatch.setattr("convviz.model.files.DEFAULT_MANIFEST", tmp_path / DEFAULT_MANIFEST.name)
    cnn.pretrained.clear()
    try:
        at = AppTest.from_function(cnn_page, default_timeout=60).run()
    finally:
        cnn.pretrained.clear()
    assert not at.exception
    texts = rendered(at)
    assert any("evil" in t for t in texts), texts  # the class names are on the page, as text
    for text in texts:
        assert_literal(text)
    chart = next(c for c in at.get("plotly_chart") if c.proto.id.endswith("cnn_probs"))
    labels = json.loads(chart.proto.spec)["data"][-1]["y"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in labels
    for label in labels:
        assert "<" not in label and not set(label) & set(INVISIBLE), label
