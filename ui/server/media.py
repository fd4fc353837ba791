"""Pictures the page loads by URL from Streamlit's media store, instead of inline in the page's HTML.

Why: a weight edit reruns the Lab's result fragment, and Streamlit sends each HTML element of it again,
whole. With the pictures inline as base64 ``data:`` URIs, every edit sent every picture, changed or not
(about 250 kB). By URL, the HTML names each picture by a hash of its bytes (Streamlit's file id), so:

- a picture that did not change keeps its URL, and the browser draws it again from its memory cache
  without asking the server;
- a changed picture is fetched once, as raw JPEG bytes (its base64 form is a third larger);
- the same picture in two places (the focused filter's last map and its output-volume slice) is one file.

Lifetime (Streamlit's media manager does the bookkeeping): each picture is registered under a *slot* of the
session, the place on the page it fills (``cv_map_sum``, ``cv_thumb_3``), and the slot's previous picture
under the slot's ``before`` key, so it stays available while the new one loads (two quick edits: the page may
still be fetching it). Registering in a key releases what it held; Streamlit releases all of a session's keys
at the start of each full run and when the session ends, and deletes the files no key names at the end of
each run. A session therefore holds at most two pictures per slot, and the store is shared: two students
with the same picture hold one copy.

Outside a Streamlit server (plain Python, no runtime) the picture is returned as a ``data:`` URI.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit import config, runtime
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from ui.draw.pictures import data_uri

__all__ = ["picture_url", "previous_url"]

_COORDINATES = "convviz:{}"  # the media manager's per-session key of a slot (its own elements use "1.2.3")


@dataclass(frozen=True)
class _Shown:
    """A picture a slot shows or showed: its URL, and its bytes (to register it again on the next run)."""

    url: str
    data: bytes
    mime: str


# Per session: slot name -> (the picture now, the one before or None), in st.session_state under this key.
_SLOTS = "_cv_media_slots"


def _base() -> str:
    """The server's URL prefix ("" or "/prefix"), as set by ``server.baseUrlPath``."""
    base = str(config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def _slots() -> dict[str, tuple[_Shown, _Shown | None]] | None:
    """This session's slots, or None outside a script run."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    return st.session_state.setdefault(_SLOTS, {})


def _register(data: bytes, mime: str, key: str) -> str:
    return _base() + runtime.get_instance().media_file_mgr.add(data, mime, _COORDINATES.format(key))


def picture_url(data: bytes, slot: str, mime: str = "image/jpeg") -> str:
    """The URL the page loads `data` from, registered in this session's `slot` (see the module notes).

    Parameters
    ----------
    data : bytes
        The encoded picture (JPEG or PNG bytes).
    slot : str
        The place on the page the picture fills, unique within the session (e.g. ``"cv_map_sum"``).
    mime : str, optional
        The picture's media type, sent as its ``Content-Type``.

    Returns
    -------
    str
        A root-relative URL (``/media/<hash>.jpg``, after the server's base path), or a ``data:`` URI when
        no Streamlit server runs.
    """
    slots = _slots() if runtime.exists() else None
    if slots is None:
        return data_uri(data, mime)
    url = _register(data, mime, slot)
    now, before = slots.get(slot, (None, None))
    if now is None or now.url != url:  # the picture shown until now becomes the one before
        now, before = _Shown(url, data, mime), now
        slots[slot] = (now, before)
    if before is not None:  # registered again on every call: a full run starts with no keys
        _register(before.data, before.mime, f"{slot}:before")
    return url


def previous_url(slot: str) -> str | None:
    """The URL `slot` showed before its current picture (None if none): drawn under the new picture while
    it loads, so a changed map never flashes empty."""
    before = (_slots() or {}).get(slot, (None, None))[1]
    return None if before is None else before.url
