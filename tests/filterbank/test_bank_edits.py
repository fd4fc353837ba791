"""Bank edits: adding, duplicating, removing, moving and replacing filters."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convviz import BankError
from convviz.filterbank.edits import (
    add_filter,
    blank_bank,
    duplicate_filter,
    move_filter,
    remove_filter,
    set_filter,
)
from tests.filterbank.strategies import assert_bank_error, assert_pure, banks, counting_bank


def test_blank_bank_shapes():
    """blank_bank makes all-zero filters of the requested count, size and depth."""
    bank = blank_bank(4, size=5, channels=2)
    assert bank.weights.shape == (4, 5, 5, 2) and not bank.weights.any()


def test_add_filter_appends_or_inserts():
    """add_filter appends a zero filter by default, or inserts given weights at a position."""
    bank = add_filter(blank_bank(2))
    assert bank.names == ("filter 1", "filter 2", "filter 3")
    ones = np.ones((3, 3, 3))
    bank = add_filter(bank, ones, bias=0.5, name="ones", position=0)
    assert bank.names[0] == "ones" and bank.bias[0] == 0.5 and np.all(bank.weights[0] == 1)


def test_add_filter_picks_a_free_default_name():
    """The default name skips names already in use."""
    bank = add_filter(remove_filter(blank_bank(2), 0))  # left with "filter 2"
    assert bank.names == ("filter 2", "filter 2 2")


def test_duplicate_inserts_a_copy_after_the_original():
    """duplicate_filter puts an equal filter right after, with a distinct name."""
    bank = duplicate_filter(counting_bank(k=2), 0)
    assert bank.n_filters == 3 and bank.names == ("filter 1", "filter 1 copy", "filter 2")
    assert np.array_equal(bank.weights[0], bank.weights[1]) and bank.bias[0] == bank.bias[1]
    assert duplicate_filter(bank, 0).names[1] == "filter 1 copy 2"


def test_remove_keeps_the_others_in_order():
    """remove_filter drops one filter and keeps the rest in order; the last one cannot go."""
    bank = remove_filter(counting_bank(k=3), 1)
    assert bank.names == ("filter 1", "filter 3") and bank.bias.tolist() == [1.0, 3.0]
    with pytest.raises(BankError, match="only filter"):
        remove_filter(blank_bank(1), 0)


@settings(max_examples=40)
@given(banks(), st.integers(0, 3), st.integers(0, 3))
def test_move_there_and_back_is_the_identity(bank, i, j):
    """Moving a filter from i to j and back from j to i restores the bank."""
    i, j = i % bank.n_filters, j % bank.n_filters
    assert move_filter(move_filter(bank, i, j), j, i) == bank


def test_move_filter_to_the_front():
    """Moving the last filter to position 0 shifts the others down."""
    assert move_filter(blank_bank(3), 2, 0).names == ("filter 3", "filter 1", "filter 2")


def test_bank_holds_at_most_64_filters():
    """Adding or duplicating past 64 filters is refused."""
    full = blank_bank(64)
    with pytest.raises(BankError, match="1 to 64 filters"):
        add_filter(full)
    with pytest.raises(BankError, match="1 to 64 filters"):
        duplicate_filter(full, 0)


def test_set_filter_replaces_parts():
    """set_filter changes only what it is given."""
    bank = counting_bank()
    out = set_filter(bank, 1, weights=np.zeros((3, 3, 3)), name="blank")
    assert np.all(out.weights[1] == 0) and out.names[1] == "blank" and out.bias[1] == bank.bias[1]
    assert np.array_equal(out.weights[0], bank.weights[0])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda b: add_filter(b, np.ones((5, 5, 3))), "`weights` must have shape (3, 3, 3)"),
        (lambda b: add_filter(b, [[["x"]]]), "must hold numbers"),
        (lambda b: add_filter(b, position=5), "`position` must be between 0 and 2"),
        (lambda b: set_filter(b, 0, weights=np.full((3, 3, 3), np.nan)), "finite"),
        (lambda b: set_filter(b, 0, name=""), "must not be empty"),
        (lambda b: move_filter(b, 0, 2), "`to` must be between 0 and 1"),
        (lambda b: duplicate_filter(b, None), "`index` must be an integer"),
        (lambda b: blank_bank(0), "`n_filters` must be between 1 and 64"),
        (lambda b: blank_bank(1, size=17), "`size` must be between 1 and 15"),
        (lambda b: blank_bank(1, size=4), "kernel height must be odd"),
    ],
)
def test_bad_arguments_raise_bank_error(call, message):
    """Bad indices, positions and weights raise BankError saying what was expected."""
    assert_bank_error(call, message)



def test_every_edit_leaves_the_original_unchanged():
    """Every edit returns a new bank; the input bank is never modified."""
    assert_pure([add_filter, lambda b: duplicate_filter(b, 0), lambda b: remove_filter(b, 0),
                 lambda b: move_filter(b, 0, 2), lambda b: set_filter(b, 0, bias=9.0)])



def test_edits_keep_the_bank_metadata():
    """Name, title, description and source survive an edit."""
    bank = counting_bank(k=3).replace(name="mine", title="T", description="D", source="S")
    out = move_filter(remove_filter(bank, 0), 1, 0)
    assert (out.name, out.title, out.description, out.source) == ("mine", "T", "D", "S")
