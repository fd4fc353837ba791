"""The "Inside a CNN" page: a small pretrained network, trained here, running on the convviz core.

Top to bottom, in teaching order: the current photo (the Volume Lab's image) and the 64 x 64 version the
network classifies; what it says (the class probabilities, with the softmax arithmetic on demand); two
experiments, channel ablation and filter surgery, which change both; what the network is (architecture
strip, classes, accuracy); the class activation map; every layer's maps; conv1's learned filters, each one
click away from the designer.

The model is loaded once per process (``st.cache_resource``; its weights are read-only). Surgery never edits
it: :meth:`convviz.TinyVGG.with_conv1_filter` returns a copy each run.
"""

from __future__ import annotations

import cv2
import numpy as np
import streamlit as st

from convviz import ConvvizValueError, list_samples
from convviz.lessons.architectures import architecture_table, list_architectures
from convviz.model.tinyvgg import ModelFileError, TinyVGG, load_pretrained
from convviz.numbers import fmt
from ui import nav, state
from ui.cnn import trust
from ui.cnn.maps import COMPACT_CSS, conv1_panel, layer_maps_panel, open_in_designer, slice_grids
from ui.cnn.own_classes import own_classes_panel
from ui.cnn.receptive import receptive_panel
from ui.cnn.views import SOFTMAX, cam_panel, probabilities_figure, softmax_panel
from ui.draw.colours import CHANNEL_NAMES, CHANNEL_WORDS
from ui.draw.describe import bars_text, filter_text, image_text, volumes_text
from ui.draw.figures import volumes_figure
from ui.draw.pictures import image_picture, md_escape, swatch_picture, to_uint8
from ui.image_input import SAMPLE, image_input_panel, sample_image

KEEP = "cnn_keep"  # segmented control (multi): the colour channels the network gets
SLOT = "cnn_slot"  # selectbox: the conv1 slot that surgery fills
SURGERY = "cnn_surgery"  # dict slot -> (kernel (3, 3, 3), bias): the user's filters put into conv1
LAYER = "cnn_layer"  # select_slider: the layer whose maps are drawn
SIZE = "cnn_size"  # segmented control: the side the maps are computed at
PICK = "cnn_pick"  # toggle: choose another photo on this page
MAP_SIDES = (64, 128, 256)


@st.cache_resource(show_spinner="Loading the Tiny VGG…")
def pretrained() -> TinyVGG:
    """The shipped network, loaded and checked once per process (shared, read-only)."""
    return load_pretrained()


def _photo() -> state.LabImage:
    """The Lab's current image; the input panel only when the user asks to choose another one here."""
    if st.toggle("Choose another photo here", key=PICK,
                 help="The same photo as the Volume Lab: changing it here changes it there too."):
        return image_input_panel()
    image = state.get_image()
    if image is None:  # the page opened first: start from the Lab's default sample
        names = list_samples("image")
        image = sample_image(st.session_state.get(SAMPLE, names[0]), state.read_settings().preview_side)
        state.set_image(image)
    return image


def _intro(model: TinyVGG) -> None:
    accuracy = ("not measured yet" if model.accuracy is None else
                f"**{100 * model.accuracy:.1f} %** of the 3,925 validation photos right (top-1), measured by "
                "the same NumPy code that runs here")
    convs = [layer for layer in model.layers if layer.type == "conv2d"]
    pools = [layer for layer in model.layers if layer.type == "max_pool2d"]
    st.markdown(
        f"This is **{md_escape(model.name)}**: {len(convs)} convolution layers of 3 × 3 filters, each "
        f"followed by ReLU, {len(pools)} max-pools, a global average pool and one dense layer — "
        f"{model.parameters:,} numbers in all. It was trained on this machine on **Imagenette** (photos from "
        f"ImageNet, fast.ai) to tell apart {len(model.classes)} classes: "
        f"{', '.join(md_escape(c) for c in model.classes)}. Accuracy: {accuracy}. Every number on this page "
        "is computed by convviz's own `conv2d`, `relu`, `max_pool2d`, dense and softmax: a CNN is the "
        "filters you designed in the Lab, stacked.")
    if "tinyvgg" not in list_architectures():  # the diagram reads the shipped manifest
        return
    table = architecture_table("tinyvgg")
    st.plotly_chart(volumes_figure(table), key="cnn_arch", config={"displaylogo": False},
                    alt=volumes_text(table))
    st.caption("Each box is one layer's output volume (height ~ H, depth ~ C, log scale), from the "
               "64 × 64 × 3 input to the 10 class scores; softmax turns those into probabilities.")


def _ablation() -> np.ndarray:
    """The channel switches; returns the ``(3,)`` float32 mask of the channels kept."""
    st.markdown("**Channel ablation** — switch a colour off (its values become 0) and watch the prediction.")
    st.session_state.setdefault(KEEP, list(CHANNEL_NAMES))
    on = st.segmented_control("Channels the network gets", CHANNEL_NAMES, selection_mode="multi", key=KEEP,
                              format_func=lambda n: f"{n} ({CHANNEL_WORDS[CHANNEL_NAMES.index(n)]})") or []
    return np.array([name in on for name in CHANNEL_NAMES], dtype=np.float32)


def _put() -> None:
    """Store the Lab's focused filter for the chosen slot (read at click time, not at drawing time)."""
    bank = state.get_bank()
    k = state.get_focus(bank)
    slot = int(st.session_state.get(SLOT, 0))
    surgery = dict(st.session_state.get(SURGERY, {}))
    surgery[slot] = (np.array(bank.weights[k], dtype=np.float32), float(bank.bias[k]))
    st.session_state[SURGERY] = surgery


def _undo() -> None:
    st.session_state[SURGERY] = {}


def _surgery(base: TinyVGG) -> TinyVGG:
    """The surgery controls; returns the network with the user's filters in their conv1 slots."""
    st.markdown("**Filter surgery** — put your designed filter into one of conv1's 16 slots.")
    bank = state.get_bank()
    k = state.get_focus(bank)
    n_slots = base.weights("conv1")[0].shape[0]
    if bank.kernel_size == (3, 3) and bank.channels == 3:
        pic, words = st.columns([1, 5], vertical_alignment="center")
        pic.image(swatch_picture(bank.weights[k], 60), width="content",
                  alt=filter_text(bank.weights[k], f"Your filter (the Lab's filter {k + 1})"))
        words.caption(f"Your filter (the Lab's filter {k + 1}: {md_escape(bank.names[k])}), bias "
                      f"{fmt(float(bank.bias[k]))}")
        slice_grids(bank.weights[k], "yours")
        st.selectbox("conv1 slot to replace", range(n_slots), key=SLOT,
                     format_func=lambda i: f"slot {i + 1} of {n_slots}")
        st.button("Put my filter in", key="cnn_put", icon=":material/input:", on_click=_put)
    else:
        kh, kw = bank.kernel_size
        st.info(f"Your Lab filter is {kh} × {kw} × {bank.channels}; conv1's filters are 3 × 3 × 3. Design a "
                "3 × 3 filter in the Volume Lab to try surgery.")
    surgery = st.session_state.get(SURGERY, {})
    st.button("Undo surgery", key="cnn_undo", icon=":material/undo:", on_click=_undo, disabled=not surgery)
    net = base
    for slot, (kernel, bias) in sorted(surgery.items()):
        net = net.with_conv1_filter(slot, kernel, bias)
    if surgery:
        st.caption("Your filter now sits in conv1 slot " + ", ".join(str(s + 1) for s in sorted(surgery))
                   + ". The maps, the CAM and the prediction below use the edited network.")
    return net


def _what_it_sees(image: state.LabImage, x: np.ndarray, x64: np.ndarray) -> None:
    h, w = image.shape[:2]
    left, right = st.columns(2, gap="large")
    left.image(image_picture(x), width="stretch",
               caption=f"{md_escape(image.label)} · {h} × {w} (as the network gets it: channels switched "
                       "off are 0)", alt=image_text(x, "The photo as the network gets it"))
    big = cv2.resize(to_uint8(x64), (384, 384), interpolation=cv2.INTER_NEAREST)
    right.image(big, width="stretch", caption="What the network classifies: the photo squashed to 64 × 64 "
                "(INTER_AREA, the rule used in training), shown enlarged.",
                alt=image_text(x64, "The 64 × 64 input the network classifies, shown enlarged"))


def _prediction(net: TinyVGG, outputs: list[tuple[str, np.ndarray]], baseline: np.ndarray | None) -> None:
    probs = outputs[-1][1].reshape(-1)  # (classes,): the softmax of this run's single forward pass
    top = int(np.argmax(probs))
    line = f"The network says: **{md_escape(net.classes[top])}** ({100 * probs[top]:.1f} %)."
    if baseline is not None:
        before = int(np.argmax(baseline))
        line += (f" The original network on the full-colour photo said **{md_escape(net.classes[before])}** "
                 f"({100 * baseline[before]:.1f} %).")
    st.markdown(line)
    st.caption(f"It only knows these {len(net.classes)} classes: whatever the photo shows, the probabilities "
               "share 100 % between them. Try a photo of a church, a golf ball or a parachute.")
    st.plotly_chart(probabilities_figure(probs, net.classes, baseline, "original network, all channels"),
                    key="cnn_probs", config={"displaylogo": False}, alt=bars_text(net.classes, probs))
    if st.toggle("Show the softmax arithmetic", key=SOFTMAX):
        logits = dict(outputs)["dense"].reshape(-1)
        softmax_panel(logits, net.classes)


def _maps_input(x: np.ndarray, x64: np.ndarray) -> np.ndarray:
    st.session_state.setdefault(SIZE, MAP_SIDES[0])
    side = st.segmented_control("Compute the maps on", MAP_SIDES, key=SIZE, required=True,
                                format_func=lambda s: "the 64 × 64 input" if s == 64 else
                                f"the photo at {s} px",
                                help="The conv layers run at any size; the prediction always uses 64 × 64.")
    if side not in MAP_SIDES or side == 64:
        return x64
    h, w = x.shape[:2]
    f = side / max(h, w)
    size = (max(8, round(w * f)), max(8, round(h * f)))
    return cv2.resize(np.ascontiguousarray(x), size, interpolation=cv2.INTER_AREA)  # (h', w', 3)


def _maps(net: TinyVGG, x: np.ndarray, x64: np.ndarray, outputs: list[tuple[str, np.ndarray]]) -> None:
    """Every layer's maps: pick a layer, see all its channels, click one to enlarge it.

    `outputs` is ``net.forward(x64)``, reused when the maps are computed on the 64 x 64 input.
    """
    source = _maps_input(x, x64)
    spatial = [layer.name for layer in net.layers if len(layer.output_shape) == 3]  # conv, relu, pool
    if st.session_state.get(LAYER) not in spatial:
        st.session_state[LAYER] = spatial[0]
    layer = st.select_slider("Layer", spatial, key=LAYER)
    activations = dict(outputs if source is x64 else net.forward(source))
    layer_maps_panel(layer, activations[layer])


def page() -> None:
    """Inside a CNN."""
    state.init_state()
    st.title("Inside a CNN")
    try:
        base = pretrained()
    except ModelFileError as exc:
        st.error(f"The pretrained network cannot be loaded. {md_escape(str(exc))}", icon="🚫")
        return
    image = _photo()
    st.html(COMPACT_CSS)
    # The photo, what the network sees and what it says come first; the experiments below them change what
    # these two sections show, so they are drawn into these places once the experiments have been read.
    seen, said = st.container(), st.container()
    st.header("Experiments")
    left, right = st.columns([2, 3], gap="large")
    with left:
        keep = _ablation()
    with right:
        try:
            net = _surgery(base)
        except ConvvizValueError as exc:
            st.error(f"That filter cannot go into conv1: {md_escape(str(exc))}")
            net = base
    x = image.array * keep  # (H, W, 3): switched-off channels are zero
    x64 = net.resize_input(x)  # (64, 64, 3)
    outputs = net.forward(x64)  # the one forward pass on the 64 x 64 input: prediction, softmax, CAM, maps
    changed = net is not base or not keep.all()
    baseline = base.predict(image.array) if changed else None
    with seen:
        st.header("What the network sees")
        _what_it_sees(image, x, x64)
    with said:
        st.header("What it says")
        trust.uncertainty_flag(net, x)
        _prediction(net, outputs, baseline)
    st.header("The network")
    _intro(base)
    st.header("Where it looks: the class activation map")
    cam = cam_panel(net, x, outputs)
    st.header("Can you trust the heatmap?")
    trust.occlusion_panel(net, x, cam)
    st.header("Teach it your own classes")
    own_classes_panel(base, image)
    st.header("Every layer's maps")
    _maps(net, x, x64, outputs)
    receptive_panel(net, x, x64, outputs)
    st.header("conv1's learned filters")
    st.caption("The first layer's 16 filters, each 3 × 3 × 3 over R, G and B like the ones you design. Open "
               "one in the designer to run all 16 over your photo in the Volume Lab.")
    weights, bias = net.weights("conv1")
    opened = conv1_panel(weights, bias, net.replaced)
    if opened is not None:
        open_in_designer(weights, bias, net.replaced, opened)
        nav.switch_to("lab")
