"""Colour scales that show a map's content, and a measure of how much of a picture is visibly coloured.

A map's colour scale used to be its largest ``|value|``. On real photos that value usually sits on the
padding border (a window half over zeros sees a full step from the image to 0), or on a few pixels of
glare, and the bulk of the map is then drawn within a few percent of the zero colour: the picture looks
blank. The *bulk* rule takes a high percentile of ``|v|`` (:data:`BULK_PERCENTILE`) over the map away from
the padding border; values beyond it are drawn at the end colours, and :func:`clipped_share` says how many.

Everything here is pure compute on arrays (no session state): ``m`` is an ``(H, W)`` float map.

Examples
--------
>>> import numpy as np
>>> m = np.zeros((20, 20), np.float32); m[5:15, 10] = 1.0; m[0, 0] = 50.0   # one thin edge, one outlier
>>> s = bulk_abs(m, rows=slice(1, 19), cols=slice(1, 19))
>>> s, round(clipped_share(m, s), 4)
(1.0, 0.0025)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["BULK_PERCENTILE", "LONG_RATIO", "SCALE_RULES", "VISIBLE_L1", "WINDOW_RATIO", "MapScale",
           "bulk_abs", "clipped_count", "clipped_share", "nice_scale", "visible_share", "window"]

#: The percentile of ``|v|`` the bulk rule covers.
BULK_PERCENTILE = 99.5
#: "bulk": the percentile above; "max": the exact largest ``|v|``.
SCALE_RULES = ("bulk", "max")
#: A displayed pixel is *visibly coloured* when its R, G and B differ from the zero colour by more than
#: this in total (L1 distance in 0..255 units; JPEG noise around the zero colour stays below ~10).
VISIBLE_L1 = 24
#: Pictures longer than this many times their width are shown through a window (see :func:`window`) ...
LONG_RATIO = 2.5
#: ... this many times as long as wide: near a square, so a panorama's maps are as tall as a photo's.
WINDOW_RATIO = 1.5
#: The percentile is estimated on at most about this many values (a strided sample): ~1 ms per map, where
#: the whole of a 1 MP map takes ~15 ms. The clipped share is always counted on every value.
_SAMPLE = 1 << 17


def nice_scale(s: float) -> float:
    """`s` rounded *up* to two significant digits (0 stays 0): a legend people can read, and a scale that
    small edits rarely change, so most pictures keep their bytes.

    Examples
    --------
    >>> nice_scale(3.4721), nice_scale(0.0123), nice_scale(0.0)
    (3.5, 0.013, 0.0)
    >>> nice_scale(1e-30), nice_scale(2.31e-300), nice_scale(1e30)   # never rounded to 0 or off its digits
    (1e-30, 2.4e-300, 1e+30)
    """
    if not s > 0:
        return 0.0
    if not math.isfinite(s):
        return s
    exponent = math.floor(math.log10(s)) - 1  # of the second significant digit
    step = 10.0 ** exponent
    if step == 0.0:  # subnormal s: no room for a rounder number
        return s
    digits = math.ceil(s / step - 1e-9)  # 10..100
    # Written in decimal and read back: exact to the digits at any magnitude (rounding to a fixed number of
    # decimals turned a 1e-30 map's scale into 0, and its legend into "−0 · 0 · +0").
    nice = float(f"{digits}e{exponent}") if digits < 100 else float(f"1e{exponent + 2}")
    return max(nice, s) if math.isfinite(nice) else s


@dataclass(frozen=True)
class MapScale:
    """The colour half-range a map is drawn with, and what it cost.

    Attributes
    ----------
    scale : float
        Values at ``-scale`` and ``+scale`` get the end colours.
    clipped : int
        Values of the shown map beyond ``±scale`` (drawn at the end colours).
    size : int
        Values of the shown map.
    """

    scale: float
    clipped: int = 0
    size: int = 1

    @property
    def share(self) -> float:
        """Fraction of the shown values beyond ``±scale``."""
        return self.clipped / self.size if self.size else 0.0


def bulk_abs(m: np.ndarray, *, rows: slice = slice(None), cols: slice = slice(None),
             percentile: float = BULK_PERCENTILE) -> float:
    """A high percentile of ``|v|`` over ``m[rows, cols]`` (the part away from the padding border), rounded
    up with :func:`nice_scale`; 0.0 for an empty or all-zero part.

    Large maps are sampled with a regular stride (at most ~131 k values), enough for a 99.5th percentile to
    within a fraction of a percent of the values; the caller reports the true clipped share.

    Parameters
    ----------
    m : ndarray, shape (H, W)
    rows, cols : slice, optional
        The part of the map the statistic covers (see :func:`convviz.ops.shapes.interior`).
    percentile : float, optional
        In [0, 100].

    Returns
    -------
    float
    """
    part = m[rows, cols]
    if part.size == 0:
        part = m
    step = max(1, math.isqrt(part.size // _SAMPLE))
    sample = np.abs(part[::step, ::step], dtype=np.float32).ravel()
    if sample.size == 0:
        return 0.0
    k = min(sample.size - 1, max(0, math.ceil(percentile / 100 * sample.size) - 1))
    return nice_scale(float(np.partition(sample, k)[k]))


def clipped_count(m: np.ndarray, scale: float) -> int:
    """How many values of `m` lie beyond ``±scale`` (all non-zero values when the scale is 0)."""
    if not scale > 0:
        return int(np.count_nonzero(m))
    return int(np.count_nonzero(m > scale)) + int(np.count_nonzero(m < -scale))


def clipped_share(m: np.ndarray, scale: float) -> float:
    """Fraction of the values of `m` beyond ``±scale``."""
    return clipped_count(m, scale) / m.size if m.size else 0.0


def visible_share(rgb: np.ndarray, zero_rgb, threshold: int = VISIBLE_L1) -> float:
    """Fraction of the pixels of a picture whose colour differs visibly from the zero colour.

    Parameters
    ----------
    rgb : ndarray, shape (H, W, 3), uint8
        The picture as displayed (e.g. a decoded JPEG).
    zero_rgb : sequence of 3 ints
        The colour of the value 0 (near-white on the diverging ramp, black on the grey view).
    threshold : int, optional
        L1 distance (sum of the three channel differences, 0..765) above which a pixel counts.

    Returns
    -------
    float
        In [0, 1].

    Examples
    --------
    >>> pic = np.full((2, 2, 3), 247, np.uint8); pic[0, 0] = (200, 180, 230)
    >>> visible_share(pic, (247, 247, 247))
    0.25
    """
    diff = np.abs(rgb.astype(np.int16) - np.asarray(zero_rgb, dtype=np.int16)).sum(axis=-1)  # (H, W)
    return float(np.count_nonzero(diff > threshold)) / diff.size if diff.size else 0.0


def window(h: int, w: int, start: float, *, max_ratio: float = LONG_RATIO) -> tuple[slice, slice]:
    """A window of an ``h x w`` map at most `max_ratio` times longer than it is wide, for very wide or tall
    pictures (a 6000 x 600 panorama would otherwise be a sliver); the whole map when it already fits.

    Parameters
    ----------
    h, w : int
        Map size.
    start : float
        Where the window starts along the long side, from 0 (left/top) to 1 (right/bottom).
    max_ratio : float, optional
        Longest allowed side ratio.

    Returns
    -------
    (slice, slice)
        Rows and columns of the window.

    Examples
    --------
    >>> window(100, 1000, 0.5)
    (slice(0, 100, None), slice(375, 625, None))
    >>> window(100, 200, 0.5)
    (slice(0, 100, None), slice(0, 200, None))
    """
    start = min(max(float(start), 0.0), 1.0)
    if w > max_ratio * h:
        span = max(1, round(max_ratio * h))
        x0 = round(start * (w - span))
        return slice(0, h), slice(x0, x0 + span)
    if h > max_ratio * w:
        span = max(1, round(max_ratio * w))
        y0 = round(start * (h - span))
        return slice(y0, y0 + span), slice(0, w)
    return slice(0, h), slice(0, w)
