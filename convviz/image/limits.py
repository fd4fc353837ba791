"""What intake accepts before decoding: the source types, the byte cap, and the size limits of the header.

Every limit is a module constant, stated once; the sentences for crossing them live in
:mod:`convviz.image.errors`.

Examples
--------
>>> read_source(b"GIF89a...")[:6]
b'GIF89a'
>>> check_size(4000, 3000)  # a 12 MP photo passes
>>> try:
...     check_size(1, 1)
... except ValueError as exc:
...     print(exc)  # doctest: +NORMALIZE_WHITESPACE
This image is only 1 x 1 pixels: each side must be at least 3 pixels,
so that a 3x3 filter fits inside it.
"""

from __future__ import annotations

import numbers
import os
from pathlib import Path

from convviz.image import errors as msg

MAX_BYTES = 20 * 1024 * 1024  # = .streamlit/config.toml server.maxUploadSize (MB of 1024 * 1024 bytes)
MAX_PIXELS = 50_000_000  # a 48-50 MP phone sensor's full output; 12 MP photos are far below
MAX_SIDE = 30_000  # well below st.image's 65,500 px
MIN_SIDE = 3  # the smallest image a 3x3 filter fits in (valid padding)
MAX_ASPECT = 100  # long side / short side; panoramas are ~10:1, st.image breaks near 1460:1


def check_max_side(max_side) -> int | None:
    """`max_side` as an int, or None; ValueError naming it if it is not None or an integer >= MIN_SIDE."""
    if max_side is None:
        return None
    if isinstance(max_side, bool) or not isinstance(max_side, numbers.Integral) or max_side < MIN_SIDE:
        raise ValueError(f"`max_side` must be None or an integer >= {MIN_SIDE}, got {max_side!r}")
    return int(max_side)


def read_source(source) -> bytes:
    """The bytes of `source` (bytes-like, path, or file-like), with the byte cap and emptiness checked.

    Never more than MAX_BYTES + 1 bytes are read. An object with ``getvalue()`` (``io.BytesIO``,
    Streamlit's ``UploadedFile``) gives its whole buffer whatever its position; otherwise ``read()``
    reads from the current position.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = source
    elif isinstance(source, (str, os.PathLike)):
        data = read_path(Path(source))
    elif hasattr(source, "getvalue") or hasattr(source, "read"):
        try:
            data = source.getvalue() if hasattr(source, "getvalue") else source.read(MAX_BYTES + 1)
        except OSError as exc:
            raise msg.unreadable_path("upload", exc.strerror or str(exc)) from exc
        if not isinstance(data, (bytes, bytearray, memoryview)):
            kind = type(data).__name__
            raise ValueError(f"`source` must be opened in binary mode, its read() returned {kind}")
    else:
        raise ValueError(
            f"`source` must be bytes, a path or a binary file-like object, got {type(source).__name__}"
        )
    if len(data) == 0:
        raise msg.empty_file()
    if len(data) > MAX_BYTES:
        raise msg.too_many_bytes(len(data), MAX_BYTES)
    return bytes(data)  # bytes, bytearray and memoryview alike from here on


def read_path(path: Path) -> bytes:
    """A file's bytes, refused from its size on disk before reading; OSError becomes ImageError."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise msg.too_many_bytes(size, MAX_BYTES)
        with path.open("rb") as f:  # bounded read: st_size says 0 for /dev/zero and friends
            return f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise msg.unreadable_path(str(path), (exc.strerror or str(exc)).lower()) from exc


def check_size(width: int, height: int) -> None:
    """Size limits from the header alone, before any pixel is decoded."""
    short, long = min(width, height), max(width, height)
    if long > MAX_ASPECT * max(short, 1):
        raise msg.bad_size("too_thin", width, height, MAX_ASPECT)
    if short < MIN_SIDE:
        raise msg.bad_size("too_small", width, height, MIN_SIDE)
    if long > MAX_SIDE:
        raise msg.bad_size("too_long_side", width, height, MAX_SIDE)
    if width * height > MAX_PIXELS:
        raise msg.too_many_pixels(width, height, MAX_PIXELS)
