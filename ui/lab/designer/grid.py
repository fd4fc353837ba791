"""The weight editor of one filter: three tinted grids (R, G, B; abreast where they fit), bias and swatch.

Each weight is a number input keyed by the bank revision (:data:`ui.state.BANK_REV`), the filter, the channel
and the tap (:func:`weight_key`), so a new bank (a preset, a transform, a link) gets fresh widgets while an
edit keeps the same ones (the cursor stays where the user typed). An edit is stored in place, without a new
revision. The grids' tints, sizes and hidden steppers come from one static style sheet (:data:`STYLE`): no
user text ever goes into HTML.
"""

from __future__ import annotations

import html

import numpy as np
import streamlit as st

from convviz.filterbank.bank import FilterBank
from convviz.numbers import fmt
from ui import state
from ui.draw.colours import CHANNEL_NAMES, CHANNEL_WORDS, CHANNELS
from ui.draw.describe import filter_text
from ui.draw.pictures import data_uri, encode_png, swatch_picture
from ui.lab import live
from ui.lab.designer import rows

#: Narrowest cell, in pixels, before a grid wraps below its neighbour: wide enough for 7 characters of
#: :data:`CELL_FORMAT` ("0.00521", "-0.0208") at the grid's font, so no number shows clipped (a 3x3 grid is
#: 202 to 267 px wide; in the Lab's filter column at 1280-1920 px the three grids then stack).
_MIN_CELL = 62
#: Grid cells show 3 significant digits ("-0.143", "0.0208"): that fits the narrow cells; the bank keeps the
#: exact values (the JSON export and the maps use them).
CELL_FORMAT = "%.3g"
_SWATCH_STYLE = "float:left;border:1px solid #5f6368;margin:2px 12px 4px 0;image-rendering:pixelated"
_NOTE_STYLE = "color:#555;font-size:0.9rem"
FRAG_LIVE = "cv_designer_live"  # keyed fragment: the focused filter's swatch and sums
GRIDS_KEY = "cvd_grids"  # the row of the three channel grids


def _style() -> str:
    """The designer's static style sheet (only constants from this module; never user text)."""
    grid = "div[class*='st-key-cvd_ch']"
    rules = [
        f"{grid} {{border-radius: 10px; padding: 4px 5px 5px 5px;}}",
        f"{grid} [data-testid='stNumberInputStepUp'], {grid} [data-testid='stNumberInputStepDown'] "
        "{display: none;}",
        f"{grid} [data-testid='stColumn'], {grid} [data-testid='stNumberInputContainer'], {grid} input "
        "{min-width: 0;}",
        f"{grid} [data-testid='stNumberInputContainer'] {{background: #ffffff;}}",
        f"{grid} input {{font-size: 1.05rem; text-align: center; padding: 0 2px; background: transparent;"
        " font-variant-numeric: tabular-nums;}",
        "div[class*='st-key-cvd_swatches'] [data-testid='stImageContainer'] {margin-right: 0.6rem;}",
        f"{grid} textarea {{font-family: ui-monospace, monospace; white-space: pre; overflow-x: auto;"
        " font-size: 0.9rem; background: #ffffff;}",
    ]
    for c, (background, edge) in enumerate((ch.tint, ch.colour) for ch in CHANNELS):
        box = f"div[class*='st-key-cvd_ch{c}_']"
        rules.append(f"{box} {{background: {background}; border: 2px solid {edge};}}")
        rules.append(f"{box} [data-testid='stNumberInputContainer'] {{border-color: {edge}66;}}")
    for side in range(1, 16, 2):  # every legal kernel width: the grid wraps before its cells get too narrow
        # The row's items are the wrappers of the grids' fragments, each holding one keyed grid.
        box = (f"div.st-key-{GRIDS_KEY} > [data-testid='stLayoutWrapper']"
               f":has(div[class*='st-key-cvd_ch'][class*='_w{side}_'])")
        least, most = side * _MIN_CELL + 16, round(side * _MIN_CELL * 1.35 + 16)
        rules.append(f"{box} {{flex: 1 1 {least}px; max-width: {most}px; min-width: min(100%, {least}px);}}")
        if side >= 5:  # a 5-wide grid fills a narrow column (1280 px screens: 54 px cells): smaller digits
            rules.append(f"div[class*='st-key-cvd_ch'][class*='_w{side}_'] input {{font-size: 0.9rem;}}")
    return "<style>\n" + "\n".join(rules) + "\n</style>"


STYLE = _style()


def weight_key(rev: int, k: int, c: int, i: int, j: int) -> str:
    """Widget key of weight ``[k, i, j, c]`` at bank revision `rev` (tests and benchmarks use it)."""
    return f"cv_w{rev}_{k}_{c}_{i}_{j}"


def bias_key(rev: int, k: int) -> str:
    """Widget key of filter `k`'s bias at bank revision `rev`."""
    return f"cv_b{rev}_{k}"


def sums_caption(weights: np.ndarray, bias: float) -> str:
    """What the weights of one filter ``(kh, kw, 3)`` add up to, per channel and in all, plus the bias."""
    per_channel = ", ".join(f"{CHANNEL_NAMES[c]} {fmt(weights[:, :, c].sum())}" for c in range(3))
    total = float(weights.sum())
    hint = ("keeps flat areas' brightness" if abs(total - 1) < 1e-4 else
            "flat areas give 0: it responds to change (edges)" if abs(total) < 1e-6 else "")
    return (f"Sum of the {weights.size} weights: **{fmt(total)}** ({per_channel}); bias {fmt(bias)}"
            + (f" — {hint}." if hint else "."))


@st.fragment(key=live.FRAG_GRIDS)
def _channel_grid(c: int) -> None:
    """The tinted grid of channel `c` of the focused filter (each input stores its edit through a callback).

    Each grid is its own fragment, drawn from the session's state (not from arguments, which a fragment
    rerun would replay stale). Why: Streamlit starts an edit's rerun with the input's own fragment, which
    the callback then cuts short (:func:`ui.live.rerun_results`), and the browser marks every element of
    that fragment stale and then fresh again, restyling each. Here that is 10 elements, not the ~100 of the
    workspace: paired browser runs, an edit 15-18 ms faster (docs/benchmarks.md).
    """
    bank = state.get_bank()
    k = state.get_focus(bank)
    rev = st.session_state.get(state.BANK_REV, 0)
    kh, kw = bank.kernel_size
    with st.container(key=f"cvd_ch{c}_w{kw}_{rev}_{k}", gap="xxsmall"):
        colour = ("red", "green", "blue")[c]
        st.markdown(f":{colour}[**{CHANNEL_NAMES[c]}**] · {CHANNEL_WORDS[c]} slice")
        if kw > rows.COMPACT_ABOVE:  # hundreds of inputs would make every run slow: one text box instead
            rows.rows_editor(bank, k, c, rev)
            return
        for i in range(kh):
            cells = st.columns(kw, gap=3, wrap=False)
            for j in range(kw):
                key = weight_key(rev, k, c, i, j)
                cells[j].number_input(  # no bounds here: the browser would keep a refused entry's text
                    f"{CHANNEL_NAMES[c]} row {i + 1} column {j + 1}", value=float(bank.weights[k, i, j, c]),
                    step=0.1, format=CELL_FORMAT, key=key,
                    label_visibility="collapsed", on_change=live.weight_changed, args=(key, k, c, i, j),
                )


@st.fragment(key=live.FRAG_REFUSAL)
def _refusal() -> None:
    """Why the last weight or bias entry was not used (shown once: the next edit reruns it and clears it)."""
    live.register_live_fragment(live.FRAG_REFUSAL)
    refused = live.take_refusal()
    if refused:
        st.warning(refused, icon=":material/block:")


@st.fragment(key=FRAG_LIVE)
def filter_summary() -> None:
    """The focused filter's swatch and sums; reruns with the maps after every weight edit."""
    live.register_live_fragment(FRAG_LIVE)
    bank = state.get_bank()
    k = state.get_focus(bank)
    # One element (the swatch inline, then the sums): this reruns on every edit, and every element and
    # column a rerun sends costs the browser a re-render. Only numbers and fixed words go into the HTML.
    pic = data_uri(encode_png(swatch_picture(bank.weights[k])), mime="image/png")
    alt = html.escape(filter_text(bank.weights[k], f"Filter {k + 1}"), quote=True)
    st.markdown(f"<img src='{pic}' alt='{alt}' style='{_SWATCH_STYLE}'>"
                f"{sums_caption(bank.weights[k], float(bank.bias[k]))}  \n<span style='{_NOTE_STYLE}'>"
                "Left: the filter as colours, one square per tap (grey = 0).</span>", unsafe_allow_html=True)


def weight_editor(bank: FilterBank, k: int) -> None:
    """Draw the three channel grids and the bias of filter `k`, then its swatch and sums.

    Each input stores its edit with :func:`ui.live.weight_changed` / :func:`ui.live.bias_changed` (same
    revision, so the inputs keep their place), which reruns only the result panels and the live fragments
    registered with :func:`ui.live.register_live_fragment`, such as :data:`FRAG_LIVE`.

    Parameters
    ----------
    bank : FilterBank
        The current bank, weights ``(K, kh, kw, 3)``.
    k : int
        The filter to edit, ``0 <= k < K``.
    """
    with st.container(horizontal=True, gap="small", wrap=True, key=GRIDS_KEY):
        for c in range(3):
            _channel_grid(c)
    _refusal()
    rev = st.session_state.get(state.BANK_REV, 0)
    left, right = st.columns([1, 2.2], vertical_alignment="center")
    key = bias_key(rev, k)
    left.number_input("Bias (added after the sum)",  # bounds checked by the callback (see the grid)
                      value=float(bank.bias[k]), step=0.1, format="%.4g", key=key,
                      on_change=live.bias_changed, args=(key, k))
    with right:
        filter_summary()
