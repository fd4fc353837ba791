"""convviz — the Streamlit frame: page config and navigation, nothing else.

Run with ``streamlit run app.py``. Each page lives in ``ui/``; all computing is in ``convviz/``.
"""

import streamlit as st

from ui import architectures, blocks, cnn, lab, quiz, teaching

st.set_page_config(page_title="convviz — convolution over volumes", page_icon="🧊", layout="wide")

pages = [
    st.Page(lab.page, title="Volume Lab", icon=":material/science:", url_path="lab", default=True),
    st.Page(teaching.page, title="Worked examples", icon=":material/calculate:", url_path="examples"),
    st.Page(blocks.page, title="Building blocks", icon=":material/widgets:", url_path="blocks"),
    st.Page(architectures.page, title="Architectures", icon=":material/account_tree:", url_path="networks"),
    st.Page(cnn.page, title="Inside a CNN", icon=":material/neurology:", url_path="cnn"),
    st.Page(quiz.page, title="Quiz", icon=":material/quiz:", url_path="quiz"),
]
st.navigation(pages).run()
