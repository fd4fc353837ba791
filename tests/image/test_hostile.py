"""Decode budgets (issue 17): crafted files are refused from their bytes or header, fast, with a sentence.

Each case asserts an ImageError with its sentence (no other exception), a generous time bound (the real
timings are in ``benchmarks/bench_hostile.py``) and, where memory was the problem, bounded RSS growth.
"""

from __future__ import annotations

import re
import threading
import time

import cv2
import numpy as np
from PIL import Image

from convviz.image import budgets
from convviz.image import intake as image
from convviz.image.intake import ImageError, load_image, load_image_info
from tests.image import hostile
from tests.image.corpus import encode, photo_like

SECONDS = 5.0  # correctness bound, far above the measured milliseconds


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def run_measured(fn) -> tuple[object, float, int]:
    """(result or exception, seconds, peak RSS growth in bytes sampled every 2 ms while `fn` runs)."""
    base, peak, done = rss_bytes(), [0], threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_bytes() - base)
            time.sleep(0.002)

    sampler = threading.Thread(target=sample)
    sampler.start()
    t0 = time.perf_counter()
    try:
        result = fn()
    except Exception as exc:  # noqa: BLE001 - returned so that the test can say what it was
        result = exc
    seconds = time.perf_counter() - t0
    done.set()
    sampler.join()
    return result, seconds, max(peak[0], rss_bytes() - base)


def assert_refused_fast(data: bytes, phrase: str, max_rss: int = 64 << 20) -> str:
    result, seconds, growth = run_measured(lambda: load_image(data))
    assert isinstance(result, ImageError), repr(result)
    assert re.search(re.escape(phrase), str(result)), str(result)
    assert str(result).endswith(".") and seconds < SECONDS and growth < max_rss, (seconds, growth)
    return str(result)


# --- the five files of the issue -------------------------------------------------------------------

def test_progressive_jpeg_with_40000_scans_is_refused_by_counting():
    """40,000 empty scans (38 s before) are counted in the bytes and refused before decoding."""
    data = hostile.many_scan_jpeg(40_000)
    assert 400_000 < len(data) < 2_000_000
    assert assert_refused_fast(data, "This JPEG file has more than 100 scans (progressive passes)") == (
        "This JPEG file has more than 100 scans (progressive passes), far more than ordinary images have, so "
        "decoding it would take too long: please save or export it again as an ordinary JPEG file.")


def test_png_with_1_5_million_empty_idat_chunks_is_refused():
    """1.5 million empty IDAT chunks (18 MB, 10 s in Pillow's chunk loop) are refused by the chunk walk."""
    assert_refused_fast(hostile.empty_idat_png(), "This PNG file has more than 50,000 chunks")


def test_7000_square_float_tiff_is_refused_from_its_header():
    """A 49 MP float32 TIFF (22 s, +1.3 GB before) is over the 16 MP cap for samples wider than 8 bits."""
    assert_refused_fast(hostile.float_tiff(), "This 32-bit image is too large: it has 49 megapixels (7000 x "
                        "7000), and the limit for images with more than 8 bits per sample is 16 megapixels")


def test_7000_square_16_bit_rgba_png_is_refused_from_its_header():
    """A ~500 kB 16-bit RGBA PNG of 7000 x 7000 (+700 MB before) is refused by its IHDR bit depth."""
    data = hostile.rgba_png(7000, 7000, 16)
    assert len(data) < 1_000_000
    assert_refused_fast(data, "This 16-bit image is too large: it has 49 megapixels")


def test_rle8_bmp_of_30000_by_1666_is_refused_from_its_header():
    """A 7.7 kB RLE8 BMP of 50 MP (6-10 s of Python holding the GIL) is over the RLE pixel cap."""
    data = hostile.rle8_bmp()
    assert len(data) < 8_000
    assert_refused_fast(data, "This BMP file is compressed with run-length encoding (RLE), which is slow "
                        "to decode, and has 50 megapixels (30000 x 1666); the limit for such files is 0.307 "
                        "megapixels")


# --- the other loops a crafted file can multiply ----------------------------------------------------

def test_jpeg_scan_cap_shrinks_with_the_picture_size():
    """At 10000 x 5000 the cap is 50 scans (2,500 megapixel-scans), read from the SOF before decoding."""
    data = hostile.with_jpeg_size(hostile.many_scan_jpeg(60, (64, 48)), 10000, 5000)
    assert_refused_fast(data, "more than 50 scans")


def test_jpeg_with_thousands_of_header_segments_is_refused():
    """3000 comment segments before the first scan (each parsed in Python) are refused."""
    assert_refused_fast(hostile.jpeg_with_segments(3000), "This JPEG file has more than 2,000 segments")


def test_jpeg_with_megabytes_of_fill_bytes_is_refused():
    """4 MB of 0xFF fill bytes before the header (1.8 s of Python byte by byte before) are refused."""
    assert_refused_fast(hostile.jpeg_with_fill(4_000_000), "more than 65,536 stray bytes")


def test_gif_with_a_million_comment_sub_blocks_is_refused():
    """A million one-byte comment sub-blocks (Pillow skips them in Python) are refused."""
    assert_refused_fast(hostile.gif_with_comment_blocks(1_000_000), "This GIF file has more than 200,000")


def test_8_bit_rgba_png_over_the_decoded_bytes_budget_is_refused():
    """A 49 MP 8-bit RGBA PNG needs 196 MB of samples; formats without draft decoding get 150 MB."""
    assert_refused_fast(hostile.rgba_png(7000, 7000, 8), "its samples take 196 MB, and the limit is 150 MB")


def test_wall_clock_budget_stops_a_decode_between_blocks(monkeypatch):
    """A decode still reading after its budget stops with the 'took longer' sentence (not 'damaged')."""
    class Expiring(budgets.DeadlineReader):
        def __init__(self, data):
            super().__init__(data)
            self.reads = 0

        def read(self, size=-1):
            self.reads += 1
            if self.reads == 8:  # past the header, inside the pixel data
                self.deadline = time.monotonic() - 1
            return super().read(size)

    monkeypatch.setattr(image, "DeadlineReader", Expiring)
    data = encode(Image.fromarray(photo_like(600, 800, noise=0.05)), "PNG")
    assert len(data) > 8 * 65536
    assert_refused_fast(data, "This image took longer than 2 seconds to decode, so decoding was stopped")


# --- files just inside the budgets still load, correctly ------------------------------------------

def test_progressive_jpeg_with_20_extra_scans_loads():
    """A progressive JPEG with 30 scans in all is within every cap and decodes."""
    assert load_image(hostile.many_scan_jpeg(20, (320, 240))).shape == (240, 320, 3)


def test_png_with_a_thousand_empty_idat_chunks_loads_its_pixels():
    """Empty IDAT chunks are legal: 1000 of them load, with the pixels right (all black)."""
    img = load_image(hostile.empty_idat_png(1000, 64))
    assert img.shape == (64, 64, 3) and float(img.max()) == 0.0


def test_vga_rle8_bmp_loads():
    """A 640 x 480 RLE8 BMP is at the RLE cap and loads (palette index 0 is black)."""
    img = load_image(hostile.rle8_bmp(640, 480))
    assert img.shape == (480, 640, 3) and float(img.max()) == 0.0


def test_16_megapixel_float_tiff_loads_in_float32():
    """A 4000 x 4000 float TIFF from -1 to 2 is stretched in float32 bands: no float64 copy of 128 MB."""
    result, seconds, growth = run_measured(lambda: load_image(hostile.float_tiff(4000, 4000), max_side=4000))
    assert isinstance(result, np.ndarray) and result.shape == (4000, 4000, 3), repr(result)
    ramp = (np.linspace(-1.0, 2.0, 4000, dtype=np.float32) + 1) / 3
    assert np.allclose(result[1234, :, 1], ramp, atol=1e-6)
    small, seconds, growth = run_measured(lambda: load_image(hostile.float_tiff(4000, 4000)))
    assert isinstance(small, np.ndarray) and small.shape == (1024, 1024, 3), repr(small)
    # Measured growth for the 1024 preview: 181 MB (Pillow's frame, its bytes, the float32 stretch);
    # with the float64 stretch of before, 440 MB.
    assert growth < 300 << 20, growth


def test_alpha_composited_after_downscaling_matches_composite_then_downscale():
    """Premultiplied downscale + composite equals composite + downscale within one 8-bit step."""
    rng = np.random.default_rng(3)
    rgba = rng.integers(0, 256, (96, 128, 4), dtype=np.uint8)
    rgba[:, :64, 3] = 0  # a transparent half with random colours under it, which must not leak
    img = load_image(encode(Image.fromarray(rgba, "RGBA"), "PNG"), max_side=32)
    a = rgba[..., 3:].astype(np.float64) / 255
    over = (a * rgba[..., :3] / 255 + (1 - a)).astype(np.float32)
    reference = cv2.resize(over, (32, 24), interpolation=cv2.INTER_AREA)
    assert img.shape == (24, 32, 3) and np.abs(img - reference).max() <= 1.5 / 255
    assert np.array_equal(img[:, :16], np.ones((24, 16, 3), np.float32))


def test_large_rgba_png_within_the_budget_loads_with_bounded_memory():
    """A 36 MP 8-bit RGBA PNG (144 MB of samples, under the 150 MB budget) loads; RSS growth is bounded."""
    data = hostile.rgba_png(6000, 6000, 8)
    result, seconds, growth = run_measured(lambda: load_image_info(data))
    assert isinstance(result, tuple), repr(result)
    img, info = result
    assert img.shape == (1024, 1024, 3) and info.alpha_flattened and np.allclose(img, 1.0)
    assert growth < 600 << 20, growth  # measured 479 MB: Pillow's frame, its premultiplied copy, its bytes
