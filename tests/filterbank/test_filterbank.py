"""The FilterBank type: defaults, immutability, limits, equality and repr."""

import numpy as np
import pytest

from convviz import BankError, FilterBank


def test_defaults_fill_bias_and_names():
    """Without bias and names a bank gets zero biases and "filter 1", "filter 2", ..."""
    bank = FilterBank(np.ones((2, 3, 3, 3)))
    assert bank.bias.tolist() == [0.0, 0.0] and bank.names == ("filter 1", "filter 2")
    assert (bank.name, bank.title, bank.description, bank.source) == ("custom", "", "", "")


def test_arrays_are_read_only_float32_copies():
    """Weights and bias are float32, read-only, and not views of the caller's arrays."""
    source = np.ones((1, 3, 3, 3))
    bank = FilterBank(source, np.zeros(1))
    source[0, 0, 0, 0] = 5.0
    assert bank.weights.dtype == np.float32 and bank.bias.dtype == np.float32
    assert not bank.weights.flags.writeable and not bank.bias.flags.writeable
    assert bank.weights[0, 0, 0, 0] == 1.0
    with pytest.raises(ValueError):
        bank.weights[0, 0, 0, 0] = 2.0


def test_negative_zero_is_stored_as_zero():
    """-0.0 becomes 0.0, so a negated blank filter prints, exports and shares as 0."""
    bank = FilterBank(-np.zeros((1, 1, 1, 3)), [-0.0])
    assert not np.signbit(bank.weights).any() and not np.signbit(bank.bias).any()


def test_fields_cannot_be_reassigned():
    """The dataclass is frozen."""
    bank = FilterBank(np.zeros((1, 3, 3, 3)))
    with pytest.raises(AttributeError):
        bank.name = "other"


def test_shape_properties():
    """n_filters, kernel_size, channels and len describe (K, kh, kw, C)."""
    bank = FilterBank(np.zeros((4, 3, 5, 2)))
    assert (bank.n_filters, bank.kernel_size, bank.channels, len(bank)) == (4, (3, 5), 2, 4)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weights": np.zeros((3, 3, 3))}, "shape (K, kh, kw, C)"),
        ({"weights": np.zeros((0, 3, 3, 3))}, "1 to 64 filters"),
        ({"weights": np.zeros((65, 1, 1, 1))}, "1 to 64 filters"),
        ({"weights": np.zeros((1, 2, 3, 3))}, "kernel height must be odd"),
        ({"weights": np.zeros((1, 3, 17, 3))}, "kernel width must be odd and between 1 and 15"),
        ({"weights": np.zeros((1, 3, 3, 0))}, "1 to 64 channels"),
        ({"weights": np.full((1, 1, 1, 1), np.nan)}, "finite"),
        ({"weights": np.full((1, 1, 1, 1), 1e300)}, "[-1000, 1000]"),
        ({"weights": np.full((1, 1, 1, 1), 1000.5)}, "[-1000, 1000]"),
        ({"weights": np.full((1, 1, 1, 1), "1")}, "must hold numbers"),
        ({"weights": np.ones((1, 1, 1, 1), bool)}, "must hold numbers"),
        ({"weights": [[[[1.0]]], [[[1.0, 2.0]]]]}, "rectangular"),
        ({"weights": np.zeros((2, 1, 1, 1)), "bias": [0.0]}, "`bias` must have shape (2,)"),
        ({"weights": np.zeros((1, 1, 1, 1)), "bias": [np.inf]}, "finite"),
        ({"weights": np.zeros((2, 1, 1, 1)), "names": ["a"]}, "one name per filter (2)"),
        ({"weights": np.zeros((1, 1, 1, 1)), "names": "a"}, "sequence of 1 strings"),
        ({"weights": np.zeros((1, 1, 1, 1)), "names": [3]}, "`names[0]` must be text"),
        ({"weights": np.zeros((1, 1, 1, 1)), "names": [""]}, "must not be empty"),
        ({"weights": np.zeros((1, 1, 1, 1)), "names": ["x" * 65]}, "at most 64 characters"),
        ({"weights": np.zeros((1, 1, 1, 1)), "name": "a\tb"}, "control characters"),
        ({"weights": np.zeros((1, 1, 1, 1)), "name": "\ud800"}, "lone surrogates"),
        ({"weights": np.zeros((1, 1, 1, 1)), "title": "t" * 121}, "at most 120"),
        ({"weights": np.zeros((1, 1, 1, 1)), "description": "d" * 2001}, "at most 2000"),
        ({"weights": np.zeros((1, 1, 1, 1)), "source": None}, "`source` must be text"),
    ],
)
def test_invalid_banks_raise_bank_error(kwargs, message):
    """Every broken field raises BankError (a ValueError) naming what was expected."""
    with pytest.raises(BankError) as info:
        FilterBank(**kwargs)
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)


def test_description_may_span_lines():
    """Line breaks are allowed in the description (other control characters are not)."""
    assert FilterBank(np.zeros((1, 1, 1, 1)), description="one\ntwo").description == "one\ntwo"


def test_equality_is_exact_on_every_field():
    """Banks are equal only when weights match bit for bit and all text fields match."""
    w = np.zeros((1, 3, 3, 3))
    bank = FilterBank(w, name="a")
    assert bank == FilterBank(w, name="a")
    assert bank != FilterBank(w, name="b")
    nudged = w.copy()
    nudged[0, 1, 1, 1] = np.nextafter(np.float32(0), np.float32(1))
    assert bank != FilterBank(nudged, name="a")
    assert bank != FilterBank(np.zeros((1, 1, 1, 27)), name="a")


def test_replace_validates_the_result():
    """replace returns a new checked bank and leaves the original alone."""
    bank = FilterBank(np.zeros((1, 3, 3, 3)))
    assert bank.replace(title="T").title == "T" and bank.title == ""
    with pytest.raises(BankError, match="kernel height"):
        bank.replace(weights=np.zeros((1, 4, 3, 3)))


def test_repr_names_the_bank_its_shape_and_filters():
    """The repr shows name, count, kernel shape and filter names (truncated past eight)."""
    assert repr(FilterBank(np.zeros((1, 3, 3, 3)), names=["edge"], name="e")) == (
        "FilterBank('e', 1 filter of 3x3x3: ['edge'])"
    )
    assert repr(FilterBank(np.zeros((10, 1, 1, 3)))).endswith("'filter 7', '...'])")
