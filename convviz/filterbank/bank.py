"""The filter-bank type: K filters of ``kh x kw x C`` weights plus one bias each, validated and immutable.

A :class:`FilterBank` is what the presets, the designer, the JSON files and the shareable links all hold.
Its ``weights`` are ``(K, kh, kw, C)`` float32 and its ``bias`` is ``(K,)`` float32, both read-only, so a
bank can be shared (cached, put in session state) without anyone changing it under someone else's feet;
every edit (see :mod:`convviz.filterbank.transforms`) returns a new bank.

Limits, checked for every bank however it was made: 1 to :data:`MAX_FILTERS` filters; kernels with odd
sides from 1 to :data:`MAX_KERNEL` (odd so that every kernel has a centre pixel: "same" padding is then
symmetric and rotating or flipping a kernel keeps its anchor); 1 to :data:`MAX_CHANNELS` channels; finite
weights and biases with absolute value at most :data:`MAX_ABS_WEIGHT`.

Examples
--------
>>> import numpy as np
>>> from convviz import FilterBank
>>> bank = FilterBank(np.ones((2, 3, 3, 3)) / 27, names=("blur", "blur again"), name="blurs")
>>> bank
FilterBank('blurs', 2 filters of 3x3x3: ['blur', 'blur again'])
>>> bank.weights.shape, bank.bias.tolist()
((2, 3, 3, 3), [0.0, 0.0])
"""

from __future__ import annotations

import dataclasses
import operator
import unicodedata
from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass

import numpy as np

from convviz.errors import BankError

__all__ = [
    "MAX_ABS_WEIGHT",
    "MAX_CHANNELS",
    "MAX_FILTERS",
    "MAX_KERNEL",
    "BankError",
    "FilterBank",
]

MAX_FILTERS = 64
MAX_KERNEL = 15
MAX_CHANNELS = 64
MAX_ABS_WEIGHT = 1000.0

# Longest allowed text per metadata field (characters); names are shown in widgets and captions.
TEXT_LIMITS = {"name": 64, "title": 120, "description": 2000, "source": 500, "filter name": 64}



def check_text(
    value: object, what: str, *, limit: int, allow_empty: bool = False, multiline: bool = False
) -> str:
    """Return `value` if it is a string fit to show as `what` (length limit, no control characters)."""
    if not isinstance(value, str):
        raise BankError(f"`{what}` must be text, got {type(value).__name__}")
    if not value and not allow_empty:
        raise BankError(f"`{what}` must not be empty")
    if len(value) > limit:
        raise BankError(f"`{what}` must be at most {limit} characters, got {len(value)}")
    allowed = "\n" if multiline else ""
    # Cc: control characters (they garble captions); Cs: lone surrogates (they cannot be encoded as UTF-8).
    if any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in allowed for ch in value):
        raise BankError(f"`{what}` must not contain control characters or lone surrogates")
    return value


def check_number_array(values: object, what: str) -> np.ndarray:
    """Return `values` as read-only float32; raise unless all are finite numbers within the weight limit."""
    try:
        array = np.asarray(values)
    except (ValueError, TypeError) as exc:  # ragged nested lists
        raise BankError(f"`{what}` must be a rectangular array of numbers ({exc})") from None
    if array.dtype.kind not in "iuf":
        raise BankError(f"`{what}` must hold numbers, got dtype {array.dtype}")
    wide = array.astype(np.float64)  # check range before float32 could turn 1e300 into inf
    if not np.isfinite(wide).all():
        raise BankError(f"`{what}` must hold finite numbers (no NaN or infinity)")
    if wide.size and np.abs(wide).max() > MAX_ABS_WEIGHT:
        raise BankError(
            f"`{what}` values must lie in [-{MAX_ABS_WEIGHT:g}, {MAX_ABS_WEIGHT:g}], "
            f"got {np.abs(wide).max():g} in absolute value"
        )
    # + 0.0 turns -0.0 into 0.0: one canonical zero, so equal banks print, export and share identically.
    out = array.astype(np.float32) + np.float32(0.0)
    out.setflags(write=False)
    return out


def check_kernel_shape(shape: tuple[int, ...], what: str = "weights") -> None:
    """Raise unless `shape` is ``(K, kh, kw, C)`` within the bank limits."""
    if len(shape) != 4:
        raise BankError(f"`{what}` must have shape (K, kh, kw, C), got shape {shape}")
    k, kh, kw, c = shape
    if not 1 <= k <= MAX_FILTERS:
        raise BankError(f"a bank must hold 1 to {MAX_FILTERS} filters, got {k}")
    for side, label in ((kh, "height"), (kw, "width")):
        if not (1 <= side <= MAX_KERNEL and side % 2 == 1):
            raise BankError(
                f"kernel {label} must be odd and between 1 and {MAX_KERNEL} (so the kernel has a centre), "
                f"got {side}"
            )
    if not 1 <= c <= MAX_CHANNELS:
        raise BankError(f"filters must have 1 to {MAX_CHANNELS} channels, got {c}")


@dataclass(frozen=True, eq=False, repr=False)
class FilterBank:
    """K filters of ``kh x kw x C`` weights and one bias each, plus names and a description.

    Parameters
    ----------
    weights : array_like, shape (K, kh, kw, C)
        Filter k's weights are ``weights[k]``; ``weights[k, :, :, c]`` is its 2D slice for channel c.
        Stored as read-only float32 (``-0.0`` becomes ``0.0``).
    bias : array_like, shape (K,), optional
        One bias per filter; zeros if omitted.
    names : sequence of str, length K, optional
        One short name per filter; ``"filter 1"``, ``"filter 2"``, ... if omitted.
    name : str, keyword-only
        Identifier of the bank (a preset's file name, or ``"custom"``).
    title, description, source : str, keyword-only
        What the bank is, what it detects and why, and where its weights come from.

    Raises
    ------
    BankError
        If any part breaks the limits in the module docstring.

    Examples
    --------
    >>> bank = FilterBank(np.zeros((1, 3, 3, 3)))
    >>> bank.kernel_size, bank.channels, bank.names
    ((3, 3), 3, ('filter 1',))
    """

    weights: np.ndarray
    bias: np.ndarray | None = None
    names: Sequence[str] | None = None
    _: KW_ONLY
    name: str = "custom"
    title: str = ""
    description: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        weights = check_number_array(self.weights, "weights")
        check_kernel_shape(weights.shape)
        k = weights.shape[0]
        bias = np.zeros(k) if self.bias is None else self.bias
        bias = check_number_array(bias, "bias")
        if bias.shape != (k,):
            raise BankError(f"`bias` must have shape ({k},), one per filter, got {bias.shape}")
        names = tuple(f"filter {i + 1}" for i in range(k)) if self.names is None else self.names
        if isinstance(names, str) or not isinstance(names, Sequence):
            raise BankError(f"`names` must be a sequence of {k} strings, got {type(names).__name__}")
        names = tuple(
            check_text(n, f"names[{i}]", limit=TEXT_LIMITS["filter name"]) for i, n in enumerate(names)
        )
        if len(names) != k:
            raise BankError(f"`names` must hold one name per filter ({k}), got {len(names)}")
        for field in ("name", "title", "description", "source"):
            check_text(
                getattr(self, field), field, limit=TEXT_LIMITS[field],
                allow_empty=field != "name", multiline=field in ("description", "source"),
            )
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "bias", bias)
        object.__setattr__(self, "names", names)

    @property
    def n_filters(self) -> int:
        """K, the number of filters (the depth of the output volume)."""
        return self.weights.shape[0]

    @property
    def kernel_size(self) -> tuple[int, int]:
        """``(kh, kw)``, the spatial size of every kernel."""
        return self.weights.shape[1], self.weights.shape[2]

    @property
    def channels(self) -> int:
        """C, the number of input channels each filter reads."""
        return self.weights.shape[3]

    def __len__(self) -> int:
        return self.n_filters

    def replace(self, **changes) -> FilterBank:
        """Return a copy with some fields changed (validated like a new bank)."""
        return dataclasses.replace(self, **changes)

    def __eq__(self, other: object) -> bool:
        """Equal when every field matches exactly (weights and bias bit for bit)."""
        if not isinstance(other, FilterBank):
            return NotImplemented
        return (
            self.weights.shape == other.weights.shape
            and self.weights.tobytes() == other.weights.tobytes()
            and self.bias.tobytes() == other.bias.tobytes()
            and (self.names, self.name, self.title, self.description, self.source)
            == (other.names, other.name, other.title, other.description, other.source)
        )

    __hash__ = None  # mutable-looking arrays inside: banks are compared, not hashed

    def __repr__(self) -> str:
        k, kh, kw, c = self.weights.shape
        plural = "filter" if k == 1 else "filters"
        names = list(self.names) if k <= 8 else [*self.names[:7], "..."]
        return f"FilterBank({self.name!r}, {k} {plural} of {kh}x{kw}x{c}: {names})"


def check_bank(bank: object) -> FilterBank:
    """Return `bank` if it is a FilterBank (for the functions that take one)."""
    if not isinstance(bank, FilterBank):
        raise BankError(f"`bank` must be a FilterBank, got {type(bank).__name__}")
    return bank


def check_int(value: object, what: str, low: int, high: int) -> int:
    """`value` as an int in [low, high] (bools refused: True is not a filter index)."""
    if isinstance(value, bool):
        raise BankError(f"`{what}` must be an integer, got {value!r}")
    try:
        value = operator.index(value)
    except TypeError:
        raise BankError(f"`{what}` must be an integer, got {type(value).__name__}") from None
    if not low <= value <= high:
        raise BankError(f"`{what}` must be between {low} and {high}, got {value}")
    return value


def check_index(bank: FilterBank, index: object) -> int:
    """`index` as the position of one of `bank`'s filters, 0 to K-1."""
    return check_int(index, "index", 0, bank.n_filters - 1)
