"""Shared drawing helpers: turn arrays into pictures that tell the truth about their values."""

from __future__ import annotations

import numpy as np

CHANNEL_NAMES = ("R", "G", "B")


def to_uint8(image: np.ndarray) -> np.ndarray:
    """Convert an ``(H, W, 3)`` or ``(H, W)`` float image in [0, 1] to uint8 for display (clipped)."""
    return (np.clip(image, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def tint_channel(image: np.ndarray, channel: int) -> np.ndarray:
    """Show channel `channel` of an ``(H, W, 3)`` image in its own colour: ``(H, W, 3)`` uint8.

    The other two channels are zero, so a red plane looks red and its brightness is the channel value.
    """
    out = np.zeros(image.shape[:2] + (3,), dtype=np.uint8)
    out[..., channel] = to_uint8(image[..., channel])
    return out
