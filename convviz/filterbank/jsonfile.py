"""Filter banks as JSON text: the preset file format, also used to export and import user banks.

The schema (documented for people in ``presets/README.md``)::

    {
      "format": "convviz.filterbank.v1",        # optional when reading; must match if present
      "name": "sobel-vertical",                 # optional, default "custom"
      "title": "...", "description": "...", "source": "...",   # optional text
      "filters": [                              # 1 to 64 filters, all of the same odd size
        {"name": "vertical edges",              # optional, default "filter <n>"
         "bias": 0,                             # optional, default 0
         "weights": {"R": [[1, 0, -1], ...], "G": [...], "B": [...]}}   # one kh x kw grid per channel
      ]
    }

Files are RGB banks: every filter has exactly the three channels R, G and B, so a bank read from JSON has
weights ``(K, kh, kw, 3)``. Numbers are written as the shortest decimal that reads back to the same float32
(``0.299`` stays ``0.299``), so a round trip is exact bit for bit.

:func:`bank_from_json` treats its input as hostile: every problem, from a 2 MB upload to a ``NaN`` or a
ragged grid, raises :class:`~convviz.BankError` (a ``ValueError``) with a sentence that says
where and what, and nothing else ever escapes.

Examples
--------
>>> import numpy as np
>>> from convviz import FilterBank, bank_from_json, bank_to_json
>>> bank = FilterBank(np.full((1, 3, 3, 3), 0.299), names=("flat",))
>>> '"R": [\\n          [0.299, 0.299, 0.299],' in bank_to_json(bank)
True
>>> bank_from_json(bank_to_json(bank)) == bank
True
"""

from __future__ import annotations

import json

import numpy as np

from convviz.filterbank._json_read import (
    CHANNEL_KEYS,
    MAX_DEPTH,
    MAX_JSON_CHARS,
    _as_text,
    _check_depth,
    _check_keys,
    _expect,
    _filter,
    _parse_number,
    _reject_constant,
    _unique_keys,
)
from convviz.filterbank.bank import MAX_FILTERS, TEXT_LIMITS, BankError, FilterBank, check_bank, check_text

__all__ = ["CHANNEL_KEYS", "FORMAT", "MAX_JSON_CHARS", "bank_from_json", "bank_to_json"]

FORMAT = "convviz.filterbank.v1"
_BANK_KEYS = ("format", "name", "title", "description", "source", "filters")


def _number(x: np.floating) -> str:
    """The shortest decimal that reads back to the same float32; integers without ``.0``."""
    text = str(np.float32(x))
    return text[:-2] if text.endswith(".0") else text


def _dump(value, indent: str | None, level: int = 0) -> str:
    """Encode dicts, lists, strings and float32 numbers; `indent` None gives the compact form."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, np.floating):
        return _number(value)
    if isinstance(value, dict):
        items = [f"{json.dumps(k)}:{'' if indent is None else ' '}{_dump(v, indent, level + 1)}"
                 for k, v in value.items()]
        return _join(items, "{", "}", indent, level)
    items = [_dump(v, indent, level + 1) for v in value]
    if value and isinstance(value[0], np.floating):  # a grid row: always on one line
        return "[" + (", " if indent is not None else ",").join(items) + "]"
    return _join(items, "[", "]", indent, level)


def _join(items: list[str], open_: str, close: str, indent: str | None, level: int) -> str:
    if indent is None:
        return open_ + ",".join(items) + close
    pad = "\n" + indent * (level + 1)
    return open_ + pad + ("," + pad).join(items) + "\n" + indent * level + close


def bank_to_json(bank: FilterBank, *, compact: bool = False) -> str:
    """Write `bank` as JSON text in the preset schema.

    Parameters
    ----------
    bank : FilterBank
        Weights ``(K, kh, kw, 3)``: the file format holds RGB banks (channels named R, G, B).
    compact : bool, keyword-only
        No spaces or line breaks (for links); the default is indented, one grid row per line.

    Returns
    -------
    str
        Text that :func:`bank_from_json` reads back to an equal bank, bit for bit.

    Raises
    ------
    BankError
        If the bank does not have 3 channels.

    Examples
    --------
    >>> import numpy as np
    >>> print(bank_to_json(FilterBank(np.ones((1, 1, 1, 3)), names=("sum",)), compact=True))
    {"format":"convviz.filterbank.v1","name":"custom","title":"","description":"","source":"","filters":[{"name":"sum","bias":0,"weights":{"R":[[1]],"G":[[1]],"B":[[1]]}}]}
    """
    bank = check_bank(bank)
    if bank.channels != len(CHANNEL_KEYS):
        raise BankError(f"`bank` must have 3 channels (R, G, B) to be written as JSON, got {bank.channels}")
    filters = [
        {
            "name": name,
            "bias": bias,
            "weights": {key: [list(row) for row in w[:, :, c]] for c, key in enumerate(CHANNEL_KEYS)},
        }
        for name, bias, w in zip(bank.names, bank.bias, bank.weights, strict=True)
    ]
    doc = {"format": FORMAT, "name": bank.name, "title": bank.title, "description": bank.description,
           "source": bank.source, "filters": filters}
    return _dump(doc, None if compact else "  ") + ("" if compact else "\n")


def bank_from_json(text: str | bytes) -> FilterBank:
    """Read a bank from JSON text in the preset schema, treating the text as hostile.

    Parameters
    ----------
    text : str or bytes
        At most :data:`MAX_JSON_CHARS` characters (bytes: UTF-8, optional BOM).

    Returns
    -------
    FilterBank
        Weights ``(K, kh, kw, 3)`` float32, bias ``(K,)`` float32.

    Raises
    ------
    BankError
        For anything that is not a valid bank: too big, not UTF-8, not JSON, nested too deep, NaN or
        Infinity, numbers out of range, true/false or text where a number belongs, ragged or mismatched
        grids, missing or unknown keys, missing or extra channels, more than 64 filters, even or oversized
        kernels. The message says where (e.g. ``filters[2].weights.G[0][1]``).

    Examples
    --------
    >>> bank = bank_from_json('{"filters": [{"weights": {"R": [[1]], "G": [[0]], "B": [[0]]}}]}')
    >>> bank.weights.shape, bank.names
    ((1, 1, 1, 3), ('filter 1',))
    """
    text = _as_text(text)
    _check_depth(text)
    try:
        doc = json.loads(text, parse_constant=_reject_constant, parse_float=_parse_number,
                         parse_int=_parse_number, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise BankError(f"the file is not valid JSON: {exc.msg} ({where})") from None
    except RecursionError:  # _check_depth should make this unreachable; never let it escape
        raise BankError(f"the file is nested more than {MAX_DEPTH} levels deep") from None
    _expect(doc, dict, "the bank")
    _check_keys(doc, _BANK_KEYS, ("filters",), "the bank")
    if doc.get("format", FORMAT) != FORMAT:
        raise BankError(f"`format` must be {FORMAT!r}, got {str(doc['format'])[:40]!r}")
    for key in ("name", "title", "description", "source"):
        if key in doc:
            check_text(doc[key], key, limit=TEXT_LIMITS[key], allow_empty=key != "name",
                       multiline=key in ("description", "source"))
    filters = doc["filters"]
    _expect(filters, list, "`filters`")
    if not 1 <= len(filters) <= MAX_FILTERS:
        raise BankError(f"a bank must hold 1 to {MAX_FILTERS} filters, got {len(filters)}")
    parsed = [_filter(f, f"filters[{i}]") for i, f in enumerate(filters)]
    sizes = [w.shape[:2] for _, _, w in parsed]
    for i, size in enumerate(sizes):
        if size != sizes[0]:
            raise BankError(
                f"filters[{i}] is {size[0]}x{size[1]} but filters[0] is {sizes[0][0]}x{sizes[0][1]}; "
                "every filter in a bank has the same size"
            )
    return FilterBank(
        np.stack([w for _, _, w in parsed]),  # (K, kh, kw, 3)
        [b for _, b, _ in parsed],
        [n if n is not None else f"filter {i + 1}" for i, (n, _, _) in enumerate(parsed)],
        **{key: doc[key] for key in ("name", "title", "description", "source") if key in doc},
    )
