"""Hypothesis strategies and small fixtures for filter banks, shared by the bank tests."""

import numpy as np
import pytest
from hypothesis import strategies as st

from convviz import BankError, FilterBank

# Every float32 a bank may hold: subnormals, integers, long decimals; -0.0 included (banks store it as 0.0).
weights_f32 = st.floats(min_value=-1000, max_value=1000, width=32, allow_nan=False, allow_infinity=False)
# Printable text (no control characters or lone surrogates); quotes, backslashes, emoji included.
printable = st.characters(exclude_categories=("Cc", "Cs"))
names = st.text(printable, min_size=1, max_size=12)
odd_sides = st.sampled_from([1, 3, 5])


@st.composite
def banks(draw, *, channels=3, max_filters=4, square=False):
    """A random valid bank: 1 to `max_filters` filters of odd kh x kw x `channels`, with names and text."""
    k = draw(st.integers(1, max_filters))
    kh = draw(odd_sides)
    kw = kh if square else draw(odd_sides)
    n = k * kh * kw * channels
    weights = draw(st.lists(weights_f32, min_size=n, max_size=n))
    return FilterBank(
        np.asarray(weights, np.float32).reshape(k, kh, kw, channels),  # (K, kh, kw, C)
        np.asarray(draw(st.lists(weights_f32, min_size=k, max_size=k)), np.float32),
        draw(st.lists(names, min_size=k, max_size=k)),
        name=draw(names),
        title=draw(st.text(printable, max_size=20)),
        description=draw(st.text(printable | st.just("\n"), max_size=30)),
        source=draw(st.text(printable, max_size=10)),
    )


def counting_bank(k=2, kh=3, kw=3, c=3) -> FilterBank:
    """Weights 0, 1, 2, ... (so every position is distinguishable) and biases 1 to k."""
    weights = np.arange(k * kh * kw * c, dtype=np.float64).reshape(k, kh, kw, c)  # (K, kh, kw, C)
    return FilterBank(weights, np.arange(1.0, k + 1))


def assert_bank_error(call, message: str) -> None:
    """`call(counting_bank(k=2))` raises BankError whose message contains `message`."""
    with pytest.raises(BankError) as info:
        call(counting_bank(k=2))
    assert message in str(info.value)


def assert_pure(calls) -> None:
    """Each call on a 3-filter counting bank returns a new, different bank and leaves the input as it was."""
    bank = counting_bank(k=3)
    before = (bank.weights.tobytes(), bank.bias.tobytes(), bank.names)
    for call in calls:
        out = call(bank)
        assert out is not bank and out != bank
    assert (bank.weights.tobytes(), bank.bias.tobytes(), bank.names) == before
