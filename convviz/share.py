"""Shareable links: a filter bank and its convolution settings as URL query parameters, and back.

Parameters written by :func:`encode_state` (only settings that differ from the defaults are written):

- ``bank``: ``"1."`` (format version) + base64url, unpadded, of the raw-DEFLATE-compressed compact JSON of
  the bank (:func:`convviz.bank_to_json` schema). The numbers are the exact float32 values (shortest
  round-trip decimals), so the link restores the weights bit for bit: no quantisation. The bank's name,
  title, filter names, weights and biases travel; its ``description`` and ``source`` do not (they can be
  long, and a link is for the numbers).
- ``stride``, ``padding``, ``dilation``, ``relu``, ``pool``, ``pool_size``, ``pool_stride``: plain text
  (``relu=1``, ``pool=max``, ``padding=same``).

:func:`decode_state` treats the parameters as hostile: sizes are capped before decoding, decompression is
bounded, the JSON goes through :func:`convviz.bank_from_json`, and integer settings are clamped into their
ranges (``stride=99`` reads as 8). Anything it cannot read raises :class:`ShareError` with a message; the
caller shows it and falls back to defaults. Unknown parameters are ignored (other pages own them).

Length of the ``bank`` parameter, measured: every preset 198 to 448 characters (the 8 compass filters are the
longest); 16 filters of 3x3x3 with random two-decimal weights (what
:func:`convviz.filterbank.transforms.randomise` makes) 1,506, with random three-decimal weights 1,836. Weights
at full float32 precision (e.g. after :func:`convviz.filterbank.transforms.normalise`) cost more: 16 such
filters take ~3,100-3,500 characters. No exact encoding can fit those under 2,000: 432 random float32 values
carry ~1.4 kB of information, ~1,950 base64 characters before any names. Browsers and Streamlit accept such
URLs; they are just less pleasant to paste.

Examples
--------
>>> from convviz import ConvSettings, decode_state, encode_state, load_preset
>>> params = encode_state(load_preset("sobel-vertical"), ConvSettings(stride=2, relu=True))
>>> sorted(params), params["stride"], params["relu"]
(['bank', 'relu', 'stride'], '2', '1')
>>> bank, settings = decode_state(params)
>>> bank.names, settings.stride, settings.relu
(('vertical edges',), 2, True)
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from collections.abc import Mapping

from convviz.errors import ShareError
from convviz.filterbank.bank import BankError, FilterBank
from convviz.filterbank.jsonfile import MAX_JSON_CHARS, bank_from_json, bank_to_json
from convviz.settings import SETTING_NAMES, ConvSettings, SettingsError, settings_from

__all__ = ["MAX_BANK_PARAM_CHARS", "ShareError", "decode_bank", "decode_state", "encode_bank", "encode_state"]

BANK_VERSION = "1."
# 64 filters of 3x3x3 at full float32 precision need ~9,000 characters; browsers and Streamlit accept far
# longer URLs, but nothing a person would share needs more than this.
MAX_BANK_PARAM_CHARS = 16_384
_MAX_SETTING_CHARS = 16
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_WBITS = -15  # raw DEFLATE: no zlib header or checksum (6 bytes fewer); the JSON parser checks the content



def encode_bank(bank: FilterBank) -> str:
    """The ``bank`` parameter for `bank` (weights ``(K, kh, kw, 3)``): compact, URL-safe, exact.

    Examples
    --------
    >>> from convviz import load_preset
    >>> encode_bank(load_preset("identity"))[:2]
    '1.'
    """
    if not isinstance(bank, FilterBank):
        raise ShareError(f"`bank` must be a FilterBank, got {type(bank).__name__}")
    try:
        text = bank_to_json(bank.replace(description="", source=""), compact=True)
    except BankError as exc:
        raise ShareError(f"this bank cannot be shared: {exc}") from None
    packed = zlib.compress(text.encode("utf-8"), 9, wbits=_WBITS)
    return BANK_VERSION + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode_bank(value: object) -> FilterBank:
    """Read a ``bank`` parameter written by :func:`encode_bank`, treating it as hostile.

    Returns
    -------
    FilterBank
        Weights ``(K, kh, kw, 3)`` float32, bias ``(K,)``; empty description and source.

    Raises
    ------
    ShareError
        If the text is too long, not in the format, does not decompress within the JSON size cap, or is not a
        valid bank (the message of :func:`convviz.bank_from_json` is included).
    """
    if not isinstance(value, str):
        raise ShareError(f"the link's `bank` must be text, got {type(value).__name__}")
    if len(value) > MAX_BANK_PARAM_CHARS:
        raise ShareError(f"the link's `bank` is too long ({len(value):,} characters, at most "
                         f"{MAX_BANK_PARAM_CHARS:,})")
    if not value.startswith(BANK_VERSION):
        raise ShareError(f"the link's `bank` must start with {BANK_VERSION!r} (format version 1)")
    body = value[len(BANK_VERSION):]
    if not _BASE64URL.fullmatch(body) or len(body) % 4 == 1:
        raise ShareError("the link's `bank` is not valid base64url text (was the link cut short?)")
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        inflater = zlib.decompressobj(wbits=_WBITS)
        raw = inflater.decompress(packed, MAX_JSON_CHARS + 1)  # bounded: no decompression bomb
    except (binascii.Error, zlib.error):
        raise ShareError("the link's `bank` does not decompress (was the link cut short?)") from None
    if len(raw) > MAX_JSON_CHARS or inflater.unconsumed_tail:
        raise ShareError(f"the link's `bank` expands to more than {MAX_JSON_CHARS:,} bytes")
    if not inflater.eof or inflater.unused_data:
        raise ShareError("the link's `bank` is incomplete or has extra data (was the link cut short?)")
    try:
        return bank_from_json(raw)
    except BankError as exc:
        raise ShareError(f"the link's filter bank is not valid: {exc}") from None


def encode_state(bank: FilterBank, settings: ConvSettings | None = None) -> dict[str, str]:
    """Query parameters that restore `bank` and `settings` (only non-default settings are written).

    Parameters
    ----------
    bank : FilterBank
        Weights ``(K, kh, kw, 3)``.
    settings : ConvSettings, optional
        Defaults if omitted.

    Returns
    -------
    dict of str to str
        Ready for ``st.query_params.update(...)`` or ``urllib.parse.urlencode``.
    """
    settings = ConvSettings() if settings is None else settings
    if not isinstance(settings, ConvSettings):
        raise ShareError(f"`settings` must be a ConvSettings, got {type(settings).__name__}")
    params = {"bank": encode_bank(bank)}
    defaults = ConvSettings()
    for field in SETTING_NAMES:
        value = getattr(settings, field)
        if value != getattr(defaults, field):
            params[field] = ("1" if value else "0") if isinstance(value, bool) else str(value)
    return params


def _settings(params: Mapping[str, str]) -> ConvSettings:
    """The link's settings, read by the one settings validator (:func:`convviz.settings.settings_from`)."""
    try:
        return settings_from(params)
    except SettingsError as exc:
        raise ShareError(f"the link's {exc}") from None


def decode_state(params: Mapping[str, object]) -> tuple[FilterBank | None, ConvSettings]:
    """Read a bank and settings from query parameters written by :func:`encode_state`.

    Parameters
    ----------
    params : mapping of str to str
        E.g. ``st.query_params``. Unknown keys are ignored; missing settings take their defaults.

    Returns
    -------
    bank : FilterBank or None
        Weights ``(K, kh, kw, 3)``; None when the link carries no ``bank``.
    settings : ConvSettings
        Integer settings clamped into their ranges.

    Raises
    ------
    ShareError
        If any known parameter cannot be read (the message names it).
    """
    if not isinstance(params, Mapping):
        raise ShareError(f"`params` must be a mapping of names to text, got {type(params).__name__}")
    texts: dict[str, str] = {}
    for name in SETTING_NAMES:
        if name not in params:
            continue
        text = params[name]
        if not isinstance(text, str):
            raise ShareError(f"the link's `{name}` must be text, got {type(text).__name__}")
        if len(text) > _MAX_SETTING_CHARS:
            raise ShareError(f"the link's `{name}` is too long ({len(text)} characters)")
        texts[name] = text.strip()
    bank = decode_bank(params["bank"]) if "bank" in params else None
    return bank, _settings(texts)
