"""Decode budgets: the hostile files of issue 17, the files just inside the budgets, and a normal 12 MP JPEG.

Run from the repository root::

    python -m benchmarks.bench_hostile            # 5 timed runs per case after one warm-up
    python -m benchmarks.bench_hostile --runs 3

Prints the median wall-clock milliseconds of ``convviz.load_image`` for

- each hostile file (all refused from their bytes or header);
- the worst accepted files near each cap (these must stay within ~2 s);
- a normal 12 MP photo JPEG, against the same intake with the budgets switched off (the pre-change code
  path: no structure walk, no header caps, a plain ``io.BytesIO``) and against Pillow's thumbnail (a peer);

and a second-session check: the median and worst latency of a small decode on another thread while one
thread keeps decoding a hostile or heavy file. The machine is shared and noisy: compare within one run.
"""

from __future__ import annotations

import argparse
import io
import statistics
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager

from PIL import Image

from benchmarks._timing import elapsed_ms, median_ms
from convviz.image import budgets
from convviz.image import intake as intake_module
from convviz.image.intake import ImageError, load_image
from tests.image import hostile
from tests.image.corpus import encode, photo_like


def attempt(data: bytes) -> str:
    """'refused' or 'loaded' for one load_image call (other exceptions propagate)."""
    try:
        load_image(data)
    except ImageError:
        return "refused"
    return "loaded"


@contextmanager
def budgets_off():
    """The intake as it was before the budgets: no walk, no header caps, a plain BytesIO."""
    saved = intake_module.check_structure, intake_module.check_pixels, intake_module.DeadlineReader
    intake_module.check_structure = lambda data, signature: None
    intake_module.check_pixels = lambda im, data: None
    intake_module.DeadlineReader = io.BytesIO
    try:
        yield
    finally:
        intake_module.check_structure, intake_module.check_pixels, intake_module.DeadlineReader = saved


def pillow_thumbnail(data: bytes) -> None:
    im = Image.open(io.BytesIO(data))
    im.thumbnail((1024, 1024))
    im.convert("RGB")


def report(name: str, data: bytes, runs: int) -> None:
    """One row: size, median milliseconds of load_image, and whether the file was loaded or refused."""
    outcome = attempt(data)
    ms = median_ms(lambda: attempt(data), runs)
    print(f"  {name:40s} {len(data) / 1e6:6.2f} MB  {ms:8.1f} ms  {outcome}")


def latency_while(background: Callable[[], object], probe: Callable[[], object], seconds: float = 3.0):
    """(median ms, max ms) of `probe` on this thread while another thread runs `background` in a loop."""
    stop = threading.Event()

    def loop():
        while not stop.is_set():
            background()

    worker = threading.Thread(target=loop)
    worker.start()
    times, end = [], time.perf_counter() + seconds
    while time.perf_counter() < end:
        times.append(elapsed_ms(probe))
    stop.set()
    worker.join()
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per case (median reported)")
    args = parser.parse_args()
    runs = args.runs

    hostile_files = {
        "progressive JPEG, 40,000 scans": hostile.many_scan_jpeg(40_000),
        "PNG, 1.5 million empty IDAT chunks": hostile.empty_idat_png(),
        "float32 TIFF 7000 x 7000": hostile.float_tiff(),
        "16-bit RGBA PNG 7000 x 7000": hostile.rgba_png(7000, 7000, 16),
        "RLE8 BMP 30000 x 1666": hostile.rle8_bmp(),
        "8-bit RGBA PNG 7000 x 7000": hostile.rgba_png(7000, 7000, 8),
        "JPEG, 4 MB of fill bytes": hostile.jpeg_with_fill(4_000_000),
        "GIF, 1 million comment sub-blocks": hostile.gif_with_comment_blocks(1_000_000),
    }
    print(f"hostile files (median of {runs} after a warm-up)")
    for name, data in hostile_files.items():
        report(name, data, runs)

    edge = {
        f"progressive JPEG 50 MP, {budgets.MAX_JPEG_SCAN_PIXELS // 50_000_000} scans":
            hostile.many_scan_jpeg(budgets.MAX_JPEG_SCAN_PIXELS // 50_000_000 - 10, (10000, 5000)),
        "PNG with 49,990 empty IDAT chunks": hostile.empty_idat_png(49_990, 64),
        "RLE8 BMP 640 x 480 (worst-case rows)": hostile.rle8_bmp(640, 480),
        "float32 TIFF 4000 x 4000 (16 MP)": hostile.float_tiff(4000, 4000),
        "16-bit RGBA PNG 4000 x 4000 (16 MP)": hostile.rgba_png(4000, 4000, 16),
        "8-bit RGBA PNG 6000 x 6000 (36 MP)": hostile.rgba_png(6000, 6000, 8),
    }
    print(f"accepted files near the caps (median of {runs})")
    for name, data in edge.items():
        report(name, data, runs)

    photo = encode(Image.fromarray(photo_like(3000, 4000, noise=0.03)), "JPEG", quality=90)
    load_image(photo)
    ours = median_ms(lambda: load_image(photo), runs * 2)
    with budgets_off():
        load_image(photo)
        before = median_ms(lambda: load_image(photo), runs * 2)
    peer = median_ms(lambda: pillow_thumbnail(photo), runs * 2, warmup=1)
    print(f"normal 12 MP JPEG ({len(photo) / 1e6:.1f} MB), median of {runs * 2}")
    print(f"  {'load_image with budgets':40s} {ours:8.1f} ms   1.00x")
    print(f"  {'load_image without budgets (before)':40s} {before:8.1f} ms   {before / ours:.2f}x")
    print(f"  {'Pillow thumbnail (peer)':40s} {peer:8.1f} ms   {peer / ours:.2f}x")

    small = encode(Image.fromarray(photo_like(256, 256)), "PNG")
    probe = lambda: load_image(small)  # noqa: E731 - the second session's upload
    alone = statistics.median(elapsed_ms(probe) for _ in range(50))
    print(f"second session: a 256 x 256 PNG decode, {alone:.1f} ms alone; while another thread loops on")
    for name, data in [("the 40,000-scan JPEG (refused)", hostile_files["progressive JPEG, 40,000 scans"]),
                       ("the RLE8 BMP 640 x 480 (accepted)", edge["RLE8 BMP 640 x 480 (worst-case rows)"]),
                       ("the normal 12 MP JPEG", photo)]:
        med, worst = latency_while(lambda d=data: attempt(d), probe)
        print(f"  {name:40s} median {med:7.1f} ms   max {worst:7.1f} ms")


if __name__ == "__main__":
    main()
