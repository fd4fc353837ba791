"""The worked examples of the concept texts, as data: an input volume, a filter bank and its settings.

Each example is small enough to compute by hand, and uses exact integers, so the numbers the app shows can be
checked on paper (and are, in ``tests/lessons/test_worked_examples.py``).

- ``"edge-5x5"``: the 5x5 grayscale grid ⋆ the vertical-edge kernel ``[[1, 0, -1]] * 3`` → a 3x3 map;
- ``"volume-one-filter"``: the 6x6x3 RGB volume ⋆ one 3x3x3 filter → a 4x4 map (4x4x1);
- ``"volume-two-filters"``: the same volume ⋆ two 3x3x3 filters → a 4x4x2 volume.

Examples
--------
>>> from convviz.lessons.worked_examples import load_worked_example
>>> ex = load_worked_example("edge-5x5")
>>> ex.volume.shape, ex.filters.shape
((5, 5, 1), (1, 3, 3, 1))
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convviz.image.samples import load_sample

__all__ = ["VERTICAL_EDGE", "WorkedExample", "list_worked_examples", "load_worked_example"]

#: The vertical-edge kernel of the concept text (cross-correlation: bright-left/dark-right gives > 0).
VERTICAL_EDGE = ((1, 0, -1), (1, 0, -1), (1, 0, -1))

# Filters for the 6x6x3 volume, one 3x3 slice per channel (R, G, B) and a bias. Each slice picks out the
# feature its channel holds in the sample: a bump in R, a vertical edge in G, horizontal bands in B.
_FILTER_A = {
    "slices": (((0, 0, 0), (0, 1, 0), (0, 0, 0)),      # R: pass the centre value through
               VERTICAL_EDGE,                          # G: vertical edge
               ((1, 1, 1), (0, 0, 0), (-1, -1, -1))),  # B: horizontal edge
    "bias": 1,
}
_FILTER_B = {
    "slices": (((0, 1, 0), (1, 1, 1), (0, 1, 0)),      # R: sum of a plus-shaped neighbourhood
               ((0, 0, 0), (0, 0, 0), (0, 0, 0)),      # G: ignored
               ((0, 0, 0), (0, -1, 0), (0, 0, 0))),    # B: minus the centre value
    "bias": 0,
}


@dataclass(frozen=True)
class WorkedExample:
    """One worked example: everything needed to compute it with :func:`convviz.conv2d`.

    Attributes
    ----------
    name, title, description : str
        Identifier, short title and one sentence on what it shows.
    volume : ndarray, shape (H, W, C), float32
        The input (exact integers, read-only).
    filters : ndarray, shape (K, kh, kw, C), float32
        The filter bank (exact integers, read-only).
    bias : ndarray, shape (K,), float32
        One bias per filter.

    All examples use the concept texts' setting: stride 1, no padding ("valid" cross-correlation).
    """

    name: str
    title: str
    description: str
    volume: np.ndarray
    filters: np.ndarray
    bias: np.ndarray

    def __repr__(self) -> str:
        h, w, c = self.volume.shape
        k, kh, kw, _ = self.filters.shape
        return f"WorkedExample({self.name!r}, {h}x{w}x{c} ⋆ {k} filter(s) {kh}x{kw}x{c})"


def _bank(filters: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """Filters given as per-channel slices -> ``(K, kh, kw, C)`` weights and ``(K,)`` biases."""
    # Each filter's slices are (C, kh, kw); move the channel axis last.
    per_filter = [np.moveaxis(np.asarray(f["slices"], np.float32), 0, -1) for f in filters]  # (kh, kw, C)
    weights = np.stack(per_filter)  # (K, kh, kw, C)
    bias = np.asarray([f["bias"] for f in filters], dtype=np.float32)  # (K,)
    return weights, bias


def _read_only(*arrays: np.ndarray) -> None:
    for a in arrays:
        a.setflags(write=False)


def _build(name: str) -> WorkedExample:
    if name == "edge-5x5":
        volume = load_sample("grid-5x5").array
        filters, bias = _bank([{"slices": (VERTICAL_EDGE,), "bias": 0}])
        title = "5×5 grid ⋆ vertical-edge kernel"
        description = ("A 5×5 grayscale grid and the 3×3 vertical-edge kernel give a 3×3 feature map "
                       "(cross-correlation, no padding).")
    else:
        volume = load_sample("volume-6x6x3").array
        filters, bias = _bank([_FILTER_A] if name == "volume-one-filter" else [_FILTER_A, _FILTER_B])
        k = len(filters)
        title = f"6×6×3 volume ⋆ {k} filter{'s' if k > 1 else ''} of 3×3×3"
        description = ("Each 3×3×3 filter spans all three channels: it multiplies 27 numbers, adds them and "
                       f"its bias, and gives one 4×4 map; {k} filter{'s' if k > 1 else ''} give a 4×4×{k} "
                       "volume.")
    _read_only(filters, bias)
    return WorkedExample(name, title, description, volume, filters, bias)


_NAMES = ("edge-5x5", "volume-one-filter", "volume-two-filters")


def list_worked_examples() -> list[str]:
    """Names of the worked examples, in teaching order."""
    return list(_NAMES)


def load_worked_example(name: str) -> WorkedExample:
    """Return the worked example called `name` (one of :func:`list_worked_examples`).

    Examples
    --------
    >>> load_worked_example("volume-two-filters").filters.shape
    (2, 3, 3, 3)
    """
    if name not in _NAMES:
        raise ValueError(f"`name` must be one of {list(_NAMES)}, got {name!r}")
    return _build(name)
