"""AppTest flows of the "Inside a CNN" page: it loads, ablation and surgery change the prediction, undo,
the layer picker, conv1's filters open in the designer, and a missing model is a clear message."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from convviz.model.files import DEFAULT_MANIFEST

if not DEFAULT_MANIFEST.exists():
    pytest.skip(f"the model weights are not installed ({DEFAULT_MANIFEST} is absent)",
                allow_module_level=True)


def _cnn():
    from ui.cnn import page as cnn

    cnn.page()


def _cnn_then_lab():
    """The CNN page first, with the Lab registered too (so "open in designer" can switch to it)."""
    import streamlit as st

    from ui.cnn import page as cnn
    from ui.lab import page as lab

    st.navigation([st.Page(cnn.page, title="Inside a CNN", url_path="cnn", default=True),
                   st.Page(lab.page, title="Volume Lab", url_path="lab")]).run()


def _run(script=_cnn) -> AppTest:
    at = AppTest.from_function(script, default_timeout=60).run()
    assert not at.exception
    return at


def _says(at: AppTest) -> str:
    """The prediction line ("The network says: ...")."""
    return next(m.value for m in at.markdown if m.value.startswith("The network says"))


def _probs(at: AppTest) -> np.ndarray:
    """The ``(10,)`` probabilities drawn in the bar chart (its last trace), in class order."""
    chart = next(c for c in at.get("plotly_chart") if c.proto.id.endswith("cnn_probs"))
    x = json.loads(chart.proto.spec)["data"][-1]["x"]
    if isinstance(x, dict):  # plotly's typed-array encoding
        x = np.frombuffer(base64.b64decode(x["bdata"]), dtype=x["dtype"])
    return np.asarray(x, dtype=np.float64)[::-1]  # the chart lists the first class on top


def _top(at: AppTest) -> tuple[str, float]:
    match = re.match(r"The network says: \*\*(.+?)\*\* \(([\d.]+) %\)", _says(at))
    return match.group(1), float(match.group(2))


def test_page_says_what_the_network_is_and_predicts():
    """The page names the network, its 10 classes and its accuracy, and gives a prediction."""
    at = _run()
    assert at.title[0].value == "Inside a CNN"
    intro = next(m.value for m in at.markdown if "Imagenette" in m.value)
    assert "Imagenette" in intro and "English springer" in intro and "parachute" in intro
    assert "93,498 numbers" in intro
    assert re.search(r"\*\*\d+\.\d %\*\* of the 3,925 validation photos", intro) or "not measured" in intro
    assert _top(at)[0] in intro
    assert "original network" not in _says(at)  # nothing changed yet: no comparison


def test_switching_off_channels_changes_the_prediction():
    """With only the blue channel the prediction changes and the original one is shown beside it."""
    at = _run()
    before = _probs(at)
    at.session_state["cnn_keep"] = ["B"]
    at.run()
    assert not at.exception
    assert "The original network on the full-colour photo said" in _says(at)
    assert np.abs(_probs(at) - before).max() > 1e-3


def test_surgery_puts_the_designed_filter_into_conv1_and_undo_restores():
    """The Lab's filter in slot 3 changes conv1 and the prediction; undo brings the original back."""
    at = _run()
    before = _probs(at)
    at.selectbox(key="cnn_slot").set_value(2)
    at.button(key="cnn_put").click().run()
    assert not at.exception
    assert 2 in at.session_state["cnn_surgery"]
    assert any("Your filter now sits in conv1 slot 3" in c.value for c in at.caption)
    assert any(m.value.startswith("**Filter 3** · *your filter*") for m in at.markdown)
    assert "The original network" in _says(at) and np.abs(_probs(at) - before).max() > 1e-3
    at.button(key="cnn_undo").click().run()
    assert not at.exception
    assert at.session_state["cnn_surgery"] == {}
    np.testing.assert_allclose(_probs(at), before, atol=1e-6)


def test_surgery_with_a_5x5_filter_says_why_not():
    """A 5x5 Lab filter cannot go into conv1: the page explains instead of offering the button."""
    from convviz.filterbank.bank import FilterBank

    at = AppTest.from_function(_cnn, default_timeout=60)
    at.session_state["cv_bank"] = FilterBank(np.ones((1, 5, 5, 3)) / 75)
    at.run()
    assert not at.exception
    assert any("conv1's filters are 3 × 3 × 3" in i.value for i in at.info)
    assert not [b for b in at.button if b.key == "cnn_put"]


def test_layer_picker_shows_every_channel_of_the_layer():
    """Picking pool3 offers its 64 maps to enlarge; conv1 offers 16."""
    at = _run()
    assert len(at.selectbox(key="cnn_enlarge").options) == 16
    at.select_slider(key="cnn_layer").set_value("pool3").run()
    assert not at.exception
    assert len(at.selectbox(key="cnn_enlarge").options) == 64
    at.selectbox(key="cnn_enlarge").set_value(63).run()
    assert any(c.value.startswith("pool3 map 64: 8 × 8") for c in at.caption)


def test_maps_run_on_a_larger_photo():
    """Computing the maps at 128 px gives conv1 maps of the photo's shape at that size, not 64 x 64."""
    at = _run()
    at.session_state["cnn_size"] = 128
    at.run()
    assert not at.exception
    assert any(re.match(r"\*\*conv1\*\*: 16 maps of \d+ × 128|\*\*conv1\*\*: 16 maps of 128 × \d+", m.value)
               for m in at.markdown)


def test_softmax_arithmetic_on_demand():
    """The softmax toggle shows the sum of the exponentials."""
    at = _run()
    at.toggle(key="cnn_softmax").set_value(True).run()
    assert not at.exception
    assert any("sum of the exps" in m.value for m in at.markdown)


def test_cam_identity_is_shown_for_the_chosen_class():
    """The CAM section shows mean + bias = score for the class picked."""
    at = _run()
    at.selectbox(key="cnn_cam_class").set_value(8).run()
    assert not at.exception
    assert any("= the score of golf ball" in m.value for m in at.markdown)


def test_open_in_designer_loads_conv1_into_the_lab():
    """"Open in designer" on filter 4 makes conv1's filters the Lab's bank, focused on 4, on the Lab."""
    at = _run(_cnn_then_lab)
    at.button(key="cnn_open_3").click().run()
    assert not at.exception
    bank = at.session_state["cv_bank"]
    assert bank.name == "tinyvgg-conv1" and bank.n_filters == 16
    assert at.session_state["cv_focus"] == 3
    assert at.title[0].value == "Volume Lab"


def test_a_missing_model_is_a_clear_message(monkeypatch, tmp_path):
    """Without the weights the page says the network cannot be loaded, and why, without a traceback."""
    from ui.cnn import page as cnn

    monkeypatch.setattr("convviz.model.files.DEFAULT_MANIFEST", tmp_path / "absent.json")
    cnn.pretrained.clear()
    try:
        at = _run()
        assert any("cannot be loaded" in e.value and "missing" in e.value for e in at.error)
    finally:
        cnn.pretrained.clear()


def test_page_opens_with_the_photo_what_it_sees_and_says_then_the_experiments():
    """Teaching order: what the network sees and says come before the experiments and the network's story."""
    headers = [h.value for h in _run().header]
    assert headers[:4] == ["What the network sees", "What it says", "Experiments", "The network"]
