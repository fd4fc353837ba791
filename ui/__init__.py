"""Streamlit panels for convviz. UI code only reads widgets, calls ``convviz`` and draws."""
