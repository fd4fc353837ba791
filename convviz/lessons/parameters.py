"""Parameter counts: conv, dense and batch-norm layers, and what weight sharing saves.

A conv layer of K filters, each ``kh x kw x C``, has ``K * (kh * kw * C) + K`` parameters whatever the image
size, because every output position reuses the same filters (weight sharing) and looks only at a small window
(local connectivity). :func:`connectivity_comparison` puts numbers on both ideas for one layer.

Examples
--------
>>> from convviz.lessons.parameters import conv_params, dense_params
>>> conv_params(5, 1, 6)   # LeNet-5 C1: 6 filters of 5x5x1, with bias
156
>>> dense_params(400, 120)
48120
"""

from __future__ import annotations

from dataclasses import dataclass

from convviz._validate import int_in_range, pair

__all__ = [
    "ConnectivityCounts",
    "batch_norm_params",
    "connectivity_comparison",
    "conv_params",
    "dense_params",
]


def conv_params(kernel, in_channels: int, filters: int, *, bias: bool = True) -> int:
    """Number of learnable parameters of a conv layer.

    Parameters
    ----------
    kernel : int or (int, int)
        Spatial kernel size ``k`` or ``(kh, kw)``.
    in_channels : int
        Depth C of the input volume (each filter is ``kh x kw x C``).
    filters : int
        Number of filters K (the depth of the output volume).
    bias : bool, optional
        Whether each filter has a bias.

    Returns
    -------
    int
        ``K * kh * kw * C`` weights, plus ``K`` biases if `bias`.

    Examples
    --------
    >>> conv_params(3, 3, 2)   # two 3x3x3 filters with bias
    56
    """
    kh, kw = pair(kernel, "kernel")
    c = int_in_range(in_channels, "in_channels")
    k = int_in_range(filters, "filters")
    return k * kh * kw * c + (k if bias else 0)


def dense_params(n_in: int, n_out: int, *, bias: bool = True) -> int:
    """Number of learnable parameters of a dense (fully connected) layer ``(n_in,) -> (n_out,)``.

    Examples
    --------
    >>> dense_params(84, 10)
    850
    """
    n_in = int_in_range(n_in, "n_in")
    n_out = int_in_range(n_out, "n_out")
    return n_in * n_out + (n_out if bias else 0)


def batch_norm_params(channels: int) -> int:
    """Learnable parameters of a batch-norm layer over `channels`: one scale and one shift each.

    The running mean and variance are buffers, not parameters (torchvision does not count them either).

    Examples
    --------
    >>> batch_norm_params(64)
    128
    """
    return 2 * int_in_range(channels, "channels")


@dataclass(frozen=True)
class ConnectivityCounts:
    """Parameters of three layers that map the same input volume to the same output volume.

    Attributes
    ----------
    input_shape, output_shape : (int, int, int)
        ``(H, W, C)`` and ``(H', W', K)``.
    conv : int
        Local connectivity and weight sharing: ``K * (kh * kw * C + 1)``.
    locally_connected : int
        Local connectivity without sharing: every output value has its own ``kh x kw x C`` weights and bias,
        ``H' * W' * K * (kh * kw * C + 1)``.
    dense : int
        Every output value connected to every input value: ``(H * W * C) * (H' * W' * K) + H' * W' * K``.
    """

    input_shape: tuple[int, int, int]
    output_shape: tuple[int, int, int]
    conv: int
    locally_connected: int
    dense: int

    @property
    def sharing_factor(self) -> float:
        """How many times fewer parameters weight sharing needs: ``locally_connected / conv``."""
        return self.locally_connected / self.conv

    @property
    def dense_factor(self) -> float:
        """How many times fewer parameters the conv layer needs than the dense one: ``dense / conv``."""
        return self.dense / self.conv


def connectivity_comparison(input_shape, output_shape, kernel) -> ConnectivityCounts:
    """Count the parameters of a conv, a locally connected and a dense layer between the same volumes.

    Parameters
    ----------
    input_shape : (int, int, int)
        ``(H, W, C)`` of the input volume.
    output_shape : (int, int, int)
        ``(H', W', K)`` of the output volume (K filters); compute it with :func:`convviz.output_size`.
    kernel : int or (int, int)
        Spatial kernel size of the conv layer.

    Returns
    -------
    ConnectivityCounts
        Exact integer counts (all layers with biases).

    Examples
    --------
    >>> c = connectivity_comparison((6, 6, 3), (4, 4, 2), 3)
    >>> c.conv, c.locally_connected, c.dense
    (56, 896, 3488)
    """
    h, w, c = (int_in_range(v, "input_shape") for v in _triple(input_shape, "input_shape"))
    oh, ow, k = (int_in_range(v, "output_shape") for v in _triple(output_shape, "output_shape"))
    kh, kw = pair(kernel, "kernel")
    window = kh * kw * c
    return ConnectivityCounts(
        input_shape=(h, w, c),
        output_shape=(oh, ow, k),
        conv=conv_params((kh, kw), c, k),
        locally_connected=oh * ow * k * (window + 1),
        dense=dense_params(h * w * c, oh * ow * k),
    )


def _triple(shape, name: str) -> tuple:
    if not isinstance(shape, (tuple, list)) or len(shape) != 3:
        raise ValueError(f"`{name}` must be an (H, W, C) triple, got {shape!r}")
    return tuple(shape)
