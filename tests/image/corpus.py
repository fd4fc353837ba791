"""A hostile image corpus, generated in code (no downloaded fixtures), for the intake tests and benchmark.

Every builder returns the file's bytes. Pictures with known pixels come with the array the loader should
return, so tests can check values, not only shapes.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image, ImageCms

# The display operation each EXIF orientation asks for, and its inverse (what a camera stores).
# 6 = "the stored top row is the picture's right side": stored = upright turned 90 degrees anticlockwise.
STORED_FROM_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def encode(im: Image.Image, fmt: str, **params) -> bytes:
    """`im` saved as `fmt` into memory."""
    buf = io.BytesIO()
    im.save(buf, fmt, **params)
    return buf.getvalue()


def encode_frames(frames: list[Image.Image], fmt: str, **params) -> bytes:
    """An animated (or multi-page) file of `frames`."""
    return encode(frames[0], fmt, save_all=True, append_images=frames[1:], **params)


def asymmetric_rgb(height: int = 4, width: int = 6) -> np.ndarray:
    """``(H, W, 3)`` uint8 where every pixel differs: R counts along rows, G along columns, B is fixed."""
    yy, xx = np.mgrid[0:height, 0:width]
    return np.stack([yy * 40 + 10, xx * 40 + 10, np.full_like(yy, 77)], axis=2).astype(np.uint8)


def with_orientation(upright: np.ndarray, orientation: int, fmt: str = "PNG", **params) -> bytes:
    """The file a camera writes for the `upright` picture when it stores pixels with `orientation`."""
    im = Image.fromarray(upright)
    if orientation != 1:
        im = im.transpose(STORED_FROM_UPRIGHT[orientation])
    return encode(im, fmt, exif=orientation_exif(orientation), **params)


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG signature, a valid IHDR (8-bit RGB, right CRC) claiming `width` x `height`, IEND: no pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IEND", b"")


def srgb_icc() -> bytes:
    """LittleCMS's built-in sRGB profile, as the bytes a file would embed."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def photo_like(height: int, width: int, seed: int = 0, *, noise: float = 0.0) -> np.ndarray:
    """``(H, W, 3)`` uint8 like a photo: smooth gradients, per-row grain, plus per-pixel noise of std `noise`.

    With ``noise=0.03`` a 12 MP JPEG at quality 90 is a few MB, like a phone's; without it, ~2 MB.
    """
    rng = np.random.default_rng(seed)
    y = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    x = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :]
    img = np.empty((height, width, 3), dtype=np.float32)
    img[..., 0] = 0.5 + 0.4 * np.sin(6.0 * x + 2.0 * y)
    img[..., 1] = 0.3 + 0.5 * y * x
    img[..., 2] = 0.5 + 0.3 * np.cos(9.0 * y) * np.sin(4.0 * x)
    img += rng.normal(0.0, 0.02, size=(height, 1, 1)).astype(np.float32)  # per-row grain, cheap to draw
    if noise:
        img += rng.normal(0.0, noise, size=img.shape).astype(np.float32)
    return (np.clip(img, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def jpeg_12mp(quality: int = 90) -> bytes:
    """A 4000 x 3000 photo-like JPEG (12 megapixels), about what a phone writes."""
    return encode(Image.fromarray(photo_like(3000, 4000)), "JPEG", quality=quality)


# Files that people upload and intake refuses by name, as their first bytes.
UNSUPPORTED_MAGIC = {
    "HEIC": b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64),
    "AVIF": b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + bytes(64),
    "SVG": b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" '
           b'height="10"><rect width="10" height="10"/></svg>\n',
    "PDF": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
    "EPS": b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n",
    "PSD": b"8BPS\x00\x01" + bytes(64),
}


def small_valid_files() -> dict[str, bytes]:
    """One small valid file per allowed format (and a few modes), the seeds of the mutation test."""
    rgb = Image.fromarray(asymmetric_rgb(24, 32))
    return {
        "png-rgb": encode(rgb, "PNG"),
        "png-rgba": encode(rgb.convert("RGBA"), "PNG"),
        "png-16": encode(Image.fromarray(np.arange(24 * 32, dtype=np.uint16).reshape(24, 32) * 80), "PNG"),
        "jpeg": encode(rgb, "JPEG", quality=85, exif=orientation_exif(6)),
        "gif": encode_frames([rgb.convert("P"), rgb.transpose(Image.Transpose.ROTATE_180).convert("P")],
                             "GIF"),
        "webp": encode(rgb, "WEBP", quality=80),
        "bmp": encode(rgb, "BMP"),
        "tiff": encode(rgb, "TIFF", compression="tiff_lzw"),
        "tiff-float": encode(Image.fromarray(np.linspace(-1, 2, 24 * 32, dtype=np.float32).reshape(24, 32)),
                             "TIFF"),
    }


def orientation_exif(orientation: int) -> Image.Exif:
    """An EXIF block holding only the orientation tag."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif
