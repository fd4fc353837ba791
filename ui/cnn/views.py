"""Inside a CNN, the answers: class probabilities, the softmax arithmetic, and the class activation map.

Everything drawn here comes from :class:`convviz.TinyVGG` (logits, probabilities, CAM); this module
only lays it out. The CAM uses the same diverging scale as every map (purple: evidence against the class,
orange: evidence for it), centred on zero.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from convviz.model.cam import ClassActivationMap, cam_from_head
from convviz.numbers import fmt
from convviz.ops.dense import softmax_steps
from ui.draw.describe import map_text
from ui.draw.grids import grid_html, show_equation, show_row, show_table
from ui.draw.pictures import (
    colorize,
    encode_jpeg,
    fit_for_display,
    html_text,
    map_picture,
    md_escape,
    symmetric_scale,
    to_uint8,
)

CAM_CLASS = "cnn_cam_class"  # selectbox: the class whose activation map is drawn
SOFTMAX = "cnn_softmax"  # toggle: show the softmax arithmetic
CAM_ALPHA = 0.55  # weight of the CAM colours over the greyed photo


def probabilities_figure(probs: np.ndarray, classes: tuple[str, ...], baseline: np.ndarray | None = None,
                         baseline_name: str = "before") -> go.Figure:
    """Horizontal bars of the ``(10,)`` probabilities (top class darkest), `baseline` in grey if given."""
    classes = tuple(html_text(name) for name in classes)  # plotly reads tags: user names shown as text
    order = list(range(len(classes)))[::-1]  # first class on top
    top = int(np.argmax(probs))
    fig = go.Figure()
    if baseline is not None:
        fig.add_trace(go.Bar(y=[classes[i] for i in order], x=[baseline[i] for i in order], orientation="h",
                             name=baseline_name, marker_color="#c4c7c5",
                             text=[f"{100 * baseline[i]:.1f} %" for i in order], textposition="outside"))
    fig.add_trace(go.Bar(y=[classes[i] for i in order], x=[probs[i] for i in order], orientation="h",
                         name="now" if baseline is not None else "probability",
                         marker_color=["#b35806" if i == top else "#fdb863" for i in order],
                         text=[f"{100 * probs[i]:.1f} %" for i in order], textposition="outside"))
    fig.update_layout(barmode="group", height=420 if baseline is None else 560, font_size=16,
                      xaxis={"range": [0, 1.18], "title": "probability", "tickformat": ".0%"},
                      margin={"l": 10, "r": 10, "t": 10, "b": 10}, legend={"orientation": "h", "y": -0.15},
                      showlegend=baseline is not None)
    return fig


def softmax_panel(logits: np.ndarray, classes: tuple[str, ...]) -> None:
    """The dense layer's 10 scores turned into probabilities, step by step (numbers from the model)."""
    steps = softmax_steps(logits)
    st.markdown("The dense layer gives one **score** (logit) per class. Softmax turns scores into "
                "probabilities: subtract the largest score (so no exponential overflows), take `exp`, divide "
                "by the sum.")
    columns = zip(classes, steps.scores, steps.shifted, steps.exps, steps.probs, strict=True)
    rows = [[name, fmt(round(float(z), 4)), fmt(round(float(s), 4)), fmt(round(float(e), 5)),
             f"{100 * p:.2f} %"] for name, z, s, e, p in columns]
    show_table(["class", "score z", "z − max", "exp(z − max)", "probability"], rows, numeric={1, 2, 3, 4})
    show_equation(f"sum of the exps = {fmt(round(steps.total, 5))}; probability = exp(z − max) / "
                  f"{fmt(round(steps.total, 5))}")


def cam_overlay(photo: np.ndarray, cam: np.ndarray, scale: float) -> bytes:
    """The CAM ``(H, W)`` on the diverging scale over a grey copy of the ``(H, W, 3)`` photo: JPEG bytes.

    Both are fitted to the display size (512 px) first, then coloured and blended in float32.
    """
    small = fit_for_display(np.ascontiguousarray(photo, dtype=np.float32), 512)  # (h, w, 3)
    grey = to_uint8(small.mean(axis=2)).astype(np.float32)  # (h, w)
    colours = colorize(fit_for_display(np.ascontiguousarray(cam, dtype=np.float32), 512), scale)  # (h, w, 3)
    alpha = np.float32(CAM_ALPHA)
    mixed = (1 - alpha) * grey[..., None] + alpha * colours.astype(np.float32)  # (h, w, 3) float32
    return encode_jpeg(mixed.astype(np.uint8))


def cam_panel(model, photo: np.ndarray, outputs: list[tuple[str, np.ndarray]], *,
              key: str = CAM_CLASS) -> ClassActivationMap:
    """Pick a class (default: the top one); draw its CAM over the photo and the exact 8 x 8 arithmetic.

    `outputs` is ``model.forward(model.resize_input(photo))``: the CAM is built from it (what
    ``model.class_activation_map(photo, k)`` returns, without running the network again). `key` names the
    class picker (one per panel on a page). Class names are escaped (they may be a student's text).
    Returns the map drawn.
    """
    classes = model.classes
    probs = outputs[-1][1].reshape(-1)  # (classes,)
    top = int(np.argmax(probs))
    if st.session_state.get(key) not in range(len(classes)):
        st.session_state[key] = top
    def label(i: int) -> str:
        return f"{classes[i]} ({100 * probs[i]:.1f} %)" + (" — top" if i == top else "")

    k = st.selectbox("Class to explain", range(len(classes)), key=key, format_func=label)
    dense_w, dense_b = model.weights(model.layers[-2].name)
    # outputs[-4] is what the global average pool averages, (h, w, C); then dense and softmax (1, 1, M).
    logits = outputs[-2][1].reshape(-1)  # (classes,)
    cam: ClassActivationMap = cam_from_head(outputs[-4][1], dense_w, dense_b, logits, probs, k, classes[k],
                                            size=photo.shape[:2])
    scale = symmetric_scale(cam.coarse)
    name = md_escape(cam.class_name)
    h, w = cam.coarse.shape
    left, right = st.columns(2, gap="large")
    left.image(cam_overlay(photo, cam.upsampled, scale), width="stretch",
               caption=f"Evidence for “{name}” over the photo: orange for, purple against "
                       f"(±{fmt(scale)}).",
               alt=map_text(cam.upsampled, f"Class activation map for “{cam.class_name}” over the photo",
                            scale=scale))
    right.image(map_picture(cam.coarse, scale, 384), width="stretch",
                caption=f"The same map as computed: {h} × {w}, one value per position of the last pool.",
                alt=map_text(cam.coarse, f"Class activation map for “{cam.class_name}”", scale=scale))
    st.markdown(f"Before the global average, the network has an {h} × {w} grid of vectors of "
                f"{model.weights('dense')[0].shape[1]} numbers. Each vector times the dense weights of "
                f"“{name}” gives one number of the class activation map:")
    with st.container(key=f"cnn_compact_{key}"):
        show_row(grid_html(np.round(cam.coarse, 2), caption=f"CAM for {cam.class_name}, {h} × {w}"))
        mean = float(cam.coarse.mean(dtype=np.float64))
        show_equation(f"mean of the {h * w} cells {fmt(round(mean, 4))} + bias {fmt(round(cam.bias, 4))} = "
                      f"{fmt(round(mean + cam.bias, 4))} = the score of {cam.class_name}")
        st.caption(f"The dense layer computed the score {fmt(round(cam.logit, 4))}: averaging first and "
                   "weighting after gives the same number, so this map is exact, not an approximation.")
    return cam
