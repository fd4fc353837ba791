"""The building blocks of a CNN on small grids: stride, padding, dilation, ReLU, pooling, dense + softmax, and
what weight sharing saves. Every number is computed by :mod:`convviz`.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from convviz import (
    ConvvizValueError,
    avg_pool2d,
    conv2d,
    list_samples,
    load_sample,
    max_pool2d,
    output_size_formula,
    relu,
)
from convviz.lessons.parameters import connectivity_comparison
from convviz.lessons.worked_examples import load_worked_example
from convviz.numbers import fmt
from convviz.ops.dense import dense_layer, softmax_steps
from convviz.ops.explain import explain_pixel, pool_winners
from convviz.ops.shapes import conv_geometry
from ui import state
from ui.classroom.words import COUNTING
from ui.draw.describe import bars_text
from ui.draw.grids import grid_html, op_html, show_equation, show_row, show_table
from ui.draw.pictures import md_escape

#: Classes of the toy dense layer (the features are the pooled grid of the pooling section).
CLASSES = ("cat", "dog", "ship")
DENSE_SEED = 7
GRID_SEED = 3


def _cell_slider(label: str, rows: int, cols: int, key: str) -> tuple[int, int]:
    """A slider over the cells of an ``rows x cols`` output in reading order; returns ``(y, x)``."""
    n = rows * cols
    st.session_state[key] = int(np.clip(st.session_state.get(key, 1), 1, n))
    step = st.slider(label, 1, n, key=key) if n > 1 else 1
    return divmod(step - 1, cols)


def geometry_section() -> None:
    """Stride, zero padding and dilation on a small grid, with the output-size formula filled in."""
    st.subheader("Stride, padding and dilation")
    cols = st.columns(5)
    n = cols[0].slider("Input size n", 3, 9, 5, key="blocks_n")
    k = cols[1].slider("Kernel k", 1, 5, 3, key="blocks_k")
    s = cols[2].slider("Stride s", 1, 3, 1, key="blocks_s")
    p = cols[3].slider("Padding p", 0, 3, 0, key="blocks_p")
    d = cols[4].slider("Dilation d", 1, 3, 1, key="blocks_d")
    grid = np.random.default_rng(GRID_SEED).integers(0, 10, size=(n, n)).astype(np.float32)[..., None]
    kernel = np.ones((k, k), dtype=np.float32)
    show_equation(f"H′ = W′ = {output_size_formula(n, k, stride=s, padding=p, dilation=d)}")
    try:
        out = conv2d(grid, kernel, stride=s, padding=p, dilation=d)
    except ConvvizValueError as err:
        st.error(f"No output: {md_escape(err)}")
        return
    oh, ow, _ = out.shape
    y, x = _cell_slider("Output cell (reading order)", oh, ow, "blocks_cell")
    e = explain_pixel(grid, kernel, y=y, x=x, stride=s, padding=p, dilation=d)
    padded = np.pad(grid[..., 0], p)  # (n + 2p, n + 2p): the zeros the window may cover, drawn grey
    pad_mask = np.pad(np.zeros((n, n), bool), p, constant_values=True)
    window = np.zeros(padded.shape, bool)
    window[np.ix_(e.rows + p, e.cols + p)] = True
    span = d * (k - 1) + 1
    st.caption(f"The {k}×{k} kernel of ones spans {span}×{span} cells with dilation {d}; it moves {s} "
               f"cell{'s' if s > 1 else ''} per step. Grey cells are padding zeros.")
    show_row(grid_html(padded, caption=f"input {n}×{n}, padded by {p}", highlight=window, pad=pad_mask),
             op_html("→"), grid_html(out[..., 0], caption=f"output {oh}×{ow} (window sums)", current=(y, x)))
    show_equation(f"Window sum at output ({y + 1}, {x + 1}) = "
                  + " + ".join(fmt(v) for v in e.window[..., 0].ravel()) + f" = {fmt(e.total)}")


def relu_section() -> None:
    """ReLU on the worked example's signed map: negatives become 0."""
    st.subheader("ReLU")
    ex = load_worked_example("edge-5x5")
    before = conv2d(ex.volume, ex.filters, ex.bias)[..., 0]  # (3, 3)
    after = relu(before[..., None])[..., 0]
    zeroed = int(np.count_nonzero(before < 0))
    show_row(grid_html(before, caption="edge map (before)", highlight=before < 0), op_html("→"),
             grid_html(after, caption="after ReLU", highlight=before < 0))
    show_equation(f"ReLU(v) = max(v, 0): {zeroed} of {before.size} values were negative and became 0.")


def pooling_section() -> np.ndarray:
    """Max and average pooling on a small grid; returns the pooled grid ``(H', W')`` (the dense input)."""
    st.subheader("Pooling")
    cols = st.columns(4)
    mode = cols[0].radio("Pooling", ("max", "average"), key="blocks_pool_mode", horizontal=True)
    size = cols[1].slider("Window", 2, 3, 2, key="blocks_pool_size")
    stride = cols[2].slider("Stride", 1, 3, 2, key="blocks_pool_stride")
    seed = cols[3].number_input("Grid seed", 0, 9999, 1, key="blocks_pool_seed")
    grid = np.random.default_rng(int(seed)).integers(0, 10, size=(6, 6)).astype(np.float32)[..., None]
    pool = max_pool2d if mode == "max" else avg_pool2d
    pooled = pool(grid, size, stride=stride)[..., 0]  # (H', W')
    oh, ow = pooled.shape
    y, x = _cell_slider("Pooling window (reading order)", oh, ow, "blocks_pool_cell")
    window = np.zeros((6, 6), bool)
    window[y * stride:y * stride + size, x * stride:x * stride + size] = True
    winners = None
    if mode == "max":
        win = pool_winners(grid, size, stride=stride)[..., 0, :]  # (H', W', 2)
        winners = np.zeros((6, 6), bool)
        winners[win[..., 0], win[..., 1]] = True
        st.caption("Orange: the cell that wins each window (its maximum). Yellow: the window chosen below.")
    caption = f"{mode} pool {size}×{size}, stride {stride}: {oh}×{ow}"
    show_row(grid_html(grid[..., 0], caption="input 6×6", highlight=window, winners=winners), op_html("→"),
             grid_html(pooled, caption=caption, current=(y, x)))
    values = grid[..., 0][window]
    if mode == "max":
        show_equation(f"max({', '.join(fmt(v) for v in values)}) = {fmt(pooled[y, x])}")
    else:
        show_equation(f"({' + '.join(fmt(v) for v in values)}) / {values.size} = {fmt(pooled[y, x])}")
    return pooled


def dense_section(features: np.ndarray) -> None:
    """A dense layer on the pooled grid, then softmax: scores become probabilities."""
    st.subheader("Dense layer and softmax")
    x = features.reshape(-1)  # (N,)
    rng = np.random.default_rng(DENSE_SEED)
    # Weights of -0.1, 0 or 0.1 keep the scores within a few units, so the probabilities differ visibly.
    weights = (rng.integers(-1, 2, size=(len(CLASSES), x.size)) / 10).astype(np.float32)  # (M, N)
    bias = (rng.integers(-5, 6, size=len(CLASSES)) / 10).astype(np.float32)  # (M,)
    scores = dense_layer(x, weights, bias)
    steps = softmax_steps(scores)
    st.caption(f"The pooled grid, flattened to {x.size} numbers, feeds a dense layer with one row of "
               f"{x.size} weights and a bias per class.")
    show_row(grid_html(x[None, :], caption=f"x: the {x.size} features"))
    show_row(grid_html(weights, caption=f"weights W ({len(CLASSES)}×{x.size}), one row per class"),
             op_html("· x +"), grid_html(bias[:, None], caption="bias"), op_html("="),
             grid_html(scores[:, None], caption="scores"))
    rows = [["score", *map(fmt, steps.scores)], ["score − max", *map(fmt, steps.shifted)],
            ["exp(score − max)", *map(fmt, steps.exps)], ["probability", *map(fmt, steps.probs)]]
    show_table(["", *CLASSES], rows, numeric=set(range(1, len(CLASSES) + 1)))
    show_equation(f"sum of the exps = {fmt(steps.total)}; probability = exp / {fmt(steps.total)}")
    fig = go.Figure(go.Bar(x=list(CLASSES), y=steps.probs, text=[f"{100 * p:.1f} %" for p in steps.probs],
                           textposition="outside"))
    fig.update_layout(height=320, yaxis_range=[0, 1.1], yaxis_title="probability", font_size=18,
                      margin={"t": 20, "b": 20})
    st.plotly_chart(fig, key="blocks_softmax_chart", alt=bars_text(list(CLASSES), steps.probs))


def sharing_section() -> None:
    """Parameters of the current conv layer vs locally connected and dense layers between the same volumes."""
    st.subheader("Weight sharing and local connectivity, in numbers")
    state.init_state()
    image = state.get_image()
    sample = load_sample(list_samples("image")[0])  # the Lab's first sample, until the Lab has an image
    shape = image.shape if image is not None else sample.array.shape
    bank = state.get_bank()
    k, kh, kw, c = bank.weights.shape
    kwargs = state.read_settings().conv_kwargs()
    try:
        g = conv_geometry(shape[0], shape[1], (kh, kw), **kwargs)
    except ConvvizValueError as err:
        st.error(f"The Lab's current settings give no output: {md_escape(err)}")
        return
    counts = connectivity_comparison(shape, (g.out_h, g.out_w, k), (kh, kw))
    source = ("the Volume Lab's image" if image is not None
              else f"the sample “{sample.title}” (open the Volume Lab to use your own image)")
    st.write(f"For {source}, {shape[0]}×{shape[1]}×{c}, and the Lab's bank of {k} filters of "
             f"{kh}×{kw}×{c}, the output volume is {g.out_h}×{g.out_w}×{k}:")
    show_equation(f"H′ = {output_size_formula(shape[0], kh, **kwargs)}")
    show_equation(f"W′ = {output_size_formula(shape[1], kw, **kwargs)}")
    rows = [
        ("Conv layer (local + shared weights)", counts.conv, f"{k} × ({kh}·{kw}·{c} + 1)"),
        ("Locally connected (local, no sharing)", counts.locally_connected,
         f"{g.out_h}·{g.out_w}·{k} × ({kh}·{kw}·{c} + 1)"),
        ("Dense (every input to every output)", counts.dense,
         f"({shape[0]}·{shape[1]}·{c}) × ({g.out_h}·{g.out_w}·{k}) + {g.out_h}·{g.out_w}·{k}"),
    ]
    show_table(["layer", "parameters", "count"], [[r[0], f"{r[1]:,}", r[2]] for r in rows], numeric={1})
    show_equation(f"Sharing one set of weights across all {g.out_h * g.out_w:,} positions saves a factor "
                  f"of {counts.sharing_factor:,.0f}; the dense layer would need {counts.dense_factor:,.0f} "
                  "times more parameters than the conv layer.")


def page() -> None:
    st.title("Building blocks")
    st.caption("Each part of a CNN on grids small enough to check by hand. " + COUNTING)
    tabs = st.tabs(["Stride · padding · dilation", "ReLU", "Pooling + dense + softmax", "Weight sharing"])
    with tabs[0]:
        geometry_section()
    with tabs[1]:
        relu_section()
    with tabs[2]:
        pooled = pooling_section()
        dense_section(pooled)
    with tabs[3]:
        sharing_section()
