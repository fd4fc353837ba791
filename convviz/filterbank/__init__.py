"""Filter banks ``(K, kh, kw, C)`` plus a bias each: the validated type, its edits and transforms, the
JSON file format (``"convviz.filterbank.v1"``) and the bundled presets.
"""

from convviz.filterbank.bank import (
    MAX_ABS_WEIGHT,
    MAX_CHANNELS,
    MAX_FILTERS,
    MAX_KERNEL,
    TEXT_LIMITS,
    BankError,
    FilterBank,
)
from convviz.filterbank.jsonfile import MAX_JSON_CHARS, bank_from_json, bank_to_json
from convviz.filterbank.presets import list_presets, load_preset

__all__ = [
    "BankError", "FilterBank", "MAX_ABS_WEIGHT", "MAX_CHANNELS", "MAX_FILTERS", "MAX_JSON_CHARS",
    "MAX_KERNEL", "TEXT_LIMITS", "bank_from_json", "bank_to_json", "list_presets", "load_preset"
]
