"""Training your own classes: how long :func:`convviz.fit_classes` takes here, against its peers in one run.

Run from the repository root::

    python -m benchmarks.bench_fit_classes                  # 3 classes x 10 photos, and 5 x 50 (the cap)
    python -m benchmarks.bench_fit_classes --runs 7

Photos: Imagenette val photos (224 x 224, decoded before timing) when ``../shared/datasets/imagenette2-224``
is present, else generated 224 x 224 photo-like images; the work does not depend on the pixels. Rows, each the
median of ``--runs`` timings:

- ``fit_classes``: the whole call (squash to 64x64, features of each photo and its mirror image, 300 epochs
  of full-batch Adam, folding, the copy);
- ``peer: forward passes``: :meth:`convviz.TinyVGG.forward` of every photo and its mirror image (squashed
  first): the feature extraction alone, which fit_classes cannot beat;
- ``peer: predict each photo``: :meth:`convviz.TinyVGG.predict` of every photo once, what classifying the
  training photos costs.

Target: ``fit_classes`` <= 10 s for the largest case (5 classes x 50 photos).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from benchmarks._timing import median_ms
from convviz import fit_classes, load_pretrained

VAL = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "imagenette2-224" / "val"
if not VAL.is_dir():
    VAL = Path("/work/shared/datasets/imagenette2-224/val")
TARGET_S = 10.0


def photos(n_classes: int, per_class: int) -> dict[str, list[np.ndarray]]:
    """Decoded (H, W, 3) float32 photos per class (Imagenette val folders, else generated)."""
    from PIL import Image

    folders = sorted(p for p in VAL.iterdir() if p.is_dir())[:n_classes] if VAL.is_dir() else []
    if len(folders) == n_classes:
        out = {}
        for folder in folders:
            images = []
            for path in sorted(folder.glob("*.JPEG"))[:per_class]:
                with Image.open(path) as im:
                    images.append(np.asarray(im.convert("RGB"), np.float32) / np.float32(255))
            out[folder.name] = images
        return out
    rng = np.random.default_rng(0)
    return {f"class {k}": [rng.random((224, 224, 3), dtype=np.float32) for _ in range(per_class)]
            for k in range(n_classes)}


def bench(model, n_classes: int, per_class: int, runs: int) -> dict[str, float]:
    examples = photos(n_classes, per_class)
    flat = [image for images in examples.values() for image in images]

    def forwards():
        for image in flat:
            x = model.resize_input(image)
            model.forward(x)
            model.forward(np.ascontiguousarray(x[:, ::-1]))

    def predicts():
        for image in flat:
            model.predict(image)

    return {
        "fit_classes": median_ms(lambda: fit_classes(model, examples), runs, warmup=1),
        "peer: forward passes (photo + mirror)": median_ms(forwards, runs, warmup=1),
        "peer: predict each photo": median_ms(predicts, runs, warmup=1),
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args(argv)
    model = load_pretrained()
    source = "Imagenette val photos" if VAL.is_dir() else "generated 224 x 224 images"
    print(f"fit_classes, median of {args.runs} runs each, {source}")
    for n_classes, per_class in ((3, 10), (5, 50)):
        rows = bench(model, n_classes, per_class, args.runs)
        base = rows["fit_classes"]
        print(f"\n{n_classes} classes x {per_class} photos:")
        for name, ms in rows.items():
            print(f"  {name:<40} {ms:9.1f} ms   fit_classes / this = {base / ms:5.2f}")
        verdict = "within" if base <= 1000 * TARGET_S else "OVER"
        print(f"  target <= {TARGET_S:.0f} s: {verdict} ({base / 1000:.2f} s)")


if __name__ == "__main__":
    main()
