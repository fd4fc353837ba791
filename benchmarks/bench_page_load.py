"""Page load in a browser: the Lab with a 15 x 15 x 3 bank against the default Lab (issue 17, item 4).

It starts ``streamlit run app.py`` on a free port of 127.0.0.1 and, in the system Chromium, opens a fresh
tab (a new browser context: no cache, a new session) again and again, alternating two links:

- **default**: ``/lab`` (the test card, the default 3 x 3 x 3 bank, its 27-cell weight grids);
- **15 x 15 x 3**: ``/lab?…`` with a share link carrying one 15 x 15 x 3 filter (2-decimal weights), which
  the Lab edits with one text box per channel (:mod:`ui.lab.designer.rows`).

Each load is timed from ``page.goto`` until the page is usable: the first script run has finished, the weight
editor is on the page (the default's first cell, or the big bank's red text box holding its 15 rows) and
every picture of the results has decoded. Medians over the rounds and the ratio big / default are printed
with the load average, since the machine is shared (compare within one run).

Run from the repository root::

    python -m benchmarks.bench_page_load             # 7 rounds after one warm-up
    python -m benchmarks.bench_page_load --rounds 11
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path
from urllib.parse import urlencode

import numpy as np

from convviz import ConvSettings, FilterBank, encode_state
from tests.e2e.helpers import CHROMIUM_ARGS, IDLE, find_chromium, serve

ROOT = Path(__file__).resolve().parents[1]

_DEFAULT_READY = "() => document.querySelector(\"input[aria-label='R row 1 column 1']\") !== null"
_BIG_READY = ("() => document.querySelector(\"textarea[aria-label^='R weights']\")"
              "?.value.split('\\n').length === 15")
_PICTURES_DONE = ("() => [...document.querySelectorAll(\"[data-testid='stImage'] img\")]"
                  ".every(i => i.complete && i.naturalWidth > 0)")


def big_link() -> str:
    """``lab?…`` carrying one 15 x 15 x 3 filter (2-decimal weights)."""
    w = np.round(np.random.default_rng(0).normal(0, 0.05, (1, 15, 15, 3)), 2)  # (K, kh, kw, C)
    return "lab?" + urlencode(encode_state(FilterBank(w, [0.0], ("big",), name="big"), ConvSettings()))


def load_ms(browser, url: str, ready: str) -> float:
    """Wall ms from ``goto`` to a usable page (see the module docstring), in a fresh context."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        t0 = time.perf_counter()
        page.goto(url)
        page.wait_for_selector(IDLE, timeout=120_000)
        page.wait_for_function(ready, timeout=120_000)
        page.wait_for_selector(IDLE, timeout=120_000)
        page.wait_for_function(_PICTURES_DONE, timeout=120_000)
        return (time.perf_counter() - t0) * 1000
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("no Chromium found (install Debian's chromium or set CONVVIZ_CHROMIUM)")
    cases = {"default 3 x 3 x 3": ("lab", _DEFAULT_READY), "15 x 15 x 3": (big_link(), _BIG_READY)}
    times: dict[str, list[float]] = {name: [] for name in cases}
    load = [os.getloadavg()[0]]
    with serve(ROOT / "app.py") as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=list(CHROMIUM_ARGS))
        for r in range(args.rounds + 1):
            for name, (path, ready) in cases.items():
                ms = load_ms(browser, f"{base}/{path}", ready)
                if r:  # round 0 warms the server up
                    times[name].append(ms)
            load.append(os.getloadavg()[0])
        browser.close()
    print(f"page load, {args.rounds} rounds each (load average {min(load):.1f}-{max(load):.1f}):")
    for name, ts in times.items():
        print(f"  {name:18} median {statistics.median(ts):7.0f} ms   min {min(ts):7.0f}   max {max(ts):7.0f}")
    default, big = (statistics.median(times[name]) for name in cases)  # cases: default first
    print(f"  15 x 15 x 3 / default: {big / default:.2f}")


if __name__ == "__main__":
    main()
