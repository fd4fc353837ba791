"""Your own classes: a new dense head trained in NumPy on the frozen Tiny VGG's pooled features.

Transfer learning in its simplest form. Every convolution stays as trained on Imagenette; only the last
layer, the dense map from the 64 pooled features to the class scores, is replaced and trained on a few of your
photos:

1. each photo is squashed to 64x64 by the model's rule and run up to the global average pool, once as it is
   and once mirrored left-right (a mirrored cat is still a cat: twice the examples for free), giving ``(C,)``
   features, ``C = 64``;
2. the features are standardised (mean 0, standard deviation 1 per feature, over your photos) so that one
   learning rate suits every feature;
3. softmax regression (a dense layer + softmax, cross-entropy loss, L2 penalty on the weights, classes
   weighted equally however many photos each has) is trained by full-batch Adam for ``epochs`` steps from a
   small random start drawn with ``seed``;
4. the standardisation is folded into the weights, ``W' = W / s`` and ``b' = b - W' @ m``, so the new head
   reads the raw pooled features exactly like the shipped one: :meth:`TinyVGG.forward`,
   :meth:`TinyVGG.predict` and :meth:`TinyVGG.class_activation_map` run it unchanged.

The loss is convex in the head's weights, so ``seed`` changes the path, not where it ends; the same seed gives
the same weights bit for bit.

Examples
--------
>>> import numpy as np
>>> from convviz import load_pretrained
>>> rng = np.random.default_rng(0)
>>> dark = [rng.random((32, 32, 3), dtype=np.float32) * 0.3 for _ in range(3)]
>>> light = [0.7 + rng.random((32, 32, 3), dtype=np.float32) * 0.3 for _ in range(3)]
>>> mine = fit_classes(load_pretrained(), {"dark": dark, "light": light}, epochs=50)
>>> mine.classes, mine.predict(dark[0]).shape, mine.trained_parameters
(('dark', 'light'), (2,), 130)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from convviz._validate import int_in_range
from convviz.errors import ConvvizValueError
from convviz.model._forward import run_layers
from convviz.model.tinyvgg import TinyVGG

__all__ = ["MAX_CLASSES", "MAX_IMAGES_PER_CLASS", "MAX_NAME_LENGTH", "FittedTinyVGG", "TrainingHistory",
           "fit_classes", "pooled_features"]

MIN_CLASSES, MAX_CLASSES = 2, 5
#: At most this many photos per class: 50 photos x 5 classes x 2 (mirrored) forward passes take ~2 s here.
MAX_IMAGES_PER_CLASS = 50
MAX_NAME_LENGTH = 40
MAX_EPOCHS = 2000
DEFAULT_EPOCHS = 300
LEARNING_RATE = 0.05  # Adam's step on standardised features
L2 = 0.5  # penalty 0.5 * L2 * ||W||^2 on the standardised weights: with 10 photos a class, strong is best
_BETAS = (0.9, 0.999)


@dataclass(frozen=True)
class TrainingHistory:
    """The training curve, one entry per epoch (one full-batch step), measured before that step.

    Attributes
    ----------
    loss : tuple of float
        Mean cross-entropy over the training features (photos and their mirror images) plus the L2 penalty.
    accuracy : tuple of float
        Share of those training features the head classifies right, in [0, 1].
    examples : int
        Number of training features (2 per photo).
    """

    loss: tuple[float, ...]
    accuracy: tuple[float, ...]
    examples: int


class FittedTinyVGG(TinyVGG):
    """A :class:`~convviz.TinyVGG` whose dense head was trained on your classes by :func:`fit_classes`.

    It behaves as any TinyVGG (``classes`` are your names; ``forward``, ``predict`` and
    ``class_activation_map`` use the new head) and also keeps what the training saw.

    Attributes
    ----------
    training_history : TrainingHistory
        Loss and training accuracy per epoch.
    training_features : ndarray, shape (N, C), float32
        The pooled features the head was trained on (each photo, then its mirror image), read-only: where your
        classes sit in feature space (:mod:`convviz.model.uncertainty` measures distances to them).
    training_labels : ndarray, shape (N,), int
        The class index of each row.
    examples_per_class : tuple of int
        Photos given for each class.
    trained_parameters, frozen_parameters : int
        Weights and biases of the new dense layer (``K * C + K``), and of all the convolutions, unchanged.
    """

    def __init__(self, manifest, layers, weights, *, history: TrainingHistory, features: np.ndarray,
                 labels: np.ndarray, examples_per_class: tuple[int, ...], replaced: tuple[int, ...] = ()):
        super().__init__(manifest, layers, weights, replaced=replaced)
        self.training_history = history
        for array in (features, labels):
            array.setflags(write=False)
        self.training_features, self.training_labels = features, labels
        self.examples_per_class = examples_per_class
        dense = layers[-2]
        self.trained_parameters = int(np.prod(dense.weight_shape) + dense.weight_shape[0])
        self.frozen_parameters = self.parameters - self.trained_parameters


def pooled_features(model, image) -> np.ndarray:
    """What the dense head reads: the global average pool of the 64x64 input, ``(H, W, 3)`` -> ``(C,)``.

    Parameters
    ----------
    model : TinyVGG
    image : array_like, shape (H, W, 3)
        RGB float32 in [0, 1], at least 8x8; squashed to 64x64 by :meth:`TinyVGG.resize_input`.

    Returns
    -------
    ndarray, shape (C,), float32
        The 64 pooled features (each the mean of one channel of the last pool, so >= 0).

    Examples
    --------
    >>> from convviz import load_pretrained
    >>> pooled_features(load_pretrained(), np.zeros((40, 90, 3), np.float32)).shape
    (64,)
    """
    return _features(model, model.resize_input(image))


def _features(model, x64: np.ndarray) -> np.ndarray:
    """Pooled features of a checked, resized ``(64, 64, 3)`` image: the layers up to the pool only."""
    return run_layers(model.layers[:-2], model._weights, x64)[-1][1].reshape(-1)  # (C,)


def _check_names(examples) -> list[str]:
    if not isinstance(examples, Mapping):
        raise ConvvizValueError("`examples` must map class names to lists of images, got "
                                f"{type(examples).__name__}")
    if not MIN_CLASSES <= len(examples) <= MAX_CLASSES:
        raise ConvvizValueError(f"`examples` must have {MIN_CLASSES} to {MAX_CLASSES} classes, got "
                                f"{len(examples)}")
    names, seen = [], set()
    for name in examples:
        if not isinstance(name, str):
            raise ConvvizValueError(f"`examples` class names must be text, got {type(name).__name__}")
        clean = name.strip()
        if not clean or len(clean) > MAX_NAME_LENGTH or not clean.isprintable():
            raise ConvvizValueError(f"`examples` class name {name!r} must be 1 to {MAX_NAME_LENGTH} "
                                    "printable characters (spaces at the ends do not count)")
        if clean.casefold() in seen:
            raise ConvvizValueError(f"`examples` has the class name {clean!r} twice (names are compared "
                                    "without case and end spaces)")
        seen.add(clean.casefold())
        names.append(clean)
    return names


def _check_images(model, examples, names: list[str]) -> list[list[np.ndarray]]:
    """Every class's images checked and squashed to 64x64: ``[[(64, 64, 3), ...], ...]``."""
    resized = []
    for key, name in zip(examples, names, strict=True):
        images = examples[key]
        if isinstance(images, np.ndarray) or not isinstance(images, Sequence) or isinstance(images, str):
            raise ConvvizValueError(f"`examples[{name!r}]` must be a list of (H, W, 3) images, got "
                                    f"{type(images).__name__}")
        if not images:
            raise ConvvizValueError(f"`examples[{name!r}]` has no image: give each class at least one photo")
        if len(images) > MAX_IMAGES_PER_CLASS:
            raise ConvvizValueError(f"`examples[{name!r}]` has {len(images)} images; at most "
                                    f"{MAX_IMAGES_PER_CLASS} per class are allowed")
        row = []
        for i, image in enumerate(images):
            try:
                row.append(model.resize_input(image))
            except ConvvizValueError as exc:
                raise ConvvizValueError(f"`examples[{name!r}][{i}]`: {exc}") from None
        resized.append(row)
    return resized


def _train(z: np.ndarray, y: np.ndarray, n_classes: int, epochs: int, seed: int,
           step: Callable[[int], None]) -> tuple[np.ndarray, np.ndarray, TrainingHistory]:
    """Softmax regression by full-batch Adam on standardised features ``z (N, C)``, labels ``y (N,)``.

    Returns the weights ``(K, C)``, biases ``(K,)`` (float64, for standardised input) and the curve.
    """
    n, c = z.shape
    rng = np.random.default_rng(seed)
    w = rng.normal(0.0, 0.01, (n_classes, c))  # (K, C)
    b = np.zeros(n_classes)
    onehot = np.eye(n_classes)[y]  # (N, K)
    counts = onehot.sum(axis=0)
    sample_w = (n / (n_classes * counts))[y] / n  # (N,): each class weighs the same in the mean loss
    moments = [np.zeros_like(w), np.zeros_like(b), np.zeros_like(w), np.zeros_like(b)]
    losses, accuracies = [], []
    (b1, b2), eps = _BETAS, 1e-8
    for t in range(1, epochs + 1):
        logits = z @ w.T + b  # (N, K)
        logits -= logits.max(axis=1, keepdims=True)
        log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))  # (N, K)
        losses.append(float(-(sample_w * (onehot * log_p).sum(axis=1)).sum() + 0.5 * L2 * (w * w).sum()))
        accuracies.append(float((log_p.argmax(axis=1) == y).mean()))
        residual = (np.exp(log_p) - onehot) * sample_w[:, None]  # (N, K): d loss / d logits
        grads = (residual.T @ z + L2 * w, residual.sum(axis=0))
        for i, (param, grad) in enumerate(zip((w, b), grads, strict=True)):
            moments[i] = b1 * moments[i] + (1 - b1) * grad
            moments[i + 2] = b2 * moments[i + 2] + (1 - b2) * grad * grad
            m_hat, v_hat = moments[i] / (1 - b1 ** t), moments[i + 2] / (1 - b2 ** t)
            param -= LEARNING_RATE * m_hat / (np.sqrt(v_hat) + eps)
        step(t)
    return w, b, TrainingHistory(tuple(losses), tuple(accuracies), n)


def _check_epochs(epochs) -> int:
    value = int_in_range(epochs, "epochs")
    if value > MAX_EPOCHS:
        raise ConvvizValueError(f"`epochs` must be at most {MAX_EPOCHS}, got {value}")
    return value


def fit_classes(model, examples, *, epochs: int = DEFAULT_EPOCHS, seed: int = 0,
                progress: Callable[[float, str], None] | None = None) -> FittedTinyVGG:
    """Train a new dense head on your classes; every convolution stays frozen (see the module docstring).

    Parameters
    ----------
    model : TinyVGG
        The network whose convolutions are reused (e.g. :func:`convviz.load_pretrained`). It is not changed.
    examples : mapping of str to list of array_like
        Class name -> its photos, each ``(H, W, 3)`` RGB float32 in [0, 1] (any size of at least 8x8; each is
        squashed to 64x64). 2 to 5 classes, 1 to 50 photos each; names 1 to 40 printable characters, unique
        ignoring case (spaces at the ends are dropped).
    epochs : int, optional
        Full-batch training steps, 1 to 2000 (default 300).
    seed : int, optional
        Seeds the head's random start; the same seed gives the same weights.
    progress : callable, optional
        Called as ``progress(fraction, message)`` with ``fraction`` in [0, 1] while features are computed and
        while the head trains (for a progress bar).

    Returns
    -------
    FittedTinyVGG
        A copy with ``classes`` = your names (in the mapping's order), a dense layer ``(K, C)`` and the
        ``training_history``.

    Raises
    ------
    ConvvizValueError
        Naming the argument: not 2-5 classes, a class with no image or more than 50, a bad name, a bad image,
        `epochs` out of range.
    """
    if not isinstance(model, TinyVGG):
        raise ConvvizValueError(f"`model` must be a TinyVGG (see convviz.load_pretrained), got "
                                f"{type(model).__name__}")
    names = _check_names(examples)
    epochs = _check_epochs(epochs)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ConvvizValueError(f"`seed` must be a non-negative integer, got {seed!r}")
    resized = _check_images(model, examples, names)
    report = progress if progress is not None else (lambda fraction, message: None)
    total = sum(len(row) for row in resized)
    feats, labels, done = [], [], 0
    for k, row in enumerate(resized):
        for x64 in row:  # the photo and its mirror image: (64, 64, 3) each
            feats += [_features(model, x64), _features(model, np.ascontiguousarray(x64[:, ::-1]))]
            labels += [k, k]
            done += 1
            report(0.5 * done / total, f"features of photo {done} of {total}")
    f = np.stack(feats).astype(np.float64)  # (N, C)
    y = np.asarray(labels)
    mean, std = f.mean(axis=0), f.std(axis=0) + 1e-6  # (C,): a feature that never fires stays at 0 weight
    w, b, history = _train((f - mean) / std, y, len(names), epochs, int(seed),
                           lambda t: report(0.5 + 0.5 * t / epochs, f"training: epoch {t} of {epochs}"))
    dense_w = (w / std).astype(np.float32)  # (K, C): the standardisation folded in
    dense_b = (b - (w / std) @ mean).astype(np.float32)  # (K,)
    counts = tuple(len(row) for row in resized)
    return _fitted_copy(model, names, dense_w, dense_b, history, (f.astype(np.float32), y), counts)


def _fitted_copy(model, names: list[str], dense_w: np.ndarray, dense_b: np.ndarray, history: TrainingHistory,
                 seen: tuple[np.ndarray, np.ndarray], counts: tuple[int, ...]) -> FittedTinyVGG:
    """The model with its dense and softmax layers sized for ``K`` classes and the new weights."""
    k = len(names)
    *body, dense, soft = model.layers
    layers = (*body, dataclasses.replace(dense, weight_shape=(k, dense.weight_shape[1]), output_shape=(k,)),
              dataclasses.replace(soft, output_shape=(k,)))
    weights = dict(model._weights)
    for array in (dense_w, dense_b):
        array.setflags(write=False)
    weights[dense.weight], weights[dense.bias] = dense_w, dense_b
    manifest = {key: value for key, value in model._manifest.items()
                if key not in ("val_top1_numpy", "val_numpy", "val_top1_torch", "class_wnids")}
    manifest["classes"] = list(names)
    manifest["name"] = f"{model.name} + your {k} classes"
    return FittedTinyVGG(manifest, layers, weights, history=history, features=seen[0], labels=seen[1],
                         examples_per_class=counts, replaced=model.replaced)
