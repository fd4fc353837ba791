"""Tests for convviz.ops._fast.im2col: the small-volume path against the loop reference, in both BLAS
modes."""

import numpy as np
import pytest

from convviz.ops._fast import im2col as _im2col
from convviz.ops._fast import threads as _parallel
from convviz.ops.reference import conv2d_reference
from convviz.ops.shapes import conv_geometry

# (H, W, C, K, stride, padding): Tiny VGG layers (big enough to be timed), odd sizes, 1-row outputs, stride 2.
CASES = [
    (64, 64, 16, 32, 1, 1),
    (16, 16, 64, 64, 1, 1),
    (33, 17, 9, 5, 1, 1),
    (3, 40, 8, 4, 1, 0),
    (1, 9, 12, 3, 1, 1),
    (21, 20, 16, 8, 2, 1),
    (40, 40, 32, 48, 2, 0),
]


class _Forced(_parallel.BlasThreadChoice):
    """A choice that always answers the same way."""

    def __init__(self, single: bool):
        super().__init__()
        self.forced = single

    def single(self, key) -> bool:
        return self.forced


def _case(h, w, c, k, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((h, w, c)).astype(np.float32),
            rng.standard_normal((k, 3, 3, c)).astype(np.float32), rng.standard_normal(k).astype(np.float32))


@pytest.mark.parametrize("single", [True, False])
@pytest.mark.parametrize("case", CASES)
def test_conv_small_matches_the_loop_reference(monkeypatch, case, single):
    """conv_small equals the loop reference at one BLAS thread and at the default count."""
    h, w, c, k, stride, padding = case
    monkeypatch.setattr(_parallel, "_choice", _Forced(single))
    volume, filters, bias = _case(h, w, c, k)
    g = conv_geometry(h, w, (3, 3), stride=stride, padding=padding)
    expected = conv2d_reference(volume, filters, bias, stride=stride, padding=padding)
    got = _im2col.conv_small(volume, filters, bias, g)
    assert got.flags.c_contiguous
    np.testing.assert_allclose(got, expected, atol=5e-5, rtol=1e-5)


def test_both_blas_modes_give_the_same_result(monkeypatch):
    """The thread count the timing picks does not change the result (to float32 rounding)."""
    volume, filters, bias = _case(64, 64, 16, 32)
    g = conv_geometry(64, 64, (3, 3), padding=1)
    results = []
    for single in (True, False):
        monkeypatch.setattr(_parallel, "_choice", _Forced(single))
        results.append(_im2col.conv_small(volume, filters, bias, g))
    np.testing.assert_allclose(results[0], results[1], atol=1e-5, rtol=1e-6)


@pytest.mark.parametrize("padding", [0, 1])
def test_planar_input_gives_the_interleaved_result(padding):
    """A planar volume (maps with contiguous rows, as the strip paths return) gives the same result."""
    volume, filters, bias = _case(12, 10, 8, 4)
    planar = np.ascontiguousarray(volume.transpose(2, 0, 1)).transpose(1, 2, 0)  # (H, W, C) view of (C, H, W)
    padded_rows = np.zeros((8, 12, 13), np.float32)  # (C, H, row): rows longer than W, like conv_gemm's
    padded_rows[..., :10] = volume.transpose(2, 0, 1)
    g = conv_geometry(12, 10, (3, 3), padding=padding)
    expected = _im2col.conv_small(volume, filters, bias, g)
    for view in (planar, padded_rows.transpose(1, 2, 0)[:, :10]):
        assert not view.flags.c_contiguous
        np.testing.assert_array_equal(_im2col.conv_small(view, filters, bias, g), expected)


def test_a_strided_input_gives_the_same_result():
    """A volume that is neither interleaved nor planar (every other column) is copied, not misread."""
    volume, filters, bias = _case(9, 14, 8, 3)
    g = conv_geometry(9, 7, (3, 3), padding=1)
    expected = _im2col.conv_small(np.ascontiguousarray(volume[:, ::2]), filters, bias, g)
    np.testing.assert_array_equal(_im2col.conv_small(volume[:, ::2], filters, bias, g), expected)


@pytest.mark.parametrize(("dilation", "stride"), [(1, 1), ((2, 1), 2), ((1, 2), 1), (2, (1, 3))])
def test_kernel_row_copies_and_tap_copies_agree(dilation, stride):
    """The kernel-row copy (column dilation 1) and the per-tap copy give the reference's result."""
    volume, filters, bias = _case(13, 14, 8, 4)
    g = conv_geometry(13, 14, (3, 3), stride=stride, padding=2, dilation=dilation)
    expected = conv2d_reference(volume, filters, bias, stride=stride, padding=2, dilation=dilation)
    np.testing.assert_allclose(_im2col.conv_small(volume, filters, bias, g), expected, atol=5e-5, rtol=1e-5)


def test_a_read_only_unpadded_input_is_read_in_place():
    """Without padding the input itself is read (even read-only) and left unchanged."""
    volume, filters, bias = _case(10, 11, 8, 4)
    volume.setflags(write=False)
    g = conv_geometry(10, 11, (3, 3))
    expected = conv2d_reference(volume, filters, bias)
    np.testing.assert_allclose(_im2col.conv_small(volume, filters, bias, g), expected, atol=5e-5, rtol=1e-5)


@pytest.mark.parametrize("flip", ["rows", "columns"])
def test_flipped_planar_views_give_the_same_result(flip):
    """Planar views with a negative row or column stride give the result of their contiguous copy."""
    planes = np.random.default_rng(4).standard_normal((8, 12, 10)).astype(np.float32)  # (C, H, W)
    view = planes.transpose(1, 2, 0)[::-1] if flip == "rows" else planes.transpose(1, 2, 0)[:, ::-1]
    _, filters, bias = _case(12, 10, 8, 4)
    g = conv_geometry(12, 10, (3, 3), padding=1)
    expected = _im2col.conv_small(np.ascontiguousarray(view), filters, bias, g)
    np.testing.assert_array_equal(_im2col.conv_small(view, filters, bias, g), expected)
