"""The fast kernels behind :mod:`convviz.conv` (private): strip im2col + GEMM, and per-channel maps.

All functions take already validated float32 arrays and a resolved :class:`~convviz.shapes.Geometry`, and
write into an output buffer given by the caller. No float64 anywhere.
"""

from __future__ import annotations

import cv2
import numpy as np

from convviz.shapes import Geometry

__all__ = ["channel_map", "channel_maps", "conv_gemm", "padded_planar", "split_planes"]

# Bytes of im2col block per strip: small enough to stay in the 1-2 MiB L2 cache while the GEMM reads it.
_STRIP_BYTES = 1 << 20


def padded_planar(volume: np.ndarray, g: Geometry) -> np.ndarray:
    """Zero-padded planar copy of ``volume``: (H, W, C) -> (C, H + pt + pb, W + pl + pr) float32."""
    c = volume.shape[2]
    hp, wp = g.padded_shape
    planar = np.empty((c, hp, wp), dtype=np.float32)  # (C, Hp, Wp)
    # Zero only the border, then write the interior once (cv2.split de-interleaves faster than a transpose).
    planar[:, : g.pt] = 0
    planar[:, hp - g.pb:] = 0
    planar[:, :, : g.pl] = 0
    planar[:, :, wp - g.pr:] = 0
    interior = planar[:, g.pt: g.pt + g.height, g.pl: g.pl + g.width]
    if c == 1:
        interior[0] = volume[..., 0]
    else:
        interior[...] = volume.transpose(2, 0, 1)
    return planar


def _tap_view(plane: np.ndarray, g: Geometry, i: int, j: int, r0: int, rows: int) -> np.ndarray:
    """The padded-input values that tap (i, j) meets for output rows r0..r0+rows: shape (rows, W')."""
    y0 = r0 * g.sh + i * g.dh
    x0 = j * g.dw
    return plane[y0: y0 + (rows - 1) * g.sh + 1: g.sh, x0: x0 + (g.out_w - 1) * g.sw + 1: g.sw]


def conv_gemm(planar: np.ndarray, filters: np.ndarray, bias: np.ndarray, g: Geometry,
              out: np.ndarray) -> None:
    """Cross-correlate a padded planar input with a filter bank into ``out``.

    Parameters
    ----------
    planar : ndarray, shape (C, Hp, Wp), float32
        From :func:`padded_planar`.
    filters : ndarray, shape (K, kh, kw, C), float32
    bias : ndarray, shape (K,), float32
    g : Geometry
    out : ndarray, shape (H', W', K), float32, C-contiguous
        Written in place.
    """
    n_filters, kh, kw, c = filters.shape
    depth = c * kh * kw + 1
    # Weight matrix, columns ordered (c, i, j) like the im2col rows below, bias as the last column.
    weights = np.empty((n_filters, depth), dtype=np.float32)  # (K, C*kh*kw + 1)
    weights[:, :-1] = filters.transpose(0, 3, 1, 2).reshape(n_filters, depth - 1)  # (K, C*kh*kw)
    weights[:, -1] = bias
    weights_t = weights.T  # (C*kh*kw + 1, K)
    strip_rows = max(1, min(g.out_h, _STRIP_BYTES // (4 * depth * g.out_w)))
    cols = np.empty((depth, strip_rows * g.out_w), dtype=np.float32)  # (C*kh*kw + 1, rows*W')
    cols[-1] = 1.0  # multiplies the bias column
    out_rows = out.reshape(g.out_h, g.out_w * n_filters)  # (H', W'*K)
    for r0 in range(0, g.out_h, strip_rows):
        rows = min(strip_rows, g.out_h - r0)
        block = cols[:, : rows * g.out_w]
        index = 0
        for ch in range(c):
            plane = planar[ch]
            for i in range(kh):
                for j in range(kw):
                    block[index].reshape(rows, g.out_w)[...] = _tap_view(plane, g, i, j, r0, rows)
                    index += 1
        target = out_rows[r0: r0 + rows].reshape(rows * g.out_w, n_filters)  # (rows*W', K)
        np.matmul(block.T, weights_t, out=target)


def _dilated(kernel2d: np.ndarray, g: Geometry) -> np.ndarray:
    """Insert (d-1) zeros between taps: (kh, kw) -> (d(kh-1)+1, d(kw-1)+1)."""
    if g.dh == 1 and g.dw == 1:
        return np.ascontiguousarray(kernel2d)
    spread = np.zeros((g.dh * (g.kh - 1) + 1, g.dw * (g.kw - 1) + 1), dtype=np.float32)
    spread[:: g.dh, :: g.dw] = kernel2d
    return spread


def _channel_map_cv2(plane: np.ndarray, kernel2d: np.ndarray, g: Geometry, out: np.ndarray) -> None:
    """One stride-1 channel map with cv2.filter2D: plane (H, W), kernel (kh, kw) -> out (H', W')."""
    kernel = _dilated(kernel2d, g)
    span_h, span_w = kernel.shape
    # filter2D computes F[y, x] = sum k[i, j] * src[y + i - ay, x + j - ax], zero outside src. With the
    # anchor at the top/left padding (capped to the kernel) F is our padded correlation; padding the anchor
    # cannot cover is added to src explicitly.
    ay, ax = min(g.pt, span_h - 1), min(g.pl, span_w - 1)
    top, left = g.pt - ay, g.pl - ax
    bottom = max(0, g.pb - (span_h - 1) + ay)
    right = max(0, g.pr - (span_w - 1) + ax)
    if top or left or bottom or right:
        plane = cv2.copyMakeBorder(plane, top, bottom, left, right, cv2.BORDER_CONSTANT, value=0)
    full = cv2.filter2D(plane, cv2.CV_32F, kernel, anchor=(ax, ay), borderType=cv2.BORDER_CONSTANT)
    out[...] = full[: g.out_h, : g.out_w]


def _channel_map_taps(plane: np.ndarray, kernel2d: np.ndarray, g: Geometry, out: np.ndarray) -> None:
    """One strided channel map by accumulating shifted, strided views: plane (Hp, Wp) padded -> (H', W')."""
    tmp = np.empty_like(out)
    out[...] = 0
    for i in range(g.kh):
        for j in range(g.kw):
            np.multiply(_tap_view(plane, g, i, j, 0, g.out_h), kernel2d[i, j], out=tmp)
            out += tmp


def split_planes(volume: np.ndarray) -> list[np.ndarray]:
    """Contiguous (H, W) planes of an (H, W, C) volume (cv2.split de-interleaves up to 4 channels at once)."""
    c = volume.shape[2]
    if 1 < c <= 4:
        return list(cv2.split(volume))
    return [np.ascontiguousarray(volume[..., ch]) for ch in range(c)]


def channel_map(plane: np.ndarray, kernel2d: np.ndarray, g: Geometry, out: np.ndarray) -> None:
    """One stride-1 channel map: unpadded plane (H, W), kernel (kh, kw) -> out (H', W'), with cv2.filter2D."""
    assert (g.sh, g.sw) == (1, 1)
    _channel_map_cv2(plane, kernel2d, g, out)


def channel_maps(volume: np.ndarray, kernel: np.ndarray, g: Geometry, out: np.ndarray) -> None:
    """Per-channel maps of one filter, planar: volume (H, W, C), kernel (kh, kw, C) -> out (C, H', W').

    Stride 1 uses cv2.filter2D on each unpadded plane (the fastest path measured here); larger strides
    accumulate strided views of the padded planes, which skips the positions the stride drops.
    """
    c = volume.shape[2]
    if (g.sh, g.sw) == (1, 1):
        for ch, plane in enumerate(split_planes(volume)):
            _channel_map_cv2(plane, kernel[..., ch], g, out[ch])
        return
    planar = padded_planar(volume, g)
    for ch in range(c):
        _channel_map_taps(planar[ch], kernel[..., ch], g, out[ch])
