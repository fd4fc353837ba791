"""Slow, obviously-correct loop implementations, the yardstick for the fast paths (tests only).

Every function here walks over the output positions in Python and computes each value straight from its
definition, in float64, from an explicitly zero-padded copy of the input. They are meant for inputs of a few
dozen pixels a side. Arguments are as in :mod:`convviz.ops.conv` and :mod:`convviz.ops.pooling`, with the
difference that inputs must already be float arrays of the documented shapes (no dtype policy, no budget).

Examples
--------
>>> import numpy as np
>>> from convviz.ops.reference import conv2d_reference
>>> conv2d_reference(np.ones((3, 3, 1)), np.ones((1, 2, 2, 1))).shape
(2, 2, 1)
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "avg_pool2d_reference",
    "conv2d_per_channel_reference",
    "conv2d_reference",
    "conv2d_windows",
    "max_pool2d_reference",
]


def _pair(x) -> tuple[int, int]:
    return (int(x[0]), int(x[1])) if isinstance(x, tuple | list) else (int(x), int(x))


def _same_total(n: int, k: int, s: int, d: int) -> int:
    """TensorFlow's SAME total padding along one axis, from its definition: enough for ceil(n / s) windows."""
    out = math.ceil(n / s)
    last_tap = (out - 1) * s + d * (k - 1)  # index, in the padded axis, of the last window's last tap
    return max(last_tap + 1 - n, 0)


def _pads(padding, kernel_hw, dilation_hw, shape_hw=(1, 1), stride_hw=(1, 1)) -> tuple[int, int, int, int]:
    """(top, bottom, left, right); "same" (TensorFlow's SAME) puts the odd extra on the bottom/right."""
    if padding == "valid":
        return 0, 0, 0, 0
    if padding == "same":
        total_h = _same_total(shape_hw[0], kernel_hw[0], stride_hw[0], dilation_hw[0])
        total_w = _same_total(shape_hw[1], kernel_hw[1], stride_hw[1], dilation_hw[1])
        return total_h // 2, total_h - total_h // 2, total_w // 2, total_w - total_w // 2
    ph, pw = _pair(padding)
    return ph, ph, pw, pw


def _window(padded, y, x, kernel_hw, stride_hw, dilation_hw):
    """The input values under the window of output position (y, x): shape (kh, kw, C)."""
    rows = [y * stride_hw[0] + i * dilation_hw[0] for i in range(kernel_hw[0])]
    cols = [x * stride_hw[1] + j * dilation_hw[1] for j in range(kernel_hw[1])]
    return padded[np.ix_(rows, cols)]


def _sliding(volume, kernel_hw, stride, padding, dilation, pad_value, reduce):
    """Apply ``reduce(window)`` -> (C',) at every output position of an explicitly padded input."""
    stride_hw, dilation_hw = _pair(stride), _pair(dilation)
    pt, pb, pl, pr = _pads(padding, kernel_hw, dilation_hw, np.shape(volume)[:2], stride_hw)
    padded = np.pad(np.asarray(volume, dtype=np.float64), ((pt, pb), (pl, pr), (0, 0)),
                    constant_values=pad_value)
    span_h = dilation_hw[0] * (kernel_hw[0] - 1) + 1
    span_w = dilation_hw[1] * (kernel_hw[1] - 1) + 1
    out_h = (padded.shape[0] - span_h) // stride_hw[0] + 1
    out_w = (padded.shape[1] - span_w) // stride_hw[1] + 1
    rows = []
    for y in range(out_h):
        row = [reduce(_window(padded, y, x, kernel_hw, stride_hw, dilation_hw)) for x in range(out_w)]
        rows.append(row)
    return np.array(rows, dtype=np.float64).reshape(out_h, out_w, -1)  # (H', W', C')


def conv2d_reference(volume, filters, bias=None, *, stride=1, padding=0, dilation=1) -> np.ndarray:
    """Cross-correlation by definition: ``out[y, x, k] = sum(window * filters[k]) + bias[k]``.

    Parameters
    ----------
    volume : ndarray, shape (H, W, C)
    filters : ndarray, shape (K, kh, kw, C)
    bias : ndarray, shape (K,), optional

    Returns
    -------
    ndarray, shape (H', W', K), float64

    Examples
    --------
    >>> conv2d_reference(np.arange(4.0).reshape(2, 2, 1), np.ones((1, 2, 2, 1)), [0.5])[..., 0].tolist()
    [[6.5]]
    """
    filters = np.asarray(filters, dtype=np.float64)
    bias = np.zeros(filters.shape[0]) if bias is None else np.asarray(bias, dtype=np.float64)

    def reduce(window):
        return [float((window * f).sum()) + b for f, b in zip(filters, bias, strict=True)]

    return _sliding(volume, filters.shape[1:3], stride, padding, dilation, 0.0, reduce)


def conv2d_per_channel_reference(volume, kernel, *, stride=1, padding=0, dilation=1) -> np.ndarray:
    """Per-channel maps by definition: ``out[y, x, c] = sum(window[..., c] * kernel[..., c])``.

    Parameters
    ----------
    volume : ndarray, shape (H, W, C)
    kernel : ndarray, shape (kh, kw, C)

    Returns
    -------
    ndarray, shape (H', W', C), float64

    Examples
    --------
    >>> conv2d_per_channel_reference(np.ones((2, 2, 2)), np.ones((2, 2, 2))).tolist()
    [[[4.0, 4.0]]]
    """
    kernel = np.asarray(kernel, dtype=np.float64)

    def reduce(window):
        return [float((window[..., c] * kernel[..., c]).sum()) for c in range(kernel.shape[2])]

    return _sliding(volume, kernel.shape[:2], stride, padding, dilation, 0.0, reduce)


def _pool(x, size, stride, padding, pad_value: float, reduce) -> np.ndarray:
    size_hw = _pair(size)
    return _sliding(x, size_hw, size_hw if stride is None else stride, padding, 1, pad_value, reduce)


def max_pool2d_reference(x, size=2, *, stride=None, padding=0) -> np.ndarray:
    """Max over each window; padding counts as -inf (never chosen). ``stride`` defaults to ``size``.

    ``x`` is (H, W, C); returns (H', W', C) float64.

    Examples
    --------
    >>> max_pool2d_reference(np.arange(4.0).reshape(2, 2, 1))[..., 0].tolist()
    [[3.0]]
    """
    return _pool(x, size, stride, padding, -math.inf, lambda window: window.max(axis=(0, 1)))


def avg_pool2d_reference(x, size=2, *, stride=None, padding=0) -> np.ndarray:
    """Mean over each window, padded zeros included in the count; otherwise as :func:`max_pool2d_reference`.

    Examples
    --------
    >>> avg_pool2d_reference(np.arange(4.0).reshape(2, 2, 1), padding=1)[..., 0].tolist()
    [[0.0, 0.25], [0.5, 0.75]]
    """
    return _pool(x, size, stride, padding, 0.0, lambda window: window.mean(axis=(0, 1)))


def conv2d_windows(volume, filters, bias=None, *, stride=1, padding=0, dilation=1) -> np.ndarray:
    """The same sum, vectorised with ``sliding_window_view`` + ``einsum``: fast enough for big inputs.

    The NumPy baseline of the benchmark, and a second, independent check of the fast path on inputs too big
    for the loops. Arguments as for :func:`conv2d_reference`; computes and returns (H', W', K) in float32.

    Examples
    --------
    >>> conv2d_windows(np.ones((3, 3, 1), np.float32), np.ones((1, 2, 2, 1), np.float32)).shape
    (2, 2, 1)
    """
    filters = np.asarray(filters, dtype=np.float32)
    n_filters, kh, kw, _ = filters.shape
    (sh, sw), (dh, dw) = _pair(stride), _pair(dilation)
    pt, pb, pl, pr = _pads(padding, (kh, kw), (dh, dw), np.shape(volume)[:2], (sh, sw))
    padded = np.pad(np.asarray(volume, dtype=np.float32), ((pt, pb), (pl, pr), (0, 0)))
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    # (H'', W'', C, span_h, span_w) -> keep every stride-th window and every dilation-th tap.
    windows = np.lib.stride_tricks.sliding_window_view(padded, span, axis=(0, 1))[::sh, ::sw, :, ::dh, ::dw]
    out = np.einsum("yxcij,kijc->yxk", windows, filters, optimize=True)  # (H', W', K)
    if bias is not None:
        out += np.asarray(bias, dtype=np.float32)
    return out.astype(np.float32, copy=False)
