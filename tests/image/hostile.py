"""Hostile images of issue 17, generated in code (a few lines each, no committed binaries).

Each builder returns a file's bytes; all are small to write (well under a second) and small on the wire,
but each cost the server seconds of CPU (or hundreds of MB) before intake learnt to refuse them by header:

- :func:`many_scan_jpeg`: a real progressive JPEG followed by thousands of empty 10-byte scans; libjpeg
  walks every block of the image for each scan (40,000 scans: 38 s);
- :func:`empty_idat_png`: a PNG whose pixel data is split over 1.5 million empty IDAT chunks, which Pillow
  reads one by one in Python (10 s, holding the GIL);
- :func:`float_tiff`: a 7000 x 7000 float32 TIFF, every strip pointing at the same uncompressed row
  (22 s and +1.3 GB RSS with float64 copies in the stretch);
- :func:`rgba_png`: a 16-bit RGBA PNG of 7000 x 7000, ~500 kB (~700 MB of RSS);
- :func:`rle8_bmp`: a 30000 x 1666 RLE8 BMP of ~7.7 kB, whose rows are all "end of line" codes that
  Pillow's pure-Python RLE decoder pads one byte at a time (6-10 s holding the GIL).
"""

from __future__ import annotations

import struct
import zlib

import numpy as np
from PIL import Image

from tests.image.corpus import _png_chunk, encode, photo_like

# An empty DC-refinement scan of component 1 (SOS, length 8, one component, tables 0/0, Ss=Se=0, Ah=1 Al=0):
# legal enough that libjpeg decodes it over every block of the image, 10 bytes each.
EMPTY_SCAN = b"\xff\xda\x00\x08\x01\x01\x00\x00\x00\x10"


def many_scan_jpeg(n_scans: int = 40_000, size: tuple[int, int] = (2000, 1500)) -> bytes:
    """A progressive JPEG of `size` (width, height) with `n_scans` empty scans inserted before its EOI."""
    base = encode(Image.fromarray(photo_like(size[1], size[0])), "JPEG", quality=80, progressive=True)
    assert base.endswith(b"\xff\xd9")
    return base[:-2] + EMPTY_SCAN * n_scans + b"\xff\xd9"


def empty_idat_png(n_chunks: int = 1_500_000, size: int = 64) -> bytes:
    """A valid `size` x `size` gray PNG whose pixels follow `n_chunks` empty IDAT chunks (~12 bytes each)."""
    ihdr = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    pixels = zlib.compress(bytes((size + 1) * size))  # filter byte 0 + a row of zeros, per row
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", b"") * n_chunks
            + _png_chunk(b"IDAT", pixels) + _png_chunk(b"IEND", b""))


def float_tiff(width: int = 7000, height: int = 7000) -> bytes:
    """An uncompressed float32 ("F") TIFF, one row per strip, every strip the same ramp from -1 to 2."""
    row = np.linspace(-1.0, 2.0, width, dtype="<f4").tobytes()
    entries = 10
    ifd_at = 8
    offsets_at = ifd_at + 2 + 12 * entries + 4
    counts_at = offsets_at + 4 * height
    row_at = counts_at + 4 * height
    tags = [  # (tag, type, count, value or offset); types: 3 SHORT, 4 LONG
        (256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, 32), (259, 3, 1, 1), (262, 3, 1, 1),
        (273, 4, height, offsets_at), (277, 3, 1, 1), (278, 4, 1, 1), (279, 4, height, counts_at),
        (339, 3, 1, 3),  # SampleFormat 3: IEEE float
    ]
    ifd = struct.pack("<H", entries) + b"".join(struct.pack("<HHII", *t) for t in tags) + struct.pack("<I", 0)
    return (b"II*\x00" + struct.pack("<I", ifd_at) + ifd + struct.pack(f"<{height}I", *[row_at] * height)
            + struct.pack(f"<{height}I", *[len(row)] * height) + row)


def rgba_png(width: int = 7000, height: int = 7000, bits: int = 16) -> bytes:
    """An RGBA PNG of `bits` per sample whose rows alternate transparent and opaque pixels.

    Every row is the same, compressed once with a full flush and repeated, so building even 7000 x 7000
    takes a fraction of a second and the file is a few hundred kB; decoded, it is hundreds of MB.
    """
    ihdr = struct.pack(">IIBBBBB", width, height, bits, 6, 0, 0, 0)
    pixel = b"\xff" * (bits // 8) * 4 + b"\x00" * (bits // 8) * 4  # opaque white, transparent black
    row = b"\x00" + (pixel * (width // 2 + 1))[: width * bits // 2]  # filter byte 0, 4 samples a pixel
    z = zlib.compressobj(9)
    first = z.compress(row) + z.flush(zlib.Z_FULL_FLUSH)  # zlib header + blocks that need no history
    adler = 1
    for _ in range(height):
        adler = zlib.adler32(row, adler)
    # The same flushed blocks once per row, then an empty final block and the checksum of all rows.
    body = first + first[2:] * (height - 1) + b"\x03\x00" + struct.pack(">I", adler)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", body)
            + _png_chunk(b"IEND", b""))


def with_jpeg_size(data: bytes, width: int, height: int) -> bytes:
    """A JPEG whose first frame header (SOF) claims `width` x `height` (its scans describe the old size)."""
    sof = min(data.index(m) for m in (b"\xff\xc0", b"\xff\xc2") if m in data)
    return data[: sof + 5] + struct.pack(">HH", height, width) + data[sof + 9:]


def jpeg_with_segments(n: int) -> bytes:
    """A small JPEG with `n` empty comment (COM) segments after its SOI, each parsed by Pillow in Python."""
    base = encode(Image.new("RGB", (64, 64), (9, 99, 200)), "JPEG")
    return base[:2] + b"\xff\xfe\x00\x02" * n + base[2:]


def jpeg_with_fill(n: int) -> bytes:
    """A small JPEG with `n` 0xFF fill bytes before its first marker, which Pillow skips one at a time."""
    base = encode(Image.new("RGB", (64, 64), (9, 99, 200)), "JPEG")
    return base[:2] + b"\xff" * n + base[2:]


def gif_with_comment_blocks(n: int) -> bytes:
    """A small GIF with a comment extension of `n` one-byte sub-blocks before its picture."""
    base = encode(Image.new("P", (64, 64)), "GIF")
    at = base.index(b"\x2c\x00\x00\x00\x00")  # the image descriptor at (0, 0)
    return base[:at] + b"\x21\xfe" + b"\x01a" * n + b"\x00" + base[at:]


def rle8_bmp(width: int = 30000, height: int = 1666) -> bytes:
    """A BI_RLE8 BMP of `width` x `height`: per row one pixel and an "end of line" code (all index 0)."""
    palette = bytes(4 * 256)
    pixels = b"\x01\x00\x00\x00" * height + b"\x00\x01"  # per row: one pixel, end of line; end of bitmap
    offset = 14 + 40 + len(palette)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 8, 1, len(pixels), 2835, 2835, 256, 0)
    return b"BM" + struct.pack("<IHHI", offset + len(pixels), 0, 0, offset) + info + palette + pixels
