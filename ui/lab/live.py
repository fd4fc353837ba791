"""The Lab's live editing: which fragments rerun after a weight edit, and the weight and bias callbacks.

Reruns (what keeps editing live): the Lab's panels are keyed fragments. A widget inside the workspace reruns
the whole workspace by default (correct, but it redraws the filter panel too). A *weight or bias* input should
instead pass ``on_change=live.weight_changed, args=(key, k, c, i, j)`` (or :func:`bias_changed`): the
callback stores the edited bank and reruns only ``RESULT_FRAGMENTS`` (the maps and the pixel explanation)
and the fragments registered with :func:`register_live_fragment` (e.g. the designer's swatch), which keeps
the rest of the page (and the many weight inputs) out of the edit's rerun. Any other callback that edits
the bank may call :func:`rerun_results` after storing it.

The Lab-only session keys live here too; what other pages share is in :mod:`ui.state`.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from convviz.filterbank.bank import MAX_ABS_WEIGHT
from convviz.numbers import fmt
from ui.draw.colours import CHANNEL_NAMES
from ui.state import BANK, get_bank

PIPELINE = "cv_pipeline"  # ui.lab.pipeline.Pipeline: per-session computed maps and encoded pictures
PIXEL_ROW = "cv_px_row"  # int: the output pixel explained (row, column of the conv map, counted from 1)
PIXEL_COL = "cv_px_col"
SHOW_3D = "cv_show3d"  # bool: draw the output volume in 3D (live, but costly in a browser without a GPU)
# How maps are drawn (view only; ui.lab.display): exact max-|v| scale instead of the bulk percentile, grey
# view of maps >= 0, the padding border hidden, the window along a very wide/tall picture (0..100 %).
EXACT_MAX = "cv_exact_max"
GREY = "cv_grey"
HIDE_BORDER = "cv_hide_border"
WINDOW = "cv_window"
CELL_REFUSED = "cv_cell_refused"  # str: why the last weight or bias entry was not used (until drawn)
LOUPE = "cv_loupe"  # toggle: the large view and the loupe (ui.lab.loupe)

# Keyed fragments of the Lab (see "Reruns" above).
FRAG_WORKSPACE = "cv_workspace"  # settings, filter panel, every result
FRAG_RESULTS = "cv_results"  # one filter's maps, ReLU/pooling, the output volume
FRAG_EXPLAIN = "cv_explain"  # the explained pixel's arithmetic
FRAG_PICK = "cv_pick"  # the clickable view that chooses the explained pixel
RESULT_FRAGMENTS = (FRAG_RESULTS, FRAG_EXPLAIN)
FRAG_GRIDS = "cv_designer_grids"  # the designer's three channel grids (one key for the three fragments)
FRAG_REFUSAL = "cv_designer_refusal"  # the sentence of a refused entry, under the grids (a live fragment)
_LIVE_EXTRA = "cv_live_fragments"  # list of str: other fragments to rerun with the results


def init_live() -> None:
    """Give the Lab-only keys their defaults once per session."""
    st.session_state.setdefault(PIXEL_ROW, 1)
    st.session_state.setdefault(PIXEL_COL, 1)


def rerun_results() -> None:
    """From a widget callback: rerun only the live panels (after the callback stored a new bank).

    These are ``RESULT_FRAGMENTS`` plus every fragment registered with :func:`register_live_fragment` in
    the current workspace run (e.g. the designer's swatch and link).
    """
    keys = list(RESULT_FRAGMENTS)
    keys += [key for key in st.session_state.get(_LIVE_EXTRA, ()) if key not in keys]
    st.rerun(keys)


def reset_live_fragments() -> None:
    """Forget registered live fragments (the workspace calls this before drawing them again)."""
    st.session_state[_LIVE_EXTRA] = []


def register_live_fragment(key: str) -> None:
    """Ask for the keyed fragment `key` to rerun after every weight or bias edit (call it while drawing it).

    Only fragments drawn in the current workspace run may be registered: ``st.rerun`` refuses unknown keys.
    """
    extra = st.session_state.setdefault(_LIVE_EXTRA, [])
    if key not in extra:
        extra.append(key)


def _edited_value(key: str) -> float | None:
    """The number a weight/bias widget holds, or None if it is unusable (left empty, not finite, too big)."""
    value = st.session_state.get(key)
    if value is None or isinstance(value, bool):
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if np.isfinite(value) and abs(value) <= MAX_ABS_WEIGHT else None


def refusal(where: str, typed: object, in_use: float) -> str:
    """The sentence for an entry the bank cannot hold: what was typed, the value kept, the allowed range.

    >>> refusal("R row 1 column 2", 1e30, 0.5)
    'R row 1 column 2: 1e30 was not used (weights and biases go from −1000 to 1000); it stays 0.5.'
    """
    try:  # every digit typed (fmt would round 1000.5 to 1000)
        shown = "an empty cell" if typed is None else f"{float(typed):.15g}"
        shown = shown.replace("e+", "e").replace("-", "−")
    except (TypeError, ValueError):
        shown = "that entry"
    return (f"{where}: {shown} was not used (weights and biases go from {fmt(-MAX_ABS_WEIGHT)} to "
            f"{fmt(MAX_ABS_WEIGHT)}); it stays {fmt(in_use)}.")


def _refuse(key: str, where: str, in_use: float) -> None:
    """Put the value in use back into widget `key` and leave the sentence for :func:`take_refusal`."""
    st.session_state[CELL_REFUSED] = refusal(where, st.session_state.get(key), in_use)
    st.session_state[key] = in_use


def take_refusal() -> str | None:
    """The pending refusal sentence (once; :data:`FRAG_REFUSAL` shows it and clears it on the next edit)."""
    return st.session_state.pop(CELL_REFUSED, None)


def weight_changed(key: str, k: int, c: int, i: int, j: int) -> None:
    """Widget callback: weight ``[k, i, j, c]`` of the current bank takes the value of widget `key`.

    The bank is stored at the same revision (the widgets already show the value) and only the result panels
    rerun. An unusable value (empty, not finite, beyond the bank's limits) is refused: the cell gets the
    value in use back and a sentence says why (:func:`take_refusal`). A stale widget
    whose filter or tap no longer exists is ignored.
    """
    bank = get_bank()
    value = _edited_value(key)
    k_all, kh, kw, c_all = bank.weights.shape
    if not (0 <= k < k_all and 0 <= i < kh and 0 <= j < kw and 0 <= c < c_all):
        return
    if value is None:
        _refuse(key, f"{CHANNEL_NAMES[c]} row {i + 1} column {j + 1}", float(bank.weights[k, i, j, c]))
        st.rerun([FRAG_GRIDS, FRAG_REFUSAL])  # the cell drawn again with the value in use, and the sentence
        return
    weights = np.array(bank.weights)  # (K, kh, kw, C), writable
    weights[k, i, j, c] = value
    st.session_state[BANK] = bank.replace(weights=weights)
    rerun_results()


def bias_changed(key: str, k: int) -> None:
    """Widget callback: filter `k`'s bias takes the value of widget `key` (see :func:`weight_changed`)."""
    bank = get_bank()
    value = _edited_value(key)
    if not 0 <= k < bank.n_filters:
        return
    if value is None:
        _refuse(key, "The bias", float(bank.bias[k]))  # the input's own rerun (the workspace) shows it
        return
    bias = np.array(bank.bias)  # (K,)
    bias[k] = value
    st.session_state[BANK] = bank.replace(bias=bias)
    rerun_results()
