"""How much of the Lab's displayed maps is visibly coloured, before and after issue 14's colour scale.

For each photo (Imagenette val photos upscaled to ~1 MP, when ../shared/datasets/imagenette2-224/val exists,
and the teaching test card), with the Lab's defaults (default bank, 'same' padding, ReLU, shared scale):

- before: one scale = the largest |value| of the conv and channel maps; shrunk by area averaging;
- after: one scale = the largest per-map 99.5th percentile of |v| away from the padding border; shrunk by
  keeping each block's extreme value (ui.draw.greys.picture).

The maps drawn are the focused filter's three channel maps, its sum and its ReLU and every filter's output
thumbnail, at the Lab's sizes and JPEG quality (``ui.lab.maps``: 256 px, quality 75), encoded and decoded
again, as the browser gets them. The visible share of a
picture is ui.draw.scale.visible_share (L1 distance > 24 from the zero colour). Prints one line per photo.

Usage: python -m benchmarks.visible_share [N_PHOTOS]
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np

from convviz import conv2d, conv2d_per_channel, load_preset, load_sample, relu
from convviz.ops.shapes import conv_geometry, interior
from ui.draw.greys import RAMP_ZERO, picture
from ui.draw.pictures import map_picture
from ui.draw.scale import bulk_abs, nice_scale, visible_share
from ui.lab.maps import JPEG_QUALITY, MAP_SIDE, THUMB_SIDE
from ui.state import DEFAULT_PRESET

_ROOT = Path(__file__).resolve().parents[1]
#: ../shared/datasets/imagenette2-224/val from the repository or any folder above it (worktrees sit deeper).
VAL = next((p / "shared" / "datasets" / "imagenette2-224" / "val" for p in _ROOT.parents
            if (p / "shared" / "datasets" / "imagenette2-224" / "val").is_dir()), _ROOT.parent / "shared")


def photos(n: int) -> list[tuple[str, np.ndarray]]:
    """`n` val photos from different classes, upscaled (bicubic) to 1024 x 1024 (~1 MP), float32 RGB."""
    out = []
    if VAL.is_dir():
        for folder in sorted(VAL.iterdir())[:n]:
            path = sorted(folder.glob("*.JPEG"))[0]
            bgr = cv2.imread(str(path))
            big = cv2.resize(bgr, (1024, 1024), interpolation=cv2.INTER_CUBIC)
            out.append((path.name, big[..., ::-1].astype(np.float32) / 255))
    return out


def decoded(jpeg: bytes) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)[..., ::-1]


def shares(image: np.ndarray) -> tuple[float, float, float, float]:
    """(before, after) mean visible share of the displayed maps, and the two scales."""
    bank = load_preset(DEFAULT_PRESET)
    conv = conv2d(image, bank.weights, bank.bias, padding="same")  # (H, W, K)
    chans = conv2d_per_channel(image, bank.weights[0], padding="same")  # (H, W, 3)
    maps = [chans[..., c] for c in range(3)] + [conv[..., 0], relu(conv[..., 0])]
    thumbs = [relu(conv[..., k]) for k in range(conv.shape[2])]
    g = conv_geometry(image.shape[0], image.shape[1], bank.kernel_size, padding="same")
    rows, cols = interior(g)
    everything = [conv[..., k] for k in range(conv.shape[2])] + maps[:3]
    before = nice_scale(max(float(np.abs(m).max()) for m in everything))
    after = max(bulk_abs(m, rows=rows, cols=cols) for m in everything)
    sides = [MAP_SIDE] * len(maps) + [THUMB_SIDE] * len(thumbs)
    shown = list(zip(maps + thumbs, sides, strict=True))
    b = [visible_share(decoded(map_picture(m, before, s)), RAMP_ZERO) for m, s in shown]
    a = [visible_share(decoded(picture(m, after, s, quality=JPEG_QUALITY)), RAMP_ZERO) for m, s in shown]
    return float(np.mean(b)), float(np.mean(a)), before, after


def main(n: int = 3) -> None:
    card = load_sample("testcard")
    rows = [(f"sample: {card.title} {card.array.shape[1]}x{card.array.shape[0]}", card.array)]
    found = photos(n)
    if not found:
        print(f"(no Imagenette photos at {VAL}: only the sample is measured)")
    rows += [(f"{name} upscaled to 1024x1024", img) for name, img in found]
    print("visible share of the displayed maps (mean over 3 channel maps, sum, ReLU and the K thumbnails)")
    for label, img in rows:
        before, after, sb, sa = shares(img)
        print(f"{label:<48} before {100 * before:5.1f} % (scale ±{sb:g})   after {100 * after:5.1f} % "
              f"(scale ±{sa:g})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
