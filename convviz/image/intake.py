"""Image intake: any photo a user has becomes an ``(H, W, 3)`` float32 image in [0, 1], or a clear sentence.

:func:`load_image` accepts ``bytes``, a path, or a binary file-like object (Streamlit's ``UploadedFile``).
:func:`load_image_info` also returns an :class:`ImageInfo` saying what was done to the file.
:class:`ImageError` (a ``ValueError``) is the only exception raised for a bad file; its message is one
sentence the app can show as it is.

What happens, in order (nothing is ever written to disk; file names are never trusted):

1. at most 20 MB (the app's upload cap) are read, and the count is checked before any decoding; an empty
   file is refused;
2. the first bytes decide the format: PNG, JPEG, WebP, GIF, BMP and TIFF are decoded (Pillow allowlist),
   HEIC, AVIF, SVG, PDF, EPS, PSD, ... are refused by name;
3. before any pixel is decoded, the structure and header are checked (:mod:`convviz.image.limits`,
   :mod:`convviz.image.budgets`): each side 3 to 30,000 pixels, the long side at most 100 times the short
   one; at most 50 million pixels (16 million above 8 bits per sample, 1 million for RLE BMPs); at most
   100 JPEG scans, 50,000 PNG chunks, 200,000 GIF blocks; decoding stops after 2 seconds;
4. animated files (GIF, WebP, APNG, multi-page TIFF, multi-picture JPEG) give their first frame; big JPEGs
   are decoded at a reduced scale (libjpeg "draft") when that still covers `max_side`;
5. every pixel mode is converted by an explicit rule (:mod:`convviz.image.modes`): alpha composited onto
   white (after downscaling), 16-bit divided by 65535, gray repeated into three channels, ICC to sRGB;
6. the long side is reduced to `max_side` with area interpolation (``cv2.INTER_AREA``), keeping the aspect
   ratio; then the EXIF orientation turns the picture upright.

Examples
--------
>>> import io
>>> from PIL import Image
>>> buf = io.BytesIO()
>>> Image.new("RGBA", (4000, 3000), (255, 0, 0, 0)).save(buf, "PNG")
>>> image, info = load_image_info(buf.getvalue())
>>> image.shape, image.dtype, float(image.max())
((768, 1024, 3), dtype('float32'), 1.0)
>>> info.alpha_flattened, info.downscaled, info.original_width
(True, True, 4000)
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from convviz.image import errors as msg
from convviz.image.budgets import (
    DECODE_SECONDS,
    DeadlineReader,
    DecodeTimeout,
    check_pixels,
    check_structure,
)
from convviz.image.errors import ImageError
from convviz.image.formats import (
    ALLOWED_FORMATS,
    FORMAT_NAMES,
    allowed_format_name,
    looks_like_text,
    refused_format,
)
from convviz.image.limits import MAX_PIXELS, MIN_SIDE, check_max_side, check_size, read_source
from convviz.image.modes import apply_rgb_icc, composite_on_white, orient, to_float01, to_pixels

__all__ = ["ImageError", "ImageInfo", "load_image", "load_image_info"]

DEFAULT_MAX_SIDE = 1024


_ORIENTATION_TAG = 0x0112
_ORIENTATION_TEXT = {
    2: "mirrored left-right", 3: "rotated 180 degrees", 4: "flipped upside down",
    5: "mirrored across its diagonal", 6: "rotated 90 degrees clockwise",
    7: "mirrored across its other diagonal", 8: "rotated 90 degrees anticlockwise",
}
_BITS = {"1": 1, "I;16": 16, "I;16L": 16, "I;16B": 16, "I;16N": 16, "I": 32, "F": 32}


@dataclass(frozen=True)
class ImageInfo:
    """What intake found in the file and did to it (for the UI to tell the user).

    Attributes
    ----------
    format : str
        Pillow's format name, from the content: ``"PNG"``, ``"JPEG"``, ``"MPO"``, ``"WEBP"``, ``"GIF"``,
        ``"BMP"`` or ``"TIFF"``.
    mode : str
        Pillow's pixel mode of the decoded frame (``"RGB"``, ``"RGBA"``, ``"P"``, ``"I;16"``, ...).
    file_bytes : int
        Size of the file.
    original_width, original_height : int
        Size in pixels as the picture is meant to be seen (after the EXIF orientation), before scaling.
    shape : tuple of int
        ``(H, W, 3)`` of the returned image.
    bits : int
        Bits per sample of the decoded data: 1, 8, 16 or 32.
    orientation : int
        EXIF orientation tag, 1 (upright, or no tag) to 8; anything but 1 was turned upright.
    alpha_flattened : bool
        Transparency was composited onto white and dropped.
    grayscale : bool
        The file had one gray channel; the three returned channels are equal.
    downscaled : bool
        The long side was reduced to `max_side`.
    animated : bool
        The file held several frames or pages; only the first is used.
    icc : {"none", "converted", "ignored"}
        An embedded ICC colour profile: absent, applied (colours converted to sRGB), or ignored.
    notes : tuple of str
        One sentence per adjustment, ready to show.
    """

    format: str
    mode: str
    file_bytes: int
    original_width: int
    original_height: int
    shape: tuple[int, int, int]
    bits: int
    orientation: int
    alpha_flattened: bool
    grayscale: bool
    downscaled: bool
    animated: bool
    icc: str
    notes: tuple[str, ...]

    @property
    def orientation_fixed(self) -> bool:
        """True if the pixels were turned or mirrored to honour the EXIF orientation."""
        return self.orientation != 1

    def __repr__(self) -> str:
        flags = [name for name in ("orientation_fixed", "alpha_flattened", "grayscale", "downscaled",
                                   "animated") if getattr(self, name)]
        h, w, _ = self.shape
        return (f"ImageInfo({self.format} {self.mode} {self.bits}-bit, {self.original_width}x"
                f"{self.original_height} -> {w}x{h}, icc={self.icc}, {', '.join(flags) or 'as is'})")


def load_image(source, *, max_side: int | None = DEFAULT_MAX_SIDE) -> np.ndarray:
    """Decode an uploaded or stored image into the package's image convention.

    Parameters
    ----------
    source : bytes, str, os.PathLike or binary file-like
        The file's bytes; a path; or an object with ``getvalue()`` (its whole buffer is used, as for
        ``io.BytesIO`` and Streamlit's ``UploadedFile``) or ``read()`` (read from its current position).
    max_side : int or None, optional
        The longer side is scaled down to this many pixels if larger (aspect ratio kept, area
        interpolation); ``None`` keeps full resolution (at most 50 million pixels). At least 3.

    Returns
    -------
    image : ndarray, shape (H, W, 3), float32
        Values in [0, 1], upright, RGB (gray files give three equal channels), C-contiguous, writable.

    Raises
    ------
    ImageError
        The file cannot be used; the message is a sentence for the user.
    ValueError
        `source` is of the wrong type, or `max_side` is invalid.

    Examples
    --------
    >>> import io
    >>> from PIL import Image
    >>> buf = io.BytesIO()
    >>> Image.new("L", (6, 4), 255).save(buf, "PNG")
    >>> load_image(buf.getvalue()).shape
    (4, 6, 3)
    >>> load_image(b"")
    Traceback (most recent call last):
    ...
    convviz.errors.ImageError: The file is empty (0 bytes): please choose an image file.
    """
    return load_image_info(source, max_side=max_side)[0]


def load_image_info(source, *, max_side: int | None = DEFAULT_MAX_SIDE) -> tuple[np.ndarray, ImageInfo]:
    """Like :func:`load_image`, and also say what was done.

    Parameters
    ----------
    source : bytes, str, os.PathLike or binary file-like
        See :func:`load_image`.
    max_side : int or None, optional
        See :func:`load_image`.

    Returns
    -------
    image : ndarray, shape (H, W, 3), float32
        Values in [0, 1].
    info : ImageInfo
        Original size, format, mode, and every adjustment (orientation, alpha, scaling, ICC, ...).

    Examples
    --------
    >>> import io
    >>> from PIL import Image
    >>> buf = io.BytesIO()
    >>> Image.new("I;16", (5, 3), 65535).save(buf, "PNG")
    >>> image, info = load_image_info(buf, max_side=None)
    >>> image.shape, float(image.max()), info.bits, info.grayscale
    ((3, 5, 3), 1.0, 16, True)
    """
    max_side = check_max_side(max_side)
    data = read_source(source)
    with _open(data) as im:
        width, height = im.size
        check_size(width, height)
        check_pixels(im, data)
        fmt, mode = im.format, im.mode
        animated = _decode(im, fmt, max_side)
        orientation = _orientation(im)
        px = to_pixels(im)

    array = px.array  # (H, W) or (H, W, 3) as stored, before orientation
    if max_side is not None and max(array.shape[:2]) > max_side:
        array = _downscale(array, max_side)
    if px.premultiplied:  # alpha composited after downscaling: an average of premultiplied colours is exact
        array = composite_on_white(array)
    if px.rgb_icc is not None:
        converted = apply_rgb_icc(array, px.rgb_icc)
        if converted is None:
            px.icc = "ignored"
            px.notes.append("The image's ICC colour profile could not be used and was ignored.")
        else:
            array = converted
            px.notes.append("Colours were converted to sRGB using the image's ICC colour profile.")
    array = orient(array, orientation)
    image = to_float01(array, px.scale)  # (H, W, 3)

    if orientation != 1:
        px.notes.insert(0, f"Turned upright as its orientation tag asks ({_ORIENTATION_TEXT[orientation]}).")
    if animated:
        px.notes.insert(0, "This file holds several frames or pages: only the first one is used.")
    shown_w, shown_h = (height, width) if orientation >= 5 else (width, height)  # 5-8 swap the axes
    downscaled = image.shape[1] < shown_w
    if downscaled:
        new_h, new_w = image.shape[:2]
        px.notes.append(f"Scaled down from {shown_w} x {shown_h} to {new_w} x {new_h} pixels.")
    info = ImageInfo(
        format=fmt, mode=mode, file_bytes=len(data), original_width=shown_w, original_height=shown_h,
        shape=image.shape, bits=_BITS.get(mode, 8), orientation=orientation,
        alpha_flattened=px.alpha_flattened, grayscale=px.grayscale, downscaled=downscaled,
        animated=animated, icc=px.icc, notes=tuple(px.notes),
    )
    return image, info


def _open(data: bytes) -> Image.Image:
    """Open lazily (header only) from the allowlist, or raise the sentence that fits the content."""
    signature = allowed_format_name(data)
    if signature is None and (refused := refused_format(data)) is not None:
        raise msg.unsupported_format(*refused)
    check_structure(data, signature)
    try:  # the reader refuses to read on once DECODE_SECONDS have passed, during open and load alike
        return Image.open(DeadlineReader(data), formats=ALLOWED_FORMATS)
    except Image.DecompressionBombError as exc:  # Pillow's own guard, far above MAX_PIXELS
        raise msg.too_many_pixels(None, None, MAX_PIXELS) from exc
    except DecodeTimeout:
        raise msg.too_slow(DECODE_SECONDS) from None
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - any decoder failure on untrusted bytes means "cannot read"
        if looks_like_text(data):
            raise msg.text_not_image() from exc
        if signature is not None:
            raise msg.damaged(signature) from exc
        raise msg.not_an_image() from exc


def _decode(im: Image.Image, fmt: str, max_side: int | None) -> bool:
    """Load the first frame (JPEG at a reduced scale if that still covers `max_side`); True if animated."""
    try:
        animated = bool(getattr(im, "is_animated", False))
        width, height = im.size
        if fmt in ("JPEG", "MPO") and max_side is not None and max(width, height) > max_side:
            # libjpeg scales by 1/2, 1/4 or 1/8 while decoding, keeping the size >= the requested one.
            f = max_side / max(width, height)
            im.draft(None, (math.ceil(width * f), math.ceil(height * f)))
        im.load()
    except MemoryError:
        raise
    except DecodeTimeout:
        raise msg.too_slow(DECODE_SECONDS) from None
    except Exception as exc:  # noqa: BLE001 - truncated data, broken streams, decoder errors
        raise msg.damaged(FORMAT_NAMES.get(fmt, fmt)) from exc
    return animated


def _orientation(im: Image.Image) -> int:
    """EXIF orientation 1-8 (1 when absent, unreadable or out of range)."""
    try:
        value = im.getexif().get(_ORIENTATION_TAG, 1)
    except Exception:  # noqa: BLE001 - a malformed EXIF block only loses the orientation
        return 1
    return int(value) if isinstance(value, numbers.Integral) and 1 <= value <= 8 else 1


def _downscale(array: np.ndarray, max_side: int) -> np.ndarray:
    """Area-average the long side down to `max_side`, keeping the aspect (short side >= MIN_SIDE)."""
    h, w = array.shape[:2]
    f = max_side / max(h, w)
    size = (max(MIN_SIDE, round(w * f)), max(MIN_SIDE, round(h * f)))  # cv2 wants (width, height)
    return cv2.resize(array, size, interpolation=cv2.INTER_AREA)  # (h', w') or (h', w', 3)
