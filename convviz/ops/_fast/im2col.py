"""Convolution of a small volume as one im2col matrix and one matrix product (private).

For small outputs (a 64x64 photo through a Tiny VGG, a teaching example) the strip and band machinery of
:mod:`convviz.ops._fast.gemm`, sized for megapixel images, costs more than the arithmetic. Here the volume is
padded once (``cv2.copyMakeBorder``, interleaved ``(Hp, Wp, C)``), the values each output pixel's window meets
are copied into an ``(H', W', kh, kw, C)`` buffer (one strided copy per kernel row, or per tap when the
columns are dilated), and one ``(H'*W', kh*kw*C) @ (kh*kw*C, K)`` product gives the interleaved ``(H', W',
K)`` result. No buffer is zero-filled: every element of the im2col buffer and of the result is written.

The product runs at one BLAS thread or at OpenBLAS's default count, whichever
:func:`convviz.ops._fast.threads.blas_timed` has timed faster for its shape: the second core made the
Tiny VGG forward ~1.4x faster on an idle machine but ~2.5x slower while another process kept a core busy
(measured, see ``docs/benchmarks.md``). Products under :data:`_TIMED_MIN_MACS` always run at one thread.
"""

from __future__ import annotations

import cv2
import numpy as np

from convviz.ops._fast.threads import blas_single_threaded, blas_timed
from convviz.ops.shapes import Geometry

__all__ = ["conv_small"]

# cv2.copyMakeBorder takes at most this many channels (CV_CN_MAX); wider volumes are padded with NumPy.
_CV2_MAX_CHANNELS = 512
# Products smaller than this many multiply-adds run at one BLAS thread without timing (OpenBLAS itself
# stays at one thread below ~0.26 M; the Tiny VGG's smallest product, conv1's, is 1.8 M).
_TIMED_MIN_MACS = 1 << 20


def _interleaved(volume: np.ndarray) -> np.ndarray:
    """``volume`` (H, W, C) as a C-contiguous array (itself if it is one)."""
    if volume.flags.c_contiguous:
        return volume
    if volume.strides[1] == volume.itemsize and 1 < volume.shape[2] <= _CV2_MAX_CHANNELS:
        # Planar maps with contiguous rows (what the strip paths return): cv2.merge interleaves 64x64x16
        # in ~0.03 ms against ~0.1 ms for np.ascontiguousarray's strided copy.
        return cv2.merge(list(np.moveaxis(volume, -1, 0)))  # (H, W, C)
    return np.ascontiguousarray(volume)


def _padded(volume: np.ndarray, g: Geometry) -> np.ndarray:
    """``volume`` (H, W, C) with the zero padding of ``g``: (Hp, Wp, C) float32, interleaved."""
    if not (g.pt or g.pb or g.pl or g.pr):
        return _interleaved(volume)
    if volume.shape[2] <= _CV2_MAX_CHANNELS:
        padded = cv2.copyMakeBorder(_interleaved(volume), g.pt, g.pb, g.pl, g.pr,
                                    cv2.BORDER_CONSTANT, value=0)
        return padded.reshape(*g.padded_shape, volume.shape[2])  # (Hp, Wp, C): cv2 drops a 1-channel axis
    return np.pad(volume, ((g.pt, g.pb), (g.pl, g.pr), (0, 0)))  # (Hp, Wp, C)


def _copy_kernel_rows(padded: np.ndarray, cols: np.ndarray, g: Geometry) -> None:
    """Fill ``cols`` (H', W', kh, kw, C) from C-contiguous ``padded`` (Hp, Wp, C); column dilation 1 only.

    What kernel row i meets at an output pixel is kw*C consecutive floats of one padded row, so each of the
    kh kernel rows is one copy of H'*W' elements of kw*C*4 bytes: 3x fewer (and longer) element copies than
    one per tap (conv1, 64x64x3: 0.033 ms against 0.093; 64x64x16: 0.081 against 0.119; measured).
    """
    assert padded.flags.c_contiguous and g.dw == 1
    out_h, out_w, kh, kw, c = cols.shape
    width = kw * c * padded.itemsize  # bytes of one kernel row at one pixel
    row_bytes, pixel_bytes = padded.strides[:2]
    spans = cols.reshape(out_h, out_w, kh, kw * c).view(f"V{width}")[..., 0]  # (H', W', kh)
    for i in range(kh):
        # (H', W') elements of `width` bytes: the kernel row i window of every output pixel, read in place.
        windows = np.ndarray((out_h, out_w), dtype=f"V{width}", buffer=padded, offset=i * g.dh * row_bytes,
                             strides=(g.sh * row_bytes, g.sw * pixel_bytes))
        spans[:, :, i] = windows


def conv_small(volume: np.ndarray, filters: np.ndarray, bias: np.ndarray, g: Geometry) -> np.ndarray:
    """Cross-correlate ``volume`` (H, W, C) with ``filters`` (K, kh, kw, C) plus ``bias`` (K,).

    Inputs are validated float32 arrays and ``g`` their resolved geometry. Returns a new C-contiguous
    (H', W', K) float32 array.
    """
    n_filters, kh, kw, c = filters.shape
    padded = _padded(volume, g)  # (Hp, Wp, C), C-contiguous
    cols = np.empty((g.out_h, g.out_w, kh, kw, c), dtype=np.float32)  # (H', W', kh, kw, C)
    if g.dw == 1:
        _copy_kernel_rows(padded, cols, g)
    else:
        # Seen as one C*4-byte element per pixel, a tap copies whole pixels in one loop (half the time of
        # H'*W' inner loops of C floats each, measured at C = 3..64).
        pixels = padded.view(f"V{4 * c}")[..., 0]  # (Hp, Wp)
        slots = cols.view(f"V{4 * c}")[..., 0]  # (H', W', kh, kw)
        for i in range(kh):
            for j in range(kw):
                slots[:, :, i, j] = pixels[g.tap(i, j)]  # (H', W') pixels
    weights = filters.reshape(n_filters, -1).T  # (kh*kw*C, K), rows in the (i, j, c) order of cols
    rows, depth = g.out_h * g.out_w, weights.shape[0]
    out = np.empty((rows, n_filters), dtype=np.float32)  # (H'*W', K)

    def product() -> None:
        np.matmul(cols.reshape(rows, depth), weights, out=out)

    if rows * depth * n_filters >= _TIMED_MIN_MACS:
        blas_timed((rows, depth, n_filters), product)
    else:
        with blas_single_threaded():
            product()
    out += bias
    return out.reshape(g.out_h, g.out_w, n_filters)  # (H', W', K)
