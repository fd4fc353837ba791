"""Shareable links: the Lab's filter bank and convolution settings mirrored into the URL, and read back.

- :func:`restore_from_url` runs once per session, after :func:`ui.state.init_state` and before any widget:
  it reads the query string with :func:`convviz.decode_state` (which treats it as hostile: capped,
  validated, integers clamped) and stores the bank and settings. A link it cannot read changes nothing (the
  defaults stay) and returns a sentence for the page to show.
- :func:`mirror` runs at the end of every run that may have changed the bank or the settings: it writes
  :func:`convviz.encode_state` of them into ``st.query_params`` (only when they changed), so the address bar
  always holds an exact link. On the Lab's starting state it removes them (a first visit keeps a clean URL).

Link policy: links are exact (every weight bit for bit). A typical bank takes a few hundred characters; 16
filters with full-precision weights ~3,300, which browsers accept; the designer offers to round the weights
to 3 decimals when the bank part passes 2,000 characters. A bank whose link would pass
:data:`convviz.share.MAX_BANK_PARAM_CHARS` (only huge kernels) is not put in the URL at all: the share box
says so and offers the JSON file instead.

Settings in a link are the core :class:`convviz.ConvSettings`; missing ones take the core defaults, so what
a link restores never depends on the Lab's own defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import streamlit as st

from convviz.filterbank.bank import FilterBank
from convviz.filterbank.presets import load_preset
from convviz.settings import SETTING_NAMES, ConvSettings
from convviz.share import MAX_BANK_PARAM_CHARS, ShareError, decode_state, encode_state
from ui import state

SHARE_KEYS = ("bank", *SETTING_NAMES)  # the query parameters this module owns
RESTORED = "cv_share_restored"  # bool: the URL has been read in this session
FROM_LINK = "cv_share_from_link"  # bool: this session began from a link carrying a bank or settings
#: Shown while a session that began from a link has no photo of its own: a shared link, or a student whose
#: server restarted (or who was moved to another replica) and whose browser came back with the same address.
FROM_LINK_NOTE = ("Your filters and settings came back from the link in the address bar. If you were working "
                  "here a moment ago, the server restarted or moved you to another one: your photo was not "
                  "kept, so please upload it again.")
UI_MAX_FILTERS = 16  # the designer's limit; files and links may hold up to 64 filters (refused in the UI)


@dataclass(frozen=True)
class Link:
    """The shareable state as written into the URL."""

    params: dict[str, str]
    url: str  # the full link ("" when the page's own address is unknown, e.g. in tests)

    @property
    def bank_chars(self) -> int:
        """Characters of the ``bank`` parameter."""
        return len(self.params.get("bank", ""))

    @property
    def length(self) -> int:
        """Characters of the query string."""
        return len(urlencode(self.params))


def lab_values(settings: ConvSettings) -> dict[str, object]:
    """The Lab's session-state values (keys of :mod:`ui.state`) for core `settings`."""
    values: dict[str, object] = {
        state.STRIDE: settings.stride, state.DILATION: settings.dilation, state.RELU: settings.relu,
        state.POOL: settings.pool, state.POOL_SIZE: settings.pool_size,
        state.POOL_STRIDE: settings.pool_stride or settings.pool_size,
    }
    if isinstance(settings.padding, str):
        values[state.PADDING_MODE] = settings.padding
    else:
        values[state.PADDING_MODE] = "custom"
        values[state.PADDING] = settings.padding
    return values


def restore_from_url() -> str | None:
    """Restore the bank and settings from the query string, once per session; return a problem or None.

    Call after :func:`ui.state.init_state` and before the widgets. Returns None when the URL carries no
    shared state or was restored; otherwise a sentence saying why the link was not used (the defaults stay).
    """
    ss = st.session_state
    if ss.get(RESTORED):
        return None
    ss[RESTORED] = True
    params = {key: st.query_params[key] for key in SHARE_KEYS if key in st.query_params}
    if not params:
        return None
    try:
        bank, settings = decode_state(params)
        if bank is not None and bank.n_filters > UI_MAX_FILTERS:
            raise ShareError(f"the link's bank has {bank.n_filters} filters; the designer holds at most "
                             f"{UI_MAX_FILTERS}")
    except ShareError as exc:
        return f"This link could not be read ({exc}), so the default filters and settings are shown."
    if bank is not None:
        state.set_bank(bank)
        ss[state.FOCUS] = 0
    state.apply_settings(lab_values(settings))
    ss[FROM_LINK] = True
    return None


def _is_start(bank: FilterBank, settings: ConvSettings) -> bool:
    """True for the Lab's starting state (its default preset and default settings)."""
    start = load_preset(state.DEFAULT_PRESET)  # read once per process (immutable)
    same_bank = bank.name == start.name and bank.weights.tobytes() == start.weights.tobytes() and (
        bank.bias.tobytes() == start.bias.tobytes() and bank.names == start.names)
    return same_bank and settings == state.LabSettings().core


def current_settings() -> ConvSettings:
    """The core settings the Lab computes with now (read from session state, validated)."""
    return state.read_settings().core


def make_link(bank: FilterBank, settings: ConvSettings) -> Link | None:
    """The link of `bank` ``(K, kh, kw, 3)`` and `settings`, or None when the bank is too large for one."""
    try:
        params = encode_state(bank, settings)
    except ShareError:  # not an RGB bank: nothing a link could carry
        return None
    if len(params["bank"]) > MAX_BANK_PARAM_CHARS:
        return None
    base = getattr(st.context, "url", None) or ""
    return Link(params, f"{base}?{urlencode(params)}" if base else "")


def mirror(bank: FilterBank, settings: ConvSettings) -> Link | None:
    """Write `bank` and `settings` into the URL (when they changed); return the link, or None if too large.

    Parameters
    ----------
    bank : FilterBank
        Weights ``(K, kh, kw, 3)``.
    settings : ConvSettings
        The core settings the Lab computes with (``ui.state.LabSettings.core``).
    """
    link = make_link(bank, settings)
    wanted = {} if link is None or _is_start(bank, settings) else link.params
    current = {key: st.query_params[key] for key in SHARE_KEYS if key in st.query_params}
    if current != wanted:
        for key in current.keys() - wanted.keys():
            del st.query_params[key]
        st.query_params.update(wanted)
    return link
