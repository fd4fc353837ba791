"""The worked examples of the concept texts: the exact numbers, by conv2d and by a hand loop."""

import numpy as np
import pytest

from convviz import conv2d, conv2d_per_channel, load_sample
from convviz.lessons.worked_examples import VERTICAL_EDGE, list_worked_examples, load_worked_example


def _hand_loop(volume, filters, bias):
    """Valid cross-correlation as loops over output positions, filters, rows, columns and channels."""
    h, w, c = volume.shape
    k, kh, kw, _ = filters.shape
    out = np.zeros((h - kh + 1, w - kw + 1, k))
    for y in range(out.shape[0]):
        for x in range(out.shape[1]):
            for f in range(k):
                total = bias[f]
                for i in range(kh):
                    for j in range(kw):
                        for ch in range(c):
                            total += volume[y + i, x + j, ch] * filters[f, i, j, ch]
                out[y, x, f] = total
    return out


def test_edge_example_gives_the_textbook_map():
    """The 5x5 grid ⋆ [[1,0,-1]]*3 is exactly [[-1,-5,-3],[-5,-7,1],[-5,-2,6]]."""
    grid = load_sample("grid-5x5").array
    out = conv2d(grid, np.asarray(VERTICAL_EDGE, dtype=np.float32))
    assert out[..., 0].tolist() == [[-1, -5, -3], [-5, -7, 1], [-5, -2, 6]]


def test_edge_example_data_is_the_grid_and_kernel():
    """The "edge-5x5" example holds the 5x5 grid, the vertical-edge kernel and zero bias."""
    ex = load_worked_example("edge-5x5")
    assert ex.volume[..., 0][1].tolist() == [4, 5, 6, 7, 8]
    assert ex.filters[0, ..., 0].tolist() == [[1, 0, -1]] * 3
    assert ex.bias.tolist() == [0]


def test_one_filter_on_the_volume_gives_a_4x4_map():
    """The 6x6x3 volume ⋆ one 3x3x3 filter is a 4x4x1 map equal to the hand loop."""
    ex = load_worked_example("volume-one-filter")
    out = conv2d(ex.volume, ex.filters, ex.bias)
    assert out.shape == (4, 4, 1)
    np.testing.assert_array_equal(out, _hand_loop(ex.volume, ex.filters, ex.bias))


def test_two_filters_on_the_volume_give_a_4x4x2_volume():
    """Two 3x3x3 filters give a 4x4x2 volume equal to the hand loop; the first map is the one-filter map."""
    ex = load_worked_example("volume-two-filters")
    out = conv2d(ex.volume, ex.filters, ex.bias)
    assert out.shape == (4, 4, 2)
    np.testing.assert_array_equal(out, _hand_loop(ex.volume, ex.filters, ex.bias))
    one = load_worked_example("volume-one-filter")
    np.testing.assert_array_equal(out[..., :1], conv2d(one.volume, one.filters, one.bias))


def test_per_channel_maps_of_the_example_sum_to_the_map():
    """The three per-channel maps of the 3x3x3 filter plus its bias add up to its map, exactly (integers)."""
    ex = load_worked_example("volume-one-filter")
    maps = conv2d_per_channel(ex.volume, ex.filters[0])
    out = conv2d(ex.volume, ex.filters, ex.bias)
    np.testing.assert_array_equal(maps.sum(axis=-1) + ex.bias[0], out[..., 0])


def test_example_filters_use_every_channel():
    """Each channel slice of the first 6x6x3 filter is non-zero, so the example shows a real 3-channel sum."""
    filters = load_worked_example("volume-one-filter").filters
    assert all(np.any(filters[0, ..., c]) for c in range(3))


@pytest.mark.parametrize("name", list_worked_examples())
def test_examples_are_read_only_float32(name):
    """Example arrays are float32 and read-only, so no page can change them for the next user."""
    ex = load_worked_example(name)
    for a in (ex.volume, ex.filters, ex.bias):
        assert a.dtype == np.float32 and not a.flags.writeable


def test_unknown_example_name_lists_the_choices():
    """An unknown name raises ValueError listing the worked examples."""
    with pytest.raises(ValueError, match="edge-5x5"):
        load_worked_example("nope")
