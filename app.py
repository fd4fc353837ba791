"""convviz — the Streamlit frame: page config, the classroom frame and navigation, nothing else.

Run with ``streamlit run app.py``. The pages are listed once in ``ui/nav.py``; all computing is in
``convviz/``. The page menu runs across the top, so a projector's 1024 pixels all go to the page.
"""

import streamlit as st

from ui import nav, number_entry, server
from ui.classroom import frame
from ui.classroom.panel import share_dialog
from ui.draw.colours import FOCUS_CSS

server.start()  # once per process: frees the memory of sessions whose browser has gone (ui/server)
st.set_page_config(page_title="convviz — convolution over volumes", page_icon="🧊", layout="wide",
                   initial_sidebar_state="collapsed")
st.html(FOCUS_CSS)  # a visible keyboard focus ring on every page
number_entry.install()  # "1,5" typed in a number cell is 1.5, not 15
lesson = frame.start()  # a lesson link may hide the page menu, so it is read before the navigation
page = st.navigation(nav.pages(), position="hidden" if "nav" in lesson.hide else "top")
frame.bar(page, share_dialog)
page.run()
