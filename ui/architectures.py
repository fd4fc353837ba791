"""The architecture explorer: real CNNs layer by layer, shapes and parameter counts computed from specs.

Tables and totals come from :func:`convviz.architecture_table`; the diagram draws each layer's output
volume as a box whose height, width and depth grow with H, W and C (on a log scale, so that 224 and 7 both
fit).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from convviz.architectures import architecture_table, list_architectures
from ui.grids import show_table

ARCH = "arch_name"
INNER = "arch_inner"
#: Layer kinds drawn in the diagram (the others keep the shape and would only repeat the box before them).
DRAWN = {"conv", "max_pool", "avg_pool", "adaptive_avg_pool", "global_avg_pool", "flatten", "dense",
         "basic_block"}
COLOURS = {"input": "#9aa0a6", "conv": "#4285f4", "basic_block": "#7e57c2", "max_pool": "#f29900",
           "avg_pool": "#f29900", "adaptive_avg_pool": "#f29900", "global_avg_pool": "#f29900",
           "flatten": "#34a853", "dense": "#34a853"}
KIND_WORDS = {"conv": "conv", "max_pool": "max pool", "avg_pool": "avg pool",
              "adaptive_avg_pool": "adaptive avg", "global_avg_pool": "global avg", "flatten": "flatten",
              "dense": "dense", "batch_norm": "batch-norm", "dropout": "dropout",
              "basic_block": "residual block", "add": "add"}


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


def table_panel(table, show_inner: bool) -> None:
    """Every layer: name, kind, output shape, parameters and settings; blocks optionally opened up."""
    rows, classes = [["input", "", shape_text(table.input_shape), "0", "", ""]], [""]
    for row in table.rows:
        if row.depth and not show_inner:
            continue
        rows.append([row.name, KIND_WORDS.get(row.kind, row.kind), shape_text(row.output_shape),
                     f"{row.params:,}", row.detail, row.activation or ""])
        classes.append("inner" if row.depth else "")
    rows.append(["total", "", "", f"{table.total_params:,}", "", ""])
    classes.append("total")
    show_table(["layer", "type", "output shape", "parameters", "settings", "then"], rows, numeric={3},
               row_classes=classes)


def page() -> None:
    st.title("Architecture explorer")
    st.caption("Real networks, layer by layer: every output shape and parameter count is computed from the "
               "layer specs by convviz's calculator.")
    names = list_architectures()
    tables = {name: architecture_table(name) for name in names}
    name = st.selectbox("Network", names, key=ARCH, format_func=lambda n: tables[n].title)
    table = tables[name]
    st.write(table.description)
    cols = st.columns(4)
    cols[0].metric("Input", shape_text(table.input_shape))
    cols[1].metric("Output", shape_text(table.output_shape))
    cols[2].metric("Layers", len(table.layers))
    cols[3].metric("Parameters", f"{table.total_params:,}")
    if table.reference_params is not None:
        same = table.reference_params == table.total_params
        words = "equals" if same else "differs from"
        (st.success if same else st.error)(
            f"The computed total {words} the published count ({table.reference_params:,}). "
            f"Source: {table.source}"
        )
    st.plotly_chart(volumes_figure(table), key="arch_diagram", config={"displaylogo": False})
    st.caption("Each box is a layer's output volume: height ~ H, width ~ W, depth ~ C (log scale). "
               "Blue: conv, purple: residual block, orange: pooling, green: flatten and dense.")
    show_inner = any(row.depth for row in table.rows) and st.toggle(
        "Show the layers inside each residual block", key=INNER)
    table_panel(table, show_inner)
