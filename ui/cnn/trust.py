"""Can you trust the answer? The "not sure" flag, the squash of a non-square photo, and a second heatmap.

Every number comes from :func:`convviz.assess`, :func:`convviz.occlusion_map` and
:func:`convviz.model.occlusion.compare_maps`; this module lays them out and writes the sentences from them.
"""

from __future__ import annotations

import hashlib

import cv2
import numpy as np
import streamlit as st

from convviz import ConvvizValueError, assess, occlusion_map
from convviz.model.cam import ClassActivationMap
from convviz.model.files import ModelFileError
from convviz.model.occlusion import MapAgreement, OcclusionMap, compare_maps
from convviz.model.uncertainty import Assessment
from ui.cnn.views import cam_overlay
from ui.draw.describe import map_text
from ui.draw.pictures import md_escape, symmetric_scale

_OCCLUSION = "cnn_occlusion"  # (signature, OcclusionMap): the last map computed, reused while nothing changes
PATCH, STRIDE = 16, 8  # a quarter of the 64-pixel input, half-overlapping: 7 x 7 = 49 forward passes


def squash_sentence(height: int, width: int, side: int = 64) -> str | None:
    """What squashing an ``height x width`` photo to ``side x side`` does to its shapes (None if ~square)."""
    ratio = max(height, width) / min(height, width)
    if ratio < 1.05:
        return None
    if width > height:
        shape, effect = "wider than tall", "narrower"
    else:
        shape, effect = "taller than wide", "flatter (squashed from top to bottom)"
    return (f"This photo is {width} pixels wide and {height} tall, {ratio:.2f} times {shape}. The network "
            f"squashes it to {side} × {side}, so everything in it looks {ratio:.2f} times {effect} to the "
            "network than it is.")


def _reasons(verdict: Assessment, n_classes: int) -> list[str]:
    reasons = []
    if verdict.low_confidence:
        chance, c = 1 / n_classes, verdict.confidence_threshold
        reasons.append(f"its top probability, {100 * verdict.top_probability:.1f} %, is low: below "
                       f"{100 * (chance + c * (1 - chance)):.1f} %, {100 * c:.0f} % of the way from chance "
                       f"({100 * chance:.0f} % for {n_classes} classes) to certain")
    if verdict.unfamiliar:
        reasons.append(f"the photo's pooled features are far from the training photos of every class "
                       f"(distance {verdict.distance:.2f}; a typical training photo is about 1, and only 5 % "
                       f"of Imagenette's validation photos are beyond {verdict.distance_threshold:.2f})")
    return reasons


def uncertainty_flag(model, image: np.ndarray) -> Assessment | None:
    """Say "not sure" (with the reasons, from the numbers) or how sure it is; state the squash of the photo.

    Drawn before the probability bars. Returns the assessment (None when it cannot be made).
    """
    try:
        verdict = assess(model, image)
    except (ModelFileError, ConvvizValueError) as exc:
        st.caption(f"No uncertainty check for this network: {md_escape(str(exc))}")
        return None
    n = len(model.classes)
    if verdict.not_sure:
        st.warning("**Not sure — this may not be one of my classes.** The network still has to share 100 % "
                   "between the classes it knows, but " + " and ".join(_reasons(verdict, n)) + ".",
                   icon=":material/help:")
    else:
        st.caption(f"Sure enough: top probability {100 * verdict.top_probability:.1f} % (well above chance, "
                   f"{100 / n:.0f} %), and the photo's features are at distance {verdict.distance:.2f} from "
                   f"the training photos of “{md_escape(model.classes[verdict.nearest_index])}” (the flag "
                   f"starts at {verdict.distance_threshold:.2f}).")
    h, w = image.shape[:2]
    squash = squash_sentence(h, w, model.input_size)
    if squash:
        st.caption(squash)
    return verdict


def _where(peak: tuple[float, float]) -> str:
    rows, cols = ("top", "middle", "bottom"), ("left", "centre", "right")
    row, col = rows[min(2, int(peak[0] * 3))], cols[min(2, int(peak[1] * 3))]
    return "centre" if (row, col) == ("middle", "centre") else f"{row} {col}".replace("middle ", "")


def agreement_sentence(agreement: MapAgreement, occ: OcclusionMap) -> str:
    """One true sentence about where the two maps agree and differ, from their numbers."""
    r, iou = agreement.correlation, agreement.top_overlap
    top = f"{100 * agreement.top:.0f} %"
    if abs(float(occ.coarse.max(initial=0.0))) < 0.01 and abs(float(occ.coarse.min(initial=0.0))) < 0.01:
        return (f"No {occ.patch} × {occ.patch} patch changes the probability by even 1 point, so occlusion "
                "finds no single place the answer depends on; the CAM's map cannot be checked this way here.")
    if np.isnan(r):
        verdict = "cannot be correlated (one map is flat)"
    elif r >= 0.5 and iou >= 0.4:
        verdict = "agree"
    elif r >= 0.2 or iou >= 0.25:
        verdict = "partly agree"
    else:
        verdict = "disagree"
    peaks = (f"both peak at the {_where(agreement.first_peak)}"
             if _where(agreement.first_peak) == _where(agreement.second_peak) else
             f"the CAM peaks at the {_where(agreement.first_peak)} and occlusion at the "
             f"{_where(agreement.second_peak)}")
    corr = "" if np.isnan(r) else f"correlation {r:.2f}, "
    return (f"The two maps {verdict} ({corr}{100 * iou:.0f} % overlap of their strongest {top} of pixels): "
            f"{peaks}.")


def _signature(model, x64: np.ndarray, class_index: int) -> str:
    digest = hashlib.sha1(x64.tobytes())
    for layer in ("conv1", "dense"):
        for array in model.weights(layer):
            digest.update(array.tobytes())
    digest.update(str(class_index).encode())
    return digest.hexdigest()


def _occlusion(model, photo: np.ndarray, class_index: int) -> OcclusionMap:
    """:func:`occlusion_map` (49 forward passes), reused while the input, network and class stay the same."""
    signature = _signature(model, model.resize_input(photo), class_index)
    cached = st.session_state.get(_OCCLUSION)
    if cached is not None and cached[0] == signature and cached[1].upsampled.shape == photo.shape[:2]:
        return cached[1]
    occ = occlusion_map(model, photo, class_index, patch=PATCH, stride=STRIDE)
    st.session_state[_OCCLUSION] = (signature, occ)
    return occ


def occlusion_panel(model, photo: np.ndarray, cam: ClassActivationMap) -> None:
    """The CAM and the occlusion map of the same class side by side, and the sentence comparing them."""
    occ = _occlusion(model, photo, cam.class_index)
    side = occ.sensitivity.shape[0]
    cam64 = cv2.resize(np.ascontiguousarray(cam.coarse), (side, side), interpolation=cv2.INTER_LINEAR)
    agreement = compare_maps(cam64, occ.sensitivity)
    name = md_escape(cam.class_name)
    st.markdown(f"A second opinion that needs no weights: a grey {occ.patch} × {occ.patch} square slides "
                f"over the 64 × 64 input, {occ.stride} pixels at a time, and the network runs again each "
                f"time ({occ.coarse.size} forward passes). Where hiding the square lowers the probability of "
                f"“{name}” ({100 * occ.probability:.1f} % with nothing hidden), the photo held evidence for "
                "it.")
    left, right = st.columns(2, gap="large")
    left.image(cam_overlay(photo, cam.upsampled, symmetric_scale(cam.coarse)), width="stretch",
               alt=map_text(cam.upsampled, f"Class activation map of “{cam.class_name}” over the photo"),
               caption=f"Class activation map of “{name}” (read off the weights).")
    scale = max(symmetric_scale(occ.sensitivity), 1e-6)
    right.image(cam_overlay(photo, occ.upsampled, scale), width="stretch",
                alt=map_text(occ.upsampled, f"Occlusion sensitivity for “{cam.class_name}” over the photo",
                             scale=scale),
                caption=f"Occlusion: orange where hiding lowers “{name}”, purple where it raises it "
                        f"(±{100 * scale:.1f} points of probability).")
    st.markdown(agreement_sentence(agreement, occ))

