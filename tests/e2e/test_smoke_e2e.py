"""Browser smoke test: the app opens in a real Chromium and shows the sample image."""

import pytest

from tests.e2e.helpers import assert_no_exception, open_app, rendered_images, screenshot

pytestmark = pytest.mark.e2e


def test_default_page_renders_sample_image(page):
    """The Volume Lab opens with the built-in sample and its three channel planes drawn."""
    open_app(page)
    assert_no_exception(page)
    assert page.get_by_role("heading", name="Volume Lab").is_visible()
    page.wait_for_function(
        "document.querySelectorAll(\"[data-testid='stImage'] img\").length >= 4"
    )
    assert rendered_images(page) >= 4
    screenshot(page, "screenshot-lab")
