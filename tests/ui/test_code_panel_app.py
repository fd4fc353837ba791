"""AppTest of the Lab's Code panel: NumPy and PyTorch code for the current bank and settings, kept live."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from convviz import conv2d, relu
from ui import state

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _run() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    return at


def _scripts(at: AppTest) -> list[str]:
    return [c.value for c in at.code if "sliding_window_view" in c.value or "F.conv2d" in c.value]


def _execute(code: str, image: np.ndarray) -> np.ndarray:
    namespace = {"image": np.array(image)}
    exec(compile(code, "<code panel>", "exec"), namespace)
    return namespace["output"]


def test_code_panel_shows_numpy_and_torch_code_that_gives_the_labs_output():
    """Two scripts with downloads; the NumPy one, run on the Lab's image, gives the Lab's output volume."""
    at = _run()
    numpy_code, torch_code = _scripts(at)
    assert "np.einsum" in numpy_code and "F.conv2d" in torch_code
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download conv_numpy.py" in labels and "Download conv_torch.py" in labels
    image, bank = at.session_state[state.IMAGE].array, at.session_state[state.BANK]
    expected = relu(conv2d(image, bank.weights, bank.bias, padding="same"))  # the Lab's defaults
    np.testing.assert_allclose(_execute(numpy_code, image), expected, rtol=0, atol=1e-5)


def test_code_follows_a_weight_edit():
    """Editing one weight reruns only the live panels, the code among them: it holds the new weight."""
    at = _run()
    key = f"cv_w{at.session_state[state.BANK_REV]}_0_0_1_1"
    at.number_input(key=key).set_value(2.5).run()
    assert not at.exception
    bank = at.session_state[state.BANK]
    assert bank.weights[0, 1, 1, 0] == 2.5
    numpy_code = _scripts(at)[0]
    image = at.session_state[state.IMAGE].array
    expected = relu(conv2d(image, bank.weights, bank.bias, padding="same"))
    np.testing.assert_allclose(_execute(numpy_code, image), expected, rtol=0, atol=1e-5)


def test_code_follows_the_settings():
    """Stride 2, valid padding and max pooling appear in both scripts."""
    at = _run()
    at.selectbox(key=state.PADDING_MODE).set_value("valid").run()
    at.number_input(key=state.STRIDE).set_value(2).run()
    at.selectbox(key=state.POOL).set_value("max").run()
    assert not at.exception
    numpy_code, torch_code = _scripts(at)
    assert "windows = windows[::2, ::2]" in numpy_code and "pools.max(axis=(3, 4))" in numpy_code
    assert "stride=2, padding=0, dilation=1" in torch_code and "F.max_pool2d(y, kernel_size=2, stride=2)" \
        in torch_code


def test_same_padding_with_a_stride_shows_tensorflows_same_in_code():
    """'same' padding with stride 2 (TensorFlow's SAME since issue 14; it was refused before) gets code that
    works the padding out from the image's size, and the NumPy script reproduces the Lab's output."""
    at = _run()
    at.selectbox(key=state.PADDING_MODE).set_value("same").run()
    at.number_input(key=state.STRIDE).set_value(2).run()
    assert not at.exception
    scripts = _scripts(at)
    assert scripts and all("same_padding(image.shape[0]" in s for s in scripts)
    assert not any(i.value.startswith("No code for these settings") for i in at.info)
