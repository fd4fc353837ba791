"""Filter transforms: their algebra, what they do to presets, immutability and errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convviz import BankError, FilterBank, conv2d, load_preset
from convviz.filterbank.transforms import (
    copy_channel,
    flip,
    negate,
    normalise,
    randomise,
    rotate90,
    transpose,
    zero_channel,
)
from tests.filterbank.strategies import assert_bank_error, assert_pure, banks, counting_bank

square_banks = banks(square=True)
indices = st.none() | st.integers(0, 3)


def index_for(bank, index):
    return None if index is None else index % bank.n_filters


@settings(max_examples=40)
@given(square_banks, indices)
def test_four_quarter_turns_are_the_identity(bank, index):
    """rotate90 four times gives the bank back."""
    i = index_for(bank, index)
    assert rotate90(rotate90(rotate90(rotate90(bank, i), i), i), i) == bank
    assert rotate90(bank, i, turns=4) == bank


@settings(max_examples=40)
@given(square_banks, indices)
def test_turning_back_undoes_a_turn(bank, index):
    """A quarter turn clockwise undoes one anticlockwise."""
    i = index_for(bank, index)
    assert rotate90(rotate90(bank, i), i, turns=-1) == bank


@settings(max_examples=40)
@given(banks(), indices)
def test_transpose_twice_and_flip_twice_are_identities(bank, index):
    """Transposing or mirroring twice gives the bank back."""
    i = index_for(bank, index)
    if i is None or bank.kernel_size[0] == bank.kernel_size[1]:
        assert transpose(transpose(bank, i), i) == bank
    for direction in ("left-right", "up-down"):
        assert flip(flip(bank, i, direction=direction), i, direction=direction) == bank


@settings(max_examples=40)
@given(banks())
def test_half_turn_is_both_flips(bank):
    """Two quarter turns equal a left-right flip followed by an up-down flip."""
    assert rotate90(bank, turns=2) == flip(flip(bank, direction="left-right"), direction="up-down")


@settings(max_examples=40)
@given(banks())
def test_quarter_turn_is_transpose_then_up_down_flip(bank):
    """An anticlockwise quarter turn is the transpose mirrored top to bottom."""
    assert rotate90(bank) == flip(transpose(bank), direction="up-down")


@settings(max_examples=40)
@given(banks(), indices)
def test_negate_twice_is_the_identity(bank, index):
    """Negating twice gives the bank back (weights and bias)."""
    i = index_for(bank, index)
    assert negate(negate(bank, i), i) == bank


def test_negated_filter_gives_the_negative_map():
    """Negating weights and bias negates the filter's output map exactly."""
    bank = load_preset("emboss")
    img = np.random.default_rng(1).random((8, 8, 3), dtype=np.float32)
    neg = negate(bank)
    assert np.array_equal(conv2d(img, neg.weights, neg.bias), -conv2d(img, bank.weights, bank.bias))


def test_quarter_turn_direction():
    """rotate90 turns anticlockwise: the top row becomes the left column, read bottom-up."""
    bank = FilterBank(np.array([[1.0, 2.0, 3.0], [0, 0, 0], [0, 0, 0]]).reshape(1, 3, 3, 1))
    assert rotate90(bank).weights[0, :, :, 0].tolist() == [[3, 0, 0], [2, 0, 0], [1, 0, 0]]


def test_flip_directions():
    """left-right reverses each row, up-down reverses the row order."""
    bank = FilterBank(np.array([[1.0, 2.0, 3.0], [4, 5, 6], [7, 8, 9]]).reshape(1, 3, 3, 1))
    assert flip(bank).weights[0, :, :, 0].tolist() == [[3, 2, 1], [6, 5, 4], [9, 8, 7]]
    assert flip(bank, direction="up-down").weights[0, :, :, 0].tolist() == [[7, 8, 9], [4, 5, 6], [1, 2, 3]]


def test_transpose_swaps_vertical_and_horizontal_edges():
    """Transposing the vertical Sobel preset gives the horizontal one; left-right flip negates it."""
    vertical = load_preset("sobel-vertical")
    assert np.array_equal(transpose(vertical).weights, load_preset("sobel-horizontal").weights)
    assert np.array_equal(flip(vertical).weights, -vertical.weights)


def test_transform_touches_only_the_chosen_filter():
    """With an index, only that filter changes; the others keep their exact weights and bias."""
    bank = counting_bank(k=3)
    for op in (rotate90, flip, transpose, negate):
        out = op(bank, 1)
        assert np.array_equal(out.weights[[0, 2]], bank.weights[[0, 2]])
        assert not np.array_equal(out.weights[1], bank.weights[1])
        assert out.bias[0] == bank.bias[0] and out.bias[2] == bank.bias[2]


def test_none_index_transforms_every_filter():
    """index=None applies the transform to all filters."""
    bank = counting_bank(k=3)
    assert np.array_equal(negate(bank).weights, -bank.weights)
    assert negate(bank).bias.tolist() == [-1.0, -2.0, -3.0]


def test_non_square_kernels_turn_only_together():
    """Turning one 3x5 filter would break the bank's shape; turning all of them is fine."""
    bank = counting_bank(k=2, kh=3, kw=5)
    with pytest.raises(BankError, match="apply it to every filter"):
        rotate90(bank, 0)
    with pytest.raises(BankError, match="apply it to every filter"):
        transpose(bank, 1)
    assert rotate90(bank).kernel_size == (5, 3) and transpose(bank).kernel_size == (5, 3)


def test_zero_channel_silences_one_channel():
    """Zeroing channel 1 sets that slice to 0 and leaves the other slices alone."""
    bank = counting_bank()
    out = zero_channel(bank, 0, channel=1)
    assert np.all(out.weights[0, :, :, 1] == 0)
    assert np.array_equal(out.weights[0, :, :, [0, 2]], bank.weights[0, :, :, [0, 2]])
    assert np.array_equal(out.weights[1], bank.weights[1])


def test_zeroing_green_and_blue_of_sobel_gives_the_red_only_preset():
    """Sobel vertical with G and B zeroed is the red-vertical-edges preset's weights."""
    bank = zero_channel(zero_channel(load_preset("sobel-vertical"), channel=1), channel=2)
    assert np.array_equal(bank.weights, load_preset("red-vertical-edges").weights)


def test_copy_channel_replicates_one_slice():
    """Copying channel 0 to all makes every slice equal to the old R slice."""
    bank = counting_bank()
    out = copy_channel(bank, channel=0)
    for c in range(3):
        assert np.array_equal(out.weights[:, :, :, c], bank.weights[:, :, :, 0])


def test_copy_red_of_red_only_preset_gives_replicated_sobel():
    """Copying R to all channels of the red-only preset gives the replicated Sobel preset."""
    out = copy_channel(load_preset("red-vertical-edges"), channel=0)
    assert np.array_equal(out.weights, load_preset("sobel-vertical").weights)


@settings(max_examples=40)
@given(banks())
def test_sum_to_1_normalise_gives_unit_sums(bank):
    """After sum-to-1 every filter's 27 (kh*kw*C) weights sum to 1, or the call refuses a zero-sum filter."""
    try:
        out = normalise(bank)
    except BankError as exc:
        assert "sum to 0" in str(exc) or "[-1000, 1000]" in str(exc)
        return
    np.testing.assert_allclose(out.weights.astype(np.float64).sum(axis=(1, 2, 3)), 1.0, rtol=1e-4)


@settings(max_examples=40)
@given(banks())
def test_zero_mean_normalise_gives_zero_sums(bank):
    """After zero-mean every filter's weights sum to 0 (to float32 rounding)."""
    try:
        out = normalise(bank, mode="zero-mean")
    except BankError as exc:  # subtracting the mean can push a weight past the +-1000 limit
        assert "[-1000, 1000]" in str(exc)
        return
    scale = np.abs(bank.weights).sum(axis=(1, 2, 3)) + 1
    assert np.all(np.abs(out.weights.astype(np.float64).sum(axis=(1, 2, 3))) <= 1e-6 * scale)


def test_sum_to_1_refuses_a_zero_sum_filter():
    """An edge detector (weights sum to 0) cannot be scaled to sum to 1; the message suggests zero-mean."""
    with pytest.raises(BankError, match="use zero-mean instead"):
        normalise(load_preset("sobel-vertical"))
    with pytest.raises(BankError, match="sum to 0"):
        normalise(FilterBank(np.zeros((1, 3, 3, 3))))


def test_sum_to_1_of_ones_is_the_box_blur():
    """All-ones 3x3x3 normalised to sum 1 is the box-blur preset's weights."""
    out = normalise(FilterBank(np.ones((1, 3, 3, 3))))
    assert np.array_equal(out.weights, load_preset("box-blur").weights)


def test_zero_mean_of_a_constant_filter_is_zero():
    """A constant filter minus its mean is all zeros; the bias is kept."""
    out = normalise(FilterBank(np.full((1, 3, 3, 3), 0.5), [0.25]), mode="zero-mean")
    assert np.all(out.weights == 0) and out.bias.tolist() == [0.25]


def test_randomise_is_reproducible_and_seed_dependent():
    """The same seed gives the same weights; another seed gives others; filters drawn together differ."""
    bank = FilterBank(np.zeros((3, 3, 3, 3)))
    a, b, c = randomise(bank, seed=5), randomise(bank, seed=5), randomise(bank, seed=6)
    assert a == b and a != c
    assert len({w.tobytes() for w in a.weights}) == 3


def test_randomise_draws_readable_weights_in_range():
    """Random weights lie in [-1, 1], have two decimals, and the bias is kept."""
    out = randomise(FilterBank(np.zeros((2, 3, 3, 3)), [0.0, 0.5]), 1, seed=0)
    w = out.weights[1].astype(np.float64)
    assert np.all(np.abs(w) <= 1) and np.allclose(w * 100, np.round(w * 100), atol=1e-4)
    assert out.bias.tolist() == [0.0, 0.5] and np.all(out.weights[0] == 0)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda b: rotate90(b, 2), "`index` must be between 0 and 1, got 2"),
        (lambda b: rotate90(b, -1), "`index` must be between 0 and 1"),
        (lambda b: rotate90(b, True), "`index` must be an integer, got True"),
        (lambda b: rotate90(b, 0.0), "`index` must be an integer, got float"),
        (lambda b: rotate90(b, turns="1"), "`turns` must be an integer"),
        (lambda b: flip(b, direction="horizontal"), "`direction` must be one of ['left-right', 'up-down']"),
        (lambda b: zero_channel(b, channel=3), "`channel` must be between 0 and 2, got 3"),
        (lambda b: copy_channel(b, channel=None), "`channel` must be an integer"),
        (lambda b: normalise(b, mode="l2"), "`mode` must be one of ['sum-to-1', 'zero-mean']"),
        (lambda b: randomise(b, seed=-1), "`seed` must be between 0"),
        (lambda b: randomise(b, seed=1, decimals=9), "`decimals` must be between 0 and 6"),
        (lambda b: negate(b.weights), "`bank` must be a FilterBank"),
    ],
)
def test_bad_arguments_raise_bank_error(call, message):
    """Bad indices, options and weights raise BankError saying what was expected."""
    assert_bank_error(call, message)



def test_every_edit_leaves_the_original_unchanged():
    """Every transform returns a new bank; the input bank is never modified."""
    assert_pure([rotate90, lambda b: flip(b, 0), lambda b: transpose(b, 1), lambda b: negate(b, 2),
                 lambda b: zero_channel(b, channel=0), lambda b: copy_channel(b, 1, channel=2), normalise,
                 lambda b: randomise(b, seed=1)])



def test_edits_keep_the_bank_metadata():
    """Name, title, description and source survive an edit."""
    bank = load_preset("compass-edges")
    out = normalise(rotate90(bank, 0), 7, mode="zero-mean")
    assert (out.name, out.title, out.description, out.source) == (
        bank.name, bank.title, bank.description, bank.source)
