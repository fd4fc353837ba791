"""Text alternatives computed from the numbers: what a map, a channel plane, a filter or a chart shows.

Every picture on the pages carries one of these sentences as its ``alt`` (``<img alt>``, ``st.image(alt=)``,
``st.plotly_chart(alt=)``), so a screen reader hears what the picture shows: its shape, its value range,
where it responds most strongly and whether its pattern runs mostly in vertical or horizontal lines. The
sentences are facts measured here (never a guess at what the picture "means"), and numbers are written by
:func:`convviz.numbers.fmt` with a real minus sign.

Arrays in, sentences out: nothing here draws or reads session state. Large maps are measured on a strided
sample (about :data:`SAMPLE_SIDE` per side) for the region and direction, but the values quoted (range,
strongest value) are exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convviz.numbers import fmt
from ui.draw.figures import DRAWN, shape_text

#: Longest side of the strided sample used for regions and directions (a few thousand values).
SAMPLE_SIDE = 128
#: One direction "dominates" when its squared-difference energy is at least this many times the other's.
DOMINANCE = 2.0
#: A third of a map is named as where it is strongest when its mean beats the next third's by this factor.
LEAD = 1.25

__all__ = ["MapFacts", "bars_text", "colour_bar_text", "direction", "filter_text", "image_text", "map_facts",
           "map_text", "plane_text", "region", "sheet_text", "volumes_text"]


def _sample(m: np.ndarray) -> np.ndarray:
    """A strided ``(h', w')`` float64 sample of an ``(H, W)`` map, at most about SAMPLE_SIDE per side."""
    m = np.asarray(m)
    step = max(1, -(-max(m.shape) // SAMPLE_SIDE))
    return np.asarray(m[::step, ::step], dtype=np.float64)


def _third(profile: np.ndarray, words: tuple[str, str, str]) -> str:
    """The word of the third of a 1D non-negative `profile` with the largest mean, when it clearly leads
    (by :data:`LEAD` over the next third); ``""`` when it does not, or when the side is shorter than 3."""
    if profile.size < 3:
        return ""
    means = np.array([part.mean() for part in np.array_split(profile, 3)])
    order = np.argsort(-means, kind="stable")
    return words[order[0]] if means[order[0]] > LEAD * means[order[1]] else ""


def region(weights: np.ndarray) -> str:
    """Where an ``(H, W)`` array of non-negative weights is largest, in thirds: ``"top left"``, ``"left"``,
    ``"middle"``, ``"centre"`` ... or ``""`` when no third clearly leads (evenly spread, or tiny).

    Rows and columns are judged apart: a full-height band on the left is ``"left"``, a block in the top
    right corner ``"top right"``.

    Examples
    --------
    >>> a = np.zeros((9, 9)); a[0:3, 6:9] = 1
    >>> region(a), region(a.T), region(np.ones((9, 9)))
    ('top right', 'bottom left', '')
    >>> region(np.ones((1, 9)) * np.arange(9))
    'right'
    """
    a = np.asarray(weights, dtype=np.float64)
    if a.ndim != 2 or a.size == 0:
        return ""
    row = _third(a.mean(axis=1), ("top", "middle", "bottom"))
    col = _third(a.mean(axis=0), ("left", "centre", "right"))
    if row and col:
        if row == "middle" and col == "centre":
            return "centre"
        if row == "middle":
            return f"middle {col}"
        return row if col == "centre" else f"{row} {col}"
    return row or col


def direction(m: np.ndarray) -> str | None:
    """``"vertical"`` when an ``(H, W)`` map changes mostly from left to right (vertical lines or edges),
    ``"horizontal"`` when mostly from top to bottom, None when neither dominates (by :data:`DOMINANCE`).

    Examples
    --------
    >>> stripes = np.tile([0.0, 1.0], (8, 4))  # columns alternate: vertical stripes
    >>> direction(stripes), direction(stripes.T), direction(np.ones((8, 8)))
    ('vertical', 'horizontal', None)
    """
    a = _sample(m)
    if a.shape[0] < 2 or a.shape[1] < 2:
        return None
    across = float(np.mean(np.diff(a, axis=1) ** 2))  # change from left to right
    down = float(np.mean(np.diff(a, axis=0) ** 2))  # change from top to bottom
    if across >= DOMINANCE * down and across > 0:
        return "vertical"
    if down >= DOMINANCE * across and down > 0:
        return "horizontal"
    return None


def _where(a: np.ndarray) -> str:
    """`` in the top left``, `` on the left``, `` at the top``, or ``""`` (see :func:`region`)."""
    place = region(a)
    if not place:
        return ""
    word = {"left": "on", "right": "on", "top": "at", "bottom": "at", "middle": "across"}.get(place, "in")
    return f" {word} the {place}"


def map_text(m: np.ndarray | None, name: str, *, scale: float | None = None,
             facts: MapFacts | None = None) -> str:
    """A sentence for a signed ``(H, W)`` map drawn on the diverging ramp (purple −, white 0, orange +).

    Parameters
    ----------
    m : ndarray, shape (H, W), or None
        The map's values (None when `facts` are given).
    name : str
        What the map is ("Red-channel partial map").
    scale : float, optional
        The colour scale ``s`` (``±s`` are the end colours), when it is worth saying.
    facts : MapFacts, optional
        ``map_facts(m)`` made earlier (a page keeps them while only the colour scale changes).

    Examples
    --------
    >>> m = np.zeros((6, 6), np.float32); m[:, 0] = -2.5; m[:, 1] = 1.5
    >>> map_text(m, "Map 1")
    'Map 1, 6 × 6, values −2.5 to 1.5; strongest response −2.5, strongest responses on the left; \
mostly vertical lines (values change from left to right).'
    """
    f = map_facts(m) if facts is None else facts
    h, w = f.shape
    head = f"{name}, {h} × {w}"
    if f.lo is None:
        return head + ", empty."
    if f.lo == f.hi:
        return f"{head}, every value {fmt(f.lo)}."
    strongest = f.lo if abs(f.lo) > abs(f.hi) else f.hi
    text = f"{head}, values {fmt(f.lo)} to {fmt(f.hi)}"
    if scale is not None and scale > 0:
        text += f", colours from purple −{fmt(scale)} through white 0 to orange +{fmt(scale)}"
    text += f"; strongest response {fmt(strongest)}"
    text += f", strongest responses{f.where}" if f.where else ""
    if f.direction == "vertical":
        text += "; mostly vertical lines (values change from left to right)"
    elif f.direction == "horizontal":
        text += "; mostly horizontal lines (values change from top to bottom)"
    return text + "."


@dataclass(frozen=True)
class MapFacts:
    """What :func:`map_text` says of a map, besides its name and colour scale (``lo`` None: empty map)."""

    shape: tuple[int, int]
    lo: float | None
    hi: float | None
    where: str
    direction: str | None


def map_facts(m: np.ndarray) -> MapFacts:
    """The facts of an ``(H, W)`` map that :func:`map_text` puts in words (the costly part: ~1 ms at 1 MP)."""
    a = np.asarray(m)
    if a.size == 0:
        return MapFacts(a.shape, None, None, "", None)
    lo, hi = float(np.min(a)), float(np.max(a))
    if lo == hi:
        return MapFacts(a.shape, lo, hi, "", None)
    return MapFacts(a.shape, lo, hi, _where(np.abs(_sample(a))), direction(a))


def plane_text(plane: np.ndarray, name: str) -> str:
    """A sentence for one ``(H, W)`` colour plane with values in [0, 1] (0 dark, 1 full colour).

    Examples
    --------
    >>> p = np.zeros((6, 6)); p[4:, 2:4] = 1.0
    >>> plane_text(p, "Green channel")
    'Green channel, 6 × 6, values 0 to 1, mean 0.1111; brightest at the bottom.'
    """
    a = np.asarray(plane)
    h, w = a.shape
    lo, hi = float(np.min(a)), float(np.max(a))
    mean = float(np.mean(a, dtype=np.float64))
    text = f"{name}, {h} × {w}, values {fmt(lo)} to {fmt(hi)}, mean {fmt(mean)}"
    where = _where(_sample(a) - lo) if hi > lo else ""  # brightness above the darkest value
    return text + (f"; brightest{where}" if where else "") + "."


def image_text(rgb: np.ndarray, name: str) -> str:
    """A sentence for an ``(H, W, 3)`` RGB image in [0, 1]: its size and the mean of each channel.

    Examples
    --------
    >>> image_text(np.full((4, 5, 3), [1.0, 0.5, 0.0]), "Photo")
    'Photo, 4 × 5 pixels, 3 channels; mean red 1, green 0.5, blue 0.'
    """
    a = np.asarray(rgb)
    h, w = a.shape[:2]
    scale = 255.0 if a.dtype == np.uint8 else 1.0
    means = [float(np.mean(a[..., c], dtype=np.float64)) / scale for c in range(a.shape[2])]
    words = ", ".join(f"{word} {fmt(round(v, 3))}" for word, v in zip(("red", "green", "blue"), means,
                                                                        strict=False))
    return f"{name}, {h} × {w} pixels, {a.shape[2]} channels; mean {words}."


def filter_text(weights: np.ndarray, name: str = "Filter") -> str:
    """A sentence for a filter ``(kh, kw, C)`` drawn as a swatch (each tap's weights as one colour).

    Examples
    --------
    >>> filter_text(np.array([[[1.0, 0.0, -1.0]]]))
    'Filter 1 × 1 × 3 as colours, one square per tap (grey is 0): weights −1 to 1, sum 0; red slice sum 1, \
green 0, blue −1.'
    """
    w = np.asarray(weights, dtype=np.float64)
    kh, kw, c = w.shape
    text = (f"{name} {kh} × {kw} × {c} as colours, one square per tap (grey is 0): weights "
            f"{fmt(float(w.min()))} to {fmt(float(w.max()))}, sum {fmt(round(float(w.sum()), 4))}")
    if c == 3:
        sums = [fmt(round(float(w[..., i].sum()), 4)) for i in range(3)]
        text += f"; red slice sum {sums[0]}, green {sums[1]}, blue {sums[2]}"
    return text + "."


def colour_bar_text(scale: float | None = None) -> str:
    """The legend of the diverging ramp, with its end values when one scale is shared.

    Examples
    --------
    >>> colour_bar_text(2.5)
    'Colour bar: purple is −2.5, white is 0, orange is +2.5; values beyond are clipped.'
    >>> colour_bar_text()
    'Colour bar: purple is negative, white is 0, orange is positive.'
    """
    if scale is None or not scale > 0:
        return "Colour bar: purple is negative, white is 0, orange is positive."
    s = fmt(scale)
    return f"Colour bar: purple is −{s}, white is 0, orange is +{s}; values beyond are clipped."


def bars_text(labels, values, *, what: str = "Probabilities", percent: bool = True) -> str:
    """A bar chart in words, largest first: ``"Probabilities of 3 classes: b 60 %, a 30 %, c 10 %."``

    Examples
    --------
    >>> bars_text(["a", "b", "c"], [0.3, 0.6, 0.1])
    'Bar chart. Probabilities of 3 classes, largest first: b 60.0 %, a 30.0 %, c 10.0 %.'
    """
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    order = np.argsort(-v, kind="stable")
    parts = [f"{labels[i]} {100 * v[i]:.1f} %" if percent else f"{labels[i]} {fmt(v[i])}" for i in order]
    return f"Bar chart. {what} of {len(v)} classes, largest first: {', '.join(parts)}."


def sheet_text(activation: np.ndarray, layer: str, selected: int | None = None) -> str:
    """A sentence for a sheet of all ``C`` maps of an ``(H, W, C)`` layer output on one colour scale.

    Examples
    --------
    >>> a = np.zeros((4, 4, 3)); a[..., 1] = 2.0; a[0, 0, 2] = -1.0
    >>> sheet_text(a, "conv1", 0)
    'Sheet of the 3 maps of conv1, each 4 × 4, on one colour scale ±2; values −1 to 2; map 2 has the \
largest mean absolute value (2); map 1 is outlined. Choose a map in the box beside it to enlarge it.'
    """
    a = np.asarray(activation)
    h, w, c = a.shape
    lo, hi = float(a.min()), float(a.max())
    scale = max(abs(lo), abs(hi))
    strength = np.abs(a).mean(axis=(0, 1), dtype=np.float64)  # (C,)
    k = int(np.argmax(strength))
    text = (f"Sheet of the {c} maps of {layer}, each {h} × {w}, on one colour scale ±{fmt(scale)}; values "
            f"{fmt(lo)} to {fmt(hi)}; map {k + 1} has the largest mean absolute value "
            f"({fmt(round(float(strength[k]), 4))})")
    if selected is not None and 0 <= selected < c:
        text += f"; map {selected + 1} is outlined"
    return text + ". Choose a map in the box beside it to enlarge it."


def volumes_text(table) -> str:
    """The network diagram of :func:`ui.draw.figures.volumes_figure` in words: each drawn volume in order,
    with its layer's kind (which the diagram shows by colour) and shape.

    `table` is an architecture table (``input_shape``, ``layers`` with ``name``, ``kind``, ``output_shape``).

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> t = NS(input_shape=(64, 64, 3), layers=[NS(name="conv1", kind="conv", output_shape=(64, 64, 16)),
    ...        NS(name="relu1", kind="relu", output_shape=(64, 64, 16)),
    ...        NS(name="fc", kind="dense", output_shape=(10,))])
    >>> volumes_text(t)
    'Diagram of the network, one box per volume: input 64 × 64 × 3 → conv1 (conv) 64 × 64 × 16 → fc \
(dense) 10.'
    """
    steps = [f"input {shape_text(table.input_shape)}"]
    steps += [f"{row.name} ({row.kind.replace('_', ' ')}) {shape_text(row.output_shape)}"
              for row in table.layers if row.kind in DRAWN]
    return f"Diagram of the network, one box per volume: {' → '.join(steps)}."
