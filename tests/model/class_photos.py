"""Photos of a few classes for the "your own classes" tests: Imagenette val photos read at test time, or
generated photo-like images with clear class differences when the data set is absent.

Nothing here is committed data: the Imagenette photos are read from ``/work/shared/datasets/imagenette2-224``
(``../shared/...`` from the repository root), the generated ones are drawn with a fixed seed.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
VAL = (ROOT.parent / "shared" / "datasets" / "imagenette2-224" / "val")
if not VAL.is_dir():
    VAL = Path("/work/shared/datasets/imagenette2-224/val")
#: Three Imagenette classes by folder: tench, church, golf ball.
FOLDERS = {"tench": "n01440764", "church": "n03028079", "golf ball": "n03445777"}
GENERATED = ("sunset", "sea", "forest")


def have_imagenette() -> bool:
    return all((VAL / folder).is_dir() for folder in FOLDERS.values())


def load_rgb(path: Path) -> np.ndarray:
    """Decoded as in training: Pillow, convert("RGB"), / 255 -> (H, W, 3) float32."""
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"), dtype=np.float32) / np.float32(255.0)


def imagenette_paths(n: int, skip: int = 0) -> dict[str, list[Path]]:
    """``n`` val photo paths per class (sorted by file name, after the first ``skip``)."""
    return {name: sorted((VAL / folder).glob("*.JPEG"))[skip:skip + n] for name, folder in FOLDERS.items()}


def generated(name: str, seed: int, side: int = 96) -> np.ndarray:
    """A photo-like ``(side, side, 3)`` image of class ``name`` ("sunset", "sea" or "forest")."""
    rng = np.random.default_rng([GENERATED.index(name), seed])
    yy, xx = np.mgrid[0:side, 0:side].astype(np.float32) / side
    horizon = rng.uniform(0.45, 0.75)
    if name == "sunset":  # warm sky darkening upwards, a low sun, a dark ground
        sky = np.stack([0.95 - 0.3 * (1 - yy), 0.55 - 0.35 * (1 - yy), 0.25 + 0.2 * (1 - yy)], -1)
        img = np.where((yy < horizon)[..., None], sky, np.float32(0.12))
        cx, r = rng.uniform(0.2, 0.8), rng.uniform(0.06, 0.12)
        img[(yy - horizon + r * 0.3) ** 2 + (xx - cx) ** 2 < r * r] = (1.0, 0.9, 0.5)
    elif name == "sea":  # pale sky over blue water with horizontal waves
        waves = 0.08 * np.sin(2 * np.pi * (yy * rng.uniform(12, 20) + rng.uniform(0, 1)))
        water = np.stack([0.05 + waves, 0.3 + waves, 0.6 + waves], -1)
        img = np.where((yy < horizon)[..., None], np.array((0.7, 0.85, 0.95), np.float32), water)
    else:  # forest: green canopy, dark vertical trunks, brown floor
        img = np.broadcast_to(np.array((0.15, 0.45, 0.12), np.float32), (side, side, 3)).copy()
        for _ in range(rng.integers(4, 8)):
            x0, w = rng.uniform(0, 1), rng.uniform(0.02, 0.06)
            img[(np.abs(xx - x0) < w) & (yy > 0.25)] = (0.25, 0.17, 0.1)
        img[yy > 0.85] = (0.35, 0.25, 0.12)
    img = img + rng.normal(0, 0.04, img.shape)  # texture and sensor noise
    return np.clip(img, 0, 1).astype(np.float32)


def class_photos(n_train: int, n_test: int) -> tuple[dict[str, list[np.ndarray]],
                                                     list[tuple[np.ndarray, str]]]:
    """``n_train`` training photos per class and up to ``n_test`` held-out ones per class (other files)."""
    if have_imagenette():
        train = {k: [load_rgb(p) for p in v] for k, v in imagenette_paths(n_train).items()}
        test = [(load_rgb(p), k) for k, v in imagenette_paths(n_test, skip=n_train).items() for p in v]
        return train, test
    train = {k: [generated(k, i) for i in range(n_train)] for k in GENERATED}
    test = [(generated(k, 1000 + i), k) for k in GENERATED for i in range(n_test)]
    return train, test


def jpeg(image: np.ndarray, quality: int = 90) -> bytes:
    """An ``(H, W, 3)`` float image as JPEG bytes (for uploads)."""
    buf = io.BytesIO()
    Image.fromarray((np.clip(image, 0, 1) * 255 + 0.5).astype(np.uint8)).save(buf, "JPEG", quality=quality)
    return buf.getvalue()
