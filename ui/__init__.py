"""The Streamlit layer: pages read widgets, call :mod:`convviz` and draw; ``nav`` lists the pages."""

__all__ = ["cnn", "draw", "image_input", "lab", "lessons", "nav", "share", "state"]
