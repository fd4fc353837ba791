"""The Lab's per-session pipeline: incremental recomputation, ReLU/pooling stage, colour scales."""

import numpy as np
import pytest

from convviz import conv2d, conv2d_per_channel, load_preset, max_pool2d, relu
from convviz.errors import BudgetError
from convviz.image.intake import load_image_info
from tests.e2e.helpers import photo_jpeg
from ui.lab.context import Scales, nice_scale, page_scales
from ui.lab.pipeline import Pipeline, Stats
from ui.state import LabImage, LabSettings

IMAGE = np.random.default_rng(0).random((40, 50, 3), dtype=np.float32)
BANK = load_preset("compass-edges")
SAME = LabSettings(padding_mode="same", relu=False)


def _edited(bank, k, value):
    w = np.array(bank.weights)
    w[k, 1, 1, 0] = value
    return bank.replace(weights=w)


def _conv(bank, settings=SAME):
    return conv2d(IMAGE, bank.weights, bank.bias, **settings.conv_kwargs()).transpose(2, 0, 1)


def test_first_update_equals_conv2d():
    """A fresh pipeline holds conv2d's output as planar maps (K, H', W')."""
    pipe = Pipeline()
    pipe.update(IMAGE, "img", BANK, SAME)
    np.testing.assert_array_equal(pipe.conv, _conv(BANK))
    assert pipe.recomputed == list(range(8))


def test_editing_one_filter_recomputes_only_that_filter():
    """After a weight edit in filter 3 only filter 3 is recomputed, and the volume still equals conv2d."""
    pipe = Pipeline()
    pipe.update(IMAGE, "img", BANK, SAME)
    edited = _edited(BANK, 3, 5.0)
    pipe.update(IMAGE, "img", edited, SAME, focus=0)
    assert pipe.recomputed == [3]
    np.testing.assert_allclose(pipe.conv, _conv(edited), atol=1e-5)


def test_focused_filter_is_the_sum_of_its_channel_maps():
    """Editing the focused filter stores the sum of its channel maps plus its bias."""
    pipe = Pipeline()
    pipe.update(IMAGE, "img", BANK, SAME)
    edited = _edited(BANK, 0, -2.0).replace(bias=np.full(8, 0.25, np.float32))
    pipe.update(IMAGE, "img", edited, SAME, focus=0)
    maps = conv2d_per_channel(IMAGE, edited.weights[0], padding="same")
    np.testing.assert_allclose(pipe.conv[0], maps.sum(axis=-1) + 0.25, atol=1e-5)
    np.testing.assert_allclose(pipe.channel_maps(IMAGE, edited, 0, SAME), maps.transpose(2, 0, 1), atol=1e-6)


def test_new_settings_recompute_everything():
    """A new stride recomputes every filter with the new output size."""
    pipe = Pipeline()
    pipe.update(IMAGE, "img", BANK, SAME)
    strided = LabSettings(padding_mode="valid", stride=2, relu=False)
    pipe.update(IMAGE, "img", BANK, strided)
    assert pipe.recomputed == list(range(8))
    np.testing.assert_array_equal(pipe.conv, _conv(BANK, strided))


def test_post_stage_is_relu_then_pooling():
    """The post stage equals max_pool2d(relu(conv)) filter by filter."""
    settings = LabSettings(padding_mode="same", relu=True, pool="max", pool_size=2, pool_stride=2)
    pipe = Pipeline()
    pipe.update(IMAGE, "img", BANK, settings)
    post = np.stack(pipe.post(settings), axis=-1)
    expected = max_pool2d(relu(conv2d(IMAGE, BANK.weights, BANK.bias, padding="same")), 2)
    np.testing.assert_array_equal(post, expected)
    assert pipe.post_stats(settings)[0].lo >= 0


def test_post_stage_follows_a_weight_edit():
    """After an edit, the post stage of the edited filter is recomputed from its new map."""
    settings = LabSettings(padding_mode="same", relu=True)
    pipe = Pipeline()
    pipe.update(IMAGE, "img", BANK, settings)
    pipe.post(settings)
    edited = _edited(BANK, 2, 3.0)
    pipe.update(IMAGE, "img", edited, settings, focus=2)
    np.testing.assert_allclose(pipe.post(settings)[2], np.maximum(_conv(edited)[2], 0), atol=1e-5)


def test_arrays_handed_out_are_read_only():
    """Panels cannot change the cached maps by accident."""
    pipe = Pipeline()
    pipe.update(IMAGE, "img", BANK, SAME)
    with pytest.raises(ValueError, match="read-only"):
        pipe.conv[0, 0, 0] = 1.0


def test_work_above_the_budget_is_refused():
    """A bank whose update would pass the interactive budget raises BudgetError before computing."""
    big = np.zeros((2000, 2000, 3), np.float32)
    bank = load_preset("compass-edges").replace(weights=np.zeros((8, 15, 15, 3), np.float32))
    with pytest.raises(BudgetError, match="billion multiply-adds"):
        Pipeline().update(big, "big", bank, SAME)


def test_memo_makes_each_picture_once():
    """The memo calls `make` once per key."""
    pipe = Pipeline()
    calls = []
    for _ in range(3):
        pipe.memo(("pic", 1), lambda: calls.append(1) or b"x")
    assert calls == [1]


@pytest.mark.parametrize(("s", "nice"), [(3.4721, 3.5), (0.0123, 0.013), (120.0, 120.0), (0.0, 0.0)])
def test_nice_scale_rounds_up_to_two_digits(s, nice):
    """Scales round up to two significant digits (never down: no map is clipped by its own scale)."""
    assert nice_scale(s) == nice


def test_shared_scale_covers_the_channel_maps():
    """In shared mode the scale holds every conv map and the focused filter's channel maps."""
    pipe = Pipeline()
    pipe.update(IMAGE, "img", BANK, SAME)
    pipe.channel_maps(IMAGE, BANK, 0, SAME)
    scale = page_scales(pipe, SAME).shared
    assert scale >= max(np.abs(pipe.conv).max(), max(s.scale for s in pipe.channel_stats))


def test_per_map_scales_follow_each_map():
    """In per-map mode each map's scale is its own largest magnitude, rounded up."""
    assert Scales(None).of(Stats(-0.2, 3.44, 1)) == 3.5


def test_an_uploaded_photo_is_kept_as_8bit_codes_and_read_back_exactly():
    """A session keeps a 1 MP upload's preview in 2.4 MB, not 9.4 MB, and computes on the same values."""
    jpeg = photo_jpeg(1152, 864)
    preview, _ = load_image_info(jpeg, max_side=1024)
    image = LabImage(preview, "p:1024", "upload", (), jpeg, None, (864, 1152))
    assert image.pixels.dtype == np.uint8 and image.pixels.nbytes == preview.nbytes // 4
    assert image.shape == preview.shape
    assert np.array_equal(image.array.view(np.uint32), preview.view(np.uint32))
    assert not image.array.flags.writeable
