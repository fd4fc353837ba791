"""Explain one output pixel: its receptive field, the weights, the products, the bias, the sum, the ReLU.

Two keyed fragments side by side:

- :func:`pick_fragment` (``live.FRAG_PICK``): the row and column of the output pixel, and (on demand) a
  plotly view of the input image in *output coordinates* with the pixel's window drawn on it; clicking the
  view picks the pixel under the cursor. It depends only on the image and the settings, so weight edits
  never redraw it.
- :func:`explain_fragment` (``live.FRAG_EXPLAIN``): the arithmetic from
  :func:`convviz.ops.explain.explain_pixel` — per channel the window, the weights and the products, then the
  sums, the bias, the total, the value read from the map itself, and ReLU — in one HTML block (numbers only,
  never user text).
"""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from convviz.numbers import fmt, fmt_fixed, sum_decimals
from convviz.ops.explain import PixelExplanation, explain_pixel
from convviz.ops.shapes import conv_geometry
from ui.classroom.words import COUNTING
from ui.draw.colours import CHANNEL_NAMES
from ui.draw.pictures import data_uri, encode_jpeg, fit_for_display, to_uint8
from ui.lab import live
from ui.lab.context import lab_context

PICK_PLOT = "cv_px_plot"  # the clickable view's selection state
PICK_ON = "cv_pick_on"  # toggle: show the clickable view (a plotly chart costs every later rerun a little)
GRID_SIDE = 48  # clickable points on the long side of the view
VIEW_SIDE = 384  # pixels on the long side of the image in the view
#: The explanation's table styles, once in the page's style sheet (ui/lab/page.py) rather than on each of its
#: 81 cells: an edit reruns the explanation, and inline styles were 9 of its 12 kB.
EXPLAIN_CSS = """.cv-nums {border-collapse:collapse;margin:2px 0}
.cv-nums td {padding:1px 7px;text-align:right;border:1px solid #bbb;font-variant-numeric:tabular-nums}
.cv-nums td.cv-pad {color:#999;font-style:italic}
.cv-explain th {text-align:left;padding-right:14px}"""


def _grid(n: int) -> np.ndarray:
    """Output positions with a clickable point on an axis of `n` outputs (every `step`-th, and the last)."""
    step = max(1, math.ceil(n / GRID_SIDE))
    return np.unique(np.append(np.arange(0, n, step), n - 1))


def _pixel(h: int, w: int) -> tuple[int, int]:
    """The chosen output pixel as 0-based indices, clamped to an ``h x w`` map (session state may hold
    anything). The widgets hold the row and column as the page shows them: counted from 1."""
    ss = st.session_state
    return (min(max(_as_int(ss.get(live.PIXEL_ROW)) - 1, 0), h - 1),
            min(max(_as_int(ss.get(live.PIXEL_COL)) - 1, 0), w - 1))


def _as_int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _on_pick() -> None:
    """Selection callback: the clicked point becomes the explained pixel."""
    event = st.session_state.get(PICK_PLOT)
    try:
        point = event["selection"]["points"][-1]
        st.session_state[live.PIXEL_ROW] = int(round(float(point["y"]))) + 1  # shown counted from 1
        st.session_state[live.PIXEL_COL] = int(round(float(point["x"]))) + 1
    except (KeyError, IndexError, TypeError, ValueError):
        return
    st.rerun([live.FRAG_EXPLAIN, live.FRAG_PICK])


def _on_number() -> None:
    st.rerun([live.FRAG_EXPLAIN, live.FRAG_PICK])


def pick_figure(image_hw: tuple[int, int], g, pixel: tuple[int, int], *, data_uri: str,
                view_hw: tuple[int, int]) -> dict:
    """The input image placed in output coordinates, a clickable grid, and the window of `pixel`.

    Input row ``i`` sits at output row ``(i + pt - dh(kh-1)/2) / sh`` (columns likewise): the centre of the
    window of output ``(y, x)`` lands on ``(y, x)``. `data_uri` is the image shrunk to `view_hw` pixels.
    """
    (h, w), (vh, vw) = image_hw, view_hw

    def out_y(i: float) -> float:
        return (i + g.pt - g.dh * (g.kh - 1) / 2) / g.sh

    def out_x(j: float) -> float:
        return (j + g.pl - g.dw * (g.kw - 1) / 2) / g.sw

    rows, cols = _grid(g.out_h), _grid(g.out_w)
    yy, xx = np.meshgrid(rows, cols, indexing="ij")
    top, left = pixel[0] * g.sh - g.pt, pixel[1] * g.sw - g.pl  # the window's first input row and column
    bottom, right = top + g.dh * (g.kh - 1), left + g.dw * (g.kw - 1)
    rect = {"type": "rect", "xref": "x", "yref": "y", "line": {"color": "#ff00ff", "width": 3},
            "x0": out_x(left - 0.5), "x1": out_x(right + 0.5),
            "y0": out_y(top - 0.5), "y1": out_y(bottom + 0.5)}
    # plotly places the centre of view pixel 0 at x0 and steps dx per view pixel.
    return {"data": [
        {"type": "image", "source": data_uri,
         "x0": out_x(0.5 * w / vw - 0.5), "y0": out_y(0.5 * h / vh - 0.5),
         "dx": w / vw / g.sw, "dy": h / vh / g.sh, "hoverinfo": "skip"},
        {"type": "scatter", "mode": "markers", "x": xx.ravel(), "y": yy.ravel(),
         "marker": {"symbol": "square", "size": 6, "color": "rgba(255,255,255,0.02)"},
         "customdata": np.stack([yy.ravel() + 1, xx.ravel() + 1], axis=-1),  # counted from 1
         "hovertemplate": "output row %{customdata[0]}, column %{customdata[1]}"
                          "<extra>click to explain</extra>"},
        {"type": "scatter", "mode": "markers", "x": [pixel[1]], "y": [pixel[0]], "hoverinfo": "skip",
         "marker": {"symbol": "circle-open", "size": 18, "color": "#ff00ff", "line": {"width": 3}}},
    ], "layout": {
        "height": 400, "margin": {"l": 50, "r": 10, "t": 10, "b": 40}, "showlegend": False, "shapes": [rect],
        "xaxis": {"title": {"text": "output column"}, "range": [-0.5, g.out_w - 0.5], "constrain": "domain",
                  **_ticks(g.out_w)},
        "yaxis": {"title": {"text": "output row"}, "range": [g.out_h - 0.5, -0.5], "scaleanchor": "x",
                  **_ticks(g.out_h)},
        "clickmode": "event+select", "dragmode": False, "hovermode": "closest",
    }}


def _ticks(n: int) -> dict:
    """Axis ticks at index positions, labelled counted from 1 like every row and column on the page."""
    values = np.unique(np.round(np.linspace(0, n - 1, min(n, 6))).astype(int))
    return {"tickvals": values.tolist(), "ticktext": [str(v + 1) for v in values]}


def _view_picture(image: np.ndarray) -> tuple[str, tuple[int, int]]:
    """The image as a JPEG data URI for the view, and the picture's ``(h, w)`` in pixels."""
    pic = fit_for_display(to_uint8(image), VIEW_SIDE)
    return data_uri(encode_jpeg(pic)), pic.shape[:2]


@st.fragment(key=live.FRAG_PICK)
def pick_fragment() -> None:
    """Choose the explained pixel: its row and column, or (when switched on) a click on the input view.

    Nothing here depends on the weights, so a weight edit never redraws it.
    """
    ctx = lab_context(maps=False)
    st.markdown("### Explain one output pixel")
    if ctx.problem is not None:
        st.info("Pick a pixel once the settings work.")
        return
    g = conv_geometry(*ctx.image.shape[:2], ctx.bank.kernel_size, **ctx.settings.conv_kwargs())
    row, col = _pixel(g.out_h, g.out_w)
    st.session_state[live.PIXEL_ROW], st.session_state[live.PIXEL_COL] = row + 1, col + 1  # before widgets
    st.caption(COUNTING)
    a, b, c = st.columns([1, 1, 2], vertical_alignment="bottom")
    a.number_input(f"Output row (1–{g.out_h})", 1, g.out_h, step=1, key=live.PIXEL_ROW,
                   on_change=_on_number)
    b.number_input(f"Output column (1–{g.out_w})", 1, g.out_w, step=1, key=live.PIXEL_COL,
                   on_change=_on_number)
    c.toggle("Pick by clicking the image", key=PICK_ON, on_change=_on_number,
             help="Shows the input image under the output grid; click a spot to explain it.")
    if not st.session_state.get(PICK_ON):
        return
    uri, view_hw = ctx.pipe.memo(("pick-view",), lambda: _view_picture(ctx.image.array))
    fig = pick_figure(ctx.image.shape[:2], g, (row, col), data_uri=uri, view_hw=view_hw)
    st.plotly_chart(fig, key=PICK_PLOT, on_select=_on_pick, selection_mode="points",
                    config={"displaylogo": False, "displayModeBar": False},
                    alt=f"The input image under the {g.out_h} × {g.out_w} output grid; the window of output "
                        f"pixel row {row}, column {col} is outlined. The row and column boxes above choose "
                        "the pixel too.")
    st.caption("The input image, placed so that each output pixel sits on the centre of its window. The "
               "magenta box is the window of the explained pixel: click anywhere to explain another.")


def _table(values: np.ndarray, inside: np.ndarray, decimals: int | None = None) -> str:
    """An HTML table of numbers (4 significant digits, or fixed `decimals`); padding cells grey, italic."""
    rows = []
    for i in range(values.shape[0]):
        cells = "".join(
            f"<td{'' if inside[i, j] else ' class=cv-pad'}>"
            f"{_num(float(values[i, j]), decimals)}</td>" for j in range(values.shape[1]))
        rows.append(f"<tr>{cells}</tr>")
    return f"<table class=cv-nums>{''.join(rows)}</table>"


def _num(value: float, decimals: int | None) -> str:
    return fmt(value) if decimals is None else fmt_fixed(value, decimals)


def arithmetic_html(e: PixelExplanation, map_value: float) -> str:
    """The whole explanation as one HTML block (numbers and fixed words only).

    Inputs and weights show 4 significant digits; products and every sum show the same fixed decimals,
    chosen from the size of the terms (:func:`ui.draw.pictures.sum_decimals`), so the explanation's sum and
    the value read from the map (added up in another order by the fast convolution) print identically.
    """
    kh, kw, c_all = e.window.shape
    d = sum_decimals(e.products, e.bias)
    head = "".join(f"<th>{t}</th>"
                   for t in ("channel", "inputs under the window", "× weights", "= products", "sum"))
    body = []
    for c, name in enumerate(CHANNEL_NAMES[:c_all]):
        body.append(
            f"<tr><td style='font-weight:700;padding-right:8px'>{name}</td>"
            f"<td>{_table(e.window[..., c], e.inside)}</td>"
            f"<td>{_table(e.weights[..., c], np.ones((kh, kw), dtype=bool))}</td>"
            f"<td>{_table(e.products[..., c], e.inside, d)}</td>"
            f"<td style='font-size:1.15rem'>Σ = <b>{fmt_fixed(float(e.channel_sums[c]), d)}</b></td></tr>")
    sums = " + ".join(fmt_fixed(float(v), d) for v in e.channel_sums)
    lines = (
        f"Sum of the {e.products.size} products: {sums} = "
        f"{fmt_fixed(float(e.channel_sums.sum(dtype=np.float32)), d)}",
        f"plus the bias {fmt(e.bias)}: <b data-testid='cv-explain-total'>{fmt_fixed(e.total, d)}</b>",
        f"value in map {e.k + 1} at (row {e.y + 1}, column {e.x + 1}): <b data-testid='cv-explain-map'>"
        f"{fmt_fixed(map_value, d)}</b>",
        f"after ReLU: max(0, {fmt_fixed(e.total, d)}) = "
        f"<b data-testid='cv-explain-relu'>{fmt_fixed(e.relu, d)}</b>",
    )
    title = f"Output pixel (row {e.y + 1}, column {e.x + 1}) of map {e.k + 1}"
    return (f"<div style='font-size:1.05rem'><p><b>{title}</b>: "
            f"the filter's {kh}×{kw}×{c_all} window, {e.window.size} inputs times {e.weights.size} weights "
            f"(grey: zero padding).</p><table class=cv-explain style='border-collapse:collapse'>"
            f"<tr>{head}</tr>"
            f"{''.join(body)}"
            f"</table><p style='font-size:1.15rem;line-height:1.7'>{'<br>'.join(lines)}</p></div>")


@st.fragment(key=live.FRAG_EXPLAIN)
def explain_fragment() -> None:
    """The arithmetic of the chosen pixel of the focused filter's map, next to the map's own value.

    One HTML element: a weight edit reruns this fragment, and each element costs the browser a re-render.
    """
    ctx = lab_context(maps=False)
    if ctx.problem is not None:
        return
    conv = ctx.pipe.conv[ctx.focus]
    row, col = _pixel(*conv.shape)
    e = explain_pixel(ctx.image.array, ctx.bank.weights, ctx.bank.bias, y=row, x=col, k=ctx.focus,
                      **ctx.settings.conv_kwargs())
    st.html(arithmetic_html(e, float(conv[row, col])))
