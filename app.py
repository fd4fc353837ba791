"""convviz — the Streamlit frame: page config and navigation, nothing else.

Run with ``streamlit run app.py``. The pages are listed once in ``ui/nav.py``; all computing is in
``convviz/``.
"""

import streamlit as st

from ui import nav, server

server.start()  # once per process: frees the memory of sessions whose browser has gone (ui/server)
st.set_page_config(page_title="convviz — convolution over volumes", page_icon="🧊", layout="wide")
st.navigation(nav.pages()).run()
