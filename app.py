"""convviz — the Streamlit frame: page config and navigation, nothing else.

Run with ``streamlit run app.py``. The pages are listed once in ``ui/nav.py``; all computing is in
``convviz/``.
"""

import streamlit as st

from ui import nav
from ui.draw.colours import FOCUS_CSS

st.set_page_config(page_title="convviz — convolution over volumes", page_icon="🧊", layout="wide")
st.html(FOCUS_CSS)  # a visible keyboard focus ring on every page
st.navigation(nav.pages()).run()
