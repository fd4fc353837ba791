"""Tests for convviz.ops.pooling: max/avg pooling against the loop reference, torch and shape properties."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convviz import ConvvizValueError, avg_pool2d, conv2d_per_channel, max_pool2d, output_size
from convviz.ops.reference import avg_pool2d_reference, max_pool2d_reference

# (H, W, C, size, stride, padding)
CASES = [
    (8, 8, 3, 2, None, 0),
    (9, 7, 2, 2, None, 1),
    (10, 11, 4, 3, 2, 1),
    (7, 9, 1, (3, 2), (1, 2), (1, 0)),
    (6, 6, 5, 1, None, 0),
    (12, 5, 3, 4, 3, 2),
]


def _volume(case, seed=0):
    return np.random.default_rng(seed).standard_normal(case[:3]).astype(np.float32)


def _options(case):
    return dict(size=case[3], stride=case[4], padding=case[5])


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize(("fast", "slow"), [(max_pool2d, max_pool2d_reference),
                                            (avg_pool2d, avg_pool2d_reference)])
def test_pooling_matches_loop_reference(case, fast, slow):
    """Max and average pooling equal the loop reference."""
    x = -np.abs(_volume(case))  # all negative: -inf padding must never win, zero padding must count
    np.testing.assert_allclose(fast(x, **_options(case)), slow(x, **_options(case)), atol=1e-6)


@pytest.mark.torch
@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("name", ["max_pool2d", "avg_pool2d"])
def test_pooling_matches_torch(case, name):
    """Pooling equals torch's max_pool2d / avg_pool2d with default settings."""
    torch = pytest.importorskip("torch")
    x = _volume(case, seed=1)
    options = _options(case)
    expected = getattr(torch.nn.functional, name)(
        torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)[None])),  # (1, C, H, W)
        options["size"], stride=options["stride"], padding=options["padding"],
    )[0].numpy().transpose(1, 2, 0)  # (H', W', C)
    actual = {"max_pool2d": max_pool2d, "avg_pool2d": avg_pool2d}[name](x, **options)
    np.testing.assert_allclose(actual, expected, atol=1e-6)


@settings(max_examples=60)
@given(h=st.integers(1, 20), w=st.integers(1, 20), c=st.integers(1, 3), size=st.integers(1, 4),
       stride=st.none() | st.integers(1, 3), padding=st.integers(0, 2))
def test_pooling_shape_follows_the_formula(h, w, c, size, stride, padding):
    """The pooled shape is output_size per axis (stride defaults to size), or an error if it is empty."""
    x = np.zeros((h, w, c), np.float32)
    if padding > size // 2:
        with pytest.raises(ConvvizValueError, match="`padding` must be at most half of `size`"):
            max_pool2d(x, size, stride=stride, padding=padding)
        return
    step = size if stride is None else stride
    try:
        expected = (output_size(h, size, stride=step, padding=padding),
                    output_size(w, size, stride=step, padding=padding), c)
    except ConvvizValueError:
        with pytest.raises(ConvvizValueError, match="output would be empty"):
            avg_pool2d(x, size, stride=stride, padding=padding)
        return
    assert max_pool2d(x, size, stride=stride, padding=padding).shape == expected
    assert avg_pool2d(x, size, stride=stride, padding=padding).shape == expected


def test_max_pool_default_stride_is_size():
    """2x2 max pooling with the default stride halves each side, picking each block's maximum."""
    x = np.arange(36, dtype=np.float32).reshape(6, 6, 1)
    assert max_pool2d(x)[..., 0].tolist() == [[7.0, 9.0, 11.0], [19.0, 21.0, 23.0], [31.0, 33.0, 35.0]]


def test_pooling_a_planar_view_gives_the_same_values():
    """Pooling the (H', W', C) planar-backed maps of conv2d_per_channel equals pooling a contiguous copy."""
    rng = np.random.default_rng(3)
    volume, kernel = rng.random((20, 21, 3), dtype=np.float32), rng.random((3, 3, 3), dtype=np.float32)
    maps = conv2d_per_channel(volume, kernel)
    contiguous = np.ascontiguousarray(maps)
    for pool in (max_pool2d, avg_pool2d):
        expected = pool(contiguous, 3, stride=2, padding=1)
        np.testing.assert_array_equal(pool(maps, 3, stride=2, padding=1), expected)


def test_pooling_does_not_modify_the_input():
    """Pooling leaves its input unchanged."""
    x = _volume(CASES[1])
    before = x.copy()
    max_pool2d(x, padding=1)
    avg_pool2d(x, padding=1)
    np.testing.assert_array_equal(x, before)


def test_pooling_uint8_is_rescaled():
    """A uint8 input is pooled in [0, 1]."""
    assert max_pool2d(np.full((2, 2, 1), 255, np.uint8)).tolist() == [[[1.0]]]


@pytest.mark.parametrize(
    ("x", "options", "match"),
    [
        (np.zeros((4, 4)), {}, r"`x` must have shape \(H, W, C\)"),
        (np.full((4, 4, 1), np.nan), {}, "`x` must contain only finite"),
        (np.zeros((4, 4, 1)), dict(size=0), "`size` must be an integer >= 1"),
        (np.zeros((4, 4, 1)), dict(stride=0), "`stride` must be an integer >= 1"),
        (np.zeros((4, 4, 1)), dict(padding=-1), "`padding` must be an integer >= 0"),
        (np.zeros((4, 4, 1)), dict(padding="same"), "`padding` must be an int or an"),
        (np.zeros((4, 4, 1)), dict(size=3, padding=2), "`padding` must be at most half of `size`"),
        (np.zeros((1, 4, 1)), dict(size=2), "output would be empty"),
    ],
)
@pytest.mark.parametrize("pool", [max_pool2d, avg_pool2d])
def test_bad_arguments_raise(pool, x, options, match):
    """Bad pooling arguments raise ConvvizValueError naming the argument."""
    with pytest.raises(ConvvizValueError, match=match):
        pool(x, **options)


@pytest.mark.parametrize("shape", [(8, 8, 3), (64, 64, 32), (2, 2, 1), (6, 4, 64), (9, 8, 5), (8, 7, 2)])
def test_2x2_max_pool_equals_the_loop_reference(shape):
    """The 2x2 / stride 2 fast path (even sides, interleaved) and its fallbacks equal the loop reference."""
    x = np.random.default_rng(3).standard_normal(shape).astype(np.float32)
    np.testing.assert_array_equal(max_pool2d(x), max_pool2d_reference(x, size=2))
    planar = np.ascontiguousarray(np.moveaxis(x, -1, 0))  # (C, H, W)
    np.testing.assert_array_equal(max_pool2d(np.moveaxis(planar, 0, -1)), max_pool2d_reference(x, size=2))
