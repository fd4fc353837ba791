"""Occlusion sensitivity (Zeiler & Fergus 2014): hide a patch, re-score the class, repeat across the image.

A second opinion on the class activation map that needs nothing but forward passes. A grey square of
``patch x patch`` pixels slides over the 64x64 input the classifier sees, ``stride`` pixels at a time (the
last row and column of positions touch the far edges, so every pixel is covered). At each position the
network runs again and the drop of the class's probability is recorded: ``drop = p(original) - p(occluded)``,
positive where hiding the patch removed evidence *for* the class, negative where it removed evidence against
it. Each pixel's value is the mean drop over the positions whose patch covered it.

Where the CAM is read off the weights of one forward pass, occlusion measures what *changes* when part of the
photo is gone. :func:`compare_maps` puts a number on how far the two agree.

Examples
--------
>>> import numpy as np
>>> from convviz import load_pretrained
>>> occ = occlusion_map(load_pretrained(), np.full((80, 120, 3), 0.3, np.float32), 0, patch=32, stride=32)
>>> occ.coarse.shape, occ.sensitivity.shape, occ.upsampled.shape
((2, 2), (64, 64), (80, 120))
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from convviz._validate import int_in_range
from convviz.errors import ConvvizValueError
from convviz.model.tinyvgg import _index

__all__ = ["MAX_OCCLUSIONS", "MapAgreement", "OcclusionMap", "compare_maps", "occlusion_map"]

#: At most this many occluded forward passes per map (~4 ms each here): patch 4, stride 2 would need 961.
MAX_OCCLUSIONS = 1024


@dataclass(frozen=True, eq=False)
class OcclusionMap:
    """How much hiding each part of the 64x64 input lowers one class's probability.

    Attributes
    ----------
    class_index : int
    class_name : str
    probability : float
        The class's probability on the unoccluded input.
    coarse : ndarray, shape (rows, cols), float32
        The drop for each patch position (row-major, top-left first).
    sensitivity : ndarray, shape (64, 64), float32
        Per pixel of the classifier's input: the mean drop over the patches that covered it.
    upsampled : ndarray, shape (H, W), float32
        ``sensitivity`` resized to the image passed in (bilinear), for drawing over the photo.
    patch, stride : int
    fill : float
        The grey value of the patch (all three channels).
    """

    class_index: int
    class_name: str
    probability: float
    coarse: np.ndarray
    sensitivity: np.ndarray
    upsampled: np.ndarray
    patch: int
    stride: int
    fill: float


def _starts(side: int, patch: int, stride: int) -> list[int]:
    """Top-left offsets along one axis; the last one is ``side - patch`` so the far edge is covered."""
    starts = list(range(0, side - patch + 1, stride))
    if starts[-1] != side - patch:
        starts.append(side - patch)
    return starts


def occlusion_map(model, image, class_index: int | None = None, *, patch: int = 16, stride: int = 8,
                  fill: float = 0.5) -> OcclusionMap:
    """Slide a grey ``patch`` over the 64x64 input and record the class's probability drop.

    Parameters
    ----------
    model : TinyVGG
    image : array_like, shape (H, W, 3)
        RGB float32 in [0, 1]; squashed to 64x64 like for :meth:`TinyVGG.predict`.
    class_index : int, optional
        The class to re-score; default the predicted one.
    patch : int, optional
        Side of the grey square in input pixels, 1 to 64 (default 16, a quarter of the side).
    stride : int, optional
        Step between positions, 1 to ``patch`` (default 8).
    fill : float, optional
        The patch's value in [0, 1] (default 0.5, mid grey).

    Returns
    -------
    OcclusionMap

    Raises
    ------
    ConvvizValueError
        A bad image or class index, ``patch`` or ``stride`` out of range, or more than 1,024 positions.
    """
    x64 = model.resize_input(image)  # (64, 64, 3)
    side = x64.shape[0]
    patch = int_in_range(patch, "patch")
    if patch > side:
        raise ConvvizValueError(f"`patch` must be at most {side} (the input side), got {patch}")
    stride = int_in_range(stride, "stride")
    if stride > patch:
        raise ConvvizValueError(f"`stride` must be at most `patch` ({patch}) so no pixel is skipped, "
                                f"got {stride}")
    if isinstance(fill, bool) or not isinstance(fill, int | float | np.floating) or not 0.0 <= fill <= 1.0:
        raise ConvvizValueError(f"`fill` must be a number in [0, 1], got {fill!r}")
    starts = _starts(side, patch, stride)
    if len(starts) ** 2 > MAX_OCCLUSIONS:
        raise ConvvizValueError(f"`stride` {stride} with `patch` {patch} needs {len(starts) ** 2} forward "
                                f"passes; at most {MAX_OCCLUSIONS} are allowed (use a larger stride)")
    probs = model._run(x64)[-1][1].reshape(-1)  # (K,)
    k = int(np.argmax(probs)) if class_index is None else _index(class_index, "class_index", probs.size)
    coarse = np.empty((len(starts), len(starts)), np.float32)
    total = np.zeros((side, side), np.float64)
    count = np.zeros((side, side), np.float64)
    for i, top in enumerate(starts):
        for j, left in enumerate(starts):
            hidden = x64.copy()
            hidden[top:top + patch, left:left + patch] = fill
            coarse[i, j] = probs[k] - model._run(hidden)[-1][1].reshape(-1)[k]
            total[top:top + patch, left:left + patch] += coarse[i, j]
            count[top:top + patch, left:left + patch] += 1
    sensitivity = (total / count).astype(np.float32)  # (64, 64): every pixel covered at least once
    h, w = np.shape(image)[:2]
    upsampled = cv2.resize(sensitivity, (w, h), interpolation=cv2.INTER_LINEAR)  # (H, W)
    return OcclusionMap(k, model.classes[k], float(probs[k]), coarse, sensitivity, upsampled, patch, stride,
                        float(fill))


@dataclass(frozen=True)
class MapAgreement:
    """How far two ``(H, W)`` maps of the same image agree.

    Attributes
    ----------
    correlation : float
        Pearson correlation of the two maps' values over all pixels (nan when one map is constant).
    top_overlap : float
        Intersection over union of the two maps' top ``top`` share of pixels (their strongest regions), in
        [0, 1].
    first_peak, second_peak : (float, float)
        Where each map is largest, as (row, column) fractions of the height and width, 0 = top/left.
    top : float
        The share of pixels taken as the strongest region.
    """

    correlation: float
    top_overlap: float
    first_peak: tuple[float, float]
    second_peak: tuple[float, float]
    top: float


def _peak(m: np.ndarray) -> tuple[float, float]:
    row, col = np.unravel_index(int(np.argmax(m)), m.shape)
    return (float((row + 0.5) / m.shape[0]), float((col + 0.5) / m.shape[1]))


def compare_maps(first, second, *, top: float = 0.25) -> MapAgreement:
    """Correlation, overlap of the strongest regions and the two peaks of two maps ``(H, W)`` of one image.

    Examples
    --------
    >>> a = np.zeros((4, 4)); a[0, 0] = 1
    >>> b = np.zeros((4, 4)); b[3, 3] = 1
    >>> same, apart = compare_maps(a, a, top=1 / 16), compare_maps(a, b, top=1 / 16)
    >>> same.top_overlap, apart.top_overlap, apart.first_peak, apart.second_peak
    (1.0, 0.0, (0.125, 0.125), (0.875, 0.875))
    """
    a = np.asarray(first, dtype=np.float64)
    b = np.asarray(second, dtype=np.float64)
    if a.ndim != 2 or a.shape != b.shape:
        raise ConvvizValueError(f"`first` and `second` must be 2-D maps of one shape, got {a.shape} and "
                                f"{b.shape}")
    if not 0.0 < top <= 1.0:
        raise ConvvizValueError(f"`top` must be a share in (0, 1], got {top!r}")
    n = max(1, round(top * a.size))
    masks = []
    for m in (a, b):  # the n largest values (ties broken by position, so the count is exact)
        mask = np.zeros(m.size, bool)
        mask[np.argsort(-m.reshape(-1), kind="stable")[:n]] = True
        masks.append(mask)
    overlap = float((masks[0] & masks[1]).sum() / (masks[0] | masks[1]).sum())
    if a.std() == 0 or b.std() == 0:
        correlation = float("nan")
    else:
        correlation = float(np.corrcoef(a.reshape(-1), b.reshape(-1))[0, 1])
    return MapAgreement(correlation, overlap, _peak(a), _peak(b), float(top))
