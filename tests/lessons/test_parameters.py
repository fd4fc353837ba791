"""Parameter counts of conv, dense and batch-norm layers, and the weight-sharing comparison."""

import pytest

from convviz import output_size
from convviz.lessons.parameters import batch_norm_params, connectivity_comparison, conv_params, dense_params


def test_conv_params_count_weights_and_biases():
    """Two 3x3x3 filters have 2*27 weights and 2 biases."""
    assert conv_params(3, 3, 2) == 56
    assert conv_params(3, 3, 2, bias=False) == 54


def test_conv_params_do_not_depend_on_a_non_square_kernel_order():
    """A (1, 5) kernel and a (5, 1) kernel have the same count."""
    assert conv_params((1, 5), 4, 8) == conv_params((5, 1), 4, 8) == 8 * 5 * 4 + 8


def test_dense_params():
    """A dense layer 400 -> 120 has 400*120 weights and 120 biases."""
    assert dense_params(400, 120) == 48_120
    assert dense_params(400, 120, bias=False) == 48_000


def test_batch_norm_params():
    """Batch-norm has a scale and a shift per channel."""
    assert batch_norm_params(256) == 512


def test_conv_is_cheaper_than_dense_on_a_photo_sized_input():
    """On a 224x224x3 input 64 filters of 3x3 (padding 1) need 1,792 parameters, a dense layer ~483 G."""
    side = output_size(224, 3, padding=1)
    c = connectivity_comparison((224, 224, 3), (side, side, 64), 3)
    assert c.conv == 1_792
    assert c.locally_connected == 224 * 224 * 64 * 28
    assert c.dense == (224 * 224 * 3) * (224 * 224 * 64) + 224 * 224 * 64
    assert c.sharing_factor == 224 * 224 and c.dense_factor > 2e8


def test_comparison_for_the_worked_example():
    """6x6x3 -> 4x4x2 with 3x3 filters: 56 (conv), 896 (local, no sharing), 3,488 (dense)."""
    c = connectivity_comparison((6, 6, 3), (4, 4, 2), 3)
    assert (c.conv, c.locally_connected, c.dense) == (56, 896, 3488)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "3"])
def test_bad_counts_are_refused(bad):
    """Non-positive, fractional, bool or string sizes raise ValueError naming the argument."""
    with pytest.raises(ValueError, match="in_channels"):
        conv_params(3, bad, 2)


def test_bad_shape_is_refused():
    """A shape that is not an (H, W, C) triple raises ValueError naming it."""
    with pytest.raises(ValueError, match="output_shape"):
        connectivity_comparison((6, 6, 3), (4, 4), 3)
