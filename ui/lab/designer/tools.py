"""The designer's tools: transforms of the focused filter, JSON export and import, and the share box.

Every tool runs in a widget callback (before the page draws), builds a new bank with
:mod:`convviz.filterbank.transforms` or :func:`convviz.bank_from_json`, and stores it with
:func:`ui.state.set_bank`. A refused action leaves the bank unchanged and leaves a message (:func:`say`) that
the designer shows at its top on the next draw. Messages may quote user text (a file name, a name inside a
file), so they are always shown escaped.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from convviz.filterbank import transforms as ops
from convviz.filterbank.bank import BankError, FilterBank
from convviz.filterbank.jsonfile import MAX_JSON_CHARS, bank_from_json, bank_to_json
from ui import share, state
from ui.draw.colours import CHANNEL_NAMES, CHANNEL_WORDS
from ui.draw.pictures import md_escape

MESSAGE = "cvd_message"  # (kind, text): the outcome of the last tool, shown once
ALL_FILTERS = "cvd_all"  # toggle: transforms apply to every filter instead of the focused one
CHANNEL = "cvd_channel"  # segmented control: the channel for "zero" and "copy to all"
SEED = "cvd_seed"  # number input: the seed of the next random filter
IMPORT = "cvd_import"  # file uploader of a bank JSON file
EXPORT = "cvd_export"  # download button
SHORT_LINK_CHARS = 2_000  # above this, offer to round the weights for a shorter link

#: Transform name -> (button label, icon, help, function of (bank, index) -> bank).
TRANSFORMS = {
    "rotate": ("Rotate 90°", ":material/rotate_left:",
               "Turn the filter a quarter turn anticlockwise (every channel the same way).",
               lambda b, i: ops.rotate90(b, i)),
    "mirror": ("Mirror", ":material/swap_horiz:", "Swap the left and right columns.",
               lambda b, i: ops.flip(b, i, direction="left-right")),
    "flip": ("Flip", ":material/swap_vert:", "Swap the top and bottom rows.",
             lambda b, i: ops.flip(b, i, direction="up-down")),
    "transpose": ("Transpose", ":material/transform:",
                  "Swap rows and columns: a vertical-edge filter becomes a horizontal one.", ops.transpose),
    "negate": ("Negate", ":material/exposure:",
               "Flip the sign of every weight and of the bias: the map becomes its negative.", ops.negate),
    "sum1": ("Sum to 1", ":material/functions:",
             "Scale the weights so they add up to 1: flat areas keep their brightness.",
             lambda b, i: ops.normalise(b, i, mode="sum-to-1")),
    "zero_mean": ("Zero mean", ":material/exposure_zero:",
                  "Shift the weights so they add up to 0: flat areas give 0, only changes show.",
                  lambda b, i: ops.normalise(b, i, mode="zero-mean")),
}


def say(kind: str, text: str) -> None:
    """Leave a message (`kind` is "success", "info", "warning" or "error") for the designer's next draw."""
    st.session_state[MESSAGE] = (kind, text)


def show_message() -> None:
    """Show the pending message once, escaped (it may quote user text)."""
    kind, text = st.session_state.pop(MESSAGE, (None, ""))
    if kind is not None:
        getattr(st, kind)(md_escape(text))


def _apply(fn, what: str) -> None:
    """Replace the bank by ``fn(bank, index)``; index is the focused filter or None for every filter."""
    bank = state.get_bank()
    index = None if st.session_state.get(ALL_FILTERS) else state.get_focus(bank)
    try:
        state.set_bank(fn(bank, index))
    except BankError as exc:
        say("warning", f"{what} was not applied: {exc}")


def _transform(name: str) -> None:
    label, _, _, fn = TRANSFORMS[name]
    _apply(fn, label)


def _channel_tool(action: str) -> None:
    c = CHANNEL_NAMES.index(st.session_state.get(CHANNEL) or "R")
    fn = ops.zero_channel if action == "zero" else ops.copy_channel
    _apply(lambda b, i: fn(b, i, channel=c), f"{action} {CHANNEL_NAMES[c]}")


def _random() -> None:
    seed = int(st.session_state.get(SEED) or 0)
    _apply(lambda b, i: ops.randomise(b, i, seed=seed), "Random")
    st.session_state[SEED] = (seed + 1) % 1_000_000  # the next click draws a new filter; any seed replays


def transforms_panel(bank: FilterBank, k: int) -> None:
    """Buttons that transform filter `k` (or every filter) of `bank` ``(K, kh, kw, 3)``."""
    head, scope = st.columns([1, 1.4], vertical_alignment="center")
    head.markdown("**Transform**")
    scope.toggle("to every filter", key=ALL_FILTERS, disabled=bank.n_filters == 1,
                 help="Off: only the filter above. On: all the filters of the bank.")
    row = st.container(horizontal=True, gap="xsmall", wrap=True)
    for name, (label, icon, help_text, _) in TRANSFORMS.items():
        row.button(label, icon=icon, key=f"cvd_t_{name}", help=help_text, on_click=_transform, args=(name,))
    row = st.container(horizontal=True, gap="xsmall", wrap=True, vertical_alignment="center")
    st.session_state.setdefault(CHANNEL, "R")
    row.segmented_control("Channel", CHANNEL_NAMES, key=CHANNEL, required=True, label_visibility="collapsed",
                          format_func=lambda c: f"{c} slice")
    word = CHANNEL_WORDS[CHANNEL_NAMES.index(st.session_state.get(CHANNEL) or "R")]
    row.button("Zero it", icon=":material/block:", key="cvd_zero", on_click=_channel_tool, args=("zero",),
               help=f"Set the {word} slice to 0: the filter ignores the {word} channel.")
    row.button("Copy to all", icon=":material/layers:", key="cvd_copy", on_click=_channel_tool,
               args=("copy",),
               help=f"Put the {word} slice in all three slices: the filter sees every channel alike.")
    row = st.container(horizontal=True, gap="xsmall", wrap=True, vertical_alignment="bottom")
    st.session_state.setdefault(SEED, 0)
    row.number_input("Seed", 0, 999_999, step=1, key=SEED, width=140,
                     help="The same seed always draws the same weights.")
    row.button("Random weights", icon=":material/casino:", key="cvd_random", on_click=_random,
               help="Uniform weights in [−1, 1] with two decimals, drawn from the seed (the bias is kept).")


def _import() -> None:
    """Read the uploaded JSON file into the bank, or explain why not (the bank is then unchanged)."""
    upload = st.session_state.get(IMPORT)
    if upload is None:
        return
    name = upload.name[:80]
    if upload.size > MAX_JSON_CHARS:
        say("error", f"“{name}” is too big for a filter bank ({upload.size:,} bytes; at most "
                     f"{MAX_JSON_CHARS:,}). Nothing was imported.")
        return
    try:
        bank = bank_from_json(upload.getvalue())
        if bank.n_filters > share.UI_MAX_FILTERS:
            raise BankError(f"it holds {bank.n_filters} filters; the designer holds at most "
                            f"{share.UI_MAX_FILTERS}")
    except BankError as exc:
        say("error", f"“{name}” could not be imported: {exc}. Your filters are unchanged.")
        return
    state.set_bank(bank)
    st.session_state[state.FOCUS] = 0
    k, kh, kw, c = bank.weights.shape
    say("success", f"Imported “{name}”: {k} filter{'s' if k > 1 else ''} of {kh} × {kw} × {c}.")
    st.rerun()  # redraw the whole page (and its maps) for the new bank


def _shorten() -> None:
    """Round every weight and bias to 3 decimals (a shorter link; the maps change very slightly)."""
    bank = state.get_bank()
    state.set_bank(bank.replace(weights=np.round(bank.weights.astype(np.float64), 3),
                                bias=np.round(bank.bias.astype(np.float64), 3)))
    say("info", "Weights rounded to 3 decimals: the link is shorter now.")
    st.rerun()  # redraw the whole page (and its maps) for the new bank


def _file_name(bank: FilterBank) -> str:
    """A safe download name from the bank's name (letters, digits and hyphens only)."""
    stem = re.sub(r"[^a-z0-9]+", "-", bank.name.lower()).strip("-")[:48]
    return f"{stem or 'filters'}.json"


def _share_box(link: share.Link | None) -> None:
    """The link's status: its length, a copyable link, and a shortening offer for long ones."""
    if link is None:
        st.info("This bank is too large for a link. Download it as JSON and share the file instead.")
        return
    st.markdown(f"The address bar holds an exact link to this bank and the convolution settings (about "
                f"{link.length:,} characters): copy it to share them.")
    if link.bank_chars > SHORT_LINK_CHARS:
        st.button("Round weights to 3 decimals for a shorter link", icon=":material/compress:",
                  key="cvd_shorten", on_click=_shorten,
                  help="Full-precision weights make long links (browsers accept them). Rounding changes each "
                       "weight by less than 0.0005.")


def _current_bank_json() -> Callable[[], str]:
    """A function giving the JSON of this session's bank *when called*, from any thread.

    Streamlit runs a download's data callable on another thread, where ``st.session_state`` cannot be read;
    the session's state object itself can (it takes its own lock). So the file always holds the bank the maps
    show, although weight edits do not redraw the button (one element less to resend on every edit).
    """
    session = get_script_run_ctx().session_state  # only called while the page draws, inside a run
    return lambda: bank_to_json(session[state.BANK])


def _download() -> None:
    """The JSON download of the current bank, made when clicked (see :func:`_current_bank_json`)."""
    bank = state.get_bank()
    st.download_button("Download this bank (JSON)", _current_bank_json(), file_name=_file_name(bank),
                       mime="application/json", key=EXPORT, on_click="ignore", icon=":material/download:")


def files_panel() -> None:
    """Export the current bank as JSON, import one, and share it by link.

    Nothing here reruns after a weight edit: the download makes its file when clicked (:func:`_download`),
    and the page mirrors the bank into the URL itself (:func:`ui.share.mirror`, from the Lab's result panel).
    """
    with st.expander("Save, load and share: JSON file, link", icon=":material/save:"):
        _download()
        st.file_uploader("Import a bank (JSON file, same format as the presets)", type=["json"], key=IMPORT,
                         on_change=_import, max_upload_size=2)
        _share_box(share.make_link(state.get_bank(), share.current_settings()))
