"""Write a trained Tiny VGG into convviz: weights ``.npz``, manifest ``.json`` and golden activations.

Batch-norm is folded into the conv weights first; the golden activations come from the folded torch model
(eval mode), so the NumPy parity tests also check the fold. Everything is float32 and loadable with
``np.load(path, allow_pickle=False)``.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import torch
from tinyvgg_augment import to_tensor
from tinyvgg_data import CLASS_NAMES, INPUT_SIZE, resize_area
from tinyvgg_net import (
    TinyVGG,
    accuracy,
    count_params,
    export_arrays,
    fold_batch_norm,
    layer_outputs,
    layer_plan,
)

REPO = Path(__file__).resolve().parent.parent
WEIGHTS_NAME = "tinyvgg_imagenette.npz"
MANIFEST_NAME = "tinyvgg_imagenette.json"
GOLDEN_NAME = "tinyvgg_golden.npz"
GOLDEN_SEED = 1234
#: Layers kept for every golden input; the first input (the testcard) keeps every layer.
GOLDEN_HEAD_LAYERS = ("gap", "dense", "softmax")


def golden_inputs() -> dict[str, np.ndarray]:
    """Three fixed ``(64, 64, 3)`` float32 inputs made in code: two convviz samples and seeded noise."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from convviz import load_sample

    inputs = {name: resize_area(np.asarray(load_sample(name).array, np.float32))
              for name in ("testcard", "scene")}
    inputs["noise"] = np.random.default_rng(GOLDEN_SEED).random((INPUT_SIZE, INPUT_SIZE, 3), dtype=np.float32)
    return inputs


def golden_arrays(folded: TinyVGG) -> dict[str, np.ndarray]:
    """Golden outputs of the folded model: every layer for the first input, the head for the others.

    Every layer of all three inputs took ~3.6 MB compressed, too much for the repository; one input's every
    layer (~0.7 MB) checks each layer's parity, and the logits and probabilities of the other two check the
    predictions on a photo-like scene and on noise.
    """
    golden: dict[str, np.ndarray] = {}
    for i, (name, image) in enumerate(golden_inputs().items()):
        golden[f"{name}/input"] = image
        for layer, activation in layer_outputs(folded, image):
            if i == 0 or layer in GOLDEN_HEAD_LAYERS:
                golden[f"{name}/{layer}"] = activation.astype(np.float32)
    return golden


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@torch.no_grad()
def fold_error(model: TinyVGG, folded: TinyVGG, images: np.ndarray) -> float:
    """Largest absolute logit difference between the BN model and its folded copy on some images."""
    x = to_tensor(images)
    return float((model.eval()(x) - folded(x.contiguous())).abs().max())


def export_model(model: TinyVGG, folders: list[str], val_images: np.ndarray, val_labels: np.ndarray, *,
                 out_dir: Path, args: argparse.Namespace, command: str, log=print) -> dict:
    """Fold, check, save the three files into ``out_dir`` and return the manifest."""
    model = model.eval()
    folded = fold_batch_norm(model)
    err = fold_error(model, folded, val_images[:256])
    log(f"BN fold: max |logit difference| on 256 val images = {err:.2e}")
    if err > 1e-3:
        raise RuntimeError(f"batch-norm fold changed the logits by {err}")
    val_top1 = accuracy(folded, val_images, val_labels)
    log(f"val top-1 (torch, folded): {val_top1:.4f} on {len(val_labels)} images")
    out_dir.mkdir(parents=True, exist_ok=True)
    weights_path = out_dir / WEIGHTS_NAME
    np.savez(weights_path, **export_arrays(folded))
    np.savez_compressed(out_dir / GOLDEN_NAME, **golden_arrays(folded))
    manifest = {
        "name": "Tiny VGG (Imagenette, 64x64)",
        "weights_file": WEIGHTS_NAME,
        "weights_sha256": sha256_file(weights_path),
        "golden_file": GOLDEN_NAME,
        "golden_inputs": {"names": ["testcard", "scene", "noise"],
                          "rule": "convviz.load_sample(name).array resized with the resize rule; noise is "
                                  f"np.random.default_rng({GOLDEN_SEED}).random((64, 64, 3), dtype=float32)",
                          "keys": "'<input>/input' and '<input>/<layer name>', (H, W, C) or (C,) float32; "
                                  "every layer for 'testcard', only gap, dense and softmax for the others",
                          "all_layers": ["testcard"], "head_layers": list(GOLDEN_HEAD_LAYERS)},
        "arch_spec": args.arch,
        "parameters": count_params(args.arch, len(folders)),
        "input": {"shape": [INPUT_SIZE, INPUT_SIZE, 3], "dtype": "float32", "range": [0.0, 1.0],
                  "normalisation": "none: RGB in [0, 1], no mean/std",
                  "resize": "cv2.resize(image, (64, 64), interpolation=cv2.INTER_AREA) on float32 [0, 1]",
                  "decode": "Pillow, Image.convert('RGB') (greyscale -> three equal channels), / 255"},
        "test_time_augmentation": "none",
        "layers": layer_plan(args.arch, len(folders), INPUT_SIZE),
        "conventions": {"conv_weight": "(K, kh, kw, C) float32, cross-correlation, zero padding 1, stride 1",
                        "conv_bias": "(K,)", "dense_weight": "(classes, C)", "dense_bias": "(classes,)",
                        "activations": "(H, W, C)", "batch_norm": "folded into the conv weights and biases"},
        "classes": [CLASS_NAMES.get(f, f) for f in folders],
        "class_wnids": folders,
        "dataset": {"name": "Imagenette (imagenette2), 224x224 copy", "train_images": None,
                    "val_images": int(len(val_labels)),
                    "source": "https://github.com/fastai/imagenette",
                    "licence": "Apache-2.0 (Imagenette); photos from ImageNet: teaching and research only"},
        "val_top1_torch": round(val_top1, 4),
        "bn_fold_max_logit_error": err,
        "training": {"command": command, "seed": args.seed, "epochs": args.epochs,
                     "light_epochs": args.light_epochs, "batch_size": args.batch_size, "lr": args.lr,
                     "weight_decay": args.weight_decay, "label_smoothing": args.label_smoothing,
                     "ema_decay": args.ema_decay, "crop_scale": [args.crop_scale, 1.0],
                     "colour_jitter": args.jitter, "optimizer": "SGD nesterov momentum 0.9, warm-up + cosine",
                     "exported": "EMA weights after the final epoch (no selection on validation)",
                     "torch_version": torch.__version__,
                     "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")},
    }
    manifest["dataset"]["train_images"] = getattr(args, "n_train", None)
    (out_dir / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n")
    log(f"wrote {weights_path} ({weights_path.stat().st_size} bytes), {MANIFEST_NAME}, {GOLDEN_NAME}")
    return manifest
