"""Explaining one output value: window, products, sums, coordinates — and agreement with conv2d."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from convviz import conv2d, conv2d_per_channel, max_pool2d
from convviz.lessons.worked_examples import load_worked_example
from convviz.ops.explain import explain_pixel, flip_kernel, pool_winners


def test_every_pixel_of_the_edge_example_matches_conv2d_exactly():
    """On the 5x5 worked example every explained total equals the conv2d map value exactly."""
    ex = load_worked_example("edge-5x5")
    out = conv2d(ex.volume, ex.filters, ex.bias)
    for y in range(3):
        for x in range(3):
            assert explain_pixel(ex.volume, ex.filters, ex.bias, y=y, x=x).total == out[y, x, 0]


def test_explanation_parts_of_a_worked_example_value():
    """The (1, 1) value -7 is the 3x3 window under the kernel, its 9 products, their sum and ReLU 0."""
    ex = load_worked_example("edge-5x5")
    e = explain_pixel(ex.volume, ex.filters, ex.bias, y=1, x=1)
    assert e.window[..., 0].tolist() == [[5, 6, 7], [0, 1, 2], [1, 3, 4]]
    np.testing.assert_array_equal(e.products, e.window * e.weights)
    assert e.products[..., 0].tolist() == [[5, 0, -7], [0, 0, -2], [1, 0, -4]]
    assert (e.total, e.relu, e.bias) == (-7.0, 0.0, 0.0)
    assert e.rows.tolist() == [1, 2, 3] and e.cols.tolist() == [1, 2, 3] and e.inside.all()


def test_two_filter_example_explains_each_filter_and_channel():
    """For the 6x6x3 example, channel sums equal the per-channel maps and totals equal both output maps."""
    ex = load_worked_example("volume-two-filters")
    out = conv2d(ex.volume, ex.filters, ex.bias)
    for k in range(2):
        maps = conv2d_per_channel(ex.volume, ex.filters[k])
        for y, x in [(0, 0), (2, 1), (3, 3)]:
            e = explain_pixel(ex.volume, ex.filters, ex.bias, y=y, x=x, k=k)
            np.testing.assert_array_equal(e.channel_sums, maps[y, x])
            assert e.total == out[y, x, k] and e.bias == ex.bias[k]


def test_padding_shows_zeros_and_outside_coordinates():
    """With padding 1 the corner window has a zero row and column, coordinates -1, and 4 taps inside."""
    vol = np.arange(1, 17, dtype=np.float32).reshape(4, 4, 1)  # (H, W, C)
    e = explain_pixel(vol, np.ones((3, 3, 1)), y=0, x=0, padding=1)
    assert e.rows.tolist() == [-1, 0, 1] and e.cols.tolist() == [-1, 0, 1]
    assert e.inside.tolist() == [[False, False, False], [False, True, True], [False, True, True]]
    assert e.window[..., 0].tolist() == [[0, 0, 0], [0, 1, 2], [0, 5, 6]]
    assert e.total == 1 + 2 + 5 + 6


def test_stride_and_dilation_place_the_window():
    """Output (1, 2) with stride 2 and dilation 2 reads input rows 2, 4, 6 and columns 4, 6, 8."""
    vol = np.random.default_rng(1).random((9, 9, 2), dtype=np.float32)
    e = explain_pixel(vol, np.ones((3, 3, 2)), y=1, x=2, stride=2, dilation=2)
    assert e.rows.tolist() == [2, 4, 6] and e.cols.tolist() == [4, 6, 8]
    np.testing.assert_array_equal(e.window, vol[2:7:2, 4:9:2])


def test_same_padding_of_an_even_kernel_puts_the_extra_bottom_right():
    """A 2x2 kernel with "same" padding reads rows y, y+1: the extra zero row is at the bottom (as torch)."""
    vol = np.ones((3, 3, 1), dtype=np.float32)
    e = explain_pixel(vol, np.ones((2, 2, 1)), y=2, x=0, padding="same")
    assert e.rows.tolist() == [2, 3] and e.inside.tolist() == [[True, True], [False, False]]


def test_relu_keeps_positive_totals():
    """A positive total passes ReLU unchanged."""
    e = explain_pixel(np.ones((3, 3, 1)), np.ones((3, 3, 1)), [0.5], y=0, x=0)
    assert e.total == e.relu == 9.5


@settings(max_examples=60)
@given(
    h=st.integers(3, 12), w=st.integers(3, 12), c=st.integers(1, 4), k=st.integers(1, 4),
    kh=st.integers(1, 4), kw=st.integers(1, 4), stride=st.integers(1, 3), dilation=st.integers(1, 2),
    padding=st.one_of(st.integers(0, 2), st.just("same")), seed=st.integers(0, 2**16),
)
def test_explained_values_match_conv2d(h, w, c, k, kh, kw, stride, dilation, padding, seed):
    """On random volumes, banks and settings, every explained total equals conv2d to float32 rounding."""
    if padding == "same":
        stride = 1
    rng = np.random.default_rng(seed)
    vol = rng.normal(size=(h, w, c)).astype(np.float32)
    bank = rng.normal(size=(k, kh, kw, c)).astype(np.float32)
    bias = rng.normal(size=k).astype(np.float32)
    try:
        out = conv2d(vol, bank, bias, stride=stride, padding=padding, dilation=dilation)
    except ValueError:  # the window does not fit: nothing to explain
        assume(False)
    for y in range(out.shape[0]):
        for x in range(out.shape[1]):
            f = (y + x) % k
            e = explain_pixel(vol, bank, bias, y=y, x=x, k=f, stride=stride, padding=padding,
                              dilation=dilation)
            # Sum order differs from conv2d's fast path, so allow float32 rounding of a sum of kh*kw*c terms.
            assert e.total == pytest.approx(float(out[y, x, f]), rel=1e-5, abs=1e-5)


def test_position_outside_the_output_is_refused():
    """y beyond the output height raises and says how many output rows there are."""
    with pytest.raises(ValueError, match="there are 3 output rows"):
        explain_pixel(np.ones((5, 5, 1)), np.ones((3, 3, 1)), y=3, x=0)


def test_filter_index_outside_the_bank_is_refused():
    """k beyond the number of filters raises and names `k`."""
    with pytest.raises(ValueError, match="`k`"):
        explain_pixel(np.ones((5, 5, 1)), np.ones((2, 3, 3, 1)), y=0, x=0, k=2)


def test_channel_mismatch_is_refused_like_conv2d():
    """A 4-channel filter on a 3-channel volume raises and names `filters`."""
    with pytest.raises(ValueError, match="`filters` must have 3 channels"):
        explain_pixel(np.ones((5, 5, 3)), np.ones((3, 3, 4)), y=0, x=0)


def test_flipped_kernel_gives_true_convolution():
    """conv2d with the flipped kernel equals the textbook convolution sum(f[i, j] * g[y - i, x - j])."""
    rng = np.random.default_rng(2)
    g = rng.normal(size=(6, 7)).astype(np.float32)
    f = rng.normal(size=(3, 3)).astype(np.float32)
    full = np.zeros((8, 9))  # the full textbook convolution, then its valid part
    for i in range(3):
        for j in range(3):
            full[i:i + 6, j:j + 7] += f[i, j] * g
    out = conv2d(g[..., None], flip_kernel(f))[..., 0]
    np.testing.assert_allclose(out, full[2:6, 2:7], rtol=1e-5, atol=1e-5)


def test_flipping_the_edge_kernel_changes_the_worked_example():
    """Flipping [[1,0,-1]]*3 gives [[-1,0,1]]*3, so convolution and cross-correlation differ in sign here."""
    ex = load_worked_example("edge-5x5")
    flipped = conv2d(ex.volume, flip_kernel(ex.filters))
    np.testing.assert_array_equal(flipped, -conv2d(ex.volume, ex.filters))


def test_flip_kernel_flips_space_not_channels():
    """flip_kernel on a (K, kh, kw, C) bank reverses rows and columns and leaves the channel order."""
    bank = np.arange(2 * 2 * 3 * 3, dtype=np.float32).reshape(2, 2, 3, 3)  # (K, kh, kw, C)
    np.testing.assert_array_equal(flip_kernel(bank), bank[:, ::-1, ::-1, :])


def test_pool_winners_point_at_the_pooled_maxima():
    """The value at each winner equals max_pool2d's output, for overlapping and padded windows too."""
    rng = np.random.default_rng(5)
    x = rng.integers(0, 10, size=(7, 6, 2)).astype(np.float32)
    for size, stride, padding in [(2, None, 0), (3, 2, 1), (3, 1, 0)]:
        win = pool_winners(x, size, stride=stride, padding=padding)
        pooled = max_pool2d(x, size, stride=stride, padding=padding)
        assert win.shape == pooled.shape + (2,)
        channel = np.broadcast_to(np.arange(2), pooled.shape)
        np.testing.assert_array_equal(x[win[..., 0], win[..., 1], channel], pooled)


def test_pool_winner_on_a_tie_is_the_first_in_reading_order():
    """When two cells tie for the maximum, the first in reading order wins (as in PyTorch)."""
    x = np.array([[1, 4], [4, 0]], dtype=np.float32)[..., None]  # (H, W, C)
    assert pool_winners(x)[0, 0, 0].tolist() == [0, 1]


@pytest.mark.torch
def test_pool_winners_match_torch_indices():
    """Winners equal torch's max_pool2d return_indices on random data with padding and stride."""
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(6).integers(0, 5, size=(9, 8, 3)).astype(np.float32)  # ties on purpose
    t = torch.from_numpy(x).permute(2, 0, 1)[None]  # (1, C, H, W)
    _, idx = torch.nn.functional.max_pool2d(t, 3, stride=2, padding=1, return_indices=True)
    win = pool_winners(x, 3, stride=2, padding=1)
    flat = win[..., 0] * 8 + win[..., 1]  # (H', W', C) flat input index, as torch reports it
    np.testing.assert_array_equal(flat, idx[0].permute(1, 2, 0).numpy())
