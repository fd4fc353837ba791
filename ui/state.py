"""Cross-rerun state of the Volume Lab, defined once: every session_state key, its default and its bounds.

Who writes what (the contract for other panels, e.g. the filter designer and URL sharing):

- ``BANK`` holds the current :class:`convviz.FilterBank` (weights ``(K, kh, kw, 3)``, bias ``(K,)``). Read it
  with :func:`get_bank`; replace it with :func:`set_bank`, which also bumps ``BANK_REV`` so that widgets keyed
  on the revision show the new weights. A bank is immutable: every edit stores a new one.
- ``FOCUS`` is the index of the filter shown in detail (its per-channel maps, its pixel explanation). The
  filter panel sets it; :func:`get_focus` clamps it to the bank.
- The convolution settings live under the keys in ``SETTING_KEYS`` (one widget each, created by
  :mod:`ui.lab.settings`). To restore settings from untrusted text (a URL), call :func:`apply_settings`
  *before* the widgets render: it validates and clamps every value, and ignores unknown keys.
- ``IMAGE`` holds the current input as a :class:`LabImage` (written by :mod:`ui.image_input`; read by every
  page
  that computes on "the user's image").

Reruns (what keeps editing live): the Lab's panels are keyed fragments. A widget inside the workspace reruns
the whole workspace by default (correct, but it redraws the filter panel too). A *weight or bias* input should
instead pass ``on_change=state.weight_changed, args=(key, k, c, i, j)`` (or :func:`bias_changed`): the
callback stores the edited bank and reruns only ``RESULT_FRAGMENTS`` (the maps and the pixel explanation)
and the fragments registered with :func:`register_live_fragment` (e.g. the designer's swatch), which keeps
the rest of the page (and the many weight inputs) out of the edit's rerun. Any other callback that edits
the bank may call :func:`rerun_results` after storing it.

Everything read back from session state goes through :func:`read_settings`, which validates again: the
server never trusts a widget or a URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import streamlit as st

from convviz import settings as conv_core
from convviz.filterbank.bank import MAX_ABS_WEIGHT, FilterBank
from convviz.filterbank.presets import load_preset

# --- keys -------------------------------------------------------------------------------------------
BANK = "cv_bank"  # FilterBank: the current filter bank
BANK_REV = "cv_bank_rev"  # int: bumped by set_bank; widget keys that show weights include it
FOCUS = "cv_focus"  # int: the filter shown in detail
IMAGE = "cv_image"  # LabImage: the current input image (preview resolution)
PIPELINE = "cv_pipeline"  # ui.lab.pipeline.Pipeline: per-session computed maps and encoded pictures
PIXEL_ROW = "cv_px_row"  # int: the output pixel explained (row, column of the conv map)
PIXEL_COL = "cv_px_col"
SHOW_3D = "cv_show3d"  # bool: draw the output volume in 3D (live, but costly in a browser without a GPU)

# Keyed fragments of the Lab (see "Reruns" above).
FRAG_WORKSPACE = "cv_workspace"  # settings, filter panel, every result
FRAG_RESULTS = "cv_results"  # one filter's maps, ReLU/pooling, the output volume
FRAG_EXPLAIN = "cv_explain"  # the explained pixel's arithmetic
FRAG_PICK = "cv_pick"  # the clickable view that chooses the explained pixel
RESULT_FRAGMENTS = (FRAG_RESULTS, FRAG_EXPLAIN)
_LIVE_EXTRA = "cv_live_fragments"  # list of str: other fragments to rerun with the results

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
MAX_STRIDE = conv_core.INT_LIMITS["stride"][1]
MAX_PADDING = conv_core.INT_LIMITS["padding"][1]
MAX_DILATION = conv_core.INT_LIMITS["dilation"][1]
MIN_POOL, MAX_POOL = conv_core.INT_LIMITS["pool_size"]
DEFAULT_PRESET = "vertical-horizontal-edges"

#: key -> (default, validator). A validator returns the clean value or raises ValueError.
_INT_BOUNDS = {
    STRIDE: (1, *conv_core.INT_LIMITS["stride"]),
    PADDING: (1, *conv_core.INT_LIMITS["padding"]),
    DILATION: (1, *conv_core.INT_LIMITS["dilation"]),
    POOL_SIZE: (2, MIN_POOL, MAX_POOL),
    POOL_STRIDE: (2, *conv_core.INT_LIMITS["pool_stride"]),
}
_CHOICES = {
    PADDING_MODE: ("same", PADDING_MODES),
    POOL: ("none", POOL_MODES),
    NORM: ("shared", NORM_MODES),
    PREVIEW_SIDE: (1024, PREVIEW_SIDES),
}
_BOOLS = {RELU: True}
SETTING_KEYS = (*_INT_BOUNDS, *_CHOICES, *_BOOLS)


@dataclass(frozen=True)
class ConvSettings:
    """The validated convolution, activation, pooling and display settings of the Lab.

    The computing part is :attr:`core` (:class:`convviz.ConvSettings`, what a shared link carries);
    ``padding_mode``/``padding`` are the two widgets behind its ``padding``, and ``norm`` and
    ``preview_side`` only change how results are shown.
    """

    stride: int = 1
    padding_mode: str = "same"
    padding: int = 1
    dilation: int = 1
    relu: bool = True
    pool: str = "none"
    pool_size: int = 2
    pool_stride: int = 2
    norm: str = "shared"
    preview_side: int = 1024

    @property
    def core(self) -> conv_core.ConvSettings:
        """The core settings these compute with (a pool stride equal to the pool size is written None)."""
        padding = self.padding if self.padding_mode == "custom" else self.padding_mode
        pool_stride = None if self.pool_stride == self.pool_size else self.pool_stride
        return conv_core.ConvSettings(stride=self.stride, padding=padding, dilation=self.dilation,
                                      relu=self.relu, pool=self.pool, pool_size=self.pool_size,
                                      pool_stride=pool_stride)

    def conv_kwargs(self) -> dict:
        """Keyword arguments for :func:`convviz.conv2d` (``padding`` is "valid", "same" or an int)."""
        return self.core.conv_kwargs()

    def conv_key(self) -> tuple:
        """What the convolution output depends on, besides the image and the filters."""
        return (self.stride, self.conv_kwargs()["padding"], self.dilation)


@dataclass(frozen=True, eq=False)
class LabImage:
    """The current input image and where it came from.

    Attributes
    ----------
    array : ndarray, shape (H, W, 3), float32 in [0, 1]
        The image at preview resolution (read-only); this is what the Lab computes on.
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

    array: np.ndarray
    digest: str
    label: str
    notes: tuple[str, ...] = ()
    source: bytes | None = field(default=None, repr=False)
    full: np.ndarray | None = field(default=None, repr=False)
    full_hw: tuple[int, int] = (0, 0)

    @property
    def shape_text(self) -> str:
        """``"H × W × C"`` of the preview."""
        return " × ".join(str(n) for n in self.array.shape)


def _clean(key: str, value):
    """Validate one setting; return the clean value or raise ValueError naming the key."""
    if key in _INT_BOUNDS:
        _, low, high = _INT_BOUNDS[key]
        if isinstance(value, bool) or not isinstance(value, int | np.integer | str):
            raise ValueError(f"`{key}` must be an integer, got {value!r}")
        number = int(value)  # a URL gives text; int() refuses anything but an integer literal
        return min(max(number, low), high)  # clamp: a too-big stride is a setting, not an attack
    if key in _CHOICES:
        _, allowed = _CHOICES[key]
        for option in allowed:
            if value == option or (isinstance(value, str) and value == str(option)):
                return option
        raise ValueError(f"`{key}` must be one of {list(allowed)}, got {value!r}")
    if key in _BOOLS:
        if isinstance(value, bool | np.bool_):
            return bool(value)
        if value in ("1", "true", "True", "0", "false", "False"):
            return value in ("1", "true", "True")
        raise ValueError(f"`{key}` must be true or false, got {value!r}")
    raise ValueError(f"unknown setting `{key}`")


def _default(key: str):
    if key in _INT_BOUNDS:
        return _INT_BOUNDS[key][0]
    if key in _CHOICES:
        return _CHOICES[key][0]
    return _BOOLS[key]


def init_state() -> None:
    """Give every Lab key its default once per session; keep widget-bound settings across pages.

    Streamlit forgets a widget's value when a run does not draw the widget (another page, or a hidden
    option); re-assigning the keys here keeps the user's settings when they come back.
    """
    ss = st.session_state
    for key in SETTING_KEYS:
        if key in ss:
            try:
                ss[key] = _clean(key, ss[key])
            except ValueError:
                ss[key] = _default(key)
        else:
            ss[key] = _default(key)
    if BANK not in ss:
        set_bank(load_preset(DEFAULT_PRESET))
    ss.setdefault(FOCUS, 0)
    ss.setdefault(PIXEL_ROW, 0)
    ss.setdefault(PIXEL_COL, 0)


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
        except (ValueError, TypeError, OverflowError) as exc:
            problems.append(str(exc))
    return problems


def read_settings() -> ConvSettings:
    """The current settings, validated and clamped (whatever a widget or a URL put in session state)."""
    ss = st.session_state
    values = {}
    for key in SETTING_KEYS:
        try:
            values[key] = _clean(key, ss.get(key, _default(key)))
        except ValueError:
            values[key] = _default(key)
    return ConvSettings(
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


def get_image() -> LabImage | None:
    """The current input image, or None before the input panel has run."""
    return st.session_state.get(IMAGE)


def set_image(image: LabImage) -> None:
    """Store the current input image (the input panel does this; other pages read it)."""
    st.session_state[IMAGE] = image


def rerun_results() -> None:
    """From a widget callback: rerun only the live panels (after the callback stored a new bank).

    These are ``RESULT_FRAGMENTS`` plus every fragment registered with :func:`register_live_fragment` in
    the current workspace run (e.g. the designer's swatch and link).
    """
    keys = list(RESULT_FRAGMENTS)
    keys += [key for key in st.session_state.get(_LIVE_EXTRA, ()) if key not in keys]
    st.rerun(keys)


def reset_live_fragments() -> None:
    """Forget registered live fragments (the workspace calls this before drawing them again)."""
    st.session_state[_LIVE_EXTRA] = []


def register_live_fragment(key: str) -> None:
    """Ask for the keyed fragment `key` to rerun after every weight or bias edit (call it while drawing it).

    Only fragments drawn in the current workspace run may be registered: ``st.rerun`` refuses unknown keys.
    """
    extra = st.session_state.setdefault(_LIVE_EXTRA, [])
    if key not in extra:
        extra.append(key)


def _edited_value(key: str) -> float | None:
    """The number a weight/bias widget holds, or None if it is unusable (left empty, not finite, too big)."""
    value = st.session_state.get(key)
    if value is None or isinstance(value, bool):
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if np.isfinite(value) and abs(value) <= MAX_ABS_WEIGHT else None


def weight_changed(key: str, k: int, c: int, i: int, j: int) -> None:
    """Widget callback: weight ``[k, i, j, c]`` of the current bank takes the value of widget `key`.

    The bank is stored at the same revision (the widgets already show the value) and only the result panels
    rerun. An unusable value (empty, not finite, beyond the bank's limits) is ignored, and so is a stale
    widget whose filter or tap no longer exists.
    """
    bank = get_bank()
    value = _edited_value(key)
    k_all, kh, kw, c_all = bank.weights.shape
    if value is None or not (0 <= k < k_all and 0 <= i < kh and 0 <= j < kw and 0 <= c < c_all):
        return
    weights = np.array(bank.weights)  # (K, kh, kw, C), writable
    weights[k, i, j, c] = value
    st.session_state[BANK] = bank.replace(weights=weights)
    rerun_results()


def bias_changed(key: str, k: int) -> None:
    """Widget callback: filter `k`'s bias takes the value of widget `key` (see :func:`weight_changed`)."""
    bank = get_bank()
    value = _edited_value(key)
    if value is None or not 0 <= k < bank.n_filters:
        return
    bias = np.array(bank.bias)  # (K,)
    bias[k] = value
    st.session_state[BANK] = bank.replace(bias=bias)
    rerun_results()
