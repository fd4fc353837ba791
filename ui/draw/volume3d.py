"""A Plotly 3D view of the input volume: three exploded channel planes (the output volume's stack is CSS,
:func:`ui.draw.stack.stack_html`).

Each slice is a flat ``go.Surface`` at its own height whose colour is the slice's values. Slices are
downsampled (area average) to at most :data:`VIEW_SIDE` pixels on the long side before they go to the
browser: a 3D view is for seeing the structure of the volume, the 2D maps next to it carry the detail.
"""

from __future__ import annotations

import cv2
import numpy as np

from ui.draw.colours import CHANNEL_WORDS
from ui.draw.pictures import to_uint8

#: Longest side of a slice in a 3D view, in samples.
VIEW_SIDE = 72
_CHANNEL_RGB = ("rgb(255,0,0)", "rgb(0,160,0)", "rgb(0,0,255)")


def _shrink(m: np.ndarray, side: int) -> np.ndarray:
    """``(H, W)`` -> at most `side` on the long side (area average), float32."""
    h, w = m.shape
    if max(h, w) <= side:
        return np.asarray(m, dtype=np.float32)
    f = side / max(h, w)
    return cv2.resize(np.asarray(m, dtype=np.float32), (max(1, round(w * f)), max(1, round(h * f))),
                      interpolation=cv2.INTER_AREA)


def _slice(colour_index: np.ndarray, z: int, *, colorscale, name: str, colorbar: dict | None = None) -> dict:
    """A flat surface at height `z` coloured by uint8 `colour_index` ``(h, w)`` (0..255 on `colorscale`).

    Figures are plain dicts of uint8/uint16 arrays: plotly sends those as base64 (a few kB per slice) and
    skips the slow validation of ``go`` objects, so a live 3D view costs milliseconds to build.
    """
    h, w = colour_index.shape
    return {
        "type": "surface", "x": np.arange(w, dtype=np.uint16), "y": np.arange(h, dtype=np.uint16),
        "z": np.full((h, w), z, dtype=np.uint8), "surfacecolor": colour_index,
        "colorscale": colorscale, "cmin": 0, "cmax": 255, "showscale": colorbar is not None,
        "colorbar": colorbar or {}, "name": name, "hoverinfo": "name",
        "lighting": {"ambient": 1.0, "diffuse": 0.0, "specular": 0.0, "fresnel": 0.0},
    }


def _figure(traces: list[dict], title: str, z_labels: list[str], shape_hw: tuple[int, int],
            height: int) -> dict:
    h, w = shape_hw
    long = max(h, w)
    return {"data": traces, "layout": {
        "title": {"text": title, "font": {"size": 16}}, "height": height,
        "margin": {"l": 0, "r": 0, "t": 40, "b": 0}, "showlegend": False,
        "scene": {
            "xaxis": {"visible": False}, "yaxis": {"visible": False, "autorange": "reversed"},
            "zaxis": {"title": {"text": ""}, "tickvals": list(range(len(z_labels))), "ticktext": z_labels,
                      "tickfont": {"size": 14}},
            "aspectmode": "manual",
            # Slices one unit apart, drawn tall enough that neighbours do not overlap on screen.
            "aspectratio": {"x": w / long, "y": h / long, "z": max(1.3, 0.35 * len(z_labels))},
            "camera": {"eye": {"x": 1.5, "y": -1.6, "z": 0.6}},
        },
    }}


def exploded_input_figure(image: np.ndarray, visible=(True, True, True), *, height: int = 420) -> dict:
    """The image ``(H, W, 3)`` in [0, 1] as three planes R (bottom), G, B (top), each in its own colour.

    Parameters
    ----------
    image : ndarray, shape (H, W, 3)
        The input volume.
    visible : sequence of 3 bool
        Which channels to draw (the others are left out, their place stays empty).
    height : int, optional
        Figure height in pixels.

    Returns
    -------
    dict
        A plotly figure for ``st.plotly_chart``.

    Examples
    --------
    >>> fig = exploded_input_figure(np.zeros((8, 8, 3), dtype=np.float32), (True, False, True))
    >>> len(fig["data"])
    2
    """
    traces = []
    for c in range(3):
        if visible[c]:
            plane = to_uint8(_shrink(image[..., c], VIEW_SIDE))
            scale = [[0.0, "rgb(0,0,0)"], [1.0, _CHANNEL_RGB[c]]]
            traces.append(_slice(plane, c, colorscale=scale, name=f"{CHANNEL_WORDS[c]} channel"))
    h, w, _ = image.shape
    return _figure(traces, f"The image as a volume: {h} × {w} × 3", ["R", "G", "B"], (h, w), height)
