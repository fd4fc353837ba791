"""Browser tests of the classroom: projector sizes with no cut text, page paths, lesson links, the QR code,
presenter mode and keyboard steps."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from convviz import ConvSettings, decode_state, encode_state, load_preset
from tests.e2e.helpers import assert_no_exception, open_app, screenshot, wait_idle
from tests.ui.test_lesson_link import decode_qr
from ui.nav import PAGES

pytestmark = pytest.mark.e2e

# Every element that cuts its text (overflow hidden/clip, or an ellipsis) while the text is wider than
# the element's box: what a projector shows as "R" for "ReLU" or "61,10…". Text for screen readers only
# (Streamlit's "Skip to main content" link: a 1 x 1 px box on purpose) is not on screen, so not cut.
CUT_TEXT = """() => {
  const cut = [];
  for (const el of document.querySelectorAll("[data-testid='stApp'] *")) {
    const cs = getComputedStyle(el);
    if (!['hidden', 'clip'].includes(cs.overflowX) && cs.textOverflow !== 'ellipsis') continue;
    const text = (el.innerText || '').trim();
    if (!text || el.getClientRects().length === 0) continue;
    if (el.clientWidth <= 1 && el.clientHeight <= 1) continue;
    if (el.scrollWidth > el.clientWidth + 1) {
      cut.push(`${text.slice(0, 40)} (${el.scrollWidth} > ${el.clientWidth})`);
    }
  }
  return cut;
}"""


@pytest.fixture()
def projector(browser, app_url):
    """A page factory at a projector's size: ``projector(width, height)``."""
    contexts = []

    def make(width: int = 1024, height: int = 768):
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        pg = context.new_page()
        pg.set_default_timeout(30_000)
        pg.app_url = app_url
        return pg

    yield make
    for context in contexts:
        context.close()


def _settle(pg) -> None:
    """Let late layout (plotly charts, images) finish before measuring."""
    pg.wait_for_timeout(1_500)
    wait_idle(pg)


@pytest.mark.parametrize(("width", "height", "query"), [(1024, 768, ""), (1280, 720, ""),
                                                         (1024, 768, "?present=1")])
def test_no_text_is_cut_on_any_page_at_projector_sizes(projector, width, height, query):
    """All six pages at 1024x768 and 1280x720 (and in presenter mode): no element cuts its text."""
    pg = projector(width, height)
    for info in PAGES:
        open_app(pg, info.url_path + query)
        _settle(pg)
        assert_no_exception(pg)
        assert pg.get_by_text("Page not found").count() == 0
        assert pg.evaluate(CUT_TEXT) == [], info.url_path
        if width == 1024:
            screenshot(pg, f"projector-{info.url_path}{'-presenter' if query else ''}")


def test_every_page_path_opens_its_page_with_or_without_a_query(projector):
    """/lab (the address on the board) is the Lab; / forwards to /lab keeping the query; the others too."""
    from playwright.sync_api import expect

    pg = projector()
    open_app(pg, "lab?stride=2&padding=valid")
    assert pg.get_by_text("Page not found").count() == 0
    assert pg.get_by_role("heading", name="Volume Lab").count() == 1
    stride = pg.get_by_role("spinbutton", name="Stride", exact=True)
    expect(stride).to_have_value("2")
    open_app(pg, "?stride=3&padding=valid")
    pg.wait_for_url("**/lab?*")
    expect(stride).to_have_value("3")
    for info, heading in zip(PAGES[1:], ("Worked examples", "Building blocks", "Architecture explorer",
                                         "Inside a CNN", "Quiz"), strict=True):
        open_app(pg, f"{info.url_path}?present=0")
        assert pg.get_by_text("Page not found").count() == 0
        assert pg.get_by_role("heading", name=heading).count() == 1


def test_a_lesson_link_restores_the_state_and_hides_the_controls(projector):
    """A lesson link: the sample, filter 2 of its bank, its settings; designer, settings and menu hidden."""
    pg = projector()
    bank = load_preset("vertical-horizontal-edges")
    query = {**encode_state(bank, ConvSettings(stride=1, relu=False)), "sample": "scene", "filter": "2",
             "hide": "nav,settings,designer"}
    open_app(pg, "lab?" + urlencode(query))
    _settle(pg)
    assert_no_exception(pg)
    assert pg.get_by_text("could not be", exact=False).count() == 0
    assert pg.get_by_text("Filter 2 “horizontal edges”").first.is_visible()
    assert pg.get_by_text("sample: Landscape").first.is_visible()
    assert pg.locator(".cv_map_relu").count() == 0  # the link's ReLU is off
    assert pg.get_by_text("ReLU is off").first.is_visible()
    assert pg.locator(".st-key-cv_preset").count() == 0  # the designer is hidden
    assert pg.get_by_role("spinbutton", name="Stride", exact=True).count() == 0  # the settings too
    assert pg.get_by_role("link", name="Worked examples").count() == 0  # and the page menu
    screenshot(pg, "projector-lesson-link")


def test_the_share_dialog_link_and_its_qr_code_are_the_same_lesson(projector):
    """Share this lesson: the copyable link and the QR code's payload agree, and the link restores it."""
    from playwright.sync_api import expect

    pg = projector()
    open_app(pg, "lab?" + urlencode({**encode_state(load_preset("sobel-vertical"), ConvSettings(stride=2,
                                                                                              padding="valid")),
                                     "sample": "checkerboard"}))
    pg.get_by_role("button", name="Share this lesson").click()
    dialog = pg.get_by_role("dialog")
    dialog.wait_for()
    dialog.locator("[data-testid='stMultiSelect']").click()
    pg.get_by_role("option", name="the filter designer").click()
    wait_idle(pg)
    if pg.get_by_role("listbox").count():  # close the options list, not the dialog
        pg.get_by_role("dialog").get_by_text("Hide from the class").click()
    link = dialog.locator("[data-testid='stCode'] code").inner_text().strip()
    image = dialog.locator("[data-testid='stImage'] img")
    src = image.get_attribute("src")
    payload = decode_qr(pg.request.get(src if src.startswith("http") else pg.app_url + src).body())
    screenshot(pg, "projector-share-dialog")
    assert payload == link
    parts = urlsplit(link)
    assert parts.path == "/lab"
    params = dict(parse_qsl(parts.query))
    assert params["sample"] == "checkerboard" and params["hide"] == "designer" and params["filter"] == "1"
    bank, settings = decode_state(params)
    assert bank.names == load_preset("sobel-vertical").names and settings.stride == 2
    student = projector()
    student.goto(link)
    wait_idle(student, 60_000)
    assert student.locator(".st-key-cv_preset").count() == 0
    expect(student.get_by_role("spinbutton", name="Stride", exact=True)).to_have_value("2")


def test_presenter_mode_and_keyboard_steps(projector):
    """The switch turns on large type and keeps present=1 in the address; Alt+Shift+Right steps forward."""
    pg = projector()
    open_app(pg, "examples")
    size = pg.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
    pg.locator(".st-key-cv_present label").click()
    wait_idle(pg)
    pg.wait_for_url("**present=1*")
    assert pg.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)") > size
    heading = pg.get_by_role("heading", name="Step 1 of", exact=False)
    heading.wait_for()
    pg.locator("[data-testid='stMain']").click(position={"x": 5, "y": 300})
    pg.keyboard.press("Alt+Shift+ArrowRight")
    pg.get_by_role("heading", name="Step 2 of", exact=False).wait_for()
    pg.keyboard.press("Alt+Shift+ArrowLeft")
    pg.get_by_role("heading", name="Step 1 of", exact=False).wait_for()
    screenshot(pg, "projector-presenter-examples")
