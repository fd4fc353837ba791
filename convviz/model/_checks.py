"""Checks behind :mod:`convviz.model.files`: every manifest field's type and range, each failure a sentence.

A damaged or crafted manifest must end as :class:`ModelFileError`, never as a MemoryError, OverflowError,
KeyError or TypeError later: sizes are bounded here (no dimension above 4096, no weight above the weights
file's cap, an input side from 8 to 1024), so nothing downstream allocates what a field claims.
"""

from __future__ import annotations

import math
import re

from convviz._validate import int_in_range
from convviz.errors import ModelFileError

MAX_WEIGHTS_BYTES = 16 << 20  # the weights file cap of convviz.model.files
_MAX_ELEMENTS = MAX_WEIGHTS_BYTES // 4  # float32 values a weights file within its cap can hold
_MAX_DIM = 4096  # any one dimension of a weight or output shape (the real ones are <= 64)
_MAX_LAYERS = 256
_SIDE_RANGE = (8, 1024)  # the input side: three 2x2 pools need 8; the real one is 64
_SHA256 = re.compile(r"[0-9a-f]{64}")


def whole(value: object, what: str, lo: int, hi: int) -> int:
    """`value` as an int in [lo, hi] (bools and floats refused), else ModelFileError naming `what`."""
    try:
        return int_in_range(value, what, low=lo, high=hi, error=ModelFileError)  # the one integer check
    except ModelFileError:  # ... in the manifest's words, with a bounded repr of what the file holds
        raise ModelFileError(f"The model manifest's {what} must be a whole number from {lo} to {hi}, "
                             f"got {short(value)}.") from None


def dims(value: object, what: str, ndims: tuple[int, ...]) -> tuple[int, ...]:
    """A list of `ndims` dimensions, each in [1, _MAX_DIM], holding at most _MAX_ELEMENTS values."""
    if not isinstance(value, list) or len(value) not in ndims:
        raise ModelFileError(f"The model manifest's {what} must be a list of {' or '.join(map(str, ndims))} "
                             f"whole numbers, got {short(value)}.")
    shape = tuple(whole(n, what, 1, _MAX_DIM) for n in value)
    if math.prod(shape) > _MAX_ELEMENTS:
        raise ModelFileError(f"The model manifest's {what} {list(shape)} is far larger than any model "
                             "convviz ships.")
    return shape


def short(value: object) -> str:
    """A bounded repr for messages: a damaged file may hold megabytes in one field."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_fields(manifest: object, name: str) -> None:
    """The manifest's top-level fields have the types and ranges convviz relies on."""
    if not isinstance(manifest, dict):
        raise ModelFileError(f"The model manifest {name} must be a JSON object.")
    layers, classes = manifest.get("layers"), manifest.get("classes")
    if not isinstance(layers, list) or not 0 < len(layers) <= _MAX_LAYERS:
        raise ModelFileError(f"The model manifest {name} must list 1 to {_MAX_LAYERS} layers.")
    if (not isinstance(classes, list) or not 0 < len(classes) <= _MAX_DIM
            or not all(isinstance(c, str) and len(c) <= 200 for c in classes)):
        raise ModelFileError(f"The model manifest {name} must list its class names as text.")
    for key in ("weights_file", "name"):
        if not isinstance(manifest.get(key, ""), str):
            raise ModelFileError(f"The model manifest's {key!r} must be text, got {short(manifest[key])}.")
    sha = manifest.get("weights_sha256")
    if not isinstance(sha, str) or not _SHA256.fullmatch(sha):
        raise ModelFileError(f"The model manifest's 'weights_sha256' must be 64 hexadecimal digits, got "
                             f"{short(sha)}.")
    shape = manifest.get("input", {}).get("shape", [64, 64, 3]) if isinstance(manifest.get("input", {}),
                                                                              dict) else None
    if not isinstance(shape, list) or len(shape) != 3 or shape[1:] != [shape[0], 3]:
        raise ModelFileError(f"The model manifest's input shape must be [side, side, 3], got "
                             f"{short(shape)}.")
    whole(shape[0], "input side", *_SIDE_RANGE)
    accuracy = manifest.get("val_top1_numpy")
    if accuracy is not None and (isinstance(accuracy, bool) or not isinstance(accuracy, int | float)
                                 or not 0 <= accuracy <= 1):
        raise ModelFileError(f"The model manifest's accuracy must be a number from 0 to 1, got "
                             f"{short(accuracy)}.")
