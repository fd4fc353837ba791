"""The Lab's result panel: one filter's channel maps and their sum, ReLU and pooling, the output volume.

:func:`results_fragment` is the keyed fragment ``state.FRAG_RESULTS``: a weight edit reruns it (and the pixel
explanation) alone. Every map is drawn on the diverging ramp of :mod:`ui.render` through the session's
:class:`~ui.lab_pipeline.Pipeline`, whose memo turns "this map of this filter at this scale" into JPEG bytes
once: after an edit only the pictures that really changed are encoded, and identical bytes keep their URL, so
the browser does not reload them. Each picture sits in a keyed container (``st-key-cv_map_*`` and
``st-key-cv_thumb_*`` in the page) so browser tests can find it. Text is kept to a few elements: each
Markdown element costs the browser a parse on every rerun.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from convviz.filterbank import FilterBank
from ui import state
from ui.lab_pipeline import LabContext, Pipeline, Scales, Stats, lab_context, publish_link
from ui.render import CHANNEL_NAMES, colorbar_picture, fmt, fmt_range, map_picture, md_escape
from ui.state import ConvSettings
from ui.volume3d import stacked_slices_figure, volume_slice

THUMB_SIDE = 320
_OPERATOR = "<p style='font-size:2.4rem;font-weight:700;text-align:center;margin:0;line-height:1.1'>{}</p>"


def _map(pipe: Pipeline, key: tuple, m: np.ndarray, scale: float, caption: str, container: str,
         side: int = 512) -> None:
    data = pipe.memo((*key, scale, side), lambda: map_picture(m, scale, side))
    with st.container(key=container):
        st.image(data, caption=caption, width="stretch")


def _caption(role: str, m: np.ndarray, stats: Stats, scales: Scales) -> str:
    h, w = m.shape
    text = f"{role} · {h} × {w} · range {fmt_range(stats.lo, stats.hi)}"
    if scales.shared is None:
        text += f" · colours ±{fmt(scales.of(stats))}"
    return text


def legend(scales: Scales) -> None:
    """The colour bar with its values (shared mode) or how to read per-map colours."""
    if scales.shared is not None:
        s = fmt(scales.shared)
        text = f"Colour scale of every map: purple −{s} · white 0 · orange +{s} (beyond: clipped)"
    else:
        text = "Colour scale per map: purple −s · white 0 · orange +s, with s in each caption"
    st.image(colorbar_picture(), caption=text, width="stretch")


def decomposition_panel(ctx: LabContext) -> None:
    """The focused filter's three channel maps, "+", its bias, "=", its map: visibly the sum."""
    pipe, k, scales = ctx.pipe, ctx.focus, ctx.scales
    cstats, sig = pipe.channel_stats, pipe.filter_signature(k)
    conv, stats = pipe.conv[k], pipe.conv_stats[k]
    cols = st.columns([4, 0.7, 4, 0.7, 4, 1.4, 4], vertical_alignment="center", gap="small")
    for c, name in enumerate(CHANNEL_NAMES):
        with cols[2 * c]:
            _map(pipe, ("ch", sig, c), ctx.channels[c], scales.of(cstats[c]),
                 _caption(f"{name} ⋆ K_{name}", ctx.channels[c], cstats[c], scales), f"cv_map_ch{c}")
        if c < 2:
            cols[2 * c + 1].html(_OPERATOR.format("+"))
    cols[5].html(_OPERATOR.format(f"+<br>{fmt(float(ctx.bank.bias[k]))}<br>="))
    with cols[6]:
        _map(pipe, ("conv", sig), conv, scales.of(stats),
             _caption(f"map {k + 1} = sum + bias", conv, stats, scales), "cv_map_sum")


def _post_tag(settings: ConvSettings) -> tuple:
    return (settings.relu, settings.pool, settings.pool_size, settings.pool_stride)


def _pool_text(settings: ConvSettings) -> str:
    kind = "max" if settings.pool == "max" else "average"
    return f"{kind}-pool {settings.pool_size}×{settings.pool_size}, stride {settings.pool_stride}"


def activation_panel(ctx: LabContext) -> None:
    """The focused map after ReLU (with how many values it zeroed) and after pooling, each with its shape."""
    pipe, k, settings, scales, post = ctx.pipe, ctx.focus, ctx.settings, ctx.scales, ctx.post
    conv, stats = pipe.conv[k], pipe.conv_stats[k]
    sig = pipe.filter_signature(k)
    cols = st.columns(3, gap="medium")
    relu_map = None
    if settings.relu:
        relu_map = post[k] if settings.pool == "none" else np.maximum(conv, np.float32(0))
        rstats = Stats(max(stats.lo, 0.0), max(stats.hi, 0.0), 0)
        share = 100 * stats.negatives / conv.size
        zeroed = f"zeroed {stats.negatives:,} of {conv.size:,} values ({share:.1f} %)"
        with cols[0]:
            _map(pipe, ("relu", sig), relu_map, scales.of(rstats),
                 _caption(f"ReLU(map {k + 1}): {zeroed}", relu_map, rstats, scales), "cv_map_relu")
    else:
        cols[0].info("ReLU is off: negative values go on to pooling (or out).")
    if settings.pool != "none":
        pstats = pipe.post_stats(settings)[k]
        before = relu_map if relu_map is not None else conv
        what = "largest" if settings.pool == "max" else "mean"
        with cols[1]:
            _map(pipe, ("post", _post_tag(settings), sig), post[k], scales.of(pstats),
                 _caption(f"{_pool_text(settings)}: {before.shape[0]} × {before.shape[1]} → each output the "
                          f"{what} of a window", post[k], pstats, scales), "cv_map_pool")
    else:
        cols[1].info("Pooling is off: choose max or average pooling above to shrink the map.")
    with cols[2]:
        legend(scales)


def stage_name(settings: ConvSettings) -> str:
    """What the output volume holds, in words ("after ReLU and max-pool 2×2, stride 2")."""
    steps = (["ReLU"] if settings.relu else []) + ([_pool_text(settings)] if settings.pool != "none" else [])
    return "after " + " and ".join(steps) if steps else "straight from the convolution"


def volume_panel(ctx: LabContext) -> None:
    """All K maps as a grid, and (when switched on) as a 3D stack of slices, with the volume's shape."""
    pipe, bank, settings, scales, post = ctx.pipe, ctx.bank, ctx.settings, ctx.scales, ctx.post
    h, w = post[0].shape
    k_all = len(post)
    stats = pipe.post_stats(settings)
    tag = _post_tag(settings)
    head, toggle = st.columns([3, 1], vertical_alignment="bottom")
    head.markdown(f"#### Output volume: {h} × {w} × {k_all} ({stage_name(settings)})  \n"
                  "One map per filter, stacked in depth: the input of the next layer.")
    show_3d = toggle.toggle("3D view", key=state.SHOW_3D,
                            help="Draw the volume as stacked slices. It redraws on every edit, which is slow "
                                 "in a browser without a graphics card.")
    per_row = min(k_all, 4) if k_all <= 8 else 6
    for start in range(0, k_all, per_row):
        cols = st.columns(per_row, gap="small")
        for k in range(start, min(start + per_row, k_all)):
            with cols[k - start]:
                _map(pipe, ("post", tag, pipe.filter_signature(k)), post[k], scales.of(stats[k]),
                     f"{k + 1}: {bank.names[k]} · {fmt_range(stats[k].lo, stats[k].hi)}", f"cv_thumb_{k}",
                     THUMB_SIDE)
    if show_3d:
        scale_list = [scales.of(s) for s in stats]
        slices = [pipe.memo(("slice", tag, pipe.filter_signature(k), scale_list[k]),
                            lambda k=k: volume_slice(post[k], scale_list[k])) for k in range(k_all)]
        fig = stacked_slices_figure(slices, scale_list, bank.names,
                                    title=f"{h} × {w} × {k_all}: map 1 at the bottom")
        st.plotly_chart(fig, key="cv_volume3d", config={"displaylogo": False})


def _filter_title(bank: FilterBank, k: int) -> str:
    return f"#### Filter {k + 1} “{md_escape(bank.names[k])}”: each channel's map, then their sum"


@st.fragment(key=state.FRAG_RESULTS)
def results_fragment() -> None:
    """Compute what changed and draw the focused filter's maps and the output volume (and update the link)."""
    ctx = lab_context()
    publish_link(ctx)
    if ctx.problem is not None:
        st.warning(ctx.problem, icon=":material/warning:")
        return
    st.markdown(_filter_title(ctx.bank, ctx.focus))
    decomposition_panel(ctx)
    activation_panel(ctx)
    volume_panel(ctx)
