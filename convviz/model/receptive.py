"""The *effective* receptive field of one unit of the Tiny VGG: how much each input pixel moves it.

The theoretical receptive field (:func:`convviz.receptive_field`) is the square of input pixels that *can*
change a unit. How much each of them *does* change it, for one photo, is the input gradient
``d unit / d image`` (W. Luo et al., "Understanding the Effective Receptive Field in Deep Convolutional
Neural Networks", NeurIPS 2016): usually a blob concentrated near the centre of the square, and exactly zero
outside it.

There is no autograd here: :func:`unit_gradient` backpropagates by hand through the three kinds of spatial
layer, from the unit down to the image, reusing one forward pass:

- ReLU passes the gradient where its input was positive (0 where it was <= 0, as PyTorch does);
- max-pooling sends each window's gradient to the cell that won the window (:func:`convviz.pool_winners`:
  the first maximum in reading order, as PyTorch);
- a convolution ``out[y, x, k] = b[k] + sum_{i,j,c} w[k, i, j, c] * padded[y*s + i, x*s + j, c]`` sends
  ``grad_out[y, x, :] @ w[:, i, j, :]`` back to ``padded[y*s + i, x*s + j, :]`` for every tap ``(i, j)``;
  the padding's share is dropped.

Because every layer is piecewise linear, this gradient is exact (not a finite-difference estimate), and it
costs about one forward pass (a few milliseconds on the 64 x 64 input).

Examples
--------
>>> import numpy as np
>>> from convviz import load_pretrained
>>> image = np.random.default_rng(0).random((64, 64, 3), dtype=np.float32)
>>> field = unit_gradient(load_pretrained(), image, "conv2", channel=0, row=10, col=20)
>>> field.gradient.shape, bool(np.all(field.gradient[:8] == 0))  # conv2 sees rows 8..12 only
((64, 64, 3), True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convviz._validate import as_float32_volume
from convviz.errors import ConvvizValueError
from convviz.model.tinyvgg import TinyVGG
from convviz.ops.pooling import pool_winners
from convviz.ops.shapes import conv_geometry

__all__ = ["UnitGradient", "unit_gradient"]

_SPATIAL = ("conv2d", "relu", "max_pool2d")


@dataclass(frozen=True)
class UnitGradient:
    """One unit's value and its input gradient.

    Attributes
    ----------
    layer : str
        The layer's name (``"conv1"`` ... ``"pool3"``).
    channel, row, col : int
        The unit: map ``channel``, position ``(row, col)`` of that layer's output.
    value : float
        The unit's activation for the image.
    gradient : ndarray, shape (H, W, 3), float32
        ``d value / d image[y, x, c]``.
    """

    layer: str
    channel: int
    row: int
    col: int
    value: float
    gradient: np.ndarray

    @property
    def magnitude(self) -> np.ndarray:
        """``(H, W)`` float32: the gradient's absolute value summed over R, G and B (what is drawn)."""
        return np.abs(self.gradient).sum(axis=2)

    @property
    def support(self) -> tuple[int, int, int, int] | None:
        """``(top, left, bottom, right)`` (inclusive) of the pixels with a non-zero gradient, or None."""
        rows, cols = np.nonzero(self.magnitude)
        if rows.size == 0:
            return None
        return int(rows.min()), int(cols.min()), int(rows.max()), int(cols.max())


    def central_side(self, center: tuple[float, float], fraction: float = 0.5) -> int | None:
        """Side of the smallest square centred at `center` holding `fraction` of :attr:`magnitude`.

        `center` is ``(row, col)`` in pixel coordinates (``x.5`` between two pixels, as
        :attr:`convviz.lessons.receptive_field.FieldRow.start`); sides keep its parity so that the square
        covers whole pixels. None when the gradient is zero. A small side next to a large theoretical square
        is the effective field's concentration (Luo et al.: roughly Gaussian).

        Examples
        --------
        >>> g = np.zeros((5, 5, 3), np.float32); g[2, 2] = 1; g[0, 0] = 1
        >>> UnitGradient("conv1", 0, 2, 2, 0.0, g).central_side((2.0, 2.0))
        1
        """
        mag = self.magnitude.astype(np.float64)
        total = mag.sum()
        if total == 0:
            return None
        cy, cx = center
        side = 2 if (cy * 2) % 2 else 1
        while True:
            half = (side - 1) / 2
            top, left = max(0, int(cy - half)), max(0, int(cx - half))
            bottom, right = int(cy + half) + 1, int(cx + half) + 1
            if mag[top:bottom, left:right].sum() >= fraction * total - 1e-12 or side > 2 * max(mag.shape):
                return side
            side += 2


def _index(value, name: str, n: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not 0 <= value < n:
        raise ConvvizValueError(f"`{name}` must be an integer in [0, {n}), got {value!r}")
    return int(value)


def _conv_back(grad: np.ndarray, x: np.ndarray, weights: np.ndarray, stride: int, padding: int) -> np.ndarray:
    """Gradient w.r.t. the conv input ``x`` (H, W, C) from ``grad`` (H', W', K) and weights (K, kh, kw, C)."""
    _, kh, kw, c = weights.shape
    g = conv_geometry(x.shape[0], x.shape[1], (kh, kw), stride=stride, padding=padding)
    hp, wp = g.padded_shape
    padded = np.zeros((hp, wp, c), np.float32)  # gradient w.r.t. the zero-padded input
    # One product for every tap at once: (H'*W', K) @ (K, kh*kw*C), then each tap's share added in place.
    taps = (grad.reshape(-1, grad.shape[2]) @ weights.reshape(weights.shape[0], -1))
    taps = taps.reshape(g.out_h, g.out_w, kh, kw, c)  # (H', W', kh, kw, C)
    for i in range(kh):
        for j in range(kw):
            padded[g.tap(i, j)] += taps[:, :, i, j]  # (H', W', C)
    return padded[g.pt: g.pt + g.height, g.pl: g.pl + g.width]  # the padding's share is dropped


def _pool_back(grad: np.ndarray, x: np.ndarray, size: int, stride: int) -> np.ndarray:
    """Gradient w.r.t. the max-pool input ``x`` (H, W, C): each window's gradient goes to its winner."""
    winners = pool_winners(x, size, stride=stride)  # (H', W', C, 2)
    out = np.zeros(x.shape, np.float32)
    channels = np.broadcast_to(np.arange(x.shape[2]), grad.shape)  # (H', W', C)
    np.add.at(out, (winners[..., 0], winners[..., 1], channels), grad)  # overlapping windows add up
    return out


def unit_gradient(model: TinyVGG, image, layer: str, *, channel: int, row: int, col: int) -> UnitGradient:
    """The input gradient of one unit of a spatial layer of `model`, by hand-written backpropagation.

    Parameters
    ----------
    model : TinyVGG
        The network (e.g. :func:`convviz.load_pretrained`, or a copy after filter surgery).
    image : array_like, shape (H, W, 3)
        RGB float32 in [0, 1], at least 8 x 8; the network runs on it as it is (not resized).
    layer : str
        A conv, ReLU or max-pool layer (``"conv1"`` ... ``"pool3"``).
    channel, row, col : int
        The unit: map `channel` at ``(row, col)`` of that layer's output.

    Returns
    -------
    UnitGradient
        The unit's value and ``d value / d image`` ``(H, W, 3)`` float32.

    Raises
    ------
    ConvvizValueError
        For a bad image, a layer that is not spatial, or a unit outside the layer's output.
    """
    image = as_float32_volume(image, "image")  # the dtype policy once; forward checks the rest
    outputs = model.forward(image)
    names = [spec.name for spec in model.layers]
    if layer not in names or model.layers[names.index(layer)].type not in _SPATIAL:
        spatial = [spec.name for spec in model.layers if spec.type in _SPATIAL]
        raise ConvvizValueError(f"`layer` must be one of {spatial}, got {layer!r}")
    index = names.index(layer)
    out = outputs[index][1]  # (H', W', K)
    y, x, k = (_index(row, "row", out.shape[0]), _index(col, "col", out.shape[1]),
               _index(channel, "channel", out.shape[2]))
    grad = np.zeros(out.shape, np.float32)
    grad[y, x, k] = 1.0
    inputs = [image] + [a for _, a in outputs[:index]]  # each layer's input
    for spec, x_in in zip(model.layers[index::-1], inputs[::-1], strict=True):
        if spec.type == "relu":
            grad = np.where(x_in > 0, grad, np.float32(0))
        elif spec.type == "max_pool2d":
            grad = _pool_back(grad, x_in, spec.size, spec.stride)
        else:
            grad = _conv_back(grad, x_in, model.weights(spec.name)[0], spec.stride, spec.padding)
    return UnitGradient(layer, k, y, x, float(out[y, x, k]), grad)
