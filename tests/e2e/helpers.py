"""Small helpers for browser tests: sync on the app's script state, never on sleeps.

Also the start-up shared by the browser fixtures (conftest.py) and the browser benchmark
(benchmarks/bench_ui.py): finding Chromium, its launch flags, and serving a script with `streamlit run`.
Importing this module needs neither pytest nor Playwright.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
DOCS = ROOT / "docs"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
#: Chromium flags for headless runs in containers and CI.
CHROMIUM_ARGS = ("--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync")


def find_chromium() -> str | None:
    """`CONVVIZ_CHROMIUM`, else /usr/bin/chromium, else `chromium` on PATH."""
    named = os.environ.get("CONVVIZ_CHROMIUM")
    if named:
        return named if Path(named).exists() else None
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (free when asked; the server binds it a moment later)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def serve(script: str | Path, log: IO | None = None, timeout: float = 60) -> Iterator[str]:
    """Run ``streamlit run <script>`` (from the repository root) on a free port of 127.0.0.1; yield its URL.

    The server's output goes to `log` (an open file; default: discarded). Raises RuntimeError when the
    server exits or is not healthy within `timeout` seconds. The server is stopped on exit.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
           "--browser.gatherUsageStats", "false"]
    out = log if log is not None else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT if log is not None else out)
    try:
        deadline = time.monotonic() + timeout
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start: {' '.join(cmd)}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_idle(page, timeout: float = 30_000) -> None:
    """Wait until the Streamlit script has finished its current run."""
    try:  # a rerun may take a moment to start after an interaction
        page.wait_for_selector("[data-testid='stApp'][data-test-script-state='running']", timeout=500)
    except Exception:  # noqa: BLE001 - the run may already be over, or none was triggered
        pass
    page.wait_for_selector(IDLE, timeout=timeout)


def open_app(page, path: str = "") -> None:
    """Open the app (optionally a page path or query string) and wait for the first run to finish."""
    page.goto(f"{page.app_url}/{path.lstrip('/')}")
    page.wait_for_selector(IDLE, timeout=60_000)
    page.wait_for_selector("[data-testid='stMain']", timeout=30_000)


def choose_preset(page, title: str) -> None:
    """Pick a preset in the designer's "Start from" box (reopened if a rerun closed it before it showed)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError  # only where browsers run

    option = page.locator("[role='option']", has_text=title)
    for _ in range(5):
        wait_idle(page)
        page.locator(".st-key-cv_preset input").click()
        try:
            option.wait_for(timeout=3_000)
            break
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
    option.click()


def assert_no_exception(page) -> None:
    """No Streamlit exception box is shown, and no traceback text anywhere."""
    assert page.locator("[data-testid='stException']").count() == 0
    assert "Traceback (most recent call last)" not in page.content()


def rendered_images(page, selector: str = "[data-testid='stImage'] img") -> int:
    """Count images under `selector` that have actually decoded (naturalWidth > 0)."""
    js = "els => els.filter(e => e.complete && e.naturalWidth > 0).length"
    return page.eval_on_selector_all(selector, js)


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot to the artifacts folder; with CONVVIZ_UPDATE_DOCS=1 also to docs/."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("CONVVIZ_UPDATE_DOCS") == "1":
        shutil.copy(path, DOCS / f"{name}.png")
    return path
