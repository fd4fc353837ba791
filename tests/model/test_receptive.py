"""The effective receptive field: hand-written backpropagation through the Tiny VGG, checked three ways."""

from __future__ import annotations

import numpy as np
import pytest

from convviz import ConvvizValueError, load_pretrained, receptive_field
from convviz.model.receptive import unit_gradient

SPATIAL = ["conv1", "relu1", "conv2", "relu2", "pool1", "conv3", "relu3", "conv4", "relu4", "pool2", "conv5",
           "relu5", "conv6", "relu6", "pool3"]


@pytest.fixture(scope="module")
def model():
    return load_pretrained()


@pytest.fixture(scope="module")
def image():
    """A photo-like 64x64 image: smooth colour blobs plus noise."""
    rng = np.random.default_rng(5)
    y, x = np.mgrid[0:64, 0:64] / 64.0
    base = np.stack([np.sin(3 * x + 1), np.cos(4 * y), np.sin(2 * x * y + 2)], axis=-1) * 0.4 + 0.5
    return np.clip(base + rng.normal(0, 0.08, base.shape), 0, 1).astype(np.float32)


def test_conv1_gradient_is_the_kernel_itself(model, image):
    """A conv1 unit is w . patch + b: its gradient is filter k, placed on the unit's 3x3 patch."""
    weights, _ = model.weights("conv1")
    field = unit_gradient(model, image, "conv1", channel=5, row=20, col=31)
    assert np.array_equal(field.gradient[19:22, 30:33], weights[5])
    assert np.count_nonzero(field.gradient) == np.count_nonzero(weights[5])


@pytest.mark.parametrize("layer", SPATIAL)
def test_gradient_is_zero_outside_the_theoretical_square(model, image, layer):
    """For units all over every spatial layer the gradient lives inside the closed-form box."""
    rows = {row.name: row for row in receptive_field("tinyvgg")}
    outputs = dict(model.forward(image))
    h, w, c = outputs[layer].shape
    rng = np.random.default_rng(len(layer))
    strongest = np.argsort(outputs[layer], axis=None)[-3:]  # live units, so the gradients are not all 0
    units = [(0, 0, 0), (h - 1, w - 1, c - 1)] + [tuple(int(v) for v in np.unravel_index(i, (h, w, c)))
                                                 for i in strongest]
    units += [(int(rng.integers(h)), int(rng.integers(w)), int(rng.integers(c))) for _ in range(4)]
    nonzero = 0
    for y, x, k in units:
        field = unit_gradient(model, image, layer, channel=k, row=y, col=x)
        top, left, bottom, right = rows[layer].box(y, x)
        inside = np.zeros((64, 64), bool)
        inside[max(0, int(top)): int(bottom) + 1, max(0, int(left)): int(right) + 1] = True
        assert not field.magnitude[~inside].any(), (layer, y, x, k)
        nonzero += field.support is not None
    assert nonzero > 0  # at least one of the units is alive, so the check is not vacuous


def test_a_unit_value_matches_the_forward_pass(model, image):
    """The reported value is the layer's activation at that unit."""
    field = unit_gradient(model, image, "pool2", channel=7, row=3, col=9)
    assert field.value == float(dict(model.forward(image))["pool2"][3, 9, 7])


@pytest.mark.torch
@pytest.mark.parametrize("layer", ["relu2", "pool1", "conv4", "pool2", "relu6", "pool3"])
def test_gradient_equals_torch_autograd(model, image, layer):
    """The same network in PyTorch (same weights): autograd's input gradient equals ours."""
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    x = torch.tensor(image).permute(2, 0, 1)[None].requires_grad_(True)  # (1, 3, H, W)
    y = x
    for spec in model.layers:
        if spec.type == "conv2d":
            w, b = model.weights(spec.name)
            y = functional.conv2d(y, torch.tensor(np.ascontiguousarray(w.transpose(0, 3, 1, 2))),
                                  torch.tensor(b), stride=spec.stride, padding=spec.padding)
        elif spec.type == "relu":
            y = functional.relu(y)
        elif spec.type == "max_pool2d":
            y = functional.max_pool2d(y, spec.size, spec.stride)
        if spec.name == layer:
            break
    _, c, h, w = y.shape
    checked = 0
    _, k_top, row_top, col_top = np.unravel_index(int(torch.argmax(y)), y.shape)  # a live unit
    units = [(0, h // 2, w // 2), (c - 1, 0, w - 1), (c // 2, h - 1, 1), (k_top, row_top, col_top)]
    for k, row, col in [tuple(int(v) for v in unit) for unit in units]:
        (grad,) = torch.autograd.grad(y[0, k, row, col], x, retain_graph=True)
        ours = unit_gradient(model, image, layer, channel=k, row=row, col=col)
        expected = grad[0].permute(1, 2, 0).numpy()  # (H, W, 3)
        np.testing.assert_allclose(ours.gradient, expected, rtol=1e-4, atol=1e-5)
        checked += bool(np.any(expected))
    assert checked > 0


def test_layers_without_maps_and_units_outside_are_refused(model, image):
    """gap/dense have no map to pick from; a row beyond the map is refused by name."""
    with pytest.raises(ConvvizValueError, match="`layer` must be one of"):
        unit_gradient(model, image, "dense", channel=0, row=0, col=0)
    with pytest.raises(ConvvizValueError, match=r"`row` must be an integer in \[0, 8\)"):
        unit_gradient(model, image, "pool3", channel=0, row=8, col=0)
