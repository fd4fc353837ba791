"""The architecture explorer: real CNNs layer by layer, shapes and parameter counts computed from specs.

Tables and totals come from :func:`convviz.architecture_table`, the receptive-field columns from
:func:`convviz.receptive_field` (the closed form of Distill's "Computing Receptive Fields"); the diagram
draws each layer's output volume as a box whose height, width and depth grow with H, W and C (on a log scale,
so that 224 and 7 both fit).
"""

from __future__ import annotations

import streamlit as st

from convviz.errors import ConvvizValueError
from convviz.lessons.architectures import architecture_table, list_architectures, load_spec
from convviz.lessons.receptive_field import FieldRow, receptive_field
from ui.draw.describe import volumes_text
from ui.draw.figures import shape_text, volumes_figure
from ui.draw.grids import show_table
from ui.draw.pictures import md_escape

ARCH = "arch_name"
INNER = "arch_inner"
KIND_WORDS = {"conv": "conv", "max_pool": "max pool", "avg_pool": "avg pool",
              "adaptive_avg_pool": "adaptive avg", "global_avg_pool": "global avg", "flatten": "flatten",
              "dense": "dense", "batch_norm": "batch-norm", "dropout": "dropout",
              "basic_block": "residual block", "add": "add"}


def _pair_text(values) -> str:
    """``(195, 195)`` -> ``"195"``; ``(3, 5)`` -> ``"3 × 5"``."""
    a, b = values
    return f"{a:g}" if a == b else f"{a:g} × {b:g}"


def field_cells(field: FieldRow) -> list[str]:
    """The receptive-field size and jump of one row, in pixels of the input ("whole input" when global)."""
    if field.size is None:
        return ["whole input", "–"]
    return [_pair_text(field.size), _pair_text(field.jump)]


def table_panel(table, fields: tuple[FieldRow, ...], show_inner: bool) -> None:
    """Every layer: name, kind, output shape, parameters, receptive field and settings; blocks optionally
    opened up. `fields` has one row per row of `table`."""
    rows, classes = [["input", "", shape_text(table.input_shape), "0", "1", "1", "", ""]], [""]
    for row, field in zip(table.rows, fields, strict=True):
        if row.depth and not show_inner:
            continue
        rows.append([row.name, KIND_WORDS.get(row.kind, row.kind), shape_text(row.output_shape),
                     f"{row.params:,}", *field_cells(field), row.detail, row.activation or ""])
        classes.append("inner" if row.depth else "")
    rows.append(["total", "", "", f"{table.total_params:,}", "", "", "", ""])
    classes.append("total")
    header = ["layer", "type", "output shape", "parameters", "receptive field (px)", "jump (px)", "settings",
              "then"]
    show_table(header, rows, numeric={3, 4, 5}, row_classes=classes)
    st.caption("Receptive field: the side of the square of input pixels one unit of a layer sees; jump: how "
               "many input pixels apart two neighbouring units look (the product of the strides so far). "
               "From the closed form in Araujo, Norris & Sim, “Computing Receptive Fields of Convolutional "
               "Neural Networks”, Distill 2019 (it publishes 195 px for AlexNet's last pool and 212 px for "
               "VGG-16's pool5). Residual blocks count their longest path, the two 3×3 convs.")


def page() -> None:
    st.title("Architecture explorer")
    st.caption("Real networks, layer by layer: every output shape and parameter count is computed from the "
               "layer specs by convviz's calculator.")
    tables = {}
    for name in list_architectures():
        try:
            tables[name] = architecture_table(name)
        except ConvvizValueError as exc:  # a damaged model install: say so, and show the other networks
            st.error(f"The {md_escape(name)} network cannot be shown. {md_escape(str(exc))}", icon="🚫")
    if not tables:
        return
    names = list(tables)
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
    table_panel(table, receptive_field(load_spec(name)), show_inner)
