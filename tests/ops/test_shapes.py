"""Tests for convviz.ops.shapes: the output-size formula, its display string and padding resolution."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convviz import ConvvizValueError, output_size, output_size_formula
from convviz.ops.shapes import conv_geometry


def _count_windows(n, kernel, stride, padding, dilation):
    """Count window positions directly: starts 0, s, 2s, ... whose last tap is inside the padded input."""
    span = dilation * (kernel - 1) + 1
    return len(range(0, n + 2 * padding - span + 1, stride))


@settings(max_examples=200)
@given(n=st.integers(1, 60), kernel=st.integers(1, 9), stride=st.integers(1, 5), padding=st.integers(0, 5),
       dilation=st.integers(1, 4))
def test_output_size_counts_the_window_positions(n, kernel, stride, padding, dilation):
    """output_size equals the number of window positions, or raises when there are none."""
    expected = _count_windows(n, kernel, stride, padding, dilation)
    if expected < 1:
        with pytest.raises(ConvvizValueError, match="output would be empty"):
            output_size(n, kernel, stride=stride, padding=padding, dilation=dilation)
    else:
        assert output_size(n, kernel, stride=stride, padding=padding, dilation=dilation) == expected


@settings(max_examples=100)
@given(n=st.integers(1, 60), kernel=st.integers(1, 9), stride=st.integers(1, 5), padding=st.integers(0, 5),
       dilation=st.integers(1, 4))
def test_formula_string_ends_with_the_formula_value(n, kernel, stride, padding, dilation):
    """The displayed formula ends with floor((n + 2p - d(k-1) - 1) / s) + 1, even when it is not positive."""
    text = output_size_formula(n, kernel, stride=stride, padding=padding, dilation=dilation)
    assert text.endswith(f"= {(n + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1}")


def test_formula_string_example():
    """The formula reads as in the issue for 1024 px, a 3x3 kernel and padding 1."""
    assert output_size_formula(1024, 3, padding=1) == "(1024 + 2·1 − 1·(3−1) − 1) / 1 + 1 = 1024"


def test_formula_string_shows_floor_when_division_is_inexact():
    """An inexact division is shown with floor brackets."""
    assert output_size_formula(8, 3, stride=2) == "⌊(8 + 2·0 − 1·(3−1) − 1) / 2⌋ + 1 = 3"


def test_formula_string_for_same_padding_shows_the_total():
    """'same' padding shows the total padding d(k-1), which keeps n."""
    assert output_size_formula(10, 4, padding="same") == "(10 + 3 − 1·(4−1) − 1) / 1 + 1 = 10"


def test_output_size_same_and_valid():
    """'same' keeps n; 'valid' is padding 0."""
    assert output_size(17, 4, padding="same", dilation=3) == 17
    assert output_size(17, 4, padding="valid") == 14


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(n=0, kernel=3), "`n` must be an integer >= 1"),
        (dict(n=5, kernel=0), "`kernel` must be an integer >= 1"),
        (dict(n=5, kernel=3, stride=0), "`stride` must be an integer >= 1"),
        (dict(n=5, kernel=3, dilation=-1), "`dilation` must be an integer >= 1"),
        (dict(n=5, kernel=3, padding=-2), "`padding` must be an integer >= 0"),
        (dict(n=5, kernel=3, padding="full"), r"`padding` must be an int or one of \('valid', 'same'\)"),
        (dict(n=5, kernel=3, padding="same", stride=2), "`padding='same'` needs `stride=1`"),
        (dict(n=5, kernel=3.0), "`kernel` must be an integer"),
    ],
)
def test_bad_arguments_raise(kwargs, match):
    """Bad arguments to output_size and output_size_formula raise, naming the argument."""
    for function in (output_size, output_size_formula):
        args = {k: v for k, v in kwargs.items() if k in ("n", "kernel")}
        options = {k: v for k, v in kwargs.items() if k not in ("n", "kernel")}
        with pytest.raises(ConvvizValueError, match=match):
            function(args["n"], args["kernel"], **options)


@pytest.mark.parametrize(("kernel", "dilation", "before", "after"), [(3, 1, 1, 1), (4, 1, 1, 2), (2, 1, 0, 1),
                                                                      (4, 2, 3, 3), (2, 3, 1, 2)])
def test_same_padding_puts_the_extra_bottom_right(kernel, dilation, before, after):
    """'same' splits d(k-1) with the odd extra at the bottom/right, as PyTorch does."""
    g = conv_geometry(9, 9, (kernel, kernel), padding="same", dilation=dilation)
    assert (g.pt, g.pb, g.pl, g.pr) == (before, after, before, after)
    assert (g.out_h, g.out_w) == (9, 9)
