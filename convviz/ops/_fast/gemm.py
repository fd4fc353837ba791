"""Convolution of a volume with a filter bank as row strips of im2col + one matrix product each (private).

For a strip of output rows, every tap (c, i, j) of the filter contributes one row of the im2col block: the
input values that tap meets for each output position of the strip. With a last row of ones for the bias, the
strip's output is one product ``weights (K, C*kh*kw + 1) @ block (C*kh*kw + 1, n)``, written straight into a
planar ``(K, H', row)`` result. Strips are sized for the L2 cache.

The input is never copied whole: each thread takes bands of a few dozen output rows, pads and
de-interleaves just the input rows of its band into a small planar buffer (cv2.copyMakeBorder then
cv2.split), and runs the strips of that band from it. That keeps the work parallel, in cache, and free of
an input-sized copy (converting a whole 12 MP image to padded planes took ~50 ms on one core here).

At stride 1 the block is built from the *flattened* padded planes: output positions run over the whole
padded row (``row = W + pl + pr``), so a tap's row is one contiguous slice of its plane and the block of a
strip is a single strided copy. The ``dw*(kw-1)`` extra positions per row are discarded by slicing the
result (a view, no copy); slack after each plane keeps the last slices in bounds.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.lib.stride_tricks import as_strided

from convviz.ops._fast.threads import run_parallel
from convviz.ops.shapes import Geometry

__all__ = ["conv_gemm", "padded_planes"]

# Bytes of im2col block per strip: the block is written, then read by the product, while in L2 (1 MiB a core).
_STRIP_BYTES = 1 << 20
# Bytes of padded planar input per band (several strips share one band's copy of the input rows).
_BAND_BYTES = 2 << 20
# Below this many output values a single thread is faster than handing strips to the pool.
_PARALLEL_MIN_OUTPUTS = 1 << 16


def _pad_rows(rows: np.ndarray, top: int, bottom: int, g: Geometry, planes: np.ndarray) -> None:
    """Write image rows (n, W, C) with ``top``/``bottom`` zero rows and the side padding of ``g`` into
    ``planes`` (C, >= (top + n + bottom) * Wp), row after row."""
    c = rows.shape[2]
    wp = g.padded_shape[1]
    n = top + rows.shape[0] + bottom
    grids = [planes[ch, : n * wp].reshape(n, wp) for ch in range(c)]  # contiguous (n, Wp) planes
    if 1 < c <= 4:  # one cv2 pass pads, one de-interleaves into the planes
        padded = cv2.copyMakeBorder(rows, top, bottom, g.pl, g.pr, cv2.BORDER_CONSTANT, value=0)
        written = cv2.split(padded, grids)
        # cv2 wrote into our planes, not new arrays (a pointer check: np.shares_memory costs ~0.2 ms here).
        assert all(p.ctypes.data == q.ctypes.data for p, q in zip(written, grids, strict=True))
        return
    for ch, grid in enumerate(grids):
        grid[:top] = 0
        grid[n - bottom:] = 0
        grid[:, : g.pl] = 0
        grid[:, wp - g.pr:] = 0
        grid[top: n - bottom, g.pl: wp - g.pr] = rows[..., ch]


def padded_planes(volume: np.ndarray, g: Geometry) -> np.ndarray:
    """Zero-padded planes of ``volume``, flattened: (H, W, C) -> (C, Hp*Wp) float32.

    ``planes[c].reshape(Hp, Wp)`` is channel c with the padding of ``g``.
    """
    hp, wp = g.padded_shape
    planes = np.empty((volume.shape[2], hp * wp), dtype=np.float32)  # (C, Hp*Wp)
    _pad_rows(volume, g.pt, g.pb, g, planes)
    return planes


def _weight_matrix(filters: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """(K, kh, kw, C) filters and (K,) bias -> (K, C*kh*kw + 1), columns in im2col row order (c, i, j)."""
    n_filters = filters.shape[0]
    weights = np.empty((n_filters, filters[0].size + 1), dtype=np.float32)  # (K, C*kh*kw + 1)
    weights[:, :-1] = filters.transpose(0, 3, 1, 2).reshape(n_filters, -1)  # (K, C*kh*kw)
    weights[:, -1] = bias
    return weights


def conv_gemm(volume: np.ndarray, filters: np.ndarray, bias: np.ndarray, g: Geometry) -> np.ndarray:
    """Cross-correlate ``volume`` (H, W, C) with ``filters`` (K, kh, kw, C) plus ``bias`` (K,).

    Inputs are validated float32 arrays and ``g`` their resolved geometry. Returns an (H', W', K) float32
    view of a planar (K, H', row) buffer, so each map ``out[..., k]`` has contiguous rows.
    """
    n_filters, kh, kw, c = filters.shape
    wp = g.padded_shape[1]
    flat = (g.sh, g.sw) == (1, 1)
    row = wp if flat else g.out_w  # output positions computed per output row
    weights = _weight_matrix(filters, bias)  # (K, depth)
    depth = weights.shape[1]
    out = np.empty((n_filters, g.out_h, row), dtype=np.float32)  # (K, H', row)

    span_h = g.dh * (kh - 1) + 1
    strip_rows = max(1, min(g.out_h, _STRIP_BYTES // (4 * depth * row)))
    band_rows = strip_rows * max(1, _BAND_BYTES // (4 * c * wp * g.sh * strip_rows))
    band_rows = min(band_rows, g.out_h)  # a small image needs no band buffer sized for a big one
    in_rows = (band_rows - 1) * g.sh + span_h  # padded input rows one band reads
    plane = in_rows * wp + (g.dw * (kw - 1) if flat else 0)  # flattened band plane, with slack

    def taps(planes: np.ndarray, y0: int, rows: int) -> np.ndarray:
        """Read-only im2col view of ``rows`` output rows from padded band row ``y0``: (C, kh, kw, ...)."""
        if flat:  # rows are consecutive in the flattened plane; the last one may reach into the slack
            assert y0 * wp + (kh - 1) * g.dh * wp + (kw - 1) * g.dw + rows * wp <= plane
            shape = (c, kh, kw, rows * wp)
            strides = (plane, g.dh * wp, g.dw, 1)
        else:
            shape = (c, kh, kw, rows, row)
            strides = (plane, g.dh * wp, g.dw, g.sh * wp, g.sw)
        start = planes.reshape(-1)[y0 * wp:]
        return as_strided(start, shape, tuple(s * planes.itemsize for s in strides), writeable=False)

    def setup() -> tuple[np.ndarray, np.ndarray]:
        # Zeroed once, so the slack (and rows a short last band leaves) hold finite values.
        planes = np.zeros((c, plane), dtype=np.float32)  # (C, band rows * Wp + slack)
        block = np.empty((depth, strip_rows * row), dtype=np.float32)  # (C*kh*kw + 1, rows*row)
        block[-1] = 1.0  # multiplies the bias column
        return planes, block

    def work(item: int, state: tuple[np.ndarray, np.ndarray]) -> None:
        planes, block = state
        a = item * band_rows
        b = min(a + band_rows, g.out_h)
        first = a * g.sh - g.pt  # image row of the band's first padded row (may be negative)
        last = (b - 1) * g.sh + span_h - g.pt
        lo, hi = max(0, first), min(g.height, last)
        if hi > lo:
            _pad_rows(volume[lo:hi], lo - first, last - hi, g, planes)
        else:  # the band reads padding only
            planes[:, : (last - first) * wp] = 0
        for r0 in range(a, b, strip_rows):
            rows = min(strip_rows, b - r0)
            cols = block[:, : rows * row]
            source = taps(planes, (r0 - a) * g.sh, rows)
            target = cols[:-1].reshape(source.shape)  # a view: only whole axes are split
            assert target.ctypes.data == block.ctypes.data  # not a copy (O(1), unlike np.shares_memory)
            target[...] = source  # one strided copy for the whole block (NumPy releases the GIL)
            np.matmul(weights, cols, out=out[:, r0: r0 + rows].reshape(n_filters, rows * row))

    n_bands = -(-g.out_h // band_rows)
    run_parallel(work, n_bands, setup, parallel=n_filters * g.out_h * g.out_w >= _PARALLEL_MIN_OUTPUTS)
    return out.transpose(1, 2, 0)[:, : g.out_w]  # (H', W', K)
