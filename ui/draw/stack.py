"""A volume as a stack of slices in 3D, drawn by the browser's CSS 3D transforms (no WebGL).

The plotly surfaces this replaces took 6-8 s to appear and 2-3 s per edit in a browser without a graphics
card (software WebGL), showed the top slice almost edge-on and pushed maps out of frame with 8 filters.
Here every slice is the map picture the page already has (by its URL), tilted by the same two rotations
and lifted by its depth, so the browser only composites K images: it appears with the page and an edit costs
what the thumbnails cost. The frame is sized from the projected footprint of the stack, so all K slices
are in view, each seen from above at :data:`TILT` degrees.

Only numbers, the pictures' URLs (made by the app, escaped here) and labels escaped here go into the HTML.
"""

from __future__ import annotations

import math
from html import escape

__all__ = ["TILT", "TURN", "stack_html"]

TILT = 58  # degrees the slices are tilted away from the viewer (0: seen face-on, 90: edge-on)
TURN = -32  # degrees the slices are turned about the vertical, so their sides show too
_PAD = 14  # pixels around the stack
_LABEL = "position:absolute;font-size:0.9rem;color:#333;white-space:nowrap;transform:translateY(-50%)"


def stack_html(uris: list[str], labels: list[str], hw: tuple[int, int], *, width: int = 300,
               max_height: int = 560, title: str = "") -> str:
    """K pictures stacked bottom (first) to top (last) as one self-contained HTML block.

    Parameters
    ----------
    uris : list of str
        The slices' pictures (URLs or ``data:`` URIs), first at the bottom.
    labels : list of str
        One label per slice, written beside it (escaped here).
    hw : (int, int)
        Height and width of a slice (its aspect ratio).
    width : int, optional
        Width of one slice in CSS pixels before tilting.
    max_height : int, optional
        The block's height limit: slices are drawn closer together (and smaller) to stay within it.
    title : str, optional
        A caption under the stack (escaped here).

    Returns
    -------
    str
        HTML with class ``cv-stack``; each slice is an ``img`` of class ``cv-slice``.

    Examples
    --------
    >>> html = stack_html(["data:image/png;base64,AA=="] * 3, ["1", "2", "3"], (10, 20))
    >>> html.count("cv-slice'"), "rotateX(58deg)" in html
    (3, True)
    """
    k = len(uris)
    h, w = hw
    tilt, turn = math.radians(TILT), math.radians(TURN)
    sw = float(width)
    sh = sw * h / max(w, 1)
    # Footprint on screen of one slice (turned, then tilted: heights shrink by cos(tilt)), and the rise of one
    # depth step (a step of `gap` along the slice's normal appears `gap * sin(tilt)` higher).
    fw = sw * abs(math.cos(turn)) + sh * abs(math.sin(turn))
    fh = (sw * abs(math.sin(turn)) + sh * abs(math.cos(turn))) * math.cos(tilt)
    gap = min(60.0, max(10.0, 0.6 * fh))
    rise = gap * math.sin(tilt)
    total = fh + rise * (k - 1)
    if total + 2 * _PAD > max_height:  # shrink everything to fit the frame
        f = (max_height - 2 * _PAD) / total
        sw, sh, fw, fh, gap, rise = sw * f, sh * f, fw * f, fh * f, gap * f, rise * f
        total = fh + rise * (k - 1)
    label_w = 120
    box_w, box_h = fw + 2 * _PAD + label_w, total + 2 * _PAD
    cx, cy0 = _PAD + fw / 2, box_h - _PAD - fh / 2  # screen centre of the bottom slice
    plane = (f"position:absolute;left:{cx - sw / 2:.1f}px;top:{cy0 - sh / 2:.1f}px;width:{sw:.1f}px;"
             f"height:{sh:.1f}px;transform-style:preserve-3d;transform:rotateX({TILT}deg) rotateZ({TURN}deg)")
    slices, names = [], []
    for i, (uri, label) in enumerate(zip(uris, labels, strict=True)):
        slices.append(f"<img class='cv-slice' alt='{escape(label)}' src='{escape(uri, quote=True)}' "
                      "style='position:absolute;left:0;top:0;width:100%;height:100%;"
                      f"transform:translateZ({i * gap:.1f}px);outline:1px solid #555;opacity:0.96'>")
        names.append(f"<div style='{_LABEL};left:{cx + fw / 2 + 8:.1f}px;top:{cy0 - i * rise:.1f}px'>"
                     f"{escape(label)}</div>")
    caption = (f"<div style='text-align:center;font-size:0.95rem;color:#333'>{escape(title)}</div>"
               if title else "")
    return (f"<div class='cv-stack' style='position:relative;width:{box_w:.0f}px;max-width:100%;"
            f"height:{box_h:.0f}px;margin:0 auto;perspective:4000px'>"
            f"<div style='{plane}'>{''.join(slices)}</div>{''.join(names)}</div>{caption}")
