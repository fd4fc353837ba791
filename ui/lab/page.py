"""The Volume Lab page: upload a photo, watch every channel and every filter, live.

Top to bottom: the input panel (:mod:`ui.image_input`) and the input as a volume (:mod:`ui.lab.input_view`),
then the *workspace* fragment (``live.FRAG_WORKSPACE``): the settings (:mod:`ui.lab.settings`), the filter
panel (:func:`ui.lab.designer.panel.designer_panel`) beside the results fragment (:mod:`ui.lab.maps`), the
pixel explanation (:mod:`ui.lab.explain`), the downloads (:mod:`ui.lab.export`) and the code
(:mod:`ui.lab.code_panel`).

What reruns (see :mod:`ui.state`): a new image reruns the page; a setting or a new bank reruns the workspace;
a weight edit reruns only the results and the explanation; picking a pixel only the pick view and the
explanation. Every panel reads the state through :func:`ui.lab.context.lab_context`, whose pipeline
recomputes only what changed.
"""

from __future__ import annotations

import streamlit as st

from ui import classroom, share, state
from ui.classroom.frame import lesson
from ui.image_input import SAMPLE, image_input_panel, sample_image
from ui.lab import live
from ui.lab.code_panel import code_panel
from ui.lab.context import lab_context
from ui.lab.designer.panel import designer_panel
from ui.lab.explain import EXPLAIN_CSS, explain_fragment, pick_fragment
from ui.lab.export import export_panel
from ui.lab.input_view import input_view
from ui.lab.maps import results_fragment
from ui.lab.settings import settings_panel

# Static CSS only (never user text): captions and labels large enough for a projector, and no stale fade.
# Streamlit draws captions at 60 % opacity of this colour: #111 gives 4.9:1 on white (WCAG AA needs 4.5).
# Streamlit marks the elements a rerun will redraw as stale and fades them (opacity, starting after 0.5 s).
# A Lab edit redraws in about 0.15 s, so the fade never shows, yet arming and disarming that transition on
# every rerunning element made the browser restyle and repaint them twice per edit: 20-30 ms of an edit
# (paired browser runs, docs/benchmarks.md). Streamlit's "Running" indicator still shows a long run.
_PAGE_CSS = """<style>
[data-testid="stImageCaption"], [data-testid="stCaptionContainer"] {font-size: 0.95rem; color: #111;}
[data-testid="stWidgetLabel"] p {font-size: 1rem;}
[data-stale="true"] {opacity: 1 !important; transition: none !important;}
""" + EXPLAIN_CSS + "\n</style>"


@st.fragment(key=live.FRAG_WORKSPACE)
def workspace() -> None:
    """Settings, filters and every result: reruns alone when a setting or the bank changes."""
    live.reset_live_fragments()
    st.header("Filters slide over the volume")
    image = state.get_image()
    if classroom.shows("settings"):
        settings_panel(image.shape[:2], state.get_bank())
    if not classroom.shows("designer"):  # a lesson fixed the filters: the maps take the whole width
        results_fragment()
    elif classroom.presenting():  # the maps across the projected page; the designer one click away
        with st.expander("Edit the filters", icon=":material/tune:"):
            designer_panel()
        results_fragment()
    else:
        left, right = st.columns([1.3, 2], gap="medium")  # the designer needs ~450 px for 3 grids abreast
        with left:
            designer_panel()  # leaves the bank in state.BANK and the edited filter in state.FOCUS
        with right:
            results_fragment()
    if classroom.shows("explain"):
        st.divider()
        pick_fragment()
        explain_fragment()
    if classroom.shows("export"):
        st.divider()
        export_panel(lab_context(maps=False))
    if classroom.shows("code"):
        st.divider()
        code_panel()


def page() -> None:
    """The Volume Lab."""
    state.init_state()
    live.init_live()
    problem = share.restore_from_url()
    st.html(_PAGE_CSS)
    st.title("Volume Lab")
    st.caption("An RGB image is a stack of three 2D images. A 3×3×3 filter reads all three at once: it "
               "multiplies 27 numbers by 27 weights, adds them up with a bias, and slides on.")
    if problem:
        st.warning(problem, icon=":material/link_off:")
    if classroom.shows("input"):
        image = image_input_panel()
    else:  # a lesson chose the sample; the chooser is hidden
        image = sample_image(st.session_state.get(SAMPLE, ""), state.read_settings().preview_side)
        state.set_image(image)
    from_lesson = lesson().sample is not None  # a lesson link chose the photo itself
    if st.session_state.get(share.FROM_LINK) and image.source is None and not from_lesson:  # no photo yet
        st.info(share.FROM_LINK_NOTE, icon=":material/restart_alt:")
    input_view(image)
    st.divider()
    workspace()
