"""Teach the network your own classes: name 2-5 classes, give each photos, train the last layer, predict.

The training is :func:`convviz.fit_classes` (NumPy, a few seconds at most); the prediction of this page's
photo uses the same views as the built-in head (probability bars, softmax arithmetic, class activation map)
and the same "not sure" flag. Class names are the student's text: escaped wherever they are drawn as
Markdown, and HTML-escaped in the chart (plotly reads a few tags).
"""

from __future__ import annotations

import hashlib
import logging
import time

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from convviz import ConvvizValueError, fit_classes, list_samples, load_sample
from convviz.image.intake import ImageError, load_image_info
from convviz.model.transfer import MAX_CLASSES, MAX_IMAGES_PER_CLASS, MAX_NAME_LENGTH, MIN_CLASSES
from ui import state
from ui.cnn.trust import uncertainty_flag
from ui.cnn.views import cam_panel, probabilities_figure, softmax_panel
from ui.draw.describe import bars_text
from ui.draw.pictures import md_escape

COUNT = "cnn_own_count"  # number_input: how many classes
NAME = "cnn_own_name_{}"  # text_input per class
FILES = "cnn_own_files_{}"  # file_uploader (several files) per class
SAMPLES = "cnn_own_samples_{}"  # multiselect of built-in samples per class
PHOTO = "cnn_own_photo_{}"  # checkbox per class: add this page's photo
TRAINED = "cnn_own_trained"  # (signature, FittedTinyVGG, seconds): the last training
UPLOAD_TYPES = ("jpg", "jpeg", "png", "webp", "gif", "bmp")
DECODE_SIDE = 256  # photos are squashed to 64 x 64 anyway: decoding at 256 px keeps memory small

_log = logging.getLogger(__name__)


@st.cache_data(max_entries=300, ttl=3600, show_spinner=False)
def _decode(digest: str, _data: bytes) -> np.ndarray:
    """An upload decoded to ``(H, W, 3)`` float32 (cached by its sha256; `_data` is not hashed)."""
    return load_image_info(_data, max_side=DECODE_SIDE)[0]


def _class_inputs(i: int, photo: state.LabImage) -> tuple[str, list[np.ndarray], list[str], tuple]:
    """One class's widgets; returns its name, its images, the files refused and a signature of the inputs."""
    st.session_state.setdefault(NAME.format(i), f"class {i + 1}")
    name = st.text_input(f"Name of class {i + 1}", key=NAME.format(i), max_chars=MAX_NAME_LENGTH)
    files = st.file_uploader(f"Photos of class {i + 1}", type=list(UPLOAD_TYPES), accept_multiple_files=True,
                             key=FILES.format(i), help="Several files at once; they stay in this session's "
                             f"memory and are never saved. At most {MAX_IMAGES_PER_CLASS} per class.") or []
    samples = st.multiselect("Built-in samples", list_samples("image"), key=SAMPLES.format(i),
                             format_func=lambda n: load_sample(n).title)
    use_photo = st.checkbox("Add this page's photo", key=PHOTO.format(i),
                            help="The photo at the top of the page (upload or camera there).")
    images, refused, ids = [], [], []
    for file in files:
        data = file.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        try:
            images.append(_decode(digest, data))
            ids.append(digest)
        except ImageError as exc:
            refused.append(f"{file.name}: {exc}")
        except Exception:  # noqa: BLE001 - intake promises ImageError only; never show a traceback anyway
            _log.exception("unexpected error while reading an upload")
            refused.append(f"{file.name}: this file could not be read as an image.")
    images += [load_sample(n).array for n in samples]
    if use_photo:
        images.append(photo.array)
        ids.append(photo.digest)
    st.caption(f"{len(images)} photo{'s' if len(images) != 1 else ''}")
    return name, images, refused, (name, tuple(ids), tuple(samples))


def training_figure(history) -> go.Figure:
    """Loss (left axis) and training accuracy (right axis) per epoch."""
    epochs = list(range(1, len(history.loss) + 1))
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=epochs, y=list(history.loss), name="loss", line={"color": "#542788"}))
    fig.add_trace(go.Scatter(x=epochs, y=list(history.accuracy), name="accuracy on your photos", yaxis="y2",
                             line={"color": "#b35806"}))
    fig.update_layout(height=300, font_size=15, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      xaxis={"title": "epoch (one step over all photos)"},
                      yaxis={"title": "loss", "rangemode": "tozero"},
                      yaxis2={"title": "accuracy", "overlaying": "y", "side": "right", "range": [0, 1.05],
                              "tickvals": [0, 0.25, 0.5, 0.75, 1], "tickformat": ".0%"},
                      legend={"orientation": "h", "y": -0.3})
    return fig


def _train(base, examples: dict[str, list[np.ndarray]], signature: tuple) -> None:
    bar = st.progress(0.0, text="Starting…")
    shown = [-1]

    def progress(fraction: float, message: str) -> None:
        step = int(fraction * 50)  # at most ~50 updates reach the browser
        if step != shown[0]:
            shown[0] = step
            bar.progress(min(1.0, fraction), text=message)

    start = time.perf_counter()
    try:
        fitted = fit_classes(base, examples, progress=progress)
    except ConvvizValueError as exc:
        bar.empty()
        st.error(f"Cannot train: {md_escape(str(exc))}", icon=":material/block:")
        return
    bar.empty()
    st.session_state[TRAINED] = (signature, fitted, time.perf_counter() - start)


def _explain(fitted, seconds: float) -> None:
    k, c = fitted.weights("dense")[0].shape
    convs = sum(layer.type == "conv2d" for layer in fitted.layers)
    photos = sum(fitted.examples_per_class)
    st.markdown(
        f"Trained in **{seconds:.1f} s** on {photos} photos and their mirror images. **What was trained:** "
        f"only the last layer, a new dense layer from the {c} pooled features to your {k} classes: "
        f"{k} × {c} weights + {k} biases = **{fitted.trained_parameters:,} parameters**. **What stayed "
        f"frozen:** all {convs} convolutions, {fitted.frozen_parameters:,} parameters learned on Imagenette, "
        "reused as they are: the features they compute were never taught your classes.")
    history = fitted.training_history
    st.plotly_chart(training_figure(history), key="cnn_own_curve", config={"displaylogo": False},
                    alt=f"Training curve over {len(history.loss)} epochs: loss from {history.loss[0]:.3f} to "
                        f"{history.loss[-1]:.3f}, accuracy on the training photos from "
                        f"{100 * history.accuracy[0]:.0f} % to {100 * history.accuracy[-1]:.0f} %.")
    st.caption(f"After {len(history.loss)} epochs: loss {history.loss[-1]:.3f}, "
               f"{100 * history.accuracy[-1]:.0f} % of your {history.examples} training images right. That "
               "is accuracy on the photos it learned from; only new photos show whether it generalises.")


def _predict(fitted, photo: state.LabImage) -> None:
    x = photo.array
    outputs = fitted.forward(fitted.resize_input(x))
    probs = outputs[-1][1].reshape(-1)  # (K,)
    top = int(np.argmax(probs))
    st.subheader("Your classes on this page's photo")
    uncertainty_flag(fitted, x)
    st.markdown(f"Your classes say: **{md_escape(fitted.classes[top])}** ({100 * probs[top]:.1f} %).")
    figure = probabilities_figure(probs, fitted.classes)  # escapes the names for plotly
    figure.update_layout(height=100 + 50 * len(fitted.classes))  # K bars, not 10
    st.plotly_chart(figure, key="cnn_own_probs", config={"displaylogo": False},
                    alt=bars_text(fitted.classes, probs, what="Your classes' probabilities"))
    if st.toggle("Show the softmax arithmetic", key="cnn_own_softmax"):
        softmax_panel(outputs[-2][1].reshape(-1), fitted.classes)
    cam_panel(fitted, x, outputs, key="cnn_own_cam")


def own_classes_panel(base, photo: state.LabImage) -> None:
    """The whole "your own classes" section: inputs, Train, the curve, the prediction of `photo`."""
    st.markdown("Name 2 to 5 classes and give each a few photos (10 is plenty). convviz keeps every "
                "convolution of the Tiny VGG as it is and trains only a new last layer on your photos, here, "
                "in NumPy — *transfer learning*.")
    st.session_state.setdefault(COUNT, MIN_CLASSES)
    n = st.number_input("Number of classes", MIN_CLASSES, MAX_CLASSES, key=COUNT, step=1)
    n = int(min(MAX_CLASSES, max(MIN_CLASSES, n)))
    examples: dict[str, list[np.ndarray]] = {}
    names, refused, signature = [], [], []
    columns = st.columns(n, gap="medium")
    for i, column in enumerate(columns):
        with column, st.container(border=True, key=f"cnn_own_class_{i}"):
            name, images, bad, sig = _class_inputs(i, photo)
        names.append(name)
        refused += bad
        signature.append(sig)
        examples.setdefault(name, images)  # a repeated name is refused by fit_classes below (count differs)
    for line in refused:
        st.error(f"Skipped {md_escape(line)}", icon=":material/block:")
    if len(examples) < len(names):
        st.error("Two classes have the same name: give each class its own name.", icon=":material/block:")
    elif st.button("Train the last layer", key="cnn_own_train", type="primary", icon=":material/school:"):
        _train(base, examples, tuple(signature))
    trained = st.session_state.get(TRAINED)
    if trained is None:
        return
    old_signature, fitted, seconds = trained
    _explain(fitted, seconds)
    if old_signature != tuple(signature):
        st.info("The classes or photos changed since this training: press **Train the last layer** again to "
                "use them. Below: the network as last trained.", icon=":material/info:")
    _predict(fitted, photo)
