"""Browser test of "Inside a CNN": the page renders its pictures and charts, a click on a map enlarges it,
switching off a colour channel reruns the network, and the screenshot is saved for a look."""

from __future__ import annotations

import re

import pytest

from convviz.model.files import DEFAULT_MANIFEST
from tests.e2e.helpers import assert_no_exception, open_app, rendered_images, screenshot, wait_idle

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not DEFAULT_MANIFEST.exists(),
                       reason=f"the model weights are absent ({DEFAULT_MANIFEST})"),
]


def _enlarged_caption(page) -> str:
    captions = page.get_by_test_id("stCaptionContainer").all_inner_texts()
    return next(c for c in captions if re.match(r"conv1 map \d+: ", c))


def test_cnn_page_renders_and_a_click_enlarges_a_map(page):
    """The page draws its images and charts; clicking map 10 on conv1's sheet enlarges map 10."""
    open_app(page, "cnn")
    assert_no_exception(page)
    assert page.get_by_role("heading", name="Inside a CNN").count() == 1
    # The swatch of your filter, the photo, the 64x64 input, the two CAM pictures, the colour bar, the
    # enlarged map and the 16 conv1 swatches: 23 pictures, decoded by the browser.
    page.wait_for_function("""() => [...document.querySelectorAll("[data-testid='stImage'] img")]
                                    .filter(e => e.complete && e.naturalWidth > 0).length >= 23""")
    assert rendered_images(page) >= 23
    # Plotly draws its charts after the images decode: wait for them as for the images.
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 3")
    assert page.locator(".js-plotly-plot").count() >= 3  # architecture, probabilities, the sheet
    assert _enlarged_caption(page).startswith("conv1 map 1:")
    screenshot(page, "screenshot-cnn")  # the top: what the network is, its architecture, the experiments

    sheet = page.locator(".st-key-cnn_sheet_conv1 .js-plotly-plot")
    sheet.wait_for()
    sheet.scroll_into_view_if_needed()
    box = sheet.bounding_box()
    # conv1 has 16 maps: 8 per row, 2 rows. Map 10 is the second of the second row.
    page.mouse.click(box["x"] + box["width"] * 1.5 / 8, box["y"] + box["height"] * 0.75)
    wait_idle(page)
    assert_no_exception(page)
    assert _enlarged_caption(page).startswith("conv1 map 10:")
    screenshot(page, "screenshot-cnn-maps")


def test_switching_off_red_and_green_reruns_the_network(page):
    """Turning R and G off shows the original prediction beside the new one."""
    open_app(page, "cnn")
    for name in ("R (red)", "G (green)"):
        page.get_by_role("button", name=name).click()
        wait_idle(page)
    assert_no_exception(page)
    assert page.get_by_text("The original network on the full-colour photo said").count() == 1
