"""Your own classes (convviz.fit_classes): accuracy on held-out photos, the head it trains, determinism,
the training curve, and every refusal naming its argument."""

from __future__ import annotations

import numpy as np
import pytest

import convviz
from convviz import ConvvizValueError, fit_classes, load_pretrained
from convviz.model.files import DEFAULT_MANIFEST
from convviz.model.transfer import MAX_IMAGES_PER_CLASS, FittedTinyVGG, pooled_features
from tests.model.class_photos import GENERATED, class_photos, generated

pytestmark = pytest.mark.skipif(not DEFAULT_MANIFEST.exists(), reason="the model weights are absent")


@pytest.fixture(scope="module")
def model():
    return load_pretrained()


def _accuracy(fitted, test) -> float:
    return float(np.mean([fitted.classes[int(np.argmax(fitted.predict(x)))] == name for x, name in test]))


def test_three_classes_from_ten_photos_each_reach_85_percent_on_held_out_photos(model):
    """10 photos per class (Imagenette val: tench, church, golf ball; generated when absent) -> >= 85 % on
    60 other photos per class."""
    train, test = class_photos(10, 60)
    fitted = fit_classes(model, train)
    assert len(test) >= 90
    accuracy = _accuracy(fitted, test)
    assert accuracy >= 0.85, f"held-out accuracy {accuracy:.3f}"


def test_generated_classes_are_learned_too(model):
    """The fallback photos (sunset, sea, forest) are learned from 10 each, whatever data set is present."""
    train = {k: [generated(k, i) for i in range(10)] for k in GENERATED}
    test = [(generated(k, 500 + i), k) for k in GENERATED for i in range(30)]
    assert _accuracy(fit_classes(model, train), test) >= 0.85


def test_the_copy_has_the_new_head_and_the_frozen_convolutions(model):
    """classes are the names; predict/forward/CAM use a (K, 64) head; conv weights are the same arrays."""
    rng = np.random.default_rng(1)
    examples = {" bright ": [0.6 + 0.4 * rng.random((40, 50, 3), dtype=np.float32) for _ in range(3)],
                "dark": [0.3 * rng.random((64, 64, 3), dtype=np.float32) for _ in range(2)]}
    fitted = fit_classes(model, examples, epochs=40)
    assert isinstance(fitted, FittedTinyVGG) and isinstance(fitted, convviz.TinyVGG)
    assert fitted.classes == ("bright", "dark") and model.classes[0] == "tench"
    assert fitted.weights("dense")[0].shape == (2, 64) and fitted.weights("dense")[1].shape == (2,)
    assert fitted.weights("conv3")[0] is model.weights("conv3")[0]
    assert fitted.trained_parameters == 130 and fitted.frozen_parameters == model.parameters - 650
    assert fitted.examples_per_class == (3, 2) and fitted.training_features.shape == (10, 64)
    image = examples["dark"][0]
    outputs = dict(fitted.forward(fitted.resize_input(image)))
    assert outputs["dense"].shape == (1, 1, 2) and outputs["softmax"].shape == (1, 1, 2)
    np.testing.assert_allclose(fitted.predict(image), outputs["softmax"].reshape(-1), rtol=1e-6)
    # The folded head on raw features equals the dense layer the forward pass ran.
    w, b = fitted.weights("dense")
    np.testing.assert_allclose(w @ pooled_features(fitted, image) + b, outputs["dense"].reshape(-1),
                               rtol=1e-5, atol=1e-5)
    cam = fitted.class_activation_map(image, 1)
    assert cam.class_name == "dark" and abs(cam.coarse.mean() + cam.bias - cam.logit) < 1e-4
    assert "your 2 classes" in fitted.name and fitted.accuracy is None
    assert int(np.argmax(fitted.predict(image))) == 1  # it learned its own training photos
    with pytest.raises(ValueError):
        fitted.weights("dense")[0][0, 0] = 1.0  # read-only like the shipped weights


def test_same_seed_same_weights_and_a_falling_training_curve(model):
    train = {k: [generated(k, i) for i in range(4)] for k in GENERATED}
    first, again = fit_classes(model, train, epochs=60, seed=3), fit_classes(model, train, epochs=60, seed=3)
    other = fit_classes(model, train, epochs=60, seed=4)
    np.testing.assert_array_equal(first.weights("dense")[0], again.weights("dense")[0])
    assert not np.array_equal(first.weights("dense")[0], other.weights("dense")[0])
    history = first.training_history
    assert len(history.loss) == len(history.accuracy) == 60 and history.examples == 24
    assert history.loss[-1] < history.loss[0] and history.accuracy[-1] == 1.0
    assert all(0.0 <= a <= 1.0 for a in history.accuracy)


def test_progress_reports_features_then_training(model):
    seen = []
    fit_classes(model, {"a": [generated("sea", 0)], "b": [generated("forest", 0)]}, epochs=5,
                progress=lambda fraction, message: seen.append((fraction, message)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(seen) == 2 + 5
    assert seen[0][1].startswith("features") and seen[-1][1] == "training: epoch 5 of 5"


def _image():
    return np.zeros((16, 16, 3), np.float32)


@pytest.mark.parametrize(("examples", "kwargs", "needle"), [
    ({"a": [_image()]}, {}, "2 to 5 classes"),
    ({str(i): [_image()] for i in range(6)}, {}, "2 to 5 classes"),
    ({"a": [_image()], "b": []}, {}, "`examples['b']` has no image"),
    ({"a": [_image()], "b": [_image()] * (MAX_IMAGES_PER_CLASS + 1)}, {}, "at most 50 per class"),
    ({"a": [_image()], "  ": [_image()]}, {}, "1 to 40 printable"),
    ({"a": [_image()], "x" * 41: [_image()]}, {}, "1 to 40 printable"),
    ({"a": [_image()], "b\n": [_image()], "b\t2": [_image()]}, {}, "1 to 40 printable"),
    ({"Cat": [_image()], " cat ": [_image()]}, {}, "twice"),
    ({"a": [_image()], 3: [_image()]}, {}, "names must be text"),
    ({"a": [_image()], "b": _image()}, {}, "must be a list"),
    ({"a": [_image()], "b": [np.zeros((4, 4, 3))]}, {}, "`examples['b'][0]`"),
    ({"a": [_image()], "b": [np.zeros((16, 16))]}, {}, "`examples['b'][0]`"),
    ({"a": [_image()], "b": [np.full((16, 16, 3), np.nan)]}, {}, "`examples['b'][0]`"),
    ({"a": [_image()], "b": [_image()]}, {"epochs": 0}, "`epochs`"),
    ({"a": [_image()], "b": [_image()]}, {"epochs": 2001}, "`epochs`"),
    ({"a": [_image()], "b": [_image()]}, {"seed": -1}, "`seed`"),
    ([("a", [_image()])], {}, "`examples` must map"),
])
def test_refusals_name_the_argument(model, examples, kwargs, needle):
    with pytest.raises(ConvvizValueError, match=None) as info:
        fit_classes(model, examples, **kwargs)
    assert needle in str(info.value)


def test_model_must_be_a_tinyvgg():
    with pytest.raises(ConvvizValueError, match="`model`"):
        fit_classes("tinyvgg", {"a": [_image()], "b": [_image()]})
