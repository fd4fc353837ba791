"""The Lab's result panel: one filter's channel maps and their sum, ReLU and pooling, the output volume.

:func:`results_fragment` is the keyed fragment ``live.FRAG_RESULTS``: a weight edit reruns it (and the pixel
explanation) alone. Every map is drawn on the diverging ramp of :mod:`ui.draw.pictures` through the session's
:class:`~ui.lab.pipeline.Pipeline`, whose memo turns "this map of this filter at this scale" into JPEG bytes
once, so an edit encodes only the pictures that really changed.

The maps are drawn as two HTML elements (the focused filter's rows, the output volume's grid) with the
pictures inline as ``data:`` URIs, rather than one Streamlit image per map: measured here, every element a
rerun sends costs the browser a re-render of the page, and a dozen images made an edit several times slower
than the pictures' bytes do. Each figure's class names the map (``cv_map_ch0`` .. ``cv_map_ch2``,
``cv_map_sum``, ``cv_map_relu``, ``cv_map_pool``, ``cv_thumb_<k>``) for browser tests. Only numbers and fixed
words go into that HTML; filter names are written with Markdown, escaped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

import numpy as np
import streamlit as st

from convviz.numbers import fmt, fmt_range
from ui.draw.colours import CHANNEL_NAMES, CHANNEL_WORDS
from ui.draw.describe import colour_bar_text, map_text
from ui.draw.pictures import colorbar_picture, data_uri, map_picture, md_escape
from ui.draw.volume3d import stacked_slices_figure, volume_slice
from ui.lab import live
from ui.lab.context import LabContext, Scales, lab_context, publish_link
from ui.lab.pipeline import Pipeline, Stats
from ui.state import LabSettings

THUMB_SIDE = 256  # pixels on the long side of an output-volume thumbnail (shown ~200 px wide)
MAP_SIDE = 384  # ... of a map of the focused filter (shown ~180-250 px wide)
# Inline styles of the map panels (constants only: user text never goes into this HTML).
_FIG = "flex:1 1 0;min-width:0;margin:0"
_CAPTION = "font-size:0.95rem;color:#333;text-align:center;margin-top:2px;line-height:1.3"
_NOTE = "align-self:center;background:#eef4fb;color:#1d4f91;padding:12px;border-radius:6px;font-size:0.95rem"
_OP = "font-size:2.2rem;font-weight:700;text-align:center;padding:0 4px;align-self:center;line-height:1.1"
_ROW = "display:flex;gap:8px;align-items:flex-start;margin-bottom:10px"


@dataclass(frozen=True)
class MapPic:
    """One map to draw: what it is (the memo key), its values, colour scale, caption and container key."""

    key: tuple
    m: np.ndarray | Callable[[], np.ndarray]  # (h, w), or a function making it (called on a memo miss only)
    scale: float
    caption: str
    container: str
    side: int = MAP_SIDE


def _picture(pipe: Pipeline, pic: MapPic) -> str:
    """The picture as a ``data:`` URI (JPEG), made once per map, scale and size."""
    def make() -> str:
        m = pic.m() if callable(pic.m) else pic.m
        return data_uri(map_picture(m, pic.scale, pic.side))

    return pipe.memo((*pic.key, pic.scale, pic.side), make)


#: What each map is, for its text alternative (the thumbnails' names are made in :func:`_alt`).
_ALT_NAMES = {
    **{f"cv_map_ch{c}": f"{word.capitalize()}-channel partial map ({CHANNEL_NAMES[c]} channel ⋆ the filter's "
                        f"{word} slice)" for c, word in enumerate(CHANNEL_WORDS)},
    "cv_map_sum": "The filter's map: the three partial maps summed, plus the bias",
    "cv_map_relu": "The filter's map after ReLU", "cv_map_pool": "The filter's map after pooling",
}


def _alt(pipe: Pipeline, pic: MapPic) -> str:
    """The picture's text alternative (:func:`ui.draw.describe.map_text`), made once per map and scale."""
    def make() -> str:
        m = pic.m() if callable(pic.m) else pic.m
        # cv_thumb_<k>: output map k + 1
        name = _ALT_NAMES.get(pic.container) or f"Output map {int(pic.container.rsplit('_', 1)[-1]) + 1}"
        return map_text(m, name, scale=pic.scale)

    return pipe.memo((*pic.key, pic.scale, "alt"), make)


def _figure(pipe: Pipeline, pic: MapPic | None, placeholder: str = "") -> str:
    """One map as an HTML figure (its class is its name, e.g. ``cv_map_sum``), or a note when it is off."""
    if pic is None:
        return f"<div style='{_FIG};{_NOTE}'>{escape(placeholder)}</div>"
    return (f"<figure class='cv-map {pic.container}' style='{_FIG}'><img src='{_picture(pipe, pic)}' "
            f"alt='{escape(_alt(pipe, pic), quote=True)}' "
            f"style='width:100%;border-radius:4px;border:1px solid #ddd'>"
            f"<figcaption style='{_CAPTION}'>{escape(pic.caption)}</figcaption></figure>")


def _op(text: str) -> str:
    return f"<div style='{_OP}'>{text}</div>"


def _caption(role: str, stats: Stats, scales: Scales, m: np.ndarray | None = None) -> str:
    """``role · [lo, hi]`` (+ the shape when `m` is given, + the colour scale in per-map mode)."""
    text = role + (f" · {m.shape[0]} × {m.shape[1]}" if m is not None else "")
    text += f" · {fmt_range(stats.lo, stats.hi)}"
    if scales.shared is None:
        text += f" · colours ±{fmt(scales.of(stats))}"
    return text


def legend_html(scales: Scales) -> str:
    """The colour bar with its values (shared mode) or how to read per-map colours."""
    if scales.shared is not None:
        s = fmt(scales.shared)
        text = (f"Colours of every map: purple −{s} · white 0 · orange +{s} (beyond: clipped); "
                "[min, max] in the captions")
    else:
        text = "Colours per map: purple −s · white 0 · orange +s, with s and [min, max] in each caption"
    bar = data_uri(colorbar_picture(), mime="image/png")
    alt = escape(colour_bar_text(scales.shared), quote=True)
    return (f"<figure style='margin:0 0 6px 0'><img src='{bar}' alt='{alt}' style='width:100%;height:18px'>"
            f"<figcaption style='{_CAPTION}'>{escape(text)}</figcaption></figure>")


def _post_tag(settings: LabSettings) -> tuple:
    return (settings.relu, settings.pool, settings.pool_size, settings.pool_stride)


def _pool_text(settings: LabSettings) -> str:
    kind = "max" if settings.pool == "max" else "average"
    return f"{kind}-pool {settings.pool_size}×{settings.pool_size}, stride {settings.pool_stride}"


def focus_pictures(ctx: LabContext) -> dict[str, MapPic | None]:
    """The focused filter's maps: channels ``ch0..ch2``, ``sum``, ``relu`` and ``pool`` (None when off)."""
    pipe, k, scales, settings, post = ctx.pipe, ctx.focus, ctx.scales, ctx.settings, ctx.post
    cstats, sig = pipe.channel_stats, pipe.filter_signature(k)
    conv, stats = pipe.conv[k], pipe.conv_stats[k]
    pics: dict[str, MapPic | None] = {
        f"ch{c}": MapPic(("ch", sig, c), ctx.channels[c], scales.of(cstats[c]),
                         _caption(f"{name} ⋆ K_{name}", cstats[c], scales), f"cv_map_ch{c}")
        for c, name in enumerate(CHANNEL_NAMES)}
    pics["sum"] = MapPic(("conv", sig), conv, scales.of(stats),
                         _caption(f"map {k + 1} (sum + bias)", stats, scales), "cv_map_sum")
    pics["relu"] = pics["pool"] = None
    if settings.relu:
        relu_map = post[k] if settings.pool == "none" else (lambda: np.maximum(conv, np.float32(0)))
        rstats = Stats(max(stats.lo, 0.0), max(stats.hi, 0.0), 0)
        share = 100 * stats.negatives / conv.size
        zeroed = f"ReLU: {stats.negatives:,} of {conv.size:,} values zeroed ({share:.1f} %)"
        pics["relu"] = MapPic(("relu", sig), relu_map, scales.of(rstats), _caption(zeroed, rstats, scales),
                              "cv_map_relu")
    if settings.pool != "none":
        pstats = pipe.post_stats(settings)[k]
        pics["pool"] = MapPic(("post", _post_tag(settings), sig), post[k], scales.of(pstats),
                              _caption(_pool_text(settings), pstats, scales, post[k]), "cv_map_pool")
    return pics


def thumbnail_pictures(ctx: LabContext) -> list[MapPic]:
    """Every filter's map at the output stage (after ReLU/pooling as set): the output volume's slices."""
    pipe, settings, scales = ctx.pipe, ctx.settings, ctx.scales
    stats, tag = pipe.post_stats(settings), _post_tag(settings)
    return [MapPic(("post", tag, pipe.filter_signature(k)), m, scales.of(stats[k]),
                   f"map {k + 1} · {fmt_range(stats[k].lo, stats[k].hi)}", f"cv_thumb_{k}", THUMB_SIDE)
            for k, m in enumerate(ctx.post)]


def decomposition_panel(ctx: LabContext, pics: dict[str, MapPic | None]) -> None:
    """Row 1: R ⋆ K_R + G ⋆ K_G + B ⋆ K_B. Row 2: + bias = map → ReLU → pool: visibly the sum.

    One HTML element for both rows and the legend: every element Streamlit adds costs the browser a
    re-render of the page on each edit, so the maps travel together.
    """
    pipe, k = ctx.pipe, ctx.focus
    h, w = pipe.conv[k].shape
    st.markdown(f"#### Filter {k + 1} “{md_escape(ctx.bank.names[k])}”: one map per channel, then their sum"
                f"  \nEvery map here is {h} × {w} (H′ × W′).")
    row1 = _op("+").join(_figure(pipe, pics[f"ch{c}"]) for c in range(3))
    row2 = "".join((
        _op(f"+&nbsp;{escape(fmt(float(ctx.bank.bias[k])))}<br>="), _figure(pipe, pics["sum"]), _op("→"),
        _figure(pipe, pics["relu"], "ReLU is off: negative values go on."), _op("→"),
        _figure(pipe, pics["pool"], "Pooling is off (choose max or average above)."),
    ))
    st.html(f"<div class='cv-decomposition'><div style='{_ROW}'>{row1}</div><div style='{_ROW}'>{row2}</div>"
            f"{legend_html(ctx.scales)}</div>")


def stage_name(settings: LabSettings) -> str:
    """What the output volume holds, in words ("after ReLU and max-pool 2×2, stride 2")."""
    steps = (["ReLU"] if settings.relu else []) + ([_pool_text(settings)] if settings.pool != "none" else [])
    return "after " + " and ".join(steps) if steps else "straight from the convolution"


def volume_panel(ctx: LabContext, thumbs: list[MapPic]) -> None:
    """All K maps as a grid, and (when switched on) as a 3D stack of slices, with the volume's shape."""
    pipe, bank, post = ctx.pipe, ctx.bank, ctx.post
    h, w = post[0].shape
    k_all = len(post)
    st.markdown(f"#### Output volume: {h} × {w} × {k_all} ({stage_name(ctx.settings)})  \n"
                "One map per filter, stacked in depth: the input of the next layer.")
    per_row = min(k_all, 4) if k_all <= 8 else 6
    grid = "".join(_figure(pipe, pic) for pic in thumbs)
    style = f"display:grid;grid-template-columns:repeat({per_row},minmax(0,1fr));gap:10px"
    st.html(f"<div class='cv-volume' style='{style}'>{grid}</div>")
    st.caption("Filters: " + " · ".join(f"{k + 1}: {md_escape(name)}" for k, name in enumerate(bank.names)))
    if st.toggle("Show the volume in 3D", key=live.SHOW_3D,
                 help="Stacked slices, redrawn on every edit: slow in a browser without a graphics card."):
        # The thumbnails already carry each slice's colour scale and what it shows (stage, filter).
        scale_list = [pic.scale for pic in thumbs]
        slices = [pipe.memo(("slice", *pic.key[1:], pic.scale),
                            lambda pic=pic: volume_slice(pic.m, pic.scale)) for pic in thumbs]
        fig = stacked_slices_figure(slices, scale_list, bank.names,
                                    title=f"{h} × {w} × {k_all}: map 1 at the bottom")
        st.plotly_chart(fig, key="cv_volume3d", config={"displaylogo": False},
                        alt=f"3D view of the output volume {h} × {w} × {k_all}: its {k_all} maps stacked as "
                            "slices, map 1 at the bottom, coloured as the maps above.")


@st.fragment(key=live.FRAG_RESULTS)
def results_fragment() -> None:
    """Compute what changed and draw the focused filter's maps and the output volume (and update the link).

    Every picture is encoded before the first element is drawn, so the page's updates reach the browser
    in one quick burst (each separate burst costs the browser a re-render of the page).
    """
    ctx = lab_context()
    publish_link(ctx)
    if ctx.problem is not None:
        st.warning(ctx.problem, icon=":material/warning:")
        return
    pics, thumbs = focus_pictures(ctx), thumbnail_pictures(ctx)
    for pic in [*pics.values(), *thumbs]:
        if pic is not None:
            _picture(ctx.pipe, pic)
    decomposition_panel(ctx, pics)
    volume_panel(ctx, thumbs)
