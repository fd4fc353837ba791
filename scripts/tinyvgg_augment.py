"""Training-time augmentation for the Tiny VGG (offline only).

Two regimes, both ending in ``(N, 3, 64, 64)`` float32 in [0, 1]:

- ``strong``: a random-resized crop of the cached larger image (area scale and aspect jitter), resized to
  64x64 with INTER_AREA like the evaluation path, a horizontal flip, and light colour jitter;
- ``light``: the exact 64x64 evaluation image, shifted by up to ``shift`` pixels (zero fill) and flipped.
  The last epochs use it so the network ends on the evaluation statistics.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import torch


def random_resized_crops(images: np.ndarray, rng: np.random.Generator, *, out: int = 64,
                         scale: tuple[float, float] = (0.35, 1.0),
                         ratio: tuple[float, float] = (3 / 4, 4 / 3)) -> np.ndarray:
    """``(N, S, S, 3)`` uint8 -> ``(N, out, out, 3)`` uint8 random crops resized with INTER_AREA."""
    n, side = images.shape[0], images.shape[1]
    result = np.empty((n, out, out, 3), np.uint8)
    areas = rng.uniform(*scale, size=n) * side * side
    log_ratios = rng.uniform(math.log(ratio[0]), math.log(ratio[1]), size=n)
    for i in range(n):
        aspect = math.exp(log_ratios[i])
        w = min(side, max(8, int(round(math.sqrt(areas[i] * aspect)))))
        h = min(side, max(8, int(round(math.sqrt(areas[i] / aspect)))))
        y = int(rng.integers(0, side - h + 1))
        x = int(rng.integers(0, side - w + 1))
        result[i] = cv2.resize(images[i, y:y + h, x:x + w], (out, out), interpolation=cv2.INTER_AREA)
    return result


def random_shifts(images: np.ndarray, rng: np.random.Generator, *, shift: int = 4) -> np.ndarray:
    """``(N, H, W, 3)`` -> same shape, each image translated by up to ``shift`` px, zeros shifted in."""
    n, h, w, _ = images.shape
    padded = np.zeros((n, h + 2 * shift, w + 2 * shift, 3), images.dtype)  # (N, H+2s, W+2s, 3)
    padded[:, shift:shift + h, shift:shift + w] = images
    dy = rng.integers(0, 2 * shift + 1, size=n)
    dx = rng.integers(0, 2 * shift + 1, size=n)
    return np.stack([padded[i, dy[i]:dy[i] + h, dx[i]:dx[i] + w] for i in range(n)])


def to_tensor(images: np.ndarray) -> torch.Tensor:
    """``(N, H, W, 3)`` uint8 or [0, 1] float -> ``(N, 3, H, W)`` float32 in [0, 1], channels-last memory."""
    x = torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2)  # (N, 3, H, W) view
    x = x.float() / 255.0 if images.dtype == np.uint8 else x.float()
    return x.contiguous(memory_format=torch.channels_last)


def random_flips(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Flip a random half of the ``(N, 3, H, W)`` batch left-right."""
    flip = torch.rand(x.shape[0], generator=generator) < 0.5
    x = x.clone()
    x[flip] = x[flip].flip(3)
    return x


def colour_jitter(x: torch.Tensor, generator: torch.Generator, *, strength: float = 0.2) -> torch.Tensor:
    """Random brightness, contrast and saturation factors within 1 ± strength; clips to [0, 1]."""
    n = x.shape[0]

    def factors() -> torch.Tensor:
        return (1 + strength * (2 * torch.rand(n, 1, 1, 1, generator=generator) - 1))

    x = x * factors()
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    x = (x - mean) * factors() + mean
    grey = x.mean(dim=1, keepdim=True)  # (N, 1, H, W)
    x = (x - grey) * factors() + grey
    return x.clamp_(0.0, 1.0)
