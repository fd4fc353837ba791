"""Shared input checks for the public entry points of ``convviz`` (private module).

Dtype policy (the one place it is written down; public docstrings refer here):

- ``uint8`` arrays are pixel intensities: they are rescaled to [0, 1] with ``/ 255`` in float32 at entry,
  so there is no wraparound or saturation anywhere later (a negative filter response stays negative).
- ``bool`` arrays become 0.0 / 1.0.
- Other integer dtypes (and Python lists of ints) are *numbers*, not intensities: they are converted to
  float32 by value, which is exact up to 2**24 (the worked examples use small integers).
- Floating inputs (float16, float32, float64) are converted to float32 once; a float32 input is used as is
  (no copy). Values too large for float32 become inf and are then refused.
- Non-finite values (nan, inf) are refused with an error that names the argument.
- Complex, object, string and other dtypes are refused.

After entry every computation runs in float32; the fast paths make no float64 intermediates.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence

import numpy as np

from convviz.errors import BudgetError, ConvvizValueError

__all__ = [
    "COMPUTE_BUDGET", "MEMORY_BUDGET", "check_budget", "as_float32_array",
    "as_float32_volume", "bias_vector", "check_finite", "check_ndim", "filter_bank", "one_filter", "pair",
    "int_in_range",
]


#: Most multiply-accumulates one call may do (a 4000x3000 RGB image through 32 3x3 filters is 10.4e9,
#: roughly a quarter of a second here). Larger requests are refused with a message, not attempted.
COMPUTE_BUDGET = 16_000_000_000

#: Most float32 elements one call may allocate for its result and its padded input (2 GiB).
MEMORY_BUDGET = 512 * 2**20


def check_budget(what: str, *, macs: int, elements: int = 0, macs_limit: int = COMPUTE_BUDGET) -> None:
    """Refuse work beyond a compute budget or :data:`MEMORY_BUDGET` with a friendly :class:`BudgetError`.

    The one budget check: every public op calls it with :data:`COMPUTE_BUDGET`, and an interactive page
    passes its own, smaller `macs_limit` (the Lab's live budget per update).

    Parameters
    ----------
    what : str
        What is being computed, for the message (e.g. ``"conv2d"``, ``"This update"``).
    macs : int
        Multiply-accumulates the call would do.
    elements : int
        float32 elements the call would allocate (output plus padded input); 0 when not checked.
    macs_limit : int
        Most multiply-accumulates allowed (default :data:`COMPUTE_BUDGET`).

    Examples
    --------
    >>> check_budget("conv2d", macs=10**6, elements=10**6)
    >>> check_budget("This update", macs=3 * 10**9, macs_limit=2 * 10**9)
    Traceback (most recent call last):
    ...
    convviz.errors.BudgetError: This update would need 3.0 billion multiply-adds, more than the budget of ...
    """
    if macs > macs_limit:
        raise BudgetError(
            f"{what} would need {macs / 1e9:.1f} billion multiply-adds, more than the budget of "
            f"{macs_limit / 1e9:.0f} billion: use a smaller image, fewer or smaller filters, "
            "or a larger stride"
        )
    if elements > MEMORY_BUDGET:
        raise BudgetError(
            f"{what} would need {elements * 4 / 2**30:.1f} GiB of memory, more than the budget of "
            f"{MEMORY_BUDGET * 4 / 2**30:.0f} GiB: use a smaller image, fewer filters or less padding"
        )


def _dtype_name(x: object) -> str:
    return str(getattr(x, "dtype", type(x).__name__))


def as_float32_array(x: object, name: str) -> np.ndarray:
    """Convert ``x`` to a float32 ndarray following the dtype policy of this module.

    Parameters
    ----------
    x : array_like
        Any array-like of real numbers.
    name : str
        The argument name used in error messages.

    Returns
    -------
    ndarray, float32
        ``x`` itself when it already is a float32 ndarray, otherwise a converted copy. Finiteness is not
        checked here (see :func:`check_finite`).

    Examples
    --------
    >>> as_float32_array(np.array([0, 255], dtype=np.uint8), "image").tolist()
    [0.0, 1.0]
    """
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as exc:  # ragged nested lists, for instance
        raise ConvvizValueError(f"`{name}` must be a rectangular array of numbers ({exc})") from None
    if arr.dtype == np.float32:
        return arr
    if arr.dtype == np.uint8:
        # Rescale in float32 (never a bare astype, which would keep 0..255).
        return arr.astype(np.float32) * np.float32(1.0 / 255.0)
    if arr.dtype == np.bool_ or np.issubdtype(arr.dtype, np.integer):
        return arr.astype(np.float32)
    if np.issubdtype(arr.dtype, np.floating):
        with np.errstate(over="ignore"):  # overflow to inf is reported by check_finite, by name
            return arr.astype(np.float32)
    raise ConvvizValueError(
        f"`{name}` must hold real numbers (float or integer), got dtype {_dtype_name(arr)}"
    )


def check_ndim(arr: np.ndarray, name: str, ndims: Sequence[int], shape_hint: str) -> None:
    """Raise unless ``arr.ndim`` is one of ``ndims``; ``shape_hint`` names the expected shape(s).

    Examples
    --------
    >>> check_ndim(np.zeros((4, 4, 3)), "volume", (3,), "(H, W, C)")
    """
    if arr.ndim not in tuple(ndims):
        raise ConvvizValueError(f"`{name}` must have shape {shape_hint}, got an array of shape {arr.shape}")


def _screen_values(arr: np.ndarray) -> np.ndarray | None:
    """A contiguous 1D float32 array holding every value of ``arr`` (maybe more), or None.

    ``arr`` itself when contiguous; else its base buffer when that is at most a quarter larger (the strided
    (H', W', K) views of planar buffers that conv2d returns). Extra values can only cause a false alarm,
    which the exact check then clears.
    """
    if arr.dtype != np.float32:
        return None
    if arr.flags.c_contiguous or arr.flags.f_contiguous:
        return arr.ravel(order="K")
    base = arr.base
    if isinstance(base, np.ndarray) and base.dtype == np.float32 and base.flags.c_contiguous \
            and base.size <= 1.25 * arr.size:
        return base.reshape(-1)
    return None


def check_finite(arr: np.ndarray, name: str) -> None:
    """Raise if ``arr`` holds nan or inf.

    Examples
    --------
    >>> check_finite(np.ones(3, dtype=np.float32), "bias")
    """
    # A quick screen first: a sum of squares is finite exactly when every term is (no term can cancel an
    # inf), and a dot product is one fast pass (0.5 ms at 2 MP against ~1.2 ms for np.isfinite().all()).
    # Huge finite values can overflow the screen; the exact check below then decides.
    values = _screen_values(arr)
    with np.errstate(over="ignore", invalid="ignore"):
        if values is not None:
            screen = np.dot(values, values)
        else:
            screen = np.add.reduce(arr, axis=None, dtype=np.float32) if arr.size else np.float32(0)
    if np.isfinite(screen):
        return
    if not np.isfinite(arr).all():
        raise ConvvizValueError(f"`{name}` must contain only finite numbers (no nan or inf)")


def as_float32_volume(x: object, name: str, *, ndims: Sequence[int] = (3,), shape_hint: str = "(H, W, C)"):
    """Convert ``x`` to a finite float32 array with one of the allowed numbers of dimensions.

    Parameters
    ----------
    x : array_like
        Input following the dtype policy of this module (uint8 is rescaled to [0, 1]).
    name : str
        The argument name used in error messages.
    ndims : sequence of int, optional
        Allowed numbers of dimensions (default: 3).
    shape_hint : str, optional
        The expected shape, as written in the error message.

    Returns
    -------
    ndarray, float32
        The converted array; no dimension is empty.

    Examples
    --------
    >>> as_float32_volume(np.zeros((2, 2, 3), dtype=np.uint8), "volume").dtype
    dtype('float32')
    """
    from_float = np.issubdtype(getattr(x, "dtype", np.float64), np.floating) or not isinstance(x, np.ndarray)
    arr = as_float32_array(x, name)
    check_ndim(arr, name, ndims, shape_hint)
    if 0 in arr.shape:
        raise ConvvizValueError(f"`{name}` must not be empty, got shape {arr.shape}")
    if from_float:  # integers and bools converted to float32 are always finite
        check_finite(arr, name)
    return arr


def int_in_range(
    x: object, name: str, *, low: int = 1, high: int | None = None,
    error: type[ConvvizValueError] = ConvvizValueError,
) -> int:
    """Return ``x`` as an int in ``[low, high]`` (no upper bound when `high` is None), else raise `error`.

    The one integer check of the package: Python and NumPy integers are accepted (anything with
    ``__index__``); bools, floats and text are refused (True is not a stride, 2.0 is not a count). `error`
    is the concept's :class:`~convviz.errors.ConvvizValueError` subclass (e.g. ``SettingsError``).

    Examples
    --------
    >>> int_in_range(np.int64(2), "stride")
    2
    >>> int_in_range(9, "stride", high=8)
    Traceback (most recent call last):
    ...
    convviz.errors.ConvvizValueError: `stride` must be an integer from 1 to 8, got 9
    """
    wanted = f"an integer >= {low}" if high is None else f"an integer from {low} to {high}"
    if isinstance(x, bool | np.bool_):
        raise error(f"`{name}` must be {wanted}, got {x!r}")
    try:
        value = operator.index(x)
    except TypeError:
        raise error(f"`{name}` must be {wanted}, got {x!r}") from None
    if value < low or (high is not None and value > high):
        raise error(f"`{name}` must be {wanted}, got {value}")
    return value


def pair(x: object, name: str, *, minimum: int = 1) -> tuple[int, int]:
    """Return an int-or-(h, w) argument as a pair of ints, each ``>= minimum``.

    Examples
    --------
    >>> pair(2, "stride")
    (2, 2)
    >>> pair((1, 0), "padding", minimum=0)
    (1, 0)
    """
    if isinstance(x, tuple | list | np.ndarray):
        items = list(x)
        if len(items) != 2:
            raise ConvvizValueError(f"`{name}` must be an int or an (h, w) pair of ints, got {x!r}")
        return (int_in_range(items[0], f"{name}[0]", low=minimum),
                int_in_range(items[1], f"{name}[1]", low=minimum))
    value = int_in_range(x, name, low=minimum)
    return value, value


def filter_bank(x: object, channels: int, *, name: str = "filters", match: str = "volume") -> np.ndarray:
    """Validate a filter bank and return it as a (K, kh, kw, C) float32 array with ``C == channels``.

    ``x`` may be a bank ``(K, kh, kw, C)``, one filter ``(kh, kw, C)`` (K = 1) or one 2D kernel ``(kh, kw)``,
    which is broadcast to every channel (a read-only view).

    Examples
    --------
    >>> filter_bank(np.ones((3, 3)), 2).shape
    (1, 3, 3, 2)
    """
    bank = as_float32_volume(x, name, ndims=(2, 3, 4), shape_hint="(K, kh, kw, C), (kh, kw, C) or (kh, kw)")
    if bank.ndim == 2:  # one 2D kernel, the same on every channel
        bank = np.broadcast_to(bank[None, :, :, None], (1, *bank.shape, channels))  # (1, kh, kw, C)
    elif bank.ndim == 3:  # one filter
        bank = bank[None]  # (1, kh, kw, C)
    if bank.shape[3] != channels:
        raise ConvvizValueError(
            f"`{name}` must have {channels} channels to match `{match}`, got {bank.shape[3]} "
            f"(filter bank shape {bank.shape}, expected (K, kh, kw, {channels}))"
        )
    return bank


def one_filter(x: object, channels: int, *, name: str = "kernel", match: str = "volume") -> np.ndarray:
    """Validate one filter and return it as a (kh, kw, C) float32 array with ``C == channels``.

    ``x`` may be ``(kh, kw, C)`` or a 2D kernel ``(kh, kw)``, broadcast to every channel (a read-only view).

    Examples
    --------
    >>> one_filter(np.ones((3, 3)), 2).shape
    (3, 3, 2)
    """
    ker = as_float32_volume(x, name, ndims=(2, 3), shape_hint="(kh, kw, C) or (kh, kw)")
    if ker.ndim == 2:
        ker = np.broadcast_to(ker[..., None], (*ker.shape, channels))  # (kh, kw, C)
    if ker.shape[2] != channels:
        raise ConvvizValueError(
            f"`{name}` must have {channels} channels to match `{match}`, got {ker.shape[2]} "
            f"(kernel shape {ker.shape}, expected (kh, kw, {channels}))"
        )
    return ker


def bias_vector(x: object, n_filters: int, *, name: str = "bias") -> np.ndarray:
    """Validate a bias (None, a number or shape (K,)) and return it as a finite (K,) float32 vector.

    Examples
    --------
    >>> bias_vector(0.5, 2).tolist()
    [0.5, 0.5]
    """
    if x is None:
        return np.zeros(n_filters, dtype=np.float32)
    vec = as_float32_array(x, name)
    if vec.ndim == 0:
        vec = np.full(n_filters, vec, dtype=np.float32)  # (K,)
    if vec.shape != (n_filters,):
        raise ConvvizValueError(f"`{name}` must be a number or have shape ({n_filters},), one per filter, "
                                f"got shape {vec.shape}")
    check_finite(vec, name)
    return vec
