"""The "not sure" flag: calibrated statistics load and match the shipped network; a flat colour is flagged and
a clear val photo is not; distances behave; a fitted head is measured against its own photos."""

from __future__ import annotations

import json

import numpy as np
import pytest

from convviz import ConvvizValueError, assess, fit_classes, load_pretrained
from convviz.model.files import DEFAULT_MANIFEST, ModelFileError
from convviz.model.transfer import pooled_features
from convviz.model.uncertainty import DEFAULT_STATISTICS, chance_relative, class_distances, load_statistics
from tests.model.class_photos import GENERATED, generated, have_imagenette, imagenette_paths, load_rgb

pytestmark = pytest.mark.skipif(not DEFAULT_MANIFEST.exists(), reason="the model weights are absent")


@pytest.fixture(scope="module")
def model():
    return load_pretrained()


def test_statistics_belong_to_the_shipped_weights_and_record_their_calibration(model):
    stats = load_statistics()
    data = json.loads(DEFAULT_STATISTICS.read_text())
    assert data["weights_sha256"] == json.loads(DEFAULT_MANIFEST.read_text())["weights_sha256"]
    assert stats.classes == model.classes and stats.class_means.shape == (10, 64)
    assert stats.whitening.shape == (64, 64) and np.allclose(np.triu(stats.whitening, 1), 0)
    assert 1.0 < stats.distance_threshold < 2.0 and 0.0 < stats.confidence_threshold < 1.0
    shares = stats.calibration["flagged_share"]
    assert shares["val photos, distance test alone"] == pytest.approx(0.05, abs=0.002)
    assert shares["flat colours"] >= 0.95 and shares["noise"] >= 0.95 and shares["val photos"] < 0.2


@pytest.mark.parametrize("colour", [(0.2, 0.6, 0.9), (0.5, 0.5, 0.5), (1.0, 1.0, 1.0), (0.9, 0.1, 0.1)])
def test_a_flat_colour_is_flagged_as_unfamiliar(model, colour):
    verdict = assess(model, np.full((120, 90, 3), colour, np.float32))
    assert verdict.unfamiliar and verdict.not_sure
    assert verdict.distance > verdict.distance_threshold


@pytest.mark.skipif(not have_imagenette(), reason="the Imagenette val photos are absent")
def test_clear_val_photos_are_rarely_flagged(model):
    """The first 20 val photos of three classes: the first tench answered right with >= 90 % is not flagged;
    of all those answered right with >= 90 %, at most 15 % are (calibration: 5-6 % on the whole val split),
    and at most a quarter of all 60 are (14.6 % on the whole split)."""
    verdicts = [(assess(model, load_rgb(p)), name)
                for name, paths in imagenette_paths(20).items() for p in paths]
    clear = [v for v, name in verdicts if model.classes[v.top_index] == name and v.top_probability >= 0.9]
    assert len(clear) >= 10
    first_tench = next(v for v, name in verdicts if name == "tench" and v in clear)
    assert not first_tench.not_sure
    assert np.mean([v.not_sure for v in clear]) <= 0.15
    assert np.mean([v.not_sure for v, _ in verdicts]) <= 0.25


def test_low_confidence_follows_the_top_probability():
    assert chance_relative(np.array([0.1] * 10)) == pytest.approx(0.0)
    assert chance_relative(np.array([1.0, 0.0])) == pytest.approx(1.0)
    assert chance_relative(np.array([0.75, 0.25])) == pytest.approx(0.5)


def test_distance_is_zero_at_a_class_mean_and_shrinks_with_many_photos():
    means = np.array([[1.0, 2.0], [3.0, 0.0]])
    d = class_distances(np.array([1.0, 4.0]), means, np.array([1000000, 1]), np.eye(2))
    assert d[0] == pytest.approx(0.0, abs=1e-6)
    # sqrt([1, 4]) - [3, 0] = [-2, 2]: |.| / sqrt(2) = 2, divided by sqrt(1 + 1/1)
    assert d[1] == pytest.approx(2 / np.sqrt(2), rel=1e-5)


def test_a_fitted_head_is_measured_against_its_own_photos(model):
    train = {k: [generated(k, i) for i in range(8)] for k in GENERATED}
    fitted = fit_classes(model, train, epochs=100)
    same_kind = assess(fitted, generated("sea", 77))
    assert same_kind.probabilities.shape == (3,) and fitted.classes[same_kind.top_index] == "sea"
    assert not same_kind.unfamiliar and same_kind.nearest_index == fitted.classes.index("sea")
    assert assess(fitted, np.full((64, 64, 3), 0.8, np.float32)).unfamiliar


def test_assess_distances_match_the_features(model):
    image = generated("forest", 3)
    stats = load_statistics()
    verdict = assess(model, image)
    expected = class_distances(pooled_features(model, image), stats.class_means, stats.class_counts,
                               stats.whitening)
    np.testing.assert_allclose(verdict.distances, expected, rtol=1e-6)
    np.testing.assert_allclose(verdict.probabilities, model.predict(image), rtol=1e-6)


def test_refusals(model, tmp_path):
    with pytest.raises(ConvvizValueError, match="`image`"):
        assess(model, np.zeros((4, 4, 3)))
    with pytest.raises(ConvvizValueError, match="`model`"):
        assess("model", np.zeros((16, 16, 3)))
    bad = tmp_path / "stats.json"
    bad.write_text(json.dumps({"classes": ["a"], "distance_threshold": 1, "confidence_threshold": 0.3,
                               "features": 3, "class_means": [[0.0] * 3], "class_counts": [1],
                               "whitening": [[1.0]]}))
    with pytest.raises(ModelFileError, match="whitening"):
        load_statistics(bad)
    with pytest.raises(ModelFileError, match="missing"):
        load_statistics(tmp_path / "absent.json")
