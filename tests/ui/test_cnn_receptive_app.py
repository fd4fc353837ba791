"""AppTest of the CNN page's receptive-field view: pick a unit, see its square on the photo and input."""

from __future__ import annotations

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from convviz import load_pretrained, receptive_field
from tests.ui.cnn_app import run_cnn, skip_without_weights
from ui.cnn import receptive

skip_without_weights()



_run = run_cnn


def _figure(at: AppTest, key: str) -> dict:
    chart = next(c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{key}"))
    return json.loads(chart.proto.spec)


def _rect(fig: dict) -> tuple[float, float, float, float]:
    (shape,) = [s for s in fig["layout"]["shapes"] if s["type"] == "rect"]
    return shape["y0"], shape["x0"], shape["y1"], shape["x1"]


def test_view_opens_on_the_strongest_unit_with_its_square_drawn():
    """The first view frames the strongest unit of conv4's first map and draws its 14 x 14 square."""
    at = _run()
    assert at.session_state[receptive.RF_LAYER] == "conv4"
    captions = " ".join(c.value for c in at.caption)
    assert "Theoretical receptive field: 14 × 14 pixels of the 64 × 64 input (jump 2)" in captions
    row, col = at.session_state[receptive.RF_ROW] - 1, at.session_state[receptive.RF_COL] - 1
    image = at.session_state["cv_image"].array
    model = load_pretrained()
    conv4 = dict(model.forward(model.resize_input(image)))["conv4"][..., 0]
    assert (row, col) == np.unravel_index(int(np.argmax(conv4)), conv4.shape)
    assert len(_rect(_figure(at, "cnn_rf_photo"))) == 4


def test_typed_unit_draws_the_closed_form_box_on_the_photo_and_the_input():
    """pool2 map 5, row 1, column 10: the square of receptive_field('tinyvgg'), clipped, on both pictures."""
    at = _run()
    at.selectbox(key=receptive.RF_LAYER).set_value("pool2").run()
    at.number_input(key=receptive.RF_CHANNEL).set_value(5).run()
    at.number_input(key=receptive.RF_ROW).set_value(1).run()
    at.number_input(key=receptive.RF_COL).set_value(10).run()
    assert not at.exception
    field = {row.name: row for row in receptive_field("tinyvgg")}["pool2"]
    top, left, bottom, right = field.box(0, 9)
    assert (top, left, bottom, right) == (-6.0, 30.0, 9.0, 45.0)  # centre (1.5, 37.5), 16 x 16
    effective = _figure(at, "cnn_rf_effective")
    scale = receptive.SIDE // 64  # the 64 x 64 input enlarged 6 times
    assert _rect(effective) == pytest.approx((0, left * scale, (bottom + 1) * scale, (right + 1) * scale))
    captions = " ".join(c.value for c in at.caption)
    assert "rows 1–10, columns 31–46 — the rest of the square is zero padding" in captions
    assert "The framed unit (row 1, column 10) is" in captions
