"""Class activation maps (CAM, Zhou et al. 2016): where in the image the evidence for one class lies.

For a network that ends with a global average pool and a dense layer, the score of class ``c`` is
``z[c] = w[c] . mean over positions of A + b[c]``, with ``A`` the ``(h, w, C)`` volume that is averaged. The
mean and the dot product can swap places, so ``z[c] = mean over positions of (A @ w[c]) + b[c]``: the map
``A @ w[c]``, one number per position, is exactly how much each position adds to the score.

Examples
--------
>>> import numpy as np
>>> a = np.ones((2, 2, 3), np.float32); w = np.array([[1.0, 0.0, -1.0], [1.0, 1.0, 1.0]], np.float32)
>>> cam = cam_from_head(a, w, np.zeros(2, np.float32), np.array([0.0, 3.0]), np.array([0.05, 0.95]), 1,
...                     "b", size=(4, 4))
>>> cam.coarse.tolist(), cam.upsampled.shape
([[3.0, 3.0], [3.0, 3.0]], (4, 4))
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

__all__ = ["ClassActivationMap", "cam_from_head"]


@dataclass(frozen=True, eq=False)
class ClassActivationMap:
    """Where in the image the evidence for one class lies (CAM, Zhou et al. 2016).

    Attributes
    ----------
    class_index : int
    class_name : str
    coarse : ndarray, shape (h, w), float32
        ``A @ w[c]``: the volume ``A`` that the global average pool averages (``(8, 8, 64)`` for a 64x64
        input), weighted by the dense layer's row for the class. Exact: ``coarse.mean() + bias == logit``.
    upsampled : ndarray, shape (H, W), float32
        ``coarse`` resized to the size of the image passed in (bilinear, ``cv2.INTER_LINEAR``), for drawing
        over the photo. Its values are a smooth interpolation; the exact identity holds for ``coarse``.
    bias, logit, probability : float
        The dense bias and output of the class, and its softmax probability.
    """

    class_index: int
    class_name: str
    coarse: np.ndarray
    upsampled: np.ndarray
    bias: float
    logit: float
    probability: float


def cam_from_head(pooled_input: np.ndarray, dense_weight: np.ndarray, dense_bias: np.ndarray,
                  logits: np.ndarray, probs: np.ndarray, class_index: int, class_name: str, *,
                  size: tuple[int, int]) -> ClassActivationMap:
    """The CAM of one class from the volume the global average pool averages and the dense layer after it.

    Parameters
    ----------
    pooled_input : ndarray, shape (h, w, C)
        The volume ``A`` before the global average pool.
    dense_weight : ndarray, shape (M, C)
    dense_bias : ndarray, shape (M,)
    logits, probs : ndarray, shape (M,)
        The dense outputs and their softmax (reported in the result).
    class_index : int
        ``0 <= class_index < M`` (validated by the caller).
    class_name : str
    size : (int, int)
        ``(H, W)`` of the picture the map is drawn over.

    Returns
    -------
    ClassActivationMap
    """
    coarse = pooled_input @ dense_weight[class_index]  # (h, w)
    height, width = size
    upsampled = cv2.resize(np.ascontiguousarray(coarse), (width, height), interpolation=cv2.INTER_LINEAR)
    return ClassActivationMap(class_index, class_name, coarse, upsampled, float(dense_bias[class_index]),
                              float(logits[class_index]), float(probs[class_index]))
