"""AppTest of the CNN page's trust and "your own classes" features: the "not sure" flag before the bars (a
flat colour: yes; a clear val photo: no), the occlusion map beside the CAM with its sentence, and the whole
own-classes flow: name classes, upload photos, train, see the curve and the prediction; refusals."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.model.class_photos import (
    GENERATED,
    generated,
    have_imagenette,
    imagenette_paths,
    jpeg,
)
from tests.ui.cnn_app import run_cnn, skip_without_weights

skip_without_weights()



_run = run_cnn


def _uploader(at: AppTest, key: str):
    return next(u for u in at.get("file_uploader") if u.proto.id.endswith(key))


def _chart(at: AppTest, key: str) -> dict:
    return json.loads(next(c for c in at.get("plotly_chart") if c.proto.id.endswith(key)).proto.spec)


def _values(trace_x) -> np.ndarray:
    if isinstance(trace_x, dict):  # plotly's typed-array encoding
        return np.frombuffer(base64.b64decode(trace_x["bdata"]), dtype=trace_x["dtype"])
    return np.asarray(trace_x, dtype=np.float64)


def _use_photo(at: AppTest, data: bytes, name: str = "photo.jpg") -> AppTest:
    """Choose the page's photo by upload (the page's own input panel)."""
    at.toggle(key="cnn_pick").set_value(True).run()
    at.radio(key="cv_source").set_value("Upload").run()
    _uploader(at, "cv_upload").set_value((name, data, "image/jpeg"))
    at.run()
    assert not at.exception
    return at


def _walk(node):
    """Every element under `node`, in page order."""
    children = getattr(node, "children", None)
    if children is None:
        yield node
        return
    for child in children.values():
        yield from _walk(child)


def _flag(at: AppTest) -> list[str]:
    return [w.value for w in at.warning if "Not sure" in w.value]


def test_flat_colour_is_flagged_before_the_bars():
    at = _use_photo(_run(), jpeg(np.full((120, 200, 3), (0.2, 0.5, 0.9), np.float32)), "flat.jpg")
    assert len(_flag(at)) == 1
    assert "far from the training photos" in _flag(at)[0]
    # The squash of the 200 x 120 photo is stated.
    assert any("1.67 times wider than tall" in c.value for c in at.caption)
    # The flag is drawn before the prediction line and its bars.
    texts = [e.value for e in _walk(at.main) if isinstance(getattr(e, "value", None), str)]
    says = next(i for i, t in enumerate(texts) if t.startswith("The network says"))
    assert texts.index(_flag(at)[0]) < says


@pytest.mark.skipif(not have_imagenette(), reason="the Imagenette val photos are absent")
def test_clear_val_photo_is_not_flagged():
    path = imagenette_paths(1)["tench"][0]
    at = _use_photo(_run(), path.read_bytes(), "tench.jpg")
    assert not _flag(at)
    assert any(c.value.startswith("Sure enough") for c in at.caption)
    assert not any("times wider" in c.value for c in at.caption)  # 224 x 224: nothing squashed


def test_occlusion_sits_beside_the_cam_with_a_sentence_from_the_numbers():
    at = _run()
    sentence = next(m.value for m in at.markdown if m.value.startswith(("The two maps", "No 16")))
    assert "%" in sentence
    assert any("(49 forward passes)" in m.value for m in at.markdown)


def _fill_classes(at: AppTest, names: tuple[str, ...], per_class: int = 4) -> AppTest:
    at.number_input(key="cnn_own_count").set_value(len(names)).run()
    for i, name in enumerate(names):
        at.text_input(key=f"cnn_own_name_{i}").set_value(name)
        kind = GENERATED[i % 3]
        files = [(f"{kind}{j}.jpg", jpeg(generated(kind, j)), "image/jpeg") for j in range(per_class)]
        _uploader(at, f"cnn_own_files_{i}").set_value(files)
    return at.run()


def test_the_whole_own_classes_flow():
    """Three named classes, four photos each, Train: the explanation, the curve, the prediction with three
    bars, the softmax arithmetic and the CAM of the new head."""
    at = _fill_classes(_run(), ("sunsets", "sea", "forest"))
    assert not at.exception
    assert [c.value for c in at.caption if c.value in ("4 photos",)] == ["4 photos"] * 3
    at.button(key="cnn_own_train").click().run()
    assert not at.exception
    explained = next(m.value for m in at.markdown if m.value.startswith("Trained in"))
    assert "3 × 64 weights + 3 biases = **195 parameters**" in explained
    assert "all 6 convolutions, 92,848 parameters" in explained
    curve = _chart(at, "cnn_own_curve")
    assert len(_values(curve["data"][0]["y"])) == 300
    says = next(m.value for m in at.markdown if m.value.startswith("Your classes say"))
    probs = _chart(at, "cnn_own_probs")["data"][-1]
    assert len(_values(probs["x"])) == 3 and abs(_values(probs["x"]).sum() - 1) < 1e-5
    assert any(name in says for name in ("sunsets", "sea", "forest"))
    at.toggle(key="cnn_own_softmax").set_value(True).run()
    assert not at.exception
    assert at.selectbox(key="cnn_own_cam").options[:1] and len(at.selectbox(key="cnn_own_cam").options) == 3
    # Changing a name after training says so; training again uses it.
    at.text_input(key="cnn_own_name_1").set_value("ocean").run()
    assert any("changed since this training" in i.value for i in at.info)
    at.button(key="cnn_own_train").click().run()
    assert not at.info and "ocean" in _chart(at, "cnn_own_probs")["data"][-1]["y"]


def test_user_class_names_are_escaped():
    at = _fill_classes(_run(), ("**bold** <b>x</b>", "[link](http://e.com)"), per_class=2)
    at.button(key="cnn_own_train").click().run()
    assert not at.exception
    says = next(m.value for m in at.markdown if m.value.startswith("Your classes say"))
    assert "\\*\\*bold\\*\\*" in says or "\\[link\\]\\(http" in says
    labels = _chart(at, "cnn_own_probs")["data"][-1]["y"]
    assert "&lt;b&gt;x&lt;/b&gt;" in " ".join(labels) and "<b>" not in " ".join(labels)


def test_refusals_are_sentences_not_tracebacks():
    at = _fill_classes(_run(), ("cats", "dogs"), per_class=1)
    _uploader(at, "cnn_own_files_1").set_value(None)
    at.run()
    at.button(key="cnn_own_train").click().run()
    assert not at.exception
    assert any("has no image" in e.value for e in at.error)
    at.text_input(key="cnn_own_name_1").set_value("cats").run()
    assert any("same name" in e.value for e in at.error)
    _uploader(at, "cnn_own_files_0").set_value([("broken.jpg", b"not an image", "image/jpeg")])
    at.run()
    assert not at.exception
    assert any("Skipped broken.jpg" in e.value.replace("\\", "") for e in at.error)


def test_squash_and_agreement_sentences_follow_the_numbers():
    from convviz.model.occlusion import MapAgreement, OcclusionMap
    from ui.cnn.trust import agreement_sentence, squash_sentence

    assert squash_sentence(100, 101) is None
    assert "1000 pixels wide and 100 tall, 10.00 times wider than tall" in squash_sentence(100, 1000)
    assert "times narrower" in squash_sentence(100, 1000)
    assert "2.00 times taller than wide" in squash_sentence(200, 100)

    def occ(drop: float) -> OcclusionMap:
        coarse = np.full((7, 7), drop, np.float32)
        return OcclusionMap(0, "a", 0.9, coarse, np.zeros((64, 64), np.float32), np.zeros((8, 8)), 16, 8, 0.5)

    agree = agreement_sentence(MapAgreement(0.8, 0.6, (0.1, 0.1), (0.2, 0.2), 0.25), occ(0.2))
    assert agree.startswith("The two maps agree (correlation 0.80, 60 % overlap")
    assert "both peak at the top left" in agree
    differ = agreement_sentence(MapAgreement(-0.1, 0.05, (0.9, 0.5), (0.1, 0.9), 0.25), occ(0.2))
    assert "disagree" in differ
    assert "the CAM peaks at the bottom centre and occlusion at the top right" in differ
    flat = agreement_sentence(MapAgreement(0.9, 0.9, (0.5, 0.5), (0.5, 0.5), 0.25), occ(0.001))
    assert flat.startswith("No 16")
