"""Honest uncertainty: should the network say "not sure — this may not be one of my classes"?

A softmax always shares 100 % between the classes it knows, so a probability alone cannot say "none of these".
:func:`assess` combines two tests, both calibrated on Imagenette's validation split by
``scripts/calibrate_uncertainty.py`` and written down in ``weights/uncertainty_imagenette.json``:

- **low confidence**: the top probability ``p`` is close to chance. Measured as ``(p - 1/K) / (1 - 1/K)``
  (0 = chance, 1 = certain, comparable for K = 2..10 classes) below ``confidence_threshold``;
- **unfamiliar**: the photo's pooled features ``f`` (the 64 numbers the dense layer reads) are far from every
  class's photos seen in training. The distance is a Mahalanobis distance on ``sqrt(f)`` (the square root
  makes the skewed, non-negative ReLU averages closer to Gaussian):
  ``d_k = |L^-1 (sqrt(f) - m_k)| / sqrt(C)``, with ``m_k`` the mean of class ``k``'s training photos and
  ``L L^T`` the covariance of photos around their class mean, pooled over the 9,469 Imagenette training
  photos. ``d`` is about 1 for a typical photo of a class; the photo is unfamiliar when the smallest ``d_k``
  exceeds ``distance_threshold``.

For a head trained by :func:`convviz.fit_classes`, ``m_k`` are the means of your photos' features and the
covariance is still Imagenette's (a few photos cannot estimate a 64 x 64 covariance). A mean of ``n`` photos
is itself uncertain, which adds ``1/n`` of the spread: ``d_k`` is divided by ``sqrt(1 + 1/n_k)``, so the same
threshold applies. Photos far from Imagenette (faces, drawings) may sit far from this covariance's notion of
typical, so read the flag for your own classes as "unlike your examples", calibrated on photos.

Examples
--------
>>> import numpy as np
>>> from convviz import load_pretrained
>>> verdict = assess(load_pretrained(), np.full((64, 64, 3), (0.2, 0.6, 0.9), np.float32))
>>> verdict.unfamiliar, verdict.not_sure
(True, True)
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from convviz.errors import ConvvizValueError
from convviz.model.files import MODELS_DIR, ModelFileError
from convviz.model.tinyvgg import TinyVGG
from convviz.model.transfer import FittedTinyVGG

__all__ = ["DEFAULT_STATISTICS", "Assessment", "FeatureStatistics", "assess", "chance_relative",
           "class_distances", "load_statistics"]

DEFAULT_STATISTICS = MODELS_DIR / "uncertainty_imagenette.json"


@dataclass(frozen=True, eq=False)
class FeatureStatistics:
    """What the uncertainty tests need, measured on Imagenette (see the module docstring).

    Attributes
    ----------
    classes : tuple of str
        The shipped network's classes, in order.
    class_means : ndarray, shape (K, C), float32
        Mean of ``sqrt(features)`` of each class's training photos.
    class_counts : ndarray, shape (K,), int
        Training photos per class.
    whitening : ndarray, shape (C, C), float32
        ``L^-1``, the inverse Cholesky factor of the pooled within-class covariance (lower triangular).
    distance_threshold, confidence_threshold : float
        The calibrated thresholds.
    calibration : dict
        How they were chosen and what they flag (shares on val and on out-of-class images), as written.
    """

    classes: tuple[str, ...]
    class_means: np.ndarray
    class_counts: np.ndarray
    whitening: np.ndarray
    distance_threshold: float
    confidence_threshold: float
    calibration: dict


@dataclass(frozen=True, eq=False)
class Assessment:
    """The two tests' numbers for one image and the verdict.

    Attributes
    ----------
    probabilities : ndarray, shape (K,), float32
        The softmax output for the 64x64 input.
    top_index : int
    top_probability : float
    confidence : float
        ``(top_probability - 1/K) / (1 - 1/K)``: 0 at chance, 1 when certain.
    distances : ndarray, shape (K,), float32
        ``d_k`` to each class's training photos (about 1 for a typical photo of that class).
    nearest_index : int
        The class whose photos are nearest.
    confidence_threshold, distance_threshold : float
    """

    probabilities: np.ndarray
    top_index: int
    top_probability: float
    confidence: float
    distances: np.ndarray
    nearest_index: int
    confidence_threshold: float
    distance_threshold: float

    @property
    def distance(self) -> float:
        """The smallest ``d_k``."""
        return float(self.distances[self.nearest_index])

    @property
    def low_confidence(self) -> bool:
        """The top probability is too close to chance."""
        return self.confidence < self.confidence_threshold

    @property
    def unfamiliar(self) -> bool:
        """The features are farther from every class than the calibrated threshold."""
        return self.distance > self.distance_threshold

    @property
    def not_sure(self) -> bool:
        """Either test fired: the answer should be read as "not sure"."""
        return self.low_confidence or self.unfamiliar


def _array(data: dict, key: str, shape: tuple[int, ...], path: Path) -> np.ndarray:
    try:
        array = np.asarray(data[key], dtype=np.float32)
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(f"The uncertainty statistics {path.name} lack a numeric {key!r} "
                             f"({exc!r}).") from None
    if array.shape != shape or not np.isfinite(array).all():
        raise ModelFileError(f"`{key}` in {path.name} must be finite numbers of shape {shape}, got "
                             f"{array.shape}.")
    array.setflags(write=False)
    return array


@functools.lru_cache(maxsize=4)
def load_statistics(path: Path | str | None = None) -> FeatureStatistics:
    """Read and check the calibrated statistics (default ``weights/uncertainty_imagenette.json``).

    Raises
    ------
    ModelFileError
        The file is missing, not JSON, or an array has the wrong shape or is not finite.
    """
    path = DEFAULT_STATISTICS if path is None else Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        classes = tuple(str(c) for c in data["classes"])
        thresholds = float(data["distance_threshold"]), float(data["confidence_threshold"])
    except FileNotFoundError:
        raise ModelFileError(f"The uncertainty statistics {path} are missing; write them with "
                             "scripts/calibrate_uncertainty.py.") from None
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise ModelFileError(f"The uncertainty statistics {path.name} are damaged ({exc!r}).") from None
    k = len(classes)
    means = _array(data, "class_means", (k, data.get("features", 64)), path)
    c = means.shape[1]
    counts = _array(data, "class_counts", (k,), path).astype(np.int64)
    whitening = _array(data, "whitening", (c, c), path)
    calibration = dict(data.get("calibration", {}))
    return FeatureStatistics(classes, means, counts, whitening, *thresholds, calibration)


def _class_reference(model: TinyVGG, stats: FeatureStatistics) -> tuple[np.ndarray, np.ndarray]:
    """The class means ``(K, C)`` of ``sqrt(features)`` and photo counts ``(K,)`` for this model's head."""
    if isinstance(model, FittedTinyVGG):
        roots = np.sqrt(model.training_features)  # (N, C)
        means = np.stack([roots[model.training_labels == k].mean(axis=0) for k in range(len(model.classes))])
        return means, np.asarray(model.examples_per_class)
    if model.classes != stats.classes:
        raise ConvvizValueError(f"`model` must be the shipped Tiny VGG or one made by fit_classes: its "
                                f"classes {list(model.classes)[:3]}... have no calibrated statistics")
    return stats.class_means, stats.class_counts


def class_distances(features: np.ndarray, means: np.ndarray, counts: np.ndarray,
                    whitening: np.ndarray) -> np.ndarray:
    """``d_k`` of pooled features ``(C,)`` or ``(N, C)`` to class means ``(K, C)``: ``(K,)`` or ``(N, K)``."""
    diff = np.sqrt(np.maximum(features, 0))[..., None, :] - means  # (..., K, C)
    white = diff @ whitening.T  # (..., K, C)
    return (np.linalg.norm(white, axis=-1) / np.sqrt(means.shape[1])
            / np.sqrt(1.0 + 1.0 / np.asarray(counts, dtype=np.float64))).astype(np.float32)


def chance_relative(probabilities: np.ndarray) -> float:
    """``(max p - 1/K) / (1 - 1/K)`` of a ``(K,)`` probability vector: 0 at chance, 1 when certain."""
    k = probabilities.size
    return float((probabilities.max() - 1.0 / k) / (1.0 - 1.0 / k))


def assess(model, image, *, statistics: FeatureStatistics | None = None) -> Assessment:
    """Run both tests on one image (see the module docstring).

    Parameters
    ----------
    model : TinyVGG
        The shipped network (or a copy with conv1 filters replaced: its features are then compared with the
        original network's) or one made by :func:`convviz.fit_classes`.
    image : array_like, shape (H, W, 3)
        RGB float32 in [0, 1]; squashed to 64x64 like for :meth:`TinyVGG.predict`.
    statistics : FeatureStatistics, optional
        Default :func:`load_statistics` ().

    Returns
    -------
    Assessment

    Raises
    ------
    ConvvizValueError
        A bad image, or a model that is neither the shipped one nor a fitted one.
    """
    if not isinstance(model, TinyVGG):
        raise ConvvizValueError(f"`model` must be a TinyVGG, got {type(model).__name__}")
    stats = load_statistics() if statistics is None else statistics
    means, counts = _class_reference(model, stats)
    x64 = model.resize_input(image)  # (64, 64, 3)
    outputs = model._run(x64)
    features = outputs[-3][1].reshape(-1)  # (C,): the global average pool
    probs = outputs[-1][1].reshape(-1)  # (K,)
    distances = class_distances(features, means, counts, stats.whitening)
    top = int(np.argmax(probs))
    return Assessment(probs, top, float(probs[top]), chance_relative(probs), distances,
                      int(np.argmin(distances)), stats.confidence_threshold, stats.distance_threshold)

