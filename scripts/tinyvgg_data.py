"""Imagenette intake for training the Tiny VGG: decode once, resize, cache as arrays (offline only).

The one preprocessing rule shared by training, evaluation and ``convviz``'s NumPy model:

    RGB (greyscale JPEGs converted with Pillow's ``convert("RGB")``) -> float32 / 255 in [0, 1]
    -> ``cv2.resize(image, (64, 64), interpolation=cv2.INTER_AREA)``            # (64, 64, 3)

Validation images are cached exactly that way, as float32. Training images are cached twice as uint8:
at 64x64 by the same rule (for the light-augmentation epochs) and at a larger side (for random-resized
crops, which are resized to 64x64 with INTER_AREA again). The cache lives outside the repository.
"""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

INPUT_SIZE = 64

# Readable names in sorted-wnid order (the index order of the dataset README's table).
CLASS_NAMES = {
    "n01440764": "tench",
    "n02102040": "English springer",
    "n02979186": "cassette player",
    "n03000684": "chain saw",
    "n03028079": "church",
    "n03394916": "French horn",
    "n03417042": "garbage truck",
    "n03425413": "gas pump",
    "n03445777": "golf ball",
    "n03888257": "parachute",
}

IMAGE_SUFFIXES = (".jpeg", ".jpg", ".png")


def resize_area(image: np.ndarray, size: int = INPUT_SIZE) -> np.ndarray:
    """Resize an ``(H, W, 3)`` float32 image to ``(size, size, 3)`` with OpenCV's INTER_AREA."""
    return cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA)


def load_rgb(path: Path) -> np.ndarray:
    """Decode one image file with Pillow to ``(H, W, 3)`` float32 in [0, 1] (greyscale -> RGB)."""
    with Image.open(path) as im:
        rgb = np.asarray(im.convert("RGB"), dtype=np.uint8)  # (H, W, 3)
    return rgb.astype(np.float32) / np.float32(255.0)


def list_split(root: Path, split: str) -> tuple[list[Path], np.ndarray, list[str]]:
    """List ``root/split/<class>/<file>`` images; labels index the sorted class folders.

    Returns the paths (sorted), their labels ``(N,)`` int64 and the sorted folder names.
    """
    split_dir = Path(root) / split
    if not split_dir.is_dir():
        raise ValueError(f"`data` must contain a {split!r} folder, not found: {split_dir}")
    folders = sorted(p.name for p in split_dir.iterdir() if p.is_dir())
    paths, labels = [], []
    for index, folder in enumerate(folders):
        for p in sorted((split_dir / folder).iterdir()):
            if p.suffix.lower() in IMAGE_SUFFIXES:
                paths.append(p)
                labels.append(index)
    if not paths:
        raise ValueError(f"`data` has no images under {split_dir}")
    return paths, np.asarray(labels, dtype=np.int64), folders


def _to_uint8(image: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(image * 255.0), 0, 255).astype(np.uint8)


def build_cache(root: Path, cache_path: Path, *, crop_size: int = 112, log=print) -> None:
    """Decode both splits once and save them as one ``.npz`` of arrays (no pickle).

    Arrays: ``train_big`` (N, crop_size, crop_size, 3) uint8, ``train64`` (N, 64, 64, 3) uint8,
    ``y_train`` (N,), ``val64`` (M, 64, 64, 3) float32 (the exact evaluation input), ``y_val`` (M,),
    ``folders`` (10,) str.
    """
    t0 = time.perf_counter()
    train_paths, y_train, folders = list_split(root, "train")
    val_paths, y_val, val_folders = list_split(root, "val")
    if val_folders != folders:
        raise ValueError(f"`data` train and val class folders differ: {folders} vs {val_folders}")
    train_big = np.empty((len(train_paths), crop_size, crop_size, 3), np.uint8)
    train64 = np.empty((len(train_paths), INPUT_SIZE, INPUT_SIZE, 3), np.uint8)
    for i, p in enumerate(train_paths):
        img = load_rgb(p)
        train_big[i] = _to_uint8(resize_area(img, crop_size))
        train64[i] = _to_uint8(resize_area(img))
    val64 = np.empty((len(val_paths), INPUT_SIZE, INPUT_SIZE, 3), np.float32)
    for i, p in enumerate(val_paths):
        val64[i] = resize_area(load_rgb(p))
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache_path.with_name(cache_path.name + ".tmp.npz")
    np.savez(tmp, train_big=train_big, train64=train64, y_train=y_train, val64=val64, y_val=y_val,
             folders=np.asarray(folders))
    tmp.replace(cache_path)
    log(f"cache: {len(train_paths)} train, {len(val_paths)} val images -> {cache_path} "
        f"in {time.perf_counter() - t0:.1f} s")


def load_cache(root: Path, cache_path: Path, *, crop_size: int = 112, log=print) -> dict[str, np.ndarray]:
    """Load the cache, building it first if missing."""
    if not cache_path.exists():
        build_cache(root, cache_path, crop_size=crop_size, log=log)
    with np.load(cache_path, allow_pickle=False) as z:
        data = {k: z[k] for k in z.files}
    if data["train_big"].shape[1] != crop_size:
        raise ValueError(f"cache {cache_path} holds {data['train_big'].shape[1]} px crops, not {crop_size}")
    return data
