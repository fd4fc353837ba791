"""Tiny VGG inference speed: convviz's NumPy forward pass against torch-CPU on the same weights.

Run from the repository root (torch is optional: without it only convviz is timed)::

    python -m benchmarks.bench_model                 # 3 passes x 50 timed runs, then 3,925 images
    python -m benchmarks.bench_model --runs 100 --images 0

Rows:

- ``convviz forward``: :meth:`convviz.TinyVGG.forward` of one 64 x 64 x 3 image, every layer's output
  kept (what the page uses);
- ``torch, N threads``: the same layers and weights as an eval-mode ``nn.Sequential`` under ``no_grad``
  (:mod:`benchmarks.tinyvgg_torch`), one image ``(1, 3, 64, 64)``, logits and probabilities only.

Each pass interleaves the methods (a median of ``--runs`` timings after a warm-up each); the table reports the
median over passes and the ratio convviz / torch. Then the whole validation split's worth of images (3,925
by default, random 64 x 64 inputs: the work does not depend on the pixels) one at a time through convviz and
torch, and batched through torch. The machine is shared and noisy: compare ratios within one run.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

from benchmarks._timing import median_ms
from convviz.model.tinyvgg import load_pretrained

try:
    import torch

    from benchmarks.tinyvgg_torch import to_batch, torch_network
except ImportError:  # torch is a peer, never a requirement
    torch = None


def with_threads(n: int, fn: Callable[[], object]) -> Callable[[], object]:
    def run():
        torch.set_num_threads(n)
        return fn()
    return run


def single_image_methods(model, image: np.ndarray) -> dict[str, Callable[[], object]]:
    methods: dict[str, Callable[[], object]] = {"convviz forward (every layer)": lambda: model.forward(image)}
    if torch is not None:
        net = torch_network(model)
        x = to_batch(image)
        run = torch.no_grad()(lambda: net(x))
        for n in (1, 2):
            methods[f"torch, {n} thread{'s' if n > 1 else ''}"] = with_threads(n, run)
    return methods


def whole_split(model, n: int) -> dict[str, float]:
    """Seconds for n random 64 x 64 images: convviz one by one; torch one by one and in batches of 256."""
    images = np.random.default_rng(1).random((n, 64, 64, 3), dtype=np.float32)
    seconds = {}
    t0 = time.perf_counter()
    for image in images:
        model.predict(image)
    seconds["convviz, one image at a time"] = time.perf_counter() - t0
    if torch is not None:
        net = torch_network(model)
        torch.set_num_threads(2)
        with torch.no_grad():
            t0 = time.perf_counter()
            for image in images:
                net(to_batch(image))
            seconds["torch (2 threads), one image at a time"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            for i in range(0, n, 256):
                net(to_batch(images[i:i + 256]))
            seconds["torch (2 threads), batches of 256"] = time.perf_counter() - t0
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="timed runs per method and pass")
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--images", type=int, default=3925,
                        help="images for the whole-split timing (0: skip)")
    args = parser.parse_args()
    model = load_pretrained()
    image = np.random.default_rng(0).random((64, 64, 3), dtype=np.float32)
    methods = single_image_methods(model, image)
    passes: dict[str, list[float]] = {name: [] for name in methods}
    for _ in range(args.passes):
        for name, fn in methods.items():
            passes[name].append(median_ms(fn, args.runs, warmup=3))  # allocator, BLAS threads, torch caches
    medians = {name: statistics.median(values) for name, values in passes.items()}
    ours = medians["convviz forward (every layer)"]
    print(f"One 64x64 forward, median ms over {args.passes} passes x {args.runs} runs "
          "(ratio = convviz / peer)")
    for name, ms in medians.items():
        spread = ", ".join(f"{v:.2f}" for v in passes[name])
        ratio = "" if ms == ours else f"   convviz / this = {ours / ms:.2f}"
        print(f"  {name:<32} {ms:7.2f} ms  (passes: {spread}){ratio}")
    if args.images:
        print(f"\nWhole split: {args.images} images of 64x64 (decode excluded)")
        for name, s in whole_split(model, args.images).items():
            print(f"  {name:<40} {s:6.2f} s  ({1000 * s / args.images:.2f} ms/image)")


if __name__ == "__main__":
    main()
