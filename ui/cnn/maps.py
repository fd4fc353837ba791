"""Inside a CNN, the maps: every channel of a layer as one clickable sheet, one map enlarged, conv1's filters.

A layer's maps share one diverging colour scale centred on zero (:mod:`ui.draw.pictures`): equal colours mean
equal values across the whole sheet, and ReLU outputs, which are never negative, use only the orange half. The
sheet is one JPEG drawn as a plotly layout image, with an invisible point at the centre of every map: clicking
a map selects that point, and the page enlarges it. A picker offers the same choice without a mouse.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from convviz.filterbank.bank import FilterBank
from convviz.numbers import fmt, fmt_range
from ui import state
from ui.draw.colours import CHANNEL_COLOURS, CHANNEL_NAMES
from ui.draw.describe import colour_bar_text, filter_text, map_text, sheet_text
from ui.draw.greys import picture
from ui.draw.grids import grid_html, show_row
from ui.draw.pictures import (
    colorbar_picture,
    colorize,
    data_uri,
    encode_jpeg,
    swatch_picture,
    value_range,
)
from ui.draw.scale import bulk_abs, clipped_share

SHEET_COLUMNS = 8
TILE = 96  # smallest side of one map on the sheet, in pixels (small maps are enlarged, nearest)
MAX_TILE = 160  # largest side of a map on the sheet (larger maps are block-averaged; the enlarged one is not)
GAP = 4  # white pixels between maps
#: Static CSS (constants only): smaller number grids inside containers keyed ``cnn_compact_*``, so three
#: 3 x 3 slices fit side by side in a card and an 8 x 8 grid fits in half the page.
COMPACT_CSS = """<style>
div[class*='st-key-cnn_compact'] .cvg {font-size: 0.8rem;}
div[class*='st-key-cnn_compact'] .cvg td {min-width: 2.7em; height: 1.6em; padding: 0 0.1em;}
div[class*='st-key-cnn_compact'] .cvg caption {font-size: 0.95rem;}
div[class*='st-key-cnn_compact'] .cvg-row {gap: 0.4rem 0.6rem;}
</style>"""
ENLARGE = "cnn_enlarge"  # selectbox: the map shown large (index into the layer's channels)
EXACT_MAX = "cnn_exact_max"  # toggle: colour scale from the exact max |value| instead of the bulk
_LAST_CLICK = "cnn_last_click"  # (layer, channel) of the click already applied


def sheet(activation: np.ndarray, scale: float) -> tuple[np.ndarray, int, int]:
    """All ``C`` maps of an ``(h, w, C)`` activation in a grid: ``(rows*(th+GAP), cols*(tw+GAP), 3)`` uint8.

    Returns the picture, the tile height and the tile width (without the gap). Unused cells are white.
    """
    h, w, c = activation.shape
    if max(h, w) > MAX_TILE:  # keep the sheet near 1 MP whatever the photo size: f x f block means
        f = -(-max(h, w) // MAX_TILE)
        h, w = h // f, w // f
        activation = activation[:h * f, :w * f].reshape(h, f, w, f, c).mean(axis=(1, 3))  # (h, w, C)
    f = max(1, -(-TILE // max(h, w)))  # integer enlargement: every value stays a crisp square
    cols = min(SHEET_COLUMNS, c)
    rows = -(-c // cols)
    planar = np.ascontiguousarray(activation.transpose(2, 0, 1)).reshape(c * h, w)  # (C*h, w)
    tiles = colorize(planar, scale).reshape(c, h, w, 3)  # (C, h, w, 3)
    tiles = np.repeat(np.repeat(tiles, f, axis=1), f, axis=2)  # (C, th, tw, 3)
    th, tw = h * f, w * f
    grid = np.full((rows * cols, th + GAP, tw + GAP, 3), 255, np.uint8)
    grid[:c, :th, :tw] = tiles
    grid = grid.reshape(rows, cols, th + GAP, tw + GAP, 3)
    grid = grid.transpose(0, 2, 1, 3, 4)  # (rows, th + GAP, cols, tw + GAP, 3)
    return grid.reshape(rows * (th + GAP), cols * (tw + GAP), 3), th, tw


def sheet_figure(activation: np.ndarray, scale: float, layer: str, selected: int | None) -> go.Figure:
    """The sheet as a plotly figure: a layout image plus one hoverable, clickable point per map."""
    pic, th, tw = sheet(activation, scale)
    height, width = pic.shape[:2]
    c = activation.shape[2]
    cols = min(SHEET_COLUMNS, c)
    index = np.arange(c)
    xs = (index % cols) * (tw + GAP) + tw / 2
    ys = (index // cols) * (th + GAP) + th / 2
    lows, highs = activation.min(axis=(0, 1)), activation.max(axis=(0, 1))
    text = [f"{layer} map {k + 1}: values {fmt_range(lows[k], highs[k])}" for k in range(c)]
    source = data_uri(encode_jpeg(pic))
    fig = go.Figure(go.Scatter(x=xs, y=ys, mode="markers", marker={"size": 24, "opacity": 0},
                               hovertext=text, hoverinfo="text", customdata=index))
    fig.add_layout_image(source=source, x=0, y=0, sizex=width, sizey=height, xref="x", yref="y",
                         sizing="stretch", layer="below")
    if selected is not None and 0 <= selected < c:
        x0, y0 = (selected % cols) * (tw + GAP), (selected // cols) * (th + GAP)
        fig.add_shape(type="rect", x0=x0 - 2, y0=y0 - 2, x1=x0 + tw + 1, y1=y0 + th + 1,
                      line={"color": "#202124", "width": 3})
    fig.update_layout(
        height=min(900, max(160, round(780 * height / width))), margin={"l": 0, "r": 0, "t": 0, "b": 0},
        xaxis={"visible": False, "range": [0, width], "fixedrange": True},
        yaxis={"visible": False, "range": [height, 0], "scaleanchor": "x", "fixedrange": True},
        plot_bgcolor="white", hovermode="closest", hoverdistance=-1, dragmode=False, showlegend=False,
    )
    return fig


def _clicked(event, layer: str) -> int | None:
    """The map index of a new click on the sheet of `layer` (None when there is none, or it was applied).

    `event` is the chart's selection state, read from session state *before* the sheet is drawn, so that the
    frame and the enlarged map show the click in the same run.
    """
    selection = event.get("selection") if isinstance(event, Mapping) else None
    points = selection.get("points", []) if isinstance(selection, Mapping) else []
    if not points:
        return None
    point = points[0]
    index = point.get("point_index", point.get("customdata"))
    if not isinstance(index, int) or st.session_state.get(_LAST_CLICK) == (layer, index):
        return None
    st.session_state[_LAST_CLICK] = (layer, index)
    return index


def _layer_scale(activation: np.ndarray) -> tuple[float, str]:
    """The layer's shared colour scale and how it was chosen: the bulk of |values| (99.5th percentile, the
    values beyond counted) unless the exact max is asked for (as in the Lab)."""
    lo, hi = value_range(activation)
    exact = max(abs(lo), abs(hi))  # the largest |value|: the range gives it without another pass
    if st.toggle("Exact max scale", key=EXACT_MAX, help="Off: the colours cover the 99.5th percentile of "
                 "|values|, the few beyond are drawn at the end colours. On: they reach the largest "
                 "|value|."):
        return exact, "the exact largest |value|"
    planar = np.ascontiguousarray(activation.transpose(2, 0, 1)).reshape(-1, activation.shape[1])  # (C*h, w)
    scale = bulk_abs(planar) or exact
    share = 100 * clipped_share(activation, scale)
    beyond = f"{share:.1f} %" if share >= 0.1 or share == 0 else "< 0.1 %"
    return scale, f"the 99.5th percentile of |values|; {beyond} of the values lie beyond it"


def layer_maps_panel(layer: str, activation: np.ndarray) -> None:
    """Every map of one ``(h, w, C)`` layer output on a shared scale; click (or pick) one to enlarge it."""
    h, w, c = activation.shape
    lo, hi = value_range(activation)
    scale, rule = _layer_scale(activation)
    st.markdown(f"**{layer}**: {c} maps of {h} × {w}, values {fmt_range(lo, hi)}. One colour scale for all "
                f"{c}: purple below 0, white at 0, orange above (±{fmt(scale)}: {rule}).")
    key = f"cnn_sheet_{layer}"
    clicked = _clicked(st.session_state.get(key), layer)
    chosen = clicked if clicked is not None else st.session_state.get(ENLARGE)
    chosen = chosen if isinstance(chosen, int) and 0 <= chosen < c else 0
    st.session_state[ENLARGE] = chosen  # before the picker is drawn: it shows the clicked map
    sheet_col, big_col = st.columns([3, 2], gap="large")
    with sheet_col:
        st.plotly_chart(sheet_figure(activation, scale, layer, chosen), key=key, on_select="rerun",
                        selection_mode="points", config={"displayModeBar": False, "displaylogo": False},
                        alt=sheet_text(activation, layer, chosen))
        st.image(colorbar_picture(), caption=f"−{fmt(scale)}  ←  0  →  +{fmt(scale)}", width="stretch",
                 alt=colour_bar_text(scale))
    with big_col:
        st.selectbox("Map to enlarge (or click one)", range(c), key=ENLARGE,
                     format_func=lambda k: f"map {k + 1} of {c}")
        m = activation[..., chosen]
        values = fmt_range(*value_range(m))
        st.image(picture(m, scale, 384), width="stretch", alt=map_text(m, f"{layer} map {chosen + 1}"))
        st.caption(f"{layer} map {chosen + 1}: {h} × {w}, values {values}")


def slice_grids(weights: np.ndarray, key: str) -> None:
    """The R, G and B slices of a ``(3, 3, 3)`` filter as compact tinted number grids (2 decimals)."""
    with st.container(key=f"cnn_compact_{key}"):
        show_row(*(grid_html(np.round(weights[..., c], 2), caption=f"{CHANNEL_NAMES[c]} slice",
                             colour=CHANNEL_COLOURS[c]) for c in range(3)))


def filter_card(weights: np.ndarray, bias: float, k: int, *, replaced: bool) -> bool:
    """One conv1 filter ``(3, 3, 3)`` in the designer's format; returns True when "open in designer" is hit.

    The swatch shows each tap's R, G, B weights as one colour (grey is 0); the three grids are the R, G and
    B slices, rounded to 2 decimals for reading.
    """
    with st.container(border=True, key=f"cnn_filter_{k}"):
        pic, words = st.columns([1, 4], vertical_alignment="center")
        pic.image(swatch_picture(weights, 60), width="content", alt=filter_text(weights, f"Filter {k + 1}"))
        words.markdown(f"**Filter {k + 1}**" + (" · *your filter*" if replaced else "")
                       + f" · bias {fmt(round(float(bias), 3))}")
        slice_grids(weights, f"filter{k}")
        return st.button("Open in designer", key=f"cnn_open_{k}", icon=":material/tune:",
                         help="Load all 16 conv1 filters into the Volume Lab's designer, this one selected.")


def conv1_bank(weights: np.ndarray, bias: np.ndarray, replaced: tuple[int, ...]) -> FilterBank:
    """conv1's ``(16, 3, 3, 3)`` filters as a designer bank (the slots filled by surgery are named so)."""
    names = tuple(f"conv1 #{k + 1}" + (" (yours)" if k in replaced else "") for k in range(len(bias)))
    return FilterBank(np.asarray(weights), np.asarray(bias), names, name="tinyvgg-conv1",
                      title="Tiny VGG conv1: learned filters",
                      description="The 16 first-layer filters the Tiny VGG learned from Imagenette photos "
                                  "(batch-norm folded in). They read RGB values in [0, 1], like yours.",
                      source="convviz/model/weights/tinyvgg_imagenette.npz")


def conv1_panel(weights: np.ndarray, bias: np.ndarray, replaced: tuple[int, ...]) -> int | None:
    """Every conv1 filter as a card, two per row; returns the filter to open in the designer, if any."""
    opened = None
    for start in range(0, len(bias), 2):
        cols = st.columns(2, gap="small")
        for k in range(start, min(start + 2, len(bias))):
            with cols[k - start]:
                if filter_card(weights[k], float(bias[k]), k, replaced=k in replaced):
                    opened = k
    return opened


def open_in_designer(weights: np.ndarray, bias: np.ndarray, replaced: tuple[int, ...], k: int) -> None:
    """Make conv1's filters the Lab's bank, with filter `k` in focus (the designer edits that bank).

    The student's own bank is kept: the designer offers to restore it (:func:`ui.state.replace_bank`).
    """
    state.replace_bank(conv1_bank(weights, bias, replaced))
    st.session_state[state.FOCUS] = k
