"""Bank JSON import/export: exact round trips, and hostile files refused with a clear BankError."""

import json
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convviz import BankError, FilterBank, bank_from_json, bank_to_json, load_preset
from convviz.filterbank.jsonfile import MAX_DEPTH, MAX_JSON_CHARS
from tests.filterbank.strategies import banks

GOOD = bank_to_json(load_preset("vertical-horizontal-edges"))


def one_filter(**overrides) -> str:
    """A valid one-filter 3x3 bank as JSON text, with some keys of the filter replaced."""
    grid = [[1, 0, -1], [2, 0, -2], [1, 0, -1]]
    f = {"name": "f", "bias": 0, "weights": {"R": grid, "G": grid, "B": grid}}
    f.update(overrides)
    return json.dumps({"name": "t", "filters": [f]})


def grids(r, g=None, b=None) -> dict:
    return {"R": r, "G": r if g is None else g, "B": r if b is None else b}


@settings(max_examples=60)
@given(banks())
def test_round_trip_is_exact(bank):
    """Any valid bank (subnormals, long decimals, odd text) reads back equal, bit for bit."""
    back = bank_from_json(bank_to_json(bank))
    assert back == bank
    assert back.weights.tobytes() == bank.weights.tobytes()


@settings(max_examples=30)
@given(banks())
def test_compact_round_trip_is_exact(bank):
    """The compact form (for links) round-trips exactly too, and has no line breaks."""
    text = bank_to_json(bank, compact=True)
    assert "\n" not in text and bank_from_json(text) == bank


@settings(max_examples=30)
@given(banks())
def test_writing_is_idempotent(bank):
    """Writing, reading and writing again gives the same text."""
    text = bank_to_json(bank)
    assert bank_to_json(bank_from_json(text)) == text


def test_typed_decimals_are_written_as_typed():
    """0.299 stays 0.299 and integers have no .0 (shortest float32 round-trip decimals)."""
    w = np.zeros((1, 1, 3, 3))
    w[0, 0, :, 0] = [0.299, 2.0, -1e-8]
    text = bank_to_json(FilterBank(w))
    assert "[0.299, 2, -1e-08]" in text


def test_bytes_with_byte_order_mark_are_accepted():
    """An upload in UTF-8 with a BOM (Windows Notepad) reads like the text."""
    assert bank_from_json(b"\xef\xbb\xbf" + GOOD.encode()) == bank_from_json(GOOD)


def test_defaults_for_optional_keys():
    """Missing name, bias and filter names take their defaults."""
    bank = bank_from_json('{"filters": [{"weights": {"R": [[1]], "G": [[2]], "B": [[3]]}}]}')
    assert (bank.name, bank.names, bank.bias.tolist()) == ("custom", ("filter 1",), [0.0])
    assert bank.weights.ravel().tolist() == [1.0, 2.0, 3.0]


def test_writer_refuses_banks_without_three_channels():
    """The file format is RGB: a 1-channel bank cannot be written."""
    with pytest.raises(BankError, match="must have 3 channels"):
        bank_to_json(FilterBank(np.zeros((1, 3, 3, 1))))


def test_writer_refuses_non_banks():
    """bank_to_json of something else raises BankError."""
    with pytest.raises(BankError, match="must be a FilterBank"):
        bank_to_json(np.zeros((1, 3, 3, 3)))


def test_largest_legal_bank_fits_under_the_size_cap():
    """64 filters of 15x15x3 with the longest float32 decimals and the longest texts still read back."""
    w = np.full((64, 15, 15, 3), np.float32(-0.00012345679))
    w[::2] = np.float32(-1.2345679e-07)
    bank = FilterBank(w, np.full(64, -1.2345679e-07), ["n" * 64] * 64, name="n" * 64, title="t" * 120,
                      description="d" * 2000, source="s" * 500)
    text = bank_to_json(bank)
    assert len(text.encode()) < MAX_JSON_CHARS
    assert bank_from_json(text) == bank


BAD_FILES = [
    # (text, message fragment)
    ("", "not valid JSON"),
    ("{", "not valid JSON"),
    ("null", "the bank must be an object, got null"),
    ("[]", "the bank must be an object, got a list"),
    ('{"filters": [], }', "not valid JSON"),
    ("{}", "missing the key 'filters'"),
    ('{"filters": [], "filterz": 1}', "unknown key 'filterz'"),
    ('{"filters": {}}', "`filters` must be a list, got an object"),
    ('{"filters": []}', "1 to 64 filters, got 0"),
    (json.dumps({"filters": [json.loads(one_filter())["filters"][0]] * 65}), "1 to 64 filters, got 65"),
    ('{"format": "convviz.filterbank.v2", "filters": []}', "`format` must be 'convviz.filterbank.v1'"),
    ('{"name": 3, "filters": []}', "`name` must be text"),
    ('{"name": "", "filters": []}', "`name` must not be empty"),
    ('{"name": "a\\u0007b", "filters": []}', "control characters"),
    ('{"name": "\\ud800", "filters": []}', "lone surrogates"),
    ('{"filters": [], "filters": []}', "'filters' appears twice"),
    ('{"filters": [3]}', "filters[0] must be an object, got a number"),
    (one_filter(weights=None), "filters[0].weights must be an object, got null"),
    (one_filter(colour=1), "filters[0] has an unknown key 'colour'"),
    ('{"filters": [{"bias": 0}]}', "filters[0] is missing the key 'weights'"),
    (one_filter(weights={"R": [[1]], "G": [[1]]}), "missing channel 'B'"),
    (one_filter(weights={"R": [[1]], "G": [[1]], "B": [[1]], "A": [[1]]}), "unknown channel 'A'"),
    (one_filter(weights=grids([[1, 0], [2, 0]])), "kernel height must be odd"),
    (one_filter(weights=grids([[1] * 17] * 17)), "must have 1 to 15 rows, got 17"),
    (one_filter(weights=grids([[1] * 17])), "weights.R[0] must have 1 to 15 numbers, got 17"),
    (one_filter(weights=grids([[1, 2, 3], []])), "weights.R[1] must have 1 to 15 numbers, got 0"),
    (one_filter(weights=grids([[1, 2, 3, 4]])), "kernel width must be odd and between 1 and 15"),
    (one_filter(weights=grids([])), "must have 1 to 15 rows, got 0"),
    (one_filter(weights=grids([[1, 2, 3], [4, 5]])), "ragged: row 1 has 2 numbers, row 0 has 3"),
    (one_filter(weights=grids([[1, 2, 3]] * 3, [[1]])), "the R, G and B grids must have the same size"),
    (one_filter(weights=grids([[1, True, 3]])), "weights.R[0][1] must be a number, got true/false"),
    (one_filter(weights=grids([[1, "2", 3]])), "weights.R[0][1] must be a number, got text"),
    (one_filter(weights=grids([[1, None, 3]])), "must be a number, got null"),
    (one_filter(weights=grids([[1, [2], 3]])), "weights.R[0][1] must be a number, got a list"),
    (one_filter(weights=grids([1, 2, 3])), "weights.R[0] must be a list, got a number"),
    (one_filter(weights=grids([[1, 1001, 3]])), "weights.R[0][1] = 1001 is outside [-1000, 1000]"),
    (one_filter(weights=grids([[1, -1e300, 3]])), "is outside [-1000, 1000]"),
    (one_filter(weights=grids([[1, 2, 3]], None, [[1, 2, 3e3]])), "weights.B[0][2] = 3000 is outside"),
    (one_filter().replace("-1]", "NaN]", 1), "NaN is not allowed"),
    (one_filter().replace("-1]", "Infinity]", 1), "Infinity is not allowed"),
    (one_filter().replace("-1]", "-Infinity]", 1), "-Infinity is not allowed"),
    (one_filter().replace("-1]", "1e999]", 1), "the number 1e999 is too large"),
    (one_filter().replace("-1]", "1" * 400 + "]", 1), "is too large"),
    (one_filter(bias="0"), "filters[0].bias must be a number, got text"),
    (one_filter(bias=1e4), "`bias` values must lie in [-1000, 1000]"),
    (one_filter(name=7), "`filters[0].name` must be text"),
    (one_filter(name="x" * 65), "at most 64 characters"),
    (json.dumps({"filters": [json.loads(one_filter())["filters"][0],
                             json.loads(one_filter(weights=grids([[1]])))["filters"][0]]}),
     "filters[1] is 1x1 but filters[0] is 3x3"),
    ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), f"nested more than {MAX_DEPTH} levels"),
    ("[" * 100_000, f"nested more than {MAX_DEPTH} levels"),
    ('{"filters": [' + "[" * 20 + "]" * 20 + "]}", "nested more than"),
    (" " * (MAX_JSON_CHARS + 1), "at most 1,200,000 characters"),
]


@pytest.mark.parametrize(("text", "message"), BAD_FILES, ids=range(len(BAD_FILES)))
def test_bad_file_is_refused_with_a_clear_message(text, message):
    """Each broken file raises BankError whose message says what is wrong."""
    with pytest.raises(BankError) as info:
        bank_from_json(text)
    assert message in str(info.value)


def test_brackets_inside_strings_do_not_count_as_nesting():
    """A name full of brackets is text, not depth."""
    bank = bank_from_json(one_filter(name="[[[[{{{{[[[[{{{{"))
    assert bank.names == ("[[[[{{{{[[[[{{{{",)


def test_unterminated_strings_are_scanned_in_linear_time():
    """400k escaped quotes with no closing quote (quadratic for a naive regex) fail fast with BankError."""
    with pytest.raises(BankError, match="not valid JSON"):
        bank_from_json('"' + '\\"' * 400_000)


def test_size_is_checked_before_parsing_bytes():
    """Oversized bytes are refused by size, before decoding or parsing."""
    with pytest.raises(BankError, match="at most 1,200,000 bytes"):
        bank_from_json(b"\xff" * (MAX_JSON_CHARS + 1))


@pytest.mark.parametrize(("value", "message"), [
    (b"\xff\xfe{}", "UTF-8"), (None, "str or bytes, got NoneType"), (3, "str or bytes, got int"),
    ([GOOD], "got list"),
])
def test_non_text_input_is_refused(value, message):
    """Bytes that are not UTF-8 and non-text objects raise BankError."""
    with pytest.raises(BankError, match=message):
        bank_from_json(value)


def test_a_bomb_of_many_filters_is_refused_by_count():
    """Half a million tiny filters are refused by count, not parsed into a bank."""
    with pytest.raises(BankError, match="1 to 64 filters"):
        bank_from_json('{"filters": [' + ",".join(["1"] * 500_000) + "]}")


def check_rejected_cleanly(data) -> None:
    """bank_from_json either returns a FilterBank or raises BankError; nothing else escapes."""
    try:
        result = bank_from_json(data)
    except BankError:
        return
    assert isinstance(result, FilterBank)


@settings(max_examples=150)
@given(st.text(max_size=200) | st.binary(max_size=200))
def test_fuzz_random_text(data):
    """Random text and bytes never raise anything but BankError."""
    check_rejected_cleanly(data)


@settings(max_examples=150)
@given(st.integers(0, len(GOOD) - 1), st.integers(0, 20), st.text(max_size=5), st.booleans())
def test_fuzz_mutated_valid_file(start, length, insert, as_bytes):
    """A valid file with a slice replaced by random text gives a bank or a BankError, never a crash."""
    mutated = GOOD[:start] + insert + GOOD[start + length:]
    check_rejected_cleanly(mutated.encode("utf-8", "surrogatepass") if as_bytes else mutated)


json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["filters", "weights", "R", "G", "B", "bias", "name", "x"]), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=150)
@given(json_values)
def test_fuzz_random_json_documents(doc):
    """Arbitrary JSON documents with the schema's keys give a bank or a BankError."""
    check_rejected_cleanly(json.dumps(doc))


@settings(max_examples=100)
@given(st.dictionaries(st.sampled_from(["R", "G", "B", "A"]), json_values, max_size=4), json_values)
def test_fuzz_random_filters(weights, bias):
    """A filter object with random weights and bias gives a bank or a BankError."""
    check_rejected_cleanly(json.dumps({"filters": [{"weights": weights, "bias": bias}]}))


def test_fuzz_deflate_noise_is_just_bytes():
    """Compressed noise handed over as a file is refused as not UTF-8 or not JSON."""
    noise = zlib.compress(np.random.default_rng(3).bytes(500))
    with pytest.raises(BankError):
        bank_from_json(noise)
