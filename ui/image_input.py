"""The image input panel: upload a photo, take one with the camera, or pick a built-in sample.

:func:`image_input_panel` draws the widgets, decodes the chosen file through :func:`convviz.load_image_info`
(cached by the sha256 of its bytes and the preview size), stores the result as the current
:class:`ui.state.LabImage` (``st.session_state[state.IMAGE]``) and returns it. Other pages call the same
function to share the image. A file intake refuses is reported with its sentence in an ``st.error`` and the
sample is used instead, so the page always has an image.
"""

from __future__ import annotations

import hashlib
import logging

import cv2
import numpy as np
import streamlit as st

from convviz import list_samples, load_sample
from convviz.image.intake import ImageError, ImageInfo, load_image_info
from ui import state

SOURCE = "cv_source"  # radio: where the image comes from
UPLOAD = "cv_upload"  # file_uploader
CAMERA = "cv_camera"  # camera_input
SAMPLE = "cv_sample"  # selectbox over the image samples
SOURCES = ("Sample", "Upload", "Camera")
#: Extensions offered by the file picker. The content decides what a file is (intake sniffs it); HEIC and
#: TIFF are listed so that their files reach intake and get its specific sentence, not a generic refusal.
UPLOAD_TYPES = ("jpg", "jpeg", "png", "webp", "gif", "bmp", "tif", "tiff", "heic", "heif")

_log = logging.getLogger(__name__)


def _decode(data: bytes, max_side: int) -> tuple[np.ndarray, ImageInfo]:
    """Decode upload bytes at `max_side` (not cached across sessions; see :func:`_file_image`)."""
    return load_image_info(data, max_side=max_side)


def _preview_of(array: np.ndarray, max_side: int) -> np.ndarray:
    """Samples are small; a sample larger than the preview is reduced like an upload would be."""
    h, w = array.shape[:2]
    if max(h, w) <= max_side:
        return array
    f = max_side / max(h, w)
    return cv2.resize(array, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)


def sample_image(name: str, max_side: int) -> state.LabImage:
    """The built-in sample `name` as a :class:`~ui.state.LabImage` (falls back to the first sample)."""
    names = list_samples("image")
    sample = load_sample(name if name in names else names[0])
    preview = _preview_of(sample.array, max_side)
    return state.LabImage(preview, f"sample:{sample.name}:{max_side}", f"sample: {sample.title}",
                          (sample.description,), None, sample.array, sample.array.shape[:2])


def _file_image(data: bytes, label: str, max_side: int) -> state.LabImage:
    """Decode uploaded bytes into a :class:`~ui.state.LabImage`; raises ImageError for a bad file."""
    digest = hashlib.sha256(data).hexdigest()
    current = state.get_image()
    if current is not None and current.digest == f"{digest}:{max_side}" and current.label == label:
        # The session's own image: reused, not decoded again. There is no process-wide cache of decoded
        # arrays (one was 9.4 MB per 1 MP photo at the default preview, kept for an hour after the student
        # left; docs/benchmarks.md, "A class on one server").
        return current
    array, info = _decode(data, max_side)
    array.setflags(write=False)
    notes = (f"{info.format} file, {info.original_width} × {info.original_height} pixels.", *info.notes)
    return state.LabImage(array, f"{digest}:{max_side}", label, notes, data, None,
                          (info.original_height, info.original_width))


def _pick_file(source: str):
    """Draw the widget for `source`; return the chosen UploadedFile or None."""
    if source == "Upload":
        return st.file_uploader(
            "Your photo (JPEG, PNG, WebP, GIF or BMP)", type=list(UPLOAD_TYPES), key=UPLOAD,
            help="The file stays in this session's memory; it is never saved. Large photos are reduced to "
                 "the preview size for live computing.",
        )
    if source == "Camera":
        return st.camera_input("Take a photo", key=CAMERA)
    return None


def image_input_panel() -> state.LabImage:
    """Draw the input widgets; store and return the current image (``(H, W, 3)`` float32 in [0, 1]).

    Returns
    -------
    ui.state.LabImage
        The decoded image at preview resolution, or the chosen sample when no usable file is given.
    """
    names = list_samples("image")
    st.session_state.setdefault(SOURCE, SOURCES[0])
    if st.session_state.get(SAMPLE) not in names:
        st.session_state[SAMPLE] = names[0]
    left, middle, right = st.columns([1, 3, 1.4])
    source = left.radio("Image source", SOURCES, key=SOURCE)
    right.select_slider(
        "Compute on a preview: longest side (pixels)", options=state.PREVIEW_SIDES, key=state.PREVIEW_SIDE,
        help="Everything is computed on the photo reduced to this size, so edits stay live. "
             "Downloads can use the full resolution.",
    )
    max_side = state.read_settings().preview_side  # validated, whatever the widget sent
    with middle:
        uploaded = _pick_file(source)
        if source == "Sample" or uploaded is None:
            st.selectbox("Sample image", names, key=SAMPLE,
                                format_func=lambda n: load_sample(n).title)
            if source != "Sample":
                st.caption("No photo yet: showing the sample. " + (
                    "Drop a photo above." if source == "Upload" else "Take a photo above."))
    image = None
    if uploaded is not None:
        label = f"upload: {uploaded.name}" if source == "Upload" else "camera photo"
        try:
            image = _file_image(uploaded.getvalue(), label, max_side)
        except ImageError as exc:
            st.error(f"{exc} Showing the sample image instead.", icon=":material/block:")
        except Exception:  # noqa: BLE001 - intake promises ImageError only; never show a traceback anyway
            _log.exception("unexpected error while reading an upload")
            st.error("This file could not be read as an image. Try saving it again as JPEG or PNG. "
                     "Showing the sample image instead.", icon=":material/block:")
    if image is None:
        image = sample_image(st.session_state[SAMPLE], max_side)
    state.set_image(image)
    return image
