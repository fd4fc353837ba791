"""Image intake speed: decode + downscale of a 12 MP JPEG, against Pillow and OpenCV peers in the same run.

Run from the repository root::

    python -m benchmarks.bench_intake            # 7 timed runs per method after one warm-up
    python -m benchmarks.bench_intake --runs 15

Every method turns the same in-memory 4000 x 3000 JPEG into a 1024 x 768 float32 RGB array in [0, 1]:

- ``convviz.load_image``: the intake (JPEG draft decoding at reduced scale, cv2.INTER_AREA, all checks);
- ``naive Pillow``: ``Image.open(...).convert("RGB").resize((1024, 768))`` (full decode, bicubic), / 255;
- ``Pillow thumbnail``: ``Image.thumbnail`` (which also uses JPEG draft, reducing_gap=2), / 255;
- ``cv2 imdecode``: full decode, ``cv2.INTER_AREA``, BGR -> RGB, / 255.

The "phone photo" row adds what phones write: EXIF orientation 6 and an embedded ICC profile (sRGB here),
which the intake honours and the naive peer ignores. The machine is shared and noisy: compare the ratios
within one run, not the milliseconds across runs.
"""

from __future__ import annotations

import argparse
import io
from collections.abc import Callable

import cv2
import numpy as np
from PIL import Image

from benchmarks._timing import median_ms
from convviz.image.intake import load_image
from tests.image.corpus import encode, orientation_exif, photo_like, srgb_icc

SIZE = (1024, 768)  # (width, height) the 4000 x 3000 photo is reduced to, = load_image's default max_side


def naive_pillow(data: bytes) -> np.ndarray:
    im = Image.open(io.BytesIO(data)).convert("RGB").resize(SIZE)
    return np.asarray(im, dtype=np.float32) / 255


def pillow_thumbnail(data: bytes) -> np.ndarray:
    im = Image.open(io.BytesIO(data))
    im.thumbnail(SIZE)
    return np.asarray(im.convert("RGB"), dtype=np.float32) / 255


def cv2_imdecode(data: bytes) -> np.ndarray:
    bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    small = cv2.resize(bgr, SIZE, interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(small, cv2.COLOR_BGR2RGB).astype(np.float32) / 255


def checked_median_ms(fn: Callable[[bytes], np.ndarray], data: bytes, runs: int) -> float:
    out = fn(data)  # warm-up, and a check that every peer does the same job
    assert out.shape[2] == 3 and out.dtype == np.float32 and max(out.shape[:2]) == SIZE[0], out.shape
    return median_ms(lambda: fn(data), runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per method (median reported)")
    args = parser.parse_args()

    pixels = Image.fromarray(photo_like(3000, 4000, noise=0.03))  # (3000, 4000, 3), sensor-like noise
    plain = encode(pixels, "JPEG", quality=90)
    phone = encode(pixels.transpose(Image.Transpose.ROTATE_90), "JPEG", quality=90,
                   exif=orientation_exif(6), icc_profile=srgb_icc())  # stored sideways, 3000 x 4000
    methods: dict[str, Callable[[bytes], np.ndarray]] = {
        "convviz.load_image": load_image,
        "naive Pillow open+convert+resize": naive_pillow,
        "Pillow thumbnail (draft)": pillow_thumbnail,
        "cv2 imdecode + INTER_AREA": cv2_imdecode,
    }
    print(f"12 MP JPEG (4000 x 3000, {len(plain) / 1e6:.1f} MB) -> (768, 1024, 3) float32; "
          f"median of {args.runs} runs after a warm-up")
    results = {name: checked_median_ms(fn, plain, args.runs) for name, fn in methods.items()}
    ours = results["convviz.load_image"]
    for name, ms in results.items():
        print(f"  {name:34s} {ms:8.1f} ms   {ms / ours:5.2f}x convviz")
    phone_ours = checked_median_ms(load_image, phone, args.runs)
    phone_naive = checked_median_ms(naive_pillow, phone, args.runs)
    mb = len(phone) / 1e6
    print(f"phone photo (same pixels stored sideways, EXIF orientation 6, ICC profile, {mb:.1f} MB)")
    print(f"  {'convviz.load_image':34s} {phone_ours:8.1f} ms   (upright, ICC applied)")
    print(f"  {'naive Pillow open+convert+resize':34s} {phone_naive:8.1f} ms   (sideways, ICC ignored)")


if __name__ == "__main__":
    main()
