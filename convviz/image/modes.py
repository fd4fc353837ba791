"""Explicit rules that turn every Pillow pixel mode into RGB (or gray) pixels with a known range.

Rules, by Pillow mode of the decoded (first) frame:

============================  ==============================================================================
mode                          rule
============================  ==============================================================================
``RGB``                       kept (8 bit, divided by 255 later)
``L``                         gray: kept as one plane, repeated into three equal channels at the end
``1``                         bilevel: black 0, white 1 (gray)
``RGBA``, ``LA``, ``PA``,     alpha composited onto **white** (:data:`BACKGROUND`), then dropped; colours
``P``/``L``/``RGB`` + tRNS    hidden under transparent pixels would otherwise show up as fake edges. The
                              colours are premultiplied by alpha first, so intake can downscale them with
                              alpha and composite the small result (an area average of premultiplied
                              colours is exact): a big RGBA file never has a full-size composited copy
``P``                         palette looked up to RGB
``RGBX``, ``YCbCr``, ...      converted to RGB by Pillow
``CMYK``                      through its embedded ICC profile to sRGB if it has one, else Pillow's
                              approximate formula (R = 255 - C - K, ...)
``I;16`` (16-bit gray)        divided by 65535: the full 16-bit range and precision are kept (never clipped
                              at 255); a 12-bit scan stored in 16 bits therefore looks dark, as it should
``I`` (32-bit int)            values within 0..65535 are read as 16-bit (Pillow opens some 16-bit files as
                              ``I``); otherwise the actual minimum..maximum is stretched to 0..1
``F`` (32-bit float)          kept if every value is within 0..1, else the actual minimum..maximum is
                              stretched to 0..1; NaN or infinity is refused. Stretches write float32 in
                              bands of rows (float64 only within a band): no full-size float64 copy
============================  ==============================================================================

Pillow itself reduces 16-bit-per-channel colour PNG/TIFF to 8-bit ``RGB``/``RGBA`` when it opens them.

ICC profiles are handled the same way for every colour file: an embedded profile of the right colour
space (RGB for RGB-like modes, CMYK for CMYK) converts the pixels to sRGB with LittleCMS (perceptual
intent); an unreadable or mismatched profile, or one on a gray image, is ignored and the info says so.

Examples
--------
>>> import numpy as np
>>> from PIL import Image
>>> px = to_pixels(Image.new("LA", (4, 3), (0, 0)))
>>> px.array.shape, px.grayscale, px.premultiplied, px.array[0, 0].tolist()
((3, 4, 2), True, True, [0, 0])
>>> to_float01(composite_on_white(px.array), px.scale).shape
(3, 4, 3)
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from convviz.image.errors import not_finite, unsupported_mode

try:  # LittleCMS is part of every Pillow wheel, but a source build may lack it: then profiles are ignored.
    from PIL import ImageCms
except ImportError:  # pragma: no cover - depends on how Pillow was built
    ImageCms = None

# Transparent pixels become white, like a drawing on paper (and like most image viewers show them).
BACKGROUND = 255
#: The channels of every image convviz computes on, in order: an RGB image is a stack of three planes.
CHANNEL_NAMES = ("R", "G", "B")

_SIXTEEN_BIT = {"I;16", "I;16L", "I;16B", "I;16N"}
_GRAY_MODES = {"1", "L", "LA", "La", "I", "F"} | _SIXTEEN_BIT
_ICC_SPACE = {"RGB": "RGB", "CMYK": "CMYK"}  # Pillow working mode -> ICC colour space ("xcolor_space")


@dataclass
class Pixels:
    """Decoded pixels before resizing: ``array`` is ``(H, W)`` (gray) or ``(H, W, 3)``; ``array / scale``
    is in [0, 1]. ``rgb_icc`` is an RGB ICC profile still to be applied (after resizing, where it is cheap).
    With ``premultiplied``, ``array`` is uint8 ``(H, W, 2)`` or ``(H, W, 4)``: colours times alpha / 255,
    then alpha, for :func:`composite_on_white` (after resizing).
    """

    array: np.ndarray
    scale: float
    grayscale: bool
    alpha_flattened: bool = False
    premultiplied: bool = False
    icc: str = "none"
    rgb_icc: bytes | None = None
    notes: list[str] = field(default_factory=list)


def to_pixels(im: Image.Image) -> Pixels:
    """Apply the mode rules of this module to a loaded Pillow image (see the table above)."""
    mode = im.mode
    if mode in _SIXTEEN_BIT:
        px = Pixels(np.asarray(im).astype(np.uint16, copy=False), 65535.0, True)  # any byte order -> native
        px.notes.append("16-bit image: values were divided by 65535, keeping its full range and precision.")
    elif mode == "I":
        px = _int32_pixels(np.asarray(im))
    elif mode == "F":
        px = _float_pixels(np.asarray(im, dtype=np.float32))
    elif mode == "1":
        px = Pixels(np.asarray(im).astype(np.uint8) * np.uint8(255), 255.0, True)  # bool -> 0 / 255
        px.notes.append("Black-and-white (1-bit) image: black is 0 and white is 1.")
    elif _has_alpha(im):
        px = _flatten_alpha(im)
    elif mode == "L":
        px = Pixels(np.asarray(im), 255.0, True)
    elif mode == "CMYK":
        px = _cmyk_pixels(im)
    else:
        px = Pixels(np.asarray(_convert(im, "RGB")), 255.0, False)
        if mode == "P":
            px.notes.append("Palette image: colours were looked up in its palette.")
    if px.grayscale:
        px.notes.append("Grayscale image: the red, green and blue channels are equal.")
    if px.icc == "none" and im.info.get("icc_profile"):
        px.icc, px.rgb_icc = _rgb_profile_or_ignore(px, im.info["icc_profile"])
    return px


def _convert(im: Image.Image, mode: str) -> Image.Image:
    try:
        return im if im.mode == mode else im.convert(mode)
    except ValueError as exc:  # Pillow: "conversion from X to Y not supported"
        raise unsupported_mode(im.mode) from exc


def _has_alpha(im: Image.Image) -> bool:
    return im.mode in ("RGBA", "RGBa", "LA", "La", "PA") or (
        im.mode in ("L", "RGB", "P") and "transparency" in im.info
    )


def _flatten_alpha(im: Image.Image) -> Pixels:
    """Premultiply the colours by alpha, for :func:`composite_on_white` after resizing.

    Pillow's ``RGBa``/``La`` modes hold ``round(c * a / 255)`` (exact rounding, in C: 0.2 s at 49 MP, where
    the same in NumPy took 1.7 s).
    """
    gray = im.mode in ("L", "LA", "La")
    with_alpha = _convert(im, "LA" if gray else "RGBA")  # applies tRNS / palette transparency
    array = np.asarray(_convert(with_alpha, "La" if gray else "RGBa"))  # (H, W, 2) or (H, W, 4) uint8
    px = Pixels(array, 255.0, gray, alpha_flattened=True, premultiplied=True)
    px.notes.append("Transparent areas were filled with white, then the transparency was dropped.")
    return px


def composite_on_white(array: np.ndarray) -> np.ndarray:
    """Premultiplied ``(H, W, 2 or 4)`` uint8 -> ``(H, W)`` or ``(H, W, 3)`` uint8 over white.

    ``out = a * c + (1 - a) * white`` is ``premultiplied + (255 - a)`` with white = 255; it never exceeds
    255 because ``round(c * a / 255) <= a``, also after area averaging (which keeps that order).
    """
    colour, alpha = array[..., :-1], array[..., -1:]
    out = colour + (np.uint8(BACKGROUND) - alpha)  # uint8 throughout
    return out[..., 0] if out.shape[2] == 1 else out


def _bands(height: int, row_elements: int, budget: int = 1 << 20):
    """Slices of rows holding about `budget` elements each, to bound temporaries of per-row arithmetic."""
    step = max(1, budget // max(1, row_elements))
    return (slice(top, top + step) for top in range(0, height, step))


def _int32_pixels(values: np.ndarray) -> Pixels:
    lo, hi = int(values.min()), int(values.max())
    if lo >= 0 and hi <= 65535:
        px = Pixels(values.astype(np.uint16), 65535.0, True)
        px.notes.append("32-bit integer image with 16-bit values: values were divided by 65535.")
        return px
    return _stretched(values, lo, hi, "32-bit integer")


def _float_pixels(values: np.ndarray) -> Pixels:
    if not np.isfinite(values).all():
        raise not_finite()
    lo, hi = float(values.min()), float(values.max())
    if lo >= 0.0 and hi <= 1.0:
        px = Pixels(values, 1.0, True)
        px.notes.append("32-bit float image: values were already between 0 and 1 and are kept as they are.")
        return px
    return _stretched(values, lo, hi, "32-bit float")


def _stretched(values: np.ndarray, lo: float, hi: float, kind: str) -> Pixels:
    """Map the actual range lo..hi linearly onto 0..1 into float32, band by band.

    Each band is computed in float64 (int32 spans lose digits in float32), so the only full-size array
    is the float32 result.
    """
    out = np.empty(values.shape, dtype=np.float32)
    if hi > lo:
        for rows in _bands(values.shape[0], values.shape[1]):
            out[rows] = (values[rows].astype(np.float64) - lo) / (hi - lo)
    else:  # a constant picture has no range to stretch: show it as mid-gray
        out.fill(0.5)
    px = Pixels(out, 1.0, True)
    px.notes.append(f"{kind} image with values from {lo:g} to {hi:g}: that range was stretched to 0..1.")
    return px


def _cmyk_pixels(im: Image.Image) -> Pixels:
    icc = im.info.get("icc_profile")
    if icc:
        converted = _icc_transform(im, icc, "CMYK")
        if converted is not None:
            px = Pixels(np.asarray(converted), 255.0, False, icc="converted")
            px.notes.append("CMYK image: colours were converted to sRGB with its ICC profile.")
            return px
    px = Pixels(np.asarray(im.convert("RGB")), 255.0, False, icc="ignored" if icc else "none")
    px.notes.append("CMYK image: colours were converted to RGB approximately (they may look slightly off).")
    return px


def _rgb_profile_or_ignore(px: Pixels, icc: bytes) -> tuple[str, bytes | None]:
    """Decide what an embedded profile does for a non-CMYK image: keep an RGB profile for later, or ignore."""
    if px.grayscale:
        px.notes.append("The image's ICC colour profile was ignored (it is a grayscale image).")
        return "ignored", None
    if _profile_space(icc) != "RGB":
        px.notes.append("The image's ICC colour profile could not be used and was ignored.")
        return "ignored", None
    return "converted", icc


def _profile_space(icc: bytes) -> str | None:
    """The profile's colour space ("RGB", "CMYK", "GRAY", ...), or None if LittleCMS cannot read it."""
    if ImageCms is None:
        return None
    try:
        return ImageCms.ImageCmsProfile(io.BytesIO(icc)).profile.xcolor_space.strip()
    except Exception:  # noqa: BLE001 - any failure to parse untrusted profile bytes means "unreadable"
        return None


def _icc_transform(im: Image.Image, icc: bytes, space: str) -> Image.Image | None:
    """Convert `im` (mode == `space`) from its profile to sRGB, or None if the profile cannot be used."""
    if _profile_space(icc) != space:
        return None
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        srgb = ImageCms.createProfile("sRGB")
        transform = ImageCms.buildTransform(
            source, srgb, space, "RGB", renderingIntent=ImageCms.Intent.PERCEPTUAL
        )
        return ImageCms.applyTransform(im, transform)
    except Exception:  # noqa: BLE001 - a profile LittleCMS parses but cannot build a transform from
        return None


def apply_rgb_icc(rgb: np.ndarray, icc: bytes) -> np.ndarray | None:
    """Convert ``(H, W, 3)`` uint8 `rgb` from the RGB profile `icc` to sRGB; None if that fails."""
    out = _icc_transform(Image.fromarray(rgb, "RGB"), icc, "RGB")
    return None if out is None else np.asarray(out)


# EXIF orientation -> the operation that turns the stored pixels upright (TIFF/EXIF tag 0x0112).
# 2 mirror, 3 rotate 180, 4 flip, 5 transpose, 6 rotate 90 clockwise, 7 transverse, 8 rotate 90 anticlockwise.
_ORIENT = {
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1],
    5: lambda a: np.swapaxes(a, 0, 1),
    6: lambda a: np.rot90(a, k=-1),
    7: lambda a: np.swapaxes(a[::-1, ::-1], 0, 1),
    8: lambda a: np.rot90(a, k=1),
}


def orient(array: np.ndarray, orientation: int) -> np.ndarray:
    """Return `array` (``(H, W)`` or ``(H, W, C)``) turned upright for EXIF `orientation` (1-8), as a view."""
    op = _ORIENT.get(orientation)
    return array if op is None else op(array)


def to_float01(array: np.ndarray, scale: float) -> np.ndarray:
    """``(H, W)`` or ``(H, W, 3)`` pixels divided by `scale` -> new ``(H, W, 3)`` float32 array in [0, 1]."""
    # An explicit C-ordered output: `array` may be a flipped or transposed view after `orient`.
    out = np.empty(array.shape, dtype=np.float32)
    np.divide(array, np.float32(scale), out=out)  # dividing (not * 1/255) maps 255 to exactly 1.0
    if out.ndim == 2:
        out = np.repeat(out[..., None], 3, axis=2)  # (H, W) -> (H, W, 3), equal channels
    if scale == 1.0:  # float input: resampling can round a hair outside the range
        np.clip(out, 0.0, 1.0, out=out)
    return out
