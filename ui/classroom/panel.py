"""The "Share this lesson" dialog: the link of what is on screen, a copy button and a QR code.

The link is this page's own address (``st.context.url``) with the Lab's shared state
(:func:`ui.share.make_link`: bank and settings) and the lesson's parameters
(:func:`ui.classroom.lesson.lesson_params`): the photo, the focused filter, the controls to hide and
presenter mode. The teacher chooses what to hide; the link and its QR code follow at once.
"""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from convviz import load_sample
from ui import share, state
from ui.classroom import frame
from ui.classroom.lesson import HIDEABLE, Lesson, lesson_params
from ui.classroom.qr import qr_png
from ui.draw.pictures import md_escape
from ui.image_input import SAMPLE, SOURCE

HIDE = "cv_share_hide"  # multiselect: the controls the class will not see
PHOTO = "cv_share_photo"  # radio: the link's photo
PRESENT = "cv_share_present"  # toggle: the link opens in presenter mode
OWN = "own"


def lesson_link(base: str, photo: str, hide: list[str], present: bool) -> str | None:
    """The full link: `base` (a page's address) + bank, settings and lesson parameters; None if too long.

    `photo` is a sample's name or ``"upload"``; the focused filter is the session's.
    """
    bank = state.get_bank()
    shared = share.make_link(bank, state.read_settings().core)
    if shared is None:
        return None
    lesson = Lesson(sample=photo, focus=state.get_focus(bank), hide=frozenset(hide), present=present)
    return f"{base}?{urlencode({**shared.params, **lesson_params(lesson)})}"


@st.dialog("Share this lesson", width="large")
def share_dialog() -> None:
    """Choose what the class sees; show the link (with its copy button) and its QR code."""
    ss = st.session_state
    sample = ss.get(SAMPLE, "testcard")
    on_sample = ss.get(SOURCE, "Sample") == "Sample"
    photos = [sample, "upload"] if on_sample else ["upload"]
    left, right = st.columns([1, 1.2], gap="medium")
    with left:
        photo = st.radio("Photo", photos, key=PHOTO, format_func=lambda p: "Students use their own photo"
                         if p == "upload" else f"This sample: {load_sample(p).title}")
        if not on_sample:
            st.caption("A link cannot carry your own photo: the class will choose theirs.")
        hide = st.multiselect("Hide from the class", list(HIDEABLE), key=HIDE, format_func=HIDEABLE.get,
                              default=[name for name in HIDEABLE if name in frame.lesson().hide])
        present = st.toggle("Open in presenter mode", key=PRESENT, value=frame.presenting())
    link = lesson_link(getattr(st.context, "url", None) or "", photo, hide, present)
    if link is None:
        st.warning("This filter bank is too large for a link: share it as a JSON file from the Lab's "
                   "downloads instead.")
        return
    with left:
        st.markdown("**The link** (copy it with the button at its right):")
        st.code(link, language=None, wrap_lines=True)
        st.caption(f"{len(link):,} characters. Opening it restores this page, the photo, the filters, the "
                   "settings and the chosen filter, for every student.")
    with right:
        try:
            png = qr_png(link, scale=8)
        except ValueError as exc:
            st.warning(f"No QR code: {md_escape(exc)}. Copy the link instead.")
            return
        st.image(png, caption="Scan to open the lesson", width="stretch",
                 alt=f"QR code of the lesson link ({len(link)} characters), shown as text beside it.")
