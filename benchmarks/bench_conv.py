"""Speed of convviz.conv2d against its peers, measured in one run.

For each image size and filter count K (3x3x3 filters, bias, zero padding 1, stride 1) it times:

- ``convviz``: :func:`convviz.conv2d` from an (H, W, 3) float32 image to (H, W, K);
- ``per-channel`` (K = 1 only): :func:`convviz.conv2d_per_channel`, the three maps the app draws;
- ``cv2``: ``cv2.filter2D`` per channel and per filter, summed with ``cv2.add``, bias added (planes split once
  into one buffer, the fastest way found; output planar (K, H, W));
- ``einsum``: ``sliding_window_view`` + ``einsum(optimize=True)``
  (:func:`convviz.ops.reference.conv2d_windows`);
- ``torch`` (when installed): ``torch.nn.functional.conv2d`` with ``torch.set_num_threads(2)`` on a ready NCHW
  tensor (its layout conversion is not timed, which favours torch).

Each round runs every method once, in turn, so that the load of a shared machine spreads over all of them;
the table shows the median of the rounds after one warm-up, and each peer's time divided by convviz's
(above 1 means convviz is faster). Run from the repository root::

    python -m benchmarks.bench_conv                 # 512x512, 1920x1080, 4000x3000; K = 1, 8, 32
    python -m benchmarks.bench_conv --sizes 1920x1080 --ks 8,32 --rounds 9
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import time
import tracemalloc
from collections.abc import Callable

import cv2
import numpy as np

import convviz
from benchmarks._timing import elapsed_ms
from convviz.ops.reference import conv2d_windows

try:
    import torch
except ImportError:  # torch is optional: its column is left out
    torch = None


# Pause after each timed call (not timed), so that threads a method leaves spinning (OpenMP, OpenBLAS) have
# gone idle before the next method starts.
_SETTLE_SECONDS = 0.05


def cv2_per_channel_per_filter(image: np.ndarray, filters: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """The OpenCV baseline: (H, W, C) image, (K, kh, kw, C) filters -> planar (K, H, W) maps."""
    h, w, c = image.shape
    planes = np.empty((c, h, w), dtype=np.float32)  # (C, H, W)
    cv2.split(image, list(planes))
    out = np.empty((filters.shape[0], h, w), dtype=np.float32)  # (K, H, W)
    for k, bank in enumerate(filters):
        cv2.filter2D(planes[0], cv2.CV_32F, np.ascontiguousarray(bank[..., 0]), dst=out[k],
                     borderType=cv2.BORDER_CONSTANT)
        for ch in range(1, c):
            response = cv2.filter2D(planes[ch], cv2.CV_32F, np.ascontiguousarray(bank[..., ch]),
                                    borderType=cv2.BORDER_CONSTANT)
            cv2.add(out[k], response, dst=out[k])
        out[k] += bias[k]
    return out


def _methods(image: np.ndarray, filters: np.ndarray, bias: np.ndarray, *,
             einsum: bool) -> dict[str, Callable]:
    """The timed callables for one case, convviz first."""
    methods = {"convviz": lambda: convviz.conv2d(image, filters, bias, padding=1)}
    if filters.shape[0] == 1:
        methods["per-channel"] = lambda: convviz.conv2d_per_channel(image, filters[0], padding=1)
    methods["cv2"] = lambda: cv2_per_channel_per_filter(image, filters, bias)
    if einsum:
        methods["einsum"] = lambda: conv2d_windows(image, filters, bias, padding=1)
    if torch is not None:
        tensor = torch.from_numpy(np.ascontiguousarray(image.transpose(2, 0, 1))[None])  # (1, C, H, W)
        weight = torch.from_numpy(np.ascontiguousarray(filters.transpose(0, 3, 1, 2)))  # (K, C, kh, kw)
        tbias = torch.from_numpy(bias)

        def run_torch():
            with torch.no_grad():
                return torch.nn.functional.conv2d(tensor, weight, tbias, padding=1)

        methods["torch"] = run_torch
    return methods


def _check(methods: dict[str, Callable]) -> None:
    """All methods must agree before their times mean anything."""
    expected = np.asarray(methods["convviz"]())  # (H, W, K)
    for name, method in methods.items():
        result = method()
        if name == "per-channel":
            continue
        if name == "torch":
            result = result[0].numpy().transpose(1, 2, 0)  # (H, W, K)
        elif name == "cv2":
            result = result.transpose(1, 2, 0)  # (H, W, K)
        np.testing.assert_allclose(result, expected, atol=1e-4, rtol=1e-4, err_msg=name)


def peak_extra_memory(image: np.ndarray, filters: np.ndarray, bias: np.ndarray) -> float:
    """Peak memory allocated through NumPy during one conv2d call beyond its result, in results."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    out = convviz.conv2d(image, filters, bias, padding=1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    result_bytes = out.base.nbytes if out.base is not None else out.nbytes
    return (peak - result_bytes) / (out.size * out.itemsize)


def time_case(size: tuple[int, int], k: int, rounds: int, einsum_limit: int) -> dict[str, float]:
    """Median milliseconds of every method for one image size and K."""
    w, h = size
    rng = np.random.default_rng(0)
    image = rng.random((h, w, 3), dtype=np.float32)
    filters = rng.standard_normal((k, 3, 3, 3)).astype(np.float32)
    bias = rng.standard_normal(k).astype(np.float32)
    methods = _methods(image, filters, bias, einsum=h * w * k <= einsum_limit)
    _check(methods)  # doubles as the warm-up
    times: dict[str, list[float]] = {name: [] for name in methods}
    for _ in range(rounds):
        for name, method in methods.items():
            times[name].append(elapsed_ms(method))
            time.sleep(_SETTLE_SECONDS)
    medians = {name: statistics.median(values) for name, values in times.items()}
    medians["memory"] = peak_extra_memory(image, filters, bias)
    return medians


def _ratio_cell(medians: dict[str, float], name: str) -> str:
    """``"ms (ratio)"`` for one peer, or a dash when it was not run."""
    if name not in medians:
        return "–"
    return f"{medians[name]:.1f} ({medians[name] / medians['convviz']:.2f}x)"


def machine() -> str:
    """One line about the machine and versions the figures come from."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    versions = f"numpy {np.__version__}, opencv {cv2.__version__}"
    if torch is not None:
        versions += f", torch {torch.__version__} ({torch.get_num_threads()} threads)"
    return (f"{datetime.date.today()} · {cpu}, {os.cpu_count()} CPUs · Python {platform.python_version()}, "
            f"{versions} · load average {load}")


def main(argv: list[str] | None = None) -> None:
    """Parse the options, time every case and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="512x512,1920x1080,4000x3000",
                        help="WxH,... (default: %(default)s)")
    parser.add_argument("--ks", default="1,8,32", help="filter counts (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per case (default: %(default)s)")
    parser.add_argument("--einsum-limit", type=int, default=2_000_000 * 32,
                        help="skip einsum above H*W*K (it takes seconds there; default: %(default)s)")
    args = parser.parse_args(argv)
    if torch is not None:
        torch.set_num_threads(2)
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")]
    ks = [int(k) for k in args.ks.split(",")]
    print(machine())
    print(f"median ms of {args.rounds} rounds; ratio = peer / convviz (> 1: convviz faster)\n")
    header = ("| size | K | convviz ms | per-channel ms | cv2 ms (ratio) | einsum ms (ratio) "
              "| torch ms (ratio) | peak extra memory |")
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    for size in sizes:
        for k in ks:
            m = time_case(size, k, args.rounds, args.einsum_limit)
            per_channel = f"{m['per-channel']:.1f}" if "per-channel" in m else "–"
            peers = " | ".join(_ratio_cell(m, name) for name in ("cv2", "einsum", "torch"))
            print(f"| {size[0]}x{size[1]} | {k} | {m['convviz']:.1f} | {per_channel} | {peers} "
                  f"| {m['memory']:.2f}x output |", flush=True)


if __name__ == "__main__":
    main()
