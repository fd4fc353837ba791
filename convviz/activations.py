"""Activation functions applied element by element to feature volumes.

Examples
--------
>>> import numpy as np
>>> from convviz import relu
>>> relu(np.array([[[-1.0, 0.5]]])).tolist()
[[[0.0, 0.5]]]
"""

from __future__ import annotations

import numpy as np

from convviz._validate import as_float32_volume

__all__ = ["relu"]


def relu(x) -> np.ndarray:
    """Rectified linear unit: ``max(x, 0)`` element by element, like ``torch.relu``.

    Parameters
    ----------
    x : array_like, shape (H, W, C)
        A feature volume (any number of dimensions is accepted; the dtype policy of
        :mod:`convviz._validate` applies, so the result is float32).

    Returns
    -------
    ndarray, same shape as ``x``, float32
        A new array (``x`` is not modified), in the same memory layout as ``x``.

    Raises
    ------
    ConvvizValueError
        For an empty input or non-finite values.

    Examples
    --------
    >>> relu(np.array([[[-2.0], [3.0]]], dtype=np.float32))[..., 0].tolist()
    [[0.0, 3.0]]
    """
    arr = as_float32_volume(x, "x", ndims=range(1, 33), shape_hint="(H, W, C)")
    # The ufunc allocates its result in "K" order, so the layout of x is kept.
    return np.maximum(arr, np.float32(0))
