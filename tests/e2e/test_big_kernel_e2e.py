"""Browser test of the compact editor of wide kernels (issue 17, item 4): "1,5" refused, an exact edit lands.

The bank (15 x 15 x 3, 2-decimal weights) comes in a share link; its page has no weight cells, one text box
per channel. A comma is refused with a sentence and the box gets the values in use back; an edit moves the
link (the bank changed); a settings change answers (its server CPU is measured by
benchmarks/bench_big_kernel.py, not here).
"""

from __future__ import annotations

from urllib.parse import urlencode

import numpy as np
import pytest

from convviz import ConvSettings, FilterBank, encode_state
from tests.e2e.helpers import assert_no_exception, open_app, screenshot, wait_idle

pytestmark = pytest.mark.e2e


def _link() -> str:
    w = np.round(np.random.default_rng(0).normal(0, 0.05, (1, 15, 15, 3)), 2)  # (K, kh, kw, C)
    return "lab?" + urlencode(encode_state(FilterBank(w, [0.0], ("big",), name="big"), ConvSettings()))


def _retype(page, box, text: str) -> None:
    box.click()
    box.press("Control+a")
    box.fill(text)
    page.keyboard.press("Control+Enter")  # a text area submits with Ctrl+Enter (or on leaving it)
    wait_idle(page)


def test_a_wide_kernel_refuses_a_decimal_comma_and_takes_an_exact_edit(page):
    open_app(page, _link())
    assert page.locator("input[aria-label='R row 1 column 1']").count() == 0  # no 675 cells
    box = page.get_by_role("textbox", name="R weights: 15 rows of 15 numbers", exact=True)
    page.wait_for_function("() => document.querySelector(\"textarea[aria-label^='R weights']\")"
                           "?.value.split('\\n').length === 15", timeout=30_000)  # drawn and filled
    original = box.input_value()
    rows = original.splitlines()
    first = rows[0].split()
    _retype(page, box, "\n".join([" ".join(["1,5"] + first[1:])] + rows[1:]))
    refusal = page.locator("[data-testid='stAlert']", has_text="has a comma")
    refusal.first.wait_for(timeout=10_000)
    same = "v => document.querySelector(\"textarea[aria-label^='R weights']\").value === v"
    page.wait_for_function(same, arg=original, timeout=10_000)  # the values in use are back
    url = page.url
    _retype(page, box, "\n".join([" ".join(["1.5"] + first[1:])] + rows[1:]))
    page.wait_for_function("url => location.href !== url", arg=url, timeout=10_000)  # the bank changed
    assert page.locator("[data-testid='stAlert']", has_text="has a comma").count() == 0
    assert box.input_value().split()[0] == "1.5"
    assert_no_exception(page)
    box.scroll_into_view_if_needed()
    screenshot(page, "screenshot-big-kernel")
