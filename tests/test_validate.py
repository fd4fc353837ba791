"""Tests for convviz._validate: the dtype policy and the shared argument checks."""

import numpy as np
import pytest

from convviz._validate import (
    COMPUTE_BUDGET,
    MEMORY_BUDGET,
    as_float32_array,
    as_float32_volume,
    check_budget,
    check_finite,
    int_in_range,
    pair,
)
from convviz.errors import ConvvizValueError


def test_uint8_is_rescaled_without_wraparound():
    """uint8 0..255 becomes float32 0..1."""
    out = as_float32_array(np.array([0, 128, 255], np.uint8), "x")
    assert out.dtype == np.float32 and out.tolist() == [0.0, np.float32(128 / 255), 1.0]


def test_other_integers_and_bools_keep_their_values():
    """int and bool inputs are converted by value."""
    assert as_float32_array([-3, 300], "x").tolist() == [-3.0, 300.0]
    assert as_float32_array(np.array([True, False]), "x").tolist() == [1.0, 0.0]


def test_float32_input_is_not_copied():
    """A float32 array is used as it is."""
    x = np.zeros(3, np.float32)
    assert as_float32_array(x, "x") is x


def test_float64_overflow_is_refused_as_non_finite():
    """A float64 value too large for float32 is reported as non-finite."""
    with pytest.raises(ConvvizValueError, match="`x` must contain only finite"):
        as_float32_volume(np.full((1, 1, 1), 1e300), "x")


def test_check_finite_catches_overflowing_sums_of_finite_values():
    """Huge but finite values pass even though their float32 sum overflows."""
    check_finite(np.full(4, 3e38, np.float32), "x")


@pytest.mark.parametrize("bad", [np.array(["a"]), np.array([1j]), np.array([None], dtype=object)])
def test_non_real_dtypes_are_refused(bad):
    """Strings, complex numbers and objects raise."""
    with pytest.raises(ConvvizValueError, match="`x` must hold real numbers"):
        as_float32_array(bad, "x")


def test_pair_and_int_in_range():
    """pair expands ints and checks each item; int_in_range refuses bools and floats."""
    assert pair(3, "s") == (3, 3) and pair([1, 2], "s") == (1, 2)
    for bad in (True, 2.0, "2"):
        with pytest.raises(ConvvizValueError, match="`s` must be an integer >= 1"):
            int_in_range(bad, "s")


def test_budget_messages():
    """check_budget passes at the limits and refuses beyond them with a sentence."""
    check_budget("conv2d", macs=COMPUTE_BUDGET, elements=MEMORY_BUDGET)
    with pytest.raises(ConvvizValueError, match="conv2d would need"):
        check_budget("conv2d", macs=COMPUTE_BUDGET + 1, elements=1)


def test_check_finite_on_a_strided_view_looks_only_at_the_view():
    """A nan outside a strided view is ignored; a nan inside it is caught."""
    base = np.zeros((4, 5, 6), np.float32)
    base[..., 5] = np.nan  # outside the view below
    view = base.transpose(1, 2, 0)[:, :5]  # (5, 5, 4), the layout conv2d returns
    check_finite(view, "x")
    base[0, 0, 0] = np.inf
    with pytest.raises(ConvvizValueError, match="`x` must contain only finite"):
        check_finite(view, "x")
