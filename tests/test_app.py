"""AppTest smoke tests: the app's pages run without an exception."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def test_default_page_runs_without_exception():
    """The default page (the Volume Lab) renders with the built-in sample and no exception."""
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert at.title[0].value == "Volume Lab"
    assert len(at.get("image")) >= 4  # the RGB image and its three channel planes, then the maps
