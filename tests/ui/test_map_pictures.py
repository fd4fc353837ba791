"""The scale-free halves a page keeps between edits draw and describe a map exactly as the whole does."""

from __future__ import annotations

import numpy as np
import pytest

from ui.draw.describe import map_facts, map_text
from ui.draw.greys import map_pixels, shrink, shrunk_pixels


@pytest.mark.parametrize("shape", [(768, 1024), (300, 257), (7, 5), (1, 900)])
@pytest.mark.parametrize("grey_view", [False, True])
def test_shrunk_values_coloured_later_are_the_picture(shape, grey_view):
    m = np.random.default_rng(sum(shape)).normal(size=shape).astype(np.float32)  # (H, W)
    if grey_view:
        m = np.abs(m)
    values = shrink(m, 256, grey_view=grey_view)
    for scale in (0.5, 1.7, 3.0):
        assert np.array_equal(shrunk_pixels(values, scale, grey_view=grey_view),
                              map_pixels(m, scale, 256, grey_view=grey_view))


@pytest.mark.parametrize("seed", range(5))
def test_kept_facts_give_the_same_sentence(seed):
    rng = np.random.default_rng(seed)
    m = rng.normal(size=(40, 60)).astype(np.float32)  # (H, W)
    m[:, :8] += 5 * seed  # strongest on the left for most seeds
    for scale in (None, 0.25, 4.0):
        assert map_text(None, "Map 1", scale=scale, facts=map_facts(m)) == map_text(m, "Map 1", scale=scale)
    for special in (np.zeros((0, 3), np.float32), np.full((3, 3), 2.0, np.float32)):
        assert map_text(None, "M", facts=map_facts(special)) == map_text(special, "M")
