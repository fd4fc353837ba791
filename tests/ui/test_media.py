"""Pictures by URL (ui/server/media.py): one file per picture, kept per slot, released when replaced; and the
Lab's use of it: an edit gives new URLs only to the pictures it changed."""

from __future__ import annotations

import re
from html import unescape

import numpy as np
from streamlit.testing.v1 import AppTest

from ui import state
from ui.server.media import picture_url


def test_outside_a_server_a_picture_is_a_data_uri():
    assert picture_url(b"\xff\xd8\xff", "cv_map_sum") == "data:image/jpeg;base64,/9j/"


def _slots_script():
    """Each run registers the bytes named in session state in two slots and notes what it sees."""
    import streamlit as st
    from streamlit import runtime

    from ui.server.media import picture_url, previous_url

    data = st.session_state.get("data", b"first")
    a = picture_url(data, "a")
    st.session_state["urls"] = (a, picture_url(data, "b"), picture_url(b"other", "c"), picture_url(data, "a"))
    st.session_state["previous"] = previous_url("a")
    manager = runtime.get_instance().media_file_mgr
    old = st.session_state.get("old_id")
    st.session_state["old_alive"] = None if old is None else manager.read_file(old) is not None
    st.session_state["content"] = manager.read_file(a.rsplit("/", 1)[1].split(".")[0]).content


def test_a_slot_holds_one_picture_and_says_what_it_showed_before():
    at = AppTest.from_function(_slots_script).run()
    a, b, c, again = at.session_state["urls"]
    assert re.fullmatch(r"(/mock)?/media/[0-9a-f]+\.jpg", a)  # AppTest's server is at /mock
    assert a == b == again and c != a  # the same bytes are one file, wherever they are shown
    assert at.session_state["content"] == b"first"
    assert at.session_state["previous"] is None  # nothing shown before
    at.session_state["old_id"] = a.rsplit("/", 1)[1].split(".")[0]
    at.session_state["data"] = b"second"
    at.run()
    new = at.session_state["urls"][0]
    assert new != a and at.session_state["previous"] == a  # drawn under the new picture while it loads
    assert at.session_state["content"] == b"second"
    at.run()  # the first run's file is no slot's any more: Streamlit deleted it after the last run
    assert at.session_state["old_alive"] is False
    assert at.session_state["previous"] == a  # a rerun with the same picture keeps what came before


def _lab():
    from ui.lab import page as lab

    lab.page()


def _sources(at: AppTest) -> dict[str, str]:
    """Each map's picture URL by its figure class (cv_map_ch0 .. cv_thumb_<k>)."""
    html = "".join(unescape(h.proto.body) for h in at.get("html"))
    return dict(re.findall(r"<figure class='cv-map (cv_\w+)'[^>]*><img src='([^']+)'", html))


def test_an_edit_gives_new_urls_only_to_the_pictures_it_changed():
    """No picture is inline; a small red-weight edit changes the red map, the sum, the ReLU and their slice
    of the volume (which is the ReLU picture itself), and leaves green, blue and filter 2's slice alone."""
    at = AppTest.from_function(_lab, default_timeout=60).run()
    assert not at.exception
    before = _sources(at)
    assert set(before) == {"cv_map_ch0", "cv_map_ch1", "cv_map_ch2", "cv_map_sum", "cv_map_relu",
                           "cv_thumb_0", "cv_thumb_1"}
    assert all(re.fullmatch(r"(/mock)?/media/[0-9a-f]+\.jpg", src) for src in before.values())
    assert before["cv_thumb_0"] == before["cv_map_relu"]
    bank = at.session_state[state.BANK]
    weights = bank.weights.copy()
    weights[0, 0, 1, 0] += np.float32(0.01)  # filter 1, red slice, row 1, column 2
    at.session_state[state.BANK] = bank.replace(weights=weights)
    at.run()
    assert not at.exception
    after = _sources(at)
    changed = {name for name in before if after[name] != before[name]}
    assert changed == {"cv_map_ch0", "cv_map_sum", "cv_map_relu", "cv_thumb_0"}
    assert after["cv_thumb_0"] == after["cv_map_relu"]


def _base_path_script():
    import streamlit as st

    from ui.server.media import picture_url

    st.session_state["url"] = picture_url(b"x", "a")


def test_the_url_starts_with_the_servers_base_path():
    """Behind a proxy at /school/lab/ (``server.baseUrlPath``) the page must ask for /school/lab/media/..."""
    from streamlit import config

    old = config.get_option("server.baseUrlPath")
    config.set_option("server.baseUrlPath", "/school/lab/")
    try:
        at = AppTest.from_function(_base_path_script).run()
    finally:
        config.set_option("server.baseUrlPath", old)
    assert re.fullmatch(r"/school/lab(/mock)?/media/[0-9a-f]+\.jpg", at.session_state["url"])
