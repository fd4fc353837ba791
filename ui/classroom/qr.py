"""A link as a QR code picture, made here with ``segno`` (pure Python, no network).

Examples
--------
>>> png = qr_png("http://example.org/lab?sample=scene", scale=4)
>>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
"""

from __future__ import annotations

import io

import segno


def qr_png(text: str, *, scale: int = 10) -> bytes:
    """PNG bytes of the QR code of `text`: black modules on white, a 4-module quiet zone.

    Error correction "M" (15 %) keeps long links (a few hundred characters) at a scannable module size;
    each module is `scale` pixels, so a projected code is read from the back of a room.

    Raises
    ------
    ValueError
        If `text` is empty or longer than a QR code holds (segno's limit, ~2,300 characters at "M").
    """
    if not isinstance(text, str) or not text:
        raise ValueError("`text` must be a non-empty link")
    try:
        code = segno.make(text, error="m", boost_error=False, micro=False)
    except segno.DataOverflowError:
        raise ValueError(f"a link of {len(text):,} characters is too long for a QR code") from None
    buf = io.BytesIO()
    code.save(buf, kind="png", scale=scale, border=4)
    return buf.getvalue()
