"""Preset filter banks: one JSON file per bank in the ``presets/`` folder, read through one validating loader.

The files are data (schema in ``presets/README.md`` and :mod:`convviz.filterbank.jsonfile`). Presets are
looked up by name in a table built once from the folder listing, so a name coming from a user (a widget, a
link) can only ever select one of those files; it is never joined into a path.

Examples
--------
>>> from convviz import list_presets, load_preset
>>> "sobel-vertical" in list_presets()
True
>>> load_preset("vertical-horizontal-edges").weights.shape
(2, 3, 3, 3)
"""

from __future__ import annotations

import functools
from pathlib import Path

from convviz.filterbank.bank import BankError, FilterBank
from convviz.filterbank.jsonfile import MAX_JSON_CHARS, bank_from_json

__all__ = ["PRESETS_DIR", "list_presets", "load_preset"]

PRESETS_DIR = Path(__file__).resolve().parents[2] / "presets"

# name -> file, fixed at import. Names are the file stems (lower-case words joined by hyphens).
_PRESET_FILES: dict[str, Path] = dict(sorted((path.stem, path) for path in PRESETS_DIR.glob("*.json")))


def list_presets() -> list[str]:
    """Return the preset names, sorted.

    Returns
    -------
    list of str
        Each is accepted by :func:`load_preset`.

    Examples
    --------
    >>> list_presets()[:3]
    ['blue-horizontal-edges', 'box-blur', 'compass-edges']
    """
    return list(_PRESET_FILES)


def load_preset(name: str) -> FilterBank:
    """Read and validate the preset bank called `name` (each file is read once; the bank is shared).

    Parameters
    ----------
    name : str
        One of :func:`list_presets`.

    Returns
    -------
    FilterBank
        Weights ``(K, kh, kw, 3)`` float32 and bias ``(K,)`` float32, read-only; ``name`` equals `name` and
        ``title``, ``description`` and ``source`` are filled in.

    Raises
    ------
    BankError
        If `name` is not a preset, or its file breaks the schema (a bug in the shipped data).

    Examples
    --------
    >>> bank = load_preset("compass-edges")
    >>> len(bank), bank.names[0]
    (8, 'N (brighter above)')
    """
    path = _PRESET_FILES.get(name) if isinstance(name, str) else None
    if path is None:
        raise BankError(f"`name` must be one of {list_presets()}, got {str(name)[:64]!r}")
    return _load(name, path)


@functools.cache
def _load(name: str, path: Path) -> FilterBank:
    """Read, parse and check the preset file `path` once; FilterBank is immutable, so it is shared."""
    with path.open("rb") as f:
        raw = f.read(MAX_JSON_CHARS + 1)  # never read more than the parser would accept
    try:
        bank = bank_from_json(raw)
    except BankError as exc:
        raise BankError(f"preset {name!r} ({path.name}) is broken: {exc}") from None
    if bank.name != name:
        raise BankError(f"preset {path.name} must have \"name\": {name!r}, got {bank.name!r}")
    for field in ("title", "description", "source"):
        if not getattr(bank, field):
            raise BankError(f"preset {path.name} must have a non-empty {field!r}")
    return bank
