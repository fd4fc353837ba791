"""Plotly figures of a network: its volumes drawn as boxes (arrays and tables in, figures out).

A volume ``H x W x C`` is a box whose height, width and depth grow with H, W and C (on a log scale, so that
224 and 7 both fit).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

#: Layer kinds drawn in the diagram (the others keep the shape and would only repeat the box before them).
DRAWN = {"conv", "max_pool", "avg_pool", "adaptive_avg_pool", "global_avg_pool", "flatten", "dense",
         "basic_block"}
COLOURS = {"input": "#9aa0a6", "conv": "#4285f4", "basic_block": "#7e57c2", "max_pool": "#f29900",
           "avg_pool": "#f29900", "adaptive_avg_pool": "#f29900", "global_avg_pool": "#f29900",
           "flatten": "#34a853", "dense": "#34a853"}
def shape_text(shape: tuple[int, ...]) -> str:
    """``(55, 55, 64)`` -> ``"55 × 55 × 64"``; a vector ``(4096,)`` -> ``"4096"``."""
    return " × ".join(str(v) for v in shape)


def _size(n: int) -> float:
    """Drawn length of a dimension of n: 1 + log2(n), so 1 -> 1, 8 -> 4, 512 -> 10."""
    return 1.0 + float(np.log2(max(n, 1)))


def _shade(colour: str, factor: float) -> str:
    """`colour` (``#rrggbb``) lightened (factor > 1) or darkened (factor < 1)."""
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    mixed = [min(255, int(v * factor)) if factor < 1 else int(v + (255 - v) * (factor - 1)) for v in rgb]
    return "#" + "".join(f"{v:02x}" for v in mixed)


def _face(xs: list[float], ys: list[float], colour: str, hover: str) -> go.Scatter:
    return go.Scatter(x=xs + xs[:1], y=ys + ys[:1], fill="toself", fillcolor=colour, mode="lines",
                      line={"color": "#3c4043", "width": 1}, hoverinfo="text", text=hover, hoveron="fills")


def volumes_figure(table) -> go.Figure:
    """The network as a row of boxes drawn in oblique projection: input, then every shape-changing layer's
    output, each labelled with its shape.

    A volume ``H x W x C`` is a box of height ~ H, thickness ~ C and receding depth ~ W (log scale).
    """
    volumes = [("input", "input", table.input_shape)]
    volumes += [(row.name, row.kind, row.output_shape) for row in table.layers if row.kind in DRAWN]
    fig = go.Figure()
    x = 0.0
    for index, (name, kind, shape) in enumerate(volumes):
        colour = COLOURS.get(kind, "#9aa0a6")
        hover = f"{name}: {shape_text(shape)}"
        if len(shape) == 3:
            h, w, c = shape
            dx, dy, depth = 0.5 * _size(c), _size(h), 0.45 * _size(w)
        else:  # a vector: a thin bar whose height grows with its length
            dx, dy, depth = 0.35, 0.75 * _size(shape[0]), 0.0
        ox, oy = depth, 0.6 * depth  # the receding edge
        fig.add_trace(_face([x, x + dx, x + dx, x], [0, 0, dy, dy], colour, hover))
        if depth:
            fig.add_trace(_face([x, x + dx, x + dx + ox, x + ox], [dy, dy, dy + oy, dy + oy],
                                _shade(colour, 1.35), hover))
            fig.add_trace(_face([x + dx, x + dx + ox, x + dx + ox, x + dx], [0, oy, dy + oy, dy],
                                _shade(colour, 0.7), hover))
        label = shape_text(shape).replace(" ", "")
        # Alternate two label rows so that neighbouring labels do not overlap.
        fig.add_annotation(x=x + (dx + ox) / 2, y=-0.8 - 1.3 * (index % 2), text=label, showarrow=False,
                           font={"size": 15})
        x += dx + ox + 1.6
    fig.update_layout(
        height=360, showlegend=False, margin={"l": 10, "r": 10, "t": 10, "b": 10}, plot_bgcolor="white",
        xaxis={"visible": False}, yaxis={"visible": False, "scaleanchor": "x", "scaleratio": 1},
    )
    return fig
