"""Map pictures that keep thin edges, and the grey view of maps without negative values.

- :func:`keep_extremes` shrinks a signed map by keeping, in each block of ``f x f`` values, the one of
  largest ``|v|`` (area averaging, as for photos, would wash a one-pixel edge out to a fifth of its value on a
  5x shrink). Used for every map drawn on the diverging ramp.
- :func:`grey` draws a map whose values are all >= 0 (identity, blur, ReLU outputs) like a photo: black at 0,
  white at ``+scale``, shrunk by area averaging (it is a picture of intensities).

Pure compute: ``(H, W)`` float maps in, ``(h, w, 3)`` uint8 RGB or JPEG bytes out.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np

from ui.draw.pictures import (
    DISPLAY_SIDE,
    DIVERGING_LUT,
    JPEG_QUALITY,
    colorize,
    display_size,
    encode_jpeg,
    encode_png,
)

__all__ = ["GREY_ZERO", "RAMP_ZERO", "grey", "grey_bar", "grey_values", "keep_extremes", "map_pixels",
           "picture", "shrink", "shrunk_pixels"]

#: The colour of the value 0 on the diverging ramp and on the grey view (see ui.draw.scale.visible_share).
RAMP_ZERO = tuple(int(v) for v in DIVERGING_LUT[128])
GREY_ZERO = (0, 0, 0)


def keep_extremes(m: np.ndarray, side: int = DISPLAY_SIDE) -> np.ndarray:
    """Shrink an ``(H, W)`` map so its long side is at most `side`, keeping each block's value of largest |v|.

    The block is ``f x f`` with ``f = ceil(max(H, W) / side)``; the sign is kept (a block holding -3 and +1
    becomes -3). Maps that already fit are returned as they are; tiny maps are enlarged (nearest) as in
    :func:`ui.draw.pictures.fit_for_display`.

    Returns
    -------
    ndarray, shape (ceil(H / f), ceil(W / f)), float32

    Examples
    --------
    >>> m = np.zeros((4, 4), np.float32); m[1, 2] = -3.0; m[0, 3] = 1.0
    >>> keep_extremes(m, 2).tolist()
    [[0.0, -3.0], [0.0, 0.0]]
    """
    h, w = m.shape
    longest = max(h, w)
    if longest <= side:
        dh, dw = display_size(h, w, side)
        if (dh, dw) == (h, w):
            return m
        return cv2.resize(np.asarray(m, np.float32), (dw, dh), interpolation=cv2.INTER_NEAREST)
    f = -(-longest // side)
    m = np.asarray(m, dtype=np.float32)
    # Pad to whole blocks with the edge values (they never beat the block's own extremes), then take the
    # max and the min of every block with a rectangular dilation/erosion anchored at the block's corner.
    ph, pw = -h % f, -w % f
    if ph or pw:
        m = cv2.copyMakeBorder(m, 0, ph, 0, pw, cv2.BORDER_REPLICATE)
    kernel = np.ones((f, f), np.uint8)
    hi = cv2.dilate(m, kernel, anchor=(0, 0), borderType=cv2.BORDER_REPLICATE)[::f, ::f]
    lo = cv2.erode(m, kernel, anchor=(0, 0), borderType=cv2.BORDER_REPLICATE)[::f, ::f]
    return np.where(hi >= -lo, hi, lo)


def grey(m: np.ndarray, scale: float, side: int = DISPLAY_SIDE) -> np.ndarray:
    """A map of values >= 0 as a grey picture ``(h, w, 3)`` uint8: 0 black, ``+scale`` and above white.

    Shrunk by area averaging (enlarged, nearest) to its display size. Negative values (there should be none)
    are drawn black.

    Examples
    --------
    >>> np.unique(grey(np.array([[0.0, 0.5, 2.0]], np.float32), 1.0)).tolist()
    [0, 128, 255]
    """
    return grey_values(shrink(m, side, grey_view=True), scale)


def grey_values(m: np.ndarray, scale: float) -> np.ndarray:
    """:func:`grey` at one pixel per value ``(H, W)`` -> ``(H, W, 3)`` uint8 (no resizing)."""
    m = np.asarray(m, dtype=np.float32)
    alpha = 255.0 / scale if scale > 0 else 0.0
    g = cv2.convertScaleAbs(np.maximum(m, 0), alpha=alpha)  # saturates at 255
    return np.repeat(g[..., None], 3, axis=2)


def map_pixels(m: np.ndarray, scale: float, side: int = DISPLAY_SIDE, *,
               grey_view: bool = False) -> np.ndarray:
    """The displayed picture of a map, ``(h, w, 3)`` uint8 RGB: :func:`grey` or the ramp of extremes."""
    return shrunk_pixels(shrink(m, side, grey_view=grey_view), scale, grey_view=grey_view)


def shrink(m: np.ndarray, side: int = DISPLAY_SIDE, *, grey_view: bool = False) -> np.ndarray:
    """The scale-free half of :func:`map_pixels`: ``(H, W)`` -> the ``(h, w)`` float32 values drawn (the
    grey view averages blocks, the ramp keeps each block's extreme). A page keeps it while only the colour
    scale changes, e.g. a thumbnail when another filter's edit moves the shared scale."""
    if not grey_view:
        return keep_extremes(m, side)
    h, w = m.shape
    dh, dw = display_size(h, w, side)
    m = np.asarray(m, dtype=np.float32)
    if (dh, dw) != (h, w):
        m = cv2.resize(m, (dw, dh), interpolation=cv2.INTER_AREA if dh < h else cv2.INTER_NEAREST)
    return m


def shrunk_pixels(values: np.ndarray, scale: float, *, grey_view: bool = False) -> np.ndarray:
    """Colour the output of :func:`shrink`: ``(h, w)`` -> ``(h, w, 3)`` uint8 RGB."""
    return grey_values(values, scale) if grey_view else colorize(values, scale)


def picture(m: np.ndarray, scale: float, side: int = DISPLAY_SIDE, *, grey_view: bool = False,
            quality: int = JPEG_QUALITY) -> bytes:
    """:func:`map_pixels` as JPEG bytes."""
    return encode_jpeg(map_pixels(m, scale, side, grey_view=grey_view), quality)


@functools.cache
def grey_bar(width: int = 512, height: int = 22) -> bytes:
    """The grey view's legend: black (0) on the left to white (+scale) on the right, as PNG bytes."""
    ramp = np.linspace(0, 255, width).round().astype(np.uint8)  # (width,)
    bar = np.broadcast_to(ramp[None, :, None], (height, width, 3))
    return encode_png(np.ascontiguousarray(bar))
