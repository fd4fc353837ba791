"""Dense layer and softmax: values, stability and argument checks."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convviz.ops.dense import dense_layer, softmax, softmax_steps


def test_dense_is_weights_times_input_plus_bias():
    """dense computes W @ x + b, one output per row of W."""
    out = dense_layer([1, 2, 3], [[1, 0, 0], [1, 1, 1]], [0.5, -1])
    assert out.dtype == np.float32 and out.tolist() == [1.5, 5.0]


def test_dense_refuses_mismatched_weights():
    """Weights with the wrong number of columns raise and name `weights`."""
    with pytest.raises(ValueError, match="`weights` must have 3 columns"):
        dense_layer([1, 2, 3], [[1, 2]])


def test_dense_refuses_a_volume_input():
    """A volume must be flattened first: a 2D `x` raises and names the expected (N,) shape."""
    with pytest.raises(ValueError, match=r"`x` must have shape \(N,\)"):
        dense_layer(np.ones((2, 2)), np.ones((1, 4)))


def test_softmax_of_equal_scores_is_uniform():
    """Equal scores give equal probabilities."""
    np.testing.assert_allclose(softmax([2.0, 2.0, 2.0, 2.0]), [0.25] * 4)


def test_softmax_matches_the_definition():
    """softmax equals exp(s) / sum(exp(s)) on moderate scores."""
    s = np.array([1.0, 2.0, -0.5], dtype=np.float32)
    np.testing.assert_allclose(softmax(s), np.exp(s) / np.exp(s).sum(), rtol=1e-6)


def test_softmax_does_not_overflow_on_large_scores():
    """Scores of 1000 and 990 give finite probabilities (a naive exp would overflow to inf/inf)."""
    p = softmax([1000.0, 990.0])
    assert np.isfinite(p).all() and p[0] > 0.9999


def test_softmax_refuses_non_finite_scores():
    """A nan score raises ValueError naming `scores`."""
    with pytest.raises(ValueError, match="scores"):
        softmax([0.0, np.nan])


@settings(max_examples=50)
@given(st.lists(st.floats(-50, 50, width=32), min_size=1, max_size=12))
def test_softmax_is_a_distribution_that_keeps_the_order(scores):
    """Probabilities are in [0, 1], sum to 1, and the top score gets the top probability."""
    p = softmax(scores)
    assert p.shape == (len(scores),)
    assert (p >= 0).all() and (p <= 1).all()
    assert abs(float(p.sum()) - 1) < 1e-5
    assert p[int(np.argmax(scores))] == p.max()


@pytest.mark.torch
def test_softmax_matches_torch():
    """softmax equals torch.softmax on random scores."""
    torch = pytest.importorskip("torch")
    s = np.random.default_rng(0).normal(size=10).astype(np.float32) * 5
    expected = torch.softmax(torch.from_numpy(s), 0).numpy()
    np.testing.assert_allclose(softmax(s), expected, rtol=1e-5, atol=1e-7)


def test_softmax_steps_show_the_shift_the_exponentials_and_the_sum():
    """The steps are s - max(s), exp of that, their sum, and exps / sum = softmax."""
    s = softmax_steps([3.0, 1.0, 0.0])
    np.testing.assert_array_equal(s.shifted, [0.0, -2.0, -3.0])
    np.testing.assert_allclose(s.exps, np.exp([0.0, -2.0, -3.0]), rtol=1e-6)
    assert s.total == pytest.approx(float(np.exp([0.0, -2.0, -3.0]).sum()), rel=1e-6)
    np.testing.assert_array_equal(s.probs, softmax([3.0, 1.0, 0.0]))
