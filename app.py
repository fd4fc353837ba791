"""convviz — the Streamlit frame: page config and navigation, nothing else.

Run with ``streamlit run app.py``. Each page lives in ``ui/``; all computing is in ``convviz/``.
"""

import streamlit as st

from ui import lab

st.set_page_config(page_title="convviz — convolution over volumes", page_icon="🧊", layout="wide")

pages = [
    st.Page(lab.page, title="Volume Lab", icon="🧪", url_path="lab", default=True),
]
st.navigation(pages).run()
