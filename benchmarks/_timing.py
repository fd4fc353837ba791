"""Timing helpers shared by the benchmarks: one call's milliseconds, and the median over several calls."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def elapsed_ms(fn: Callable[[], object]) -> float:
    """Wall-clock milliseconds of one call of `fn` (``time.perf_counter``)."""
    t0 = time.perf_counter()
    fn()
    return 1000 * (time.perf_counter() - t0)


def median_ms(fn: Callable[[], object], runs: int, warmup: int = 0) -> float:
    """Median milliseconds of `runs` calls of `fn`, after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    return statistics.median(elapsed_ms(fn) for _ in range(runs))
