"""Drawing helpers: the diverging colour ramp, display sizes, encodings and number formats."""

import cv2
import numpy as np
import pytest

from ui.draw import pictures as render


def test_zero_is_the_neutral_middle_colour():
    """Zero gets the ramp's middle anchor (near-white) at any scale."""
    assert render.colorize(np.zeros((1, 1), np.float32), 3.0)[0, 0].tolist() == [247, 247, 247]


def test_ends_of_the_scale_get_the_end_colours():
    """-scale is the darkest purple, +scale the darkest orange; beyond them colours clip."""
    m = np.array([[-2.0, -1.0, 1.0, 5.0]], np.float32)
    out = render.colorize(m, 1.0)[0].tolist()
    assert out[0] == out[1] == [45, 0, 75]
    assert out[2] == out[3] == [127, 59, 8]


def test_ramp_index_is_symmetric_around_zero():
    """Value v and -v land the same distance from the middle index (128)."""
    v = np.linspace(0, 1, 50, dtype=np.float32)[None]
    pos = render.lut_index(v, 1.0).astype(int)
    neg = render.lut_index(-v, 1.0).astype(int)
    assert np.array_equal(pos - 128, 128 - neg)


def test_zero_scale_draws_a_constant_map_without_dividing_by_zero():
    """An all-zero map (scale 0) is drawn neutral, with no warning or nan."""
    with np.errstate(all="raise"):
        out = render.colorize(np.zeros((3, 4), np.float32), 0.0)
    assert (out == [247, 247, 247]).all()


def test_ramp_is_monotone_in_lightness_towards_zero():
    """Lightness rises from -s to 0 and falls from 0 to +s: magnitude reads as darkness."""
    gray = cv2.cvtColor(render.DIVERGING_LUT[None], cv2.COLOR_RGB2GRAY)[0].astype(int)
    assert (np.diff(gray[1:129]) >= 0).all() and (np.diff(gray[128:]) <= 0).all()


@pytest.mark.parametrize(("shape", "expected"), [((768, 1024), (384, 512)), ((300, 200), (300, 200)),
                                                 ((4, 4), (192, 192)), ((5, 3), (190, 114))])
def test_display_size(shape, expected):
    """Big maps shrink to 512 on the long side, mid-sized ones stay, tiny ones grow by whole factors."""
    assert render.display_size(*shape) == expected


def test_tiny_maps_are_enlarged_with_crisp_pixels():
    """A 2x2 map becomes blocks of identical pixels (nearest neighbour), not a blur."""
    m = np.array([[0.0, 1.0], [2.0, 3.0]], np.float32)
    big = render.fit_for_display(m)
    assert set(np.unique(big).tolist()) == {0.0, 1.0, 2.0, 3.0}


def test_map_picture_is_a_display_sized_jpeg():
    """A 1000x800 map becomes a JPEG of 512x410 pixels."""
    data = render.map_picture(np.random.default_rng(0).normal(size=(800, 1000)).astype(np.float32), 2.0)
    assert data[:2] == b"\xff\xd8"
    assert cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR).shape == (410, 512, 3)


def test_tint_channel_keeps_only_its_channel():
    """The green plane of an image is zero in red and blue and equals the green values."""
    img = np.random.default_rng(1).random((5, 6, 3), dtype=np.float32)
    tinted = render.tint_channel(img, 1)
    assert (tinted[..., [0, 2]] == 0).all()
    assert np.array_equal(tinted[..., 1], render.to_uint8(img[..., 1]))


def test_md_escape_makes_user_text_literal():
    """Markdown specials in a file name are escaped, so the name shows as typed."""
    assert render.md_escape("*bold* [x](y)") == r"\*bold\* \[x\]\(y\)"
