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


@settings(max_examples=200)
@given(n=st.integers(1, 60), kernel=st.integers(1, 9), stride=st.integers(1, 5), dilation=st.integers(1, 4))
def test_same_padding_is_tensorflows_same(n, kernel, stride, dilation):
    """'same' at any stride: ceil(n/s) outputs, the geometry's padding counts exactly that many windows,
    and the extra zero of an odd total goes after (bottom/right), as TensorFlow's SAME."""
    out = -(-n // stride)
    assert output_size(n, kernel, stride=stride, padding="same", dilation=dilation) == out
    g = conv_geometry(n, n, (kernel, kernel), stride=stride, padding="same", dilation=(dilation, dilation))
    span = dilation * (kernel - 1) + 1
    assert (g.out_h, g.out_w) == (out, out)
    assert len(range(0, n + g.pt + g.pb - span + 1, stride)) == out
    assert g.pb - g.pt in (0, 1) and g.pt + g.pb == max((out - 1) * stride + span - n, 0)
    text = output_size_formula(n, kernel, stride=stride, padding="same", dilation=dilation)
    assert text.endswith(f"= {out}")


def test_same_with_stride_two_example():
    """7 rows, 3 taps, stride 2: 4 outputs and one zero on each side; 8 rows: 4 outputs, one zero below."""
    g = conv_geometry(7, 8, (3, 3), stride=2, padding="same")
    assert (g.out_h, g.pt, g.pb, g.out_w, g.pl, g.pr) == (4, 1, 1, 4, 0, 1)


def test_interior_excludes_exactly_the_outputs_that_read_padding():
    """interior() keeps the outputs whose window lies inside the input (checked window by window)."""
    from convviz.ops.shapes import interior

    for n, k, s, p, d in [(10, 3, 1, 1, 1), (11, 3, 2, "same", 1), (9, 5, 1, "same", 2), (12, 3, 3, 2, 1),
                          (8, 3, 1, "valid", 1), (4, 5, 1, "same", 1)]:
        g = conv_geometry(n, n, (k, k), stride=s, padding=p, dilation=d)
        rows, _ = interior(g)
        span = d * (k - 1) + 1
        inside = [y for y in range(g.out_h) if y * s - g.pt >= 0 and y * s - g.pt + span <= n]
        assert list(range(g.out_h))[rows] == inside, (n, k, s, p, d)
