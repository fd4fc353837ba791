"""Convolution of a volume with a filter bank as row strips of im2col + one matrix product each (private).

For a strip of output rows, every tap (c, i, j) of the filter contributes one row of the im2col block: the
input values that tap meets for each output position of the strip. With a last row of ones for the bias, the
strip's output is one product ``weights (K, C*kh*kw + 1) @ block (C*kh*kw + 1, n)``, written straight into a
planar ``(K, H', row)`` result. Strips are sized to stay in the L2 cache and are shared out over threads.

At stride 1 the block is built from the *flattened* padded planes: output positions run over the whole
padded row (``row = W + pl + pr``), so a tap's row is one contiguous slice of its plane and the block of a
strip is a single strided copy. The ``dw*(kw-1)`` extra positions per row are discarded by slicing the
result (a view, no copy); a little slack after each plane keeps the last slices in bounds.

Measured on the 2-core machine (see docs/benchmarks.md): this beats writing an (H, W, K) result directly,
separate copies per tap, and per-strip copies out of a padded-width temporary.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from convviz._parallel import n_workers, run_parallel
from convviz.shapes import Geometry

__all__ = ["conv_gemm", "padded_planes"]

# Bytes of im2col block per strip: the block is written, then read by the product, while in L2 (1 MiB a core).
_STRIP_BYTES = 1 << 20
# Below this many output values a single thread is faster than handing strips to the pool.
_PARALLEL_MIN_OUTPUTS = 1 << 16


def padded_planes(volume: np.ndarray, g: Geometry, slack: int = 0) -> np.ndarray:
    """Zero-padded planes of ``volume``, flattened: (H, W, C) -> (C, Hp*Wp + slack) float32.

    ``planes[c, :Hp*Wp].reshape(Hp, Wp)`` is channel c with the padding of ``g``; ``slack`` zeros follow.
    """
    c = volume.shape[2]
    hp, wp = g.padded_shape
    planes = np.empty((c, hp * wp + slack), dtype=np.float32)  # (C, Hp*Wp + slack)
    planes[:, hp * wp:] = 0
    grid = planes[:, : hp * wp].reshape(c, hp, wp)  # (C, Hp, Wp), a view
    # Zero only the border, then write the interior once.
    grid[:, : g.pt] = 0
    grid[:, hp - g.pb:] = 0
    grid[:, :, : g.pl] = 0
    grid[:, :, wp - g.pr:] = 0
    grid[:, g.pt: g.pt + g.height, g.pl: g.pl + g.width] = volume.transpose(2, 0, 1)  # (C, H, W)
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
    hp, wp = g.padded_shape
    flat = (g.sh, g.sw) == (1, 1)
    row = wp if flat else g.out_w  # output positions computed per output row
    plane = hp * wp + (g.dw * (kw - 1) if flat else 0)
    planes = padded_planes(volume, g, plane - hp * wp)  # (C, plane)
    weights = _weight_matrix(filters, bias)  # (K, depth)
    depth = weights.shape[1]
    out = np.empty((n_filters, g.out_h, row), dtype=np.float32)  # (K, H', row)

    item = planes.itemsize
    strip_rows = max(1, min(g.out_h, _STRIP_BYTES // (item * depth * row)))
    starts = range(0, g.out_h, strip_rows)

    def taps(r0: int, rows: int) -> np.ndarray:
        """Read-only view of the im2col rows of output rows r0..r0+rows: (C, kh, kw, rows, row)."""
        y0 = r0 * g.sh * wp
        if flat:  # rows are consecutive in the flattened plane; the last one may reach into the slack
            assert y0 + (kh - 1) * g.dh * wp + (kw - 1) * g.dw + rows * wp <= plane
            shape = (c, kh, kw, rows * wp)
            strides = (plane, g.dh * wp, g.dw, 1)
        else:
            shape = (c, kh, kw, rows, row)
            strides = (plane, g.dh * wp, g.dw, g.sh * wp, g.sw)
        return as_strided(planes.reshape(-1)[y0:], shape, tuple(s * item for s in strides), writeable=False)

    def work(part: int, n_parts: int) -> None:
        block = np.empty((depth, strip_rows * row), dtype=np.float32)  # (C*kh*kw + 1, rows*row)
        block[-1] = 1.0  # multiplies the bias column
        for r0 in starts[part::n_parts]:
            rows = min(strip_rows, g.out_h - r0)
            cols = block[:, : rows * row]
            source = taps(r0, rows)
            target = cols[:-1].reshape(source.shape)  # a view: only whole axes are split
            assert np.shares_memory(target, block)
            target[...] = source  # one strided copy for the whole block (NumPy releases the GIL)
            np.matmul(weights, cols, out=out[:, r0: r0 + rows].reshape(n_filters, rows * row))

    parallel = n_filters * g.out_h * g.out_w >= _PARALLEL_MIN_OUTPUTS
    run_parallel(work, min(n_workers(), len(starts)) if parallel else 1)
    return out.transpose(1, 2, 0)[:, : g.out_w]  # (H', W', K)
