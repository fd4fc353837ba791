"""The activation sheet of the CNN page: layout, block means for large maps, honest colours."""

import numpy as np

from ui.cnn.maps import GAP, sheet
from ui.draw.pictures import DIVERGING_LUT


def test_sheet_lays_out_eight_maps_per_row_with_enlarged_tiles():
    """16 maps of 8x8 become 2 rows of 8 tiles of 96x96 (12x nearest), white gaps between them."""
    pic, th, tw = sheet(np.zeros((8, 8, 16), np.float32), 1.0)
    assert (th, tw) == (96, 96)
    assert pic.shape == (2 * (96 + GAP), 8 * (96 + GAP), 3)
    assert (pic[96:96 + GAP] == 255).all()


def test_sheet_colours_zero_neutral_and_signs_apart():
    """A zero map is the ramp's middle colour; +s and -s get the two ends."""
    maps = np.zeros((4, 4, 3), np.float32)
    maps[..., 1], maps[..., 2] = 2.0, -2.0
    pic, th, tw = sheet(maps, 2.0)
    centre = [pic[th // 2, k * (tw + GAP) + tw // 2] for k in range(3)]
    assert centre[0].tolist() == DIVERGING_LUT[128].tolist()
    assert centre[1].tolist() == DIVERGING_LUT[255].tolist()
    assert centre[2].tolist() == DIVERGING_LUT[1].tolist()


def test_sheet_averages_large_maps_in_blocks():
    """A 320x320 map is shown as 2x2 block means (160x160), keeping its mean value's colour."""
    maps = np.zeros((320, 320, 1), np.float32)
    maps[::2, :, 0] = 1.0  # alternate rows: every 2x2 block averages to 0.5
    pic, th, tw = sheet(maps, 1.0)
    assert (th, tw) == (160, 160)
    assert pic[80, 80].tolist() == DIVERGING_LUT[128 + round(127 * 0.5)].tolist()
