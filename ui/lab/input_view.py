"""The input half of the Lab: the photo, its shape, what intake did, its three channel planes, a 3D view.

:func:`input_view` is a fragment: switching channels on and off redraws only this panel.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from ui import state
from ui.draw.colours import CHANNEL_NAMES, CHANNEL_WORDS
from ui.draw.describe import image_text, plane_text
from ui.draw.pictures import image_picture, md_escape, tint_channel
from ui.draw.volume3d import exploded_input_figure

CHANNELS = "cv_channels"  # segmented control: which channels are shown (view only)
VIEW = "cv_input_view"  # segmented control: the channels side by side, or stacked in 3D
VIEWS = ("Three 2D channels", "Stacked in 3D")
_PICTURES = "cv_input_pictures"  # (digest, pictures): the encoded photo and planes of the current image


def _pictures(image: state.LabImage) -> list[bytes]:
    """JPEG bytes of the photo and its three tinted planes, encoded once per image."""
    cached = st.session_state.get(_PICTURES)
    if cached is None or cached[0] != image.digest:
        x = image.array  # (H, W, 3) float32, made once here
        planes = [tint_channel(x, c) for c in range(3)]
        cached = (image.digest, [image_picture(x)] + [image_picture(p) for p in planes])
        st.session_state[_PICTURES] = cached
    return cached[1]


def _shown(on: list[str]) -> tuple[bool, bool, bool]:
    return tuple(name in on for name in CHANNEL_NAMES)


@st.fragment
def input_view(image: state.LabImage) -> None:
    """Draw the input image as a volume (see the module docstring)."""
    h, w, c = image.shape
    st.subheader(f"Your image is a volume: {h} × {w} × {c}")
    st.session_state.setdefault(CHANNELS, list(CHANNEL_NAMES))
    pics = _pictures(image)
    on = st.segmented_control(
        "Show channels (view only: the filters always see all three)", CHANNEL_NAMES, selection_mode="multi",
        key=CHANNELS, format_func=lambda n: f"{n} ({CHANNEL_WORDS[CHANNEL_NAMES.index(n)]})",
    ) or []
    shown = _shown(on)
    if all(shown):
        photo = pics[0]
    else:  # the photo with the switched-off channels set to zero
        keep = np.asarray(shown, dtype=np.float32)  # (3,)
        photo = image_picture(image.array * keep)
    which = "+".join(n for n, s in zip(CHANNEL_NAMES, shown, strict=True) if s) or "none"
    left, right = st.columns([1, 3], gap="medium")
    with left:
        st.image(photo, caption=f"RGB image, channels {which} · {h} × {w} × 3", width="stretch",
                 alt=image_text(image.array, "The image") + f" Shown: channels {which}.")
        notes = "".join(f"\n- {md_escape(line)}" for line in image.notes)
        st.markdown(f"**Source:** {md_escape(image.label)}{notes}")
    st.session_state.setdefault(VIEW, VIEWS[0])
    view = right.segmented_control("View", VIEWS, key=VIEW, required=True, label_visibility="collapsed")
    with right:
        if view == VIEWS[1]:  # only on demand: a WebGL view costs every later rerun in a GPU-less browser
            st.plotly_chart(exploded_input_figure(image.array, shown), key="cv_input3d",
                            config={"displaylogo": False},
                            alt=f"3D view of the input volume {h} × {w} × 3: the channel planes {which} "
                                "stacked, red at the bottom, each in its own colour.")
            return
        cols = st.columns(3, gap="small")
        for i, name in enumerate(CHANNEL_NAMES):
            with cols[i]:
                if shown[i]:
                    st.image(pics[i + 1], caption=f"{name} channel · {h} × {w} · values 0–1", width="stretch",
                             alt=plane_text(image.array[..., i], f"{CHANNEL_WORDS[i].capitalize()} channel"))
                else:
                    st.info(f"{name} channel hidden")
        st.caption("Each channel is a 2D grid of numbers between 0 (dark) and 1 (full colour). Stacked, they "
                   "form the 3D input volume every filter reads at once.")
