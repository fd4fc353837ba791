"""The shape/parameter calculator: published totals, per-layer shapes, and specs it must refuse."""

import pytest

from convviz.lessons.architectures import (
    ArchitectureError,
    architecture_table,
    layer_table,
    list_architectures,
    load_spec,
    spec_from_manifest,
)

PUBLISHED_TOTALS = {
    "lenet5": 61_706,
    "alexnet": 61_100_840,
    "vgg16": 138_357_544,
    "resnet18": 11_689_512,
}


def _shapes(name: str) -> dict:
    return {row.name: row.output_shape for row in architecture_table(name).rows}


@pytest.mark.parametrize("name", sorted(PUBLISHED_TOTALS))
def test_total_params_equal_the_published_count(name):
    """The computed total equals the published (torchvision) parameter count."""
    assert architecture_table(name).total_params == PUBLISHED_TOTALS[name]


@pytest.mark.parametrize("name", list_architectures())
def test_spec_reference_count_matches_the_calculator(name):
    """Every shipped spec's cited reference count is what the calculator computes."""
    table = architecture_table(name)
    assert table.reference_params == table.total_params


def test_shipped_architectures_are_listed():
    """The four classic networks are shipped as specs."""
    assert set(PUBLISHED_TOTALS) <= set(list_architectures())


def test_lenet5_layer_shapes_and_params():
    """LeNet-5: 32x32x1 -> 28x28x6 -> 14x14x6 -> 10x10x16 -> 5x5x16 -> 120 -> 84 -> 10."""
    rows = architecture_table("lenet5").rows
    assert [r.output_shape for r in rows] == [
        (28, 28, 6), (14, 14, 6), (10, 10, 16), (5, 5, 16), (1, 1, 120), (120,), (84,), (10,)
    ]
    assert [r.params for r in rows] == [156, 0, 2416, 0, 48120, 0, 10164, 850]


def test_alexnet_shapes_through_the_adaptive_pool():
    """AlexNet: 55x55x64 after the 11x11 stride-4 conv, pools to 27, 13, 6, an adaptive pool to 6x6, 9216."""
    s = _shapes("alexnet")
    assert s["features.0"] == (55, 55, 64)
    assert (s["features.2"], s["features.5"], s["features.12"]) == ((27, 27, 64), (13, 13, 192), (6, 6, 256))
    assert s["avgpool"] == (6, 6, 256)
    assert s["flatten"] == (9216,)
    assert s["classifier.6"] == (1000,)


def test_adaptive_pool_fixes_the_size_whatever_the_input():
    """On a 256x256 input AlexNet's adaptive pool still gives 6x6, so the dense layers keep their size."""
    spec = dict(load_spec("alexnet"), input=[256, 256, 3])
    table = layer_table(spec)
    assert {r.name: r.output_shape for r in table.rows}["avgpool"] == (6, 6, 256)
    assert table.total_params == PUBLISHED_TOTALS["alexnet"]


def test_vgg16_halves_at_every_pool():
    """VGG-16: the five max-pools give 112, 56, 28, 14, 7; flatten gives 7x7x512 = 25088."""
    s = _shapes("vgg16")
    assert [s[f"pool{i}"] for i in range(1, 6)] == [
        (112, 112, 64), (56, 56, 128), (28, 28, 256), (14, 14, 512), (7, 7, 512)
    ]
    assert s["flatten"] == (25088,)


def test_resnet18_stage_shapes():
    """ResNet-18: stem to 56x56x64, stages of 56x56x64, 28x28x128, 14x14x256, 7x7x512, then 512, 1000."""
    s = _shapes("resnet18")
    assert (s["conv1"], s["maxpool"]) == ((112, 112, 64), (56, 56, 64))
    stages = [s[f"layer{i}.1"] for i in range(1, 5)]
    assert stages == [(56, 56, 64), (28, 28, 128), (14, 14, 256), (7, 7, 512)]
    assert (s["avgpool"], s["fc"]) == ((512,), (1000,))


def test_resnet18_downsample_only_where_the_shape_changes():
    """A 1x1 stride-2 conv shortcut appears in the first block of stages 2-4 only, bias-free, with its BN."""
    rows = {r.name: r for r in architecture_table("resnet18").rows}
    with_shortcut = sorted(n.removesuffix(".downsample.0") for n in rows if n.endswith(".downsample.0"))
    assert with_shortcut == ["layer2.0", "layer3.0", "layer4.0"]
    assert rows["layer2.0.downsample.0"].params == 64 * 128  # 1x1x64 weights, 128 filters, no bias
    assert rows["layer2.0.downsample.1"].params == 2 * 128  # batch-norm scale and shift


def test_resnet18_block_counts_its_inner_layers():
    """A block's parameter count is the sum of its inner rows; the first stage-2 block has 230,144."""
    table = architecture_table("resnet18")
    block = next(r for r in table.rows if r.name == "layer2.0")
    inner = [r for r in table.rows if r.name.startswith("layer2.0.")]
    assert all(r.depth == 1 for r in inner)
    assert block.params == sum(r.params for r in inner) == 230_144


def test_batch_norm_counts_two_params_per_channel():
    """Batch-norm after a 64-channel conv has 128 parameters (running statistics are not parameters)."""
    assert {r.name: r.params for r in architecture_table("resnet18").rows}["bn1"] == 128


def test_conv_without_bias_counts_only_weights():
    """ResNet's stem conv has 7*7*3*64 = 9408 weights and no bias."""
    assert architecture_table("resnet18").rows[0].params == 9408


def test_dilation_and_pair_settings_in_a_spec():
    """Dilation 2 on a 3x3 kernel spans 5 pixels; (h, w) pairs apply per axis."""
    spec = {"input": [20, 30, 2], "layers": [
        {"name": "d", "type": "conv", "filters": 4, "kernel": 3, "dilation": 2},
        {"name": "p", "type": "max_pool", "size": [2, 3]},
    ]}
    assert [r.output_shape for r in layer_table(spec).rows] == [(16, 26, 4), (8, 8, 4)]


def test_unknown_layer_type_is_refused_by_name():
    """An unknown layer type raises and names the layer."""
    spec = {"input": [8, 8, 1], "layers": [{"name": "weird", "type": "deconv"}]}
    with pytest.raises(ArchitectureError, match="weird"):
        layer_table(spec)


def test_misspelled_key_is_refused():
    """A misspelled key (``filter`` for ``filters``) raises instead of being ignored."""
    spec = {"input": [8, 8, 1], "layers": [{"name": "c", "type": "conv", "filter": 4, "kernel": 3}]}
    with pytest.raises(ArchitectureError, match="unknown keys"):
        layer_table(spec)


def test_dense_on_a_volume_asks_for_flatten():
    """A dense layer right after a conv layer raises and says to flatten first."""
    spec = {"input": [8, 8, 1], "layers": [{"name": "fc", "type": "dense", "units": 10}]}
    with pytest.raises(ArchitectureError, match="flatten"):
        layer_table(spec)


def test_empty_output_names_the_layer_and_shape():
    """A kernel larger than its input raises with the layer's name and input shape."""
    spec = {"input": [4, 4, 1], "layers": [{"name": "big", "type": "conv", "filters": 1, "kernel": 5}]}
    with pytest.raises(ArchitectureError, match=r"'big'.*4×4×1"):
        layer_table(spec)


def test_unknown_architecture_name_lists_the_choices():
    """Asking for an architecture that is not shipped lists the ones that are."""
    with pytest.raises(ArchitectureError, match="lenet5"):
        load_spec("../etc/passwd")


def _torch_module(torch, layer, x):
    """`layer` built as a torch module for input `x` (on the meta device: shapes only, no memory)."""
    nn = torch.nn

    class BasicBlock(nn.Module):  # torchvision's BasicBlock, written out
        def __init__(self, c, k, s):
            super().__init__()
            self.body = nn.Sequential(nn.Conv2d(c, k, 3, s, 1, bias=False), nn.BatchNorm2d(k), nn.ReLU(),
                                      nn.Conv2d(k, k, 3, 1, 1, bias=False), nn.BatchNorm2d(k))
            self.down = (nn.Sequential(nn.Conv2d(c, k, 1, s, bias=False), nn.BatchNorm2d(k))
                         if s != 1 or c != k else nn.Identity())

        def forward(self, x):
            return torch.relu(self.body(x) + self.down(x))

    t, c = layer["type"], x.shape[1]
    if t == "conv":
        return nn.Conv2d(c, layer["filters"], layer["kernel"], layer.get("stride", 1),
                         layer.get("padding", 0), layer.get("dilation", 1), bias=layer.get("bias", True),
                         device="meta")
    if t in ("max_pool", "avg_pool"):
        cls = nn.MaxPool2d if t == "max_pool" else nn.AvgPool2d
        return cls(layer["size"], layer.get("stride"), layer.get("padding", 0))
    if t == "adaptive_avg_pool":
        return nn.AdaptiveAvgPool2d(layer["output"])
    if t == "global_avg_pool":
        return nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())
    if t == "flatten":
        return nn.Flatten()
    if t == "dense":
        return nn.Linear(c, layer["units"], bias=layer.get("bias", True), device="meta")
    if t == "batch_norm":
        return nn.BatchNorm2d(c, device="meta")
    if t == "basic_block":
        return BasicBlock(c, layer["filters"], layer.get("stride", 1)).to("meta")
    return nn.Identity()  # dropout and activations change neither shape nor parameter count


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(PUBLISHED_TOTALS))
def test_every_layer_matches_torch(name):
    """Each top-level layer's output shape and parameter count equal those of the layer built in torch."""
    torch = pytest.importorskip("torch")
    spec = load_spec(name)
    h, w, c = spec["input"]
    x = torch.empty(1, c, h, w, device="meta")
    for row, layer in zip(architecture_table(name).layers, spec["layers"], strict=True):
        module = _torch_module(torch, layer, x)
        x = module(x)
        torch_shape = tuple(x.shape[1:]) if x.ndim == 2 else (x.shape[2], x.shape[3], x.shape[1])
        assert row.output_shape == torch_shape, row.name
        assert row.params == sum(p.numel() for p in module.parameters()), row.name


def _manifest():
    """A manifest in the format scripts/tinyvgg_net.py writes: 3x3 convs 8-M-16-M-32, a 10-class head."""
    def conv(n, k, c, side):
        return {"name": f"conv{n}", "type": "conv2d", "weight": f"conv{n}.weight", "bias": f"conv{n}.bias",
                "weight_shape": [k, 3, 3, c], "stride": 1, "padding": 1, "output_shape": [side, side, k]}

    layers = [
        conv(1, 8, 3, 64), {"name": "relu1", "type": "relu", "output_shape": [64, 64, 8]},
        {"name": "pool1", "type": "max_pool2d", "size": 2, "stride": 2, "output_shape": [32, 32, 8]},
        conv(2, 16, 8, 32), {"name": "relu2", "type": "relu", "output_shape": [32, 32, 16]},
        {"name": "pool2", "type": "max_pool2d", "size": 2, "stride": 2, "output_shape": [16, 16, 16]},
        conv(3, 32, 16, 16), {"name": "relu3", "type": "relu", "output_shape": [16, 16, 32]},
        {"name": "gap", "type": "global_avg_pool", "output_shape": [32]},
        {"name": "dense", "type": "dense", "weight": "dense.weight", "bias": "dense.bias",
         "weight_shape": [10, 32], "output_shape": [10]},
        {"name": "softmax", "type": "softmax", "output_shape": [10]},
    ]
    params = (8 * 27 + 8) + (16 * 72 + 16) + (32 * 144 + 32) + (32 * 10 + 10)
    return {"name": "Tiny VGG", "input": {"shape": [64, 64, 3]}, "layers": layers, "parameters": params,
            "classes": [f"c{i}" for i in range(10)]}


def test_manifest_layers_become_a_spec_with_the_recorded_total():
    """A Tiny VGG manifest gives a table whose shapes and total equal what the manifest records."""
    manifest = _manifest()
    table = layer_table(spec_from_manifest(manifest))
    assert table.total_params == manifest["parameters"] == 6_362
    assert [r.output_shape for r in table.rows] == [tuple(e["output_shape"]) for e in manifest["layers"]]


def test_manifest_with_a_wrong_recorded_shape_is_refused():
    """A manifest whose recorded shape disagrees with the calculator raises and names the layer."""
    manifest = _manifest()
    manifest["layers"][2]["output_shape"] = [31, 31, 8]
    with pytest.raises(ArchitectureError, match="'pool1'"):
        spec_from_manifest(manifest)


def test_manifest_with_a_wrong_total_is_refused():
    """A manifest whose parameter total disagrees with the calculator raises."""
    manifest = dict(_manifest(), parameters=1)
    with pytest.raises(ArchitectureError, match="records 1 parameters"):
        spec_from_manifest(manifest)


@pytest.mark.torch
def test_manifest_writer_and_calculator_agree():
    """The training scripts' own layer plan and parameter count agree with the calculator (needs torch)."""
    pytest.importorskip("torch")
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
    try:
        from tinyvgg_net import count_params, layer_plan
    finally:
        sys.path.pop(0)
    arch = "16,M,32,M,64,64"
    manifest = {"input": {"shape": [64, 64, 3]}, "layers": layer_plan(arch, 10, 64),
                "parameters": count_params(arch, 10)}
    assert layer_table(spec_from_manifest(manifest)).total_params == manifest["parameters"]


def test_shipped_tinyvgg_manifest_when_present():
    """Once the trained Tiny VGG's manifest exists, it is listed and its table matches its records."""
    if "tinyvgg" not in list_architectures():
        pytest.skip("convviz/model/weights/tinyvgg_imagenette.json not trained yet")
    table = architecture_table("tinyvgg")
    assert table.total_params == table.reference_params
    assert table.input_shape == (64, 64, 3)
