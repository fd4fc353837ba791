"""Built-in samples: shapes, ranges, and the teaching properties they promise."""

import numpy as np
import pytest

from convviz import list_samples, load_sample


@pytest.mark.parametrize("name", list_samples())
def test_sample_is_read_only_float32_volume(name):
    """Every sample is a read-only (H, W, C) float32 array."""
    a = load_sample(name).array
    assert a.dtype == np.float32 and a.ndim == 3
    assert not a.flags.writeable


@pytest.mark.parametrize("name", list_samples("image"))
def test_image_samples_are_rgb_in_unit_range(name):
    """Image samples are (H, W, 3) in [0, 1]."""
    a = load_sample(name).array
    assert a.shape[2] == 3 and a.min() >= 0.0 and a.max() <= 1.0


def test_testcard_features_each_live_in_one_channel():
    """Red stripes vary only R across x, blue stripes only B across y, the disc only G."""
    a = load_sample("testcard").array
    dx = np.abs(np.diff(a, axis=1)).sum(axis=(0, 1))  # change across x, per channel
    dy = np.abs(np.diff(a, axis=0)).sum(axis=(0, 1))
    red_stripes = np.abs(np.diff(a[20:110, 16:120], axis=1)).sum(axis=(0, 1))
    assert red_stripes[0] > 0 and red_stripes[1] == 0 and red_stripes[2] == 0
    blue_stripes = np.abs(np.diff(a[16:120, 140:236], axis=0)).sum(axis=(0, 1))
    assert blue_stripes[2] > 0 and blue_stripes[0] == 0 and blue_stripes[1] == 0
    assert dx[1] > 0 and dy[1] > 0  # the disc has edges in G in both directions


def test_numeric_samples_hold_exact_integers():
    """The worked-example grids are the exact integers of the concept texts."""
    grid = load_sample("grid-5x5").array
    assert grid.shape == (5, 5, 1)
    assert grid[..., 0].tolist()[1] == [4, 5, 6, 7, 8]
    vol = load_sample("volume-6x6x3").array
    assert vol.shape == (6, 6, 3) and np.array_equal(vol, np.round(vol))


def test_unknown_sample_name_is_a_clear_value_error():
    """An unknown name raises ValueError listing the valid names."""
    with pytest.raises(ValueError, match="`name` must be one of"):
        load_sample("../../etc/passwd")
    with pytest.raises(ValueError, match="`kind`"):
        list_samples("video")
