"""A class's memory comes back: students upload photos, leave, and the server's RSS returns near warm.

Its own ``streamlit run app.py`` (not the shared session server: RSS must be this test's alone), with
``MALLOC_ARENA_MAX=2`` as deploy/cluster.py runs replicas. Linux only (``/proc/<pid>/status``).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.e2e.helpers import ARTIFACTS, IDLE, UPLOAD_INPUT, photo_jpeg, rss_mb, serve_process, wait_idle

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc for RSS")]

STUDENTS = 4
BACK_WITHIN_MB = 60  # RSS after the class may exceed warm by this much (allocator slack, Streamlit caches)
WAIT_S = 75  # housekeeping closes a gone session after 30 s and collects on its next 5 s tick


def _open_lab(browser, url: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(url)
    page.wait_for_selector(IDLE)
    page.wait_for_selector(".cv_thumb_1 img", state="attached")
    return context, page


def _upload(page, n: int) -> None:
    """Upload student `n`'s own 1152 x 864 JPEG (1 MP) and wait for its maps."""
    page.get_by_test_id("stRadio").get_by_text("Upload", exact=True).click()
    wait_idle(page)
    page.locator(UPLOAD_INPUT).set_input_files(
        {"name": f"student-{n}.jpg", "mimeType": "image/jpeg", "buffer": photo_jpeg(1152, 864, seed=500 + n)})
    page.get_by_text(f"upload: student-{n}.jpg").wait_for()
    wait_idle(page)
    page.wait_for_selector(".cv_thumb_1 img", state="attached")


def test_rss_comes_back_after_a_class_leaves(browser):
    """The suite's one Chromium (a second Playwright cannot start in this process) drives this own server."""
    ARTIFACTS.mkdir(exist_ok=True)
    with open(ARTIFACTS / "memory_server.log", "w") as log, \
            serve_process("app.py", log, env={"MALLOC_ARENA_MAX": "2"}) as (url, proc):
        context, _ = _open_lab(browser, url)  # warm: imports, the sample, the default bank
        context.close()
        time.sleep(10)
        warm = rss_mb(proc.pid)
        students = []
        for n in range(STUDENTS):
            context, page = _open_lab(browser, url)
            _upload(page, n)
            students.append(context)
        in_class = rss_mb(proc.pid)
        for context in students:
            context.close()
        trace = []
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            time.sleep(5)
            trace.append(round(rss_mb(proc.pid)))
            if trace[-1] <= warm + BACK_WITHIN_MB and len(trace) >= 8:  # past the 30 s close, and back
                break
        after = rss_mb(proc.pid)
    print(f"RSS MB: warm {warm:.0f}, class of {STUDENTS} {in_class:.0f}, after {after:.0f}; trace {trace}")
    assert in_class > warm + STUDENTS * 5, f"no memory used? warm {warm:.0f}, class {in_class:.0f}"
    assert after <= warm + BACK_WITHIN_MB, (
        f"RSS did not come back: warm {warm:.0f} MB, class {in_class:.0f} MB, after {after:.0f} MB; "
        f"every 5 s after the class: {trace}")
