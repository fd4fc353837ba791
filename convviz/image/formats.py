"""Which file formats intake decodes, and recognising the ones it refuses by their first bytes.

The decision is made from the *content* (magic bytes), never from a file name or extension.

- :data:`ALLOWED_FORMATS` is the Pillow format allowlist passed to ``Image.open(..., formats=...)``: nothing
  else is ever parsed by a decoder (EPS would call Ghostscript; many other plugins are rarely fuzzed).
- :func:`refused_format` names formats that people do upload (HEIC photos, SVG drawings, PDF documents,
  EPS, ...) so the message can say what the file is and how to export it instead.
- :func:`allowed_format_name` names an allowed format whose signature is present, so that a file which
  starts like a PNG but fails to decode is reported as a *damaged PNG* rather than "not an image".

Examples
--------
>>> from convviz.image.formats import refused_format, allowed_format_name
>>> refused_format(b"%PDF-1.7 ...")[0]
'PDF'
>>> allowed_format_name(b"\\x89PNG\\r\\n\\x1a\\n....")
'PNG'
"""

from __future__ import annotations

# Pillow format IDs. JPEG covers MPO (phones' multi-picture JPEGs): Pillow's JPEG opener returns them.
ALLOWED_FORMATS: tuple[str, ...] = ("PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF")
# Pillow format ID -> the name people know (MPO is what Pillow calls a JPEG holding several pictures).
FORMAT_NAMES = {"PNG": "PNG", "JPEG": "JPEG", "MPO": "JPEG", "WEBP": "WebP", "GIF": "GIF", "BMP": "BMP",
                "TIFF": "TIFF"}

_EXPORT = "export it as JPEG or PNG"

# ISO base media ("ftyp" box) brands: HEIF/HEIC stills, AVIF stills, everything else is a video container.
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1",
                b"heif"}
_AVIF_BRANDS = {b"avif", b"avis"}

# (prefix, display name, advice) for formats recognised by a fixed signature at offset 0.
_REFUSED_PREFIXES: tuple[tuple[bytes, str, str], ...] = (
    (b"%!PS", "EPS/PostScript", _EXPORT),
    (b"\xc5\xd0\xd3\xc6", "EPS/PostScript", _EXPORT),  # DOS binary EPS header
    (b"8BPS", "Photoshop (PSD)", _EXPORT),
    (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "JPEG 2000", _EXPORT),
    (b"\xff\x4f\xff\x51", "JPEG 2000", _EXPORT),
    (b"\x00\x00\x00\x0cJXL \r\n\x87\n", "JPEG XL", _EXPORT),
    (b"\xff\x0a", "JPEG XL", _EXPORT),
    (b"PK\x03\x04", "ZIP archive (or Office document)", "upload the image itself, not a file containing it"),
)

_ALLOWED_PREFIXES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)

# Only the start of a file is looked at: signatures sit there, and PDF allows junk up to 1 KB before "%PDF-".
_SNIFF_BYTES = 1024


def refused_format(data: bytes) -> tuple[str, str] | None:
    """Return ``(name, advice)`` if `data` starts like a known format that intake refuses, else None."""
    head = data[:_SNIFF_BYTES]
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _AVIF_BRANDS:
            return "AVIF", _EXPORT
        if brand in _HEIF_BRANDS:
            return "HEIC/HEIF photo", _EXPORT + " (on iPhone: Settings > Camera > Formats > Most Compatible)"
        return "Video (MP4/MOV)", "upload a still image, for example a screenshot of the frame you want"
    for prefix, name, advice in _REFUSED_PREFIXES:
        if head.startswith(prefix):
            return name, advice
    if b"%PDF-" in head:
        return "PDF", "save the page or figure as a PNG or JPEG image"
    if _looks_like_svg(head):
        return "SVG", "export the drawing as PNG"
    return None


def _looks_like_svg(head: bytes) -> bool:
    """An XML/SVG text: starts (after a BOM and blanks) with ``<`` and mentions an ``<svg`` element."""
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return text.startswith(b"<") and b"<svg" in text.lower()


def allowed_format_name(data: bytes) -> str | None:
    """Return the allowed format whose signature starts `data` (``"PNG"``, ``"JPEG"``, ...), else None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    for prefix, name in _ALLOWED_PREFIXES:
        if data.startswith(prefix):
            return name
    return None


def looks_like_text(data: bytes) -> bool:
    """True if the start of `data` is printable UTF-8 text (a text file renamed to ``.png``, say)."""
    head = data[:_SNIFF_BYTES]
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the sniff boundary is still text.
        if exc.start < len(head) - 3:
            return False
        text = head[: exc.start].decode("utf-8")
    if not text:
        return False
    printable = sum(ch.isprintable() or ch in "\t\r\n\f" for ch in text)
    return printable >= 0.95 * len(text)
