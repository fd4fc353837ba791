"""Browser test of a decimal comma in a number cell (issue 17, item 4): "1,5" is 1.5, never 15.

Chromium, in an English locale, takes the comma in ``<input type="number">`` for a thousands separator and
sends 15; the page's number-entry script (:mod:`ui.number_entry`) turns the typed comma into a point, says so
under the cell, and refuses a pasted "1,000.5". The bank in the link is what the maps use.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from convviz.share import decode_state
from tests.e2e.helpers import assert_no_exception, open_app, wait_idle
from ui.number_entry import PASTE_REFUSED, READ_AS_POINT

pytestmark = pytest.mark.e2e
CELL = "R row 1 column 1"


def _bank_in_link(page):
    params = {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}
    bank, _ = decode_state(params)
    return bank


def _retype(page, box, text: str) -> None:
    box.click()
    box.press("Control+a")
    box.press("Delete")
    box.press_sequentially(text)


@pytest.mark.parametrize(("typed", "value"), [("1,5", 1.5), ("-0,25", -0.25)])
def test_a_typed_decimal_comma_is_a_decimal_point(page, typed, value):
    open_app(page, "lab")
    box = page.get_by_role("spinbutton", name=CELL, exact=True)
    url = page.url
    _retype(page, box, typed)
    assert box.input_value() == typed.replace(",", ".")
    note = page.locator("#cv-number-note")
    assert note.is_visible() and note.inner_text() == READ_AS_POINT
    assert note.get_attribute("role") == "status"
    box.press("Enter")
    wait_idle(page)
    page.wait_for_function("url => location.href !== url", arg=url, timeout=10_000)
    assert _bank_in_link(page).weights[0, 0, 0, 0] == pytest.approx(value)  # (K, kh, kw, C): not 15
    assert not note.is_visible()  # Enter's rerun or leaving the cell puts the note away
    assert_no_exception(page)


def test_a_pasted_number_with_a_comma(page):
    open_app(page, "lab")
    box = page.get_by_role("spinbutton", name=CELL, exact=True)
    in_use = box.input_value()
    paste = ("text => { const d = new DataTransfer(); d.setData('text/plain', text); "
             "document.activeElement.dispatchEvent("
             "new ClipboardEvent('paste', {clipboardData: d, bubbles: true, cancelable: true})); }")
    box.click()
    box.press("Control+a")
    page.evaluate(paste, "1,000.5")  # two separators: no reading is safe
    assert box.input_value() == in_use
    assert page.locator("#cv-number-note").inner_text() == PASTE_REFUSED
    page.evaluate(paste, " 2,5 ")
    assert box.input_value() == "2.5"
    assert page.locator("#cv-number-note").inner_text() == READ_AS_POINT
    box.press("Enter")
    wait_idle(page)
    page.wait_for_function("() => location.search.includes('bank')", timeout=10_000)
    assert _bank_in_link(page).weights[0, 0, 0, 0] == pytest.approx(2.5)
