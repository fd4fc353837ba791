"""Tests for convviz.model._forward: the Tiny VGG's layers equal the public ops, chained, and share no
memory."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from convviz import ConvvizValueError, conv2d, max_pool2d, relu, softmax
from convviz.model._forward import run_layers
from convviz.model.files import DEFAULT_MANIFEST
from convviz.model.tinyvgg import load_pretrained
from convviz.ops.dense import dense_layer

if not DEFAULT_MANIFEST.exists():
    pytest.skip(f"the model weights are not installed ({DEFAULT_MANIFEST} is absent)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def model():
    return load_pretrained()


def _weights(model) -> dict[str, np.ndarray]:
    return dict(model._weights)


def _public(layer, model, x: np.ndarray) -> np.ndarray:
    """One layer through the public op (full argument checks)."""
    if layer.type == "conv2d":
        w, b = model.weights(layer.name)
        return conv2d(x, w, b, stride=layer.stride, padding=layer.padding)
    if layer.type == "relu":
        return relu(x)
    if layer.type == "max_pool2d":
        return max_pool2d(x, layer.size, stride=layer.stride)
    if layer.type == "global_avg_pool":
        return x.mean(axis=(0, 1), dtype=np.float32, keepdims=True)
    if layer.type == "dense":
        w, b = model.weights(layer.name)
        return dense_layer(x.reshape(-1), w, b).reshape(1, 1, -1)
    return softmax(x.reshape(-1)).reshape(1, 1, -1)


@pytest.mark.parametrize("shape", [(64, 64, 3), (40, 56, 3), (8, 8, 3)])
def test_every_layer_equals_the_public_op_on_the_previous_output(model, shape):
    """Each layer's output equals its public op applied to the previous layer's output."""
    image = np.random.default_rng(0).random(shape, dtype=np.float32)
    outputs = run_layers(model.layers, _weights(model), image)
    x = image
    for layer, (name, got) in zip(model.layers, outputs, strict=True):
        assert name == layer.name
        np.testing.assert_allclose(got, _public(layer, model, x), atol=1e-5, rtol=1e-5, err_msg=name)
        x = got


def test_no_two_outputs_share_memory(model):
    """Every returned activation is its own array (ReLU does not overwrite the conv output)."""
    outputs = [a for _, a in run_layers(model.layers, _weights(model), np.ones((64, 64, 3), np.float32))]
    for i, a in enumerate(outputs):
        for b in outputs[i + 1:]:
            assert not np.shares_memory(a, b)


def test_a_channel_mismatch_is_a_clear_error(model):
    """A conv layer whose filters do not match its input's channels raises ConvvizValueError."""
    layers = (model.layers[0], *model.layers)  # conv1's 3-channel filters on conv1's 16-channel output
    with pytest.raises(ConvvizValueError, match="channels"):
        run_layers(layers, _weights(model), np.ones((64, 64, 3), np.float32))


def test_a_too_small_image_is_a_clear_error(model):
    """An image whose conv output would be empty raises ConvvizValueError, as conv2d does."""
    layers = tuple(dataclasses.replace(s, padding=0) if s.type == "conv2d" else s for s in model.layers)
    with pytest.raises(ConvvizValueError, match="empty"):
        run_layers(layers, _weights(model), np.ones((2, 2, 3), np.float32))
