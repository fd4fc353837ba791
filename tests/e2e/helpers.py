"""Small helpers for browser tests: sync on the app's script state, never on sleeps.

Also the start-up shared by the browser fixtures (conftest.py) and the browser benchmark
(benchmarks/bench_ui.py): finding Chromium, its launch flags, and serving a script with `streamlit run`.
Importing this module needs neither pytest nor Playwright.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import urlparse

import numpy as np
from PIL import Image

from deploy.cluster import stop, wait_healthy

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


@contextlib.contextmanager
def serve_process(script: str | Path, log: IO | None = None, timeout: float = 60, *,
                  env: dict[str, str] | None = None, port: int | None = None,
                  args: tuple[str, ...] = ()) -> Iterator[tuple[str, subprocess.Popen]]:
    """Like :func:`serve`, and yield ``(url, process)``: benchmarks read the server's CPU and memory.

    `env` adds variables to the server's environment; `port` picks the port (default: a free one);
    `args` are extra ``streamlit run`` options.
    """
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
           "--browser.gatherUsageStats", "false", *args]
    out = log if log is not None else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT if log is not None else out,
                            env={**os.environ, **(env or {})})
    try:
        wait_healthy(url, proc, time.monotonic() + timeout, f"streamlit did not start: {' '.join(cmd)}")
        yield url, proc
    finally:
        stop(proc)


@contextlib.contextmanager
def serve(script: str | Path, log: IO | None = None, timeout: float = 60) -> Iterator[str]:
    """Run ``streamlit run <script>`` (from the repository root) on a free port of 127.0.0.1; yield its URL.

    The server's output goes to `log` (an open file; default: discarded). Raises RuntimeError when the
    server exits or is not healthy within `timeout` seconds. The server is stopped on exit.
    """
    with serve_process(script, log, timeout) as (url, _proc):
        yield url


def rss_mb(pid: int) -> float:
    """Resident memory of process `pid` in MB (``VmRSS`` of ``/proc/<pid>/status``; Linux only)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by process `pid` (``/proc/<pid>/stat``; Linux only)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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


UPLOAD_INPUT = ".st-key-cv_upload input[type=file]"
_WEIGHT_CLASS = """([k, c, i, j]) => {
  const re = new RegExp('^st-key-cv_w\\\\d+_' + [k, c, i, j].join('_') + '$');
  for (const el of document.querySelectorAll("[class*='st-key-cv_w']"))
    for (const cls of el.classList) if (re.test(cls)) return cls;
  return null;
}"""


def photo_jpeg(width: int, height: int, seed: int = 0, quality: int = 90) -> bytes:
    """A photo-like JPEG made here: smooth colour gradients, a few discs, sensor-like noise."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    img = np.stack([xx / width, yy / height, 0.5 + 0.3 * np.sin(xx / 37.0) * np.cos(yy / 53.0)], axis=-1)
    for _ in range(6):
        cy, cx, r = rng.uniform(0, height), rng.uniform(0, width), rng.uniform(0.05, 0.2) * min(width, height)
        img[(yy - cy) ** 2 + (xx - cx) ** 2 < r * r] = rng.uniform(0, 1, 3)
    img += rng.normal(0, 0.02, img.shape).astype(np.float32)
    buf = io.BytesIO()
    Image.fromarray((np.clip(img, 0, 1) * 255).astype(np.uint8)).save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def weight_input_class(page, k: int, c: int, i: int, j: int) -> str | None:
    """The class of the container of weight ``[k, i, j, c]``'s input (its key holds the bank revision)."""
    return page.evaluate(_WEIGHT_CLASS, [k, c, i, j])


@dataclass
class Wire:
    """A counting proxy's address and the bytes the server has sent through it (all connections)."""

    url: str = ""
    down: int = 0  # bytes from the server to the browser, as on the network: headers, framing, compression


@contextlib.contextmanager
def counting_proxy(url: str) -> Iterator[Wire]:
    """A TCP proxy on 127.0.0.1 in front of the server at `url` that counts the bytes sent to the browser.

    Playwright reports websocket frames decompressed; what a classroom's Wi-Fi carries is what passes
    here. Open the page at ``wire.url`` (same host, another port: the app sees it as its own origin).
    """
    target = urlparse(url)
    wire, loop = Wire(), asyncio.new_event_loop()

    async def pipe(reader, writer, count: bool) -> None:
        try:
            while data := await reader.read(1 << 16):
                if count:
                    wire.down += len(data)
                writer.write(data)
                await writer.drain()
            if writer.can_write_eof():  # one side finished: pass the half-close on, keep the other way open
                writer.write_eof()
        except (ConnectionError, OSError, asyncio.CancelledError):
            writer.close()

    async def handle(from_browser, to_browser) -> None:
        try:
            from_server, to_server = await asyncio.open_connection(target.hostname, target.port)
        except OSError:
            to_browser.close()
            return
        with contextlib.suppress(asyncio.CancelledError):  # cancelled: the proxy is closing
            await asyncio.gather(pipe(from_browser, to_server, False), pipe(from_server, to_browser, True))
        to_server.close()
        to_browser.close()

    # The loop runs on its own thread (Playwright's sync API keeps one running on the caller's).
    thread = threading.Thread(target=loop.run_forever, name="counting-proxy", daemon=True)
    thread.start()
    try:
        starting = asyncio.run_coroutine_threadsafe(asyncio.start_server(handle, "127.0.0.1", 0), loop)
        server = starting.result(10)
    except BaseException:
        loop.call_soon_threadsafe(loop.stop)
        raise
    wire.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}{target.path.rstrip('/')}"
    try:
        yield wire
    finally:
        async def close() -> None:
            server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:  # open connections' pipes
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        if not thread.is_alive():
            loop.close()
