"""The one number formatter: whole numbers exactly, a real minus sign, no -0, honest tiny values."""

import numpy as np
import pytest

from convviz import numbers


@pytest.mark.parametrize(("value", "text"),
                         [(0.0, "0"), (-0.25, "−0.25"), (1234.5678, "1235"), (1e-7, "1e−07")])
def test_fmt(value, text):
    """Four significant digits, a real minus sign, trailing zeros dropped."""
    assert numbers.fmt(value) == text


def test_fmt_fixed_hides_rounding_noise():
    """Two float32 sums that differ by rounding noise print the same with sum_decimals."""
    terms = np.array([0.4, -0.4, 0.8, -0.8], np.float32)
    d = numbers.sum_decimals(terms)
    assert numbers.fmt_fixed(1.788e-07, d) == numbers.fmt_fixed(5.96e-08, d) == "0"


@pytest.mark.parametrize(("value", "digits", "text"), [
    (3.0, 4, "3"), (-2.0, 4, "−2"), (123456.0, 4, "123456"), (np.float32(0.25), 4, "0.25"),
    (-0.0, 4, "0"), (1e-30, 4, "1e−30"), (-3e12, 4, "−3e+12"), (0.123456, 6, "0.123456"),
    (2.5e9, 4, "2.5e+09"),
])
def test_whole_numbers_are_exact_and_tiny_ones_are_not_zero(value, digits, text):
    """Whole numbers are written exactly (up to 1e9), a non-zero value never prints as 0."""
    assert numbers.fmt(value, digits=digits) == text
