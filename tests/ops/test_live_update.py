"""Tests for convviz.ops.live_update: one weight change updates the maps like a full recompute."""

import numpy as np
import pytest

from convviz import ConvvizValueError, conv2d, conv2d_per_channel, update_weight

SETTINGS = [
    dict(padding=1),
    dict(padding="same", dilation=2),
    dict(stride=2, padding=(0, 3)),
    dict(stride=(3, 1), padding=4, dilation=(1, 3)),
    dict(),
]


@pytest.mark.parametrize("options", SETTINGS)
@pytest.mark.parametrize("tap", [(0, 0, 0), (1, 2, 2), (2, 1, 1), (3, 0, 2)])
def test_update_matches_recompute(options, tap):
    """After update_weight, the channel maps and the summed map equal a recompute with the new weight."""
    rng = np.random.default_rng(0)
    volume = rng.random((23, 19, 3), dtype=np.float32)
    kernel = rng.standard_normal((4, 3, 3)).astype(np.float32)
    maps = conv2d_per_channel(volume, kernel, **options)
    total = conv2d(volume, kernel, 0.5, **options)
    update_weight(maps, volume, (4, 3), tap, -0.75, total=total, **options)
    kernel[tap] -= 0.75
    np.testing.assert_allclose(maps, conv2d_per_channel(volume, kernel, **options), atol=1e-5)
    np.testing.assert_allclose(total, conv2d(volume, kernel, 0.5, **options), atol=1e-5)


def test_tap_that_meets_only_padding_changes_nothing():
    """With padding larger than the image, a corner tap may see only zeros: nothing changes."""
    volume = np.ones((2, 2, 1), np.float32)
    maps = np.zeros((1, 1, 1), np.float32)  # floor((2 + 2*3 - 4 - 1) / 4) + 1 = 1
    update_weight(maps, volume, 5, (0, 0, 0), 1.0, padding=3, stride=4)
    assert not maps.any()


def test_uint8_volume_is_rescaled():
    """A uint8 volume contributes in [0, 1], like conv2d_per_channel."""
    volume = np.full((3, 3, 1), 255, np.uint8)
    maps = np.zeros((1, 1, 1), np.float32)
    update_weight(maps, volume, 3, (1, 1, 0), 2.0)
    assert maps.item() == 2.0


@pytest.mark.parametrize(
    ("maps", "kwargs", "match"),
    [
        (np.zeros((4, 4, 3)), {}, "`maps` must be a writeable float32 array"),
        (np.zeros((5, 4, 3), np.float32), {}, r"`maps` must have shape \(4, 4, 3\)"),
        (np.zeros((4, 4, 3), np.float32), dict(tap=(3, 0, 0)), r"`tap` must lie in a 3x3x3 kernel"),
        (np.zeros((4, 4, 3), np.float32), dict(tap=(0, 0)), "`tap` must be a"),
        (np.zeros((4, 4, 3), np.float32), dict(delta=np.nan), "`delta` must contain only finite"),
        (np.zeros((4, 4, 3), np.float32), dict(delta=[1.0, 2.0]), "`delta` must be a single number"),
        (np.zeros((4, 4, 3), np.float32), dict(total=np.zeros((4, 5), np.float32)), "`total` must have"),
    ],
)
def test_bad_arguments_raise(maps, kwargs, match):
    """Mismatched maps, taps outside the kernel and bad deltas raise, naming the argument."""
    args = dict(tap=(0, 0, 0), delta=1.0) | kwargs
    with pytest.raises(ConvvizValueError, match=match):
        update_weight(maps, np.zeros((6, 6, 3), np.float32), 3, args.pop("tap"), args.pop("delta"), **args)


def test_read_only_maps_are_refused():
    """A read-only maps array raises instead of failing half-way."""
    maps = np.zeros((4, 4, 3), np.float32)
    maps.flags.writeable = False
    with pytest.raises(ConvvizValueError, match="writeable"):
        update_weight(maps, np.zeros((6, 6, 3), np.float32), 3, (0, 0, 0), 1.0)
