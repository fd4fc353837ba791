"""The pretrained Tiny VGG on convviz's ops: golden parity, shapes, safe loading, CAM, filter surgery."""

from __future__ import annotations

import hashlib
import json
import shutil

import cv2
import numpy as np
import pytest

from convviz import ConvvizValueError, conv2d
from convviz.model.files import DEFAULT_MANIFEST
from convviz.model.tinyvgg import ModelFileError, TinyVGG, load_pretrained

if not DEFAULT_MANIFEST.exists():
    pytest.skip(f"the model weights are not installed ({DEFAULT_MANIFEST} is absent; train and export them "
                "with scripts/train_tinyvgg.py)", allow_module_level=True)

MODELS = DEFAULT_MANIFEST.parent
MANIFEST = json.loads(DEFAULT_MANIFEST.read_text())
TOL = 1e-4


@pytest.fixture(scope="module")
def model() -> TinyVGG:
    return load_pretrained()


@pytest.fixture(scope="module")
def golden():
    with np.load(MODELS / MANIFEST["golden_file"], allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


@pytest.fixture()
def copied(tmp_path):
    """A copy of the manifest and weights in tmp_path; returns (manifest path, weights path)."""
    for name in (DEFAULT_MANIFEST.name, MANIFEST["weights_file"]):
        shutil.copy(MODELS / name, tmp_path / name)
    return tmp_path / DEFAULT_MANIFEST.name, tmp_path / MANIFEST["weights_file"]


def _rewrite_manifest(path, **changes) -> None:
    manifest = json.loads(path.read_text())
    manifest.update(changes)
    path.write_text(json.dumps(manifest))


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _photo(h: int, w: int, seed: int = 0) -> np.ndarray:
    """A smooth random colour image (H, W, 3) in [0, 1]: blurred noise, more photo-like than white noise."""
    noise = np.random.default_rng(seed).random((h, w, 3), dtype=np.float32)
    return cv2.GaussianBlur(noise, (0, 0), 3)


# --- parity with the exporter's torch model ------------------------------------------------------
def test_every_layer_of_the_testcard_matches_the_golden_activations(model, golden):
    """Every layer's output on the golden testcard is within 1e-4 of the folded torch model's."""
    for name, activation in model.forward(golden["testcard/input"]):
        expected = golden[f"testcard/{name}"]
        np.testing.assert_allclose(activation.reshape(expected.shape), expected, atol=TOL, rtol=0,
                                   err_msg=f"layer {name}")


@pytest.mark.parametrize("name", ["testcard", "scene", "noise"])
def test_logits_and_probabilities_match_the_golden_inputs(model, golden, name):
    """Logits, probabilities and the predicted class match the golden outputs of each fixed input."""
    acts = dict(model.forward(golden[f"{name}/input"]))
    np.testing.assert_allclose(acts["dense"].reshape(-1), golden[f"{name}/dense"], atol=TOL, rtol=0)
    np.testing.assert_allclose(model.predict(golden[f"{name}/input"]), golden[f"{name}/softmax"], atol=TOL)
    assert int(np.argmax(acts["softmax"])) == int(np.argmax(golden[f"{name}/softmax"]))


def test_every_layer_has_the_manifest_shape(model):
    """A 64x64 input gives each layer the manifest's output shape; gap, dense and softmax are (1, 1, C)."""
    outputs = model.forward(_photo(64, 64))
    assert [name for name, _ in outputs] == [layer["name"] for layer in MANIFEST["layers"]]
    for (_, activation), layer in zip(outputs, MANIFEST["layers"], strict=True):
        shape = layer["output_shape"]
        expected = shape if len(shape) == 3 else [1, 1, *shape]
        assert list(activation.shape) == expected and activation.dtype == np.float32


def test_conv_layers_run_at_another_size(model):
    """A 40x56 image runs through every layer: conv1 (40, 56, 16), pool3 (5, 7, 64), softmax (1, 1, 10)."""
    acts = dict(model.forward(_photo(40, 56)))
    assert acts["conv1"].shape == (40, 56, 16)
    assert acts["pool3"].shape == (5, 7, 64)
    assert acts["softmax"].shape == (1, 1, 10)


def test_another_size_matches_torch(model):
    """At 40x56 (not the training size) every layer still matches torch with the same weights."""
    torch = pytest.importorskip("torch")
    from benchmarks.tinyvgg_torch import torch_network, torch_outputs

    torch.set_num_threads(1)
    image = _photo(40, 56, seed=3)
    expected = torch_outputs(torch_network(model), image, model.layer_names)
    for (name, ours), (_, theirs) in zip(model.forward(image), expected, strict=True):
        np.testing.assert_allclose(ours, theirs, atol=TOL, rtol=0, err_msg=f"layer {name}")


def test_predict_resizes_with_the_training_rule(model):
    """predict() of a 120x90 photo equals the softmax of its INTER_AREA 64x64 version."""
    image = _photo(120, 90)
    small = cv2.resize(image, (64, 64), interpolation=cv2.INTER_AREA)
    np.testing.assert_allclose(model.predict(image), dict(model.forward(small))["softmax"].reshape(-1),
                               atol=1e-7)
    np.testing.assert_array_equal(model.resize_input(image), small)


def test_forward_refuses_a_too_small_or_grey_image(model):
    """A 7x7 image (three pools need 8x8) and a 1-channel image are refused with the argument named."""
    with pytest.raises(ConvvizValueError, match="at least 8x8"):
        model.forward(np.zeros((7, 7, 3), np.float32))
    with pytest.raises(ConvvizValueError, match="3 channels"):
        model.forward(np.zeros((64, 64, 1), np.float32))


def test_classes_are_the_ten_imagenette_names(model):
    """The classes are Imagenette's ten readable names in the manifest's order."""
    assert model.classes == tuple(MANIFEST["classes"])
    assert len(model.classes) == 10 and "parachute" in model.classes


# --- loading --------------------------------------------------------------------------------------
def test_weights_are_read_only(model):
    """Every weight array refuses writes (the app shares one model between sessions)."""
    w, b = model.weights("conv2")
    with pytest.raises(ValueError, match="read-only"):
        w[0, 0, 0, 0] = 1.0
    assert not b.flags.writeable


def test_a_pickled_weights_file_is_refused(copied):
    """A weights file whose arrays need pickle (object dtype) is refused even with a matching sha256."""
    manifest, weights = copied
    np.savez(weights, **{"conv1.weight": np.array([{"evil": 1}], dtype=object)})
    _rewrite_manifest(manifest, weights_sha256=_sha(weights))
    with pytest.raises(ModelFileError, match="without pickle"):
        load_pretrained(manifest)


def test_a_truncated_weights_file_fails_the_sha256_check(copied):
    """Cutting the weights file short is caught by the sha256 check, with the file named."""
    manifest, weights = copied
    weights.write_bytes(weights.read_bytes()[:1000])
    with pytest.raises(ModelFileError, match="damaged.*sha256"):
        load_pretrained(manifest)


def test_a_truncated_file_with_a_matching_sha256_fails_cleanly(copied):
    """A truncated archive whose sha256 the manifest agrees with still fails as ModelFileError."""
    manifest, weights = copied
    weights.write_bytes(weights.read_bytes()[:-200])
    _rewrite_manifest(manifest, weights_sha256=_sha(weights))
    with pytest.raises(ModelFileError, match="cannot be read"):
        load_pretrained(manifest)


def test_different_weights_fail_the_sha256_check(copied):
    """A valid npz with one changed weight is refused: it is not the file the manifest describes."""
    manifest, weights = copied
    with np.load(weights, allow_pickle=False) as z:
        arrays = {k: z[k].copy() for k in z.files}
    arrays["dense.bias"][0] += 1.0
    np.savez(weights, **arrays)
    with pytest.raises(ModelFileError, match="sha256"):
        load_pretrained(manifest)


def test_a_missing_weights_file_is_a_clear_error(copied):
    """Without the weights file the error says it is missing and how to get it."""
    manifest, weights = copied
    weights.unlink()
    with pytest.raises(ModelFileError, match="missing"):
        load_pretrained(manifest)


def test_a_manifest_shape_that_disagrees_with_the_weights_is_refused(copied):
    """A manifest whose conv2 weight shape differs from the array in the file is refused."""
    manifest, _ = copied
    layers = json.loads(manifest.read_text())["layers"]
    layers[2]["weight_shape"] = [32, 3, 3, 8]
    _rewrite_manifest(manifest, layers=layers)
    with pytest.raises(ModelFileError, match="conv2.weight"):
        load_pretrained(manifest)


def test_a_manifest_output_shape_that_disagrees_with_the_layers_is_refused(copied):
    """A recorded output shape the layers do not produce is refused at load time."""
    manifest, _ = copied
    layers = json.loads(manifest.read_text())["layers"]
    layers[4]["output_shape"] = [31, 31, 32]
    _rewrite_manifest(manifest, layers=layers)
    with pytest.raises(ModelFileError, match="pool1"):
        load_pretrained(manifest)


def test_a_manifest_that_is_not_json_is_refused(copied):
    """A damaged manifest is a ModelFileError (a ValueError), not a JSON traceback."""
    manifest, _ = copied
    manifest.write_text('{"layers": [NaN')
    with pytest.raises(ValueError, match="manifest"):
        load_pretrained(manifest)


# --- class activation maps ------------------------------------------------------------------------
@pytest.mark.parametrize("k", range(10))
def test_cam_mean_plus_bias_is_the_logit(model, k):
    """For every class, the coarse CAM averaged plus the dense bias is exactly that class's logit."""
    image = _photo(96, 128, seed=k)
    cam = model.class_activation_map(image, k)
    logits = dict(model.forward(model.resize_input(image)))["dense"].reshape(-1)
    assert cam.coarse.mean(dtype=np.float64) + cam.bias == pytest.approx(float(logits[k]), abs=TOL)
    assert cam.logit == pytest.approx(float(logits[k]), abs=1e-6)


def test_cam_shapes_follow_the_input(model):
    """The coarse map is the GAP input's (8, 8); the upsampled one has the photo's (H, W)."""
    cam = model.class_activation_map(_photo(96, 128), 4)
    assert cam.coarse.shape == (8, 8) and cam.upsampled.shape == (96, 128)
    native = model.class_activation_map(_photo(96, 128), 4, resize=False)
    assert native.coarse.shape == (12, 16) and native.upsampled.shape == (96, 128)


def test_cam_defaults_to_the_predicted_class(model):
    """Without a class index the CAM is for the top class, with its probability."""
    image = _photo(64, 64, seed=5)
    probs = model.predict(image)
    cam = model.class_activation_map(image)
    assert cam.class_index == int(np.argmax(probs)) and cam.class_name == model.classes[cam.class_index]
    assert cam.probability == pytest.approx(float(probs.max()), abs=1e-6)


def test_cam_refuses_a_bad_class_index(model):
    """A class index outside 0..9 is refused with the allowed range."""
    with pytest.raises(ConvvizValueError, match=r"\[0, 10\)"):
        model.class_activation_map(_photo(64, 64), 10)


# --- filter surgery -------------------------------------------------------------------------------
def test_with_conv1_filter_changes_only_that_slot(model):
    """The copy differs from the model only in conv1 filter k and its bias; the original is unchanged."""
    kernel = np.random.default_rng(1).standard_normal((3, 3, 3)).astype(np.float32)
    before = model.weights("conv1")[0].copy()
    edited = model.with_conv1_filter(5, kernel, 0.25)
    w, b = edited.weights("conv1")
    np.testing.assert_array_equal(w[5], kernel)
    assert b[5] == np.float32(0.25)
    keep = np.arange(16) != 5
    np.testing.assert_array_equal(w[keep], model.weights("conv1")[0][keep])
    np.testing.assert_array_equal(b[keep], model.weights("conv1")[1][keep])
    np.testing.assert_array_equal(model.weights("conv1")[0], before)
    for name in ("conv2", "conv6", "dense"):
        assert edited.weights(name)[0] is model.weights(name)[0]
    assert edited.replaced == (5,) and model.replaced == ()
    assert not w.flags.writeable


def test_with_conv1_filter_changes_only_that_channel_of_conv1(model):
    """After surgery conv1's map k is the new filter's response; the other 15 maps are unchanged."""
    image = _photo(64, 64, seed=2)
    kernel = np.zeros((3, 3, 3), np.float32)
    kernel[1, :, 0] = [-1.0, 0.0, 1.0]
    old = model.forward(image)[0][1]
    new = model.with_conv1_filter(0, kernel, 0.1).forward(image)[0][1]
    np.testing.assert_array_equal(new[..., 1:], old[..., 1:])
    np.testing.assert_allclose(new[..., 0], conv2d(image, kernel, 0.1, padding=1)[..., 0], atol=1e-6)


@pytest.mark.parametrize(("index", "kernel", "match"), [
    (16, np.zeros((3, 3, 3)), "`index`"),
    (-1, np.zeros((3, 3, 3)), "`index`"),
    (0, np.zeros((5, 5, 3)), r"`kernel` must have shape \(3, 3, 3\)"),
    (0, np.zeros((3, 3)), "`kernel`"),
    (0, np.full((3, 3, 3), np.nan), "finite"),
])
def test_with_conv1_filter_validates_its_arguments(model, index, kernel, match):
    """A slot outside 0..15, a kernel not (3, 3, 3) or not finite is refused, naming the argument."""
    with pytest.raises(ConvvizValueError, match=match):
        model.with_conv1_filter(index, kernel, 0.0)


def test_repr_names_size_layers_and_accuracy(model):
    """The repr shows the parameter count, every layer with its output shape and the accuracy."""
    text = repr(model)
    assert f"{model.parameters:,} parameters" in text
    assert "conv1    16 x 3x3x3" in text and "-> 8x8x64" in text and "softmax" in text
    assert ("val top-1" in text) and (model.parameters == MANIFEST["parameters"])
