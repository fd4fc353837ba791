"""The Volume Lab page: an RGB image is a stack of three 2D images."""

from __future__ import annotations

import streamlit as st

from convviz import list_samples, load_sample
from ui.render import CHANNEL_NAMES, tint_channel, to_uint8


def input_panel():
    """Pick the input image; return it as ``(H, W, 3)`` float32 in [0, 1]."""
    names = list_samples("image")
    name = st.selectbox(
        "Sample image", names, key="lab_sample", format_func=lambda n: load_sample(n).title
    )
    return load_sample(name).array


def channels_panel(image) -> None:
    """Show the image and its three channel planes, each tinted in its colour."""
    h, w, c = image.shape
    st.subheader(f"Your image is a volume: {h} × {w} × {c}")
    cols = st.columns(4)
    cols[0].image(to_uint8(image), caption=f"RGB image ({h} × {w} × 3)", width="stretch")
    for i, name in enumerate(CHANNEL_NAMES):
        cols[i + 1].image(
            tint_channel(image, i), caption=f"{name} channel ({h} × {w})", width="stretch"
        )


def page() -> None:
    st.title("Volume Lab")
    st.caption("An RGB image is a stack of three 2D images: red, green and blue.")
    image = input_panel()
    channels_panel(image)
