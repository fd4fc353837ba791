"""Downloads of the Lab: the output volume (.npy, preview or full resolution), a map (PNG), the bank (JSON).

Download data is produced only when the button is clicked (Streamlit runs the callable then, on another
thread), so an edit never pays for encoding a download. Full resolution is offered only when the result fits
:data:`EXPORT_MAX_ELEMENTS`.

Memory budget of a full-resolution download (docs/benchmarks.md, "A class on one server"): the volume is
computed once, ReLU is applied in place, and the ``.npy`` file is written band by band to an unlinked
temporary file that Streamlit reads into the one ``bytes`` object it serves; so the peak is about the full
image plus the volume plus the served bytes' worth, and nothing stays in this module after the click
(Streamlit drops the served bytes at its next clean-up, which ``ui.server.housekeeping`` runs). A second
click while a file is being made for the same tab is refused with a sentence, and every full-resolution
export takes one of the process's heavy-work slots (``ui.server.busy``). The callables hold the pipeline
and the image only weakly, so a closed tab's arrays are not kept alive by its buttons.
"""

from __future__ import annotations

import io
import os
import tempfile
import threading
import weakref

import numpy as np
import streamlit as st

from convviz import conv2d
from convviz.errors import ConvvizValueError
from convviz.filterbank.bank import FilterBank
from convviz.filterbank.jsonfile import bank_to_json
from convviz.image.intake import load_image
from convviz.ops.shapes import conv_geometry
from ui import server, state
from ui.draw.pictures import colorize, encode_png
from ui.lab.context import LabContext, page_scales
from ui.lab.pipeline import post_process

FULL_RES = "cv_export_full"  # checkbox: download the volume at full resolution
EXPORT_MAX_ELEMENTS = 96_000_000  # 384 MB of float32: a 12 MP photo (4000 x 3000) with 8 filters, no more
_BAND_ROWS = 64  # output rows written to the file at a time (64 x 4000 x 8 float32: 8 MB)
_running: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # pipeline -> lock of its export


class ExportRefused(RuntimeError):
    """A full-resolution file is already being made for this tab; the message says so."""


def npy_bytes(volume: np.ndarray) -> bytes:
    """``volume`` ``(H, W, K)`` float32 as ``.npy`` bytes (no pickle inside)."""
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(volume, dtype=np.float32), allow_pickle=False)
    return buf.getvalue()


def npy_file(volume: np.ndarray) -> io.BufferedReader:
    """``volume`` ``(H, W, K)`` float32 as ``.npy``, in an unlinked temporary file opened for reading.

    Written band by band, so no second copy of the volume is made in memory (the reader's ``read()`` makes
    the one ``bytes`` object that is served).
    """
    fd, path = tempfile.mkstemp(suffix=".npy", prefix="convviz-")
    try:
        with os.fdopen(fd, "wb") as f:
            header = {"descr": np.lib.format.dtype_to_descr(np.dtype(np.float32)), "fortran_order": False,
                      "shape": volume.shape}
            np.lib.format.write_array_header_1_0(f, header)
            for r in range(0, volume.shape[0], _BAND_ROWS):
                f.write(np.ascontiguousarray(volume[r:r + _BAND_ROWS], dtype=np.float32).data)
        reader = open(path, "rb")  # noqa: SIM115 - handed to Streamlit, which reads it; closed when freed
    finally:
        os.unlink(path)  # the open reader keeps the data until it is read and freed
    return reader


def full_volume(image: state.LabImage, bank: FilterBank, settings: state.LabSettings) -> io.BufferedReader:
    """The full-resolution output volume ``(H', W', K)`` as ``.npy`` (see the module docstring)."""
    full = full_resolution(image)
    out = conv2d(full, bank.weights, bank.bias, **settings.conv_kwargs())  # (H', W', K)
    del full
    if settings.relu and settings.pool == "none":
        np.maximum(out, np.float32(0), out=out)  # in place: no second volume
    else:
        out = post_process(out, settings)
    return npy_file(out)


def _alive(ref: weakref.ref):
    """The object behind a weak reference held by a download callable (refused once the tab has gone)."""
    obj = ref()
    if obj is None:
        raise ExportRefused("This tab has closed; open the Lab again.")
    return obj


def volume_download(pipe_ref: weakref.ref, image_ref: weakref.ref):
    """The callable of the full-resolution button: one export per tab at a time, in a heavy-work slot."""
    def data() -> io.BufferedReader:
        pipe, image = _alive(pipe_ref), _alive(image_ref)
        lock = _running.setdefault(pipe, threading.Lock())
        if not lock.acquire(blocking=False):
            raise ExportRefused("A full-resolution file is already being made for this tab: wait for it.")
        try:
            with pipe.lock:
                bank, settings = pipe.bank, pipe.settings
            with server.heavy_work():
                return full_volume(image, bank, settings)
        finally:
            lock.release()
    return data


def full_resolution(image: state.LabImage) -> np.ndarray:
    """The image at full resolution ``(H, W, 3)`` (decoded again from the upload, or the sample)."""
    if image.full is not None:
        return image.full
    return load_image(image.source, max_side=None)


def full_size_elements(image: state.LabImage, bank: FilterBank, settings: state.LabSettings) -> int | None:
    """Elements of the conv output at full resolution, or None when that size cannot be computed."""
    h, w = image.full_hw
    try:
        g = conv_geometry(h, w, bank.kernel_size, **settings.conv_kwargs())
    except ConvvizValueError:
        return None
    return g.out_h * g.out_w * bank.n_filters


def export_panel(ctx: LabContext) -> None:
    """Three download buttons (volume, focused map, bank) and the full-resolution option.

    The buttons' data is made when clicked, from the pipeline's *current* bank and settings, so a weight
    edit (which reruns only the result panels) never leaves a download behind.
    """
    image, k, pipe_ref = ctx.image, ctx.focus, weakref.ref(ctx.pipe)
    st.markdown("### Downloads")
    if ctx.problem is not None:
        st.info("Downloads appear once the settings work.")
        return
    h, w = ctx.post.shape
    cols = st.columns(3, gap="medium")
    with cols[0]:
        elements = full_size_elements(image, ctx.bank, ctx.settings)
        fits = elements is not None and elements <= EXPORT_MAX_ELEMENTS
        fh, fw = image.full_hw
        full = st.checkbox(f"Full resolution ({fh} × {fw} input)", key=FULL_RES, disabled=not fits,
                           help=None if fits else "Too big to compute on this server: at most "
                           f"{EXPORT_MAX_ELEMENTS:,} output values; the preview download is available.")
        if full and fits:
            volume_data = volume_download(pipe_ref, weakref.ref(image))
            label = "Output volume, full resolution (.npy)"
        else:
            def volume_data() -> bytes:
                pipe = _alive(pipe_ref)
                with pipe.lock:
                    return npy_bytes(np.stack(pipe.post(pipe.settings), axis=-1))  # (H', W', K)
            label = f"Output volume {h} × {w} × {len(ctx.post)} (.npy)"
        st.download_button(label, volume_data, file_name="output_volume.npy", mime="application/octet-stream",
                           on_click="ignore", key="cv_dl_volume", icon=":material/download:")
        st.caption("Load with `numpy.load(path)`: shape (H, W, K), float32.")
    with cols[1]:
        def map_data() -> bytes:
            pipe = _alive(pipe_ref)
            with pipe.lock:
                m = pipe.post(pipe.settings)[k]
                scale = page_scales(pipe, pipe.settings).of(pipe.post_stats(pipe.settings)[k])
            return encode_png(colorize(m, scale))
        st.download_button(f"Map {k + 1} as PNG", map_data, file_name=f"map_{k + 1}.png", mime="image/png",
                           on_click="ignore", key="cv_dl_map", icon=":material/image:")
        st.caption("Colours as on the page, one pixel per map value.")
    with cols[2]:
        def bank_data() -> str:
            pipe = _alive(pipe_ref)
            with pipe.lock:
                return bank_to_json(pipe.bank)
        st.download_button("Filter bank (JSON)", bank_data, file_name="filter_bank.json",
                           mime="application/json", on_click="ignore", key="cv_dl_bank",
                           icon=":material/tune:")
        st.caption("The preset file format: import it in the filter designer.")
