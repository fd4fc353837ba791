"""Accessibility in a real browser: axe-core (WCAG 2.0/2.1/2.2 A and AA rules) finds no serious or critical
violation on any page, in its default state and after the main interactions; the Lab works by keyboard alone.

axe-core comes with ``axe-playwright-python``. Only violations of impact "serious" or "critical" fail a test
(the issue's bar); every one found is listed in the failure message with its rule, element and summary.
No rule and no element is excluded: every violation found was in the app's reach (theme colours, our CSS,
missing ``alt``). Should Streamlit itself ever draw one the app cannot fix, exclude only that rule on that
element, with the reason, never a whole rule.
"""

from __future__ import annotations

import pytest

from convviz.model.files import DEFAULT_MANIFEST
from tests.e2e.helpers import (
    ARTIFACTS,
    UPLOAD_INPUT,
    assert_no_exception,
    choose_preset,
    open_app,
    photo_jpeg,
    screenshot,
    wait_idle,
    weight_input_class,
)

pytestmark = pytest.mark.e2e

#: The WCAG rule sets axe runs (A and AA of WCAG 2.0, 2.1 and 2.2).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
FAILING_IMPACTS = ("serious", "critical")
PAGES = ("", "examples", "blocks", "networks", "cnn", "quiz")  # ui/nav.py; the Lab is the default page, at /
needs_model = pytest.mark.skipif(not DEFAULT_MANIFEST.exists(),
                                 reason=f"the model weights are absent ({DEFAULT_MANIFEST})")


def serious_violations(page) -> list[str]:
    """Run axe-core on the page as it is; one line per serious or critical violation (rule, element, why)."""
    from axe_playwright_python.sync_playwright import Axe

    wait_idle(page)
    page.wait_for_function("() => [...document.images].every(im => im.complete)")  # decoded, not a sleep
    response = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                        "resultTypes": ["violations"]}).response
    lines = []
    for violation in response["violations"]:
        if violation["impact"] not in FAILING_IMPACTS:
            continue
        for node in violation["nodes"]:
            summary = " ".join((node.get("failureSummary") or "").split())[:200]
            lines.append(f"{violation['id']} ({violation['impact']}): {node['target']} "
                         f"{node['html'][:120]} — {summary}")
    return lines


def assert_accessible(page, where: str) -> None:
    assert_no_exception(page)
    found = serious_violations(page)
    assert not found, f"{len(found)} serious/critical axe violations {where}:\n" + "\n".join(found)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_in_its_default_state(page, path):
    """Each of the six pages, as it opens."""
    if path == "cnn" and not DEFAULT_MANIFEST.exists():
        pytest.skip(f"the model weights are absent ({DEFAULT_MANIFEST})")
    open_app(page, path)
    assert_accessible(page, f"on /{path}")


def test_lab_after_upload_preset_and_pixel(page):
    """The Lab after a photo upload, a preset, a pixel explained and the click-to-pick view switched on."""
    open_app(page)
    page.get_by_test_id("stRadio").get_by_text("Upload", exact=True).click()
    wait_idle(page)
    page.locator(UPLOAD_INPUT).set_input_files(
        {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": photo_jpeg(640, 480, seed=3)})
    wait_idle(page)
    assert page.get_by_role("heading", name="Your image is a volume: 480 × 640 × 3").is_visible()
    assert_accessible(page, "after a photo upload")
    choose_preset(page, "Compass edges (8 directions)")
    page.wait_for_function("t => document.body.innerText.includes(t)",
                           arg="Compass edges (8 directions) — 8 filters")
    wait_idle(page)
    assert_accessible(page, "after choosing a preset")
    row = page.get_by_label("Output row", exact=False)
    row.fill("7")
    row.press("Enter")
    wait_idle(page)
    page.get_by_text("Pick by clicking the image").click()
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot")
    assert page.get_by_text("Output pixel (row 7,").count() == 1
    assert_accessible(page, "after explaining a pixel")


@needs_model
def test_cnn_page_after_the_network_ran_on_other_inputs(page):
    """Inside a CNN: another layer's maps, the softmax arithmetic, a channel switched off."""
    open_app(page, "cnn")
    page.get_by_text("Show the softmax arithmetic").click()
    wait_idle(page)
    page.get_by_role("button", name="G (green)").click()
    wait_idle(page)
    assert page.get_by_text("The original network on the full-colour photo said").count() == 1
    assert_accessible(page, "on /cnn after the ablation and the softmax")


def test_lessons_after_their_interactions(page):
    """Worked examples stepped on, every Building-blocks tab, a quiz answer checked."""
    open_app(page, "examples")
    page.get_by_role("button", name="Next ▶").click()
    wait_idle(page)
    assert_accessible(page, "on /examples after a step")
    open_app(page, "blocks")
    for name in ("ReLU", "Pooling + dense + softmax", "Weight sharing"):
        page.get_by_role("tab", name=name).click()
        wait_idle(page)
        assert_accessible(page, f"on /blocks, tab {name}")
    open_app(page, "quiz")
    page.get_by_role("button", name="Check").first.click()  # an empty answer: the feedback is shown
    wait_idle(page)
    assert_accessible(page, "on /quiz after checking an answer")


# --- keyboard only ----------------------------------------------------------------------------------------

_FOCUS_IN = "sel => { const el = document.activeElement; return !!el && !!el.closest(sel); }"


def tab_to(page, selector: str, *, limit: int = 250, backwards: bool = False) -> int:
    """Press Tab (or Shift+Tab) until the focused element is inside `selector`; returns the presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if page.evaluate(_FOCUS_IN, selector):
            return presses
    raise AssertionError(f"{selector} not reached by {limit} presses of Tab")


def focus_ring(page) -> str:
    """The outline drawn around the focused element or the nearest field around it (``"none"`` if none)."""
    return page.evaluate("""() => {
      for (let el = document.activeElement; el && el !== document.body; el = el.parentElement) {
        const s = getComputedStyle(el);
        if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
          return `${s.outlineWidth} ${s.outlineStyle} ${s.outlineColor}`;
      }
      return 'none'; }""")


def assert_no_single_key_shortcuts(page) -> None:
    """Letters typed outside a field do nothing (WCAG 2.1.4): no rerun starts (Streamlit's own "r" rerun
    shortcut is off with the minimal toolbar)."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    for key in ("r", "c", "R", "n", "p", "Space"):
        page.keyboard.press(key)
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    with pytest.raises(PlaywrightTimeoutError):
        page.wait_for_selector("[data-testid='stApp'][data-test-script-state='running']", timeout=1500)


def test_keyboard_only_worked_example_steps(page):
    """Worked examples: Tab to "Next ▶" and press Enter twice, then Shift+Tab to "◀ Back" and press Space."""
    open_app(page, "examples")
    page.locator("body").press("Tab")
    tab_to(page, ".st-key-teach_next")
    for _ in range(2):
        page.keyboard.press("Enter")
        wait_idle(page)
    page.wait_for_function("() => document.body.innerText.includes('Step 3 of ')")
    assert focus_ring(page).startswith("3px solid")
    tab_to(page, ".st-key-teach_back", backwards=True)
    page.keyboard.press("Space")
    wait_idle(page)
    page.wait_for_function("() => document.body.innerText.includes('Step 2 of ')")
    screenshot(page, "keyboard-focus-examples")


def test_keyboard_only_preset_weight_and_pixel(page):
    """Tab to the preset box and pick one by typing, Tab to a weight and type a new value, Tab to the
    pixel's row and column and type them: the explanation follows. No click, no fill: key presses only."""
    open_app(page)
    assert_no_single_key_shortcuts(page)  # typed with the focus on the page itself
    page.locator("body").press("Tab")  # start the tab sequence at the top of the document
    tab_to(page, ".st-key-cv_preset")
    page.keyboard.type("Box blur")
    page.wait_for_selector("[role='option']:has-text('Box blur')")
    page.keyboard.press("Enter")
    wait_idle(page)
    page.wait_for_function("() => document.body.innerText.includes('Box blur — 1 filter')")

    weight = "." + weight_input_class(page, 0, 0, 1, 1)  # filter 1, red slice, centre tap (its key)
    # Focus comes back to the page after the rerun: walk on from wherever it is to the centre red weight.
    tab_to(page, weight)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "keyboard-focus-weight.png"))
    assert focus_ring(page) == "3px solid rgb(17, 17, 17)"
    tab_to(page, weight, backwards=True)  # Shift+Tab back to it
    page.keyboard.press("Control+A")
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    wait_idle(page)
    # 26 weights of 1/27 and the 5 typed: 5.963
    page.wait_for_function("() => document.body.innerText.includes('Sum of the 27 weights: 5.963')")

    row = ".st-key-cv_px_row"
    tab_to(page, row)
    page.keyboard.press("Control+A")
    page.keyboard.type("4")
    page.keyboard.press("Tab")  # leaving the box commits it, and moves on to the column
    wait_idle(page)
    assert page.evaluate(_FOCUS_IN, ".st-key-cv_px_col") or tab_to(page, ".st-key-cv_px_col")
    page.keyboard.press("Control+A")
    page.keyboard.type("6")
    page.keyboard.press("Enter")
    wait_idle(page)
    page.wait_for_function(
        "() => document.body.innerText.includes('Output pixel (row 4, column 6) of map 1')")
    assert_no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "keyboard-explained.png"), full_page=False)
