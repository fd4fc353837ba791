"""Keep an image in a quarter of the memory when that loses nothing: 8-bit codes, expanded exactly on use.

A photo decoded from an 8-bit file is ``codes / 255`` in float32 (:func:`convviz.image.intake.to_float01`
divides by 255). Such an image ``(H, W, 3)`` float32 is stored as its uint8 codes (1 byte a value instead of
4) and :func:`unpack` gives back the *same* float32 values, bit for bit; :func:`pack` checks that before it
drops the float array, so an image that is not exactly ``codes / 255`` (16-bit files, ICC conversion, float
resampling) is kept as it is. Every number computed from the unpacked image is therefore the number computed
from the original.
"""

from __future__ import annotations

import numpy as np

from convviz.errors import ConvvizValueError

_SCALE = np.float32(255)


def unpack(stored: np.ndarray) -> np.ndarray:
    """The float32 image ``(H, W, C)`` in [0, 1] behind `stored` (new; a float32 `stored` is returned as is).

    Examples
    --------
    >>> codes = np.array([[[0, 128, 255]]], dtype=np.uint8)
    >>> unpack(codes).tolist() == [[[0.0, np.float32(128) / np.float32(255), 1.0]]]
    True
    """
    if stored.dtype == np.float32:
        return stored
    if stored.dtype != np.uint8:
        raise ConvvizValueError(f"`stored` must be uint8 codes or float32, got {stored.dtype}")
    out = np.empty(stored.shape, dtype=np.float32)
    np.divide(stored, _SCALE, out=out)  # the very division of to_float01: 255 -> exactly 1.0
    return out


def pack(image: np.ndarray) -> np.ndarray:
    """`image` ``(H, W, C)`` float32 as uint8 codes when :func:`unpack` gives it back exactly, else `image`.

    Examples
    --------
    >>> pack(np.array([[[0.0, 1.0]]], dtype=np.float32)).dtype
    dtype('uint8')
    >>> pack(np.array([[[0.3, 1.0]]], dtype=np.float32)).dtype  # 0.3 is no code / 255
    dtype('float32')
    """
    if image.dtype != np.float32:
        raise ConvvizValueError(f"`image` must be float32, got {image.dtype}")
    if image.size == 0 or not (image.min() >= 0.0 and image.max() <= 1.0):
        return image
    codes = np.rint(image * _SCALE).astype(np.uint8)
    return codes if np.array_equal(unpack(codes), image) else image
