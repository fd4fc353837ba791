"""Paired browser benchmark: is a change to the Lab faster, measured against the code before it?

The machine's speed drifts during a day by as much as one change can gain, so runs of ``bench_ui`` made one
after the other compare badly. Here every checkout gets its own ``streamlit run`` server and its own
Chromium, set up as in :mod:`benchmarks.bench_ui` (1 MP photo, 8 filters), and the weight edits alternate
between them in a shuffled order each round: edit ``i`` of every checkout is measured within about a second
of the others. It prints each checkout's p50/p95 and, against the first, the median of the paired
differences and how many pairs were faster.

Run from the repository root, with checkouts made e.g. by ``git worktree add /tmp/before HEAD~1``::

    python -m benchmarks.bench_ui_pair /tmp/before .            # 30 rounds after 3 warm-ups
    python -m benchmarks.bench_ui_pair /tmp/before . /tmp/other --rounds 40
"""

from __future__ import annotations

import argparse
import contextlib
import random
import statistics
import sys
from pathlib import Path

from benchmarks.bench_ui import edit_page, timed_edit
from tests.e2e.helpers import CHROMIUM_ARGS, find_chromium, serve


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkouts", nargs="+", type=Path,
                        help="directories holding app.py; the first is the base")
    parser.add_argument("--rounds", type=int, default=30, help="timed edits per checkout (after 3 warm-ups)")
    args = parser.parse_args(argv)
    if len(args.checkouts) < 2:
        sys.exit("give at least two checkouts")
    from playwright.sync_api import sync_playwright

    chromium = find_chromium()
    if chromium is None:
        sys.exit("no Chromium found: install it or set CONVVIZ_CHROMIUM")
    names = [str(d) for d in args.checkouts]
    times: dict[str, list[float]] = {name: [] for name in names}
    with sync_playwright() as p, contextlib.ExitStack() as stack:
        pages = []
        for d in args.checkouts:
            url = stack.enter_context(serve(d.resolve() / "app.py"))
            browser = p.chromium.launch(executable_path=chromium, args=list(CHROMIUM_ARGS))
            stack.callback(browser.close)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(120_000)
            pages.append((page, edit_page(page, url)))
        for i in range(3 + args.rounds):
            for j in random.sample(range(len(pages)), len(pages)):
                ms = timed_edit(*pages[j], i)
                if i >= 3:
                    times[names[j]].append(ms)
    for name in names:
        q = statistics.quantiles(times[name], n=20, method="inclusive")
        print(f"{name}: edit p50 {statistics.median(times[name]):.0f} ms, p95 {q[18]:.0f} ms")
    for name in names[1:]:
        diff = [a - b for a, b in zip(times[name], times[names[0]], strict=True)]
        print(f"{name} against {names[0]}: median paired difference {statistics.median(diff):+.0f} ms, "
              f"faster in {sum(d < 0 for d in diff)} of {len(diff)} rounds")


if __name__ == "__main__":
    main()
