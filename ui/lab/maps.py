"""The Lab's result panel: one filter's channel maps and their sum, ReLU and pooling, the output volume.

:func:`results_fragment` is the keyed fragment ``live.FRAG_RESULTS``: a weight edit reruns it (and the pixel
explanation) alone. Every map is drawn on the diverging ramp of :mod:`ui.draw.pictures` through the session's
:class:`~ui.lab.pipeline.Pipeline`, whose memo turns "this map of this filter at this scale" into JPEG bytes
once, so an edit encodes only the pictures that really changed.

The maps are drawn as two HTML elements (the focused filter's rows, the output volume's grid; their pieces
are in :mod:`ui.draw.map_figures`), rather than one Streamlit image per map: measured here, every element a
rerun sends costs the browser a re-render of the page. The pictures in them are URLs
(:mod:`ui.server.media`): an edit sends the HTML again, but the browser fetches only the pictures that
changed. Each figure's class names the map (``cv_map_ch0`` .. ``cv_map_ch2``, ``cv_map_sum``,
``cv_map_relu``, ``cv_map_pool``, ``cv_thumb_<k>``) for browser tests. Filter names are written with
Markdown, escaped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

import numpy as np
import streamlit as st

from convviz.numbers import fmt, fmt_range
from ui.draw.colours import CHANNEL_NAMES, CHANNEL_WORDS
from ui.draw.describe import map_facts, map_text
from ui.draw.greys import shrink, shrunk_pixels
from ui.draw.map_figures import figure_html, legend_html, note_html, op_html, row_html
from ui.draw.pictures import encode_jpeg, md_escape
from ui.draw.scale import MapScale, nice_scale
from ui.draw.stack import stack_html
from ui.lab import display, live, pipeline
from ui.lab.context import LabContext, lab_context, publish_link
from ui.lab.loupe import loupe_panel
from ui.lab.pipeline import Pipeline, Stats
from ui.lab.settings import settings_problem
from ui.server.media import picture_url, previous_url
from ui.state import LabSettings

MAP_SIDE = pipeline.MAP_SIDE  # the focused filter's maps: long side in pixels (shown 111-322 px wide)
#: The output volume's slices: the same size, so the focused filter's slice is the very picture of its last
#: map (one file, fetched once). Shown 249-520 px wide with two filters, 119-255 px with eight.
THUMB_SIDE = MAP_SIDE
#: The maps' JPEG quality: an edit sends every map it changes. Three 256 px maps of one edit took 18-32 kB at
#: 75 against 38-54 kB at 90 (two synthetic photos and a mosaic of Imagenette photos); side by side in
#: Chromium at 1024 and 1400 px no difference showed.
JPEG_QUALITY = 75


@dataclass(frozen=True)
class MapPic:
    """One map to draw: what it is (the memo key), the part shown, colour scale, caption and container key."""

    key: tuple
    m: np.ndarray  # (h, w): the part of the map shown (see ui.lab.display.shown)
    scale: float
    caption: str
    container: str
    side: int = MAP_SIDE
    grey: bool = False  # drawn as a grey picture (values >= 0) instead of the diverging ramp
    tag: tuple = ()  # which part of the map `m` is (border hidden, window): part of the memo key
    clipped: MapScale | None = None
    full: np.ndarray | None = field(default=None, repr=False)  # (H, W): the whole map (for the loupe)
    label: str = ""  # what the map is, in a few words (the loupe's picker)


def _encoded(pipe: Pipeline, pic: MapPic) -> tuple[bytes, tuple[int, int]]:
    """The picture's JPEG bytes and ``(height, width)`` in pixels, made once per map, part, scale, size and
    view.

    An edit that moves the shared scale redraws every thumbnail although their maps did not change: their
    shrunk values (scale-free, ~200 kB each) are kept too, so only the colouring and the JPEG are redone.
    The focused filter's maps change with every edit of it, so theirs are not kept.
    """
    def make() -> tuple[bytes, tuple[int, int]]:
        def shrunk() -> np.ndarray:
            return shrink(pic.m, pic.side, grey_view=pic.grey)

        values = pipe.memo((*pic.key, pic.side, pic.grey, *pic.tag, "shrunk"), shrunk) \
            if pic.container.startswith("cv_thumb_") else shrunk()
        pixels = shrunk_pixels(values, pic.scale, grey_view=pic.grey)  # (h, w, 3) uint8
        return encode_jpeg(pixels, JPEG_QUALITY), pixels.shape[:2]

    return pipe.memo((*pic.key, pic.scale, pic.side, pic.grey, *pic.tag), make)


def _picture(pipe: Pipeline, pic: MapPic) -> str:
    """The URL the page loads the picture from (:func:`ui.server.media.picture_url`, slot: its container):
    an edit sends only the pictures that changed."""
    return picture_url(_encoded(pipe, pic)[0], pic.container)


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
        # cv_thumb_<k>: output map k + 1
        name = _ALT_NAMES.get(pic.container) or f"Output map {int(pic.container.rsplit('_', 1)[-1]) + 1}"
        facts = pipe.memo((*pic.key, *pic.tag, "facts"),  # the same for any scale
                          lambda: map_facts(pic.m() if callable(pic.m) else pic.m))
        return map_text(None, name, scale=pic.scale, facts=facts)

    return pipe.memo((*pic.key, pic.scale, *pic.tag, "alt"), make)


def _figure(pipe: Pipeline, pic: MapPic | None, placeholder: str = "") -> str:
    """One map as an HTML figure (over the slot's previous picture while it loads), or a note when off."""
    if pic is None:
        return note_html(placeholder)
    data, size = _encoded(pipe, pic)
    return figure_html(pic.container, picture_url(data, pic.container), size, _alt(pipe, pic), pic.caption,
                       previous_url(pic.container))


@dataclass(frozen=True)
class _Page:
    """What every map of one run is drawn with: the view options, the regions, the shared scale, grey."""

    view: display.View
    regions: display.Regions
    shared: float | None
    grey: bool


def _page(ctx: LabContext) -> _Page:
    view, regions = display.read_view(), display.regions(ctx)
    shared = display.shared_scale(ctx, view, regions) if ctx.scales.shared is not None else None
    return _Page(view, regions, shared, display.grey_page(ctx, view))


def _pic(ctx: LabContext, page: _Page, key: tuple, m: np.ndarray, stats: Stats, role: str, container: str,
         *, post: bool = False, side: int = MAP_SIDE, with_shape: bool = False, label: str = "") -> MapPic:
    """A map as drawn: the part shown, its scale (shared, or its own by the rule) and a caption that says
    its range, its scale (per map) and how many shown values the scale clips."""
    region = page.regions.post if post else page.regions.conv
    part, tag = display.shown(m, region, page.view)
    if page.shared is not None:
        scale = page.shared
    elif page.view.rule == "max":
        scale = nice_scale(stats.scale)
    else:
        scale = display.bulk(ctx, key, m, region)
    clipped = display.map_scale(ctx, key, part, tag, scale)
    text = role + (f" · {m.shape[0]} × {m.shape[1]}" if with_shape else "")
    text += f" · {fmt_range(stats.lo, stats.hi)}"
    if page.shared is None:
        text += f" · colours ±{fmt(scale)}"
    if page.view.rule == "bulk" and clipped.clipped:
        text += f" · {display.clipped_words(clipped)}"
    return MapPic(key, part, scale, text, container, side, display.is_grey(page.view, stats.lo, page.grey),
                  tag, clipped, m, label or role)


def _legend(page: _Page, pics: list[MapPic]) -> str:
    """The colour legend of these maps (:func:`ui.draw.map_figures.legend_html`)."""
    return legend_html(shared=page.shared, rule=page.view.rule, grey=bool(pics) and all(p.grey for p in pics),
                       clipped=sum(p.clipped.clipped for p in pics if p.clipped),
                       size=sum(p.clipped.size for p in pics if p.clipped))


def _post_tag(settings: LabSettings) -> tuple:
    return (settings.relu, settings.pool, settings.pool_size, settings.pool_stride)


def _pool_text(settings: LabSettings) -> str:
    kind = "max" if settings.pool == "max" else "average"
    return f"{kind}-pool {settings.pool_size}×{settings.pool_size}, stride {settings.pool_stride}"


def focus_pictures(ctx: LabContext, page: _Page) -> dict[str, MapPic | None]:
    """The focused filter's maps: channels ``ch0..ch2``, ``sum``, ``relu`` and ``pool`` (None when off)."""
    pipe, k, settings, post = ctx.pipe, ctx.focus, ctx.settings, ctx.post
    cstats, sig = pipe.channel_stats, pipe.filter_signature(k)
    conv, stats = pipe.conv[k], pipe.conv_stats[k]
    pics: dict[str, MapPic | None] = {
        f"ch{c}": _pic(ctx, page, ("ch", sig, c), ctx.channels[c], cstats[c], f"{name} ⋆ K_{name}",
                       f"cv_map_ch{c}", label=f"{name} ⋆ K_{name} (filter {k + 1}, channel {name})")
        for c, name in enumerate(CHANNEL_NAMES)}
    pics["sum"] = _pic(ctx, page, ("conv", sig), conv, stats, f"map {k + 1} (sum + bias)", "cv_map_sum")
    pics["relu"] = pics["pool"] = None
    if settings.relu:
        relu_map = post[k] if settings.pool == "none" else np.maximum(conv, np.float32(0))
        rstats = Stats(max(stats.lo, 0.0), max(stats.hi, 0.0), 0)
        share = 100 * stats.negatives / conv.size
        zeroed = f"ReLU: {stats.negatives:,} of {conv.size:,} values zeroed ({share:.1f} %)"
        pics["relu"] = _pic(ctx, page, ("relu", sig), relu_map, rstats, zeroed, "cv_map_relu",
                            label=f"ReLU of map {k + 1}")
    if settings.pool != "none":
        pstats = pipe.post_stats(settings)[k]
        pics["pool"] = _pic(ctx, page, ("post", _post_tag(settings), sig), post[k], pstats,
                            _pool_text(settings), "cv_map_pool", post=True, with_shape=True,
                            label=f"map {k + 1}, {_pool_text(settings)}")
    return pics


def thumbnail_pictures(ctx: LabContext, page: _Page) -> list[MapPic]:
    """Every filter's map at the output stage (after ReLU/pooling as set): the output volume's slices."""
    pipe, settings = ctx.pipe, ctx.settings
    stats, tag = pipe.post_stats(settings), _post_tag(settings)
    return [_pic(ctx, page, ("post", tag, pipe.filter_signature(k)), m, stats[k], f"map {k + 1}",
                 f"cv_thumb_{k}", post=True, side=THUMB_SIDE,
                 label=f"output map {k + 1} ({stage_name(settings)})")
            for k, m in enumerate(ctx.post)]


def decomposition_panel(ctx: LabContext, page: _Page, pics: dict[str, MapPic | None]) -> None:
    """Row 1: R ⋆ K_R + G ⋆ K_G + B ⋆ K_B. Row 2: + bias = map → ReLU → pool: visibly the sum.

    One HTML element for both rows and the legend: every element Streamlit adds costs the browser a
    re-render of the page on each edit, so the maps travel together.
    """
    pipe, k = ctx.pipe, ctx.focus
    h, w = pipe.conv[k].shape
    sh, sw = pics["sum"].m.shape
    part = "" if (sh, sw) == (h, w) else f" Shown: {sh} × {sw} of them ({_part_words(page, h, w)})."
    st.markdown(f"#### Filter {k + 1} “{md_escape(ctx.bank.names[k])}”: one map per channel, then their sum"
                f"  \nEvery map here is {h} × {w} (H′ × W′).{part}")
    row1 = op_html("+").join(_figure(pipe, pics[f"ch{c}"]) for c in range(3))
    row2 = "".join((
        op_html(f"+&nbsp;{escape(fmt(float(ctx.bank.bias[k])))}<br>="), _figure(pipe, pics["sum"]),
        op_html("→"), _figure(pipe, pics["relu"], "ReLU is off: negative values go on."), op_html("→"),
        _figure(pipe, pics["pool"], "Pooling is off (choose max or average above)."),
    ))
    drawn = [p for p in pics.values() if p is not None]
    st.html(f"<div class='cv-decomposition'>{row_html(row1)}{row_html(row2)}{_legend(page, drawn)}</div>")
    note = display.border_note(page.regions)
    if note and not page.view.hide_border:
        st.caption(note)


def _part_words(page: _Page, h: int, w: int) -> str:
    words = []
    if page.view.hide_border and any(page.regions.border):
        words.append("padding border hidden")
    if display.is_long(h, w):
        words.append("a window along the picture: move it with the slider under the settings")
    return "; ".join(words) or "part"


def stage_name(settings: LabSettings) -> str:
    """What the output volume holds, in words ("after ReLU and max-pool 2×2, stride 2")."""
    steps = (["ReLU"] if settings.relu else []) + ([_pool_text(settings)] if settings.pool != "none" else [])
    return "after " + " and ".join(steps) if steps else "straight from the convolution"


def volume_panel(ctx: LabContext, thumbs: list[MapPic]) -> None:
    """All K maps as a grid, and (when switched on) as a 3D stack of slices, with the volume's shape."""
    pipe, bank, post = ctx.pipe, ctx.bank, ctx.post
    h, w = post.shape
    k_all = len(post)
    st.markdown(f"#### Output volume: {h} × {w} × {k_all} ({stage_name(ctx.settings)})  \n"
                "One map per filter, stacked in depth: the input of the next layer.")
    per_row = min(k_all, 4) if k_all <= 8 else 6
    grid = "".join(_figure(pipe, pic) for pic in thumbs)
    style = f"display:grid;grid-template-columns:repeat({per_row},minmax(0,1fr));gap:10px"
    st.html(f"<div class='cv-volume' style='{style}'>{grid}</div>")
    st.caption("Filters: " + " · ".join(f"{k + 1}: {md_escape(name)}" for k, name in enumerate(bank.names)))
    if st.toggle("Show the volume in 3D", key=live.SHOW_3D,
                 help="The maps above as slices stacked in depth, map 1 at the bottom."):
        # The thumbnails' pictures, already encoded: the stack costs the browser K tilted images.
        uris = [_picture(pipe, pic) for pic in thumbs]
        labels = [f"map {k + 1}" for k in range(k_all)]
        st.html(stack_html(uris, labels, thumbs[0].m.shape,
                           title=f"{h} × {w} × {k_all}: map 1 at the bottom, map {k_all} on top"))


@st.fragment(key=live.FRAG_RESULTS)
def results_fragment() -> None:
    """Compute what changed and draw the focused filter's maps and the output volume (and update the link).

    Every picture is encoded before the first element is drawn, so the page's updates reach the browser
    in one quick burst (each separate burst costs the browser a re-render of the page).
    """
    ctx = lab_context()
    publish_link(ctx)
    if ctx.problem is not None:
        if ctx.problem == settings_problem(ctx.settings, ctx.image.shape[:2], ctx.bank):
            st.caption("No maps to draw: see the message under the settings.")  # said once, up there
        else:
            st.warning(ctx.problem, icon=":material/warning:")
        return
    page = _page(ctx)
    pics, thumbs = focus_pictures(ctx, page), thumbnail_pictures(ctx, page)
    for pic in [*pics.values(), *thumbs]:
        if pic is not None:
            _encoded(ctx.pipe, pic)  # registered with the media store when drawn
    with ctx.pipe.lock:
        ctx.pipe.shown = {k: (pic.scale, pic.grey) for k, pic in enumerate(thumbs)}
    decomposition_panel(ctx, page, pics)
    volume_panel(ctx, thumbs)
    loupe_panel(ctx, [*(p for p in pics.values() if p is not None), *thumbs])
