"""Tests for convviz.ops.conv: fast paths against the loop reference, torch, properties, dtypes and errors."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import convviz
from convviz import ConvvizValueError, conv2d, conv2d_per_channel
from convviz.ops.reference import conv2d_per_channel_reference, conv2d_reference, conv2d_windows

# Random small cases: (H, W, C, K, kh, kw, stride, padding, dilation). Odd and even kernels, K from 1 to 32,
# asymmetric strides/paddings/dilations, "same" with even kernels and dilation, "valid".
CASES = [
    (7, 9, 3, 1, 3, 3, 1, 1, 1),
    (8, 8, 3, 1, 2, 2, 1, "same", 1),
    (9, 7, 1, 1, 4, 3, 1, "same", 2),
    (10, 12, 3, 8, 3, 3, 2, 1, 1),
    (11, 10, 2, 5, 2, 4, (2, 1), (0, 2), (1, 2)),
    (12, 13, 3, 32, 5, 5, 1, "same", 1),
    (13, 9, 4, 3, 1, 1, 3, 0, 1),
    (6, 14, 3, 16, 3, 2, (1, 3), "valid", (2, 1)),
    (15, 15, 3, 32, 4, 4, 2, 3, 2),
    (5, 5, 6, 2, 5, 5, 1, 0, 1),
    (9, 9, 3, 1, 3, 3, 2, 2, 2),
    (10, 11, 3, 7, 6, 1, 1, "same", 1),
    # 8+ channels: the single-matrix im2col path (convviz.ops._fast.im2col) for small volumes.
    (16, 16, 8, 3, 3, 3, 1, 1, 1),
    (9, 12, 16, 32, 2, 2, 1, "same", 1),
    (10, 9, 12, 5, 4, 3, 1, "same", 2),
    (12, 11, 32, 1, 3, 3, 2, 1, 1),
    (11, 13, 9, 7, 2, 4, (2, 1), (0, 2), (1, 2)),
    (8, 8, 64, 16, 1, 1, 1, 0, 1),
    (13, 10, 8, 2, 3, 2, (1, 3), "valid", (2, 1)),
    (15, 14, 20, 32, 5, 5, 2, 3, 2),
]
SMALL_CASES = CASES[12:]  # the 8+ channel cases


def _random_case(case, seed=0):
    h, w, c, k, kh, kw = case[:6]
    rng = np.random.default_rng(seed)
    volume = rng.standard_normal((h, w, c)).astype(np.float32)
    filters = rng.standard_normal((k, kh, kw, c)).astype(np.float32)
    bias = rng.standard_normal(k).astype(np.float32)
    options = dict(zip(("stride", "padding", "dilation"), case[6:], strict=False))
    return volume, filters, bias, options


def _torch_conv(volume, filters, bias, **options):
    """torch.nn.functional.conv2d on (H, W, C) / (K, kh, kw, C) arrays, returned as (H', W', K)."""
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch warns about 'same' with even kernels
        out = torch.nn.functional.conv2d(
            torch.from_numpy(np.ascontiguousarray(volume.transpose(2, 0, 1)[None])),  # (1, C, H, W)
            torch.from_numpy(np.ascontiguousarray(filters.transpose(0, 3, 1, 2))),  # (K, C, kh, kw)
            torch.from_numpy(bias), **options,
        )
    return out[0].numpy().transpose(1, 2, 0)  # (H', W', K)


@pytest.mark.parametrize("case", CASES)
def test_conv2d_matches_loop_reference(case):
    """The fast conv2d equals the loop reference on random shapes, strides, paddings and dilations."""
    volume, filters, bias, options = _random_case(case)
    expected = conv2d_reference(volume, filters, bias, **options)
    np.testing.assert_allclose(conv2d(volume, filters, bias, **options), expected, atol=2e-5, rtol=1e-5)


@pytest.mark.torch
@pytest.mark.parametrize("case", CASES)
def test_conv2d_matches_torch(case):
    """conv2d equals torch.nn.functional.conv2d on the same data and settings."""
    volume, filters, bias, options = _random_case(case, seed=1)
    expected = _torch_conv(volume, filters, bias, **options)
    np.testing.assert_allclose(conv2d(volume, filters, bias, **options), expected, atol=2e-5, rtol=1e-5)


@pytest.mark.parametrize("case", SMALL_CASES[:3])
def test_small_volume_path_equals_strip_path(monkeypatch, case):
    """The single-matrix path and the strip path (forced by a zero size limit) give the same result."""
    from convviz.ops import conv as conv_module

    volume, filters, bias, options = _random_case(case, seed=12)
    small = conv2d(volume, filters, bias, **options)
    monkeypatch.setattr(conv_module, "_SMALL_MAX_BYTES", 0)
    strips = conv2d(volume, filters, bias, **options)
    np.testing.assert_allclose(small, strips, atol=2e-5, rtol=1e-5)


def test_small_volume_path_accepts_a_strided_input_view():
    """A non-contiguous (H, W, C) view (planar maps seen as (H, W, C)) gives the same result as a copy."""
    rng = np.random.default_rng(13)
    planar = rng.standard_normal((16, 10, 12)).astype(np.float32)  # (C, H, W)
    volume = planar.transpose(1, 2, 0)  # (H, W, C), a view
    filters = rng.standard_normal((4, 3, 3, 16)).astype(np.float32)
    expected = conv2d(np.ascontiguousarray(volume), filters, padding=1)
    np.testing.assert_array_equal(conv2d(volume, filters, padding=1), expected)


@pytest.mark.parametrize("k", [1, 2, 3, 8, 32])
@pytest.mark.parametrize("options", [dict(padding=1), dict(padding="same", dilation=2), dict(stride=2)])
def test_conv2d_large_image_matches_windows(k, options):
    """On an image big enough for many row strips, conv2d equals the sliding-window einsum baseline."""
    rng = np.random.default_rng(k)
    volume = rng.random((301, 407, 3), dtype=np.float32)
    filters = rng.standard_normal((k, 3, 3, 3)).astype(np.float32)
    bias = rng.standard_normal(k).astype(np.float32)
    expected = conv2d_windows(volume, filters, bias, **options)
    np.testing.assert_allclose(conv2d(volume, filters, bias, **options), expected, atol=3e-5, rtol=1e-5)


@pytest.mark.parametrize(
    "options",
    [dict(padding=1), dict(padding="same"), dict(padding=(0, 5)), dict(padding=7, dilation=(2, 1)),
     dict(padding="same", dilation=3), dict(stride=(1, 2), padding=2)],
)
@pytest.mark.parametrize("kernel_hw", [(3, 3), (2, 4), (5, 1)])
def test_large_image_per_channel_maps_and_one_filter(monkeypatch, options, kernel_hw):
    """On a multi-strip image shared out over threads, channel maps and one-filter conv2d equal einsum."""
    from convviz.ops._fast import channels as _channels

    monkeypatch.setattr(_channels, "_PARALLEL_MIN_OUTPUTS", 0)
    rng = np.random.default_rng(7)
    volume = rng.random((257, 300, 3), dtype=np.float32)
    filters = rng.standard_normal((1, *kernel_hw, 3)).astype(np.float32)
    maps = conv2d_per_channel(volume, filters[0], **options)
    for ch in range(3):
        one_channel = np.zeros_like(filters)
        one_channel[..., ch] = filters[..., ch]
        expected = conv2d_windows(volume, one_channel, **options)[..., 0]
        np.testing.assert_allclose(maps[..., ch], expected, atol=2e-5, rtol=1e-5)
    expected = conv2d_windows(volume, filters, [0.25], **options)
    np.testing.assert_allclose(conv2d(volume, filters, 0.25, **options), expected, atol=3e-5, rtol=1e-5)


def test_strips_that_read_only_padding_are_zero(monkeypatch):
    """With tiny strips and huge padding, strips outside the image give exact zeros (plus bias)."""
    from convviz.ops._fast import channels as _channels

    monkeypatch.setattr(_channels, "_STRIP_BYTES", 1)  # 32-row strips
    volume = np.random.default_rng(8).random((20, 4000, 3), dtype=np.float32)
    kernel = np.ones((3, 3, 3), np.float32)
    maps = conv2d_per_channel(volume, kernel, padding=(100, 1))
    assert maps.shape == (218, 4000, 3)
    assert not maps[:98].any() and not maps[120:].any() and maps[100:118].all()  # rows 98..119 see the image
    full = conv2d(volume, kernel, 0.5, padding=(100, 1))
    np.testing.assert_allclose(full[..., 0], maps.sum(axis=-1) + 0.5, rtol=1e-6)


@pytest.mark.parametrize(("strip_bytes", "band_bytes"), [(1, 1), (1 << 14, 1 << 17)])
@pytest.mark.parametrize(
    "options",
    [dict(padding=1), dict(padding=(30, 2), dilation=2), dict(stride=3, padding=(25, 0)),
     dict(stride=(2, 1), padding="valid", dilation=(1, 2))],
)
def test_many_bands_and_strips_match_windows(monkeypatch, strip_bytes, band_bytes, options):
    """With tiny strips and bands (some reading padding only), the im2col path still equals the baseline."""
    from convviz.ops._fast import gemm as _gemm

    monkeypatch.setattr(_gemm, "_STRIP_BYTES", strip_bytes)
    monkeypatch.setattr(_gemm, "_BAND_BYTES", band_bytes)
    rng = np.random.default_rng(9)
    volume = rng.random((40, 300, 3), dtype=np.float32)
    filters = rng.standard_normal((5, 3, 4, 3)).astype(np.float32)
    expected = conv2d_windows(volume, filters, np.arange(5.0), **options)
    actual = conv2d(volume, filters, np.arange(5), **options)
    np.testing.assert_allclose(actual, expected, atol=3e-5, rtol=1e-5)


@pytest.mark.parametrize("case", CASES)
def test_per_channel_maps_match_loop_reference(case):
    """Each per-channel map equals the loop reference for that channel."""
    volume, filters, _, options = _random_case(case, seed=2)
    expected = conv2d_per_channel_reference(volume, filters[0], **options)
    actual = conv2d_per_channel(volume, filters[0], **options)
    np.testing.assert_allclose(actual, expected, atol=2e-5, rtol=1e-5)


@pytest.mark.parametrize("case", CASES)
def test_per_channel_sum_plus_bias_is_the_conv2d_map(case):
    """Summing a filter's per-channel maps over C and adding its bias gives its conv2d map."""
    volume, filters, bias, options = _random_case(case, seed=3)
    maps = conv2d_per_channel(volume, filters[-1], **options)
    full = conv2d(volume, filters, bias, **options)
    np.testing.assert_allclose(maps.sum(axis=-1) + bias[-1], full[..., -1], atol=1e-5, rtol=1e-6)


def test_per_channel_sum_is_exact_for_one_filter():
    """For one filter at stride 1, conv2d is literally the per-channel maps summed in order, plus bias."""
    volume, filters, bias, _ = _random_case((40, 50, 3, 1, 3, 3), seed=4)
    maps = conv2d_per_channel(volume, filters[0], padding=1)
    expected = (maps[..., 0] + maps[..., 1]) + maps[..., 2] + bias[0]
    np.testing.assert_array_equal(conv2d(volume, filters, bias, padding=1)[..., 0], expected)


def test_output_shape_and_dtype():
    """conv2d returns (H', W', K) float32 with H', W' from output_size."""
    out = conv2d(np.zeros((20, 30, 3), np.float64), np.zeros((5, 4, 3, 3)), stride=(2, 3), padding=(1, 2))
    assert out.shape == (convviz.output_size(20, 4, stride=2, padding=1),
                         convviz.output_size(30, 3, stride=3, padding=2), 5)
    assert out.dtype == np.float32


def test_input_is_not_modified():
    """conv2d leaves its input arrays unchanged."""
    volume, filters, bias, options = _random_case(CASES[3])
    copies = volume.copy(), filters.copy(), bias.copy()
    conv2d(volume, filters, bias, **options)
    for before, after in zip(copies, (volume, filters, bias), strict=True):
        np.testing.assert_array_equal(before, after)


def test_single_filter_means_one_output_map():
    """A (kh, kw, C) filter is a bank of one filter."""
    volume, filters, bias, options = _random_case(CASES[3])
    np.testing.assert_array_equal(conv2d(volume, filters[0], bias[0], **options),
                                  conv2d(volume, filters[:1], bias[:1], **options))


def test_2d_kernel_is_used_on_every_channel():
    """A 2D (kh, kw) kernel equals the filter with that kernel repeated on every channel."""
    volume, filters, _, _ = _random_case((9, 10, 3, 1, 3, 3))
    kernel = filters[0, ..., 0]
    repeated = np.repeat(kernel[..., None], 3, axis=-1)
    np.testing.assert_allclose(conv2d(volume, kernel, padding=1), conv2d(volume, repeated, padding=1))


def test_scalar_bias_is_added_to_every_map():
    """A number as bias is added to every output map."""
    volume, filters, _, _ = _random_case((6, 6, 3, 4, 3, 3))
    np.testing.assert_allclose(conv2d(volume, filters, 0.5), conv2d(volume, filters, np.full(4, 0.5)))


def test_uint8_is_rescaled_to_unit_range():
    """A uint8 volume gives the same result as the float volume divided by 255."""
    rng = np.random.default_rng(5)
    pixels = rng.integers(0, 256, (12, 12, 3), dtype=np.uint8)
    filters = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    expected = conv2d(pixels.astype(np.float32) / 255, filters)
    np.testing.assert_allclose(conv2d(pixels, filters), expected, atol=1e-6)


def test_uint8_negative_response_is_not_saturated():
    """A negative response to a uint8 image stays negative (no clipping to 0, no wraparound)."""
    pixels = np.full((3, 3, 1), 255, dtype=np.uint8)
    out = conv2d(pixels, -np.ones((3, 3)))
    np.testing.assert_allclose(out, [[[-9.0]]])
    np.testing.assert_allclose(conv2d_per_channel(pixels, -np.ones((3, 3))), [[[-9.0]]])


def test_integer_lists_are_numbers():
    """Python ints are used by value (worked examples), not rescaled."""
    out = conv2d([[[1], [2]], [[3], [4]]], [[1, 1], [1, 1]], 1)
    assert out.tolist() == [[[11.0]]]


def test_per_channel_maps_are_contiguous_per_map():
    """Each per-channel map result[..., c] is C-contiguous (cheap to display)."""
    maps = conv2d_per_channel(np.ones((8, 8, 3), np.float32), np.ones((3, 3, 3), np.float32))
    assert maps[..., 1].flags.c_contiguous


# --- properties ----------------------------------------------------------------------------------------

volumes = st.tuples(st.integers(3, 12), st.integers(3, 12), st.integers(1, 4), st.integers(0, 2**31))


def _volume(spec):
    h, w, c, seed = spec
    return np.random.default_rng(seed).standard_normal((h, w, c)).astype(np.float32)


@settings(max_examples=25)
@given(spec=volumes, k=st.sampled_from([1, 3, 5]))
def test_identity_kernel_returns_input(spec, k):
    """A centred delta per channel with 'same' padding returns each channel unchanged."""
    volume = _volume(spec)
    c = volume.shape[2]
    bank = np.zeros((c, k, k, c), np.float32)
    for ch in range(c):
        bank[ch, k // 2, k // 2, ch] = 1.0
    np.testing.assert_array_equal(conv2d(volume, bank, padding="same"), volume)


@settings(max_examples=40)
@given(spec=volumes, a=st.integers(0, 2), b=st.integers(0, 2), k=st.integers(1, 32))
def test_shifted_delta_reads_the_shifted_input(spec, a, b, k):
    """A delta at (a, b) of a 3x3 kernel gives out[y, x] = in[y + a, x + b] (no flip, top-left anchor)."""
    volume = _volume(spec)
    h, w, c = volume.shape
    kernel = np.zeros((3, 3, c), np.float32)
    kernel[a, b, :] = 1.0
    out = conv2d(volume, np.broadcast_to(kernel, (k, 3, 3, c)))
    expected = volume[a: a + h - 2, b: b + w - 2].sum(axis=-1)
    for m in range(k):
        np.testing.assert_allclose(out[..., m], expected, atol=1e-6)


@settings(max_examples=25)
@given(spec=volumes, alpha=st.floats(-3, 3), beta=st.floats(-3, 3), stride=st.integers(1, 2))
def test_conv2d_is_linear_in_the_input(spec, alpha, beta, stride):
    """conv(a*x + b*y) = a*conv(x) + b*conv(y) (without bias)."""
    x = _volume(spec)
    y = np.roll(x, 1, axis=0) - 0.5
    filters = np.random.default_rng(spec[3] + 1).standard_normal((4, 3, 2, x.shape[2])).astype(np.float32)
    mix = (np.float32(alpha) * x + np.float32(beta) * y)
    lhs = conv2d(mix, filters, stride=stride, padding=1)
    options = dict(stride=stride, padding=1)
    rhs = alpha * conv2d(x, filters, **options) + beta * conv2d(y, filters, **options)
    np.testing.assert_allclose(lhs, rhs, atol=1e-4, rtol=1e-4)


@settings(max_examples=20)
@given(spec=volumes)
def test_conv2d_is_additive_in_the_filters(spec):
    """conv(x, f + g) = conv(x, f) + conv(x, g)."""
    x = _volume(spec)
    rng = np.random.default_rng(spec[3] + 2)
    f, g = (rng.standard_normal((3, 2, 3, x.shape[2])).astype(np.float32) for _ in range(2))
    np.testing.assert_allclose(conv2d(x, f + g, padding=1), conv2d(x, f, padding=1) + conv2d(x, g, padding=1),
                               atol=1e-4, rtol=1e-4)


# --- errors ---------------------------------------------------------------------------------------------

GOOD_VOLUME = np.zeros((8, 8, 3), np.float32)
GOOD_FILTERS = np.zeros((2, 3, 3, 3), np.float32)
MISMATCH = "`filters` must have 3 channels to match `volume`, got 4"


@pytest.mark.parametrize(
    ("volume", "filters", "bias", "options", "match"),
    [
        (np.zeros((8, 8)), GOOD_FILTERS, None, {}, "`volume` must have shape"),
        (np.zeros((0, 8, 3)), GOOD_FILTERS, None, {}, "`volume` must not be empty"),
        (GOOD_VOLUME, np.zeros((2, 3, 3, 4)), None, {}, MISMATCH),
        (GOOD_VOLUME, np.zeros((1, 2, 3, 3, 3)), None, {}, "`filters` must have shape"),
        (GOOD_VOLUME, np.zeros(3), None, {}, "`filters` must have shape"),
        (np.full((8, 8, 3), np.nan), GOOD_FILTERS, None, {}, "`volume` must contain only finite"),
        (GOOD_VOLUME, np.full((2, 3, 3, 3), np.inf), None, {}, "`filters` must contain only finite"),
        (GOOD_VOLUME, GOOD_FILTERS, [0.0, np.nan], {}, "`bias` must contain only finite"),
        (GOOD_VOLUME, GOOD_FILTERS, [0.0, 1.0, 2.0], {}, r"`bias` must be a number or have shape \(2,\)"),
        (np.full((8, 8, 3), 1e300), GOOD_FILTERS, None, {}, "`volume` must contain only finite"),
        (GOOD_VOLUME.astype(complex), GOOD_FILTERS, None, {}, "`volume` must hold real numbers"),
        ([[[1], [2]], [[3]]], GOOD_FILTERS, None, {}, "`volume` must be a rectangular array"),
        (GOOD_VOLUME, GOOD_FILTERS, None, dict(stride=0), "`stride` must be an integer >= 1"),
        (GOOD_VOLUME, GOOD_FILTERS, None, dict(stride=1.5), "`stride` must be an integer >= 1"),
        (GOOD_VOLUME, GOOD_FILTERS, None, dict(stride=True), "`stride` must be an integer >= 1"),
        (GOOD_VOLUME, GOOD_FILTERS, None, dict(stride=(1, 2, 3)), r"`stride` must be an int or an \(h, w\)"),
        (GOOD_VOLUME, GOOD_FILTERS, None, dict(dilation=(1, 0)), r"`dilation\[1\]` must be an integer >= 1"),
        (GOOD_VOLUME, GOOD_FILTERS, None, dict(padding=-1), "`padding` must be an integer >= 0"),
        (GOOD_VOLUME, GOOD_FILTERS, None, dict(padding="full"), r"one of \('valid', 'same'\)"),
        (GOOD_VOLUME, GOOD_FILTERS, None, dict(dilation=4), "output would be empty"),
        (np.zeros((2, 2, 3)), GOOD_FILTERS, None, {}, "output would be empty"),
    ],
)
def test_bad_arguments_raise_with_a_message_naming_them(volume, filters, bias, options, match):
    """Each bad argument raises ConvvizValueError (a ValueError) naming the argument."""
    with pytest.raises(ConvvizValueError, match=match):
        conv2d(volume, filters, bias, **options)


def test_errors_are_value_errors():
    """ConvvizValueError is a ValueError, so callers may catch either."""
    assert issubclass(ConvvizValueError, ValueError)


def test_compute_budget_is_enforced():
    """Work beyond COMPUTE_BUDGET multiply-adds is refused before any is done."""
    volume = np.broadcast_to(np.float32(0), (2000, 2000, 64))  # no memory: a broadcast view
    filters = np.zeros((64, 3, 3, 64), np.float32)
    with pytest.raises(ConvvizValueError, match="billion multiply-adds, more than the budget"):
        conv2d(volume, filters, padding=1)


def test_memory_budget_is_enforced():
    """A result or padded input beyond MEMORY_BUDGET elements is refused."""
    with pytest.raises(ConvvizValueError, match="GiB of memory, more than the budget"):
        conv2d(np.zeros((4, 4, 1), np.float32), np.zeros((1, 1, 1, 1), np.float32), padding=20_000)


@pytest.mark.parametrize(
    ("kernel", "match"),
    [
        (np.zeros((3, 3, 2)), "`kernel` must have 3 channels to match `volume`, got 2"),
        (np.zeros((1, 3, 3, 3)), r"`kernel` must have shape \(kh, kw, C\) or \(kh, kw\)"),
        (np.full((3, 3), np.nan), "`kernel` must contain only finite"),
    ],
)
def test_per_channel_bad_kernel_raises(kernel, match):
    """conv2d_per_channel names `kernel` when it is unusable."""
    with pytest.raises(ConvvizValueError, match=match):
        conv2d_per_channel(GOOD_VOLUME, kernel)


@pytest.mark.parametrize("shape", [(7, 8, 3), (9, 9, 2), (16, 13, 3)])
@pytest.mark.parametrize("options", [dict(stride=2), dict(stride=3), dict(stride=(2, 3), dilation=2),
                                     dict(stride=2, dilation=(1, 2))])
@pytest.mark.parametrize("kernel_hw", [(3, 3), (2, 4), (5, 5)])
def test_same_padding_with_stride_matches_the_reference(shape, options, kernel_hw):
    """'same' with stride > 1 (TensorFlow's SAME): conv2d and per-channel maps equal the loop reference."""
    rng = np.random.default_rng(3)
    volume = rng.random(shape).astype(np.float32)
    filters = rng.standard_normal((3, *kernel_hw, shape[2])).astype(np.float32)
    expected = conv2d_reference(volume, filters, padding="same", **options)
    got = conv2d(volume, filters, padding="same", **options)
    stride = options["stride"] if isinstance(options["stride"], tuple) else (options["stride"],) * 2
    assert got.shape[:2] == (-(-shape[0] // stride[0]), -(-shape[1] // stride[1]))
    np.testing.assert_allclose(got, expected, atol=1e-5)
    np.testing.assert_allclose(conv2d(volume, filters[:1], padding="same", **options), expected[..., :1],
                               atol=1e-5)
    per_channel = conv2d_per_channel(volume, filters[0], padding="same", **options)
    np.testing.assert_allclose(per_channel.sum(axis=-1), expected[..., 0], atol=1e-5)


@pytest.mark.torch
@pytest.mark.parametrize(("shape", "kernel_hw", "stride", "dilation"),
                         [((7, 8, 3), (3, 3), 2, 1), ((10, 11, 3), (4, 3), 3, 1), ((12, 9, 2), (3, 3), 2, 2)])
def test_same_padding_with_stride_matches_torch_pad_then_conv(shape, kernel_hw, stride, dilation):
    """TensorFlow's SAME as torch computes it: F.pad with (left, right, top, bottom), then a valid conv2d."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    volume = rng.random(shape).astype(np.float32)
    filters = rng.standard_normal((2, *kernel_hw, shape[2])).astype(np.float32)
    pads = []
    for n, k in zip(shape[:2], kernel_hw, strict=True):
        out = -(-n // stride)
        total = max((out - 1) * stride + dilation * (k - 1) + 1 - n, 0)
        pads.append((total // 2, total - total // 2))
    x = torch.from_numpy(np.ascontiguousarray(volume.transpose(2, 0, 1)[None]))
    x = torch.nn.functional.pad(x, (*pads[1], *pads[0]))
    w = torch.from_numpy(np.ascontiguousarray(filters.transpose(0, 3, 1, 2)))
    expected = torch.nn.functional.conv2d(x, w, stride=stride, dilation=dilation)[0].numpy()
    expected = expected.transpose(1, 2, 0)  # (H', W', K)
    got = conv2d(volume, filters, stride=stride, padding="same", dilation=dilation)
    np.testing.assert_allclose(got, expected, atol=1e-5)
