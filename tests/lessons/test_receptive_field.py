"""Receptive fields from the closed form: the published figures, a brute-force check, residual blocks."""

from __future__ import annotations

import numpy as np
import pytest

from convviz import layer_table, receptive_field
from convviz.lessons.architectures import ArchitectureError, load_spec

# Araujo, Norris, Sim, "Computing Receptive Fields of Convolutional Neural Networks", Distill 2019, and the
# table of its library (google-research/receptive_field, RECEPTIVE_FIELD_TABLE.md), TF-Slim vgg_16:
# end-point -> (receptive field, effective stride, effective padding).
VGG16_PUBLISHED = {
    "conv1_1": (3, 1, 1), "pool1": (6, 2, 2), "conv2_1": (10, 2, 4), "pool2": (16, 4, 6),
    "conv3_1": (24, 4, 10), "conv3_2": (32, 4, 14), "pool3": (44, 8, 18), "conv4_1": (60, 8, 26),
    "conv4_2": (76, 8, 34), "pool4": (100, 16, 42), "conv5_1": (132, 16, 58), "conv5_2": (164, 16, 74),
    "pool5": (212, 32, 90),
}
# TF-Slim alexnet_v2, same table: conv1, pool1, conv2, conv3, conv4, conv5, pool5.
ALEXNET_PUBLISHED = [(11, 4, 0), (19, 8, 0), (51, 8, 16), (99, 16, 32), (131, 16, 48), (163, 16, 64),
                     (195, 32, 64)]


def _rows(spec) -> dict:
    return {row.name: row for row in receptive_field(spec)}


def test_vgg16_matches_the_published_table():
    """Every VGG-16 end-point of the Distill table: size, jump and effective padding; pool5 sees 212 px."""
    rows = _rows("vgg16")
    for name, (size, jump, padding) in VGG16_PUBLISHED.items():
        row = rows[name]
        assert (row.size, row.jump, row.padding) == ((size, size), (jump, jump), (padding, padding)), name
    assert rows["pool5"].size == (212, 212)
    assert rows["conv5_3"].size == (196, 196)  # the last conv; its block's pool adds 16


def test_alexnet_last_pool_sees_195_pixels():
    """AlexNet's conv1 sees 11 px, its last max-pool 195 px with jump 32, as published."""
    windows = [row for row in receptive_field("alexnet") if row.kind in ("conv", "max_pool")]
    published_layers = [windows[i] for i in (0, 1, 2, 4, 5, 6, 7)]  # pool2 is not an end-point there
    assert [(r.size[0], r.jump[0]) for r in published_layers] == [(s, j) for s, j, _ in ALEXNET_PUBLISHED]
    assert windows[-1].name == "features.12" and windows[-1].size == (195, 195)


def test_alexnet_v2_padding_gives_the_published_effective_padding():
    """With TF-Slim's unpadded conv1 (torchvision pads 2) the effective paddings are the published ones."""
    spec = load_spec("alexnet")
    spec["layers"][0] = {**spec["layers"][0], "padding": 0}
    spec["input"] = [227, 227, 3]  # the unpadded conv1 needs 227 px to give the same 55 x 55 maps
    windows = [row for row in receptive_field(spec) if row.kind in ("conv", "max_pool")]
    published_layers = [windows[i] for i in (0, 1, 2, 4, 5, 6, 7)]
    assert [r.padding[0] for r in published_layers] == [p for _, _, p in ALEXNET_PUBLISHED]
    torchvision = [row for row in receptive_field("alexnet") if row.kind in ("conv", "max_pool")]
    assert torchvision[-1].padding == (66.0, 66.0)  # 2 more: the conv1 padding times jump 1


def _brute_force_1d(layers: list[tuple[int, int, int, int]], unit: int) -> tuple[int, int]:
    """First and last input index unit `unit` of the last layer depends on, straight from the definition:
    output n of a (kernel, stride, padding, dilation) layer reads inputs n*s - p + i*d, i = 0..k-1."""
    low, high = unit, unit
    for k, s, p, d in reversed(layers):
        low, high = low * s - p, high * s - p + (k - 1) * d
    return low, high


@pytest.mark.parametrize("seed", range(20))
def test_closed_form_equals_brute_force_on_random_chains(seed):
    """Random conv/pool chains (kernel 1-7, stride 1-3, padding 0-3, dilation 1-3): every unit's box is
    the span of input indices it reads, unrolled layer by layer."""
    rng = np.random.default_rng(seed)
    layers, spec_layers = [], []
    for n in range(int(rng.integers(1, 6))):
        k, s, p, d = (int(rng.integers(1, 8)), int(rng.integers(1, 4)), int(rng.integers(0, 4)),
                      int(rng.integers(1, 4)))
        p = min(p, k // 2) if n % 2 else p
        if n % 2:  # a pool (padding at most half the window, no dilation)
            layers.append((k, s, p, 1))
            spec_layers.append({"name": f"l{n}", "type": "max_pool", "size": k, "stride": s, "padding": p})
        else:
            layers.append((k, s, p, d))
            spec_layers.append({"name": f"l{n}", "type": "conv", "filters": 2, "kernel": k, "stride": s,
                                "padding": p, "dilation": d})
    spec = {"input": [4000, 4000, 1], "layers": spec_layers}  # big enough for any chain drawn here
    last = receptive_field(spec)[-1]
    out_h = layer_table(spec).rows[-1].output_shape[0]
    for unit in {0, 1, out_h // 2, out_h - 1}:
        top, left, bottom, right = last.box(unit, unit)
        assert (top, bottom) == _brute_force_1d(layers, unit)
        assert (left, right) == (top, bottom)


def test_rows_follow_the_layer_table():
    """One row per layer-table row, same names, kinds and depths (ResNet-18's blocks opened up)."""
    for name in ("alexnet", "vgg16", "resnet18", "lenet5"):
        table_rows = layer_table(load_spec(name)).rows
        rows = receptive_field(name)
        assert [(r.name, r.kind, r.depth) for r in rows] == [(r.name, r.kind, r.depth) for r in table_rows]


def test_resnet_block_follows_the_main_branch():
    """A basic block grows the field by its two 3x3 convs; the 1x1 shortcut's is smaller, same centre."""
    rows = _rows("resnet18")
    assert rows["maxpool"].size == (11, 11) and rows["maxpool"].jump == (4, 4)
    assert rows["layer1.0"].size == (27, 27)  # 11 + 2*4 + 2*4
    assert rows["layer2.0"].size == rows["layer2.0.conv2"].size == (67, 67)
    shortcut = rows["layer2.0.downsample.0"]
    assert shortcut.size == (43, 43) and shortcut.start == rows["layer2.0"].start
    assert rows["layer4.1"].size == (435, 435) and rows["layer4.1"].jump == (32, 32)


def test_layers_that_mix_everything_see_the_whole_input():
    """Flatten, dense and global average pooling rows have no box: every unit sees every pixel."""
    rows = _rows("resnet18")
    assert rows["avgpool"].size is None and rows["fc"].jump is None
    with pytest.raises(ValueError, match="whole input"):
        rows["fc"].box(0, 0)


def test_adaptive_pool_with_unequal_windows_has_no_single_size():
    """An adaptive pool from 5 to 2 (windows of 3 and 3 overlapping) has no single size; 4 to 2 is a pool."""
    base = [{"name": "c", "type": "conv", "filters": 1, "kernel": 3, "padding": 1}]
    even = {"input": [4, 4, 1], "layers": [*base, {"name": "a", "type": "adaptive_avg_pool", "output": 2}]}
    odd = {"input": [5, 5, 1], "layers": [*base, {"name": "a", "type": "adaptive_avg_pool", "output": 2}]}
    assert receptive_field(even)[-1].size == (4, 4)
    assert receptive_field(odd)[-1].size is None


def test_rectangular_kernels_give_rectangular_fields():
    """A 3x5 kernel sees 3 rows and 5 columns."""
    spec = {"input": [9, 9, 1], "layers": [{"name": "c", "type": "conv", "filters": 1, "kernel": [3, 5]}]}
    row = receptive_field(spec)[0]
    assert row.size == (3, 5) and row.start == (1.0, 2.0)


def test_tiny_vgg_pool3_sees_36_pixels():
    """The project's Tiny VGG: six 3x3 convs and three 2x2 pools give 36 px at pool3, jump 8."""
    rows = _rows("tinyvgg")
    assert rows["pool3"].size == (36, 36) and rows["pool3"].jump == (8, 8)


def test_unknown_names_and_bad_specs_are_refused():
    """A name that is not bundled, or a spec without layers, raises ArchitectureError."""
    with pytest.raises(ArchitectureError, match="must be one of"):
        receptive_field("googlenet")
    with pytest.raises(ArchitectureError):
        receptive_field({"input": [8, 8, 3], "layers": []})
