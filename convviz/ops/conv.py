"""Convolution over volumes, as CNNs compute it, in two visible steps.

A filter ``(kh, kw, C)`` slides over a volume ``(H, W, C)``. At each position it multiplies every weight with
the value under it and adds everything up, plus a bias: one number of one output map. This is
cross-correlation (the kernel is not flipped), exactly like ``torch.nn.functional.conv2d``.

- :func:`conv2d_per_channel` shows the first step for one filter: channel ``c`` of the volume correlated with
  channel ``c`` of the filter, one map per channel, ``(H', W', C)``.
- :func:`conv2d` gives the whole result for a bank of K filters, ``(H', W', K)``: for each filter, the sum of
  its per-channel maps plus its bias.

Inputs follow the dtype policy of :mod:`convviz._validate` (uint8 is rescaled to [0, 1]; everything becomes
float32 once; nan/inf are refused). Work beyond :data:`~convviz._validate.COMPUTE_BUDGET` multiply-adds or
:data:`~convviz._validate.MEMORY_BUDGET` elements is refused with a :class:`ConvvizValueError`.

Results have the documented shapes and are float32 and new (inputs are never modified). Their memory layout
depends on the path: :func:`conv2d_per_channel` and the strip paths return views of planar buffers, one map
after another, so that each map ``result[..., k]`` has contiguous rows (cheap display, ReLU and pooling of
single maps); the small-volume path returns a C-contiguous (interleaved) array. ``np.ascontiguousarray``
gives an interleaved copy when one is needed.

How it is computed (measured choices, see ``docs/benchmarks.md``): up to two filters at stride 1 use
``cv2.filter2D`` per channel and filter, strip by strip; small volumes of 8 or more channels (the layers of
a small CNN) one im2col matrix and one matrix product; otherwise row strips of im2col, each one matrix
product with the bias as a row of ones, shared out over threads. Extra memory stays below the size of the
result plus the input, except on the small-volume path, whose im2col matrix is capped at 4 MiB.

Examples
--------
>>> import numpy as np
>>> from convviz import conv2d, conv2d_per_channel
>>> image = np.random.default_rng(0).random((6, 6, 3), dtype=np.float32)
>>> bank = np.ones((2, 3, 3, 3), dtype=np.float32)
>>> conv2d(image, bank, [0.0, 1.0], padding=1).shape
(6, 6, 2)
>>> maps = conv2d_per_channel(image, bank[0], padding=1)
>>> bool(np.allclose(maps.sum(axis=-1), conv2d(image, bank[0], padding=1)[..., 0], atol=1e-5))
True
"""

from __future__ import annotations

import numpy as np

from convviz._validate import (
    as_float32_volume,
    bias_vector,
    check_budget,
    filter_bank,
    one_filter,
)
from convviz.ops._fast import channels as _channels
from convviz.ops._fast import gemm as _gemm
from convviz.ops._fast import im2col as _im2col
from convviz.ops.shapes import Geometry, conv_geometry

__all__ = ["conv2d", "conv2d_per_channel"]

# Up to this many filters (at stride 1) cv2.filter2D per channel and filter beats the im2col product:
# measured at 2 MP, K = 2 was ~1.4x faster with filter2D, K = 3 even, K = 4 ~1.4x slower.
_CV2_MAX_FILTERS = 2
# Small volumes of 8 or more channels: one im2col matrix and one product (convviz.ops._fast.im2col) while that
# matrix stays within this many bytes. Measured against the strip path (docs/benchmarks.md): 1.2-1.9x faster
# on the Tiny VGG layers (64x64x16 down to 16x16x64), even at ~5 MB, slower beyond; with up to 4 channels the
# strip path's planar copies are faster.
_SMALL_MAX_BYTES = 4 << 20
_SMALL_MIN_CHANNELS = 8


def _geometry(shape: tuple[int, int, int], kh: int, kw: int, n_maps: int, taps_per_output: int, stride,
              padding, dilation, what: str) -> Geometry:
    """Resolve the geometry for a volume of ``shape`` (H, W, C); enforce the budgets for ``n_maps`` maps of
    ``taps_per_output`` multiply-adds."""
    g = conv_geometry(shape[0], shape[1], (kh, kw), stride=stride, padding=padding, dilation=dilation,
                      what=what)
    hp, wp = g.padded_shape
    c = shape[2]
    check_budget(what, macs=g.out_h * g.out_w * n_maps * taps_per_output,
                 elements=g.out_h * g.out_w * n_maps + c * hp * wp)
    return g


def conv2d(volume, filters, bias=None, *, stride=1, padding=0, dilation=1) -> np.ndarray:
    """Cross-correlate a volume with a bank of filters, as a CNN convolution layer does.

    ``out[y, x, k] = bias[k] + sum over i, j, c of filters[k, i, j, c] * padded[y*s + i*d, x*s + j*d, c]``

    Parameters
    ----------
    volume : array_like, shape (H, W, C)
        Image or feature volume (uint8 is rescaled to [0, 1]; see the module docstring).
    filters : array_like, shape (K, kh, kw, C), (kh, kw, C) or (kh, kw)
        A bank of K filters. A single filter ``(kh, kw, C)`` means K = 1. A 2D kernel ``(kh, kw)`` is one
        filter with that kernel on *every* channel, so its output is the sum of the channels' responses
        (for a 1-channel volume it is simply the kernel).
    bias : float or array_like, shape (K,), optional
        Added to each output map; default 0.
    stride : int or (int, int), optional
        Step between windows (>= 1).
    padding : int, (int, int), "valid" or "same", optional
        Zeros on each side. ``"same"`` is TensorFlow's ``SAME``: ``H' = ceil(H / stride)`` (at stride 1 it
        keeps H and W, like PyTorch's ``"same"``), with a total padding of
        ``max((H' - 1)·s + d(kh-1) + 1 - H, 0)`` split in two, the extra row/column at the bottom/right.
    dilation : int or (int, int), optional
        Spacing between kernel taps (>= 1).

    Returns
    -------
    ndarray, shape (H', W', K), float32
        ``H' = floor((H + 2p - d(kh-1) - 1) / s) + 1``, likewise ``W'`` (see :func:`convviz.output_size`);
        ``ceil(H / s)`` for ``"same"``.
        Either a view of planar maps (each ``result[..., k]`` has contiguous rows) or, for small volumes of
        8 or more channels, a C-contiguous array; see the module docstring.

    Raises
    ------
    ConvvizValueError
        For a bad shape, a channel mismatch, non-finite values, a bad stride/padding/dilation, an empty
        output, or work beyond the compute budget.

    Examples
    --------
    >>> image = np.zeros((4, 4, 1), dtype=np.float32); image[1, 2, 0] = 1.0
    >>> conv2d(image, np.ones((3, 3)), padding=1)[..., 0].astype(int).tolist()
    [[0, 1, 1, 1], [0, 1, 1, 1], [0, 1, 1, 1], [0, 0, 0, 0]]
    """
    vol = as_float32_volume(volume, "volume")
    bank = filter_bank(filters, vol.shape[2])
    n_filters, kh, kw, _ = bank.shape
    bias_vec = bias_vector(bias, n_filters)
    g = _geometry(vol.shape, kh, kw, n_filters, kh * kw * vol.shape[2], stride, padding, dilation, "conv2d")
    return _conv(vol, bank, bias_vec, g)


def _conv(vol: np.ndarray, bank: np.ndarray, bias_vec: np.ndarray, g: Geometry, *,
          interleaved: bool = False) -> np.ndarray:
    """:func:`conv2d` of checked float32 arrays (H, W, C), (K, kh, kw, C), (K,) and their geometry ``g``.

    ``interleaved=True`` (a network's layers) takes the single-matrix path whenever its matrix fits, even
    for fewer than 8 channels: the result is interleaved like the next layers' and the BLAS thread count
    is not switched back and forth by the strip path's threads.
    """
    n_filters = bank.shape[0]
    fits = 4 * g.out_h * g.out_w * bank[0].size <= _SMALL_MAX_BYTES
    if interleaved and fits:
        return _im2col.conv_small(vol, bank, bias_vec, g)  # (H', W', K), interleaved
    if n_filters <= _CV2_MAX_FILTERS and (g.sh, g.sw) == (1, 1):
        # Few filters: summing cv2.filter2D channel maps is the fastest path measured here.
        return _channels.summed_maps(vol, bank, bias_vec, g).transpose(1, 2, 0)  # (H', W', K)
    if vol.shape[2] >= _SMALL_MIN_CHANNELS and fits:
        return _im2col.conv_small(vol, bank, bias_vec, g)  # (H', W', K), interleaved
    return _gemm.conv_gemm(vol, bank, bias_vec, g)


def conv2d_per_channel(volume, kernel, *, stride=1, padding=0, dilation=1) -> np.ndarray:
    """The per-channel maps of one filter: channel c of the volume correlated with channel c of the kernel.

    Summed over channels, plus the filter's bias, they give that filter's :func:`conv2d` map (to float32
    rounding). This is the first of the two steps the app draws.

    Parameters
    ----------
    volume : array_like, shape (H, W, C)
        Image or feature volume (uint8 is rescaled to [0, 1]).
    kernel : array_like, shape (kh, kw, C) or (kh, kw)
        One filter; a 2D kernel is used on every channel.
    stride, padding, dilation
        As in :func:`conv2d`.

    Returns
    -------
    ndarray, shape (H', W', C), float32
        A view of planar maps: each ``result[..., c]`` is contiguous.

    Raises
    ------
    ConvvizValueError
        As for :func:`conv2d`.

    Examples
    --------
    >>> volume = np.ones((3, 3, 2), dtype=np.float32)
    >>> conv2d_per_channel(volume, np.stack([np.ones((3, 3)), -np.ones((3, 3))], axis=-1)).tolist()
    [[[9.0, -9.0]]]
    """
    vol = as_float32_volume(volume, "volume")
    c = vol.shape[2]
    ker = one_filter(kernel, c)  # (kh, kw, C)
    kh, kw = ker.shape[:2]
    g = _geometry(vol.shape, kh, kw, c, kh * kw, stride, padding, dilation, "conv2d_per_channel")
    return _channels.channel_maps(vol, ker, g).transpose(1, 2, 0)  # (H', W', C)
