"""Tests for convviz._parallel: every part runs once, errors surface, the BLAS thread count comes back."""

import threading

import numpy as np
import pytest

from convviz import _parallel


def test_every_part_runs_exactly_once():
    """run_parallel calls work(part, n_parts) once for each part."""
    seen = []
    lock = threading.Lock()

    def work(part, n_parts):
        with lock:
            seen.append((part, n_parts))

    _parallel.run_parallel(work, 5)
    assert sorted(seen) == [(p, 5) for p in range(5)]


def test_one_part_runs_inline():
    """A single part runs on the calling thread (no pool hop for small inputs)."""
    caller = threading.get_ident()
    ran_on = []
    _parallel.run_parallel(lambda part, n: ran_on.append(threading.get_ident()), 1)
    assert ran_on == [caller]


def test_errors_in_a_part_propagate():
    """An exception raised in a worker reaches the caller."""
    def work(part, n_parts):
        if part == 1:
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        _parallel.run_parallel(work, 2)


def test_blas_is_single_threaded_inside_and_restored_after():
    """Inside blas_single_threaded OpenBLAS reports one thread; the old count returns afterwards."""
    api = _parallel._openblas_api()
    if api is None:
        pytest.skip("NumPy does not use OpenBLAS here")
    before = api[1]()
    with _parallel.blas_single_threaded(), _parallel.blas_single_threaded():
        assert api[1]() == 1
        np.ones((64, 64), np.float32) @ np.ones((64, 64), np.float32)
    assert api[1]() == before
