"""The Streamlit layer: pages read widgets, call :mod:`convviz` and draw; ``nav`` lists the pages."""

__all__ = ["classroom", "cnn", "draw", "image_input", "lab", "lessons", "nav", "number_entry", "server",
           "share", "state"]
