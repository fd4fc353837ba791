"""Occlusion sensitivity: shapes, the drop it measures, a synthetic network whose evidence sits in one
corner, and the comparison with another map."""

from __future__ import annotations

import math

import numpy as np
import pytest

from convviz import ConvvizValueError, load_pretrained, occlusion_map
from convviz.model.files import DEFAULT_MANIFEST
from convviz.model.occlusion import MAX_OCCLUSIONS, compare_maps
from tests.model.class_photos import generated

pytestmark = pytest.mark.skipif(not DEFAULT_MANIFEST.exists(), reason="the model weights are absent")


@pytest.fixture(scope="module")
def model():
    return load_pretrained()


def test_shapes_and_the_drop_of_each_position(model):
    image = generated("sunset", 1, side=120)
    occ = occlusion_map(model, image, 3, patch=16, stride=8)
    assert occ.coarse.shape == (7, 7) and occ.sensitivity.shape == (64, 64)
    assert occ.upsampled.shape == (120, 120)
    assert occ.class_index == 3 and occ.class_name == model.classes[3]
    p = model.predict(image)[3]
    assert occ.probability == pytest.approx(float(p), rel=1e-6)
    hidden = model.resize_input(image).copy()
    hidden[8:24, 16:32] = 0.5  # position (1, 2)
    assert occ.coarse[1, 2] == pytest.approx(float(p - model.predict(hidden)[3]), abs=1e-6)


def test_occluding_everything_is_the_drop_to_a_grey_image(model):
    image = generated("forest", 2)
    occ = occlusion_map(model, image, patch=64, stride=64)
    grey = model.predict(np.full((64, 64, 3), 0.5, np.float32))[occ.class_index]
    assert occ.coarse.shape == (1, 1) and occ.coarse[0, 0] == pytest.approx(occ.probability - float(grey))
    assert occ.coarse[0, 0] != 0.0
    np.testing.assert_allclose(occ.sensitivity, occ.coarse[0, 0])
    assert occ.class_index == int(np.argmax(model.predict(image)))


def test_evidence_in_one_corner_shows_in_that_corner(model):
    """A network whose one feature is "red in the top-left": conv1 filter 0 reads red, the rest is zeroed,
    so hiding the top-left red square is what lowers the class; elsewhere nothing changes."""
    net = model
    for slot in range(16):
        net = net.with_conv1_filter(slot, np.zeros((3, 3, 3)), -1.0)  # every conv1 output ReLU'd to 0 ...
    kernel = np.zeros((3, 3, 3))
    kernel[1, 1] = (1.0, -1.0, -1.0)  # ... except slot 0 on red-not-grey pixels
    net = net.with_conv1_filter(0, kernel, 0.0)
    image = np.full((64, 64, 3), 0.5, np.float32)
    image[:16, :16] = (1.0, 0.0, 0.0)
    occ = occlusion_map(net, image, patch=16, stride=16)
    changed = np.abs(occ.coarse) > 1e-6
    assert changed[0, 0] and changed.sum() == 1


def test_refusals(model):
    image = np.zeros((64, 64, 3), np.float32)
    for kwargs, needle in [({"patch": 0}, "`patch`"), ({"patch": 65}, "`patch`"),
                           ({"patch": 8, "stride": 9}, "`stride`"), ({"fill": 1.5}, "`fill`"),
                           ({"patch": 2, "stride": 1}, str(MAX_OCCLUSIONS))]:
        with pytest.raises(ConvvizValueError, match=needle):
            occlusion_map(model, image, **kwargs)
    with pytest.raises(ConvvizValueError, match="`class_index`"):
        occlusion_map(model, image, 10)


def test_compare_maps_numbers():
    yy, xx = np.mgrid[0:32, 0:32]
    a = -((yy - 8.0) ** 2 + (xx - 8.0) ** 2)  # peak top-left
    b = -((yy - 24.0) ** 2 + (xx - 24.0) ** 2)  # peak bottom-right
    same = compare_maps(a, a * 3 + 1)
    assert same.correlation == pytest.approx(1.0) and same.top_overlap == 1.0
    apart = compare_maps(a, b)
    assert apart.top_overlap == 0.0 and apart.correlation < 0
    assert apart.first_peak == (8.5 / 32, 8.5 / 32) and apart.second_peak == (24.5 / 32, 24.5 / 32)
    assert math.isnan(compare_maps(a, np.zeros((32, 32))).correlation)
    with pytest.raises(ConvvizValueError, match="`first`"):
        compare_maps(a, a[:5])
