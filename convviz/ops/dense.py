"""A dense (fully connected) layer and softmax: how a CNN turns features into class probabilities.

Shapes: a feature vector is ``(N,)``; a dense layer's weights are ``(M, N)`` (one row per output, as in
``torch.nn.Linear``) and its bias ``(M,)``; scores and probabilities are ``(M,)``. All float32.

Examples
--------
>>> import numpy as np
>>> from convviz.ops.dense import dense_layer, softmax
>>> scores = dense_layer(np.array([1.0, 2.0]), np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]))
>>> scores.tolist()
[1.0, 2.0, 3.0]
>>> round(float(softmax(scores).sum()), 6)
1.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convviz._validate import as_float32_volume
from convviz.errors import ConvvizValueError

__all__ = ["SoftmaxSteps", "dense_layer", "softmax", "softmax_steps"]


def dense_layer(x, weights, bias=None) -> np.ndarray:
    """Apply a dense layer: ``weights @ x + bias``.

    Parameters
    ----------
    x : array_like, shape (N,)
        The input vector (flatten a volume first: ``volume.reshape(-1)``).
    weights : array_like, shape (M, N)
        Row ``m`` holds the N weights of output ``m``.
    bias : array_like, shape (M,), optional
        One bias per output; zeros if omitted.

    Returns
    -------
    ndarray, shape (M,), float32
        The scores.

    Raises
    ------
    ConvvizValueError
        If the shapes do not match or a value is not finite.

    Examples
    --------
    >>> dense_layer([1, 1, 1], [[1, 2, 3]], [0.5]).tolist()
    [6.5]
    """
    x = as_float32_volume(x, "x", ndims=(1,), shape_hint="(N,)")
    weights = as_float32_volume(weights, "weights", ndims=(2,), shape_hint="(M, N)")
    if weights.shape[1] != x.shape[0]:
        raise ConvvizValueError(
            f"`weights` must have {x.shape[0]} columns to match `x` of shape {x.shape}, "
            f"got {weights.shape[1]}"
        )
    if bias is not None:
        bias = as_float32_volume(bias, "bias", ndims=(1,), shape_hint="(M,)")
        if bias.shape != (weights.shape[0],):
            raise ConvvizValueError(f"`bias` must have shape {(weights.shape[0],)} (one per output), "
                                    f"got {bias.shape}")
    return _dense(x, weights, bias)


def _dense(x: np.ndarray, weights: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    """:func:`dense_layer` of checked float32 arrays ``(N,)``, ``(M, N)``, ``(M,)`` or None: ``(M,)``."""
    out = weights @ x  # (M,)
    if bias is not None:
        out = out + bias
    return out.astype(np.float32, copy=False)


@dataclass(frozen=True)
class SoftmaxSteps:
    """Every intermediate of a softmax, for writing the arithmetic out.

    Attributes
    ----------
    scores : ndarray, shape (N,), float32
        The input scores.
    shifted : ndarray, shape (N,), float32
        ``scores - max(scores)``: every value <= 0, so the exponentials cannot overflow.
    exps : ndarray, shape (N,), float32
        ``exp(shifted)``, each in (0, 1].
    total : float
        ``sum(exps)``, >= 1.
    probs : ndarray, shape (N,), float32
        ``exps / total``: the probabilities.
    """

    scores: np.ndarray
    shifted: np.ndarray
    exps: np.ndarray
    total: float
    probs: np.ndarray


def softmax_steps(scores) -> SoftmaxSteps:
    """Compute a softmax and keep every step (see :func:`softmax`).

    Parameters
    ----------
    scores : array_like, shape (N,)

    Returns
    -------
    SoftmaxSteps

    Examples
    --------
    >>> s = softmax_steps([2.0, 1.0])
    >>> s.shifted.tolist(), round(s.total, 4)
    ([0.0, -1.0], 1.3679)
    """
    return _softmax_steps(as_float32_volume(scores, "scores", ndims=(1,), shape_hint="(N,)"))


def _softmax_steps(scores: np.ndarray) -> SoftmaxSteps:
    """:func:`softmax_steps` of a checked float32 vector ``(N,)``."""
    shifted = scores - scores.max()  # (N,), every value <= 0
    exps = np.exp(shifted)
    total = exps.sum(dtype=np.float32)
    return SoftmaxSteps(scores, shifted, exps, float(total), (exps / total).astype(np.float32, copy=False))


def softmax(scores) -> np.ndarray:
    """Turn scores into probabilities: ``exp(s_i) / sum_j exp(s_j)``, computed without overflow.

    Subtracting the largest score first leaves the result unchanged (it cancels in the ratio) and keeps every
    exponent <= 0, so scores like 1000 do not overflow.

    Parameters
    ----------
    scores : array_like, shape (N,)
        Any finite real scores (logits).

    Returns
    -------
    ndarray, shape (N,), float32
        Probabilities in [0, 1] that sum to 1 (to float32 rounding); the largest score gets the largest one.

    Examples
    --------
    >>> softmax([1000.0, 1000.0]).tolist()
    [0.5, 0.5]
    """
    return softmax_steps(scores).probs
