"""The layers of a loaded network, run on the kernels behind convviz's public ops (private).

The kernels come through one door, :mod:`convviz.ops.unchecked`.

:meth:`convviz.TinyVGG.forward` calls :func:`run_layers` on an image it has already checked. Each layer
runs the same computation as its public op (:func:`convviz.conv2d`, :func:`convviz.relu`,
:func:`convviz.max_pool2d`, :func:`convviz.dense_layer`, :func:`convviz.softmax`), minus the
argument checks that the loaded, checked weights and the previous layer's own output do not need (the
finiteness pass over each activation, the weight checks: ~15 calls of 10-20 us per 64x64 forward, measured).
What still can go wrong with a manifest (a channel mismatch, an output that would be empty) is still
refused with a :class:`~convviz.errors.ConvvizValueError`. Every returned array is new: ReLU writes a
fresh array, so no two outputs share memory.

Examples
--------
>>> import numpy as np
>>> from convviz import load_pretrained
>>> model = load_pretrained()
>>> outputs = run_layers(model.layers, model._weights, np.zeros((64, 64, 3), np.float32))
>>> outputs[0][0], outputs[0][1].shape, outputs[-1][1].shape
('conv1', (64, 64, 16), (1, 1, 10))
"""

from __future__ import annotations

import functools

import numpy as np

from convviz.errors import ConvvizValueError
from convviz.model.files import LayerSpec
from convviz.ops import unchecked
from convviz.ops.unchecked import Geometry

__all__ = ["run_layers"]


def _conv_layer(layer: LayerSpec, weights: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    bank, bias = weights[layer.weight], weights[layer.bias]  # (K, kh, kw, C), (K,)
    n_filters, kh, kw, c = bank.shape
    if x.shape[2] != c:
        raise ConvvizValueError(f"`filters` of {layer.name} must have {x.shape[2]} channels to match its "
                                f"input, got {c}")
    g = _conv_geometry(x.shape, bank.shape, layer.stride, layer.padding)
    return unchecked.conv(x, bank, bias, g, interleaved=True)  # (H', W', K)


@functools.lru_cache(maxsize=64)  # the same few shapes every forward; ~5 us each to resolve and check
def _conv_geometry(shape: tuple[int, int, int], bank_shape: tuple[int, int, int, int], stride: int,
                   padding: int) -> Geometry:
    n_filters, kh, kw, c = bank_shape
    return unchecked.conv_geometry(shape, kh, kw, n_filters, kh * kw * c, stride, padding, 1, "conv2d")


def _pool_layer(layer: LayerSpec, weights: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    return unchecked.max_pool(x, _pool_geometry(x.shape[:2], layer.size, layer.stride))  # (H', W', C)


@functools.lru_cache(maxsize=64)
def _pool_geometry(hw: tuple[int, int], size: int, stride: int) -> Geometry:
    return unchecked.window_geometry(hw[0], hw[1], (size, size), stride=stride, what="max_pool2d")


def _dense_layer(layer: LayerSpec, weights: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    w, b = weights[layer.weight], weights[layer.bias]  # (M, C), (M,)
    if w.shape[1] != x.size:
        raise ConvvizValueError(f"`weights` of {layer.name} must have {x.size} columns, got {w.shape[1]}")
    return unchecked.dense(x.reshape(-1), w, b).reshape(1, 1, -1)  # (1, 1, M)


_KERNELS = {
    "conv2d": _conv_layer,
    "relu": lambda layer, weights, x: unchecked.relu(x),
    "max_pool2d": _pool_layer,
    "global_avg_pool": lambda layer, weights, x: x.mean(axis=(0, 1), dtype=np.float32, keepdims=True),
    "dense": _dense_layer,
    "softmax": lambda layer, weights, x: unchecked.softmax_steps(x.reshape(-1)).probs.reshape(1, 1, -1),
}


def run_layers(layers: tuple[LayerSpec, ...], weights: dict[str, np.ndarray],
               x: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Every layer's output for a checked (H, W, C) float32 image, in order: ``[(name, activation)]``.

    ``weights`` maps the layers' weight and bias keys to checked float32 arrays. Activations are
    ``(H', W', C)``; after the global average pool ``(1, 1, C)``.
    """
    outputs = []
    for layer in layers:
        x = _KERNELS[layer.type](layer, weights, x)
        outputs.append((layer.name, x))
    return outputs
