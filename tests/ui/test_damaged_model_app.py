"""A damaged model install shows the model's sentence on /cnn and /networks, never an exception box."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from convviz.lessons.architectures import list_architectures
from convviz.model.files import DEFAULT_MANIFEST
from tests.model.damage import damaged_install

if not DEFAULT_MANIFEST.exists():
    pytest.skip(f"the model weights are not installed ({DEFAULT_MANIFEST} is absent)",
                allow_module_level=True)

# One case per layer of defence: manifest JSON, a field's type, a field's range, the arrays' headers.
CASES = ["truncated manifest", "sha256 is a number", "absurd input side", "npy header claims 4 TiB"]


def _cnn():
    from ui.cnn import page as cnn

    cnn.page()


def _architectures():
    from ui.lessons import architectures

    architectures.page()


@pytest.mark.parametrize("case", CASES)
def test_cnn_page_says_the_network_cannot_be_loaded(monkeypatch, tmp_path, case):
    """/cnn with a damaged copy: one error saying it cannot be loaded, and no exception."""
    from ui.cnn import page as cnn

    monkeypatch.setattr("convviz.model.files.DEFAULT_MANIFEST", damaged_install(tmp_path, case))
    cnn.pretrained.clear()
    try:
        at = AppTest.from_function(_cnn, default_timeout=60).run()
        assert not at.exception
        assert [e.value for e in at.error if "cannot be loaded" in e.value], [e.value for e in at.error]
    finally:
        cnn.pretrained.clear()


@pytest.mark.parametrize("case", CASES[:3])
def test_architecture_page_names_the_damaged_network_and_shows_the_others(monkeypatch, tmp_path, case):
    """/networks with a damaged Tiny VGG manifest: its sentence, and the other networks still listed."""
    monkeypatch.setattr("convviz.lessons.architectures.TINYVGG_MANIFEST", damaged_install(tmp_path, case))
    at = AppTest.from_function(_architectures, default_timeout=60).run()
    assert not at.exception
    assert any("network cannot be shown" in e.value for e in at.error), [e.value for e in at.error]
    assert len(at.selectbox(key="arch_name").options) == len(list_architectures()) - 1
