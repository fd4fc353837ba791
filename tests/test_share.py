"""Shareable links: exact round trips, short URLs, and hostile parameters refused with ShareError."""

import base64
import zlib
from urllib.parse import parse_qsl, urlencode

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import convviz
from convviz import ConvSettings, FilterBank, ShareError, decode_state, encode_state
from convviz.filterbank.edits import blank_bank
from convviz.filterbank.transforms import randomise
from convviz.settings import INT_LIMITS, POOL_KINDS
from convviz.share import MAX_BANK_PARAM_CHARS, decode_bank, encode_bank
from tests.filterbank.strategies import banks

conv_settings = st.builds(
    ConvSettings,
    stride=st.integers(1, 8),
    padding=st.integers(0, 16) | st.sampled_from(["valid", "same"]),
    dilation=st.integers(1, 8),
    relu=st.booleans(),
    pool=st.sampled_from(POOL_KINDS),
    pool_size=st.integers(1, 8),
    pool_stride=st.none() | st.integers(1, 8),
)


def pack(text: bytes) -> str:
    """A bank parameter holding `text`, compressed the way encode_bank does."""
    return "1." + base64.urlsafe_b64encode(zlib.compress(text, 9, wbits=-15)).decode().rstrip("=")


def without_prose(bank: FilterBank) -> FilterBank:
    return bank.replace(description="", source="")


@pytest.mark.parametrize("name", convviz.list_presets())
def test_every_preset_survives_a_link(name):
    """Each preset comes back from its link with identical weights, biases and names (not the prose)."""
    bank = convviz.load_preset(name)
    back, _ = decode_state(encode_state(bank))
    assert back == without_prose(bank)


@settings(max_examples=40)
@given(banks(), conv_settings)
def test_round_trip_is_exact(bank, conv):
    """Any bank and settings come back bit for bit through urlencode and parse_qsl."""
    query = urlencode(encode_state(bank, conv))
    back, conv_back = decode_state(dict(parse_qsl(query)))
    assert back == without_prose(bank) and conv_back == conv


@settings(max_examples=40)
@given(banks(), conv_settings)
def test_link_text_needs_no_percent_escapes(bank, conv):
    """Every value uses URL-safe characters only, so the link stays as short as it looks."""
    for key, value in encode_state(bank, conv).items():
        assert urlencode({key: value}) == f"{key}={value}"


def test_default_settings_are_not_written():
    """Only settings that differ from the defaults appear in the link."""
    assert set(encode_state(blank_bank())) == {"bank"}
    params = encode_state(blank_bank(), ConvSettings(padding="same", pool="max", relu=True))
    assert {k: v for k, v in params.items() if k != "bank"} == {"padding": "same", "relu": "1", "pool": "max"}


def test_empty_link_gives_no_bank_and_default_settings():
    """A URL without parameters restores nothing: no bank, default settings."""
    assert decode_state({}) == (None, ConvSettings())


def test_unknown_parameters_are_ignored():
    """Parameters owned by other pages do not disturb decoding."""
    bank, conv = decode_state({"page": "lab", "sample": "scene", "stride": "2"})
    assert bank is None and conv.stride == 2


def test_sixteen_typed_filters_fit_in_2000_characters():
    """16 random two-decimal filters of 3x3x3 plus settings make a query under 2,000 characters."""
    bank = randomise(blank_bank(16), seed=1)
    query = urlencode(encode_state(bank, ConvSettings(stride=2, padding=1, relu=True, pool="max")))
    assert len(query) < 2000


@pytest.mark.parametrize("name", convviz.list_presets())
def test_preset_links_are_short(name):
    """Every preset's link parameter is under 500 characters."""
    assert len(encode_bank(convviz.load_preset(name))) < 500


@pytest.mark.parametrize(
    ("params", "field", "value"),
    [
        ({"stride": "99"}, "stride", 8),
        ({"stride": "0"}, "stride", 1),
        ({"stride": "-5"}, "stride", 1),
        ({"dilation": "+3"}, "dilation", 3),
        ({"padding": "-1"}, "padding", 0),
        ({"padding": "999999999999"}, "padding", 16),
        ({"padding": " SAME "}, "padding", "same"),
        ({"pool_size": "100"}, "pool_size", 8),
        ({"pool_stride": "0"}, "pool_stride", 1),
        ({"relu": "true"}, "relu", True),
        ({"relu": "0"}, "relu", False),
        ({"pool": "AVG"}, "pool", "avg"),
    ],
)
def test_settings_are_clamped_and_normalised(params, field, value):
    """Out-of-range numbers are clamped into range; words are read case-insensitively."""
    _, conv = decode_state(params)
    assert getattr(conv, field) == value


def test_clamped_limits_are_the_settings_limits():
    """Clamping uses the same bounds ConvSettings enforces."""
    _, conv = decode_state({name: "1000000" for name in INT_LIMITS})
    assert all(getattr(conv, name) == high for name, (_, high) in INT_LIMITS.items())


GOOD = encode_bank(convviz.load_preset("sobel-vertical"))
BOMB = pack(b" " * 5_000_000)

BAD_LINKS = [
    # (params, message fragment)
    ({"bank": ""}, "must start with '1.'"),
    ({"bank": "2." + GOOD[2:]}, "must start with '1.'"),
    ({"bank": "1.abc$"}, "not valid base64url"),
    ({"bank": "1.abcde"}, "not valid base64url"),
    ({"bank": "1.a b"}, "not valid base64url"),
    ({"bank": GOOD[: 2 + 4 * ((len(GOOD) - 2) // 4) - 8]}, "incomplete"),
    ({"bank": GOOD[:42]}, "incomplete"),
    ({"bank": "1." + "_" * 40}, "does not decompress"),
    ({"bank": GOOD + "AAAA"}, "extra data"),
    ({"bank": "1." + "A" * MAX_BANK_PARAM_CHARS}, "too long"),
    ({"bank": BOMB}, "expands to more than 1,200,000 bytes"),
    ({"bank": pack(b"not json")}, "filter bank is not valid: the file is not valid JSON"),
    ({"bank": pack(b'{"filters": [], "x": 1}')}, "unknown key 'x'"),
    ({"bank": pack(b'{"filters": [{"weights": {"R": [[NaN]], "G": [[0]], "B": [[0]]}}]}')}, "NaN is not"),
    ({"bank": pack(b"\xff\xfe")}, "UTF-8"),
    ({"bank": pack(b"[" * 50)}, "nested more than"),
    ({"bank": 3}, "`bank` must be text, got int"),
    ({"bank": ["1."]}, "`bank` must be text, got list"),
    ({"stride": "two"}, "`stride` must be a whole number, got 'two'"),
    ({"stride": "1.5"}, "`stride` must be a whole number"),
    ({"stride": "1e3"}, "`stride` must be a whole number"),
    ({"stride": "9" * 17}, "`stride` is too long"),
    ({"stride": ""}, "`stride` must be a whole number"),
    ({"padding": "full"}, "`padding` must be 'valid', 'same' or a whole number"),
    ({"dilation": "٣"}, "`dilation` must be a whole number"),
    ({"relu": "maybe"}, "`relu` must be 1 or 0"),
    ({"pool": "min"}, "`pool` must be one of ['none', 'max', 'avg']"),
    ({"pool_stride": ["2"]}, "`pool_stride` must be text, got list"),
]


@pytest.mark.parametrize(("params", "message"), BAD_LINKS, ids=range(len(BAD_LINKS)))
def test_bad_link_is_refused_with_a_clear_message(params, message):
    """Each broken parameter raises ShareError (a ValueError) saying which and why."""
    with pytest.raises(ShareError) as info:
        decode_state(params)
    assert message in str(info.value) and isinstance(info.value, ValueError)


def test_decode_refuses_non_mappings():
    """decode_state needs a mapping of names to text."""
    with pytest.raises(ShareError, match="must be a mapping"):
        decode_state("bank=1.abc")


def test_encode_refuses_banks_that_are_not_rgb():
    """Only RGB banks can be shared (the link carries the JSON file format)."""
    with pytest.raises(ShareError, match="must have 3 channels"):
        encode_state(FilterBank(np.zeros((1, 3, 3, 1))))


def test_encode_refuses_wrong_types():
    """encode_state checks its arguments' types."""
    with pytest.raises(ShareError, match="`bank` must be a FilterBank"):
        encode_state(np.zeros((1, 3, 3, 3)))
    with pytest.raises(ShareError, match="`settings` must be a ConvSettings"):
        encode_state(blank_bank(), {"stride": 2})


def check_rejected_cleanly(params) -> None:
    """decode_state returns a bank (or None) and settings, or raises ShareError; nothing else escapes."""
    try:
        bank, conv = decode_state(params)
    except ShareError:
        return
    assert bank is None or isinstance(bank, FilterBank)
    assert isinstance(conv, ConvSettings)


@settings(max_examples=150)
@given(st.dictionaries(st.sampled_from(["bank", "stride", "padding", "dilation", "relu", "pool", "pool_size",
                                        "pool_stride", "other"]), st.text(max_size=40), max_size=4))
def test_fuzz_random_parameters(params):
    """Random text in every parameter gives a result or a ShareError, never a crash."""
    check_rejected_cleanly(params)


@settings(max_examples=150)
@given(st.integers(2, len(GOOD) - 1), st.integers(0, 6), st.text("ABCxyz019-_=.%", max_size=4))
def test_fuzz_mutated_bank_parameter(start, length, insert):
    """A valid bank parameter with a slice replaced gives a bank or a ShareError."""
    check_rejected_cleanly({"bank": GOOD[:start] + insert + GOOD[start + length:]})


@settings(max_examples=100)
@given(st.binary(max_size=300))
def test_fuzz_compressed_noise(data):
    """Any bytes, compressed and encoded like a real link, give a bank or a ShareError."""
    check_rejected_cleanly({"bank": pack(data)})


def test_decode_bank_matches_decode_state():
    """decode_bank reads the same parameter decode_state does."""
    assert decode_bank(GOOD) == decode_state({"bank": GOOD})[0]
