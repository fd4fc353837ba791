"""Tests for convviz.ops._fast.threads: every item runs once, errors surface, the BLAS thread count comes
back."""

import threading

import numpy as np
import pytest

from convviz.ops._fast import threads as _parallel


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


def test_blas_choice_times_each_way_once_first():
    """A new shape is run once at one thread, then once at the default count."""
    choice = _parallel.BlasThreadChoice()
    assert choice.single("s") is True
    choice.record("s", True, 1.0)
    assert choice.single("s") is False


def _timed_choice(single_seconds: float, default_seconds: float, probe_every: int = 4):
    choice = _parallel.BlasThreadChoice(probe_every=probe_every)
    for single, seconds in ((True, single_seconds), (False, default_seconds)):
        assert choice.single("s") is single
        choice.record("s", single, seconds)
    return choice


def test_blas_choice_uses_the_faster_way_and_probes_the_other():
    """With the default count faster, it is used except every probe_every-th call."""
    choice = _timed_choice(2.0, 1.0, probe_every=4)
    assert [choice.single("s") for _ in range(8)] == [False, False, False, True] * 2


def test_blas_choice_probes_less_often_while_the_other_way_keeps_losing():
    """Each losing probe doubles the gap to the next one, up to max_gap calls."""
    choice = _timed_choice(2.0, 1.0, probe_every=2)
    choice.max_gap = 8
    gaps, calls = [], 0
    while len(gaps) < 4:
        calls += 1
        if choice.single("s"):
            gaps.append(calls)
            calls = 0
            choice.record("s", True, 2.0)
        else:
            choice.record("s", False, 1.0)
    assert gaps == [2, 4, 8, 8]


def test_blas_choice_probes_soon_again_after_a_switch():
    """When the choice switches, the probe gap starts again from probe_every."""
    choice = _timed_choice(2.0, 1.0, probe_every=2)
    for _ in range(6):  # two losing probes (calls 2 and 6): the gap grows to 8
        single = choice.single("s")
        choice.record("s", single, 2.0 if single else 1.0)
    assert choice._stats["s"][3] == 8
    for _ in range(3):
        choice.record("s", False, 10.0)  # the default count becomes slow: switch to one thread
    assert choice._stats["s"][3] == 2 and choice.single("s") is True


def test_blas_choice_switches_when_most_recent_timings_are_slow():
    """When the default count becomes slow (a busy core), one thread takes over after a few timings."""
    choice = _timed_choice(2.0, 1.0)
    choice.record("s", False, 1.0)
    choice.record("s", False, 10.0)
    choice.record("s", False, 10.0)
    assert choice.single("s") is False  # two slow timings of four: not yet
    choice.record("s", False, 10.0)
    assert choice.single("s") is True


def test_blas_choice_ignores_one_outlier():
    """One slow timing (a preempted thread) does not flip the choice."""
    choice = _timed_choice(2.0, 1.0)
    choice.record("s", False, 50.0)
    assert choice.single("s") is False


def test_blas_choice_keeps_shapes_apart():
    """Timings of one shape do not decide another."""
    choice = _timed_choice(1.0, 2.0)
    assert choice.single("other") is True
    assert choice.single("s") is True


def test_blas_choice_forgets_when_full():
    """Past max_shapes remembered shapes, all are forgotten and timed anew."""
    choice = _parallel.BlasThreadChoice(max_shapes=2)
    for key in ("a", "b"):
        choice.single(key)
        choice.record(key, True, 1.0)
    choice.single("c")
    assert choice.single("a") is True  # timed anew: one thread first


def test_blas_timed_records_and_restores():
    """The product's timing is recorded for its shape, its result returned, the thread count restored."""
    api = _parallel._openblas_api()
    if api is None or _parallel.n_workers() < 2:
        pytest.skip("needs OpenBLAS and two CPUs")
    before = api[1]()
    choice = _parallel.BlasThreadChoice()
    assert _parallel.blas_timed("s", api[1], choice) == 1  # a new shape is first timed at one thread
    assert _parallel.blas_timed("s", api[1], choice) == before
    assert api[1]() == before
    assert all(choice._stats["s"][:2])  # one timing each way
