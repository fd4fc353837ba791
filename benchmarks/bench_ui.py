"""Browser benchmark of the Volume Lab: how live does editing a filter feel, and how fast is a big upload?

It starts ``streamlit run app.py`` on a free port of 127.0.0.1, drives the system Chromium with Playwright
(see ``tests/e2e/conftest.py``) and measures, in the page (``performance.now()``):

1. **Bare rerun** (the floor): a tiny Streamlit app whose number input changes one line of text; time from
   pressing Enter to the new text being shown. Everything below is this plus the Lab's own work.
2. **Weight edit**: a 1 MP photo (1152 x 864 JPEG, made here) is uploaded, the 8-filter compass-edge bank is
   chosen, then one weight (filter 1, red slice, row 1, column 2) is set to a new value again and again. Each
   edit is timed from pressing Enter until every affected map has re-rendered: the red channel map, the summed
   map, the ReLU map and the filter's slice of the output volume show new pictures that have decoded, and no
   picture of the results is still loading (a new colour scale may redraw more of them).
3. **12 MP upload**: distinct 4000 x 3000 JPEGs (made here) are uploaded; each is timed from handing the
   file to the upload widget until the first full render: the new shape is shown, the script is idle and
   every picture of the page has decoded.

Run from the repository root (results vary with the machine's load; the bare rerun shows how busy it is)::

    python -m benchmarks.bench_ui                  # 25 edits after 3 warm-ups, 3 uploads of 12 MP
    python -m benchmarks.bench_ui --edits 40 --uploads 5
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import tempfile
from pathlib import Path

from tests.e2e.helpers import (
    CHROMIUM_ARGS,
    IDLE,
    UPLOAD_INPUT,
    choose_preset,
    find_chromium,
    photo_jpeg,
    serve,
    wait_idle,
    weight_input_class,
)

ROOT = Path(__file__).resolve().parents[1]
BARE_APP = """import streamlit as st
v = st.number_input("value", value=0.0, key="v")
st.markdown(f"value is {v}")
"""

# In-page timer: t0 when Enter goes down; t1 at the first animation frame where `done()` holds.
_ARM = """([doneSrc, arg]) => {
  const done = new Function('arg', doneSrc);
  window.__bench = {t0: null, t1: null};
  document.addEventListener('keydown', e => {
    if (e.key === 'Enter' && window.__bench.t0 === null) window.__bench.t0 = performance.now();
  }, {capture: true, once: true});
  const poll = () => {
    if (window.__bench.t0 !== null && done(arg)) { window.__bench.t1 = performance.now(); return; }
    requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
}"""
_SRCS = "names => Object.fromEntries(names.map(n => [n, document.querySelector('.' + n + ' img')?.src]))"
# The affected maps have new, decoded pictures, and no picture of the results is still loading.
_EDIT_DONE = """
  const [names, old] = arg;
  const fresh = names.every(n => { const im = document.querySelector('.' + n + ' img');
    return im && im.src !== old[n] && im.complete && im.naturalWidth > 0; });
  const pictures = document.querySelectorAll('.st-key-cv_results img, .cv-map img');
  return fresh && [...pictures].every(im => im.complete);
"""
_UPLOAD_DONE = """
  const [heading, old] = arg;
  const app = document.querySelector("[data-testid='stApp']");
  const h = [...document.querySelectorAll('h3')].some(e => e.textContent.includes(heading));
  const thumb = document.querySelector('.cv_thumb_7 img');
  const imgs = [...document.querySelectorAll("[data-testid='stImage'] img, .cv-map img")];
  return h && app.getAttribute('data-test-script-state') === 'notRunning' && thumb && thumb.src !== old
    && imgs.length > 0 && imgs.every(im => im.complete && im.naturalWidth > 0);
"""
AFFECTED = ["cv_map_ch0", "cv_map_sum", "cv_map_relu", "cv_thumb_0"]
EDIT_VALUES = ["3", "-1", "0.5", "-2.5", "1.5", "4", "-0.5", "2.25"]  # the edited weight, in turn


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(IDLE, timeout=120_000)


def _timed_enter(page, locator, value: str, done_src: str, arg) -> float:
    """Fill `locator` with `value`, press Enter; milliseconds until `done_src` (JS body) holds in the page."""
    page.evaluate(_ARM, [done_src, arg])
    locator.fill(value)
    locator.press("Enter")
    page.wait_for_function("window.__bench.t1 !== null", timeout=120_000)
    ms = page.evaluate("window.__bench.t1 - window.__bench.t0")
    wait_idle(page, 120_000)
    page.wait_for_timeout(200)  # let the page settle: edits are seconds apart in real use
    return ms


def bare_rerun(browser, n: int) -> list[float]:
    """Milliseconds from Enter to a changed line of text in a one-widget app (the floor of any rerun)."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "bare_app.py"
        script.write_text(BARE_APP)
        with serve(script) as url:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            _open(page, url)
            box = page.get_by_test_id("stNumberInput").locator("input")
            times = []
            for i in range(n):
                done = "return document.body.innerText.includes(arg)"
                times.append(_timed_enter(page, box, f"{i + 1}.5", done, f"value is {i + 1}.5"))
            page.close()
    return times


def _choose_upload(page) -> None:
    page.get_by_test_id("stRadio").get_by_text("Upload", exact=True).click()
    wait_idle(page, 120_000)
    page.wait_for_selector(UPLOAD_INPUT, state="attached")


def _choose_compass_bank(page) -> None:
    choose_preset(page, "Compass edges (8 directions)")
    wait_idle(page, 120_000)
    page.wait_for_selector(".cv_thumb_7 img", timeout=120_000)


def edit_page(page, url: str):
    """Open the Lab at `url` with the 1 MP photo and the 8-filter bank; return the edited weight's input."""
    _open(page, url)
    _choose_upload(page)
    page.locator(UPLOAD_INPUT).set_input_files(
        {"name": "photo-1mp.jpg", "mimeType": "image/jpeg", "buffer": photo_jpeg(1152, 864, seed=1)})
    wait_idle(page, 120_000)
    _choose_compass_bank(page)
    key = weight_input_class(page, 0, 0, 0, 1)
    if key is None:
        raise RuntimeError("no weight input found (keys cv_w<rev>_<k>_<c>_<i>_<j>)")
    box = page.locator(f".{key} input")
    box.scroll_into_view_if_needed()
    return box


def timed_edit(page, box, i: int) -> float:
    """Milliseconds of the `i`-th weight edit on a page made by :func:`edit_page`."""
    old = page.evaluate(_SRCS, AFFECTED)
    return _timed_enter(page, box, EDIT_VALUES[i % len(EDIT_VALUES)], _EDIT_DONE, [AFFECTED, old])


def weight_edits(page, url: str, n: int, warmup: int) -> list[float]:
    """Milliseconds per weight edit on a 1 MP photo with 8 filters (see the module docstring)."""
    box = edit_page(page, url)
    times = [timed_edit(page, box, i) for i in range(warmup + n)]
    return times[warmup:]


def big_uploads(page, url: str, n: int) -> list[float]:
    """Milliseconds from handing a 12 MP JPEG to the upload widget until the page has fully rendered it."""
    times = []
    for i in range(n):
        data = photo_jpeg(4000, 3000, seed=100 + i)
        old = page.evaluate("document.querySelector('.cv_thumb_7 img')?.src")
        page.evaluate("([d, a]) => { window.__bench = {t0: performance.now(), t1: null}; "
                      "const done = new Function('arg', d); const poll = () => { if (done(a)) "
                      "{ window.__bench.t1 = performance.now(); return; } requestAnimationFrame(poll); }; "
                      "requestAnimationFrame(poll); }", [_UPLOAD_DONE, ["768 × 1024 × 3", old]])
        page.locator(UPLOAD_INPUT).set_input_files(
            {"name": f"photo-12mp-{i}.jpg", "mimeType": "image/jpeg", "buffer": data})
        page.wait_for_function("window.__bench.t1 !== null", timeout=120_000)
        times.append(page.evaluate("window.__bench.t1 - window.__bench.t0"))
        wait_idle(page, 120_000)
    return times


def _summary(name: str, ms: list[float]) -> str:
    q = statistics.quantiles(ms, n=20, method="inclusive") if len(ms) > 1 else [ms[0]] * 19
    return (f"| {name} | {len(ms)} | {statistics.median(ms):.0f} | {q[18]:.0f} | {min(ms):.0f} | "
            f"{max(ms):.0f} |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=25, help="timed weight edits (after the warm-ups)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed weight edits first")
    parser.add_argument("--uploads", type=int, default=3, help="12 MP uploads")
    parser.add_argument("--bare", type=int, default=15, help="bare-rerun samples")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    chromium = find_chromium()
    if chromium is None:
        sys.exit("no Chromium found: install it or set CONVVIZ_CHROMIUM")
    load_before = os.getloadavg()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=list(CHROMIUM_ARGS))
        bare = bare_rerun(browser, args.bare)
        with serve(ROOT / "app.py") as url:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(120_000)
            edits = weight_edits(page, url, args.edits, args.warmup)
            uploads = big_uploads(page, url, args.uploads)
        browser.close()
    load_after = os.getloadavg()
    import streamlit

    print(f"Volume Lab browser benchmark, {datetime.date.today()}: {platform.machine()}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}, streamlit {streamlit.__version__}, "
          f"Chromium at {chromium}; "
          f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after")
    print()
    print("| measurement (ms) | n | p50 | p95 | min | max |")
    print("|---|---|---|---|---|---|")
    print(_summary("bare Streamlit rerun (one line of text)", bare))
    print(_summary("weight edit, 1 MP photo, 8 filters", edits))
    if uploads:
        print(_summary("12 MP JPEG upload to first full render", uploads))


if __name__ == "__main__":
    main()
