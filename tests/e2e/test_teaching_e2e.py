"""Browser test of the worked-example step-through: stepping, playing on a timer, pausing."""

import re

import pytest

from tests.e2e.helpers import assert_no_exception, open_app, screenshot, wait_idle

pytestmark = pytest.mark.e2e

STEP = re.compile(r"Step (\d+) of (\d+)")


def _step(page) -> tuple[int, int]:
    """The step-through's current position and count, read from its heading."""
    text = page.get_by_role("heading", name=STEP).inner_text()
    step, total = STEP.search(text).groups()
    return int(step), int(total)


def test_step_through_steps_plays_and_pauses(page):
    """On the 6x6x3 two-filter example, Next steps once, Play advances on its own, Pause stops it."""
    page.set_viewport_size({"width": 1400, "height": 2600})
    open_app(page, "examples")
    assert_no_exception(page)
    page.get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option", name="6×6×3 volume ⋆ 2 filters of 3×3×3").click()
    wait_idle(page)
    assert _step(page) == (1, 16)

    page.get_by_role("button", name="Next ▶").click()
    wait_idle(page)
    assert _step(page) == (2, 16)

    page.get_by_role("button", name="▶ Play").click()
    wait_idle(page)
    # The fragment's timer advances the window without any click (about one step per 1.2 s).
    page.wait_for_function(
        "() => /Step ([5-9]|1[0-6]) of 16/.test(document.body.innerText)", timeout=20_000
    )
    page.get_by_role("button", name="❚❚ Pause").click()
    wait_idle(page)
    paused_at, _ = _step(page)
    assert paused_at >= 5
    # A negative check needs a bounded wait: two play intervals pass and the window stays put.
    page.wait_for_timeout(2_600)
    wait_idle(page)
    assert _step(page) == (paused_at, 16)
    assert page.get_by_role("button", name="▶ Play").is_visible()

    # The explained value is the one the output map shows in its outlined cell.
    outlined = page.locator("td.cur").first.inner_text()
    equation = page.get_by_text(re.compile("after ReLU")).first.inner_text()
    assert re.search(rf"= {re.escape(outlined)}; after ReLU", equation)
    assert_no_exception(page)
    page.set_viewport_size({"width": 1400, "height": 3300})  # the whole step-through in one picture
    wait_idle(page)
    screenshot(page, "screenshot-teaching")
