"""Browser test of issue 20: a click on a CNN map cell draws that unit's receptive field on the photo, and the
Lab's Code panel shows NumPy and PyTorch code. Screenshots of both are saved for a look."""

from __future__ import annotations

import pytest

from convviz.model.files import DEFAULT_MANIFEST
from tests.e2e.helpers import ARTIFACTS, assert_no_exception, open_app, wait_idle

pytestmark = pytest.mark.e2e


def _value(page, key: str) -> int:
    return int(page.locator(f".st-key-{key} input").input_value())


def _rect_path(page, key: str) -> str:
    """The `d` attribute of the rectangle plotly drew in the chart `key` (its shape layer)."""
    shape = page.locator(f".st-key-{key} .shapelayer path").first
    shape.wait_for(state="attached")
    return shape.get_attribute("d")


@pytest.mark.skipif(not DEFAULT_MANIFEST.exists(), reason=f"no model weights ({DEFAULT_MANIFEST})")
def test_clicking_a_cnn_unit_draws_its_receptive_field(page):
    """Click a cell of conv4's enlarged map: the row/column follow it and the square moves on the photo."""
    open_app(page, "cnn")
    assert_no_exception(page)
    chart = page.locator(".st-key-cnn_rf_map .js-plotly-plot")
    chart.wait_for()
    chart.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelectorAll('.st-key-cnn_rf .shapelayer path').length >= 3")
    before = (_value(page, "cnn_rf_row"), _value(page, "cnn_rf_col"), _rect_path(page, "cnn_rf_photo"))
    # The square map is centred in the plot area (plotly keeps its aspect ratio): click the centre of the
    # cell in row 28, column 5 (1-based) of conv4's 32 x 32 map.
    area = page.locator(".st-key-cnn_rf_map .nsewdrag").first.bounding_box()
    side = min(area["width"], area["height"])
    x0, y0 = area["x"] + (area["width"] - side) / 2, area["y"] + (area["height"] - side) / 2
    page.mouse.click(x0 + side * (4.5 / 32), y0 + side * (27.5 / 32))
    wait_idle(page)
    assert_no_exception(page)
    after = (_value(page, "cnn_rf_row"), _value(page, "cnn_rf_col"))
    assert after == (28, 5)  # 1-based row and column of the clicked cell
    assert after != before[:2]
    assert _rect_path(page, "cnn_rf_photo") != before[2]  # the square moved with the unit
    assert page.get_by_text("Theoretical receptive field: 14 × 14 pixels").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(".st-key-cnn_rf").screenshot(path=str(ARTIFACTS / "screenshot-cnn-receptive.png"))


def test_lab_code_panel_shows_numpy_and_torch_code(page):
    """The Lab's Code panel shows a NumPy script (einsum) and, on its tab, a PyTorch one (F.conv2d)."""
    open_app(page, "")
    panel = page.locator(".st-key-cv_code_panel")
    panel.wait_for()
    panel.scroll_into_view_if_needed()
    assert "np.einsum('yxcij,kcij->yxk'" in panel.locator("[data-testid='stCode']").first.inner_text()
    page.get_by_role("tab", name="PyTorch").click()
    torch_code = panel.locator("[data-testid='stCode']").nth(1)
    torch_code.wait_for()
    assert "F.conv2d(x, weights, bias" in torch_code.inner_text()
    assert_no_exception(page)
    page.get_by_role("tab", name="NumPy").click()
    ARTIFACTS.mkdir(exist_ok=True)
    panel.screenshot(path=str(ARTIFACTS / "screenshot-lab-code.png"))
