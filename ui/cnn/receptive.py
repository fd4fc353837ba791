"""Inside a CNN, one unit traced back to the photo: its theoretical and its effective receptive field.

Pick a unit (layer, map, row, column: click a cell of the enlarged map, or type the numbers). Beside the map,
the photo shows the unit's *theoretical* receptive field, the square of :func:`convviz.receptive_field` on the
Tiny VGG's spec, mapped from the 64 x 64 network input to the photo (the network squashes the photo, so the
square becomes a rectangle) and clipped at the borders. The third picture is the *effective* receptive field
on this photo: the exact input gradient of the unit (:func:`convviz.unit_gradient`, hand-written
backpropagation through conv, ReLU and max-pool, no autograd), its size summed over R, G and B.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from convviz.lessons.architectures import load_spec
from convviz.lessons.receptive_field import FieldRow, receptive_field
from convviz.model.receptive import unit_gradient
from convviz.model.tinyvgg import TinyVGG
from convviz.numbers import fmt, fmt_range
from ui.draw.describe import map_text
from ui.draw.pictures import colorize, data_uri, encode_jpeg, fit_for_display, symmetric_scale, to_uint8

RF_LAYER = "cnn_rf_layer"  # selectbox: the unit's layer
RF_CHANNEL = "cnn_rf_channel"  # number inputs: the unit's map, row and column (1-based on screen)
RF_ROW = "cnn_rf_row"
RF_COL = "cnn_rf_col"
RF_MAP = "cnn_rf_map"  # plotly chart: the enlarged map; a click picks the unit
_RF_LAST = "cnn_rf_last_click"  # (row, col) of the click already applied
SIDE = 384  # pixels (at most) of the drawn map and effective field: cells enlarged by a whole factor
HEIGHT = 300  # plot height for a square picture: about the width of a third of the page at 1400 px
BOX = {"color": "#1a73e8", "width": 3}
_SPATIAL = ("conv2d", "relu", "max_pool2d")


@st.cache_resource(show_spinner=False)
def tiny_vgg_fields() -> dict[str, FieldRow]:
    """The Tiny VGG's receptive field per layer name, from its manifest's spec (computed once)."""
    return {row.name: row for row in receptive_field(load_spec("tinyvgg"))}


def _clip_box(box: tuple[float, float, float, float], side: int) -> tuple[float, float, float, float]:
    """``(top, left, bottom, right)`` inclusive pixel indices clipped to a ``side`` x ``side`` input, as
    edges ``(y0, x0, y1, x1)`` (pixel i spans [i, i + 1))."""
    top, left, bottom, right = box
    return max(top, 0), max(left, 0), min(bottom, side - 1) + 1, min(right, side - 1) + 1


def _enlarge(pic: np.ndarray) -> np.ndarray:
    """An ``(h, w, 3)`` picture of cells enlarged by the whole factor ``SIDE // max(h, w)`` (nearest)."""
    f = max(1, SIDE // max(pic.shape[:2]))
    return np.repeat(np.repeat(pic, f, axis=0), f, axis=1)


def _picture_figure(pic: np.ndarray, edges: tuple[float, float, float, float] | None, hover: str,
                    cells: tuple[int, int] | None = None) -> go.Figure:
    """An RGB picture ``(h, w, 3)`` uint8 as a plotly layout image, `edges` ``(y0, x0, y1, x1)`` outlined.

    With `cells` ``(rows, cols)`` the picture is a map of that many cells and gets one invisible, clickable
    point per cell (customdata ``[row, col]``).
    """
    h, w = pic.shape[:2]
    fig = go.Figure()
    if cells is not None:
        rows, cols = cells
        ys, xs = np.mgrid[0:rows, 0:cols]
        fig.add_trace(go.Scatter(
            x=((xs + 0.5) * w / cols).ravel(), y=((ys + 0.5) * h / rows).ravel(), mode="markers",
            marker={"size": max(4.0, 0.9 * w / cols), "opacity": 0, "symbol": "square"},
            hoverinfo="text",
            hovertext=[f"{hover} row {r + 1}, column {c + 1}" for r, c in zip(ys.ravel(), xs.ravel(),
                                                                              strict=True)]))
    fig.add_layout_image(source=data_uri(encode_jpeg(pic)), x=0, y=0, sizex=w, sizey=h, xref="x", yref="y",
                         sizing="stretch", layer="below")
    if edges is not None:
        y0, x0, y1, x1 = edges
        fig.add_shape(type="rect", x0=x0, y0=y0, x1=x1, y1=y1, line=BOX, name="receptive field")
    fig.update_layout(
        height=round(HEIGHT * h / w) + 4, margin={"l": 0, "r": 0, "t": 0, "b": 0}, showlegend=False,
        xaxis={"visible": False, "range": [0, w], "fixedrange": True},
        yaxis={"visible": False, "range": [h, 0], "scaleanchor": "x", "fixedrange": True},
        plot_bgcolor="white", hovermode="closest", dragmode=False)
    return fig


def _apply_click(shape: tuple[int, int]) -> None:
    """A new click on the enlarged map (read before the inputs are drawn) becomes the row and column."""
    event = st.session_state.get(RF_MAP)
    selection = event.get("selection") if isinstance(event, Mapping) else None
    points = selection.get("points", []) if isinstance(selection, Mapping) else []
    index = points[0].get("point_index") if points else None
    if not isinstance(index, int) or not 0 <= index < shape[0] * shape[1]:
        return
    row, col = divmod(index, shape[1])  # the points go row by row over the (h, w) map
    if st.session_state.get(_RF_LAST) == (row, col):  # this click was applied (maybe on another map)
        return
    st.session_state[_RF_LAST] = (row, col)
    st.session_state[RF_ROW], st.session_state[RF_COL] = row + 1, col + 1


def _strongest(activation: np.ndarray, channel: int) -> None:
    """Button callback: move the unit to the largest value of its map."""
    m = activation[..., channel]
    row, col = np.unravel_index(int(np.argmax(m)), m.shape)
    st.session_state[RF_ROW], st.session_state[RF_COL] = int(row) + 1, int(col) + 1


def _pick_unit(net: TinyVGG, activations: dict[str, np.ndarray]) -> tuple[str, int, int, int]:
    """The layer/map/row/column inputs (clamped to the chosen layer); returns the unit, 0-based."""
    spatial = [layer.name for layer in net.layers if layer.type in _SPATIAL]
    if st.session_state.get(RF_LAYER) not in spatial:
        st.session_state[RF_LAYER] = "conv4" if "conv4" in spatial else spatial[0]
    cols = st.columns([1.4, 1, 1, 1, 1.6], vertical_alignment="bottom")
    layer = cols[0].selectbox("Layer", spatial, key=RF_LAYER)
    h, w, c = activations[layer].shape
    first = RF_ROW not in st.session_state
    for key, n in ((RF_CHANNEL, c), (RF_ROW, h), (RF_COL, w)):  # clamp before the inputs are drawn
        value = st.session_state.get(key, 1)
        st.session_state[key] = min(max(int(value) if isinstance(value, int) else 1, 1), n)
    channel = st.session_state[RF_CHANNEL] - 1
    if first:  # open on the map's strongest unit: something the photo actually drives
        _strongest(activations[layer], channel)
    _apply_click((h, w))
    cols[1].number_input(f"Map (1–{c})", 1, c, step=1, key=RF_CHANNEL)
    cols[2].number_input(f"Row (1–{h})", 1, h, step=1, key=RF_ROW)
    cols[3].number_input(f"Column (1–{w})", 1, w, step=1, key=RF_COL)
    cols[4].button("Strongest unit of this map", key="cnn_rf_strongest", on_click=_strongest,
                   args=(activations[layer], channel), icon=":material/my_location:")
    return layer, channel, st.session_state[RF_ROW] - 1, st.session_state[RF_COL] - 1


def _effective_picture(x64: np.ndarray, magnitude: np.ndarray) -> np.ndarray:
    """The gradient size ``(64, 64)`` in orange over a grey copy of the ``(64, 64, 3)`` input, enlarged."""
    scale = symmetric_scale(magnitude)
    grey = to_uint8(x64.mean(axis=2)).astype(np.float32)  # (64, 64)
    colours = colorize(magnitude, scale if scale > 0 else 1.0).astype(np.float32)  # (64, 64, 3)
    weight = (magnitude / scale if scale > 0 else magnitude)[..., None] * 0.85  # strong gradient: opaque
    mixed = (1 - weight) * (0.55 * grey[..., None] + 0.45 * 255) + weight * colours  # (64, 64, 3)
    return _enlarge(mixed.astype(np.uint8))


def receptive_panel(net: TinyVGG, photo: np.ndarray, x64: np.ndarray,
                    outputs: list[tuple[str, np.ndarray]]) -> None:
    """Pick a unit; draw its theoretical field on the ``(H, W, 3)`` photo and its effective field.

    `outputs` is ``net.forward(x64)`` for the 64 x 64 input `x64` the network classifies.
    """
    with st.container(key="cnn_rf"):
        _panel(net, photo, x64, outputs)


def _panel(net: TinyVGG, photo: np.ndarray, x64: np.ndarray, outputs: list[tuple[str, np.ndarray]]) -> None:
    st.header("What one unit sees: its receptive field")
    st.caption("Every value in a layer's maps comes from a patch of the photo. Click a cell of the map (or "
               "type its numbers) to trace that unit back to the photo.")
    activations = dict(outputs)
    layer, channel, row, col = _pick_unit(net, activations)
    field = tiny_vgg_fields()[layer]
    side = x64.shape[0]
    box = field.box(row, col)
    y0, x0, y1, x1 = _clip_box(box, side)
    m = activations[layer][..., channel]  # (h, w)
    h, w = m.shape
    started = time.perf_counter()
    grad = unit_gradient(net, x64, layer, channel=channel, row=row, col=col)
    took = time.perf_counter() - started
    left, middle, right = st.columns(3, gap="medium")
    with left:
        scale = symmetric_scale(m)
        pic = _enlarge(colorize(m, scale if scale > 0 else 1.0))
        f = pic.shape[0] / h
        st.plotly_chart(_picture_figure(pic, (row * f, col * f, (row + 1) * f, (col + 1) * f),
                                        f"{layer} map {channel + 1},", cells=(h, w)),
                        key=RF_MAP, on_select="rerun", selection_mode="points",
                        alt=map_text(m, f"{layer} map {channel + 1}, unit at row {row + 1}, column {col + 1} "
                                        "framed", scale=scale if scale > 0 else None),
                        config={"displayModeBar": False, "displaylogo": False})
        values = fmt_range(float(m.min()), float(m.max()))
        st.caption(f"{layer} map {channel + 1}: {h} × {w}, values {values}. The framed unit (row {row + 1}, "
                   f"column {col + 1}) is {fmt(grad.value)}.")
    with middle:
        shown = fit_for_display(to_uint8(photo), 512)
        sy, sx = shown.shape[0] / side, shown.shape[1] / side  # network input pixels -> photo pixels
        st.plotly_chart(_picture_figure(shown, (y0 * sy, x0 * sx, y1 * sy, x1 * sx), "photo"),
                        key="cnn_rf_photo", config={"displayModeBar": False, "displaylogo": False},
                        alt=f"The photo with the unit's theoretical receptive field drawn as a square: "
                            f"{field.size[0]} × {field.size[0]} pixels of the 64 × 64 input.")
        size, jump = field.size[0], field.jump[0]
        clipped = box != (y0, x0, y1 - 1, x1 - 1)
        st.caption(f"Theoretical receptive field: {size} × {size} pixels of the 64 × 64 input (jump {jump}), "
                   f"rows {int(y0) + 1}–{int(y1)}, columns {int(x0) + 1}–{int(x1)}"
                   + (" — the rest of the square is zero padding outside the photo" if clipped else "")
                   + ". Drawn on the photo: the network squashes it to 64 × 64, so the square stretches.")
    with right:
        magnitude = grad.magnitude  # (64, 64)
        pic = _effective_picture(x64, magnitude)
        f = pic.shape[0] / side
        st.plotly_chart(_picture_figure(pic, (y0 * f, x0 * f, y1 * f, x1 * f), "input"),
                        key="cnn_rf_effective", config={"displayModeBar": False, "displaylogo": False},
                        alt=map_text(magnitude, "Effective receptive field (input gradient magnitude)"))
        if grad.support is None:
            st.caption(f"Effective receptive field: empty. This unit is {fmt(grad.value)} on this photo: "
                       "ReLU cut it off, so no small change of any pixel moves it. Try the strongest unit.")
        else:
            centre = (field.start[0] + row * field.jump[0], field.start[1] + col * field.jump[1])
            core = grad.central_side(centre)
            st.caption(f"Effective receptive field on this photo: how much each input pixel moves the unit "
                       "(|∂unit/∂pixel| summed over R, G and B; orange = most, grey = not at all). Half of "
                       f"it lies within the central {core} × {core} pixels of the {size} × {size} square. "
                       "Exact gradient by hand-written backpropagation through conv, ReLU and max-pool "
                       f"({1000 * took:.0f} ms).")
