"""The Lab's computations for one session, redone filter by filter so that editing a weight stays live.

A :class:`Pipeline` lives in ``st.session_state[live.PIPELINE]`` (one per browser tab). It keeps the
convolution output of the current image as planar maps ``(K, H', W')`` together with a signature of each
filter (its weights and bias bytes). On the next run only filters whose signature changed are recomputed; a
new image, new settings or a new kernel shape recompute everything with one :func:`convviz.conv2d` call.
The same holds for the ReLU/pooling stage and for the display pictures (JPEG bytes cached by what they show),
so a weight edit costs three channel maps, one sum and a handful of small pictures.

All arrays handed out are read-only views; ``(H, W, K)`` volumes are built only for downloads.

Memory (a class shares one server; docs/benchmarks.md, "A class on one server"): a session keeps the conv
maps ``(K, H', W')`` float32 and little else. The focused filter's channel maps are computed for each run
and not kept (only their stats are), ReLU without pooling is computed map by
map when a picture or a download needs it (its stats follow exactly from the conv maps'), and the picture
memo is bounded by count and bytes (:data:`MEMO_SIZE`, :data:`MEMO_BYTES`). :meth:`Pipeline.release` drops
everything when the session's browser has gone (``ui.server.housekeeping``).

The panels reach it through :func:`ui.lab.context.lab_context`.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from convviz import avg_pool2d, conv2d, conv2d_per_channel, max_pool2d, relu
from convviz._validate import check_budget
from convviz.filterbank.bank import FilterBank
from convviz.ops.shapes import conv_geometry
from ui.state import LabSettings

#: Largest number of multiply-adds one interactive recompute may need (1024 x 768 x 32 filters of 3x3x3
#: is 0.7 billion, about 0.1 s here). Bigger work is refused with a message, not queued.
INTERACTIVE_BUDGET = 2_000_000_000
MEMO_SIZE = 120  # pictures and small arrays kept per session: a page of 8 filters shows 14, an edit adds ~5
MEMO_BYTES = 3_000_000  # ... and their bytes (a 256 px map's JPEG: 5-20 kB)
MAP_SIDE = 256  # pixels on the long side of a map as drawn (ui.lab.maps uses it): shown 111-322 px wide


@dataclass(frozen=True)
class Stats:
    """Minimum, maximum and count of negative values of one map."""

    lo: float
    hi: float
    negatives: int

    @property
    def scale(self) -> float:
        """Half-width of a zero-centred colour scale that holds the map."""
        return max(abs(self.lo), abs(self.hi))


def _stats(m: np.ndarray) -> Stats:
    return Stats(float(m.min()), float(m.max()), int(np.count_nonzero(m < 0)))


def _readonly(a: np.ndarray) -> np.ndarray:
    view = a.view()
    view.setflags(write=False)
    return view


def _nbytes(data: object) -> int:
    """Bytes a memo entry holds (arrays, text, bytes, tuples of them; other objects by their shallow size)."""
    if isinstance(data, np.ndarray):
        return data.nbytes
    if isinstance(data, tuple):  # e.g. a picture's (JPEG bytes, (h, w))
        return sum(_nbytes(item) for item in data)
    return len(data) if isinstance(data, str | bytes) else sys.getsizeof(data)


class Maps(Sequence):
    """K maps ``(H'', W'')`` made one at a time on request (read-only arrays), with their common shape."""

    def __init__(self, count: int, shape: tuple[int, int], make: Callable[[int], np.ndarray]) -> None:
        self._count, self.shape, self._make = count, shape, make

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(self._count))]
        if not -self._count <= k < self._count:
            raise IndexError(k)
        return _readonly(self._make(k % self._count))

    def __iter__(self) -> Iterator[np.ndarray]:
        return (self[k] for k in range(self._count))


def _locked(method):
    def wrapper(self, *args, **kwargs):
        with self.lock:
            return method(self, *args, **kwargs)
    wrapper.__doc__, wrapper.__name__ = method.__doc__, method.__name__
    return wrapper


def _signature(bank: FilterBank, k: int) -> bytes:
    return bank.weights[k].tobytes() + bank.bias[k].tobytes()


def check_live_budget(image_shape: tuple[int, ...], bank: FilterBank, out_hw: tuple[int, int]) -> None:
    """Refuse a recompute above :data:`INTERACTIVE_BUDGET` multiply-adds (a :class:`BudgetError`)."""
    kh, kw = bank.kernel_size
    macs = out_hw[0] * out_hw[1] * bank.n_filters * kh * kw * image_shape[2]
    check_budget("This update", macs=macs, macs_limit=INTERACTIVE_BUDGET)


def post_process(volume: np.ndarray, settings: LabSettings) -> np.ndarray:
    """ReLU and pooling of a conv output ``(H', W', K)`` as set in `settings`."""
    if settings.relu:
        volume = relu(volume)
    if settings.pool != "none":
        pool = max_pool2d if settings.pool == "max" else avg_pool2d
        volume = pool(volume, settings.pool_size, stride=settings.pool_stride)
    return volume


class Pipeline:
    """Per-session convolution, ReLU/pooling and picture caches (see the module docstring)."""

    def __init__(self) -> None:
        # Downloads read the pipeline from another thread (Streamlit runs download callables there).
        self.lock = threading.RLock()
        self._clear()

    def _clear(self) -> None:
        self._base: tuple | None = None  # what every conv map depends on besides its filter
        self._sigs: list[bytes] = []
        self._conv: np.ndarray | None = None  # (K, H', W') float32
        self._conv_stats: list[Stats] = []
        self._post_key: tuple | None = None
        self._post_sigs: list[bytes | None] = []
        self._post: list[np.ndarray] = []  # K maps (H'', W'') after ReLU / pooling
        self._post_stats: list[Stats] = []
        self._channel_stats: list[Stats] = []
        self._pictures: OrderedDict[tuple, object] = OrderedDict()
        self._memo_bytes = 0
        self.bank: FilterBank | None = None
        self.settings: LabSettings | None = None
        self.recomputed: list[int] = []  # filters recomputed by the last update (for tests and captions)
        # Output map k -> (colour scale, grey view) it was last drawn with: the PNG download draws the same.
        self.shown: dict[int, tuple[float, bool]] = {}

    # --- convolution -------------------------------------------------------------------------------------
    @_locked
    def update(self, image: np.ndarray, digest: str, bank: FilterBank, settings: LabSettings, *,
               focus: int = 0) -> None:
        """Bring the conv maps up to date with `image` ``(H, W, C)``, `bank` and `settings`.

        When only the `focus` filter changed, its map is the sum of its per-channel maps plus its bias (the
        per-channel maps are needed for the page anyway), so an edit costs one set of channel maps.

        Raises
        ------
        ValueError
            For impossible settings (from :func:`convviz.conv2d`) or work above the budget
            (:class:`BudgetError`); the caches stay as they were.
        """
        kw = settings.conv_kwargs()
        base = (digest, image.shape, settings.conv_key(), bank.weights.shape[1:])
        sigs = [_signature(bank, k) for k in range(bank.n_filters)]
        if base == self._base and len(sigs) == len(self._sigs):
            changed = [k for k, s in enumerate(sigs) if s != self._sigs[k]]
            if len(changed) * 2 <= len(sigs):
                for k in changed:
                    if k == focus:
                        channels = self.channel_maps(image, bank, k, settings)  # (C, H', W')
                        np.add(channels.sum(axis=0), bank.bias[k], out=self._conv[k])
                    else:
                        self._conv[k] = conv2d(image, bank.weights[k], bank.bias[k:k + 1], **kw)[..., 0]
                    self._conv_stats[k] = _stats(self._conv[k])
                    self._sigs[k] = sigs[k]
                self.recomputed = changed
                self.bank, self.settings = bank, settings  # what the maps show now (downloads read these)
                return
        g = conv_geometry(image.shape[0], image.shape[1], bank.kernel_size, what="the convolution", **kw)
        check_live_budget(image.shape, bank, (g.out_h, g.out_w))
        volume = conv2d(image, bank.weights, bank.bias, **kw)  # (H', W', K)
        self._conv = np.ascontiguousarray(volume.transpose(2, 0, 1))  # (K, H', W')
        self._conv_stats = [_stats(m) for m in self._conv]
        self._base, self._sigs = base, sigs
        self._post_key = None
        self.recomputed = list(range(bank.n_filters))
        self.bank, self.settings = bank, settings

    @property
    def conv(self) -> np.ndarray:
        """The convolution output as planar maps ``(K, H', W')`` (read-only)."""
        return _readonly(self._conv)

    @property
    def conv_stats(self) -> list[Stats]:
        """Per filter: min, max and negatives of its conv map."""
        return list(self._conv_stats)

    # --- ReLU and pooling --------------------------------------------------------------------------------
    @_locked
    def post(self, settings: LabSettings) -> Maps:
        """Maps after ReLU and pooling (as enabled in `settings`), one ``(H'', W'')`` per filter.

        Pooled maps are kept (a fraction of the conv maps' size); ReLU alone is made map by map on request.

        Raises
        ------
        ValueError
            When the pooling window does not fit the map.
        """
        count, shape = len(self._conv), self._conv.shape[1:]
        if settings.pool == "none":
            conv = self._conv
            if not settings.relu:
                return Maps(count, shape, lambda k: conv[k])
            return Maps(count, shape, lambda k: np.maximum(conv[k], np.float32(0)))
        key = (self._base, settings.relu, settings.pool, settings.pool_size, settings.pool_stride)
        if key != self._post_key:
            self._post_key, self._post_sigs = key, [None] * len(self._sigs)
            self._post, self._post_stats = [None] * len(self._sigs), [None] * len(self._sigs)
        for k, sig in enumerate(self._sigs):
            if self._post_sigs[k] != sig:
                m = post_process(self._conv[k][..., None], settings)  # (H', W', 1) in and out
                self._post[k] = np.ascontiguousarray(m[..., 0])
                self._post_stats[k] = _stats(self._post[k])
                self._post_sigs[k] = sig
        post = self._post
        return Maps(count, post[0].shape, lambda k: post[k])

    def post_stats(self, settings: LabSettings) -> list[Stats]:
        """Per filter: min, max and negatives after ReLU/pooling (call :meth:`post` first)."""
        if settings.pool == "none":
            if not settings.relu:
                return self.conv_stats
            return [Stats(max(s.lo, 0.0), max(s.hi, 0.0), 0) for s in self._conv_stats]  # ReLU's, exactly
        return list(self._post_stats)

    # --- the focused filter's per-channel maps -----------------------------------------------------------
    @_locked
    def channel_maps(self, image: np.ndarray, bank: FilterBank, k: int, settings: LabSettings) -> np.ndarray:
        """Filter `k`'s per-channel maps ``(C, H', W')``: image channel c correlated with slice c.

        Computed on every call and not kept (3 full-size maps per session would cost more memory than the
        rest of a student's state); their stats are kept (:attr:`channel_stats`).
        """
        maps = conv2d_per_channel(image, bank.weights[k], **settings.conv_kwargs())  # (H', W', C)
        maps = np.ascontiguousarray(maps.transpose(2, 0, 1))  # (C, H', W')
        self._channel_stats = [_stats(m) for m in maps]
        return _readonly(maps)

    @property
    def channel_stats(self) -> list[Stats]:
        """Per channel: min, max and negatives of the focused filter's channel maps."""
        return list(self._channel_stats)

    # --- pictures and other derived things ---------------------------------------------------------------
    def memo(self, key: tuple, make: Callable[[], object]):
        """``make()`` for `key`, made once per image and settings (pictures, small arrays for 3D views).

        `key` must name everything the result shows besides the image and the conv settings (e.g. the
        filter signature, the stage, the colour scale and the size).
        """
        full_key = (self._base, *key)
        data = self._pictures.get(full_key)
        if data is None:
            data = make()
            self._pictures[full_key] = data
            self._memo_bytes += _nbytes(data)
            pics = self._pictures
            while len(pics) > 1 and (len(pics) > MEMO_SIZE or self._memo_bytes > MEMO_BYTES):
                self._memo_bytes -= _nbytes(self._pictures.popitem(last=False)[1])
        else:
            self._pictures.move_to_end(full_key)
        return data

    @_locked
    def release(self) -> None:
        """Forget every map and picture (the next :meth:`update` recomputes everything)."""
        self._clear()

    def filter_signature(self, k: int) -> bytes:
        """The signature of filter `k` as last computed (part of picture keys)."""
        return self._sigs[k]
