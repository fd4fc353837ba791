"""Built-in sample inputs, generated in code (no downloaded photos).

Two kinds of sample:

- ``"image"``: a picture, ``(H, W, 3)`` float32 in [0, 1], for the Volume Lab;
- ``"numeric"``: a small grid of exact integers (stored as float32), for worked examples, where the
  numbers of the concept texts must come out exactly. These are not limited to [0, 1].

Examples
--------
>>> from convviz import load_sample
>>> load_sample("testcard").array.shape
(256, 256, 3)
>>> load_sample("grid-5x5").array[..., 0][0].tolist()
[1.0, 2.0, 0.0, 3.0, 1.0]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["SAMPLES", "Sample", "list_samples", "load_sample"]


@dataclass(frozen=True)
class Sample:
    """A named sample input.

    Attributes
    ----------
    name : str
        Stable identifier (used in URLs and tests).
    title : str
        Short human-readable title.
    description : str
        One sentence: what the sample is good for.
    kind : {"image", "numeric"}
        ``"image"`` samples are in [0, 1]; ``"numeric"`` samples hold exact integers.
    array : ndarray, shape (H, W, C), float32
        The pixel or number volume (read-only).
    """

    name: str
    title: str
    description: str
    kind: str
    array: np.ndarray

    def __repr__(self) -> str:
        h, w, c = self.array.shape
        return f"Sample({self.name!r}, {self.kind}, {h}x{w}x{c})"


def _testcard() -> np.ndarray:
    """Red vertical stripes, blue horizontal stripes and a green disc on gray, 256x256x3.

    Each feature raises *one* channel only (the others stay at the background level), so a filter
    that looks at one channel sees exactly one of the three features.
    """
    size, bg = 256, 0.4
    img = np.full((size, size, 3), bg, dtype=np.float32)  # (H, W, 3)
    yy, xx = np.mgrid[0:size, 0:size]
    # Red vertical stripes (8 px wide) in the top-left block: only R changes across x.
    red_block = (yy >= 16) & (yy < 120) & (xx >= 16) & (xx < 120)
    img[..., 0][red_block & ((xx // 8) % 2 == 0)] = 1.0
    # Blue horizontal stripes in the top-right block: only B changes across y.
    blue_block = (yy >= 16) & (yy < 120) & (xx >= 136) & (xx < 240)
    img[..., 2][blue_block & ((yy // 8) % 2 == 0)] = 1.0
    # A green disc at the bottom: only G changes.
    disc = (yy - 188) ** 2 + (xx - 128) ** 2 <= 52**2
    img[..., 1][disc] = 1.0
    return img


def _checkerboard() -> np.ndarray:
    """An 8x8 checkerboard of 16-pixel squares, 128x128x3, dark 0.1 and light 0.9 in all channels."""
    yy, xx = np.mgrid[0:128, 0:128]
    board = np.where(((yy // 16) + (xx // 16)) % 2 == 0, 0.9, 0.1).astype(np.float32)  # (H, W)
    return np.repeat(board[..., None], 3, axis=2)


def _step() -> np.ndarray:
    """A vertical step edge, 96x96x3: left half 0.2, right half 0.8, all channels."""
    img = np.full((96, 96, 3), 0.2, dtype=np.float32)
    img[:, 48:, :] = 0.8
    return img


def _scene() -> np.ndarray:
    """A small landscape, 240x320x3: sky gradient, a sun, hills and a house with a window."""
    h, w = 240, 320
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t = yy / (h - 1)
    img = np.empty((h, w, 3), dtype=np.float32)
    img[..., 0] = 0.45 + 0.35 * t  # sky: deep blue at the top, pale at the horizon
    img[..., 1] = 0.65 + 0.25 * t
    img[..., 2] = 0.95
    sun = (yy - 55) ** 2 + (xx - 250) ** 2 <= 28**2
    img[sun] = (1.0, 0.85, 0.2)
    hill = yy > 165 + 22 * np.sin(xx / 37.0)
    img[hill] = np.stack([0.25 + 0.1 * t[hill], 0.55 + 0.1 * t[hill], 0.2 * np.ones_like(t[hill])], axis=1)
    house = (yy >= 120) & (yy < 190) & (xx >= 70) & (xx < 150)
    img[house] = (0.85, 0.8, 0.7)
    roof = (yy >= 85) & (yy < 120) & (np.abs(xx - 110) <= (yy - 85) * 45 / 35)
    img[roof] = (0.7, 0.15, 0.1)
    window = (yy >= 135) & (yy < 160) & (xx >= 85) & (xx < 110)
    img[window] = (0.15, 0.3, 0.55)
    door = (yy >= 150) & (yy < 190) & (xx >= 122) & (xx < 140)
    img[door] = (0.4, 0.22, 0.1)
    return np.clip(img, 0.0, 1.0)


# The 5x5 grayscale grid of the concept text; with the vertical-edge kernel [[1,0,-1]]*3 it gives
# the 3x3 map [[-1,-5,-3],[-5,-7,1],[-5,-2,6]] (cross-correlation, valid).
_GRID_5X5 = [[1, 2, 0, 3, 1], [4, 5, 6, 7, 8], [1, 0, 1, 2, 1], [0, 1, 3, 4, 0], [3, 4, 5, 1, 2]]

# A 6x6x3 RGB volume of small integers for the "3x3x3 filter -> 4x4 map" example; one 6x6 slice
# per channel (R, G, B), written out so the numbers never depend on a random generator.
_VOLUME_6X6X3 = [
    [[0, 1, 2, 1, 0, 1], [1, 3, 4, 3, 1, 0], [2, 4, 6, 4, 2, 1], [1, 3, 4, 3, 1, 0], [0, 1, 2, 1, 0, 1],
     [1, 0, 1, 0, 1, 2]],
    [[5, 5, 5, 0, 0, 0], [5, 5, 5, 0, 0, 0], [5, 5, 5, 0, 0, 0], [5, 5, 5, 0, 0, 0], [5, 5, 5, 0, 0, 0],
     [5, 5, 5, 0, 0, 0]],
    [[2, 2, 2, 2, 2, 2], [2, 2, 2, 2, 2, 2], [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], [3, 3, 3, 3, 3, 3],
     [3, 3, 3, 3, 3, 3]],
]


def _grid_5x5() -> np.ndarray:
    return np.asarray(_GRID_5X5, dtype=np.float32)[..., None]  # (5, 5, 1)


def _volume_6x6x3() -> np.ndarray:
    return np.moveaxis(np.asarray(_VOLUME_6X6X3, dtype=np.float32), 0, -1)  # (3, 6, 6) -> (6, 6, 3)


_MAKERS: dict[str, tuple[str, str, str, Callable[[], np.ndarray]]] = {
    "testcard": ("Teaching test card", "Red vertical stripes, blue horizontal stripes and a green disc: "
                 "each lives in one channel, so channel-selective filters light up one feature only.",
                 "image", _testcard),
    "scene": ("Landscape", "A small drawn landscape with a house: edges in every direction and colour.",
              "image", _scene),
    "checkerboard": ("Checkerboard", "Sharp vertical and horizontal edges of equal strength.", "image",
                     _checkerboard),
    "step": ("Step edge", "One vertical edge: a vertical-edge filter answers with one bright column.",
             "image", _step),
    "grid-5x5": ("5x5 grid", "The 5x5 grayscale grid of the worked example (exact integers).", "numeric",
                 _grid_5x5),
    "volume-6x6x3": ("6x6x3 volume", "A small RGB volume of integers for the 3x3x3 filter example.",
                     "numeric", _volume_6x6x3),
}


def _build(name: str) -> Sample:
    title, description, kind, make = _MAKERS[name]
    array = make().astype(np.float32, copy=False)
    array.setflags(write=False)
    return Sample(name, title, description, kind, array)


SAMPLES: dict[str, Sample] = {name: _build(name) for name in _MAKERS}


def list_samples(kind: str | None = None) -> list[str]:
    """Return the sample names, optionally only those of one kind (``"image"`` or ``"numeric"``)."""
    if kind not in (None, "image", "numeric"):
        raise ValueError(f"`kind` must be None, 'image' or 'numeric', got {kind!r}")
    return [name for name, s in SAMPLES.items() if kind is None or s.kind == kind]


def load_sample(name: str) -> Sample:
    """Return the built-in sample called `name`.

    Parameters
    ----------
    name : str
        One of :func:`list_samples`.

    Returns
    -------
    Sample
        Its ``array`` is ``(H, W, C)`` float32 and read-only; image samples are in [0, 1].
    """
    try:
        return SAMPLES[name]
    except (KeyError, TypeError):
        raise ValueError(f"`name` must be one of {list_samples()}, got {name!r}") from None
