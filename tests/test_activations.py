"""Tests for convviz.activations."""

import numpy as np
import pytest

from convviz import ConvvizValueError, conv2d_per_channel, relu


def test_relu_zeroes_negatives_and_keeps_positives():
    """relu maps negatives to 0 and leaves positives unchanged."""
    assert relu(np.array([[[-1.5, 0.0, 2.5]]], np.float32)).tolist() == [[[0.0, 0.0, 2.5]]]


def test_relu_returns_a_new_float32_array():
    """relu does not modify its input and returns float32."""
    x = np.array([[[-1.0]]])
    out = relu(x)
    assert out.dtype == np.float32 and x[0, 0, 0] == -1.0


def test_relu_keeps_a_planar_layout():
    """relu of planar-backed maps keeps each map contiguous."""
    maps = conv2d_per_channel(np.ones((6, 6, 3), np.float32), -np.ones((3, 3, 3), np.float32))
    assert relu(maps)[..., 0].flags.c_contiguous


@pytest.mark.torch
def test_relu_matches_torch():
    """relu equals torch.relu."""
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((5, 6, 3)).astype(np.float32)
    np.testing.assert_array_equal(relu(x), torch.relu(torch.from_numpy(x)).numpy())


def test_relu_refuses_non_finite():
    """relu raises for nan."""
    with pytest.raises(ConvvizValueError, match="`x` must contain only finite"):
        relu(np.array([[[np.nan]]]))
