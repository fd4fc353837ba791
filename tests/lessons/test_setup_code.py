"""The generated NumPy and PyTorch code reproduces convviz's pipeline for random banks and settings."""

from __future__ import annotations

import numpy as np
import pytest

from convviz import (
    ConvSettings,
    ConvvizValueError,
    FilterBank,
    avg_pool2d,
    conv2d,
    load_preset,
    max_pool2d,
    relu,
)
from convviz.lessons.setup_code import setup_code
from convviz.settings import INT_LIMITS

N_SETUPS = 200


def _pipeline(image: np.ndarray, bank: FilterBank, settings: ConvSettings) -> np.ndarray:
    """What the Lab computes: conv2d, then ReLU, then pooling, (H', W', K)."""
    out = conv2d(image, bank.weights, bank.bias, **settings.conv_kwargs())
    if settings.relu:
        out = relu(out)
    if settings.pool != "none":
        pool = max_pool2d if settings.pool == "max" else avg_pool2d
        out = pool(out, settings.pool_size, stride=settings.pool_stride)
    return out


def _random_setup(rng: np.random.Generator) -> tuple[np.ndarray, FilterBank, ConvSettings]:
    """A random bank (odd kernels 1-7, K 1-4, C 1-3), settings within ConvSettings' limits and an image
    just big enough (plus a random margin) for the conv and the pool to keep at least one output."""
    kh, kw = (int(v) for v in rng.choice([1, 3, 5, 7], size=2))
    k, c = int(rng.integers(1, 5)), int(rng.integers(1, 4))
    weights = rng.normal(0.0, 0.5, (k, kh, kw, c))
    bank = FilterBank(weights, rng.normal(0.0, 0.3, k), name="random")
    stride = int(rng.integers(1, INT_LIMITS["stride"][1] + 1)) if rng.random() < 0.6 else 1
    dilation = int(rng.integers(1, INT_LIMITS["dilation"][1] + 1)) if rng.random() < 0.5 else 1
    roll = rng.random()
    if roll < 0.2:
        padding = "same"  # at a stride > 1, TensorFlow's SAME: ceil(n / stride) outputs
    elif roll < 0.35:
        padding = "valid"
    else:
        padding = int(rng.integers(0, INT_LIMITS["padding"][1] + 1))
    pool = str(rng.choice(["none", "max", "avg"]))
    pool_size = int(rng.integers(1, INT_LIMITS["pool_size"][1] + 1))
    pool_stride = None if rng.random() < 0.5 else int(rng.integers(1, INT_LIMITS["pool_stride"][1] + 1))
    settings = ConvSettings(stride=stride, padding=padding, dilation=dilation, relu=bool(rng.random() < 0.5),
                            pool=pool, pool_size=pool_size, pool_stride=pool_stride)
    pad = {"valid": 0, "same": None}.get(padding, padding) if isinstance(padding, str) else padding
    need_out = pool_size if pool != "none" else 1

    def side(kernel: int) -> int:
        span = dilation * (kernel - 1) + 1
        if pad is None:  # "same": ceil(n / stride) outputs
            return max((need_out - 1) * stride + 1, 1)
        return max(1, (need_out - 1) * stride + span - 2 * pad)

    h = side(kh) + int(rng.integers(0, 12))
    w = side(kw) + int(rng.integers(0, 12))
    image = rng.random((h, w, c), dtype=np.float32)
    return image, bank, settings


def _run(code: str, image: np.ndarray) -> np.ndarray:
    namespace = {"image": image.copy()}
    exec(compile(code, "<setup_code>", "exec"), namespace)  # a fresh namespace per setup
    return np.asarray(namespace["output"])


def _setups(seed: int):
    rng = np.random.default_rng(seed)
    return [_random_setup(rng) for _ in range(N_SETUPS)]


def test_numpy_code_reproduces_the_pipeline_on_200_random_setups():
    """For 200 random banks, settings and images the executed NumPy code equals convviz within 1e-5."""
    worst = 0.0
    for image, bank, settings in _setups(20):
        expected = _pipeline(image, bank, settings)
        got = _run(setup_code(bank, settings, framework="numpy"), image)
        assert got.shape == expected.shape and got.dtype == np.float32, (bank, settings)
        worst = max(worst, float(np.max(np.abs(got - expected))))
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5, err_msg=f"{bank} {settings}")
    assert worst < 1e-5


@pytest.mark.torch
def test_torch_code_reproduces_the_pipeline_on_200_random_setups():
    """For the same kind of 200 setups the executed PyTorch code equals convviz within 1e-5."""
    pytest.importorskip("torch")
    for image, bank, settings in _setups(21):
        expected = _pipeline(image, bank, settings)
        got = _run(setup_code(bank, settings, framework="torch"), image)
        assert got.shape == expected.shape and got.dtype == np.float32, (bank, settings)
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5, err_msg=f"{bank} {settings}")


@pytest.mark.parametrize("framework", ["numpy", "torch"])
def test_the_code_holds_every_weight_exactly(framework):
    """The numbers written into the code read back as the bank's float32 weights, bit for bit."""
    rng = np.random.default_rng(3)
    magnitudes = 10.0 ** rng.integers(-7, 3, (2, 3, 5, 3))  # from 1e-7 to 100
    bank = FilterBank(np.clip(rng.normal(0, 1, (2, 3, 5, 3)) * magnitudes, -999, 999), rng.normal(0, 1, 2),
                      name="tiny")
    code = setup_code(bank, ConvSettings(), framework=framework)
    literal = code[code.index("weights = ") + len("weights = "):]
    literal = literal[literal.index("(") + 1: literal.index("], dtype=") + 1]
    values = np.array(eval(literal), dtype=np.float32)  # a plain nested list of numbers
    assert np.array_equal(values, bank.weights.transpose(0, 3, 1, 2))


def test_numpy_code_does_not_use_convviz():
    """The NumPy version is plain NumPy: sliding_window_view and einsum, no convviz import."""
    code = setup_code(load_preset("vertical-horizontal-edges"), ConvSettings(padding="same"),
                      framework="numpy")
    assert "convviz" not in code.replace("convviz's Volume Lab", "")
    assert "sliding_window_view" in code and "np.einsum" in code


def test_torch_code_uses_conv2d_with_the_settings():
    """The torch version calls F.conv2d with stride, padding and dilation, then ReLU and the pool."""
    settings = ConvSettings(stride=2, padding=3, dilation=2, relu=True, pool="avg", pool_size=3,
                            pool_stride=1)
    code = setup_code(load_preset("vertical-horizontal-edges"), settings, framework="torch")
    assert "F.conv2d(x, weights, bias, stride=2, padding=3, dilation=2)" in code
    assert "F.relu(y)" in code and "F.avg_pool2d(y, kernel_size=3, stride=1)" in code
    assert "(K, C, kh, kw)" in code and "(1, C, H, W)" in code


def test_filter_names_stay_inside_comments():
    """A filter name with quotes and a line separator cannot break out of its comment."""
    bank = FilterBank(np.ones((1, 1, 1, 1)), names=("x'\u2028output = 0 #",), name="odd")
    code = setup_code(bank, ConvSettings(), framework="numpy")
    out = _run(code, np.full((2, 2, 1), 0.5, np.float32))
    assert out.tolist() == [[[0.5], [0.5]], [[0.5], [0.5]]]


def test_unknown_framework_is_refused_by_name():
    """framework must be "numpy" or "torch"; the error names the argument and the choices."""
    with pytest.raises(ConvvizValueError, match=r"`framework` must be one of \['numpy', 'torch'\]"):
        setup_code(load_preset("vertical-horizontal-edges"), ConvSettings(), framework="jax")


def test_bank_and_settings_types_are_checked():
    """A raw array for the bank, or a dict for the settings, is refused with the argument's name."""
    bank = load_preset("vertical-horizontal-edges")
    with pytest.raises(ConvvizValueError, match="`bank` must be a FilterBank"):
        setup_code(np.ones((1, 3, 3, 3)), ConvSettings(), framework="numpy")
    with pytest.raises(ConvvizValueError, match="`settings` must be a convviz.ConvSettings"):
        setup_code(bank, {"stride": 1}, framework="numpy")


def test_same_padding_with_a_stride_is_tensorflows_same():
    """'same' with stride 2 pads like convviz.conv2d (TensorFlow's SAME), from the image's own size."""
    bank = load_preset("vertical-horizontal-edges")
    settings = ConvSettings(stride=2, padding="same")
    for shape in ((7, 9, 3), (8, 8, 3)):
        image = np.random.default_rng(shape[0]).random(shape, dtype=np.float32)
        want = conv2d(image, bank.weights, bank.bias, stride=2, padding="same")
        assert want.shape[:2] == (-(-shape[0] // 2), -(-shape[1] // 2))
        got = _run(setup_code(bank, settings, framework="numpy"), image)
        np.testing.assert_allclose(got, want, atol=1e-5)
