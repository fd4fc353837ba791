"""The Lab's "Code" panel: the current bank and settings as short NumPy and PyTorch scripts to copy or save.

The scripts come from :func:`convviz.setup_code` (tested by executing them against the pipeline). The panel is
a keyed fragment registered as a live fragment (:func:`ui.live.register_live_fragment`), so a weight edit,
which reruns only the result panels, reruns it too: the code always shows the weights on the page.
"""

from __future__ import annotations

import streamlit as st

from convviz import ConvvizValueError, setup_code
from ui import classroom, state
from ui.draw.pictures import md_escape
from ui.lab import live

FRAG_CODE = "cv_code"  # keyed fragment: the code panel
_TABS = (("numpy", "NumPy", "conv_numpy.py"), ("torch", "PyTorch", "conv_torch.py"))


@st.fragment(key=FRAG_CODE)
def code_panel() -> None:
    """NumPy and PyTorch tabs, each the script for the current bank and settings, a copy and a download."""
    live.register_live_fragment(FRAG_CODE)
    with st.container(key="cv_code_panel"):
        _draw()


def _draw() -> None:
    bank, settings = state.get_bank(), state.read_settings()
    st.markdown("### Code")
    try:
        scripts = {name: setup_code(bank, settings.core, framework=name) for name, _, _ in _TABS}
    except ConvvizValueError as exc:  # settings the core refuses (read_settings clamps them first)
        st.info(f"No code for these settings: {md_escape(exc)}.", icon=":material/code_off:")
        return
    image = state.get_image()
    size = f"the {image.shape_text} preview" if image is not None else "your image"
    st.caption(
        "The same computation written as a student would, with your filters' numbers inside. Set `image` to "
        f"an (H, W, {bank.channels}) float32 array and run it: `output` is the Lab's output volume for "
        f"{size} (to float32 rounding). Copy with the button at the top right of the code, or download it.")
    tabs = st.tabs([label for _, label, _ in _TABS])
    for tab, (framework, _, file_name) in zip(tabs, _TABS, strict=True):
        with tab:
            st.code(scripts[framework], language="python", line_numbers=False)
            if classroom.shows("export"):  # a presenter shows the code; downloads are for students
                # Deferred (a callable): a page with a file URL made the browser fetch both scripts again
                # after every weight edit (4 kB an edit, measured); this way a file exists only on a click.
                script = scripts[framework]
                st.download_button(f"Download {file_name}", lambda script=script: script, file_name=file_name,
                                   mime="text/x-python", on_click="ignore", key=f"cv_dl_code_{framework}",
                                   icon=":material/download:")
            if framework == "torch":
                st.caption("Needs PyTorch (`pip install torch`); convviz itself never does.")

