"""Browser test of a weight cell the bank cannot hold (issue 17, item 3): the cell shows the value in use.

Before, the cells had bounds, so Chromium kept "1e30" in the cell and sent nothing: the maps used a number
the student could not see. Now the value goes to the server, is refused with the allowed range, and the cell
gets the value in use back; the next edit clears the sentence.
"""

from __future__ import annotations

import pytest

from tests.e2e.helpers import assert_no_exception, open_app, wait_idle

pytestmark = pytest.mark.e2e


def _type(page, box, text: str) -> None:
    box.click()
    box.press("Control+a")
    box.press("Delete")
    if text:
        box.press_sequentially(text)
    box.press("Enter")
    wait_idle(page)


@pytest.mark.parametrize("typed", ["1e30", "-1e30", "1e308", "1000.5", "-1001", "", "1e309"])
def test_a_cell_shows_the_value_the_maps_use(page, typed):
    open_app(page, "lab")
    box = page.get_by_role("spinbutton", name="R row 1 column 1", exact=True)
    in_use = box.input_value()
    url = page.url
    _type(page, box, typed)
    page.wait_for_function("([sel, v]) => document.querySelector(sel).value === v",
                           arg=["input[aria-label='R row 1 column 1']", in_use], timeout=10_000)
    assert page.url == url  # the link (and the bank) did not change
    refusal = page.locator("[data-testid='stAlert']", has_text="was not used")
    if typed in ("", "1e309"):  # Chromium itself puts the value back and sends nothing
        assert refusal.count() == 0
    else:
        refusal.first.wait_for(timeout=10_000)
        assert "from −1000 to 1000" in refusal.first.inner_text()
        assert typed.replace("-", "−") in refusal.first.inner_text()
    assert_no_exception(page)
    _type(page, box, "0.5")
    page.wait_for_function("url => location.href !== url", arg=url, timeout=10_000)
    assert page.locator("[data-testid='stAlert']", has_text="was not used").count() == 0
