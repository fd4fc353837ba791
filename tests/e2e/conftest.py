"""Real-browser fixtures: `streamlit run app.py` on 127.0.0.1 and the system Chromium via Playwright.

Where no Chromium is found the browser tests skip with the reason, unless ``CONVVIZ_E2E=1`` (set by
``.ci/run``), when they fail: CI must run them.
"""

from __future__ import annotations

import contextlib
import os

import pytest

from tests.e2e.helpers import ARTIFACTS, CHROMIUM_ARGS, find_chromium, serve

REQUIRED = os.environ.get("CONVVIZ_E2E") == "1"


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"CONVVIZ_E2E=1 requires the browser tests, but {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason} (install Chromium or set CONVVIZ_CHROMIUM)")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        _unavailable("no Chromium found (CONVVIZ_CHROMIUM, /usr/bin/chromium, `chromium` on PATH)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the `playwright` package is not installed (pip install -r requirements-dev.txt)")
    return path


@pytest.fixture(scope="session")
def app_url(chromium_path) -> str:
    """Start the app with `streamlit run` on a free port of 127.0.0.1; yield its URL; stop it."""
    ARTIFACTS.mkdir(exist_ok=True)
    with open(ARTIFACTS / "streamlit.log", "w") as log, contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(serve("app.py", log=log))
        except RuntimeError:
            pytest.fail(f"streamlit did not start; see {ARTIFACTS / 'streamlit.log'}", pytrace=False)
        yield url


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=list(CHROMIUM_ARGS))
        yield b
        b.close()


@pytest.fixture()
def page(browser, app_url):
    """A fresh browser page (1400x1000) with the app's base URL in `page.app_url`."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    pg.app_url = app_url
    yield pg
    context.close()
