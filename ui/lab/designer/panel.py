"""The filter designer: pick a preset or start blank, edit 1 to 16 filters of R, G and B weights, share them.

:func:`designer_panel` is the Lab's filter panel (same contract as before: it leaves the bank in
``state.BANK``, the edited filter in ``state.FOCUS``, and returns both). Top to bottom:

- the bank: a preset picker (or a blank bank), a reset button, what the bank detects;
- the filters: a picker for the one to edit, add / duplicate / move / remove;
- the focused filter: its name, three tinted weight grids, its bias, swatch and sums
  (:mod:`ui.lab.designer.grid`), and its transforms (:mod:`ui.lab.designer.tools`);
- save, load and share: JSON export and import, and the shareable link (:mod:`ui.lab.designer.tools`).

Every edit of the list or a transform makes a new immutable bank (:mod:`convviz.filterbank.edits`,
:mod:`convviz.filterbank.transforms`) inside a widget callback, so the page draws the new bank in the same
run, and stores it with :func:`ui.state.set_bank`. Weight edits are stored in place by
:func:`ui.live.weight_changed` (see :mod:`ui.lab.designer.grid`). A refused edit leaves the bank unchanged
and says why. User text (filter and bank names, descriptions) is only shown as escaped Markdown or as plain
text.
"""

from __future__ import annotations

import streamlit as st

from convviz.filterbank import edits
from convviz.filterbank.bank import TEXT_LIMITS, BankError, FilterBank
from convviz.filterbank.presets import list_presets, load_preset
from ui import state
from ui.draw.pictures import md_escape
from ui.lab.designer.grid import STYLE, weight_editor
from ui.lab.designer.tools import files_panel, say, show_message, transforms_panel
from ui.share import UI_MAX_FILTERS

PRESET = "cv_preset"  # selectbox: BLANK or a preset name (None when the bank is the user's own)
BLANK = "blank"  # the picker's first option: one 3x3x3 filter of zeros


def _store(bank: FilterBank, focus: int) -> None:
    state.set_bank(bank)
    st.session_state[state.FOCUS] = focus


def _on_preset() -> None:
    choice = st.session_state.get(PRESET)
    if choice == BLANK:
        _store(edits.blank_bank(1), 0)
    elif choice in list_presets():
        _store(load_preset(choice), 0)


def _reset() -> None:
    name = state.get_bank().name
    if name in list_presets():
        _store(load_preset(name), 0)


def _edit_list(action: str) -> None:
    """Add, duplicate, move or remove a filter around the focused one (a widget callback)."""
    bank = state.get_bank()
    k = state.get_focus(bank)
    try:
        if action == "add":
            _store(edits.add_filter(bank), bank.n_filters)
        elif action == "duplicate":
            _store(edits.duplicate_filter(bank, k), k + 1)
        elif action == "remove":
            _store(edits.remove_filter(bank, k), min(k, bank.n_filters - 2))
        elif action in ("up", "down"):
            to = k - 1 if action == "up" else k + 1
            _store(edits.move_filter(bank, k, to), to)
    except BankError as exc:
        say("warning", str(exc))


def _rename(key: str) -> None:
    bank = state.get_bank()
    k = state.get_focus(bank)
    try:
        state.set_bank(edits.set_filter(bank, k, name=str(st.session_state.get(key, "")).strip()))
    except BankError as exc:
        state.set_bank(bank)  # a new revision: the name box shows the kept name again
        say("warning", f"That name was not kept: {exc}")


def _bank_picker(bank: FilterBank) -> None:
    presets = list_presets()
    st.session_state[PRESET] = bank.name if bank.name in presets else None
    row = st.container(horizontal=True, gap="small", wrap=True, vertical_alignment="bottom")
    row.selectbox(
        "Start from", [BLANK, *presets], key=PRESET, on_change=_on_preset, placeholder="your own bank",
        format_func=lambda n: "blank: one 3×3×3 filter of zeros" if n == BLANK else load_preset(n).title,
        width=230,
    )
    original = load_preset(bank.name) if bank.name in presets else None
    # Enabled for any preset bank, edited or not: a weight edit reruns only the maps, not this button.
    row.button("Reset", icon=":material/restart_alt:", on_click=_reset, key="cvd_reset",
               disabled=original is None, help="Undo every edit: go back to the preset's own filters.")
    k, kh, kw, c = bank.weights.shape
    title = bank.title or (original.title if original else "Your own bank")
    st.markdown(f"**{md_escape(title)}** — {k} filter{'s' if k > 1 else ''} of {kh} × {kw} × {c}: the "
                f"output volume is {k} map{'s' if k > 1 else ''} deep.")
    description = bank.description or (original.description if original else "")
    if description:
        with st.expander("What this bank detects"):
            st.markdown(md_escape(description))


def _filter_picker(bank: FilterBank) -> int:
    """The picker of the filter to edit, and add / duplicate / move / remove; return the focus."""
    k = bank.n_filters
    st.session_state[state.FOCUS] = state.get_focus(bank)
    st.pills("Filter to edit", range(k), key=state.FOCUS, required=True, wrap=True,
             format_func=lambda i: f"{i + 1} · {md_escape(bank.names[i])}")
    focus = state.get_focus(bank)
    full = k >= UI_MAX_FILTERS
    buttons = (  # action, label, disabled, help
        ("add", "Add", full, f"A new filter of zeros at the end (at most {UI_MAX_FILTERS})."),
        ("duplicate", "Duplicate", full, "A copy of this filter, right after it."),
        ("up", "", focus == 0, "Move this filter one place up: its map moves one slice forward."),
        ("down", "", focus == k - 1, "Move this filter one place down: its map moves one slice back."),
        ("remove", "Remove", k == 1, "Delete this filter (a bank keeps at least one)."),
    )
    icons = {"add": "add", "duplicate": "content_copy", "up": "arrow_upward", "down": "arrow_downward",
             "remove": "delete"}
    row = st.container(horizontal=True, gap="small", wrap=True)
    for action, label, disabled, help_text in buttons:
        icon = f":material/{icons[action]}:"
        row.button(label or icon, icon=icon if label else None, on_click=_edit_list, args=(action,),
                   disabled=disabled, key=f"cvd_{action}", help=help_text)
    return focus


def _filter_card(bank: FilterBank, k: int) -> None:
    """Name, weights, bias, swatch and transforms of filter `k`."""
    rev = st.session_state.get(state.BANK_REV, 0)
    key = f"cvd_name{rev}_{k}"
    st.text_input(f"Name of filter {k + 1}", bank.names[k], max_chars=TEXT_LIMITS["filter name"], key=key,
                  on_change=_rename, args=(key,))
    weight_editor(bank, k)
    transforms_panel(bank, k)


def _undo_offer() -> None:
    """When another page replaced the student's bank ("Open in designer"), a button that puts it back."""
    before = st.session_state.get(state.BANK_BEFORE)
    if not isinstance(before, FilterBank):
        return
    with st.container(border=True):
        title = md_escape(before.title or before.name)
        plural = "s" if before.n_filters > 1 else ""
        st.markdown(f"These filters came from another page; yours (**{title}**, {before.n_filters} "
                    f"filter{plural}) are kept.")
        row = st.container(horizontal=True, gap="small")
        row.button("Undo: restore my filters", key="cvd_undo_replace", icon=":material/undo:",
                   on_click=state.undo_replace)
        row.button("Keep these", key="cvd_keep_replace", on_click=st.session_state.pop,
                   args=(state.BANK_BEFORE, None))


def designer_panel() -> tuple[FilterBank, int]:
    """Draw the filter designer; return the current bank and the filter being edited.

    Returns
    -------
    bank : FilterBank
        Weights ``(K, kh, kw, 3)`` and bias ``(K,)``, ``1 <= K <= 16``, with any edit of this run applied.
    focus : int
        The filter being edited (and shown in detail by the Lab), ``0 <= focus < K``.
    """
    st.html(STYLE)
    show_message()
    _undo_offer()
    bank = state.get_bank()
    _bank_picker(bank)  # its widgets change the bank in callbacks, before this run: `bank` is current
    focus = _filter_picker(bank)
    _filter_card(bank, focus)
    files_panel()
    return state.get_bank(), focus
