"""Browser test of the CNN page's trust features and "your own classes": the "not sure" flag shows for a
flat-colour photo and not for a clear Imagenette val photo; two classes get names and uploaded photos, train,
and predict the page's photo; the page is screenshotted at 1400 px."""

from __future__ import annotations

import numpy as np
import pytest

from convviz.model.files import DEFAULT_MANIFEST
from tests.e2e.helpers import UPLOAD_INPUT, assert_no_exception, open_app, screenshot, wait_idle
from tests.model.class_photos import GENERATED, generated, have_imagenette, imagenette_paths, jpeg

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not DEFAULT_MANIFEST.exists(),
                       reason=f"the model weights are absent ({DEFAULT_MANIFEST})"),
]
NOT_SURE = "Not sure — this may not be one of my classes."


def _upload_page_photo(page, name: str, data: bytes) -> None:
    page.locator(UPLOAD_INPUT).set_input_files([{"name": name, "mimeType": "image/jpeg", "buffer": data}])
    wait_idle(page, timeout=60_000)


def _class_files() -> dict[str, list[tuple[str, bytes]]]:
    """Five photos for each of two classes: Imagenette val tench and church, or generated sea and forest."""
    if have_imagenette():
        paths = imagenette_paths(5)
        return {name: [(p.name, p.read_bytes()) for p in paths[name]] for name in ("tench", "church")}
    return {kind: [(f"{kind}{j}.jpg", jpeg(generated(kind, j))) for j in range(5)] for kind in GENERATED[1:]}


def test_flag_and_own_classes_flow(page):
    open_app(page, "cnn")
    assert_no_exception(page)
    page.get_by_text("Choose another photo here").click()
    wait_idle(page)
    page.get_by_test_id("stRadioGroup").get_by_text("Upload", exact=True).click()
    wait_idle(page)

    _upload_page_photo(page, "flat.jpg", jpeg(np.full((150, 300, 3), (0.9, 0.3, 0.2), np.float32)))
    assert_no_exception(page)
    page.get_by_text(NOT_SURE).wait_for()
    assert page.get_by_text("2.00 times wider than tall").count() == 1
    page.get_by_text(NOT_SURE).scroll_into_view_if_needed()
    screenshot(page, "screenshot-cnn-not-sure")

    classes = _class_files()
    if have_imagenette():
        clear = imagenette_paths(1)["tench"][0]
        _upload_page_photo(page, clear.name, clear.read_bytes())
    else:
        _upload_page_photo(page, "sea.jpg", jpeg(generated("sea", 900)))
    assert_no_exception(page)
    if have_imagenette():  # a clear val photo: answered right and not flagged
        page.get_by_text("The network says: tench").wait_for()
        assert page.get_by_text(NOT_SURE).count() == 0
        assert page.get_by_text("Sure enough").count() == 1

    page.locator(".st-key-cnn_own_train").scroll_into_view_if_needed()
    for i, (name, files) in enumerate(classes.items()):
        box = page.locator(f".st-key-cnn_own_name_{i} input")
        box.fill(name)
        box.press("Enter")
        wait_idle(page)
        page.locator(f".st-key-cnn_own_files_{i} input[type=file]").set_input_files(
            [{"name": n, "mimeType": "image/jpeg", "buffer": data} for n, data in files])
        wait_idle(page, timeout=60_000)
        page.locator(f".st-key-cnn_own_class_{i}").get_by_text("5 photos").wait_for()
    page.locator(".st-key-cnn_own_train button").click()
    wait_idle(page, timeout=60_000)
    assert_no_exception(page)
    page.get_by_text("Your classes say:").wait_for()
    first = next(iter(classes))
    assert page.get_by_text(f"Your classes say: {first}").count() == 1
    assert page.get_by_text("2 × 64 weights + 2 biases = 130 parameters").count() == 1
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 4")
    assert page.locator(".js-plotly-plot").count() >= 4  # architecture, bars, curve, your bars
    # The app scrolls inside its own container: a viewport as tall as the page shows all of it.
    height = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": 1400, "height": min(int(height) + 100, 16000)})
    wait_idle(page)
    page.wait_for_timeout(1500)  # plotly redraws its charts at the new size
    assert screenshot(page, "screenshot-cnn-own-classes").exists()
