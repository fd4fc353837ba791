"""Per-channel maps (each channel of a volume correlated with its kernel slice) and their sums (private).

Stride 1 uses ``cv2.filter2D`` on each plane: the fastest method measured here for one or two filters
(about 2x faster than the im2col product for one filter). The output rows are cut into strips of a few
dozen rows; for each strip the input rows it reads (plus a halo of kernel rows) are de-interleaved into a
small per-thread buffer and filtered channel by channel. The strips stay in cache, need no full planar
copy of the volume, and are shared out over threads (``filter2D`` itself runs on one). Larger strides add
up strided views of the padded planes, one per tap, which computes only the positions the stride keeps.
"""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np

from convviz.ops._fast.gemm import padded_planes
from convviz.ops._fast.threads import n_workers, run_parallel
from convviz.ops.shapes import Geometry

__all__ = ["channel_maps", "summed_maps"]

# Bytes of de-interleaved input per strip (all channels); 256 KiB to 16 MiB measured within the noise here.
_STRIP_BYTES = 2 << 20
# Below this many output values (per channel), waking a helper thread cost more than it saved on the busy
# machine here (512x512: 3.2 ms with a helper against 1.0 ms for plain cv2.filter2D calls).
_PARALLEL_MIN_OUTPUTS = 1 << 20


def _deinterleave(rows: np.ndarray, buffer: np.ndarray) -> np.ndarray:
    """Copy (n, W, C) rows into the planes of ``buffer`` (C, >= n, W); return the (C, n, W) part."""
    n, _, c = rows.shape
    planes = buffer[:, :n]  # (C, n, W), each plane contiguous
    if 1 < c <= 4:  # cv2.split de-interleaves up to 4 channels in one pass
        written = cv2.split(rows, list(planes))
        assert all(np.shares_memory(p, buffer) for p in written)
    else:
        planes[...] = rows.transpose(2, 0, 1)  # (C, n, W)
    return planes


def _dilated(kernel2d: np.ndarray, g: Geometry) -> np.ndarray:
    """Insert (d-1) zeros between taps: (kh, kw) -> (d(kh-1)+1, d(kw-1)+1), contiguous float32."""
    if g.dh == 1 and g.dw == 1:
        return np.ascontiguousarray(kernel2d)
    spread = np.zeros((g.dh * (g.kh - 1) + 1, g.dw * (g.kw - 1) + 1), dtype=np.float32)
    spread[:: g.dh, :: g.dw] = kernel2d
    return spread


def _filter(plane: np.ndarray, kernel: np.ndarray, g: Geometry) -> np.ndarray:
    """One stride-1 map with cv2.filter2D: plane (H, W), dilated kernel, padding of ``g`` -> (H', W') view."""
    span_h, span_w = kernel.shape
    # filter2D computes F[y, x] = sum k[i, j] * src[y + i - ay, x + j - ax], zero outside src. With the
    # anchor at the top/left padding (capped to the kernel) F is our padded correlation; padding the anchor
    # cannot cover is added to src explicitly. The output is F's top-left H' x W' corner.
    ay, ax = min(g.pt, span_h - 1), min(g.pl, span_w - 1)
    top, left = g.pt - ay, g.pl - ax
    bottom = max(0, g.pb - (span_h - 1) + ay)
    right = max(0, g.pr - (span_w - 1) + ax)
    if top or left or bottom or right:
        plane = cv2.copyMakeBorder(plane, top, bottom, left, right, cv2.BORDER_CONSTANT, value=0)
    full = cv2.filter2D(plane, cv2.CV_32F, kernel, anchor=(ax, ay), borderType=cv2.BORDER_CONSTANT)
    return full[: g.out_h, : g.out_w]


def _band(g: Geometry, a: int, b: int) -> tuple[slice, Geometry]:
    """Input rows and geometry of output rows a..b; rows outside the image become the band's padding."""
    span_h = g.dh * (g.kh - 1) + 1
    first, last = a - g.pt, b - 1 - g.pt + span_h  # padded-input rows the band reads, as image rows
    lo, hi = max(0, first), min(g.height, last)
    band = dataclasses.replace(g, height=hi - lo, pt=lo - first, pb=last - hi, out_h=b - a)
    return slice(lo, hi), band


def _stride1_maps(volume: np.ndarray, filters: np.ndarray, g: Geometry, emit) -> None:
    """Filter every channel strip by strip with every filter (K, kh, kw, C).

    ``emit(k, rows, strip_maps)`` takes the C maps of filter k for output rows ``rows``; ``strip_maps`` is
    None for a strip that reads padding only (its maps are 0). Each strip is de-interleaved once.
    """
    c = volume.shape[2]
    kernels = [[_dilated(f[..., ch], g) for ch in range(c)] for f in filters]
    span_h = g.dh * (g.kh - 1) + 1
    parallel = len(filters) * g.out_h * g.out_w >= _PARALLEL_MIN_OUTPUTS
    # Strips of at most _STRIP_BYTES of input, and at least 2 * C strips per thread, so that the buffers
    # and strip maps of all threads together stay within about one output map (16 rows at the least).
    strip = max(16, min(_STRIP_BYTES // (volume.itemsize * g.width * c),
                        -(-g.out_h // (2 * c * (n_workers() if parallel else 1)))))

    def setup() -> np.ndarray:
        return np.empty((c, min(strip + span_h - 1, g.height), g.width), dtype=np.float32)  # (C, rows, W)

    def work(item: int, buffer: np.ndarray) -> None:
        a = item * strip
        b = min(a + strip, g.out_h)
        rows, band = _band(g, a, b)
        planes = _deinterleave(volume[rows], buffer) if band.height > 0 else None  # (C, rows, W)
        for k, per_channel in enumerate(kernels):
            emit(k, slice(a, b), None if planes is None else
                 [_filter(planes[ch], kernel, band) for ch, kernel in enumerate(per_channel)])

    run_parallel(work, -(-g.out_h // strip), setup, parallel=parallel)


def channel_maps(volume: np.ndarray, kernel: np.ndarray, g: Geometry) -> np.ndarray:
    """Per-channel maps of one filter: volume (H, W, C), kernel (kh, kw, C) -> planar (C, H', W')."""
    c = volume.shape[2]
    maps = np.empty((c, g.out_h, g.out_w), dtype=np.float32)  # (C, H', W')
    if (g.sh, g.sw) == (1, 1):
        def emit(_k, rows, strip_maps):
            for ch in range(c):
                maps[ch, rows] = 0 if strip_maps is None else strip_maps[ch]

        _stride1_maps(volume, kernel[None], g, emit)
        return maps
    hp, wp = g.padded_shape
    planes = padded_planes(volume, g)  # (C, Hp*Wp)
    tmp = np.empty((g.out_h, g.out_w), dtype=np.float32)  # (H', W')
    for ch in range(c):
        plane, out = planes[ch].reshape(hp, wp), maps[ch]
        out[...] = 0
        for i in range(g.kh):
            for j in range(g.kw):
                np.multiply(plane[g.tap(i, j)], kernel[i, j, ch], out=tmp)
                out += tmp
    return maps


def summed_maps(volume: np.ndarray, filters: np.ndarray, bias: np.ndarray, g: Geometry) -> np.ndarray:
    """conv2d at stride 1 as per-channel maps added in channel order, plus bias -> planar (K, H', W').

    Holds per-channel maps of one strip only; for a few filters this beats the im2col product.
    """
    assert (g.sh, g.sw) == (1, 1)
    out = np.empty((len(filters), g.out_h, g.out_w), dtype=np.float32)  # (K, H', W')

    def emit(k, rows, strip_maps):
        target = out[k, rows]
        if strip_maps is None:
            target[...] = 0
        elif len(strip_maps) == 1:
            target[...] = strip_maps[0]
        else:  # ((m0 + m1) + m2) + ...: the order in which maps.sum(axis=-1) adds them
            np.add(strip_maps[0], strip_maps[1], out=target)
            for strip_map in strip_maps[2:]:
                target += strip_map
        if bias[k]:
            target += bias[k]

    _stride1_maps(volume, filters, g, emit)
    return out
