"""The image input panel: upload a photo, take one with the camera, or pick a built-in sample.

:func:`image_input_panel` draws the widgets, decodes the chosen file through :func:`convviz.load_image_info`
(cached by the sha256 of its bytes and the preview size), stores the result as the current
:class:`ui.state.LabImage` (``st.session_state[state.IMAGE]``) and returns it. Other pages call the same
function to share the image. A file intake refuses is reported with its sentence in an ``st.error`` and the
previous photo (or the sample) is used instead, so the page always has an image.

The student's photo is the session's image (``state.PHOTO`` keeps its bytes) until they choose another: a
new file, a camera shot, or a sample picked with the sample box or the "Use the sample" button. Visiting
another page (where the upload widget is not drawn, so Streamlit forgets the file) or flipping the source
radio keeps it.
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
from ui.draw.pictures import md_escape
from ui.draw.scale import LONG_RATIO, WINDOW_RATIO

SOURCE = "cv_source"  # radio: where the image comes from
UPLOAD = "cv_upload"  # file_uploader
CAMERA = "cv_camera"  # camera_input
SAMPLE = "cv_sample"  # selectbox over the image samples
SOURCES = ("Sample", "Upload", "Camera")
USE_SAMPLE = "cv_use_sample"  # bool: the student chose a sample after having a photo
_SEEN = "cv_seen_file"  # sha256 of the file the upload/camera widget held last (a new one becomes the photo)
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


def _use_sample() -> None:
    st.session_state[USE_SAMPLE] = True


def _use_photo() -> None:
    st.session_state[USE_SAMPLE] = False


def _new_file(uploaded, source: str, max_side: int) -> state.LabImage | None:
    """A file the widget holds for the first time becomes the student's photo (None if unreadable)."""
    data = uploaded.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    if digest == st.session_state.get(_SEEN):
        return None
    st.session_state[_SEEN] = digest
    label = f"upload: {uploaded.name}" if source == "Upload" else "camera photo"
    kept = "Keeping your previous photo." if st.session_state.get(state.PHOTO) else \
        "Showing the sample image instead."
    try:
        image = _file_image(data, label, max_side)
    except ImageError as exc:
        st.error(f"{md_escape(exc)} {kept}", icon=":material/block:")
        return None
    except Exception:  # noqa: BLE001 - intake promises ImageError only; never show a traceback anyway
        _log.exception("unexpected error while reading an upload")
        st.error(f"This file could not be read as an image. Try saving it again as JPEG or PNG. {kept}",
                 icon=":material/block:")
        return None
    st.session_state[state.PHOTO] = (data, label)
    st.session_state[USE_SAMPLE] = False
    return image


def _photo(max_side: int) -> state.LabImage | None:
    """The student's kept photo at the current preview size (decoding is cached), or None."""
    kept = st.session_state.get(state.PHOTO)
    if not kept or st.session_state.get(USE_SAMPLE):
        return None
    try:
        return _file_image(kept[0], kept[1], max_side)
    except ImageError:  # it was read once; a failure now would be a server problem: fall back quietly
        return None


def _shape_note(image: state.LabImage) -> None:
    h, w = image.shape[:2]
    if max(h, w) > LONG_RATIO * min(h, w):
        long = "wider than tall" if w > h else "taller than wide"
        st.caption(f"This picture is {max(h, w) / min(h, w):.1f} times {long}. The Lab shows its maps "
                   f"through a window {WINDOW_RATIO:g} times as long as wide (slide it under the "
                   "settings); the CNN page squashes it to the network's 64 × 64 square.")


def image_input_panel() -> state.LabImage:
    """Draw the input widgets; store and return the current image (``(H, W, 3)`` float32 in [0, 1]).

    Returns
    -------
    ui.state.LabImage
        The student's photo at preview resolution (kept across pages and source switches until they choose
        another), or the chosen sample.
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
        image = _new_file(uploaded, source, max_side) if uploaded is not None else None
        if image is None:
            image = _photo(max_side)
        kept = st.session_state.get(state.PHOTO)
        if image is not None:
            if source == "Sample" or uploaded is None:
                st.caption(f"Your photo ({md_escape(kept[1])}) is the image on every page until you choose "
                           "another: a new file, a camera shot or a sample.")
                st.button("Use the sample instead", key="cv_use_sample_btn", on_click=_use_sample,
                          icon=":material/image:")
        else:
            st.selectbox("Sample image", names, key=SAMPLE, on_change=_use_sample,
                         format_func=lambda n: load_sample(n).title)
            if kept:
                st.button(f"Back to my photo ({kept[1]})", key="cv_use_photo_btn", on_click=_use_photo,
                          icon=":material/photo:")
            elif source != "Sample":
                st.caption("No photo yet: showing the sample. " + (
                    "Drop a photo above." if source == "Upload" else "Take a photo above."))
    if image is None:
        image = sample_image(st.session_state[SAMPLE], max_side)
    state.set_image(image)
    _shape_note(image)
    return image
