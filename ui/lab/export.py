"""Downloads of the Lab: the output volume (.npy, preview or full resolution), a map (PNG), the bank (JSON).

Download data is produced only when the button is clicked (Streamlit runs the callable then, on another
thread), so an edit never pays for encoding a download. Full resolution is offered only when the result fits
:data:`EXPORT_MAX_ELEMENTS`.
"""

from __future__ import annotations

import io

import numpy as np
import streamlit as st

from convviz import conv2d
from convviz.errors import ConvvizValueError
from convviz.filterbank.bank import FilterBank
from convviz.filterbank.jsonfile import bank_to_json
from convviz.image.intake import load_image
from convviz.ops.shapes import conv_geometry
from ui import state
from ui.draw.pictures import colorize, encode_png
from ui.lab.context import LabContext, page_scales
from ui.lab.pipeline import post_process

FULL_RES = "cv_export_full"  # checkbox: download the volume at full resolution
EXPORT_MAX_ELEMENTS = 100_000_000  # 400 MB of float32: a 12 MP photo with 8 filters fits


def npy_bytes(volume: np.ndarray) -> bytes:
    """``volume`` ``(H, W, K)`` float32 as ``.npy`` bytes (no pickle inside)."""
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(volume, dtype=np.float32), allow_pickle=False)
    return buf.getvalue()


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
    image, pipe, k = ctx.image, ctx.pipe, ctx.focus
    st.markdown("### Downloads")
    if ctx.problem is not None:
        st.info("Downloads appear once the settings work.")
        return
    h, w = ctx.post[0].shape
    cols = st.columns(3, gap="medium")
    with cols[0]:
        elements = full_size_elements(image, ctx.bank, ctx.settings)
        fits = elements is not None and elements <= EXPORT_MAX_ELEMENTS
        fh, fw = image.full_hw
        full = st.checkbox(f"Full resolution ({fh} × {fw} input)", key=FULL_RES, disabled=not fits,
                           help=None if fits else "Too big to compute on this server: at most "
                           f"{EXPORT_MAX_ELEMENTS:,} output values; the preview download is available.")
        if full and fits:
            def volume_data() -> bytes:
                with pipe.lock:
                    bank, settings = pipe.bank, pipe.settings
                out = conv2d(full_resolution(image), bank.weights, bank.bias, **settings.conv_kwargs())
                return npy_bytes(post_process(out, settings))
            label = "Output volume, full resolution (.npy)"
        else:
            def volume_data() -> bytes:
                with pipe.lock:
                    return npy_bytes(np.stack(pipe.post(pipe.settings), axis=-1))  # (H', W', K)
            label = f"Output volume {h} × {w} × {len(ctx.post)} (.npy)"
        st.download_button(label, volume_data, file_name="output_volume.npy", mime="application/octet-stream",
                           on_click="ignore", key="cv_dl_volume", icon=":material/download:")
        st.caption("Load with `numpy.load(path)`: shape (H, W, K), float32.")
    with cols[1]:
        def map_data() -> bytes:
            with pipe.lock:
                m = pipe.post(pipe.settings)[k]
                scale = page_scales(pipe, pipe.settings).of(pipe.post_stats(pipe.settings)[k])
            return encode_png(colorize(m, scale))
        st.download_button(f"Map {k + 1} as PNG", map_data, file_name=f"map_{k + 1}.png", mime="image/png",
                           on_click="ignore", key="cv_dl_map", icon=":material/image:")
        st.caption("Colours as on the page, one pixel per map value.")
    with cols[2]:
        def bank_data() -> str:
            with pipe.lock:
                return bank_to_json(pipe.bank)
        st.download_button("Filter bank (JSON)", bank_data, file_name="filter_bank.json",
                           mime="application/json", on_click="ignore", key="cv_dl_bank",
                           icon=":material/tune:")
        st.caption("The preset file format: import it in the filter designer.")
