"""Worked examples, step by step: the concept texts' numbers, computed, editable and animated.

A teacher picks an example (5x5 grid ⋆ vertical-edge kernel; 6x6x3 volume ⋆ one or two 3x3x3 filters), shows
input, filters and output as number grids, then steps the window across the input: at each position the
window is highlighted in every channel, the element-wise products and their sums are written out, and the
output cell fills in. Every number comes from :mod:`convviz` (``conv2d``, ``explain_pixel``).
"""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from convviz import conv2d
from convviz.lessons.worked_examples import list_worked_examples, load_worked_example
from convviz.numbers import fmt
from convviz.ops.explain import explain_pixel, flip_kernel
from ui.classroom.words import COUNTING
from ui.draw.colours import CHANNEL_COLOURS, CHANNEL_NAMES
from ui.draw.grids import grid_html, op_html, show_equation, show_row

EXAMPLE = "teach_example"
FLIP = "teach_flip"
FILTER = "teach_k"
STEP = "teach_step"
BACK_KEYS, NEXT_KEYS = "Alt+Shift+Left", "Alt+Shift+Right"  # a step back / forward from the keyboard
PLAYING = "teach_playing"
SPEED = "teach_speed"
LAST_TICK = "teach_last_tick"
TIMER = "teach_timer"  # the interval the fragment's timer was defined with (None when not playing)
#: Seconds between steps while playing.
SPEEDS = {"slow": 2.0, "normal": 1.2, "fast": 0.6}
#: Largest magnitude accepted in an edited cell (the grids are for hand-sized numbers).
MAX_ABS = 1000.0


def _channel_label(c: int, channels: int) -> str:
    return "grayscale" if channels == 1 else f"{CHANNEL_NAMES[c]} channel"


def _colour(c: int, channels: int) -> str | None:
    return None if channels == 1 else CHANNEL_COLOURS[c]


def _number(value) -> float:
    """A cell's value as a float; nan for an empty or non-numeric cell (never trusted as typed)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _edited(grid, shape: tuple[int, int], what: str) -> np.ndarray:
    """An edited grid as float32, validated: empty cells count as 0, values clipped to +-MAX_ABS."""
    a = np.array([_number(v) for v in np.asarray(grid, dtype=object).ravel()])
    assert a.size == shape[0] * shape[1], "the editor keeps the grid's shape (no rows added or removed)"
    a = a.reshape(shape)
    if not np.isfinite(a).all():
        st.warning(f"Empty or non-numeric cells in the {what} count as 0.")
        a = np.where(np.isfinite(a), a, 0.0)
    if np.abs(a).max(initial=0) > MAX_ABS:
        st.warning(f"Values in the {what} are limited to ±{fmt(MAX_ABS)}.")
        a = np.clip(a, -MAX_ABS, MAX_ABS)
    return a.astype(np.float32)


def _grid_editor(values: np.ndarray, key: str, what: str) -> np.ndarray:
    """A spreadsheet-like editor for one ``(h, w)`` grid; returns the edited grid."""
    edited = st.data_editor(values.astype(np.float64), key=key, hide_index=True, num_rows="fixed",
                            width="content")
    return _edited(edited, values.shape, what)


def editors_panel(ex) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Editable copies of the example's input ``(H, W, C)``, filters ``(K, kh, kw, C)`` and bias ``(K,)``."""
    h, w, c = ex.volume.shape
    k = ex.filters.shape[0]
    volume, filters, bias = ex.volume.copy(), ex.filters.copy(), ex.bias.copy()
    with st.expander("Edit the numbers (input, filters, bias)", expanded=False):
        if st.button("Reset to the example's numbers", key=f"teach_reset_{ex.name}"):
            for key in [key for key in st.session_state if str(key).startswith(f"teach_edit_{ex.name}_")]:
                del st.session_state[key]
            st.rerun()
        st.markdown(f"**Input ({h} × {w} × {c})**")
        cols = st.columns(c)
        for ch in range(c):
            with cols[ch]:
                st.caption(_channel_label(ch, c))
                volume[..., ch] = _grid_editor(ex.volume[..., ch], f"teach_edit_{ex.name}_in{ch}",
                                               f"input {_channel_label(ch, c)}")
        for f in range(k):
            st.markdown(f"**Filter {f + 1}**")
            cols = st.columns(c + 1)
            for ch in range(c):
                with cols[ch]:
                    st.caption(_channel_label(ch, c))
                    key = f"teach_edit_{ex.name}_f{f}c{ch}"
                    filters[f, ..., ch] = _grid_editor(ex.filters[f, ..., ch], key,
                                                       f"filter {f + 1}, {_channel_label(ch, c)}")
            with cols[c]:
                value = st.number_input("bias", value=float(ex.bias[f]), step=1.0, min_value=-MAX_ABS,
                                        max_value=MAX_ABS, key=f"teach_edit_{ex.name}_b{f}")
                bias[f] = np.float32(value)
    return volume, filters, bias


def flip_panel(filters: np.ndarray, volume: np.ndarray, bias: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The convolution vs cross-correlation note and toggle; returns the filters to use and their output.

    The output is ``conv2d(volume, used, bias)``: the concept texts' setting, stride 1, no padding.
    """
    flip = st.toggle("Flip the kernel: textbook convolution instead of cross-correlation", key=FLIP)
    st.info(
        "CNN libraries (PyTorch, TensorFlow) and this app slide the filter as it is: that is "
        "**cross-correlation**, though everyone calls it convolution. The **convolution** of "
        "signal-processing textbooks first rotates the kernel by 180° (flips rows and columns). For a "
        "symmetric kernel the two agree; for an edge kernel they do not."
    )
    plain = conv2d(volume, filters, bias)
    if not flip:
        return filters, plain
    flipped = flip_kernel(filters)
    other = conv2d(volume, flipped, bias)
    changed = int(np.count_nonzero(plain != other))
    st.warning(f"Kernel flipped: {changed} of {plain.size} output values differ from cross-correlation.")
    return flipped, other


def overview_panel(volume: np.ndarray, filters: np.ndarray, bias: np.ndarray, out: np.ndarray) -> None:
    """Input channels, each filter's slices and bias, and its output map, as number grids."""
    h, w, c = volume.shape
    k, kh, kw, _ = filters.shape
    oh, ow, _ = out.shape
    st.subheader(f"Input {h} × {w} × {c}  ⋆  {k} filter{'s' if k > 1 else ''} {kh} × {kw} × {c}  "
                 f"=  output {oh} × {ow} × {k}")
    inputs = [grid_html(volume[..., ch], caption=f"input: {_channel_label(ch, c)}", colour=_colour(ch, c))
              for ch in range(c)]
    if c > 1:
        show_row(*inputs)
        inputs = []
    for f in range(k):
        slices = [grid_html(filters[f, ..., ch], caption=f"filter {f + 1}: {_channel_label(ch, c)}",
                            colour=_colour(ch, c)) for ch in range(c)]
        show_row(*inputs, *([op_html("⋆")] if inputs else []), *slices, op_html(f"+ {fmt(bias[f])}"),
                 op_html("="), grid_html(out[..., f], caption=f"output map {f + 1}"))


def _advance(n_steps: int) -> None:
    """While playing, move one step per interval; stop at the last position."""
    now = time.monotonic()
    interval = SPEEDS[st.session_state.get(SPEED, "normal")]
    if now - st.session_state.get(LAST_TICK, 0.0) < 0.8 * interval:
        return  # a rerun caused by something else: not a tick
    st.session_state[LAST_TICK] = now
    st.session_state[STEP] = min(st.session_state.get(STEP, 1) + 1, n_steps)
    if st.session_state[STEP] >= n_steps:
        st.session_state[PLAYING] = False
        st.rerun()  # a full run, so that the fragment is defined again without its timer


def _step_by(delta: int, n_steps: int) -> None:
    st.session_state[STEP] = int(np.clip(st.session_state.get(STEP, 1) + delta, 1, n_steps))


def controls(n_steps: int, k: int) -> tuple[int, int]:
    """Filter choice, play/pause, back/next, speed and the position slider; returns (step, filter)."""
    st.session_state[STEP] = int(np.clip(st.session_state.get(STEP, 1), 1, n_steps))
    if st.session_state.get(PLAYING):
        _advance(n_steps)
    f = 0
    if k > 1:
        f = st.radio("Filter", list(range(k)), key=FILTER, horizontal=True,
                     format_func=lambda i: f"filter {i + 1}")
    cols = st.columns([1, 1, 1, 2])
    # Keyboard steps for a presenter: a modifier with an arrow, never a bare key (WCAG 2.1.4).
    cols[0].button("◀ Back", key="teach_back", on_click=_step_by, args=(-1, n_steps), width="stretch",
                   shortcut=BACK_KEYS, help=f"Keyboard: {BACK_KEYS}")
    playing = bool(st.session_state.get(PLAYING))
    if cols[1].button("❚❚ Pause" if playing else "▶ Play", key="teach_play", width="stretch"):
        st.session_state[PLAYING] = not playing
        if not playing and st.session_state[STEP] >= n_steps:
            st.session_state[STEP] = 1  # play again from the start
        st.session_state[LAST_TICK] = time.monotonic()
        st.rerun()  # a full run re-defines the fragment with (or without) its timer
    cols[2].button("Next ▶", key="teach_next", on_click=_step_by, args=(1, n_steps), width="stretch",
                   shortcut=NEXT_KEYS, help=f"Keyboard: {NEXT_KEYS}")
    st.session_state.setdefault(SPEED, "normal")
    speed = cols[3].select_slider("Speed", options=list(SPEEDS), key=SPEED)
    if playing and st.session_state.get(TIMER) != SPEEDS[speed]:
        st.rerun()  # the timer keeps the interval it was defined with: define it again at the new speed
    step = st.slider("Window position", 1, n_steps, key=STEP) if n_steps > 1 else 1
    return step, int(f)


def step_view(volume: np.ndarray, filters: np.ndarray, bias: np.ndarray, out: np.ndarray, step: int,
              f: int) -> None:
    """The window at `step` in every channel, the products, their sums, and the output map filling in."""
    h, w, c = volume.shape
    oh, ow, _ = out.shape
    y, x = divmod(step - 1, ow)
    e = explain_pixel(volume, filters, bias, y=y, x=x, k=f)
    window = np.zeros((h, w), bool)
    window[np.ix_(e.rows[(e.rows >= 0) & (e.rows < h)], e.cols[(e.cols >= 0) & (e.cols < w)])] = True
    st.markdown(f"#### Step {step} of {oh * ow}: output row {y + 1}, column {x + 1} of filter {f + 1}")
    done = np.arange(oh * ow).reshape(oh, ow) >= step  # (H', W') cells not computed yet
    output = grid_html(out[..., f], caption=f"output map {f + 1}", blank=done, current=(y, x))
    inputs = [grid_html(volume[..., ch], caption=f"input: {_channel_label(ch, c)}", colour=_colour(ch, c),
                        highlight=window) for ch in range(c)]
    # One channel: input and output side by side; three: the output follows the arithmetic below.
    show_row(*inputs, *([op_html("→"), output] if c == 1 else []))
    for ch in range(c):
        show_row(
            grid_html(e.window[..., ch], caption="window", colour=_colour(ch, c), pad=~e.inside),
            op_html("⊙"),
            grid_html(e.weights[..., ch], caption="weights", colour=_colour(ch, c)), op_html("="),
            grid_html(e.products[..., ch], caption="products", colour=_colour(ch, c)), op_html("→"),
            f"<span class='cvg-op'>{fmt(e.channel_sums[ch])}</span>",
        )
    if c == 1:
        parts = f"sum of the products {fmt(e.channel_sums[0])}"
    else:
        parts = " + ".join(f"{CHANNEL_NAMES[ch]} {_paren(e.channel_sums[ch])}" for ch in range(c))
    show_equation(f"{parts} + bias {_paren(e.bias)} = {fmt(e.total)}; after ReLU: {fmt(e.relu)}")
    if c > 1:
        show_row(output)


def _paren(v: float) -> str:
    return f"({fmt(v)})" if v < 0 else fmt(v)


def step_through(volume: np.ndarray, filters: np.ndarray, bias: np.ndarray, out: np.ndarray) -> None:
    """The animated step-through, as a fragment: stepping reruns only this part of the page."""
    oh, ow, k = out.shape
    interval = SPEEDS[st.session_state.get(SPEED, "normal")] if st.session_state.get(PLAYING) else None
    st.session_state[TIMER] = interval

    @st.fragment(run_every=interval)
    def _stepper():
        step, f = controls(oh * ow, k)
        step_view(volume, filters, bias, out, step, f)

    _stepper()


def page() -> None:
    st.title("Worked examples")
    st.caption("The numbers of the concept texts, computed by convviz: edit them and the results follow.")
    name = st.selectbox("Example", list_worked_examples(), key=EXAMPLE,
                        format_func=lambda n: load_worked_example(n).title)
    ex = load_worked_example(name)
    st.write(ex.description)
    volume, filters, bias = editors_panel(ex)
    used, out = flip_panel(filters, volume, bias)  # out: conv2d(volume, used, bias), stride 1, no padding
    overview_panel(volume, used, bias, out)
    st.header("Step through")
    st.caption(f"{COUNTING} Keyboard: {NEXT_KEYS} steps forward, {BACK_KEYS} back.")
    step_through(volume, used, bias, out)
