"""8-bit storage of images (convviz/image/storage.py): packed only when unpacking gives every value back."""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from convviz.errors import ConvvizValueError
from convviz.image.intake import load_image
from convviz.image.storage import pack, unpack


def _jpeg(w: int, h: int, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)).save(buf, "JPEG", quality=85)
    return buf.getvalue()


@pytest.mark.parametrize("max_side", [None, 1024, 300])
def test_a_decoded_8bit_photo_is_packed_and_comes_back_bit_for_bit(max_side):
    image = load_image(_jpeg(1152, 864), max_side=max_side)  # (H, W, 3) float32 = codes / 255
    packed = pack(image)
    assert packed.dtype == np.uint8 and packed.nbytes == image.nbytes // 4
    back = unpack(packed)
    assert back.dtype == np.float32 and back.shape == image.shape
    assert np.array_equal(back.view(np.uint32), image.view(np.uint32))  # every bit, not just close


def test_a_16bit_image_is_kept_as_float():
    buf = io.BytesIO()
    Image.fromarray(np.arange(0, 65535, 257 * 3 + 1, dtype=np.uint16)[:80].reshape(8, 10)).save(buf, "PNG")
    image = load_image(buf.getvalue(), max_side=None)
    assert pack(image) is image


@given(st.lists(st.floats(0, 1, width=32), min_size=1, max_size=50))
def test_pack_never_changes_a_value(values):
    image = np.array(values, dtype=np.float32).reshape(1, -1, 1)
    assert np.array_equal(unpack(pack(image)), image)


def test_wrong_dtypes_are_refused():
    with pytest.raises(ConvvizValueError, match="`image` must be float32"):
        pack(np.zeros((2, 2, 3), np.float64))
    with pytest.raises(ConvvizValueError, match="`stored` must be uint8 codes or float32"):
        unpack(np.zeros((2, 2, 3), np.uint16))
