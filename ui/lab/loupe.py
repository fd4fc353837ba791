"""Look closer: any map of the page large, and a loupe on its real pixels.

The thumbnails shrink a 1 MP map several times (keeping each block's extreme value, see
:mod:`ui.draw.greys`); the loupe shows a square of the map one value per screen square, enlarged without
smoothing, so one-pixel edges are seen as they are. The large view is the whole map (no window), shrunk the
same way, with the loupe's square drawn on it.

By default the loupe reads the map as computed, on the preview (the photo reduced to the preview size). For
the focused filter's map at stride 1 with 'same' padding it can instead compute the square on the original
photo at full resolution: a crop around the same place, convolved with the same filter (a margin of half the
filter's span around the crop makes every value of the square exact). That is what a 12 MP photo's thin
edges really look like.

Drawn at the end of the results fragment when its toggle (``live.LOUPE``) is on, so it follows every edit.
"""

from __future__ import annotations

import cv2
import numpy as np
import streamlit as st

from convviz import conv2d
from convviz.numbers import fmt
from ui.draw.describe import map_text
from ui.draw.greys import map_pixels
from ui.draw.pictures import colorize, to_uint8
from ui.lab import live
from ui.lab.context import LabContext
from ui.lab.export import full_resolution

MAP = "cv_loupe_map"  # selectbox: which map (index into the page's pictures)
ROW, COL = "cv_loupe_row", "cv_loupe_col"  # the loupe's centre, in map coordinates
SIZE = "cv_loupe_size"  # values per side of the loupe
ORIGINAL = "cv_loupe_original"  # toggle: compute the loupe on the full-resolution original
_FULL = "cv_loupe_full"  # (digest, uint8 (H, W, 3)): the original, decoded once while the option is on
SIZES = (16, 32, 48, 64)
LARGE_SIDE = 1200  # long side of the large view, in pixels
LOUPE_SIDE = 480  # pixels of the loupe picture


def _enlarged(rgb: np.ndarray, side: int) -> np.ndarray:
    """Enlarge ``(h, w, 3)`` by a whole factor (nearest: every value stays a crisp square)."""
    f = max(1, side // max(rgb.shape[:2]))
    return np.repeat(np.repeat(rgb, f, axis=0), f, axis=1)


def _clamp(key: str, high: int, default: int) -> int:
    try:
        value = int(st.session_state.get(key, default))
    except (TypeError, ValueError):
        value = default
    value = min(max(value, 0), high)
    st.session_state[key] = value
    return value


def _original_square(ctx: LabContext, y0: int, x0: int, n: int) -> tuple[np.ndarray, tuple] | None:
    """The focused conv map's ``n x n`` square at full resolution around preview position (y0, x0), or None
    when that cannot be computed exactly (stride, padding, no original)."""
    image, settings, k = ctx.image, ctx.settings, ctx.focus
    if settings.stride != 1 or settings.padding_mode != "same" or not image.full_hw[0]:
        return None
    if image.full is not None:  # samples: already in memory
        full = image.full
    else:  # uploads: decoded once while the option is on, kept as uint8 (a quarter of the float32 bytes;
        # exact for 8-bit files, whose floats are u8 / 255; 16-bit files are rounded to 8 bits here)
        cached = st.session_state.get(_FULL)
        if cached is None or cached[0] != image.digest:
            cached = (image.digest, to_uint8(full_resolution(image)))
            st.session_state[_FULL] = cached
        full = cached[1]
    fh, fw = full.shape[:2]
    ph, pw = ctx.image.shape[:2]
    cy, cx = round((y0 + n / 2) * fh / ph), round((x0 + n / 2) * fw / pw)  # the square's centre, full res
    top, left = min(max(cy - n // 2, 0), max(fh - n, 0)), min(max(cx - n // 2, 0), max(fw - n, 0))
    kh, kw = ctx.bank.kernel_size
    my, mx = settings.dilation * (kh - 1), settings.dilation * (kw - 1)  # margin >= the padding per side
    r0, r1 = max(top - my, 0), min(top + n + my, fh)
    c0, c1 = max(left - mx, 0), min(left + n + mx, fw)
    crop = full[r0:r1, c0:c1]
    crop = crop.astype(np.float32) / np.float32(255) if crop.dtype == np.uint8 else crop  # (h, w, 3)
    bank = ctx.bank
    out = conv2d(crop, bank.weights[k], bank.bias[k:k + 1], padding="same", dilation=settings.dilation)
    out = out[..., 0]
    return out[top - r0:top - r0 + n, left - c0:left - c0 + n], (top, left, fh, fw)


def loupe_panel(ctx: LabContext, pics: list) -> None:
    """The toggle, and when on: a map picker, the map large, and the loupe (see the module docstring).

    `pics` are the page's :class:`ui.lab.maps.MapPic` (their key, caption, scale and grey view); the large
    view and the loupe read the whole map from the pipeline's arrays through ``full``.
    """
    if not st.toggle("Look closer: a map large, and a loupe on its real pixels", key=live.LOUPE,
                     help="Thumbnails shrink big maps; the loupe shows one square per value."):
        st.session_state.pop(_FULL, None)
        return
    options = list(range(len(pics)))
    if st.session_state.get(MAP) not in options:
        st.session_state[MAP] = 3  # the focused filter's map (sum + bias)
    c = st.columns([2.2, 1, 1, 1], vertical_alignment="bottom")
    chosen = c[0].selectbox("Map", options, key=MAP, format_func=lambda i: pics[i].label)
    pic = pics[chosen]
    m = pic.full
    h, w = m.shape
    n = min(int(st.session_state.get(SIZE, 32)) if st.session_state.get(SIZE) in SIZES else 32, h, w)
    c[3].selectbox("Loupe size", SIZES, key=SIZE, index=1, format_func=lambda s: f"{s} × {s} values")
    y0 = _clamp(ROW, h - n, (h - n) // 2)
    x0 = _clamp(COL, w - n, (w - n) // 2)
    c[1].number_input("Top row", 0, h - n, key=ROW, step=max(1, n // 2))
    c[2].number_input("Left column", 0, w - n, key=COL, step=max(1, n // 2))
    large = map_pixels(m, pic.scale, LARGE_SIDE, grey_view=pic.grey).copy()
    f = max(h, w) / max(large.shape[:2])
    box = (round(x0 / f), round(y0 / f)), (round((x0 + n) / f) - 1, round((y0 + n) / f) - 1)
    cv2.rectangle(large, *box, (0, 0, 0), 3)
    cv2.rectangle(large, *box, (255, 255, 0), 1)
    shrink = "shrunk keeping each block's extreme value" if f > 1 and not pic.grey else (
        "shrunk by averaging" if f > 1 else "one pixel per value")
    left, right = st.columns([3, 2], gap="medium")
    left.image(large, width="stretch", caption=f"{pic.label}: the whole {h} × {w} map ({shrink}); the "
               f"yellow square is the loupe", alt=map_text(m, f"{pic.label}, large", scale=pic.scale))
    square = m[y0:y0 + n, x0:x0 + n]
    where = f"rows {y0}–{y0 + n - 1}, columns {x0}–{x0 + n - 1} of the {h} × {w} map (preview)"
    original = None
    if chosen == 3:  # the focused filter's conv map: the only one computed again at full resolution
        if right.toggle("On the original photo (full resolution)", key=ORIGINAL,
                        help="Convolve the same filter over the same place of the photo at its full size. "
                             "Stride 1 and 'same' padding only."):
            original = _original_square(ctx, y0, x0, n)
            if original is None:
                right.caption("Only with stride 1 and 'same' padding: showing the preview's values.")
    if original is not None:
        square, (top, lft, fh, fw) = original
        where = (f"rows {top}–{top + n - 1}, columns {lft}–{lft + n - 1} of the {fh} × {fw} original "
                 "(computed now at full resolution, the same filter and padding)")
    rgb = (np.repeat(to_uint8(np.clip(square / pic.scale, 0, 1))[..., None], 3, axis=2) if pic.grey and
           pic.scale > 0 else colorize(square, pic.scale))
    right.image(_enlarged(rgb, LOUPE_SIDE), width="stretch", alt=map_text(square, "Loupe", scale=pic.scale),
                caption=f"Loupe: {where}; one square per value, colours ±{fmt(pic.scale)} as on the page, "
                        f"values {fmt(float(square.min()))} to {fmt(float(square.max()))}.")

