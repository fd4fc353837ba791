"""A full-resolution download of a 12 MP photo with 8 filters stays within its memory budget (Linux only).

Measured in this process: the RSS peak while the download callable runs and Streamlit reads its file (as
``convert_data_to_bytes_and_infer_mime`` does), and the RSS left once the served bytes are dropped and
``ui.server.housekeeping.collect`` ran.
"""

from __future__ import annotations

import gc
import os
import threading
import weakref
from pathlib import Path

import numpy as np
import pytest

from convviz.filterbank.presets import load_preset
from convviz.image.intake import load_image_info
from tests.e2e.helpers import photo_jpeg, rss_mb
from ui import state
from ui.lab import export
from ui.lab.pipeline import Pipeline
from ui.server import housekeeping

VOLUME_MB = 4000 * 3000 * 8 * 4 / 2**20  # the float32 output volume: 366 MiB
PEAK_BUDGET_MB = 2.2 * VOLUME_MB  # volume + served bytes + the full image and conv scratch
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


def _click(pipe, image) -> int:
    reader = export.volume_download(weakref.ref(pipe), weakref.ref(image))()
    reader.seek(0)
    data = reader.read()  # what Streamlit does with a file it is handed
    n = len(data)
    del data, reader
    return n


def test_full_resolution_export_of_12mp_with_8_filters_stays_within_budget():
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
    for _ in range(2):  # two clicks: the second must not add to the first
        with Peak() as peak:
            n = _click(pipe, image)
        assert n == 128 + 4000 * 3000 * 8 * 4  # .npy header + (3000, 4000, 8) float32
        housekeeping.collect()
        left = rss_mb(os.getpid()) - before
        print(f"export: peak +{peak.mb - before:.0f} MB, left behind {left:+.0f} MB")
        assert peak.mb - before <= PEAK_BUDGET_MB
        assert left < LEFT_BEHIND_MB


def test_full_resolution_file_is_the_volume(tmp_path):
    """The band-by-band .npy is exactly conv + ReLU of the full image."""
    from convviz import conv2d, relu
    jpeg = photo_jpeg(320, 200, seed=2)
    preview, info = load_image_info(jpeg, max_side=256)
    hw = (info.original_height, info.original_width)
    image = state.LabImage(preview, "y:256", "upload", (), jpeg, None, hw)
    bank, settings = load_preset("compass-edges"), state.LabSettings()
    pipe = Pipeline()
    pipe.update(preview, image.digest, bank, settings)
    reader = export.volume_download(weakref.ref(pipe), weakref.ref(image))()
    path = tmp_path / "v.npy"
    path.write_bytes(reader.read())
    full, _ = load_image_info(jpeg, max_side=None)
    expected = relu(conv2d(full, bank.weights, bank.bias, padding="same"))
    np.testing.assert_array_equal(np.load(path), expected)


def test_a_second_click_while_one_runs_is_refused():
    pipe, image = Pipeline(), state.LabImage(np.zeros((4, 4, 3), np.float32), "z", "sample")
    lock = export._running.setdefault(pipe, threading.Lock())
    with lock, pytest.raises(export.ExportRefused, match="already being made"):
        export.volume_download(weakref.ref(pipe), weakref.ref(image))()
