"""Measure the statistics behind convviz's "not sure" flag and calibrate its thresholds (offline, once).

Writes ``convviz/model/weights/uncertainty_imagenette.json`` (read at run time by
:mod:`convviz.model.uncertainty`; nothing else here is needed at run time):

1. pooled features (the 64 global-average-pool outputs) of the 9,469 Imagenette **train** photos, through
   convviz's NumPy forward pass, decoded and squashed exactly as in training (``tinyvgg_data.load_rgb``,
   ``TinyVGG.resize_input``);
2. per-class means of ``sqrt(features)`` and the pooled within-class covariance (plus 0.1 % of its mean
   variance on the diagonal, so it inverts stably); the inverse of its Cholesky factor is the whitening;
3. on the 3,925 **val** photos: ``distance_threshold`` = the 95th percentile of the nearest-class distance
   (5 % of val photos are called unfamiliar, by construction) and ``confidence_threshold`` = the 10th
   percentile of the chance-relative top probability (10 % are called low-confidence);
4. what the thresholds flag: shares of val photos (right and wrong answers apart) and of out-of-class images
   generated here with a fixed seed: uniform noise, flat colours, two-colour gradients and "photo-like"
   images (a horizon between two colours, 1/f texture, a few soft blobs), 200 of each, plus the built-in
   samples. These figures go into the file's ``calibration`` entry and are printed.

Run from the repository root (about a minute on this machine)::

    python scripts/calibrate_uncertainty.py --data ../shared/datasets/imagenette2-224
"""

from __future__ import annotations

import argparse
import datetime
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

from convviz import list_samples, load_sample  # noqa: E402
from convviz.model.tinyvgg import load_pretrained  # noqa: E402
from convviz.model.transfer import pooled_features  # noqa: E402
from convviz.model.uncertainty import DEFAULT_STATISTICS, chance_relative, class_distances  # noqa: E402

DISTANCE_PERCENTILE = 95
CONFIDENCE_PERCENTILE = 10
OUT_OF_CLASS = 200  # generated images of each kind
SIDE = 64


def noise(rng) -> np.ndarray:
    return rng.random((SIDE, SIDE, 3), dtype=np.float32)


def flat(rng) -> np.ndarray:
    return np.broadcast_to(rng.random(3).astype(np.float32), (SIDE, SIDE, 3)).copy()


def gradient(rng) -> np.ndarray:
    a, b, angle = rng.random(3), rng.random(3), rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:SIDE, 0:SIDE] / (SIDE - 1)
    s = np.cos(angle) * xx + np.sin(angle) * yy
    s = (s - s.min()) / (s.max() - s.min())
    return (a * (1 - s[..., None]) + b * s[..., None]).astype(np.float32)


def photo_like(rng) -> np.ndarray:
    """A horizon between two colours, 1/f ("natural") texture, one to three soft blobs: (64, 64, 3)."""
    freq = np.sqrt(np.fft.fftfreq(SIDE)[:, None] ** 2 + np.fft.fftfreq(SIDE)[None, :] ** 2)
    amplitude = 1 / np.maximum(freq, 1 / SIDE) ** 1.8
    texture = np.empty((SIDE, SIDE, 3))
    for c in range(3):
        field = np.real(np.fft.ifft2(amplitude * np.exp(2j * np.pi * rng.random((SIDE, SIDE)))))
        texture[..., c] = (field - field.mean()) / field.std()
    horizon = rng.integers(16, 48)
    out = np.where(np.arange(SIDE)[:, None, None] < horizon, rng.random(3), rng.random(3)) + 0.12 * texture
    yy, xx = np.mgrid[0:SIDE, 0:SIDE]
    for _ in range(rng.integers(1, 4)):
        cy, cx, radius = *rng.integers(0, SIDE, 2), rng.integers(4, 16)
        mask = np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * radius ** 2))[..., None]
        out = out * (1 - mask) + rng.random(3) * mask
    return np.clip(out, 0, 1).astype(np.float32)


GENERATORS = {"noise": noise, "flat colours": flat, "gradients": gradient, "photo-like": photo_like}


def features_and_probs(model, images) -> tuple[np.ndarray, np.ndarray]:
    """Pooled features ``(N, C)`` and probabilities ``(N, K)`` of an iterable of images."""
    feats, probs = [], []
    for image in images:
        outputs = model.forward(model.resize_input(image))
        feats.append(outputs[-3][1].reshape(-1))
        probs.append(outputs[-1][1].reshape(-1))
    return np.stack(feats), np.stack(probs)


def flagged(feats, probs, means, counts, whitening, d_thr, c_thr) -> np.ndarray:
    """Boolean ``(N,)``: unfamiliar or low-confidence."""
    d = class_distances(feats, means, counts, whitening).min(axis=1)
    c = np.array([chance_relative(p) for p in probs])
    return (d > d_thr) | (c < c_thr)


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, required=True, help="Imagenette folder with train/ and val/")
    p.add_argument("--out", type=Path, default=DEFAULT_STATISTICS)
    args = p.parse_args(argv)
    given = sys.argv[1:] if argv is None else argv
    command = "python " + shlex.join(["scripts/calibrate_uncertainty.py", *given])
    model = load_pretrained()
    t0 = time.perf_counter()
    paths, y_train, _ = list_split(args.data, "train")
    f_train = np.stack([pooled_features(model, load_rgb(path)) for path in paths]).astype(np.float64)
    k, c = len(model.classes), f_train.shape[1]
    roots = np.sqrt(f_train)
    means = np.stack([roots[y_train == i].mean(axis=0) for i in range(k)])  # (K, C)
    counts = np.bincount(y_train, minlength=k)
    residual = roots - means[y_train]
    cov = residual.T @ residual / (len(roots) - k)
    cov += 1e-3 * np.trace(cov) / c * np.eye(c)
    whitening = np.linalg.inv(np.linalg.cholesky(cov))  # (C, C), lower triangular
    print(f"train: {len(paths)} photos in {time.perf_counter() - t0:.1f} s")

    paths, y_val, _ = list_split(args.data, "val")
    f_val, p_val = features_and_probs(model, (load_rgb(path) for path in paths))
    d_val = class_distances(f_val, means, counts, whitening).min(axis=1)
    c_val = np.array([chance_relative(prob) for prob in p_val])
    d_thr = float(np.percentile(d_val, DISTANCE_PERCENTILE))
    c_thr = float(np.percentile(c_val, CONFIDENCE_PERCENTILE))
    right = p_val.argmax(axis=1) == y_val
    val_flag = (d_val > d_thr) | (c_val < c_thr)
    shares = {
        "val photos": float(val_flag.mean()),
        "val photos answered right": float(val_flag[right].mean()),
        "val photos answered wrong": float(val_flag[~right].mean()),
        "val photos answered right with >= 90 %": float(val_flag[right & (p_val.max(axis=1) >= 0.9)].mean()),
        "val photos, distance test alone": float((d_val > d_thr).mean()),
        "val photos, confidence test alone": float((c_val < c_thr).mean()),
    }
    rng = np.random.default_rng(2026)
    for name, make in GENERATORS.items():
        f, prob = features_and_probs(model, (make(rng) for _ in range(OUT_OF_CLASS)))
        shares[name] = float(flagged(f, prob, means, counts, whitening, d_thr, c_thr).mean())
    f, prob = features_and_probs(model, (load_sample(n).array for n in list_samples("image")))
    marks = flagged(f, prob, means, counts, whitening, d_thr, c_thr).tolist()
    samples = dict(zip(list_samples("image"), marks, strict=True))
    manifest = json.loads((REPO / "convviz/model/weights/tinyvgg_imagenette.json").read_text())
    data = {
        "what": "statistics of the shipped Tiny VGG's pooled features for convviz.model.uncertainty",
        "weights_sha256": manifest["weights_sha256"], "classes": list(model.classes), "features": c,
        "transform": "sqrt of the pooled features", "distance_threshold": round(d_thr, 4),
        "confidence_threshold": round(c_thr, 4),
        "calibration": {
            "distance_threshold": f"{DISTANCE_PERCENTILE}th percentile of the nearest-class distance of the "
                                  f"{len(y_val)} val photos",
            "confidence_threshold": f"{CONFIDENCE_PERCENTILE}th percentile of the chance-relative top "
                                    "probability (p - 1/K) / (1 - 1/K) of the val photos",
            "covariance": f"pooled within-class covariance of sqrt(features) of the {len(y_train)} train "
                          "photos, + 0.1 % of its mean variance on the diagonal",
            "flagged_share": {key: round(value, 4) for key, value in shares.items()},
            "out_of_class_images": f"{OUT_OF_CLASS} of each kind, 64x64, numpy default_rng(2026); see the "
                                   "script's generators",
            "samples_flagged": samples,
            "command": command,
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        "class_counts": counts.tolist(),
        "class_means": np.round(means, 6).tolist(),
        "whitening": np.round(whitening, 6).tolist(),
    }
    args.out.write_text(json.dumps(data, indent=1) + "\n")
    print(f"distance threshold {d_thr:.4f}, confidence threshold {c_thr:.4f}")
    for key, value in shares.items():
        print(f"  flagged: {key:<40} {100 * value:5.1f} %")
    print(f"  samples flagged: {samples}")
    print(f"wrote {args.out} in {time.perf_counter() - t0:.0f} s")
    return data


if __name__ == "__main__":
    main()
