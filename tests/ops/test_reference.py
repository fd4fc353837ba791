"""Tests for convviz.ops.reference: the loop implementations on hand-computed examples."""

import numpy as np

from convviz.ops.reference import (
    avg_pool2d_reference,
    conv2d_per_channel_reference,
    conv2d_reference,
    conv2d_windows,
    max_pool2d_reference,
)

GRID = np.arange(1.0, 10.0).reshape(3, 3, 1)  # 1..9 row by row


def test_conv_reference_hand_computed():
    """A 2x2 kernel [[1, 0], [0, -1]] on 1..9 gives top-left minus bottom-right, plus bias."""
    kernel = np.array([[1.0, 0.0], [0.0, -1.0]]).reshape(1, 2, 2, 1)
    assert conv2d_reference(GRID, kernel, [10.0])[..., 0].tolist() == [[6.0, 6.0], [6.0, 6.0]]


def test_conv_reference_pads_with_zeros():
    """With padding 1 and a 3x3 ones kernel the corner sums only the four real values."""
    out = conv2d_reference(GRID, np.ones((1, 3, 3, 1)), padding=1)[..., 0]
    assert out[0, 0] == 1 + 2 + 4 + 5 and out[1, 1] == 45


def test_conv_reference_same_even_kernel_pads_bottom_right():
    """'same' with a 2x2 kernel pads only bottom/right, so out[y, x] starts at in[y, x]."""
    out = conv2d_reference(GRID, np.ones((1, 2, 2, 1)), padding="same")[..., 0]
    assert out.tolist() == [[12.0, 16.0, 9.0], [24.0, 28.0, 15.0], [15.0, 17.0, 9.0]]


def test_conv_reference_stride_and_dilation():
    """Stride 2 and dilation 2 on a 5x5 grid pick the taps at even offsets."""
    grid = np.arange(25.0).reshape(5, 5, 1)
    out = conv2d_reference(grid, np.ones((1, 2, 2, 1)), stride=2, dilation=2)[..., 0]
    assert out.tolist() == [[0 + 2 + 10 + 12, 2 + 4 + 12 + 14], [10 + 12 + 20 + 22, 12 + 14 + 22 + 24]]


def test_per_channel_reference_keeps_channels_apart():
    """Each channel map uses only its own channel and kernel slice."""
    volume = np.stack([np.ones((2, 2)), 2 * np.ones((2, 2))], axis=-1)
    kernel = np.stack([np.ones((2, 2)), -np.ones((2, 2))], axis=-1)
    assert conv2d_per_channel_reference(volume, kernel).tolist() == [[[4.0, -8.0]]]


def test_max_pool_reference_never_picks_padding():
    """An all-negative input pooled with padding keeps its negative maxima."""
    out = max_pool2d_reference(-GRID, 2, stride=1, padding=1)[..., 0]
    assert out.max() < 0 and out[0, 0] == -1


def test_avg_pool_reference_counts_padding():
    """Average pooling with padding divides by the full window size."""
    assert avg_pool2d_reference(GRID, 3, stride=3, padding=1)[0, 0, 0] == (1 + 2 + 4 + 5) / 9


def test_windows_baseline_matches_loops():
    """The sliding-window einsum baseline equals the loop reference."""
    rng = np.random.default_rng(0)
    volume = rng.random((9, 8, 3)).astype(np.float32)
    filters = rng.standard_normal((4, 3, 2, 3)).astype(np.float32)
    for options in (dict(), dict(stride=2, padding=1, dilation=2), dict(padding="same")):
        np.testing.assert_allclose(conv2d_windows(volume, filters, np.ones(4), **options),
                                   conv2d_reference(volume, filters, np.ones(4), **options), atol=1e-5)
