"""Explain one output value of a convolution: its window, the weights, the products and their sum.

Output value ``(y, x, k)`` of :func:`convviz.conv2d` is the sum over a ``kh x kw x C`` window of the
(zero-padded) input times filter ``k``, plus the filter's bias. :func:`explain_pixel` returns every number
of that sum and where the window sits in the input, so the app can highlight it and write the arithmetic
out.

The products are the exact float32 products; their sum is taken here in float32 in a fixed order, while
``conv2d``'s fast path may add them in another order, so the two can differ by float32 rounding (a few units
in the last place); on integer inputs such as the worked examples they are equal.

Examples
--------
>>> import numpy as np
>>> from convviz.ops.explain import explain_pixel
>>> grid = np.arange(9, dtype=np.float32).reshape(3, 3, 1)            # (H, W, C)
>>> e = explain_pixel(grid, np.ones((1, 2, 2, 1)), [0.5], y=1, x=1)
>>> e.window[..., 0].tolist(), e.total
([[4.0, 5.0], [7.0, 8.0]], 24.5)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convviz._validate import as_float32_volume, bias_vector, filter_bank, int_in_range
from convviz.errors import ConvvizValueError
from convviz.ops.pooling import pool_winners  # re-exported: the app explains pooling next to convolution
from convviz.ops.shapes import conv_geometry

__all__ = ["PixelExplanation", "explain_pixel", "flip_kernel", "pool_winners"]


@dataclass(frozen=True)
class PixelExplanation:
    """Every number behind one output value ``out[y, x, k]`` of a convolution.

    Attributes
    ----------
    y, x, k : int
        The output position and the filter index.
    window : ndarray, shape (kh, kw, C), float32
        The input values under the filter (0 where the window covers padding).
    weights : ndarray, shape (kh, kw, C), float32
        Filter ``k``.
    products : ndarray, shape (kh, kw, C), float32
        ``window * weights``, element by element.
    channel_sums : ndarray, shape (C,), float32
        The sum of the products in each channel: the values of the per-channel maps at ``(y, x)``.
    bias : float
        Filter ``k``'s bias.
    total : float
        Sum of all products plus the bias: the output value ``out[y, x, k]``.
    relu : float
        ``max(total, 0)``.
    rows, cols : ndarray of int, shapes (kh,) and (kw,)
        The input row of each kernel row and the input column of each kernel column (outside ``[0, H)`` or
        ``[0, W)`` where the window covers padding): the window to highlight.
    inside : ndarray of bool, shape (kh, kw)
        True where the kernel tap lies on the input, False where it lies on padding.
    """

    y: int
    x: int
    k: int
    window: np.ndarray
    weights: np.ndarray
    products: np.ndarray
    channel_sums: np.ndarray
    bias: float
    total: float
    relu: float
    rows: np.ndarray
    cols: np.ndarray
    inside: np.ndarray

    def __repr__(self) -> str:
        kh, kw, c = self.window.shape
        return (f"PixelExplanation(y={self.y}, x={self.x}, k={self.k}: {kh}x{kw}x{c} products "
                f"+ bias {self.bias:g} = {self.total:g})")


def explain_pixel(volume, filters, bias=None, *, y, x, k=0, stride=1, padding=0,
                  dilation=1) -> PixelExplanation:
    """Explain output value ``conv2d(volume, filters, bias, ...)[y, x, k]``.

    Parameters
    ----------
    volume : array_like, shape (H, W, C)
        The input volume (dtype policy of :func:`convviz.conv2d`: uint8 is rescaled to [0, 1]).
    filters : array_like, shape (K, kh, kw, C), (kh, kw, C) or (kh, kw)
        The filter bank, a single filter, or one 2D kernel used on every channel (as in
        :func:`convviz.conv2d`).
    bias : float or array_like of shape (K,), optional
        One bias per filter (a number is used for all); zeros if omitted.
    y, x : int
        The output position, ``0 <= y < H'`` and ``0 <= x < W'``.
    k : int, optional
        The filter index, ``0 <= k < K``.
    stride, padding, dilation
        As in :func:`convviz.conv2d` (ints, ``(h, w)`` pairs, and ``"valid"``/``"same"`` padding).

    Returns
    -------
    PixelExplanation
        The window, weights, products, per-channel sums, bias, total, ReLU and the window's input coordinates.

    Raises
    ------
    ConvvizValueError
        For bad shapes or settings, or a position outside the output.

    Examples
    --------
    >>> import numpy as np
    >>> e = explain_pixel(np.ones((3, 3, 2)), np.ones((3, 3, 2)), y=0, x=0, padding=1)
    >>> e.inside.sum(), e.total                    # the corner window covers 4 pixels of 2 channels
    (np.int64(4), 8.0)
    """
    volume = as_float32_volume(volume, "volume")
    h, w, c = volume.shape
    bank = filter_bank(filters, c)  # (K, kh, kw, C)
    n_filters, kh, kw, _ = bank.shape
    k = _index(k, n_filters, "k", "filters")
    b = float(bias_vector(bias, n_filters)[k])
    g = conv_geometry(h, w, (kh, kw), stride=stride, padding=padding, dilation=dilation)
    y = _index(y, g.out_h, "y", "output rows")
    x = _index(x, g.out_w, "x", "output columns")
    rows = y * g.sh - g.pt + g.dh * np.arange(kh)  # (kh,) input rows under the kernel rows
    cols = x * g.sw - g.pl + g.dw * np.arange(kw)  # (kw,)
    row_in = (rows >= 0) & (rows < h)
    col_in = (cols >= 0) & (cols < w)
    inside = row_in[:, None] & col_in[None, :]  # (kh, kw)
    window = np.zeros((kh, kw, c), dtype=np.float32)
    window[np.ix_(row_in, col_in)] = volume[np.ix_(rows[row_in], cols[col_in])]
    weights = bank[k]  # (kh, kw, C)
    products = window * weights  # (kh, kw, C)
    channel_sums = products.sum(axis=(0, 1), dtype=np.float32)  # (C,)
    total = float(np.float32(channel_sums.sum(dtype=np.float32) + np.float32(b)))
    return PixelExplanation(
        y=y, x=x, k=k, window=window, weights=weights.copy(), products=products, channel_sums=channel_sums,
        bias=b, total=total, relu=max(total, 0.0), rows=rows, cols=cols, inside=inside,
    )


def _index(value, size: int, name: str, what: str) -> int:
    value = int_in_range(value, name, low=0)
    if value >= size:
        raise ConvvizValueError(f"`{name}` must be below {size} (there are {size} {what}), got {value}")
    return value


def flip_kernel(filters) -> np.ndarray:
    """Rotate each filter by 180° in space: true convolution is cross-correlation with the flipped kernel.

    CNN libraries (and :func:`convviz.conv2d`) compute cross-correlation; the convolution of signal processing
    textbooks flips the kernel first. ``conv2d(v, flip_kernel(f))`` is that convolution.

    Parameters
    ----------
    filters : array_like, shape (K, kh, kw, C), (kh, kw, C) or (kh, kw)
        Any filter or bank; the two spatial axes are flipped, the channels are not.

    Returns
    -------
    ndarray, same shape, float32

    Examples
    --------
    >>> flip_kernel([[1, 0, -1], [2, 0, -2], [3, 0, -3]]).tolist()
    [[-3.0, 0.0, 3.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]
    """
    arr = as_float32_volume(filters, "filters", ndims=(2, 3, 4),
                            shape_hint="(K, kh, kw, C), (kh, kw, C) or (kh, kw)")
    axes = {2: (0, 1), 3: (0, 1), 4: (1, 2)}[arr.ndim]
    return np.ascontiguousarray(np.flip(arr, axis=axes))
