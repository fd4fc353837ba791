"""Edits of the list of filters in a bank: every function returns a new :class:`FilterBank`.

:func:`blank_bank` starts a bank; :func:`add_filter`, :func:`duplicate_filter`, :func:`remove_filter`,
:func:`move_filter` and :func:`set_filter` change its filters. A bank holds 1 to 64 filters (the designer
shows at most 16). Weights are ``(K, kh, kw, C)``; one filter is ``(kh, kw, C)``. Transforms of one
filter's weights (rotate, flip, normalise...) are in :mod:`convviz.filterbank.transforms`.

Examples
--------
>>> from convviz.filterbank.edits import add_filter, blank_bank, move_filter
>>> move_filter(add_filter(blank_bank(1), name="edges"), 1, 0)
FilterBank('custom', 2 filters of 3x3x3: ['edges', 'filter 1'])
"""

from __future__ import annotations

import numpy as np

from convviz.filterbank.bank import (
    MAX_CHANNELS,
    MAX_FILTERS,
    MAX_KERNEL,
    TEXT_LIMITS,
    BankError,
    FilterBank,
    check_bank,
    check_index,
    check_int,
    check_number_array,
)

__all__ = ["add_filter", "blank_bank", "duplicate_filter", "move_filter", "remove_filter", "set_filter"]


def blank_bank(n_filters: int = 1, *, size: int = 3, channels: int = 3) -> FilterBank:
    """A bank of `n_filters` all-zero ``size x size x channels`` filters, named "filter 1", ...

    Examples
    --------
    >>> blank_bank(2)
    FilterBank('custom', 2 filters of 3x3x3: ['filter 1', 'filter 2'])
    """
    n = check_int(n_filters, "n_filters", 1, MAX_FILTERS)
    side = check_int(size, "size", 1, MAX_KERNEL)
    c = check_int(channels, "channels", 1, MAX_CHANNELS)
    return FilterBank(np.zeros((n, side, side, c)))  # (K, kh, kw, C)


def _with_filters(bank: FilterBank, weights: list, bias: list, names: list) -> FilterBank:
    if not 1 <= len(weights) <= MAX_FILTERS:
        raise BankError(f"a bank must hold 1 to {MAX_FILTERS} filters, this edit would leave {len(weights)}")
    return bank.replace(weights=np.stack(weights), bias=np.asarray(bias), names=tuple(names))


def _filter_weights(bank: FilterBank, weights) -> np.ndarray:
    """`weights` checked as one ``(kh, kw, C)`` filter of `bank` (same kernel size and channels)."""
    weights = check_number_array(weights, "weights")
    if weights.shape != bank.weights.shape[1:]:
        raise BankError(
            f"`weights` must have shape {bank.weights.shape[1:]} to match the bank, got {weights.shape}"
        )
    return weights


def _reorder(bank: FilterBank, order: list[int]) -> FilterBank:
    """The filters of `bank` in the given order (a subset is allowed)."""
    names = [bank.names[k] for k in order]
    return _with_filters(bank, list(bank.weights[order]), list(bank.bias[order]), names)


def _unique_name(bank: FilterBank, base: str) -> str:
    """`base`, or `base` with the first free number appended, kept within the name length limit."""
    limit = TEXT_LIMITS["filter name"]
    name, n = base[:limit], 2
    while name in bank.names:
        suffix = f" {n}"
        name, n = base[: limit - len(suffix)] + suffix, n + 1
    return name


def add_filter(
    bank: FilterBank, weights=None, *, bias: float = 0.0, name: str | None = None, position: int | None = None
) -> FilterBank:
    """Insert a filter (all zeros if `weights` is None) at `position` (the end if None).

    Parameters
    ----------
    weights : array_like, shape (kh, kw, C), optional
        Must match the bank's kernel size and channels.
    name : str, optional
        Default: ``"filter <n>"`` with the first free number.

    Examples
    --------
    >>> add_filter(blank_bank(1), name="edges")
    FilterBank('custom', 2 filters of 3x3x3: ['filter 1', 'edges'])
    """
    bank = check_bank(bank)
    k = bank.n_filters
    weights = np.zeros(bank.weights.shape[1:]) if weights is None else _filter_weights(bank, weights)
    position = k if position is None else check_int(position, "position", 0, k)
    name = _unique_name(bank, f"filter {k + 1}") if name is None else name
    w, b, n = list(bank.weights), list(bank.bias), list(bank.names)
    w.insert(position, weights)
    b.insert(position, bias)
    n.insert(position, name)
    return _with_filters(bank, w, b, n)


def duplicate_filter(bank: FilterBank, index: int) -> FilterBank:
    """Insert a copy of filter `index` right after it, named ``"<name> copy"``.

    Examples
    --------
    >>> duplicate_filter(blank_bank(1), 0).names
    ('filter 1', 'filter 1 copy')
    """
    bank = check_bank(bank)
    i = check_index(bank, index)
    name = _unique_name(bank, f"{bank.names[i][: TEXT_LIMITS['filter name'] - 5]} copy")
    return add_filter(bank, bank.weights[i], bias=float(bank.bias[i]), name=name, position=i + 1)


def remove_filter(bank: FilterBank, index: int) -> FilterBank:
    """Remove filter `index` (a bank keeps at least one filter).

    Examples
    --------
    >>> remove_filter(blank_bank(2), 0).names
    ('filter 2',)
    """
    bank = check_bank(bank)
    i = check_index(bank, index)
    keep = [k for k in range(bank.n_filters) if k != i]
    if not keep:
        raise BankError("cannot remove the only filter: a bank holds at least one")
    return _reorder(bank, keep)


def move_filter(bank: FilterBank, index: int, to: int) -> FilterBank:
    """Move filter `index` to position `to` (the others keep their order).

    Examples
    --------
    >>> move_filter(blank_bank(3), 2, 0).names
    ('filter 3', 'filter 1', 'filter 2')
    """
    bank = check_bank(bank)
    i = check_index(bank, index)
    order = [k for k in range(bank.n_filters) if k != i]
    order.insert(check_int(to, "to", 0, bank.n_filters - 1), i)
    return _reorder(bank, order)


def set_filter(
    bank: FilterBank, index: int, *, weights=None, bias: float | None = None, name: str | None = None
) -> FilterBank:
    """Replace the weights ``(kh, kw, C)``, the bias and/or the name of filter `index`.

    Examples
    --------
    >>> set_filter(blank_bank(1), 0, bias=0.25, name="offset")
    FilterBank('custom', 1 filter of 3x3x3: ['offset'])
    """
    bank = check_bank(bank)
    i = check_index(bank, index)
    w, b, n = list(bank.weights), list(bank.bias), list(bank.names)
    if weights is not None:
        w[i] = _filter_weights(bank, weights)
    b[i] = b[i] if bias is None else bias
    n[i] = n[i] if name is None else name
    return _with_filters(bank, w, b, n)
