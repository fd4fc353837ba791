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

from dataclasses import dataclass, fields

from convviz._validate import int_in_range
from convviz.errors import SettingsError

__all__ = ["INT_LIMITS", "PADDING_WORDS", "POOL_KINDS", "SETTING_NAMES", "ConvSettings", "SettingsError"]

# Inclusive bounds of every integer setting.
INT_LIMITS = {
    "stride": (1, 8), "padding": (0, 16), "dilation": (1, 8), "pool_size": (1, 8), "pool_stride": (1, 8),
}
PADDING_WORDS = ("valid", "same")
POOL_KINDS = ("none", "max", "avg")



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
        0 to 16 zeros on each side, or a word understood by :func:`convviz.conv2d` (``"same"`` needs stride 1
        there; that combination is allowed here and explained by the page that runs it).
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
