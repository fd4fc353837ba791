"""The filter panel beside the Lab's results: the designer of the filter-bank issue, or a minimal editor.

:func:`filters_panel` is the one place the Lab asks for filters. It draws :func:`ui.designer.designer_panel`
when that module is present; otherwise a minimal panel (preset picker, filter picker, one number per weight
and the bias). Either way the contract is :mod:`ui.state`: the panel leaves the bank in ``state.BANK``, the
edited filter in ``state.FOCUS``, and returns both; weight inputs use ``state.weight_changed`` /
``state.bias_changed`` so that an edit reruns only the result panels.
"""

from __future__ import annotations

import importlib
import importlib.util

import streamlit as st

from convviz.filterbank import FilterBank
from convviz.presets import list_presets, load_preset
from ui import state
from ui.render import CHANNEL_NAMES

PRESET = "cv_preset"  # selectbox over list_presets() (the designer uses the same key)


@st.cache_resource(show_spinner=False)
def _preset(name: str) -> FilterBank:
    """A preset bank, read once per process (banks are immutable, so sharing is safe)."""
    return load_preset(name)


def _on_preset() -> None:
    name = st.session_state.get(PRESET)
    if name in list_presets():
        state.set_bank(_preset(name))
        st.session_state[state.FOCUS] = 0


def weight_key(rev: int, k: int, c: int, i: int, j: int) -> str:
    """Widget key of weight ``[k, i, j, c]`` at bank revision `rev` (tests and benchmarks use it)."""
    return f"cv_w{rev}_{k}_{c}_{i}_{j}"


def bias_key(rev: int, k: int) -> str:
    """Widget key of filter `k`'s bias at bank revision `rev`."""
    return f"cv_b{rev}_{k}"


def _minimal_panel() -> tuple[FilterBank, int]:
    """Preset picker, filter picker and per-weight number inputs (edits go through the state callbacks)."""
    presets = list_presets()
    bank = state.get_bank()
    st.session_state[PRESET] = bank.name if bank.name in presets else state.DEFAULT_PRESET
    st.selectbox("Filter bank", presets, key=PRESET, on_change=_on_preset,
                 format_func=lambda n: _preset(n).title or n)
    bank = state.get_bank()
    st.session_state[state.FOCUS] = state.get_focus(bank)
    k = st.selectbox("Filter to edit", range(bank.n_filters), key=state.FOCUS,
                     format_func=lambda i: f"{i + 1}: {bank.names[i]}")
    rev = st.session_state.get(state.BANK_REV, 0)
    kh, kw = bank.kernel_size
    for c, name in enumerate(CHANNEL_NAMES[: bank.channels]):
        st.caption(f"{name} slice")
        for i in range(kh):
            cols = st.columns(kw, gap="small")
            for j in range(kw):
                key = weight_key(rev, k, c, i, j)
                cols[j].number_input(f"{name}[{i},{j}]", value=float(bank.weights[k, i, j, c]), step=0.1,
                                     format="%.4g", key=key, label_visibility="collapsed",
                                     on_change=state.weight_changed, args=(key, k, c, i, j))
    key = bias_key(rev, k)
    st.number_input("Bias", value=float(bank.bias[k]), step=0.1, format="%.4g", key=key,
                    on_change=state.bias_changed, args=(key, k))
    return state.get_bank(), k


def filters_panel() -> tuple[FilterBank, int]:
    """Draw the filter panel; return the current bank and the focused filter index.

    Returns
    -------
    bank : FilterBank
        Weights ``(K, kh, kw, 3)`` and bias ``(K,)``.
    focus : int
        The filter shown in detail, ``0 <= focus < K``.
    """
    if importlib.util.find_spec("ui.designer") is not None:
        return importlib.import_module("ui.designer").designer_panel()
    return _minimal_panel()
