"""The convolution settings a user picks beside a filter bank: stride, padding, dilation, ReLU, pooling.

:class:`ConvSettings` is the one validated record of them (the lab page, shareable links and tests all use
it). Every knob is bounded here, whatever a widget or a URL allows, so no setting can ask for unbounded work.

Examples
--------
>>> from convviz import ConvSettings
>>> ConvSettings(stride=2, pool="max")
ConvSettings(stride=2, padding=0, dilation=1, relu=False, pool='max', pool_size=2, pool_stride=None)
>>> ConvSettings(stride=2, pool="max").conv_kwargs()
{'stride': 2, 'padding': 0, 'dilation': 1}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields

import numpy as np

from convviz._validate import int_in_range
from convviz.errors import SettingsError

__all__ = [
    "INT_LIMITS", "PADDING_WORDS", "POOL_KINDS", "SETTING_NAMES", "ConvSettings", "SettingsError",
    "read_setting", "settings_from",
]

# Inclusive bounds of every integer setting.
INT_LIMITS = {
    "stride": (1, 8), "padding": (0, 16), "dilation": (1, 8), "pool_size": (1, 8), "pool_stride": (1, 8),
}
PADDING_WORDS = ("valid", "same")
POOL_KINDS = ("none", "max", "avg")
_INTEGER = re.compile(r"[+-]?[0-9]{1,12}")  # ASCII digits only (no "٣", "1e3", "1,5"); clamped after parsing
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")



def _int_setting(settings: ConvSettings, name: str) -> None:
    """Check the integer setting `name` against :data:`INT_LIMITS` and store it as a plain int."""
    low, high = INT_LIMITS[name]
    value = int_in_range(getattr(settings, name), name, low=low, high=high, error=SettingsError)
    object.__setattr__(settings, name, value)  # frozen: a NumPy integer is stored as the int it equals


@dataclass(frozen=True)
class ConvSettings:
    """How to convolve (and what to do after): the settings shared with a filter bank.

    Parameters
    ----------
    stride, dilation : int
        1 to 8, as in :func:`convviz.conv2d`.
    padding : int or {"valid", "same"}
        0 to 16 zeros on each side, or a word understood by :func:`convviz.conv2d` (``"same"`` is
        TensorFlow's ``SAME``, at any stride).
    relu : bool
        Apply ReLU to each map.
    pool : {"none", "max", "avg"}
        Pooling after ReLU.
    pool_size : int
        Pooling window, 1 to 8.
    pool_stride : int or None
        Pooling stride, 1 to 8; None means equal to `pool_size` (as in torch).

    Raises
    ------
    SettingsError
        If a value is out of range or of the wrong type.
    """

    stride: int = 1
    padding: int | str = 0
    dilation: int = 1
    relu: bool = False
    pool: str = "none"
    pool_size: int = 2
    pool_stride: int | None = None

    def __post_init__(self) -> None:
        _int_setting(self, "stride")
        _int_setting(self, "dilation")
        _int_setting(self, "pool_size")
        if self.pool_stride is not None:
            _int_setting(self, "pool_stride")
        if self.padding not in PADDING_WORDS:
            if isinstance(self.padding, str):
                raise SettingsError(f"`padding` must be an integer or one of {list(PADDING_WORDS)}, "
                                    f"got {self.padding!r}")
            _int_setting(self, "padding")
        if not isinstance(self.relu, bool):
            raise SettingsError(f"`relu` must be True or False, got {self.relu!r}")
        if self.pool not in POOL_KINDS:
            raise SettingsError(f"`pool` must be one of {list(POOL_KINDS)}, got {self.pool!r}")

    def conv_kwargs(self) -> dict[str, int | str]:
        """The keyword arguments for :func:`convviz.conv2d`: ``stride``, ``padding``, ``dilation``."""
        return {"stride": self.stride, "padding": self.padding, "dilation": self.dilation}


SETTING_NAMES = tuple(f.name for f in fields(ConvSettings))


def _whole_number(name: str, value: object, allowed: str) -> int:
    """An int, or text of a whole number, clamped into ``INT_LIMITS[name]``; else a SettingsError."""
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        value = int(value.strip())
    try:
        number = int_in_range(value, name, low=-(10**12), error=SettingsError)
    except SettingsError:
        raise SettingsError(f"`{name}` must be {allowed}, got {value!r}") from None
    low, high = INT_LIMITS[name]
    return min(max(number, low), high)  # clamp: a too-big stride is a setting, not an attack


def read_setting(name: str, value: object) -> int | str | bool | None:
    """One setting as it comes from a widget, a link or a file, cleaned: the one validator of settings.

    Integers (an int, or the text of a whole number in ASCII digits) are clamped into :data:`INT_LIMITS`;
    ``padding`` also takes ``"valid"`` or ``"same"``; ``relu`` takes a bool or 1/0, true/false, yes/no,
    on/off; ``pool`` one of :data:`POOL_KINDS`; ``pool_stride`` may be None (equal to the pool size).
    Words are read without regard to case or surrounding spaces.

    Parameters
    ----------
    name : str
        One of :data:`SETTING_NAMES`.
    value : object
        What the widget, the link or the file holds.

    Returns
    -------
    int, str, bool or None
        The clean value, ready for :class:`ConvSettings`.

    Raises
    ------
    SettingsError
        If `name` is unknown or `value` cannot be read; the message names the setting.

    Examples
    --------
    >>> read_setting("stride", "99"), read_setting("padding", " Same "), read_setting("relu", "0")
    (8, 'same', False)
    """
    word = value.strip().lower() if isinstance(value, str) else None  # only text holds words
    if name == "padding":
        if word in PADDING_WORDS:
            return word
        return _whole_number(name, value, "'valid', 'same' or a whole number")
    if name == "pool_stride" and value is None:
        return None
    if name in INT_LIMITS:
        return _whole_number(name, value, "a whole number")
    if name == "relu":
        if isinstance(value, bool | np.bool_):
            return bool(value)
        if word not in _TRUE + _FALSE:
            raise SettingsError(f"`relu` must be 1 or 0 (true or false), got {value!r}")
        return word in _TRUE
    if name == "pool":
        if word not in POOL_KINDS:
            raise SettingsError(f"`pool` must be one of {list(POOL_KINDS)}, got {value!r}")
        return word
    raise SettingsError(f"unknown setting `{name}`: the settings are {list(SETTING_NAMES)}")


def settings_from(values: Mapping[str, object]) -> ConvSettings:
    """:class:`ConvSettings` from widget, link or file values (each read by :func:`read_setting`).

    Unknown keys are ignored; missing settings take their defaults.

    Examples
    --------
    >>> settings_from({"stride": "2", "pool": "MAX", "colour": "red"})
    ConvSettings(stride=2, padding=0, dilation=1, relu=False, pool='max', pool_size=2, pool_stride=None)
    """
    return ConvSettings(**{name: read_setting(name, value) for name, value in values.items()
                           if name in SETTING_NAMES})
