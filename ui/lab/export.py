"""Downloads of the Lab: the output volume (.npy, preview or full resolution), a map (PNG), the bank (JSON).

Download data is produced only when the button is clicked (Streamlit runs the callable then, on another
thread), so an edit never pays for encoding a download.

Full resolution (offered only when the result fits :data:`EXPORT_MAX_ELEMENTS`) is a file built once per
image, bank and settings (:func:`export_key`), then downloaded as often as wanted:

- "Make the full-resolution file" starts a :class:`ui.server.Build` on a worker thread holding one of the
  process's heavy-work slots. It decodes the full photo once and computes the volume *filter by filter*
  (conv2d with the bank sliced to one filter, then the page's ReLU/pooling: :func:`filter_map`), writing
  each map into a ``.npy`` on disk and closing it (:func:`ui.server.write_channels`), so the build holds
  about the full image plus one filter's map. The page follows it with a progress bar ("Filter 3 of 8…");
  a rerun (an edit) does not stop the build and the page picks the bar up again. A second click while it
  runs is refused with a sentence; with every slot busy the bar says so, and gives up with a sentence.
- Built, the page says it is ready for these filters and settings and shows the download button, whose
  callable opens the file (Streamlit reads it into the one ``bytes`` object it serves).
- Another image, bank or settings makes the file stale: "Make" is offered again, and the old file is
  deleted when the new one is started. Files also go when the tab's state is freed, after
  ``ui.EXPIRY_S`` without a download, and a process-wide disk budget refuses new ones
  (:mod:`ui.server.exports`).

The volume column is a keyed fragment registered as a live fragment, so a weight edit reruns it and a file
never shows as ready for filters it was not built from. The callables hold the pipeline, the image and the
built file only weakly, so a closed tab's arrays and files are not kept alive by its buttons. Measured in
docs/benchmarks.md ("Full-resolution download").
"""

from __future__ import annotations

import hashlib
import io
import time
import weakref

import numpy as np
import streamlit as st

from convviz import conv2d
from convviz.errors import ConvvizValueError
from convviz.filterbank.bank import FilterBank
from convviz.filterbank.jsonfile import bank_to_json
from convviz.image.intake import load_image
from convviz.numbers import fmt
from convviz.ops.shapes import conv_geometry, output_size
from ui import server, state
from ui.draw.greys import grey_values
from ui.draw.pictures import colorize, encode_png
from ui.lab import live
from ui.lab.context import LabContext, lab_context, page_scales
from ui.lab.pipeline import post_process
from ui.server.exports import EXPIRY_S

FULL_RES = "cv_export_full"  # checkbox: download the volume at full resolution
BUILD = "cv_export_build"  # ui.server.Build: this tab's latest full-resolution file (building or built)
MAKE = "cv_export_make"  # button: make the full-resolution file
FRAG_VOLUME = "cv_export_volume"  # keyed live fragment: the volume download column
EXPORT_MAX_ELEMENTS = 96_000_000  # 384 MB of float32: a 12 MP photo (4000 x 3000) with 8 filters, no more
REFUSED = ("A full-resolution file is already being made for this tab: wait for it (the bar shows how far it "
           "is).")
_POLL_S = 0.25  # how often the page looks at a build's progress (each look lets an edit interrupt the wait)


class ExportRefused(RuntimeError):
    """The file of a download button is gone or the tab has closed; the message says so."""


def npy_bytes(volume: np.ndarray) -> bytes:
    """``volume`` ``(H, W, K)`` float32 as ``.npy`` bytes (no pickle inside)."""
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(volume, dtype=np.float32), allow_pickle=False)
    return buf.getvalue()


def export_key(image: state.LabImage, bank: FilterBank, settings: state.LabSettings) -> str:
    """What a full-resolution file is built from: the image, the bank (weights, bias, names), the settings
    that change the output (stride, padding, dilation, ReLU, pooling). A sha256 in hex."""
    h = hashlib.sha256()
    for part in (image.digest, repr(image.full_hw), repr(settings.core), repr(bank.weights.shape),
                 repr(tuple(bank.names))):
        h.update(part.encode("utf-8") + b"\0")
    h.update(np.ascontiguousarray(bank.weights, np.float32).tobytes())
    h.update(np.ascontiguousarray(bank.bias, np.float32).tobytes())
    return h.hexdigest()


def full_shape(image: state.LabImage, bank: FilterBank, settings: state.LabSettings) -> tuple[int, int, int]:
    """``(H', W', K)`` of the full-resolution volume after ReLU/pooling (raises ConvvizValueError)."""
    g = conv_geometry(*image.full_hw, bank.kernel_size, **settings.conv_kwargs())
    h, w = g.out_h, g.out_w
    if settings.pool != "none":
        h, w = (output_size(n, settings.pool_size, stride=settings.pool_stride) for n in (h, w))
    return h, w, bank.n_filters


def filter_map(full: np.ndarray, bank: FilterBank, k: int, settings: state.LabSettings) -> np.ndarray:
    """Filter `k`'s full-resolution map ``(H', W')``: conv2d of ``full`` ``(H, W, 3)`` with the bank sliced
    to that filter, then the page's ReLU/pooling (both act on each filter alone)."""
    out = conv2d(full, bank.weights[k:k + 1], bank.bias[k:k + 1], **settings.conv_kwargs())  # (H', W', 1)
    if settings.relu and settings.pool == "none":
        np.maximum(out, np.float32(0), out=out)  # in place: no second map
    else:
        out = post_process(out, settings)
    return out[..., 0]


def start_build(image: state.LabImage, bank: FilterBank, settings: state.LabSettings, *,
                wait_s: float | None = None) -> server.Build:
    """Reserve a file for these inputs and start building it (raises ``server.NoRoom``)."""
    shape = full_shape(image, bank, settings)
    file = server.reserve(export_key(image, bank, settings), 128 + 4 * shape[0] * shape[1] * shape[2])

    def work(file: server.ExportFile, step) -> None:
        full = full_resolution(image)  # (H, W, 3), decoded once for all filters
        server.write_channels(file, shape, lambda k: filter_map(full, bank, k, settings), step)

    return server.Build(file, bank.n_filters, work, wait_s=wait_s)


def _alive(ref: weakref.ref):
    """The object behind a weak reference held by a download callable (refused once the tab has gone)."""
    obj = ref()
    if obj is None:
        raise ExportRefused("This tab has closed; open the Lab again.")
    return obj


def file_download(file_ref: weakref.ref):
    """The callable of the full-resolution button: the built file, opened for Streamlit to read."""
    def data() -> io.BufferedReader:
        file = file_ref()
        if file is None or not file.exists:
            raise ExportRefused("This file was deleted (it expired or the filters changed): make it again.")
        return file.open()
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


def _what(shape: tuple[int, int, int]) -> str:
    """``"3000 × 4000 × 8, 366 MB"``: the file's shape and size."""
    mb = 4 * shape[0] * shape[1] * shape[2] / 2**20
    return f"{shape[0]} × {shape[1]} × {shape[2]}, {fmt(max(1, round(mb)))} MB"


def _progress_text(build: server.Build) -> str:
    if build.state == "waiting":
        return server.BUSY_MESSAGE
    if build.state == "starting":
        return "Starting…"
    if build.state == "running":
        seconds = round(time.monotonic() - build.started)
        return f"Filter {min(build.done + 1, build.steps)} of {build.steps}… ({seconds} s)"
    if build.state == "done":
        took = f"{fmt(round(build.seconds, 1))} s" if build.seconds >= 0.1 else "under 0.1 s"  # never "0 s"
        return f"All {build.steps} filters done in {took}."
    return "Stopped."


def follow(build: server.Build) -> None:
    """A progress bar that follows `build` until it ends (each look is a point where an edit can rerun the
    page; the build itself carries on, and the next run picks the bar up again)."""
    bar = st.progress(build.done / build.steps, text=_progress_text(build))
    while build.running:
        build.wait(_POLL_S)
        bar.progress(build.done / build.steps, text=_progress_text(build))


def _said(build: server.Build | None, key: str) -> None:
    """Why the file is not ready: made for other inputs, failed, or expired (nothing for a first file)."""
    if build is None:
        return
    if build.key != key:
        st.info("The file made earlier was for other filters, settings or photo: make it again for these.",
                icon=":material/update:")
    elif build.state == "failed":
        st.error(build.message, icon=":material/error:")
    else:
        st.info(f"The file made earlier was deleted after {fmt(round(EXPIRY_S / 60))} minutes without a "
                "download: make it again.", icon=":material/update:")


def _ready(build: server.Build, what: str) -> None:
    st.success(f"Ready: {what}, made for these filters and settings.", icon=":material/check_circle:")
    st.download_button("Output volume, full resolution (.npy)", file_download(weakref.ref(build.file)),
                       file_name="output_volume.npy", mime="application/octet-stream", on_click="ignore",
                       key="cv_dl_volume", icon=":material/download:")


def full_panel(image: state.LabImage, bank: FilterBank, settings: state.LabSettings) -> None:
    """Make the full-resolution file (with a progress bar), or say it is ready and offer its download."""
    shape = full_shape(image, bank, settings)
    key, what = export_key(image, bank, settings), _what(shape)
    build, refused = st.session_state.get(BUILD), False
    if build is not None and build.running:  # started by an earlier run of this tab: follow it again
        refused = bool(st.session_state.get(MAKE))  # a click on the button drawn before this build began
        if refused:
            st.warning(REFUSED, icon=":material/hourglass_top:")
        if build.key != key:
            st.caption("Being made for the filters and settings as they were when you clicked.")
        follow(build)
    if build is not None and build.ready and build.key == key:
        _ready(build, what)
        return
    _said(build, key)
    slot = st.empty()  # the button stays while its build runs (a click is refused), and goes once it is made
    if not slot.button(f"Make the full-resolution file ({what})", key=MAKE, type="primary",
                       icon=":material/build:") or refused:
        st.caption("Made once for these filters and settings, then downloaded as often as you like.")
        return
    if build is not None:
        build.file.delete()  # replaced: the old file goes now, not at its expiry
        del st.session_state[BUILD]
    try:
        build = st.session_state[BUILD] = start_build(image, bank, settings)
    except server.NoRoom as exc:
        st.error(str(exc), icon=":material/storage:")
        return
    follow(build)
    if build.ready:
        slot.empty()
        _ready(build, what)
    else:
        st.error(build.message, icon=":material/error:")


@st.fragment(key=FRAG_VOLUME)
def volume_fragment() -> None:
    """The volume download: preview, or the full-resolution file (a live fragment: weight edits rerun it)."""
    live.register_live_fragment(FRAG_VOLUME)
    ctx = lab_context(maps=False)
    if ctx.problem is not None:
        st.info("Downloads appear once the settings work.")
        return
    image, bank, settings, pipe_ref = ctx.image, ctx.bank, ctx.settings, weakref.ref(ctx.pipe)
    elements = full_size_elements(image, bank, settings)
    fits = elements is not None and elements <= EXPORT_MAX_ELEMENTS
    fh, fw = image.full_hw
    full = st.checkbox(f"Full resolution ({fh} × {fw} input)", key=FULL_RES, disabled=not fits,
                       help=None if fits else "Too big to compute on this server: at most "
                       f"{EXPORT_MAX_ELEMENTS:,} output values; the preview download is available.")
    if full and fits:
        try:
            full_panel(image, bank, settings)
        except ConvvizValueError as exc:  # e.g. a pool window larger than the full-resolution map
            st.error(str(exc), icon=":material/error:")
    else:
        def volume_data() -> bytes:
            pipe = _alive(pipe_ref)
            with pipe.lock:
                return npy_bytes(np.stack(pipe.post(pipe.settings), axis=-1))  # (H', W', K)
        h, w = ctx.post.shape
        st.download_button(f"Output volume {h} × {w} × {len(ctx.post)} (.npy)", volume_data,
                           file_name="output_volume.npy", mime="application/octet-stream", on_click="ignore",
                           key="cv_dl_volume", icon=":material/download:")
    st.caption("Load with `numpy.load(path)`: shape (H, W, K), float32.")


def map_png(pipe, k: int) -> bytes:
    """Output map `k` ``(H', W')`` as PNG, one pixel per value, in the colours the page last drew it with.

    The results fragment records each output map's scale and view (bulk or exact scale, shared or per map,
    ramp or grey) in ``pipe.shown``; a map not drawn yet gets the exact-max ramp of its own values.
    """
    with pipe.lock:
        m = pipe.post(pipe.settings)[k]
        scale, grey_view = pipe.shown.get(k) or (page_scales(pipe, pipe.settings).of(
            pipe.post_stats(pipe.settings)[k]), False)
    return encode_png(grey_values(m, scale) if grey_view else colorize(m, scale))


def export_panel(ctx: LabContext) -> None:
    """Three downloads (volume, focused map, bank); the volume's column is :func:`volume_fragment`.

    The buttons' data is made when clicked, from the pipeline's *current* bank and settings, so a weight
    edit (which reruns only the result panels) never leaves a download behind.
    """
    k, pipe_ref = ctx.focus, weakref.ref(ctx.pipe)
    st.markdown("### Downloads")
    if ctx.problem is not None:
        st.info("Downloads appear once the settings work.")
        return
    cols = st.columns(3, gap="medium")
    with cols[0]:
        volume_fragment()
    with cols[1]:
        def map_data() -> bytes:
            return map_png(_alive(pipe_ref), k)
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
