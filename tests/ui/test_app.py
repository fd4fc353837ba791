"""AppTest smoke tests: the app's pages run without an exception."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def test_default_page_runs_without_exception():
    """The default page (the Volume Lab) renders with the built-in sample and no exception."""
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert at.title[0].value == "Volume Lab"
    assert len(at.get("image")) >= 4  # the RGB image and its three channel planes, then the maps


def test_server_config_is_the_classroom_one():
    """`.streamlit/config.toml` hides tracebacks, caps uploads and skips the post-run full GC."""
    tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from Python 3.11")
    config = tomllib.loads((Path(APP).parent / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    assert config["server"]["maxUploadSize"] == 20
    # gc.collect(2) after every run cost 65-75 ms of each weight edit (docs/benchmarks.md, Volume Lab).
    assert config["runner"]["postScriptGC"] is False
