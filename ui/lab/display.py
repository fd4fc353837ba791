"""How the Lab draws its maps: the colour-scale rule, a grey view for maps without negatives, the padding
border, and a window along very wide or tall pictures.

The options are view-only widgets (keys in :mod:`ui.lab.live`), drawn as one row under the settings by
:func:`view_widgets` and read back, validated, by :func:`read_view`. :func:`plan` turns a map into what
:mod:`ui.lab.maps` draws: the part shown, its colour scale (:mod:`ui.draw.scale`: by default the 99.5th
percentile of ``|v|`` away from the padding border, shared by every map or per map) and how many shown
values lie beyond it. Statistics are memoised in the session's pipeline by the filter's signature, so an
edit recomputes only the edited filter's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from convviz.numbers import fmt
from convviz.ops.shapes import Geometry, conv_geometry, interior
from ui.draw.scale import (
    BULK_PERCENTILE,
    LONG_RATIO,
    WINDOW_RATIO,
    MapScale,
    bulk_abs,
    clipped_count,
    nice_scale,
    window,
)
from ui.lab import live

if TYPE_CHECKING:  # the settings panel draws the widgets and is imported by the context: no cycle at run time
    from ui.lab.context import LabContext

GREY_MODES = ("auto", "grey", "colours")
_GREY_WORDS = {"auto": "grey if no filter gives negatives", "grey": "grey", "colours": "colour ramp"}
_RULE_HELP = (f"Off: the colours cover the {BULK_PERCENTILE:g}th percentile of |values| (away from the "
              "padding border); the few values beyond are drawn at the end colours and counted in the "
              "captions. On: the colours reach the single largest |value|, so nothing is clipped but thin "
              "edges fade.")
_GREY_HELP = ("Maps with no negative values (identity, blur, ReLU outputs) can be drawn like a photo: black "
              "at 0, white at the top of the scale. auto: grey when every filter's maps are >= 0.")
_BORDER_HELP = ("With padding, the outer rows and columns of a map read zeros beyond the image, so they "
                "often hold the most extreme values. The colour scale always ignores them; this hides them.")
WIDE = LONG_RATIO  # maps longer than this many times their width are shown through a window


@dataclass(frozen=True)
class View:
    """The view options: ``rule`` ("bulk" or "max"), ``grey`` (one of :data:`GREY_MODES`), ``hide_border``
    and ``start`` (where the window along a very wide/tall picture starts, 0..1)."""

    rule: str = "bulk"
    grey: str = "auto"
    hide_border: bool = False
    start: float = 0.0


def init_view() -> None:
    """Defaults once per session (the widgets keep their values across pages)."""
    ss = st.session_state
    ss.setdefault(live.EXACT_MAX, False)
    ss.setdefault(live.GREY, GREY_MODES[0])
    ss.setdefault(live.HIDE_BORDER, False)
    ss.setdefault(live.WINDOW, 0)


def read_view() -> View:
    """The view options from session state, validated (anything odd falls back to the default)."""
    ss = st.session_state
    grey = ss.get(live.GREY)
    try:
        start = min(max(float(ss.get(live.WINDOW, 0)) / 100, 0.0), 1.0)
    except (TypeError, ValueError):
        start = 0.0
    return View("max" if ss.get(live.EXACT_MAX) is True else "bulk", grey if grey in GREY_MODES else "auto",
                ss.get(live.HIDE_BORDER) is True, start)


def is_long(h: int, w: int) -> bool:
    """True for a picture more than :data:`WIDE` times longer than it is wide (a panorama)."""
    return max(h, w) > WIDE * min(h, w)


def view_widgets(image_hw: tuple[int, int], padded: bool) -> None:
    """One row of view options (they change only how maps are drawn, never the numbers)."""
    init_view()
    keep = {"persist_state": "session"}
    c = st.columns([1.2, 1.2, 1.5, 2.3], vertical_alignment="bottom")
    c[0].toggle("Exact max scale", key=live.EXACT_MAX, help=_RULE_HELP, **keep)
    c[1].toggle("Hide padding border", key=live.HIDE_BORDER, help=_BORDER_HELP, disabled=not padded, **keep)
    c[2].selectbox("Maps ≥ 0 drawn in", GREY_MODES, key=live.GREY, help=_GREY_HELP,
                   format_func=_GREY_WORDS.get, **keep)
    h, w = image_hw
    if is_long(h, w):
        along = "left to right" if w > h else "top to bottom"
        c[3].slider(f"Window along the picture ({along}, %)", 0, 100, key=live.WINDOW, step=5, **keep,
                    help=f"This picture is {max(h, w) / min(h, w):.1f} times longer than wide: the maps "
                         f"show a window {WINDOW_RATIO:g} times as long as wide, so they stay readable. "
                         "Slide to move it.")


# --- what each map shows, and its scale ------------------------------------------------------------------
@dataclass(frozen=True)
class Regions:
    """Interior (no padding read) of the conv-size maps and of the output-stage maps, as (rows, cols)."""

    conv: tuple[slice, slice]
    post: tuple[slice, slice]
    border: tuple[int, int, int, int]  # conv-map rows/columns reading padding: top, bottom, left, right


def regions(ctx: LabContext) -> Regions:
    """The padding border of the conv maps (from the geometry), followed through the pooling."""
    h, w = ctx.image.shape[:2]
    g: Geometry = conv_geometry(h, w, ctx.bank.kernel_size, **ctx.settings.conv_kwargs())
    rows, cols = interior(g)
    post = (rows, cols)
    s = ctx.settings
    if s.pool != "none":
        gp = conv_geometry(g.out_h, g.out_w, (s.pool_size, s.pool_size), stride=s.pool_stride)
        post = interior(gp, (rows.start, rows.stop), (cols.start, cols.stop))
    border = (rows.start, g.out_h - rows.stop, cols.start, g.out_w - cols.stop)
    return Regions((rows, cols), post, border)


def shown(m: np.ndarray, region: tuple[slice, slice], view: View) -> tuple[np.ndarray, tuple]:
    """The part of `m` drawn (interior when the border is hidden, then the window) and a tag naming it."""
    rows, cols = region if view.hide_border else (slice(None), slice(None))
    part = m[rows, cols]
    if part.size == 0:  # every output reads padding (tiny image): show it all
        part, rows, cols = m, slice(None), slice(None)
    whole = (slice(0, part.shape[0]), slice(0, part.shape[1]))
    wr, wc = window(*part.shape, view.start, max_ratio=WINDOW_RATIO) if is_long(*part.shape) else whole
    tag = (rows.start, rows.stop, cols.start, cols.stop, wr.start, wr.stop, wc.start, wc.stop)
    return part[wr, wc], tag


def bulk(ctx: LabContext, key: tuple, m: np.ndarray, region: tuple[slice, slice]) -> float:
    """The bulk scale of one map (memoised by `key`, which names the map and its filter signature)."""
    rows, cols = region
    return ctx.pipe.memo(("bulk", *key, rows.start, rows.stop, cols.start, cols.stop),
                         lambda: bulk_abs(m, rows=rows, cols=cols))


def shared_scale(ctx: LabContext, view: View, regions_: Regions) -> float:
    """One scale for every map on the page: the largest per-map scale of the conv and channel maps (ReLU and
    pooling only keep, zero or average conv values, so those bound them too)."""
    pipe, k = ctx.pipe, ctx.focus
    if view.rule == "max":
        return nice_scale(max(s.scale for s in [*pipe.conv_stats, *pipe.channel_stats]))
    conv = [bulk(ctx, ("conv", pipe.filter_signature(j)), m, regions_.conv) for j, m in enumerate(pipe.conv)]
    chans = [bulk(ctx, ("ch", pipe.filter_signature(k), c), m, regions_.conv)
             for c, m in enumerate(ctx.channels)]
    return max([*conv, *chans])


def map_scale(ctx: LabContext, key: tuple, part: np.ndarray, tag: tuple, scale: float) -> MapScale:
    """`scale` with the count of shown values beyond it (memoised)."""
    count = ctx.pipe.memo(("clip", *key, *tag, scale), lambda: clipped_count(part, scale))
    return MapScale(scale, count, part.size)


def grey_page(ctx: LabContext, view: View) -> bool:
    """In "auto", whether every conv and channel map is >= 0 (then every map is drawn grey)."""
    return all(s.lo >= 0 for s in [*ctx.pipe.conv_stats, *ctx.pipe.channel_stats])


def is_grey(view: View, lo: float, page_grey: bool) -> bool:
    """Whether a map whose minimum is `lo` is drawn grey."""
    if view.grey == "grey":
        return lo >= 0
    return view.grey == "auto" and page_grey


def clipped_words(scale: MapScale) -> str:
    """``"0.4 % beyond ±2"`` (or ``"none beyond ±2"``), for captions."""
    if scale.clipped == 0:
        return f"none beyond ±{fmt(scale.scale)}"
    share = 100 * scale.share
    text = f"{share:.1f}" if share >= 0.1 else "< 0.1"
    return f"{text} % beyond ±{fmt(scale.scale)}"


def border_note(regions_: Regions) -> str:
    """A sentence on the padding border, or "" when the maps read no padding."""
    top, bottom, left, right = regions_.border
    if not any(regions_.border):
        return ""
    sides = f"{top} row(s) at the top, {bottom} at the bottom, {left} column(s) left, {right} right"
    return (f"Padding border: {sides} of each map read zeros beyond the image, where a window half over "
            "black sees a strong edge. The colour scale ignores them; “Hide padding border” crops them.")
