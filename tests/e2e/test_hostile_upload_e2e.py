"""Browser test of a hostile upload while another student works (issue 17, done-when).

Student A uploads a crafted file that once held the server (the 40,000-scan progressive JPEG: 38 s of
decoding; the 7.7 kB RLE8 BMP of 30000 x 1666: 6-10 s holding the GIL). Student B, in another browser
context on the same server, edits a weight at the same moment. A gets the refusal sentence and keeps the
page; B's edit lands. The bound on B's edit (10 s) is far above an ordinary edit (~0.15 s) and far below
the stalls the files caused: it catches a stall, not a slow machine.
"""

from __future__ import annotations

import time

import pytest

from tests.e2e.helpers import UPLOAD_INPUT, assert_no_exception, open_app, wait_idle
from tests.image import hostile

pytestmark = pytest.mark.e2e
STALL_S = 10.0


def _context_page(browser, app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.app_url = app_url
    return context, page


@pytest.mark.parametrize(("name", "mime", "make", "phrase"), [
    ("scans.jpg", "image/jpeg", lambda: hostile.many_scan_jpeg(40_000), "more than 100 scans"),
    ("rle.bmp", "image/bmp", hostile.rle8_bmp, "RLE"),
])
def test_a_hostile_upload_is_refused_while_another_student_edits(browser, app_url, name, mime, make, phrase):
    data = make()
    ctx_a, a = _context_page(browser, app_url)
    ctx_b, b = _context_page(browser, app_url)
    try:
        open_app(a, "lab")
        a.get_by_test_id("stRadio").get_by_text("Upload", exact=True).click()
        wait_idle(a)
        a.wait_for_selector(UPLOAD_INPUT, state="attached")
        open_app(b, "lab")
        cell = b.get_by_role("spinbutton", name="R row 1 column 1", exact=True)
        cell.click()
        cell.press("Control+a")
        cell.press_sequentially("0.75")
        url = b.url
        a.locator(UPLOAD_INPUT).set_input_files({"name": name, "mimeType": mime, "buffer": data})
        t0 = time.perf_counter()
        cell.press("Enter")
        b.wait_for_function("url => location.href !== url", arg=url, timeout=STALL_S * 1000)
        wait_idle(b)
        edit_s = time.perf_counter() - t0
        refusal = a.locator("[data-testid='stAlert']", has_text=phrase)
        refusal.first.wait_for(timeout=30_000)
        assert refusal.first.inner_text().rstrip().endswith(".")
        assert edit_s < STALL_S, edit_s
        print(f"{name}: B's edit took {edit_s:.2f} s while A's upload was refused")
        for page in (a, b):
            assert_no_exception(page)
        assert a.get_by_text("Your image is a volume").count() == 1  # A keeps a working page
    finally:
        ctx_a.close()
        ctx_b.close()
