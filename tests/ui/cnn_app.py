"""The "Inside a CNN" page run alone in an AppTest (shared by the CNN page's UI tests)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from convviz.model.files import DEFAULT_MANIFEST


def skip_without_weights() -> None:
    """Skip the calling test module when the model's weights are not installed."""
    if not DEFAULT_MANIFEST.exists():
        pytest.skip(f"the model weights are not installed ({DEFAULT_MANIFEST} is absent)",
                    allow_module_level=True)


def cnn_page():
    """The CNN page as an AppTest script (the import runs inside the script)."""
    from ui.cnn import page as cnn

    cnn.page()


def run_cnn(script=cnn_page) -> AppTest:
    """Run `script` once and check that no exception reached the page."""
    at = AppTest.from_function(script, default_timeout=60).run()
    assert not at.exception
    return at
