"""Shared drawing helpers: turn arrays into pictures that tell the truth about their values.

Signed maps use one diverging, colour-blind-safe ramp (ColorBrewer PuOr: purple for negative, near-white
for zero, orange for positive), built once as a 256-entry lookup table. A scale ``s > 0`` maps ``-s`` to the
darkest purple, ``0`` to the middle and ``+s`` to the darkest orange, so equal colours mean equal values
within one scale. Pictures for the browser are display-sized and JPEG-encoded (a few milliseconds), never
full-resolution PNGs.
"""

from __future__ import annotations

import base64
import functools
import html
import re
import unicodedata

import cv2
import numpy as np

#: ColorBrewer PuOr (11 classes), from the most negative (purple) to the most positive (orange).
_PUOR_ANCHORS = (
    "#2d004b", "#542788", "#8073ac", "#b2abd2", "#d8daeb", "#f7f7f7",
    "#fee0b6", "#fdb863", "#e08214", "#b35806", "#7f3b08",
)
#: Longest side of a map picture in the page, in pixels (about the width it is shown at).
DISPLAY_SIDE = 512
#: Maps smaller than this are enlarged with nearest-neighbour so their pixels show as crisp blocks.
MIN_DISPLAY_SIDE = 192
JPEG_QUALITY = 90
#: Maps (smooth colour ramps) at 85 with optimised Huffman tables are 40 % smaller than at 90 without, with
#: no visible change at the size shown (the CNN page's maps; the Lab's use ui.lab.maps.JPEG_QUALITY).
MAP_JPEG_QUALITY = 85
SWATCH_SIDE = 96  # pixels of the focused filter's swatch


def _build_lut() -> np.ndarray:
    """The diverging ramp as a ``(256, 3)`` uint8 RGB table (linear interpolation between the anchors).

    Index ``128 + round(127 * v / s)`` holds the colour of value ``v`` on scale ``s``: zero sits exactly on
    the neutral middle anchor and the ramp is symmetric (index 0 repeats index 1).
    """
    anchors = np.array([[int(h[i:i + 2], 16) for i in (1, 3, 5)] for h in _PUOR_ANCHORS], dtype=np.float64)
    pos = np.linspace(-1.0, 1.0, len(anchors))
    t = np.clip((np.arange(256) - 128) / 127.0, -1.0, 1.0)  # index 128 is exactly zero; 1 and 255 are -s, +s
    lut = np.stack([np.interp(t, pos, anchors[:, c]) for c in range(3)], axis=1)  # (256, 3)
    return np.round(lut).astype(np.uint8)


DIVERGING_LUT = _build_lut()
DIVERGING_LUT.setflags(write=False)
# The same table for cv2.applyColorMap (BGR, (256, 1, 3)): 10x faster than fancy indexing here.
_LUT_BGR = np.ascontiguousarray(DIVERGING_LUT[:, ::-1]).reshape(256, 1, 3)


def to_uint8(image: np.ndarray) -> np.ndarray:
    """Convert an ``(H, W, 3)`` or ``(H, W)`` float image in [0, 1] to uint8 for display (clipped)."""
    return (np.clip(image, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def tint_channel(image: np.ndarray, channel: int) -> np.ndarray:
    """Show channel `channel` of an ``(H, W, 3)`` image in its own colour: ``(H, W, 3)`` uint8.

    The other two channels are zero, so a red plane looks red and its brightness is the channel value.
    """
    out = np.zeros(image.shape[:2] + (3,), dtype=np.uint8)
    out[..., channel] = to_uint8(image[..., channel])
    return out


def symmetric_scale(*maps: np.ndarray) -> float:
    """The largest absolute value over `maps` (0.0 when all are zero): the half-width of a centred scale."""
    return max((float(np.max(np.abs(m))) if m.size else 0.0) for m in maps) if maps else 0.0


def value_range(m: np.ndarray) -> tuple[float, float]:
    """``(min, max)`` of a map as Python floats."""
    return float(np.min(m)), float(np.max(m))


def display_size(h: int, w: int, side: int = DISPLAY_SIDE) -> tuple[int, int]:
    """``(h, w)`` of the picture of an ``h x w`` map: longest side at most `side`, tiny maps enlarged."""
    longest = max(h, w)
    if longest > side:
        f = side / longest
    elif longest < MIN_DISPLAY_SIDE:
        f = float(max(1, MIN_DISPLAY_SIDE // longest))
    else:
        return h, w
    return max(1, round(h * f)), max(1, round(w * f))


def fit_for_display(a: np.ndarray, side: int = DISPLAY_SIDE) -> np.ndarray:
    """Resize an ``(H, W)`` or ``(H, W, 3)`` array to its display size.

    Shrinking averages areas (``cv2.INTER_AREA``: a fair summary of many values per screen pixel);
    enlarging repeats pixels (nearest), so a 4 x 4 map shows 16 crisp squares.
    """
    h, w = a.shape[:2]
    dh, dw = display_size(h, w, side)
    if (dh, dw) == (h, w):
        return a
    interp = cv2.INTER_AREA if dh < h else cv2.INTER_NEAREST
    return cv2.resize(a, (dw, dh), interpolation=interp)


def lut_index(m: np.ndarray, scale: float) -> np.ndarray:
    """``(H, W)`` uint8 ramp indices of a signed map (see :func:`_build_lut`); all 128 when scale is 0."""
    m = np.asarray(m, dtype=np.float32)
    if not scale > 0:  # an all-zero map: the neutral colour, never a division by zero
        return np.full(m.shape, 128, dtype=np.uint8)
    # saturate(|m * a + b|), rounded: one fast pass. The index is non-negative for m >= -scale, so the
    # absolute value only misplaces values below -scale, which belong at index 0 (clipped).
    idx = cv2.convertScaleAbs(m, alpha=127.0 / scale, beta=128.0)
    below = m < -scale
    if below.any():
        idx[below] = 0
    return idx


def _colorize_bgr(m: np.ndarray, scale: float) -> np.ndarray:
    return cv2.applyColorMap(lut_index(m, scale), _LUT_BGR)  # (H, W, 3) BGR


def colorize(m: np.ndarray, scale: float) -> np.ndarray:
    """Colour a signed ``(H, W)`` map on the diverging ramp centred on zero: ``(H, W, 3)`` uint8 RGB.

    Parameters
    ----------
    m : ndarray, shape (H, W)
        Any real values.
    scale : float
        Values at ``-scale`` and ``+scale`` get the end colours (beyond them: clipped). A scale of 0 (an
        all-zero map) draws everything in the neutral middle colour instead of dividing by zero.

    Examples
    --------
    >>> colorize(np.array([[-1.0, 0.0, 1.0]], dtype=np.float32), 1.0)[0].tolist()
    [[45, 0, 75], [247, 247, 247], [127, 59, 8]]
    """
    return _colorize_bgr(m, scale)[..., ::-1]


def encode_jpeg(rgb: np.ndarray, quality: int = JPEG_QUALITY, *, bgr: bool = False) -> bytes:
    """JPEG bytes of an ``(H, W, 3)`` uint8 RGB (or, with ``bgr=True``, BGR) picture (~1 ms for 512 x 384).

    Huffman tables are optimised for the picture: the same pixels in 15-30 % fewer bytes (~0.15 ms more).
    """
    pixels = rgb if bgr else rgb[..., ::-1]
    params = [cv2.IMWRITE_JPEG_QUALITY, quality, cv2.IMWRITE_JPEG_OPTIMIZE, 1]
    ok, buf = cv2.imencode(".jpg", np.ascontiguousarray(pixels), params)
    if not ok:  # only for an empty or malformed array, which callers never pass
        raise ValueError(f"cannot encode a picture of shape {rgb.shape} as JPEG")
    return buf.tobytes()


def data_uri(data: bytes, mime: str = "image/jpeg") -> str:
    """`data` as a ``data:`` URI (base64), for pictures inlined in HTML or plotly figures."""
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def encode_png(rgb: np.ndarray) -> bytes:
    """PNG bytes of an ``(H, W, 3)`` uint8 RGB picture (lossless; for downloads, not live display)."""
    ok, buf = cv2.imencode(".png", np.ascontiguousarray(rgb[..., ::-1]))
    if not ok:
        raise ValueError(f"cannot encode a picture of shape {rgb.shape} as PNG")
    return buf.tobytes()


def map_picture(m: np.ndarray, scale: float, side: int = DISPLAY_SIDE) -> bytes:
    """A signed ``(H, W)`` map as display-sized JPEG bytes on the diverging ramp (see :func:`colorize`)."""
    return encode_jpeg(_colorize_bgr(fit_for_display(m, side), scale), MAP_JPEG_QUALITY, bgr=True)


def image_picture(rgb: np.ndarray, side: int = DISPLAY_SIDE) -> bytes:
    """An ``(H, W, 3)`` float image in [0, 1] or uint8 as display-sized JPEG bytes."""
    pic = rgb if rgb.dtype == np.uint8 else to_uint8(rgb)
    return encode_jpeg(fit_for_display(pic, side))


def swatch(weights: np.ndarray) -> np.ndarray:
    """One filter ``(kh, kw, 3)`` as an RGB picture ``(kh, kw, 3)`` uint8: each tap's 3 weights as a colour.

    Weights are scaled by the filter's largest absolute weight ``s``: ``-s`` is 0, zero is mid-grey (128)
    and ``+s`` is 255 in each channel, so a tap that only likes red is reddish and an all-zero filter is
    flat grey.

    Examples
    --------
    >>> swatch(np.array([[[1.0, 0.0, -1.0]]]))[0, 0].tolist()
    [255, 128, 0]
    """
    w = np.asarray(weights, dtype=np.float64)
    s = float(np.abs(w).max()) if w.size else 0.0
    unit = w / s if s > 0 else np.zeros_like(w)  # an all-zero filter: mid-grey, not a division by zero
    return np.clip(np.round(127.5 + 127.5 * unit), 0, 255).astype(np.uint8)


def swatch_picture(weights: np.ndarray, side: int = SWATCH_SIDE) -> np.ndarray:
    """:func:`swatch` enlarged with crisp square taps to about `side` pixels: ``(side', side', 3)`` uint8."""
    pic = swatch(weights)
    f = max(1, side // max(pic.shape[:2]))
    return np.repeat(np.repeat(pic, f, axis=0), f, axis=1)  # (kh * f, kw * f, 3)


@functools.cache
def colorbar_picture(width: int = 512, height: int = 22) -> bytes:
    """The diverging ramp as a horizontal bar, negative on the left (the legend of every signed map).

    Cached: the bar never changes, so it is encoded once per size.
    """
    bar = np.broadcast_to(DIVERGING_LUT[None, :, :], (height, 256, 3))
    bar = cv2.resize(np.ascontiguousarray(bar), (width, height), interpolation=cv2.INTER_LINEAR)
    bar[:, width // 2 - 1:width // 2 + 1] = 0  # a thin black tick at zero
    return encode_png(bar)


#: Characters Markdown (and Streamlit's additions: ``:red[..]``, ``:material/x:``, ``$..$``) gives a meaning.
_MD_SPECIALS = frozenset("\\`*_{}[]()#+-.!|~$:=&\"'")
#: HTML openers become entities (a backslash would leave ``<img`` in the text).
_MD_ENTITIES = {"<": "&lt;", ">": "&gt;"}


def _invisible(ch: str) -> str | None:
    """The visible stand-in of an invisible or direction-changing character, or None for a plain one.

    Line breaks and tabs become spaces (a quoted name stays one line, so it cannot open a heading, list or
    code block); control and format characters (bidi overrides U+202A-U+202E, isolates U+2066-U+2069,
    zero-width U+200B-U+200D, U+FEFF, ...) are shown as their code point, so a name that would reorder or
    hide text reads as what it is.
    """
    if ch in "\t\n\r\v\f\u2028\u2029\x85":
        return " "
    if unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs", "Zl", "Zp"):
        return f"⟨U+{ord(ch):04X}⟩"
    return None


def html_text(text: object) -> str:
    """User-controlled text for HTML (plotly labels, ``unsafe_allow_html`` blocks): tags shown as text.

    >>> html_text("<a href='//x'>a</a>\\u202e")
    '&lt;a href=&#x27;//x&#x27;&gt;a&lt;/a&gt;⟨U+202E⟩'
    """
    return html.escape("".join(ch if (shown := _invisible(ch)) is None else shown for ch in str(text)))


def md_escape(text: object) -> str:
    """User-controlled text (links, file names, filter and class names, JSON keys) as literal Markdown.

    Every Markdown special is backslash-escaped (so ``[a](//x)`` and ``![](//x)`` stay text), ``<`` and
    ``>`` become entities (no HTML tag or ``<https://x>`` autolink survives), invisible characters are
    shown by :func:`_invisible`, and what GitHub Markdown would turn into a link by itself (``https://x``,
    ``www.x.com``, ``a@b.cd``: Streamlit finds these after escapes are read) is shown as inline code. The one
    escaper for every message that quotes user text.

    Parameters
    ----------
    text : object
        The user's text (anything else is converted with ``str``, e.g. an exception).

    Returns
    -------
    str
        Markdown that renders as the text, on one line.

    Examples
    --------
    >>> md_escape("*bold* [x](y)")
    '\\\\*bold\\\\* \\\\[x\\\\]\\\\(y\\\\)'
    >>> md_escape("<img src=x>")
    '&lt;img src\\\\=x&gt;'
    >>> md_escape("see https://x.io now")
    'see `https://x.io` now'
    >>> md_escape("a\\u202eb")
    'a⟨U\\\\+202E⟩b'
    """
    visible = "".join(ch if (shown := _invisible(ch)) is None else shown for ch in str(text))
    out, last = [], 0
    for match in _LINKABLE.finditer(visible):  # no backtick inside a match: a one-backtick code span
        out += [_escape_plain(visible[last:match.start()]), f"`{match.group()}`"]
        last = match.end()
    out.append(_escape_plain(visible[last:]))
    return "".join(out)


#: What GitHub Markdown links without brackets (URLs from ``http(s)://`` or ``www.``, e-mail addresses),
#: stopped before characters that could close a code span or open markup.
_LINKABLE = re.compile(r"(?:https?://|www\.)[^\s<>\[\]()`]*|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)


def _escape_plain(text: str) -> str:
    """`text` (already visible) with every Markdown special escaped and ``<``, ``>`` as entities."""
    return "".join("\\" + ch if ch in _MD_SPECIALS else _MD_ENTITIES.get(ch, ch) for ch in text)
