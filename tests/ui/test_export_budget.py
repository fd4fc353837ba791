"""The full-resolution file of a 12 MP photo with 8 filters stays within its memory budget (Linux only).

Measured in this process: the RSS peak while the file is built (filter by filter, on the build's worker
thread), and while a click's callable opens it and Streamlit reads it (as
``convert_data_to_bytes_and_infer_mime`` does); and the RSS left after each once the served bytes are dropped
and ``ui.server.housekeeping.collect`` ran.
"""

from __future__ import annotations

import gc
import os
import threading
import time
import weakref
from pathlib import Path

import numpy as np
import pytest

from convviz.filterbank.presets import load_preset
from convviz.image.intake import load_image_info
from tests.e2e.helpers import photo_jpeg, rss_mb
from ui import state
from ui.lab import export
from ui.lab.pipeline import Pipeline, post_process
from ui.server import housekeeping

VOLUME_MB = 4000 * 3000 * 8 * 4 / 2**20  # the float32 output volume: 366 MiB
IMAGE_MB = 4000 * 3000 * 3 * 4 / 2**20  # the full photo as float32: 137 MiB
BUILD_BUDGET_MB = IMAGE_MB + VOLUME_MB / 2  # the photo and its decode, one map, its mapped block, scratch
CLICK_BUDGET_MB = 1.2 * VOLUME_MB  # the served bytes (the file read once)
LEFT_BEHIND_MB = 50

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc for RSS")


class Peak:
    """Samples this process's RSS every 5 ms while in use; ``.mb`` is the highest seen."""

    def __enter__(self):
        self.mb, self._stop = rss_mb(os.getpid()), threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.wait(0.005):
            self.mb = max(self.mb, rss_mb(os.getpid()))

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def _click(build) -> int:
    reader = export.file_download(weakref.ref(build.file))()
    data = reader.read()  # what Streamlit does with a file it is handed
    reader.close()
    n = len(data)
    del data, reader
    return n


def test_full_resolution_file_of_12mp_with_8_filters_stays_within_budget():
    jpeg = photo_jpeg(4000, 3000, seed=5)
    preview, info = load_image_info(jpeg, max_side=1024)
    hw = (info.original_height, info.original_width)
    image = state.LabImage(preview, "x:1024", "upload", (), jpeg, None, hw)
    bank, settings = load_preset("compass-edges"), state.LabSettings()
    assert bank.n_filters == 8
    pipe = Pipeline()
    pipe.update(preview, image.digest, bank, settings)
    gc.collect()
    housekeeping.collect()
    before = rss_mb(os.getpid())
    with Peak() as peak:
        t0 = time.perf_counter()
        build = export.start_build(image, bank, settings)
        build.join()
        wall = time.perf_counter() - t0
    assert build.ready, build.message
    housekeeping.collect()
    left = rss_mb(os.getpid()) - before
    print(f"build: {wall:.1f} s wall, peak +{peak.mb - before:.0f} MB, left behind {left:+.0f} MB")
    assert peak.mb - before <= BUILD_BUDGET_MB
    assert left < LEFT_BEHIND_MB
    for _ in range(2):  # two clicks: the second must not add to the first
        with Peak() as peak:
            n = _click(build)
        assert n == os.path.getsize(build.file.path) == 128 + 4000 * 3000 * 8 * 4  # header + (3000, 4000, 8)
        housekeeping.collect()
        left = rss_mb(os.getpid()) - before
        print(f"click: peak +{peak.mb - before:.0f} MB, left behind {left:+.0f} MB")
        assert peak.mb - before <= CLICK_BUDGET_MB
        assert left < LEFT_BEHIND_MB
    path = build.file.path
    del build  # the tab's state let go of it: the file goes with it
    gc.collect()
    assert not os.path.exists(path)


def test_each_filter_alone_gives_the_whole_bank_result():
    """conv2d of the bank sliced to one filter, then ReLU/pooling, is the whole bank's result per filter.

    Not to the bit: conv2d takes its cv2 path for 1-2 filters and its matrix-product path for 8, which add
    the same products in a different order (float32 rounding).
    """
    from convviz import conv2d
    rng = np.random.default_rng(4)
    full = rng.random((97, 131, 3), dtype=np.float32)
    bank = load_preset("compass-edges")
    for settings in (state.LabSettings(), state.LabSettings(padding_mode="valid", stride=2, relu=False),
                     state.LabSettings(padding_mode="custom", padding=3, dilation=2, pool="max"),
                     state.LabSettings(pool="avg", pool_size=3, pool_stride=2)):
        whole = post_process(conv2d(full, bank.weights, bank.bias, **settings.conv_kwargs()), settings)
        image = state.LabImage(full, "r", "sample", (), None, full, full.shape[:2])
        assert export.full_shape(image, bank, settings) == whole.shape
        for k in range(bank.n_filters):
            np.testing.assert_allclose(export.filter_map(full, bank, k, settings), whole[..., k], rtol=1e-5,
                                       atol=2e-6)
