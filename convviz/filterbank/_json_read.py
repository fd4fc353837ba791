"""Private helpers of :func:`convviz.bank_from_json`: reading a bank file as hostile input.

Size and depth are checked on the raw text before the parser runs; the parser hooks refuse NaN, Infinity,
overflowing numbers and duplicate keys; the checkers walk the parsed document and raise
:class:`~convviz.BankError` with a sentence naming where (e.g. ``filters[2].weights.G[0][1]``).
"""

from __future__ import annotations

import math
import re

import numpy as np

from convviz.filterbank.bank import MAX_ABS_WEIGHT, MAX_KERNEL, TEXT_LIMITS, BankError, check_text
from convviz.image.modes import CHANNEL_NAMES

CHANNEL_KEYS = CHANNEL_NAMES  # a bank file keys each filter's weights by channel
# The largest legal bank (64 filters of 15x15x3, long decimals) writes ~0.9 MB; anything bigger is not a bank.
MAX_JSON_CHARS = 1_200_000
# A bank file nests 6 deep (bank, filters, filter, weights, grid, row); allow a little slack, refuse the rest
# before the parser recurses into it.
MAX_DEPTH = 8

_FILTER_KEYS = ("name", "bias", "weights")
# One JSON string literal; it also matches an unterminated one (to the end of the text), so the search can
# never fail part-way and backtrack: removing all strings stays linear in the text length.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*+(?:"|\\?\Z)', re.DOTALL)


def _reject_constant(name: str) -> float:
    raise BankError(f"numbers must be finite: {name} is not allowed")


def _parse_number(text: str) -> float:
    value = float(text)  # JSON number syntax was already checked by the parser; float() cannot fail here
    if not math.isfinite(value):
        raise BankError(f"the number {text[:20]}{'...' if len(text) > 20 else ''} is too large")
    return value


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in pairs:
        if key in out:
            raise BankError(f"the key {key[:40]!r} appears twice in one object")
        out[key] = value
    return out


def _as_text(text: object) -> str:
    """Size-check and decode the raw input (before any parsing)."""
    if isinstance(text, (bytes, bytearray, memoryview)):
        if len(text) > MAX_JSON_CHARS:
            raise BankError(f"a bank file must be at most {MAX_JSON_CHARS:,} bytes, got {len(text):,}")
        try:
            return bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BankError("a bank file must be UTF-8 text") from None
    if not isinstance(text, str):
        raise BankError(f"`text` must be str or bytes, got {type(text).__name__}")
    if len(text) > MAX_JSON_CHARS:
        raise BankError(f"a bank file must be at most {MAX_JSON_CHARS:,} characters, got {len(text):,}")
    return text


def _check_depth(text: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH, counted on brackets outside string literals."""
    skeleton = np.frombuffer(_STRING.sub("", text).encode("utf-8", "surrogatepass"), dtype=np.uint8)
    step = np.isin(skeleton, (ord("["), ord("{"))).astype(np.int32)
    step -= np.isin(skeleton, (ord("]"), ord("}")))
    if skeleton.size and np.cumsum(step).max() > MAX_DEPTH:
        raise BankError(f"the file is nested more than {MAX_DEPTH} levels deep; a bank file needs 6")


def _expect(value: object, kind: type, where: str) -> None:
    if type(value) is not kind:  # exact type: bool is not a number here
        names = {dict: "an object", list: "a list", float: "a number", str: "text"}
        got = {bool: "true/false", type(None): "null"}.get(type(value), names.get(type(value), "?"))
        raise BankError(f"{where} must be {names[kind]}, got {got}")


def _check_keys(obj: dict, allowed: tuple[str, ...], required: tuple[str, ...], where: str) -> None:
    for key in obj:
        if key not in allowed:
            raise BankError(f"{where} has an unknown key {key[:40]!r}; allowed keys: {', '.join(allowed)}")
    for key in required:
        if key not in obj:
            raise BankError(f"{where} is missing the key {key!r}")


def _grid(rows: object, where: str) -> list[list[float]]:
    """Check one channel's kh x kw grid of numbers."""
    _expect(rows, list, where)
    if not 1 <= len(rows) <= MAX_KERNEL:
        raise BankError(f"{where} must have 1 to {MAX_KERNEL} rows, got {len(rows)}")
    for i, row in enumerate(rows):
        _expect(row, list, f"{where}[{i}]")
        if not 1 <= len(row) <= MAX_KERNEL:  # checked before looking at the numbers: rows can be long
            raise BankError(f"{where}[{i}] must have 1 to {MAX_KERNEL} numbers, got {len(row)}")
        if len(row) != len(rows[0]):
            raise BankError(f"{where} is ragged: row {i} has {len(row)} numbers, row 0 has {len(rows[0])}")
        for j, v in enumerate(row):
            _expect(v, float, f"{where}[{i}][{j}]")
            if abs(v) > MAX_ABS_WEIGHT:
                limit = f"{MAX_ABS_WEIGHT:g}"
                raise BankError(f"{where}[{i}][{j}] = {v:g} is outside [-{limit}, {limit}]")
    return rows


def _filter(obj: object, where: str) -> tuple[str | None, float, np.ndarray]:
    """Check one filter object; return (name, bias, weights (kh, kw, 3))."""
    _expect(obj, dict, where)
    _check_keys(obj, _FILTER_KEYS, ("weights",), where)
    weights = obj["weights"]
    _expect(weights, dict, f"{where}.weights")
    for key in weights:
        if key not in CHANNEL_KEYS:
            raise BankError(f"{where}.weights has an unknown channel {key[:40]!r}; expected R, G and B")
    grids = []
    for key in CHANNEL_KEYS:
        if key not in weights:
            raise BankError(f"{where}.weights is missing channel {key!r}; expected R, G and B")
        grids.append(_grid(weights[key], f"{where}.weights.{key}"))
    shapes = {(len(g), len(g[0])) for g in grids}
    if len(shapes) > 1:
        raise BankError(f"{where}: the R, G and B grids must have the same size, got {sorted(shapes)}")
    bias = obj.get("bias", 0.0)
    _expect(bias, float, f"{where}.bias")
    name = obj.get("name")
    if name is not None:
        check_text(name, f"{where}.name", limit=TEXT_LIMITS["filter name"])
    return name, bias, np.stack([np.asarray(g) for g in grids], axis=-1)  # (kh, kw, 3)
