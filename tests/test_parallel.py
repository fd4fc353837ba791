"""Tests for convviz._parallel: every item runs once, errors surface, the BLAS thread count comes back."""

import threading

import numpy as np
import pytest

from convviz import _parallel


def test_every_item_runs_exactly_once():
    """run_parallel calls work(item, state) once for each item."""
    seen = []
    lock = threading.Lock()

    def work(item, state):
        with lock:
            seen.append(item)

    _parallel.run_parallel(work, 50)
    assert sorted(seen) == list(range(50))


def test_each_thread_sets_up_its_own_state_once():
    """setup() runs once per thread that takes an item, and that thread's items get its state."""
    states = []

    def setup():
        state = {"thread": threading.get_ident()}
        states.append(state)
        return state

    def work(item, state):
        assert state["thread"] == threading.get_ident()

    _parallel.run_parallel(work, 20, setup)
    assert 1 <= len(states) <= _parallel.n_workers()
    assert len({s["thread"] for s in states}) == len(states)


def test_not_parallel_runs_on_the_calling_thread():
    """parallel=False keeps every item on the calling thread."""
    ran_on = set()
    _parallel.run_parallel(lambda item, state: ran_on.add(threading.get_ident()), 10, parallel=False)
    assert ran_on == {threading.get_ident()}


def test_errors_in_an_item_propagate():
    """An exception raised for one item reaches the caller."""
    def work(item, state):
        if item == 7:
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        _parallel.run_parallel(work, 10)


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
