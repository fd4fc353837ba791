"""ConvSettings: bounded, typed convolution settings."""

import pytest

from convviz import ConvSettings, SettingsError
from convviz.settings import INT_LIMITS, SETTING_NAMES


def test_defaults_match_conv2d_defaults():
    """Defaults are conv2d's own (stride 1, padding 0, dilation 1) with no ReLU and no pooling."""
    s = ConvSettings()
    assert s.conv_kwargs() == {"stride": 1, "padding": 0, "dilation": 1}
    assert (s.relu, s.pool, s.pool_size, s.pool_stride) == (False, "none", 2, None)


def test_setting_names_are_the_fields():
    """SETTING_NAMES lists every field in order (links and forms iterate over it)."""
    assert SETTING_NAMES == ("stride", "padding", "dilation", "relu", "pool", "pool_size", "pool_stride")


@pytest.mark.parametrize("padding", ["valid", "same", 0, 16])
def test_padding_words_and_integers_are_accepted(padding):
    """Padding is an integer in range or one of conv2d's words."""
    assert ConvSettings(padding=padding).conv_kwargs()["padding"] == padding


@pytest.mark.parametrize("name", sorted(INT_LIMITS))
def test_integer_settings_are_bounded(name):
    """Each integer setting accepts its bounds and refuses one past them, naming the range."""
    low, high = INT_LIMITS[name]
    ConvSettings(**{name: low})
    ConvSettings(**{name: high})
    for bad in (low - 1, high + 1):
        with pytest.raises(SettingsError, match=f"`{name}` must be an integer from {low} to {high}"):
            ConvSettings(**{name: bad})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"stride": True}, "`stride` must be an integer"),
        ({"stride": 1.0}, "`stride` must be an integer"),
        ({"padding": "full"}, "`padding` must be an integer or one of ['valid', 'same']"),
        ({"padding": None}, "`padding` must be an integer"),
        ({"relu": 1}, "`relu` must be True or False"),
        ({"pool": "min"}, "`pool` must be one of ['none', 'max', 'avg']"),
        ({"pool_stride": "2"}, "`pool_stride` must be an integer"),
    ],
)
def test_wrong_types_are_refused(kwargs, message):
    """Wrong types and unknown words raise SettingsError (a ValueError) with the allowed values."""
    with pytest.raises(SettingsError) as info:
        ConvSettings(**kwargs)
    assert message in str(info.value) and isinstance(info.value, ValueError)
