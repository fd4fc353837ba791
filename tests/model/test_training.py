"""Training script tests: a tiny synthetic image folder, one short run, the exported files (needs torch)."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="training needs torch: pip install -r requirements-train.txt")

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
sys.path.insert(0, str(SCRIPTS))

import tinyvgg_net  # noqa: E402
import train_tinyvgg  # noqa: E402

pytestmark = pytest.mark.torch

ARCH = "8,M,12,M,16"


def _make_folder(root: Path) -> None:
    """2 classes x 8 train and 4 val JPEGs each, 48x48; class 1 is brighter; one greyscale file."""
    from PIL import Image

    rng = np.random.default_rng(0)
    for split, count in (("train", 8), ("val", 4)):
        for label, wnid in enumerate(("n00000001", "n00000002")):
            folder = root / split / wnid
            folder.mkdir(parents=True)
            for i in range(count):
                pixels = rng.integers(0, 128, size=(48, 48, 3)) + 100 * label
                image = Image.fromarray(pixels.astype(np.uint8))
                (image.convert("L") if i == 0 else image).save(folder / f"img_{i}.JPEG")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """One 2-epoch run (one strong, one light epoch) on the synthetic folder; returns its folders and args."""
    root = tmp_path_factory.mktemp("training")
    _make_folder(root / "data")
    argv = ["--data", str(root / "data"), "--cache", str(root / "cache.npz"), "--crop-size", "32",
            "--arch", ARCH, "--epochs", "2", "--light-epochs", "1", "--batch-size", "4", "--threads", "1",
            "--eval-every", "1", "--work-dir", str(root / "work"), "--out-dir", str(root / "out")]
    train_tinyvgg.main(argv)
    return {"root": root, "out": root / "out", "argv": argv}


def _manifest(run) -> dict:
    return json.loads((run["out"] / "tinyvgg_imagenette.json").read_text())


def test_weights_load_without_pickle_in_convviz_shapes(run):
    """The weights npz loads with allow_pickle=False and holds float32 (K, 3, 3, C) conv banks."""
    with np.load(run["out"] / "tinyvgg_imagenette.npz", allow_pickle=False) as z:
        shapes = {k: z[k].shape for k in z.files}
        dtypes = {z[k].dtype for k in z.files}
    assert dtypes == {np.dtype(np.float32)}
    assert shapes["conv1.weight"] == (8, 3, 3, 3)
    assert shapes["conv2.weight"] == (12, 3, 3, 8)
    assert shapes["dense.weight"] == (2, 16)


def test_manifest_describes_the_weights(run):
    """The manifest's sha256, layer shapes and class list match the files written."""
    manifest = _manifest(run)
    data = (run["out"] / "tinyvgg_imagenette.npz").read_bytes()
    assert manifest["weights_sha256"] == hashlib.sha256(data).hexdigest()
    assert manifest["classes"] == ["n00000001", "n00000002"]
    assert manifest["training"]["epochs"] == 2
    assert "--epochs 2" in manifest["training"]["command"]
    with np.load(run["out"] / "tinyvgg_imagenette.npz", allow_pickle=False) as z:
        for layer in manifest["layers"]:
            if "weight" in layer:
                assert list(z[layer["weight"]].shape) == layer["weight_shape"]
    assert 0.0 <= manifest["val_top1_torch"] <= 1.0


def test_golden_activations_cover_every_layer_of_the_testcard(run):
    """The testcard has every layer's golden output, with the manifest's output shapes."""
    manifest = _manifest(run)
    with np.load(run["out"] / "tinyvgg_golden.npz", allow_pickle=False) as golden:
        assert golden["testcard/input"].shape == (64, 64, 3)
        for layer in manifest["layers"]:
            assert list(golden[f"testcard/{layer['name']}"].shape) == layer["output_shape"]


def test_golden_keeps_only_the_head_of_the_other_inputs(run):
    """Scene and noise keep their input, gap, logits and probabilities only (the file stays small)."""
    manifest = _manifest(run)
    with np.load(run["out"] / "tinyvgg_golden.npz", allow_pickle=False) as golden:
        for name in ("scene", "noise"):
            assert {k for k in golden.files if k.startswith(f"{name}/")} == {
                f"{name}/{layer}" for layer in ("input", "gap", "dense", "softmax")}
            assert golden[f"{name}/softmax"].sum() == pytest.approx(1.0, abs=1e-5)
    assert manifest["golden_inputs"]["all_layers"] == ["testcard"]


def test_export_only_rewrites_identical_weights(run):
    """Exporting again from the finished checkpoint reproduces the same weights file."""
    before = (run["out"] / "tinyvgg_imagenette.npz").read_bytes()
    train_tinyvgg.main([*run["argv"], "--export-only"])
    assert (run["out"] / "tinyvgg_imagenette.npz").read_bytes() == before
    assert "--export-only" not in _manifest(run)["training"]["command"]


def test_fold_batch_norm_keeps_the_logits():
    """Folding trained-looking BN statistics into the convs leaves the eval-mode logits unchanged."""
    torch.manual_seed(0)
    model = tinyvgg_net.TinyVGG(ARCH, 3)
    for module in model.features:
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-1, 1)
            module.running_var.uniform_(0.5, 2)
            module.weight.data.uniform_(0.5, 1.5)
            module.bias.data.uniform_(-0.5, 0.5)
    model.eval()
    x = torch.rand(4, 3, 20, 20)
    torch.testing.assert_close(tinyvgg_net.fold_batch_norm(model)(x), model(x), atol=1e-5, rtol=1e-5)


def test_export_arrays_use_the_kh_kw_c_layout():
    """Exported conv weights are torch's (K, C, kh, kw) transposed to (K, kh, kw, C)."""
    folded = tinyvgg_net.fold_batch_norm(tinyvgg_net.TinyVGG(ARCH, 2).eval())
    exported = tinyvgg_net.export_arrays(folded)["conv2.weight"]
    convs = [m for m in folded.features if isinstance(m, torch.nn.Conv2d)]
    torch_weight = convs[1].weight.detach().numpy()
    assert exported[5, 0, 2, 7] == torch_weight[5, 7, 0, 2]


def test_parse_arch_rejects_a_bad_item():
    """An arch item that is neither a positive integer nor 'M' is a ValueError naming `arch`."""
    with pytest.raises(ValueError, match="`arch`"):
        tinyvgg_net.parse_arch("16,x,M")
