"""Decode budgets: cheap checks of a file's structure and header, and a wall-clock budget while decoding.

Pillow's decoders for JPEG, PNG, GIF, WebP, TIFF and uncompressed BMP run in C and release the GIL, so a
decode in one session's script thread leaves the other sessions' threads running (measured: during a 12 MP
decode another thread's 1 ms sleep never waited more than ~7 ms). What holds the GIL, or runs for minutes,
is the Python (or per-scan) work a crafted file can multiply; each is bounded *before* decoding, from the
bytes or the header, by walking the file's structure at C speed (``re``, ``struct``) and stopping at the cap:

==================================  ===============  ====================================================
what a crafted file multiplies      cap              why that number
==================================  ===============  ====================================================
JPEG scans (SOS markers from the    100, and at      libjpeg decodes each scan over every block: an empty
first scan on)                      most 2.5e9       scan costs ~0.7 ms at 3 MP, ~20 ms at 50 MP (so 50
                                    scans x pixels   scans at 50 MP: ~1 s); libjpeg's progressive script
                                    (never < 20)     has 10 scans, mozjpeg's ~10-12, an MPO twice that
JPEG segments before the first      2,000            Pillow parses header markers in Python; real files
scan                                                 have ~10-40 (ICC profiles split in 64 kB APP2s)
JPEG junk/fill bytes before the     65,536           Pillow skips them one byte at a time in Python
first scan                                           (4 MB took 1.8 s: <= 30 ms)
PNG chunks                          50,000           Pillow reads chunks one by one in Python (150,000
                                                     empty IDATs took 0.28 s); one IDAT per row of a
                                                     30,000-row image fits
GIF data sub-blocks                 200,000          Pillow skips sub-blocks in Python (1 M: 0.28 s); a
                                                     20 MB GIF in 255-byte sub-blocks has 82,000
RLE-compressed BMP pixels           307,200          Pillow decodes RLE in pure Python, holding the GIL
                                    (640 x 480)      (the worst rows at the cap: 31 ms idle, 0.11 s on
                                                     this shared machine under load)
==================================  ===============  ====================================================

Header caps by sample depth and format (:func:`check_pixels`) bound memory and time: 50 megapixels
(:data:`convviz.image.limits.MAX_PIXELS`); 16 megapixels for samples wider than 8 bits (16-bit PNG/TIFF,
32-bit integer and float TIFF), whose decode, range scan and stretch cost more per pixel; and, for formats
without JPEG's draft (reduced-scale) decoding, at most 150 MB of decoded samples (50 MP of 8-bit RGB,
37 MP of RGBA), so a PNG's decompressed pixel stream is bounded from its IHDR. Pillow also caps PNG text
and ICC chunks (1 MB each, 64 MB together).

Last, :class:`DeadlineReader` gives the decoder its bytes and refuses to give more once
:data:`DECODE_SECONDS` have passed since opening: Pillow reads in blocks of 64 kB, so an unforeseen slow
decode stops within one block with :class:`DecodeTimeout` instead of holding the session.

Why a thread and not a worker process: a spawned one-process pool decoded the same 12 MP JPEG in the same
median time (106 ms against 107 ms in-thread, after 385 ms to start), and could be killed on overrun; but
every case above is refused by header in milliseconds, accepted files decode within ~2 s without holding
the GIL, and full-resolution results (``max_side=None``, up to 600 MB) would have to cross a pipe.

Examples
--------
>>> check_structure(b"\\xff\\xd8\\xff\\xda\\x00\\x08" + bytes(6) + b"\\xff\\xd9", "JPEG")
>>> try:
...     check_structure(b"\\xff\\xd8" + b"\\xff\\xda\\x00\\x02" * 101, "JPEG")
... except ValueError as exc:
...     print(exc)  # doctest: +NORMALIZE_WHITESPACE
This JPEG file has more than 100 scans (progressive passes), far more than ordinary images have, so
decoding it would take too long: please save or export it again as an ordinary JPEG file.
"""

from __future__ import annotations

import io
import re
import struct
import time

from convviz.image import errors as msg

MAX_JPEG_SCANS = 100
MAX_JPEG_SEGMENTS = 2_000
MAX_JPEG_JUNK = 65_536
MAX_PNG_CHUNKS = 50_000
MAX_GIF_BLOCKS = 200_000
MAX_JPEG_SCAN_PIXELS = 2_500_000_000  # scans x pixels: an empty scan costs ~0.4 ns per pixel
MAX_RLE_PIXELS = 307_200  # 640 x 480
MAX_PIXELS_WIDE = 16_000_000  # samples of more than 8 bits (16-bit, 32-bit int, float)
MAX_DECODED_BYTES = 150_000_000  # formats without draft decoding: 50 MP of 8-bit RGB
DECODE_SECONDS = 2.0

# A marker after any fill bytes; FF00 (a stuffed data byte) and RST0-7 belong to the entropy-coded data.
_JPEG_MARKER = re.compile(rb"\xff+([^\x00\xff\xd0-\xd7])")
_NO_LENGTH = {0x01, 0xD8, 0xD9}  # TEM, SOI, EOI: markers without a length field
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}  # frame headers
_MIN_SCANS = 20  # the scan cap never falls below this, whatever the size (Pillow's limit is 50 MP)


class DecodeTimeout(Exception):
    """Raised by :class:`DeadlineReader` once the decode has used up its wall-clock budget."""


class DeadlineReader(io.BytesIO):
    """``io.BytesIO`` over the file's bytes whose ``read`` raises :class:`DecodeTimeout` past the deadline."""

    def __init__(self, data: bytes, seconds: float = DECODE_SECONDS):
        super().__init__(data)
        self.deadline = time.monotonic() + seconds

    def read(self, size: int | None = -1) -> bytes:
        if time.monotonic() > self.deadline:
            raise DecodeTimeout
        return super().read(size)


def check_structure(data: bytes, signature: str | None) -> None:
    """Refuse a file whose structure would make Pillow loop in Python, or libjpeg rescan, too many times.

    `signature` is :func:`convviz.image.formats.allowed_format_name` of `data` (None: nothing to walk).
    """
    walk = {"JPEG": _walk_jpeg, "PNG": _walk_png, "GIF": _walk_gif}.get(signature)
    if walk is not None:
        walk(data)


def _walk_jpeg(data: bytes) -> None:
    """Walk the header segment by segment up to the first scan; then count scans at C speed.

    Only the header is walked in Python (~10-40 segments; APPn payloads, which may hold an EXIF thumbnail,
    are skipped by their length). From the first scan on, ``bytes.count`` finds every SOS marker: 0xFF in
    scan data is always followed by 0x00 or a marker, so the count is exact, except that a later picture's
    APPn payload could add a few (an MPO's second picture), which the caps leave room for.
    """
    pos, n = 2, len(data)  # after SOI
    segments = junk = pixels = 0
    limit = MAX_JPEG_SCANS
    while (m := _JPEG_MARKER.search(data, pos)) is not None:
        segments += 1
        junk += m.start() - pos + len(m.group(0)) - 2  # stray and fill bytes, skipped one by one by Pillow
        if junk > MAX_JPEG_JUNK:
            raise msg.too_complex("JPEG", "stray bytes between its header segments", MAX_JPEG_JUNK)
        if segments > MAX_JPEG_SEGMENTS:
            raise msg.too_complex("JPEG", "segments", MAX_JPEG_SEGMENTS)
        code, pos = m.group(1)[0], m.end()
        if code == 0xDA:
            scans = data.count(b"\xff\xda", m.start())
            if scans > limit:
                raise msg.too_complex("JPEG", "scans (progressive passes)", limit)
            return
        if code in _NO_LENGTH or pos + 2 > n:
            continue
        if code in _SOF and not pixels and pos + 7 <= n:  # the first frame header: height, width
            height, width = struct.unpack_from(">HH", data, pos + 3)
            pixels = height * width
            limit = min(MAX_JPEG_SCANS, max(_MIN_SCANS, MAX_JPEG_SCAN_PIXELS // max(pixels, 1)))
        pos += int.from_bytes(data[pos:pos + 2], "big")  # skip the payload: APPn may hold anything


def _walk_png(data: bytes) -> None:
    """Count chunks by their length fields (8 bytes read per chunk) up to IEND or the end of the data."""
    pos, n, chunks = 8, len(data), 0
    while pos + 8 <= n:
        length, kind = struct.unpack_from(">I4s", data, pos)
        chunks += 1
        if chunks > MAX_PNG_CHUNKS:
            raise msg.too_complex("PNG", "chunks", MAX_PNG_CHUNKS)
        if kind == b"IEND":
            return
        pos += 12 + length


def _walk_gif(data: bytes) -> None:
    """Count the data sub-blocks of every extension and image (GIF89a block structure)."""
    n = len(data)
    if n < 13:
        return
    pos = 13 + (3 << ((data[10] & 7) + 1) if data[10] & 0x80 else 0)  # header, screen, global colours
    blocks = 0
    while pos < n:
        kind = data[pos]
        if kind == 0x21:  # extension: introducer and label, then sub-blocks
            pos += 2
        elif kind == 0x2C and pos + 10 <= n:  # image descriptor, local colours, LZW code size, sub-blocks
            flags = data[pos + 9]
            pos += 10 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0) + 1
        else:  # trailer, or something Pillow will not read further either
            return
        while pos < n:
            size = data[pos]
            pos += 1 + size
            blocks += 1
            if blocks > MAX_GIF_BLOCKS:
                raise msg.too_complex("GIF", "data blocks", MAX_GIF_BLOCKS)
            if size == 0:
                break


def _bmp_rle(data: bytes) -> bool:
    """True for a BMP compressed with RLE8 or RLE4 (BITMAPINFOHEADER or later, compression 1 or 2)."""
    return (len(data) >= 34 and data[:2] == b"BM" and int.from_bytes(data[14:18], "little") >= 40
            and int.from_bytes(data[30:34], "little") in (1, 2))


def _sample_bits(im, data: bytes) -> int:
    """The widest sample of the file in bits (8 for ordinary images), from Pillow's header and the bytes.

    Pillow opens 16-bit colour PNG/TIFF as 8-bit ``RGB``/``RGBA`` but still inflates and reads every
    16-bit sample, so the file's own bit depth decides, not the mode.
    """
    if im.mode.startswith("I;16"):
        return 16
    if im.mode in ("I", "F"):
        return 32
    if im.format == "PNG" and len(data) > 24:
        return data[24]  # IHDR bit depth
    if im.format == "TIFF":
        bits = getattr(im, "tag_v2", {}).get(258, 8)
        bits = bits if isinstance(bits, tuple) else (bits,)
        return max((int(b) for b in bits if isinstance(b, int)), default=8)
    return 8


def check_pixels(im, data: bytes) -> None:
    """The depth-, codec- and memory-specific caps of an opened (not yet loaded) image.

    Run after :func:`convviz.image.limits.check_size`; `im` is the lazily opened Pillow image of `data`.
    """
    width, height = im.size
    pixels = width * height
    if _bmp_rle(data) and pixels > MAX_RLE_PIXELS:
        raise msg.rle_too_large(width, height, MAX_RLE_PIXELS)
    bits = _sample_bits(im, data)
    if bits > 8 and pixels > MAX_PIXELS_WIDE:
        raise msg.wide_too_many_pixels(width, height, bits, MAX_PIXELS_WIDE)
    if im.format not in ("JPEG", "MPO"):  # no draft decoding: every sample is inflated and unpacked
        decoded = pixels * len(im.getbands()) * -(-bits // 8)
        if decoded > MAX_DECODED_BYTES:
            raise msg.too_much_memory(width, height, decoded, MAX_DECODED_BYTES)
