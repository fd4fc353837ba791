"""A 15 x 15 x 3 filter bank in the Lab: server CPU of a page run and of a settings change (issue 17, item 4).

Run from the repository root::

    python -m benchmarks.bench_big_kernel            # 5 timed runs per case after one warm-up
    python -m benchmarks.bench_big_kernel --runs 3

Measured with Streamlit's AppTest (the Lab page, ``app.py``, in this process): the process CPU time
(``time.process_time``) and wall-clock time of

- a full run of the Lab with a 15 x 15 x 3 bank of 2 filters (the server side of opening the page);
- the run after a settings change (stride 1 -> 2 -> 1: the Lab's workspace, designer included, is redrawn);

with the compact editor (one text box per channel, :mod:`ui.lab.designer.rows`) against the number-input
grid it replaces for wide kernels (675 inputs; ``COMPACT_ABOVE`` raised past 15), and a 3 x 3 bank as the
peer. AppTest runs the whole script on each run (a browser reruns only the workspace fragment on a setting
change), so the figures are an upper bound of the server's share; the browser's own rendering is not in them.
The machine is shared and noisy: compare within one run.
"""

from __future__ import annotations

import argparse
import statistics
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from convviz.filterbank.bank import FilterBank
from ui import state
from ui.lab.designer import rows

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def bank(side: int) -> FilterBank:
    rng = np.random.default_rng(0)
    weights = np.round(rng.normal(0, 0.05, (2, side, side, 3)), 3)  # (K, kh, kw, C)
    return FilterBank(weights, [0.0, 0.1], ("a", "b"), name=f"bench-{side}")


@contextmanager
def compact_above(width: int):
    old = rows.COMPACT_ABOVE
    rows.COMPACT_ABOVE = width
    try:
        yield
    finally:
        rows.COMPACT_ABOVE = old


def timed(fn) -> tuple[float, float]:
    """(CPU seconds of this process, wall seconds) of one call."""
    c0, t0 = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - c0, time.perf_counter() - t0


def measure(side: int, runs: int) -> dict[str, tuple[float, float]]:
    """Median (CPU s, wall s) of a page run and of a settings change with a `side` x `side` x 3 bank."""
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.session_state[state.BANK] = bank(side)
    at.session_state[state.BANK_REV] = at.session_state[state.BANK_REV] + 1
    at.run()
    assert not at.exception, at.exception
    page, change = [], []
    for r in range(runs + 1):
        page_t = timed(at.run)
        stride = at.number_input(key=state.STRIDE)
        change_t = timed(lambda s=stride, v=2 if r % 2 == 0 else 1: s.set_value(v).run())
        assert not at.exception, at.exception
        if r:  # the first round warms up
            page.append(page_t)
            change.append(change_t)
    inputs = len(at.get("number_input"))
    med = {name: (statistics.median(t[0] for t in ts), statistics.median(t[1] for t in ts))
           for name, ts in (("page", page), ("change", change))}
    med["inputs"] = (inputs, 0.0)
    return med


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    cases = [("3 x 3 (peer)", 3, rows.COMPACT_ABOVE), ("15 x 15, number inputs (before)", 15, 99),
             ("15 x 15, compact editor (after)", 15, rows.COMPACT_ABOVE)]
    results = {}
    for name, side, width in cases:
        with compact_above(width):
            results[name] = measure(side, args.runs)
    print(f"{'case':34} {'inputs':>6} {'page CPU s':>10} {'page wall s':>11} {'change CPU s':>12} "
          f"{'change wall s':>13}")
    for name, r in results.items():
        print(f"{name:34} {r['inputs'][0]:6d} {r['page'][0]:10.3f} {r['page'][1]:11.3f} "
              f"{r['change'][0]:12.3f} {r['change'][1]:13.3f}")
    before, after = results[cases[1][0]], results[cases[2][0]]
    print(f"compact / number inputs: page CPU {after['page'][0] / before['page'][0]:.2f}, "
          f"change CPU {after['change'][0] / before['change'][0]:.2f}")


if __name__ == "__main__":
    main()
