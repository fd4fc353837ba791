"""Evaluate the shipped Tiny VGG with convviz's own NumPy forward pass on Imagenette's validation split.

No torch: every image goes through :meth:`convviz.TinyVGG.predict` (conv2d, relu, max_pool2d, dense,
softmax of the convviz package). Images are decoded exactly as for training (Pillow, ``convert("RGB")``,
``/ 255``) and resized by the model's own rule (``cv2.INTER_AREA`` to 64x64). Decoding and the forward
passes are timed separately. The top-1 accuracy, per-class accuracy and this command are written into the
manifest as ``val_top1_numpy`` and ``val_numpy`` (the weights file is never touched; its sha256 is checked
again after writing). Run from the repository root::

    python scripts/evaluate_tinyvgg.py --data ../shared/datasets/imagenette2-224
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import shlex
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tinyvgg_data import list_split, load_rgb  # noqa: E402

from convviz.model.files import DEFAULT_MANIFEST  # noqa: E402
from convviz.model.tinyvgg import load_pretrained  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, required=True, help="Imagenette folder with val/<wnid>/ images")
    p.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST,
                   help="model manifest (weights beside it)")
    p.add_argument("--limit", type=int, default=0, help="only the first N images (never written)")
    p.add_argument("--no-write", action="store_true", help="print only; leave the manifest as it is")
    return p.parse_args(argv)


def evaluate(model, paths: list[Path], labels: np.ndarray) -> dict:
    """Decode and classify one image at a time (only one decoded image in memory); returns predictions and
    the two timings, decoding and resize + forward, each summed over the images."""
    predictions = np.empty(len(paths), dtype=np.int64)
    decode_s = forward_s = 0.0
    for i, path in enumerate(paths):
        t0 = time.perf_counter()
        image = load_rgb(path)  # (224, 224, 3) float32
        t1 = time.perf_counter()
        predictions[i] = int(np.argmax(model.predict(image)))  # resize to 64x64 + forward
        t2 = time.perf_counter()
        decode_s += t1 - t0
        forward_s += t2 - t1
    return {"predictions": predictions, "decode_s": decode_s, "forward_s": forward_s,
            "correct": int((predictions == labels).sum())}


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    given = sys.argv[1:] if argv is None else argv
    command = "python " + shlex.join(["scripts/evaluate_tinyvgg.py", *given])
    model = load_pretrained(args.manifest)
    paths, labels, folders = list_split(args.data, "val")
    manifest = json.loads(args.manifest.read_text())
    if folders != manifest["class_wnids"]:
        raise SystemExit(f"`data` class folders {folders} differ from the manifest's "
                         f"{manifest['class_wnids']}")
    if args.limit:
        paths, labels = paths[:args.limit], labels[:args.limit]
    result = evaluate(model, paths, labels)
    n = len(labels)
    top1 = result["correct"] / n
    per_class = {model.classes[c]: round(float((result["predictions"][labels == c] == c).mean()), 4)
                 for c in range(len(model.classes)) if (labels == c).any()}
    print(f"{n} images: decode {result['decode_s']:.1f} s, "
          f"NumPy resize + forward {result['forward_s']:.1f} s "
          f"({1000 * result['forward_s'] / n:.2f} ms/image)")
    for name, acc in per_class.items():
        print(f"  {name:<18} {acc:.4f}")
    torch_top1 = manifest.get("val_top1_torch")
    print(f"val top-1 (convviz NumPy): {top1:.4f} ({result['correct']}/{n}); torch at export: {torch_top1}")
    if args.no_write or args.limit:
        return {"top1": top1, **result}
    weights = args.manifest.parent / manifest["weights_file"]
    before = hashlib.sha256(weights.read_bytes()).hexdigest()
    manifest["val_top1_numpy"] = round(top1, 4)
    manifest["val_numpy"] = {
        "top1": top1, "correct": result["correct"], "images": n, "per_class": per_class, "command": command,
        "forward_seconds": round(result["forward_s"], 2), "decode_seconds": round(result["decode_s"], 2),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
    args.manifest.write_text(json.dumps(manifest, indent=2) + "\n")
    if hashlib.sha256(weights.read_bytes()).hexdigest() != before or before != manifest["weights_sha256"]:
        raise SystemExit("the weights file changed during evaluation: its sha256 no longer matches")
    print(f"wrote val_top1_numpy = {manifest['val_top1_numpy']} into {args.manifest}")
    return {"top1": top1, **result}


if __name__ == "__main__":
    main()
