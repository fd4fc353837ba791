"""Run independent pieces of work on a few threads, with the BLAS library at one thread meanwhile (private).

NumPy releases the GIL inside copies and matrix products, so Python threads give real parallelism for the
strip-wise convolution. OpenBLAS would start its own threads inside every small matrix product as well; on a
2-core machine shared with other work that oversubscription was measured 5-10x slower, so while our threads
run, OpenBLAS is asked for one thread (through its C API, as threadpoolctl does) and restored afterwards.
When NumPy uses another BLAS, or the symbol is not found, that step is skipped: results are the same.

:func:`blas_timed` is for one matrix product on the calling thread (the small convolutions of a
Tiny VGG): OpenBLAS's own threads there made the forward ~1.4x faster on an idle machine, but ~2.5x slower
while another process kept one core busy (its threads wait for each other). So both ways are timed, per
product shape, and the faster one is used; the other is re-timed now and then, so a change in load is seen.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import functools
import glob
import itertools
import os
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

__all__ = ["BlasThreadChoice", "blas_single_threaded", "blas_timed", "n_workers", "run_parallel"]

# OpenBLAS builds name the thread-count functions differently (NumPy's wheels use a "scipy_" 64-bit build).
_SYMBOLS = (
    ("scipy_openblas_set_num_threads64_", "scipy_openblas_get_num_threads64_"),
    ("openblas_set_num_threads64_", "openblas_get_num_threads64_"),
    ("openblas_set_num_threads", "openblas_get_num_threads"),
)

_lock = threading.Lock()
_state = {"users": 0, "saved": None}
_pool: ThreadPoolExecutor | None = None


def n_workers() -> int:
    """Threads to use: the CPUs this process may run on, at most 8."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(8, cpus))


@functools.cache  # searched once per process
def _openblas_api():
    """(set, get) C functions of the OpenBLAS that NumPy loaded, or None."""
    libs_dir = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs")
    candidates = sorted(glob.glob(os.path.join(libs_dir, "*openblas*")))
    with contextlib.suppress(OSError), open("/proc/self/maps") as maps:  # a system OpenBLAS, if any
        candidates += sorted({line.split()[-1] for line in maps if "openblas" in line.split()[-1]})
    for path in candidates:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for set_name, get_name in _SYMBOLS:
            if hasattr(lib, set_name) and hasattr(lib, get_name):
                setter, getter = getattr(lib, set_name), getattr(lib, get_name)
                setter.argtypes, setter.restype = [ctypes.c_int], None
                getter.argtypes, getter.restype = [], ctypes.c_int
                return setter, getter
    return None


@contextlib.contextmanager
def blas_single_threaded() -> Iterator[None]:
    """Ask OpenBLAS for one thread while the block runs; nested and concurrent uses share one restore."""
    with _lock:
        api = _openblas_api()
        if api is not None and _state["users"] == 0:
            _state["saved"] = api[1]()
            api[0](1)
        _state["users"] += 1
    try:
        yield
    finally:
        with _lock:
            _state["users"] -= 1
            if api is not None and _state["users"] == 0:
                api[0](_state["saved"])


def run_parallel(work: Callable[[int, Any], None], n_items: int, setup: Callable[[], Any] = lambda: None, *,
                 parallel: bool = True) -> None:
    """Call ``work(item, state)`` for items ``0 .. n_items - 1``, BLAS single-threaded meanwhile.

    The calling thread and up to ``n_workers() - 1`` pool threads each take the next item from a shared
    counter until none is left; each makes its ``state`` (e.g. scratch buffers) with ``setup()`` before its
    first item. On a busy machine a helper that gets little CPU simply takes fewer items, and the caller
    works instead of waiting for it. ``parallel=False`` runs everything on the calling thread. Exceptions
    propagate.
    """
    global _pool
    counter = itertools.count()

    def drain() -> None:
        state, started = None, False
        for item in iter(counter.__next__, None):  # next() on a count is atomic under the GIL
            if item >= n_items:
                return
            if not started:
                state, started = setup(), True
            work(item, state)

    helpers = max(0, min(n_workers(), n_items) - 1) if parallel else 0
    if helpers:
        with _lock:
            if _pool is None:
                _pool = ThreadPoolExecutor(max_workers=n_workers(), thread_name_prefix="convviz")
    with blas_single_threaded():
        futures = [_pool.submit(drain) for _ in range(helpers)]
        try:
            drain()
        finally:
            for future in futures:
                future.result()


class BlasThreadChoice:
    """Per product shape, which is faster now: OpenBLAS at one thread, or at its own (default) count?

    Each way is tried once first; then the way whose median of its last ``window`` timings is lower is used,
    except that now and then a call times the other way again (a probe). A median, because a timing only
    ever errs upwards (a preempted thread): one outlier must not flip the choice, but a busy core that slows
    most timings does, within a few calls. Probes come every ``probe_every`` calls of a shape; each probe
    that loses doubles that gap, up to ``max_gap`` calls, and a switch resets it. The backoff matters:
    after each product OpenBLAS's idle thread spins for a while (~0.1 s), so probing a busy machine every
    few milliseconds kept that thread spinning and made the one-thread way ~3x slower (measured). At most
    ``max_shapes`` shapes are remembered (then all are forgotten).
    """

    def __init__(self, *, probe_every: int = 64, max_gap: int = 1024, window: int = 5, max_shapes: int = 256):
        self.probe_every, self.max_gap = probe_every, max_gap
        self.window, self.max_shapes = window, max_shapes
        # shape -> [recent seconds at 1 thread, at the default count, calls since the last probe, probe gap,
        #           the way preferred when last timed (None: not yet)]
        self._stats: dict[object, list] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _prefers_single(stats: list) -> bool:
        return statistics.median_low(stats[0]) <= statistics.median_low(stats[1])

    def single(self, key) -> bool:
        """True to run the next product of shape ``key`` at one thread, False for OpenBLAS's default."""
        with self._lock:
            stats = self._stats.get(key)
            if stats is None:
                if len(self._stats) >= self.max_shapes:
                    self._stats.clear()
                stats = self._stats[key] = [collections.deque(maxlen=self.window),
                                            collections.deque(maxlen=self.window), 0, self.probe_every, None]
            if not stats[0] or not stats[1]:
                return not stats[0]
            stats[2] += 1
            probe = stats[2] >= stats[3]
            if probe:
                stats[2] = 0
            return self._prefers_single(stats) != probe

    def record(self, key, single: bool, seconds: float) -> None:
        """Add one timing of shape ``key``, run at one thread if ``single``."""
        with self._lock:
            stats = self._stats.get(key)
            if stats is None:
                return
            stats[0 if single else 1].append(seconds)
            if not stats[0] or not stats[1]:
                return
            before, after = stats[4], self._prefers_single(stats)
            if before is not None and after != before:  # a switch: look at the other way again soon
                stats[3] = self.probe_every
            elif before is not None and single != after:  # a probe that lost: wait longer for the next
                stats[3] = min(2 * stats[3], self.max_gap)
            stats[4] = after


_choice = BlasThreadChoice()


def blas_timed(key, product: Callable[[], Any], choice: BlasThreadChoice | None = None) -> Any:
    """``product()`` (one BLAS product of shape ``key``) at the BLAS thread count timed fastest for it.

    A plain call, not a context manager: ~2 us of overhead instead of ~7 (measured), per conv layer.
    With one CPU, or no OpenBLAS found, the product simply runs at one thread.
    """
    if n_workers() < 2 or _openblas_api() is None:
        with blas_single_threaded():
            return product()
    choice = _choice if choice is None else choice
    single = choice.single(key)
    t0 = time.perf_counter()
    if single:
        with blas_single_threaded():
            result = product()
    else:
        result = product()
    choice.record(key, single, time.perf_counter() - t0)
    return result
