"""The HTML the Lab's map panels are made of: a map as a figure, rows of figures with operators between
them, a note where a step is off, and the colour legend.

Strings in, HTML out. Only numbers, fixed words and escaped text go into it: user text (filter names) is
written with Markdown elsewhere. Each figure's class names the map (``cv_map_sum``, ``cv_thumb_3``) for
browser tests.
"""

from __future__ import annotations

from html import escape

from convviz.numbers import fmt
from ui.draw.describe import colour_bar_text
from ui.draw.greys import grey_bar
from ui.draw.pictures import colorbar_picture, data_uri
from ui.draw.scale import BULK_PERCENTILE

__all__ = ["figure_html", "legend_html", "note_html", "op_html", "row_html"]

# Inline styles (constants only).
_FIG = "flex:1 1 0;min-width:0;margin:0"
_CAPTION = "font-size:0.95rem;color:#333;text-align:center;margin-top:2px;line-height:1.3"
_NOTE = "align-self:center;background:#eef4fb;color:#1d4f91;padding:12px;border-radius:6px;font-size:0.95rem"
_OP = "font-size:2.2rem;font-weight:700;text-align:center;padding:0 4px;align-self:center;line-height:1.1"
_ROW = "display:flex;gap:8px;align-items:flex-start;margin-bottom:10px"


def figure_html(container: str, url: str, size: tuple[int, int], alt: str, caption: str,
                before: str | None = None) -> str:
    """One map as ``<figure class='cv-map {container}'>``: its picture at `url` and a caption.

    Parameters
    ----------
    container : str
        The map's name, also its class (``cv_map_ch0`` ... ``cv_thumb_<k>``).
    url : str
        Where the picture loads from.
    size : (int, int)
        The picture's ``(height, width)`` in pixels: written on the ``img``, so its place is kept while
        it loads.
    alt, caption : str
        The text alternative and the caption (plain text; escaped here).
    before : str, optional
        The picture this place showed before (in the browser's cache): drawn as the background while the
        new one loads, so a changed map never flashes empty on a slow network.
    """
    h, w = size
    under = (f";background:url(&quot;{escape(before, quote=True)}&quot;) 0 0/100% 100% no-repeat"
             if before and before != url else "")
    return (f"<figure class='cv-map {container}' style='{_FIG}'><img src='{escape(url, quote=True)}' "
            f"width='{w}' height='{h}' "
            f"alt='{escape(alt, quote=True)}' "
            f"style='width:100%;height:auto;border-radius:4px;border:1px solid #ddd{under}'>"
            f"<figcaption style='{_CAPTION}'>{escape(caption)}</figcaption></figure>")


def note_html(text: str) -> str:
    """A note in the place of a map that is off (plain text)."""
    return f"<div style='{_FIG};{_NOTE}'>{escape(text)}</div>"


def op_html(markup: str) -> str:
    """An operator between figures (``+``, ``→``); `markup` is fixed HTML from the caller."""
    return f"<div style='{_OP}'>{markup}</div>"


def row_html(parts: str) -> str:
    """Figures, notes and operators side by side."""
    return f"<div style='{_ROW}'>{parts}</div>"


def legend_html(*, shared: float | None, rule: str, grey: bool, clipped: int = 0, size: int = 0) -> str:
    """The colour bar with its values (one `shared` scale) or how to read per-map colours (`shared` None),
    the scale's `rule` ("bulk" or "max") and, for "bulk", how many of the `size` shown values lie beyond it
    (`clipped`)."""
    ends = "black 0 · white +{s}" if grey else "purple −{s} · white 0 · orange +{s}"
    words = ("exact largest |value|" if rule == "max" else
             f"{BULK_PERCENTILE:g}th percentile of |values| away from the padding border")
    if shared is not None:
        text = f"Colours of every map: {ends.format(s=fmt(shared))} (scale: {words})"
    else:
        text = f"Colours per map: {ends.format(s='s')}, s in each caption (scale: {words})"
    if rule == "bulk":
        share = 100 * clipped / size if size else 0.0
        text += (f"; {share:.1f} % of the values shown lie beyond it, drawn at the end colours"
                 if clipped else "; no value shown lies beyond it")
    text += (". Shrunk maps keep each block's most extreme value (thin edges stay); [min, max] in the "
             "captions.")
    # One row of pixels, stretched to 18 px by the style: the same bar in 0.6 kB instead of 11 kB, which
    # every edit sends again inside the decomposition's HTML.
    bar = data_uri(grey_bar(height=1) if grey else colorbar_picture(height=1), mime="image/png")
    alt = ("Grey scale: black is 0, white is +" + fmt(shared) if grey and shared else
           "Grey scale: black is 0, white is the map's scale" if grey else colour_bar_text(shared))
    return (f"<figure style='margin:0 0 6px 0'><img src='{bar}' alt='{escape(alt, quote=True)}' "
            "style='width:100%;height:18px'>"
            f"<figcaption style='{_CAPTION}'>{escape(text)}</figcaption></figure>")
