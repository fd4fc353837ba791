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
    lefts = _lefts([_box(shape) for _, _, shape in volumes])
    for (name, kind, shape), x in zip(volumes, lefts, strict=True):
        colour = COLOURS.get(kind, "#9aa0a6")
        hover = f"{name}: {shape_text(shape)}"
        dx, dy, depth = _box(shape)
        ox, oy = depth, 0.6 * depth  # the receding edge
        fig.add_trace(_face([x, x + dx, x + dx, x], [0, 0, dy, dy], colour, hover))
        if depth:
            fig.add_trace(_face([x, x + dx, x + dx + ox, x + ox], [dy, dy, dy + oy, dy + oy],
                                _shade(colour, 1.35), hover))
            fig.add_trace(_face([x + dx, x + dx + ox, x + dx + ox, x + dx], [0, oy, dy + oy, dy],
                                _shade(colour, 0.7), hover))
        # Labels slant down to the left from under the box's centre: parallel, so neighbours never overlap
        # once their centres are LABEL_SPACING_PX apart (the gaps below guarantee it at MIN_WIDTH_PX).
        fig.add_annotation(x=x + (dx + ox) / 2, y=-0.3, text=shape_text(shape).replace(" ", ""),
                           showarrow=False, font={"size": 14}, textangle=-60, xanchor="right",
                           yanchor="top")
    fig.update_layout(
        height=400, showlegend=False, margin={"l": 50, "r": 10, "t": 10, "b": 80}, plot_bgcolor="white",
        xaxis={"visible": False}, yaxis={"visible": False, "scaleanchor": "x", "scaleratio": 1},
    )
    return fig


#: The narrowest plot the diagram is laid out for (a 1024 px projector with the page's margins), and the
#: distance between neighbouring slanted labels' anchors that keeps 14 px text apart at that width (the
#: labels are parallel at 60°, so their lines are 22 · sin 60° = 19 px apart).
MIN_WIDTH_PX = 640
LABEL_SPACING_PX = 22


def _box(shape: tuple[int, ...]) -> tuple[float, float, float]:
    """``(width, height, receding depth)`` of a volume's box in data units (a vector: a thin bar)."""
    if len(shape) == 3:
        h, w, c = shape
        return 0.5 * _size(c), _size(h), 0.45 * _size(w)
    return 0.35, 0.75 * _size(shape[0]), 0.0


def _lefts(boxes: list[tuple[float, float, float]]) -> list[float]:
    """Each box's left edge (data units): boxes at least 1.6 apart, and label anchors (the boxes' centres)
    at least ``LABEL_SPACING_PX`` apart when the whole row is drawn ``MIN_WIDTH_PX`` wide.

    The row's width grows with the spacing, so the spacing is found by fixed-point steps; they converge
    because n boxes need n * LABEL_SPACING_PX < MIN_WIDTH_PX (24 volumes in VGG-16: 528 px).
    """
    widths = [dx + depth for dx, _, depth in boxes]
    gap = 0.0
    for _ in range(60):
        centres = [widths[0] / 2]
        for a, b in zip(widths[:-1], widths[1:], strict=True):
            centres.append(centres[-1] + max(gap, (a + b) / 2 + 1.6))
        gap = LABEL_SPACING_PX * (centres[-1] + widths[-1] / 2) / MIN_WIDTH_PX
    return [c - w / 2 for c, w in zip(centres, widths, strict=True)]
