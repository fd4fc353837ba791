"""The state every page shares, defined once: the bank, the focused filter, the photo and the settings.

Who writes what (the contract between pages; the Lab's own rerun mechanics are in :mod:`ui.lab.live`):

- ``BANK`` holds the current :class:`convviz.FilterBank` (weights ``(K, kh, kw, 3)``, bias ``(K,)``). Read it
  with :func:`get_bank`; replace it with :func:`set_bank`, which also bumps ``BANK_REV`` so that widgets keyed
  on the revision show the new weights. A bank is immutable: every edit stores a new one.
- ``FOCUS`` is the index of the filter shown in detail (its per-channel maps, its pixel explanation). The
  filter panel sets it; :func:`get_focus` clamps it to the bank.
- The settings live under the keys in ``SETTING_KEYS`` (one widget each, created by :mod:`ui.lab.settings`).
  To restore settings from untrusted text (a URL), call :func:`apply_settings` *before* the widgets render:
  it validates and clamps every value, and ignores unknown keys.
- ``IMAGE`` holds the current input as a :class:`LabImage` (written by :mod:`ui.image_input`; read by every
  page that computes on "the user's image").

Everything read back from session state goes through :func:`read_settings`, which validates again with the
core's one settings validator (:func:`convviz.settings.read_setting`): the server never trusts a widget or a
URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import streamlit as st

from convviz.filterbank.bank import FilterBank
from convviz.filterbank.presets import load_preset
from convviz.image import storage
from convviz.settings import INT_LIMITS, ConvSettings, SettingsError, read_setting

# --- keys -------------------------------------------------------------------------------------------
BANK = "cv_bank"  # FilterBank: the current filter bank
BANK_REV = "cv_bank_rev"  # int: bumped by set_bank; widget keys that show weights include it
FOCUS = "cv_focus"  # int: the filter shown in detail
IMAGE = "cv_image"  # LabImage: the current input image (preview resolution)
PHOTO = "cv_photo"  # (bytes, label): the student's photo (upload or camera), kept until they choose another
BANK_BEFORE = "cv_bank_before"  # FilterBank: the bank another page replaced (the designer offers it back)

STRIDE = "cv_stride"
PADDING_MODE = "cv_padding_mode"
PADDING = "cv_padding"
DILATION = "cv_dilation"
RELU = "cv_relu"
POOL = "cv_pool"
POOL_SIZE = "cv_pool_size"
POOL_STRIDE = "cv_pool_stride"
NORM = "cv_norm"
PREVIEW_SIDE = "cv_preview_side"

# --- closed choices and bounds (the widgets use these; so does validation) --------------------------
PADDING_MODES = ("valid", "same", "custom")
POOL_MODES = ("none", "max", "avg")
NORM_MODES = ("shared", "per map")
PREVIEW_SIDES = (256, 384, 512, 768, 1024, 1536, 2048)
# The core's bounds (convviz.settings.INT_LIMITS), so the Lab computes whatever a link can carry.
MAX_STRIDE = INT_LIMITS["stride"][1]
MAX_PADDING = INT_LIMITS["padding"][1]
MAX_DILATION = INT_LIMITS["dilation"][1]
MIN_POOL, MAX_POOL = INT_LIMITS["pool_size"]
DEFAULT_PRESET = "vertical-horizontal-edges"

#: Widget key -> the core setting it holds (read by :func:`convviz.settings.read_setting`).
_CORE_KEYS = {STRIDE: "stride", PADDING: "padding", DILATION: "dilation", RELU: "relu", POOL: "pool",
              POOL_SIZE: "pool_size", POOL_STRIDE: "pool_stride"}
#: Widget key -> its allowed values, for the settings that only the page has.
_CHOICES = {PADDING_MODE: PADDING_MODES, NORM: NORM_MODES, PREVIEW_SIDE: PREVIEW_SIDES}
SETTING_KEYS = (STRIDE, PADDING_MODE, PADDING, DILATION, NORM, RELU, POOL, POOL_SIZE, POOL_STRIDE,
                PREVIEW_SIDE)


@dataclass(frozen=True, init=False)
class LabSettings:
    """The Lab's settings: the core :class:`convviz.ConvSettings` it computes with, plus what pages need.

    Built from the widgets' values (the keyword arguments are the widgets: ``padding_mode`` "custom" uses the
    ``padding`` number, and a ``pool_stride`` equal to ``pool_size`` is the core's None). The Lab starts with
    "same" padding and ReLU on; ``norm`` and ``preview_side`` only change how results are shown.

    Attributes
    ----------
    core : convviz.ConvSettings
        What the maps are computed with (and what a shared link carries).
    custom_padding : int
        The "Zeros per side" widget's number (kept while "valid" or "same" is chosen).
    norm : {"shared", "per map"}
        One colour scale for every map, or one per map.
    preview_side : int
        Longest side of the photo the Lab computes on.

    Raises
    ------
    SettingsError
        If a value is out of range (widgets are read through :func:`read_settings`, which clamps first).
    """

    core: ConvSettings
    custom_padding: int
    norm: str
    preview_side: int

    def __init__(self, *, stride: int = 1, padding_mode: str = "same", padding: int = 1, dilation: int = 1,
                 relu: bool = True, pool: str = "none", pool_size: int = 2, pool_stride: int = 2,
                 norm: str = "shared", preview_side: int = 1024) -> None:
        if padding_mode not in PADDING_MODES:
            raise SettingsError(f"`padding_mode` must be one of {list(PADDING_MODES)}, got {padding_mode!r}")
        core = ConvSettings(stride=stride, padding=padding if padding_mode == "custom" else padding_mode,
                            dilation=dilation, relu=relu, pool=pool, pool_size=pool_size,
                            pool_stride=None if pool_stride == pool_size else pool_stride)
        ConvSettings(padding=padding)  # the custom number is checked even while a word is chosen
        object.__setattr__(self, "core", core)
        object.__setattr__(self, "custom_padding", int(padding))
        object.__setattr__(self, "norm", norm)
        object.__setattr__(self, "preview_side", preview_side)

    # The widgets' view of the core record (what the settings panel and the captions show).
    stride = property(lambda self: self.core.stride)
    dilation = property(lambda self: self.core.dilation)
    relu = property(lambda self: self.core.relu)
    pool = property(lambda self: self.core.pool)
    pool_size = property(lambda self: self.core.pool_size)

    @property
    def padding_mode(self) -> str:
        """``"valid"``, ``"same"`` or ``"custom"`` (the padding selectbox)."""
        return self.core.padding if isinstance(self.core.padding, str) else "custom"

    @property
    def pool_stride(self) -> int:
        """The pooling stride as a number (the core writes None for "equal to the pool size")."""
        return self.core.pool_size if self.core.pool_stride is None else self.core.pool_stride

    def conv_kwargs(self) -> dict:
        """Keyword arguments for :func:`convviz.conv2d` (``padding`` is "valid", "same" or an int)."""
        return self.core.conv_kwargs()

    def conv_key(self) -> tuple:
        """What the convolution output depends on, besides the image and the filters."""
        return (self.core.stride, self.core.padding, self.core.dilation)


#: The page's defaults, as widget values (what a new session starts with).
_LAB = LabSettings()
_DEFAULTS = {STRIDE: _LAB.stride, PADDING_MODE: _LAB.padding_mode, PADDING: _LAB.custom_padding,
             DILATION: _LAB.dilation, RELU: _LAB.relu, POOL: _LAB.pool, POOL_SIZE: _LAB.pool_size,
             POOL_STRIDE: _LAB.pool_stride, NORM: _LAB.norm, PREVIEW_SIDE: _LAB.preview_side}


@dataclass(frozen=True, eq=False)
class LabImage:
    """The current input image and where it came from.

    Attributes
    ----------
    pixels : ndarray, shape (H, W, 3)
        The image at preview resolution as given (float32 in [0, 1]); kept as 8-bit codes when that is exact
        (:func:`convviz.image.storage.pack`: a 1 MP photo then holds 2.4 MB instead of 9.4 MB per session).
        Read it through :attr:`array`.
    digest : str
        sha256 of the source bytes (uploads) or ``"sample:<name>"``: the cache key of everything derived.
    label : str
        Where it came from, for captions ("upload photo.jpg", "sample: Teaching test card").
    notes : tuple of str
        What intake did, one short sentence each ("scaled down from 4000 × 3000", "EXIF rotation applied").
    source : bytes or None
        The uploaded bytes, kept to compute at full resolution on request (None for samples).
    full : ndarray or None
        The full-resolution array when it is already in memory (samples).
    full_hw : (int, int)
        ``(H, W)`` of the full-resolution image (as seen upright), for the full-resolution download.
    """

    pixels: np.ndarray
    digest: str
    label: str
    notes: tuple[str, ...] = ()
    source: bytes | None = field(default=None, repr=False)
    full: np.ndarray | None = field(default=None, repr=False)
    full_hw: tuple[int, int] = (0, 0)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pixels", storage.pack(self.pixels))
        self.pixels.setflags(write=False)

    @property
    def array(self) -> np.ndarray:
        """The preview ``(H, W, 3)`` float32 in [0, 1], read-only: what the Lab computes on (exactly the
        image given; made from the 8-bit codes on each call, ~1 ms for 1 MP, so read it once per run)."""
        out = storage.unpack(self.pixels)
        out.setflags(write=False)
        return out

    @property
    def shape(self) -> tuple[int, int, int]:
        """``(H, W, 3)`` of the preview (without making the float array)."""
        return self.pixels.shape

    @property
    def shape_text(self) -> str:
        """``"H × W × C"`` of the preview."""
        return " × ".join(str(n) for n in self.shape)


def _clean(key: str, value):
    """Validate one widget's value; return the clean value or raise SettingsError naming the setting."""
    if key in _CHOICES:
        for option in _CHOICES[key]:
            if value == option or (isinstance(value, str) and value == str(option)):
                return option
        name = key.removeprefix("cv_")
        raise SettingsError(f"`{name}` must be one of {list(_CHOICES[key])}, got {value!r}")
    if key not in _CORE_KEYS:
        raise SettingsError(f"unknown setting `{key}`")
    clean = read_setting(_CORE_KEYS[key], value)  # the core's one validator: clamps, refuses the rest
    if clean is None or (key == PADDING and isinstance(clean, str)):  # these widgets hold numbers
        raise SettingsError(f"`{_CORE_KEYS[key]}` must be a whole number here, got {value!r}")
    return clean


def init_state() -> None:
    """Give every shared key its default once per session; keep widget-bound settings across pages.

    Streamlit forgets a widget's value when a run does not draw the widget (another page, or a hidden
    option); re-assigning the keys here keeps the user's settings when they come back.
    """
    ss = st.session_state
    for key in SETTING_KEYS:
        try:
            ss[key] = _clean(key, ss[key]) if key in ss else _DEFAULTS[key]
        except SettingsError:
            ss[key] = _DEFAULTS[key]
    if BANK not in ss:
        set_bank(load_preset(DEFAULT_PRESET))
    ss.setdefault(FOCUS, 0)


def apply_settings(values: Mapping[str, object]) -> list[str]:
    """Validate, clamp and store settings from untrusted text (e.g. query parameters).

    Unknown keys are ignored; a value that cannot be read keeps the current one. Call before the settings
    widgets render.

    Returns
    -------
    list of str
        One message per value that was refused (empty when everything was accepted).
    """
    problems = []
    for key, value in values.items():
        if key not in SETTING_KEYS:
            continue
        try:
            st.session_state[key] = _clean(key, value)
        except SettingsError as exc:
            problems.append(str(exc))
    return problems


def read_settings() -> LabSettings:
    """The current settings, validated and clamped (whatever a widget or a URL put in session state)."""
    ss = st.session_state
    values = {}
    for key in SETTING_KEYS:
        try:
            values[key] = _clean(key, ss.get(key, _DEFAULTS[key]))
        except SettingsError:
            values[key] = _DEFAULTS[key]
    return LabSettings(
        stride=values[STRIDE], padding_mode=values[PADDING_MODE], padding=values[PADDING],
        dilation=values[DILATION], relu=values[RELU], pool=values[POOL], pool_size=values[POOL_SIZE],
        pool_stride=values[POOL_STRIDE], norm=values[NORM], preview_side=values[PREVIEW_SIDE],
    )


def get_bank() -> FilterBank:
    """The current filter bank (see the module docstring)."""
    return st.session_state[BANK]


def set_bank(bank: FilterBank) -> None:
    """Store a new current bank and bump ``BANK_REV`` (widgets showing weights re-read them)."""
    if not isinstance(bank, FilterBank):
        raise TypeError(f"`bank` must be a FilterBank, got {type(bank).__name__}")
    st.session_state[BANK] = bank
    st.session_state[BANK_REV] = st.session_state.get(BANK_REV, 0) + 1


def get_focus(bank: FilterBank) -> int:
    """The focused filter index, clamped to ``0 <= focus < K``."""
    try:
        focus = int(st.session_state.get(FOCUS, 0))
    except (TypeError, ValueError):
        focus = 0
    return min(max(focus, 0), bank.n_filters - 1)


def replace_bank(bank: FilterBank) -> None:
    """Store `bank` for another page's action (e.g. "Open in designer"), keeping the student's bank to undo.

    The bank it replaces is kept under ``BANK_BEFORE`` (the designer shows an "Undo" button) unless it is
    `bank` itself.
    """
    current = st.session_state.get(BANK)
    if current is not None and not (current.names == bank.names and current.name == bank.name
                                    and np.array_equal(current.weights, bank.weights)
                                    and np.array_equal(current.bias, bank.bias)):
        st.session_state[BANK_BEFORE] = current
    set_bank(bank)


def undo_replace() -> None:
    """Widget callback: put back the bank that :func:`replace_bank` replaced (and forget it)."""
    before = st.session_state.pop(BANK_BEFORE, None)
    if isinstance(before, FilterBank):
        set_bank(before)
        st.session_state[FOCUS] = 0


def get_image() -> LabImage | None:
    """The current input image, or None before the input panel has run."""
    return st.session_state.get(IMAGE)


def set_image(image: LabImage) -> None:
    """Store the current input image (the input panel does this; other pages read it)."""
    st.session_state[IMAGE] = image
