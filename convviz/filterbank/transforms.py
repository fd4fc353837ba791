"""Pure filter transforms for the designer: every function returns a new :class:`FilterBank`.

Each transform ``f(bank, index=None, *, ...)`` changes the weights of filter `index`, or of every filter
when `index` is None: :func:`rotate90`, :func:`flip`, :func:`transpose`, :func:`negate`,
:func:`zero_channel`, :func:`copy_channel`, :func:`normalise`, :func:`randomise`. Edits of the list of
filters (add, duplicate, remove, reorder) are in :mod:`convviz.filterbank.edits`.

Weights are ``(K, kh, kw, C)``; one filter is ``weights[k]``, ``(kh, kw, C)``; its slice for channel c is
``weights[k, :, :, c]``, ``(kh, kw)``, with row 0 at the top. Bank names and metadata are kept.

Examples
--------
>>> from convviz import load_preset
>>> from convviz.filterbank.transforms import transpose
>>> vertical = load_preset("sobel-vertical")
>>> transpose(vertical).weights[0, :, :, 0].tolist()
[[1.0, 2.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -2.0, -1.0]]
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from convviz.filterbank.bank import BankError, FilterBank, check_bank, check_index, check_int

__all__ = [
    "copy_channel", "flip", "negate", "normalise", "randomise", "rotate90", "transpose", "zero_channel",
]

FLIP_AXES = {"left-right": 1, "up-down": 0}  # axis of one (kh, kw, C) filter
NORMALISE_MODES = ("sum-to-1", "zero-mean")


def _indices(bank: FilterBank, index: int | None) -> list[int]:
    """The filters a transform applies to: `index`, or all of them when it is None."""
    return list(range(bank.n_filters)) if index is None else [check_index(bank, index)]


def _map_filters(bank: FilterBank, index: int | None, fn: Callable[[np.ndarray], np.ndarray]) -> FilterBank:
    """Apply `fn` to filter `index` (or every filter), each ``(kh, kw, C)``; return the new bank."""
    bank = check_bank(bank)
    chosen = _indices(bank, index)
    new = [fn(w.astype(np.float64)) if k in chosen else w for k, w in enumerate(bank.weights)]
    shapes = {w.shape for w in new}
    if len(shapes) > 1:
        raise BankError(
            f"this would turn filter {index} from {bank.kernel_size[0]}x{bank.kernel_size[1]} into "
            f"{new[chosen[0]].shape[0]}x{new[chosen[0]].shape[1]}, unlike the others; apply it to every "
            "filter (index=None) instead"
        )
    return bank.replace(weights=np.stack(new))  # (K, kh, kw, C)


def rotate90(bank: FilterBank, index: int | None = None, *, turns: int = 1) -> FilterBank:
    """Rotate filter `index` (all if None) by `turns` quarter turns anticlockwise (negative: clockwise).

    Each channel slice turns the same way, so a vertical-edge filter becomes a horizontal-edge one.
    Non-square kernels can only be rotated all together (the bank keeps one kernel size).

    Examples
    --------
    >>> bank = FilterBank(np.arange(9.0).reshape(1, 3, 3, 1))
    >>> rotate90(bank).weights[0, :, :, 0].tolist()
    [[2.0, 5.0, 8.0], [1.0, 4.0, 7.0], [0.0, 3.0, 6.0]]
    """
    turns = check_int(turns, "turns", -(2**31), 2**31)
    return _map_filters(bank, index, lambda w: np.rot90(w, turns, axes=(0, 1)))


def flip(bank: FilterBank, index: int | None = None, *, direction: str = "left-right") -> FilterBank:
    """Mirror filter `index` (all if None): ``"left-right"`` swaps columns, ``"up-down"`` swaps rows.

    Examples
    --------
    >>> bank = FilterBank(np.arange(3.0).reshape(1, 1, 3, 1))
    >>> flip(bank).weights[0, :, :, 0].tolist()
    [[2.0, 1.0, 0.0]]
    """
    if direction not in FLIP_AXES:
        raise BankError(f"`direction` must be one of {list(FLIP_AXES)}, got {direction!r}")
    return _map_filters(bank, index, lambda w: np.flip(w, axis=FLIP_AXES[direction]))


def transpose(bank: FilterBank, index: int | None = None) -> FilterBank:
    """Swap rows and columns of filter `index` (all if None): vertical-edge <-> horizontal-edge.

    Examples
    --------
    >>> bank = FilterBank(np.arange(3.0).reshape(1, 1, 3, 1))
    >>> transpose(bank).weights.shape
    (1, 3, 1, 1)
    """
    return _map_filters(bank, index, lambda w: w.transpose(1, 0, 2))  # (kh, kw, C) -> (kw, kh, C)


def negate(bank: FilterBank, index: int | None = None) -> FilterBank:
    """Negate the weights and bias of filter `index` (all if None): its map becomes exactly the negative.

    Examples
    --------
    >>> negate(FilterBank(np.ones((1, 1, 1, 3)), [0.5])).bias.tolist()
    [-0.5]
    """
    bank = _map_filters(bank, index, np.negative)
    bias = bank.bias.copy()
    bias[_indices(bank, index)] *= -1
    return bank.replace(bias=bias)


def _channel(bank: FilterBank, channel: object) -> int:
    return check_int(channel, "channel", 0, check_bank(bank).channels - 1)


def zero_channel(bank: FilterBank, index: int | None = None, *, channel: int) -> FilterBank:
    """Set channel `channel`'s slice of filter `index` (all if None) to zero: the filter then ignores it.

    Examples
    --------
    >>> zero_channel(FilterBank(np.ones((1, 1, 1, 3))), channel=1).weights.ravel().tolist()
    [1.0, 0.0, 1.0]
    """
    c = _channel(bank, channel)

    def fn(w: np.ndarray) -> np.ndarray:
        w[:, :, c] = 0.0  # w is a fresh float64 copy
        return w

    return _map_filters(bank, index, fn)


def copy_channel(bank: FilterBank, index: int | None = None, *, channel: int) -> FilterBank:
    """Copy channel `channel`'s slice of filter `index` (all if None) into every channel.

    Examples
    --------
    >>> bank = FilterBank(np.array([1.0, 2.0, 3.0]).reshape(1, 1, 1, 3))
    >>> copy_channel(bank, channel=2).weights.ravel().tolist()
    [3.0, 3.0, 3.0]
    """
    c = _channel(bank, channel)
    return _map_filters(bank, index, lambda w: np.repeat(w[:, :, c : c + 1], w.shape[2], axis=2))


def normalise(bank: FilterBank, index: int | None = None, *, mode: str = "sum-to-1") -> FilterBank:
    """Rescale or shift the weights of filter `index` (all if None); the bias is kept.

    Parameters
    ----------
    mode : {"sum-to-1", "zero-mean"}, keyword-only
        ``"sum-to-1"`` divides all ``kh*kw*C`` weights by their sum, so they sum to 1 (a flat gray image
        keeps its value). It refuses a filter whose sum is zero, or so small against its weights (below 1e-6
        of the sum of their absolute values) that the division would only amplify rounding. ``"zero-mean"``
        subtracts the mean of all ``kh*kw*C`` weights, so they sum to 0 (a flat gray image gives 0, the mark
        of an edge detector); a constant filter becomes all zeros.

    Examples
    --------
    >>> normalise(FilterBank(np.full((1, 1, 1, 2), 2.0))).weights.ravel().tolist()
    [0.5, 0.5]
    >>> bank = FilterBank(np.array([1.0, 3.0]).reshape(1, 1, 1, 2))
    >>> normalise(bank, mode="zero-mean").weights.ravel().tolist()
    [-1.0, 1.0]
    """
    if mode not in NORMALISE_MODES:
        raise BankError(f"`mode` must be one of {list(NORMALISE_MODES)}, got {mode!r}")
    bank = check_bank(bank)

    def fn(w: np.ndarray) -> np.ndarray:
        if mode == "zero-mean":
            return w - w.mean()
        total = w.sum()
        if abs(total) <= 1e-6 * np.abs(w).sum():  # also catches the all-zero filter
            raise BankError(
                "a filter whose weights sum to 0 cannot be scaled to sum to 1; "
                "make some weights larger, or use zero-mean instead"
            )
        return w / total

    return _map_filters(bank, index, fn)


def randomise(bank: FilterBank, index: int | None = None, *, seed: int, decimals: int = 2) -> FilterBank:
    """Replace the weights of filter `index` (all if None) with uniform draws in [-1, 1], reproducibly.

    Parameters
    ----------
    seed : int, keyword-only
        Same seed, same bank and index: same weights. Filters drawn together get different weights.
    decimals : int, keyword-only
        Weights are rounded to this many decimals (0 to 6) so they stay readable in the grid (and links stay
        short); the bias is kept.

    Examples
    --------
    >>> a = randomise(FilterBank(np.zeros((2, 3, 3, 3))), seed=7)
    >>> a == randomise(FilterBank(np.zeros((2, 3, 3, 3))), seed=7), bool((a.weights[0] != a.weights[1]).any())
    (True, True)
    """
    rng = np.random.default_rng(check_int(seed, "seed", 0, 2**63 - 1))
    decimals = check_int(decimals, "decimals", 0, 6)
    return _map_filters(bank, index, lambda w: np.round(rng.uniform(-1.0, 1.0, w.shape), decimals))
