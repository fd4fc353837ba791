"""The architecture explorer: real CNNs layer by layer, shapes and parameter counts computed from specs.

Tables and totals come from :func:`convviz.architecture_table`; the diagram draws each layer's output
volume as a box whose height, width and depth grow with H, W and C (on a log scale, so that 224 and 7 both
fit).
"""

from __future__ import annotations

import streamlit as st

from convviz.lessons.architectures import architecture_table, list_architectures
from ui.draw.describe import volumes_text
from ui.draw.figures import shape_text, volumes_figure
from ui.draw.grids import show_table

ARCH = "arch_name"
INNER = "arch_inner"
KIND_WORDS = {"conv": "conv", "max_pool": "max pool", "avg_pool": "avg pool",
              "adaptive_avg_pool": "adaptive avg", "global_avg_pool": "global avg", "flatten": "flatten",
              "dense": "dense", "batch_norm": "batch-norm", "dropout": "dropout",
              "basic_block": "residual block", "add": "add"}


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
    st.plotly_chart(volumes_figure(table), key="arch_diagram", config={"displaylogo": False},
                    alt=volumes_text(table))
    st.caption("Each box is a layer's output volume: height ~ H, width ~ W, depth ~ C (log scale). "
               "Blue: conv, purple: residual block, orange: pooling, green: flatten and dense.")
    show_inner = any(row.depth for row in table.rows) and st.toggle(
        "Show the layers inside each residual block", key=INNER)
    table_panel(table, show_inner)
