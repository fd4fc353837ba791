"""Small helpers for browser tests: sync on the app's script state, never on sleeps."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
DOCS = Path(__file__).resolve().parents[2] / "docs"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


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
