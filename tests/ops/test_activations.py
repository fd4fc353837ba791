"""Tests for convviz.ops.activations."""

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


def _relu_cases():
    """Interleaved, planar (maps with padded rows, as the strip convolutions return), strided, broadcast."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((7, 9, 5)).astype(np.float32)
    padded_rows = rng.standard_normal((5, 7, 12)).astype(np.float32)  # (C, H, row)
    return {"interleaved": x, "planar": padded_rows.transpose(1, 2, 0)[:, :9], "strided": x[:, ::2],
            "broadcast": np.broadcast_to(x[:1], (7, 9, 5)), "vector": x.reshape(-1), "one": x[:1, :1, :1]}


@pytest.mark.parametrize("name", list(_relu_cases()))
def test_relu_equals_max_with_zero_in_every_layout(name):
    """relu equals np.maximum(x, 0) for interleaved, planar, strided, broadcast and 1-element inputs."""
    x = _relu_cases()[name]
    np.testing.assert_array_equal(relu(x), np.maximum(x, 0))


def test_relu_of_padded_planar_maps_stays_planar():
    """Maps whose rows are longer than the map (the strip paths' output) come back planar."""
    padded_rows = np.random.default_rng(2).standard_normal((4, 6, 9)).astype(np.float32)  # (C, H, row)
    out = relu(padded_rows.transpose(1, 2, 0)[:, :7])
    assert out.shape == (6, 7, 4) and np.moveaxis(out, -1, 0).flags.c_contiguous


def test_relu_of_negative_zero_is_zero():
    """-0.0 and tiny negatives give 0."""
    out = relu(np.array([[[-0.0, -1e-38, 1e-38]]], np.float32))
    np.testing.assert_array_equal(out, np.array([[[0.0, 0.0, 1e-38]]], np.float32))
