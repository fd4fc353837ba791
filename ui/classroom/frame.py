"""What every page shares in class: the lesson link read once, hidden controls, presenter mode, the bar.

``app.py`` calls :func:`start` before the navigation (a link may hide the page menu), then :func:`bar` for
the page about to run. Pages ask :func:`shows` before drawing a control a lesson may hide.

- :func:`start` runs once per session: it reads the Lab's shared state (:func:`ui.share.restore_from_url`:
  bank and settings) and the lesson's own parameters (:func:`ui.classroom.lesson.read_lesson`: sample,
  focused filter, hidden controls, presenter mode), stores them, and keeps one sentence for everything the
  link could not use. The URL is untrusted: nothing from it is shown except through that sentence, escaped.
- Presenter mode (the switch in the bar, or ``present=1``): large type, the Streamlit chrome and the
  controls in :data:`PRESENTER_HIDES` hidden, the Lab's maps across the whole width.
"""

from __future__ import annotations

import streamlit as st

from convviz import list_samples
from ui import share, state
from ui.classroom.lesson import LESSON_KEYS, OWN_PHOTO, Lesson, read_lesson
from ui.draw.pictures import md_escape
from ui.image_input import SAMPLE, SOURCE

LESSON = "cv_lesson"  # Lesson: what this session's link set (its hidden controls stay hidden)
PRESENT = "cv_present"  # bool (toggle): presenter mode
PROBLEM = "cv_lesson_problem"  # str: what the link could not use, shown once on the first page drawn
PRESENTER_HIDES = frozenset({"export"})  # controls a presenter does not need

# Static CSS only. Presenter mode scales every rem of the page (Streamlit sizes its type in rem), uses the
# whole width and hides what a projected page does not need (the toolbar, the preview-size slider).
_PRESENTER_CSS = """<style>
html {font-size: 21px !important;}
[data-testid="stMainBlockContainer"] {max-width: 100% !important; padding: 3.2rem 1.2rem 2rem 1.2rem;}
[data-testid="stToolbarActions"], [data-testid="stMainMenu"], [data-testid="stDecoration"],
.st-key-cv_preview_side {display: none !important;}
</style>"""
# Static CSS for every page, for a projector's 1024 x 768: less empty space under the page menu; a label or
# a metric too wide for its column wraps (or shrinks) instead of being cut to "R…" or "61,10…".
_FRAME_CSS = """<style>
[data-testid="stMainBlockContainer"] {padding-top: 4.5rem;}
.st-key-cv_classroom_bar {margin-bottom: -1.5rem;}
[data-testid="stWidgetLabel"] .stMarkdownEllipsis, [data-testid="stMetricValue"] .stMarkdownEllipsis,
[data-testid="stMetricLabel"] .stMarkdownEllipsis, button .stMarkdownEllipsis {white-space: normal !important;
  overflow: visible !important;
  text-overflow: clip !important; overflow-wrap: break-word;}
[data-testid="stMetricValue"] {font-size: clamp(1.3rem, 2.8vw, 2.25rem);}
</style>"""


def start() -> Lesson:
    """Read the lesson link once per session, before the navigation and any widget; return the lesson."""
    ss = st.session_state
    if LESSON in ss:
        return ss[LESSON]
    state.init_state()
    params = {key: st.query_params[key] for key in LESSON_KEYS if key in st.query_params}
    lesson, problems = read_lesson(params, samples=list_samples("image"))
    shared = share.restore_from_url()  # bank and settings (once per session; a sentence if refused)
    if lesson.focus is not None:
        n_filters = state.get_bank().n_filters
        if lesson.focus < n_filters:
            ss[state.FOCUS] = lesson.focus
        else:
            problems.append(f"`filter` is past the last of the {n_filters} filters")
    if lesson.sample is not None:
        own = lesson.sample in OWN_PHOTO
        ss[SOURCE] = {"upload": "Upload", "camera": "Camera"}[lesson.sample] if own else "Sample"
        if not own:
            ss[SAMPLE] = lesson.sample
    if lesson.sample in OWN_PHOTO and "input" in lesson.hide:  # the class needs the chooser for its photos
        lesson = Lesson(lesson.sample, lesson.focus, lesson.hide - {"input"}, lesson.present)
    ss[PRESENT] = lesson.present
    ss[LESSON] = lesson
    sentences = [md_escape(shared)] if shared else []  # may quote the link's text: escaped
    if problems:  # fixed sentences that never repeat the link's text
        sentences.append("Part of this lesson link was not used (" + "; ".join(problems) + "); the rest was.")
    if sentences:
        ss[PROBLEM] = " ".join(sentences)
    return lesson


def lesson() -> Lesson:
    """This session's lesson (an empty one before :func:`start`)."""
    return st.session_state.get(LESSON, Lesson())


def presenting() -> bool:
    """True in presenter mode."""
    return bool(st.session_state.get(PRESENT, False))


def shows(control: str) -> bool:
    """Whether to draw `control` (a name in :data:`ui.classroom.lesson.HIDEABLE`) on this run."""
    return control not in lesson().hide and not (presenting() and control in PRESENTER_HIDES)


def _mirror_present() -> None:
    """Toggle callback: the address bar keeps ``present=1`` while presenting (a reload stays in it)."""
    if st.session_state.get(PRESENT):
        st.query_params["present"] = "1"
    elif "present" in st.query_params:
        del st.query_params["present"]


def bar(page: st.Page, share_dialog) -> None:
    """The presenter switch and the share button above `page`, presenter CSS, and the link's message.

    `share_dialog` opens the "Share this lesson" dialog (:func:`ui.classroom.panel.share_dialog`). Nothing
    is drawn for the forwarding page at ``/`` (its run ends at once).
    """
    if page.url_path == "":
        return
    st.html(_FRAME_CSS + (_PRESENTER_CSS if presenting() else ""))
    if shows("classroom"):
        with st.container(horizontal=True, horizontal_alignment="right", key="cv_classroom_bar",
                          vertical_alignment="center"):
            st.toggle("Presenter mode", key=PRESENT, on_change=_mirror_present,
                      help="Large type and the figures across the screen, for a projector. The link "
                           "flag present=1 opens a page in it.")
            if st.button("Share this lesson", key="cv_share_lesson", icon=":material/qr_code_2:"):
                share_dialog()
    problem = st.session_state.pop(PROBLEM, None)
    if problem:
        st.warning(problem, icon=":material/link_off:")  # fixed words, and the link's text escaped
