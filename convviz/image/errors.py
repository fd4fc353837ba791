"""The one exception of image intake, and every sentence it can say.

All student-facing wording of :mod:`convviz.image.intake` lives here, so that it can be read (and reviewed) in
one place. Each builder returns an :class:`ImageError` whose message is a complete sentence the app shows
as it is.

Examples
--------
>>> from convviz.image.errors import ImageError, empty_file
>>> isinstance(empty_file(), ValueError)
True
>>> str(empty_file())
'The file is empty (0 bytes): please choose an image file.'
"""

from __future__ import annotations

from convviz.errors import ImageError

__all__ = ["ImageError"]

# Named once, in the wording of every "please upload ..." sentence.
SUPPORTED_FORMATS_TEXT = "PNG, JPEG, WebP, GIF, BMP or TIFF"



def _mb(n_bytes: int) -> str:
    """Byte count as megabytes the way upload limits are stated (1 MB = 1024 * 1024 bytes)."""
    return f"{n_bytes / (1024 * 1024):.1f} MB"


def _megapixels(n_pixels: int) -> str:
    value = f"{n_pixels / 1e6:.3g}"
    return f"{value} megapixel" if value == "1" else f"{value} megapixels"


def empty_file() -> ImageError:
    return ImageError("The file is empty (0 bytes): please choose an image file.")


def too_many_bytes(n_bytes: int | None, limit: int) -> ImageError:
    size = f"is {_mb(n_bytes)}" if n_bytes is not None else "is larger than that"
    return ImageError(
        f"The file {size}, but the limit is {_mb(limit)}: please upload a smaller image "
        "(saving it as JPEG usually helps)."
    )


def unreadable_path(path: str, reason: str) -> ImageError:
    return ImageError(f"The file {path!r} could not be read: {reason}.")


def unsupported_format(name: str, advice: str) -> ImageError:
    return ImageError(f"{name} files are not supported: {advice}.")


def text_not_image() -> ImageError:
    return ImageError(
        f"This file contains text, not an image (whatever its name says): please upload a "
        f"{SUPPORTED_FORMATS_TEXT} image."
    )


def not_an_image() -> ImageError:
    return ImageError(
        f"This file is not an image in a supported format: please upload a {SUPPORTED_FORMATS_TEXT} image."
    )


def damaged(format_name: str | None) -> ImageError:
    what = f"This {format_name} file" if format_name else "This image file"
    return ImageError(
        f"{what} is damaged or incomplete (for example, cut off during download) and could not be read: "
        "please save or export it again."
    )


# Size sentences, filled with the header's width and height and the limit that was crossed.
_SIZE_SENTENCES = {
    "too_small": "This image is only {width} x {height} pixels: each side must be at least {limit} pixels, "
                 "so that a {limit}x{limit} filter fits inside it.",
    "too_long_side": "This image is {width} x {height} pixels, but no side may be longer than {limit} "
                     "pixels: please scale it down before uploading.",
    "too_thin": "This image is {width} x {height} pixels, which is too thin: its long side may be at most "
                "{limit} times its short side. Please crop it to a less extreme shape.",
}


def bad_size(kind: str, width: int, height: int, limit: int) -> ImageError:
    """`kind` is "too_small" (limit: minimum side), "too_long_side" (maximum side) or "too_thin" (aspect)."""
    return ImageError(_SIZE_SENTENCES[kind].format(width=width, height=height, limit=limit))


def too_many_pixels(width: int | None, height: int | None, limit: int) -> ImageError:
    if width is None or height is None:  # Pillow's own guard fired before the size was known
        size = f"far more than {_megapixels(limit)}"
    else:
        size = f"{_megapixels(width * height)} ({width} x {height}), and the limit is {_megapixels(limit)}"
    return ImageError(f"This image is too large: it has {size}. Please scale it down before uploading.")


def not_finite() -> ImageError:
    return ImageError(
        "This image contains pixel values that are not numbers (NaN or infinity), so it cannot be shown: "
        "please export it with ordinary pixel values."
    )


def unsupported_mode(mode: str) -> ImageError:
    return ImageError(
        f"This image uses a colour mode ({mode}) that cannot be converted to RGB: please export it as an "
        "ordinary RGB PNG or JPEG."
    )


def too_complex(format_name: str, parts: str, limit: int) -> ImageError:
    """A file built to make the decoder loop: more than `limit` `parts` (scans, chunks, blocks, ...)."""
    return ImageError(
        f"This {format_name} file has more than {limit:,} {parts}, far more than ordinary images have, so "
        f"decoding it would take too long: please save or export it again as an ordinary {format_name} file."
    )


def rle_too_large(width: int, height: int, limit: int) -> ImageError:
    return ImageError(
        f"This BMP file is compressed with run-length encoding (RLE), which is slow to decode, and has "
        f"{_megapixels(width * height)} ({width} x {height}); the limit for such files is "
        f"{_megapixels(limit)}: please save it as PNG."
    )


def wide_too_many_pixels(width: int, height: int, bits: int, limit: int) -> ImageError:
    return ImageError(
        f"This {bits}-bit image is too large: it has {_megapixels(width * height)} ({width} x {height}), and "
        f"the limit for images with more than 8 bits per sample is {_megapixels(limit)}. Please scale it "
        "down, or save it with 8 bits per channel."
    )


def too_slow(seconds: float) -> ImageError:
    return ImageError(
        f"This image took longer than {seconds:g} seconds to decode, so decoding was stopped: please upload "
        "a smaller image, or save it again as an ordinary JPEG or PNG."
    )


def too_much_memory(width: int, height: int, n_bytes: int, limit: int) -> ImageError:
    return ImageError(
        f"This image is too large to decode: at {width} x {height} pixels its samples take "
        f"{n_bytes / 1e6:,.0f} MB, and the limit is {limit / 1e6:,.0f} MB. Please scale it down, or save it "
        "as JPEG."
    )
