"""Two replicas behind nginx (deploy/cluster.py): stickiness, a crashed replica, what its students see.

Skipped with the reason when nginx or Chromium is missing, unless ``CONVVIZ_E2E=1`` (``.ci/run``), when it
fails: CI must run it.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.e2e.helpers import (
    CHROMIUM_ARGS,
    IDLE,
    UPLOAD_INPUT,
    find_chromium,
    photo_jpeg,
    screenshot,
    wait_idle,
)
from ui.share import FROM_LINK_NOTE

pytestmark = pytest.mark.e2e
#: nginx's port; the replicas take the next two ports (CONVVIZ_NGINX_PORT moves all three).
PORT = int(os.environ.get("CONVVIZ_NGINX_PORT", "18640"))


def _require(ok: bool, reason: str) -> None:
    if ok:
        return
    if os.environ.get("CONVVIZ_E2E") == "1":
        pytest.fail(f"CONVVIZ_E2E=1 requires the nginx test, but {reason}", pytrace=False)
    pytest.skip(f"nginx test skipped: {reason}")


@pytest.fixture(scope="module")
def two_replicas():
    _require(bool(shutil.which("nginx") or Path("/usr/sbin/nginx").exists()), "nginx is not installed")
    _require(find_chromium() is not None, "no Chromium found")
    from deploy import cluster

    with cluster(2, PORT, debug=True) as c:
        yield c


def _student(browser, c, n: int):
    """A browser context that opened the Lab through nginx, uploaded a photo and edited the bank."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    upstreams: list[str] = []
    page.on("response", lambda r: upstreams.append(r.headers.get("x-convviz-upstream", "")))
    page.goto(c.url)
    page.wait_for_selector(IDLE)
    page.get_by_test_id("stRadio").get_by_text("Upload", exact=True).click()
    wait_idle(page)
    page.locator(UPLOAD_INPUT).set_input_files(
        {"name": f"student-{n}.jpg", "mimeType": "image/jpeg", "buffer": photo_jpeg(640, 480, seed=n)})
    page.get_by_text(f"upload: student-{n}.jpg").wait_for()
    wait_idle(page)
    # A setting of their own, in the link, that works with the default 'same' padding (a stride above 1
    # would not: the Lab then shows why and draws no maps, which is not what this test is about).
    page.locator(".st-key-cv_dilation input").fill(str(2 + n % 2))
    page.locator(".st-key-cv_dilation input").press("Enter")
    page.wait_for_function("location.search.includes('dilation=')")
    wait_idle(page)
    page.wait_for_function(  # their Lab works before the crash: its pictures came through nginx
        """() => [...document.querySelectorAll('.cv-map img')].length >= 7 && [...document.querySelectorAll(
             '.cv-map img')].every(im => im.complete && im.naturalWidth > 0 && im.src.includes('/media/'))""")
    return context, page, upstreams


def test_sessions_stick_and_survive_a_crashed_replica(two_replicas):
    from playwright.sync_api import sync_playwright

    c = two_replicas
    assert urllib.request.urlopen(f"{c.url}/_stcore/health").status == 200
    with pytest.raises(urllib.error.HTTPError, match="404"):
        urllib.request.urlopen(f"{c.url}/_stcore/metrics")
    script = re.search(r"static/js/[\w.-]+\.js", urllib.request.urlopen(c.url).read().decode()).group()
    zipped = urllib.request.urlopen(urllib.request.Request(f"{c.url}/{script}",
                                                           headers={"Accept-Encoding": "gzip"}))
    assert zipped.headers["Content-Encoding"] == "gzip"  # Streamlit sends its scripts uncompressed
    sent = zipped.read()
    assert len(gzip.decompress(sent)) > 2.5 * len(sent)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), args=list(CHROMIUM_ARGS))
        students = [_student(browser, c, n) for n in range(4)]
        by_replica: dict[str, list] = {}
        for context, page, upstreams in students:
            served = {u for u in upstreams if u}
            assert len(served) == 1, f"one session was served by {served}"  # sticky: one replica
            by_replica.setdefault(served.pop(), []).append((context, page))
        if len(by_replica) < 2:  # 4 random cookies on 2 replicas: all on one has probability 1/8
            extra = [_student(browser, c, n) for n in range(4, 10)]
            for context, page, upstreams in extra:
                by_replica.setdefault(next(u for u in upstreams if u), []).append((context, page))
        assert len(by_replica) == 2, "the students were not spread over both replicas"

        victim, survivor = sorted(by_replica)
        links = {id(page): page.url for _, page in by_replica[victim]}  # what their address bars hold
        c.kill(victim)
        for _, page in by_replica[survivor]:  # the other replica's students carry on
            page.locator(".st-key-cv_dilation input").fill("1")
            page.locator(".st-key-cv_dilation input").press("Enter")
            page.wait_for_function("!location.search.includes('dilation=')")
            wait_idle(page)
            assert "upload: student-" in page.inner_text("body")
        for _, page in by_replica[victim]:  # the crashed replica's students: reload, filters come back
            link = links[id(page)]
            dilation = parse_qs(urlparse(link).query)["dilation"][0]
            page.goto(link)  # reloading the address bar's link
            page.wait_for_selector(IDLE)
            page.get_by_text(FROM_LINK_NOTE).wait_for()
            page.wait_for_function("v => document.querySelector('.st-key-cv_dilation input')?.value === v",
                                   arg=dilation)
            wait_idle(page)
            assert page.locator("[data-testid='stException']").count() == 0
            screenshot(page, "nginx_restored_student")
            page.locator(".cv_thumb_1 img").wait_for(state="attached")  # a working Lab, on the sample
        browser.close()
