"""Pictures by URL (ui/server/media.py): one file per picture, kept per slot, released when replaced; and the
Lab's use of it: an edit gives new URLs only to the pictures it changed."""

from __future__ import annotations

import re
from html import unescape

import numpy as np
from streamlit.testing.v1 import AppTest

from ui import state
from ui.server.media import picture_url

MEDIA_URL = r"(/mock)?/media/[0-9a-f]+\.jpg"  # AppTest's server is at /mock


def test_outside_a_server_a_picture_is_a_data_uri():
    assert picture_url(b"\xff\xd8\xff", "cv_map_sum") == "data:image/jpeg;base64,/9j/"


def _slots_script():
    """Registers pictures in slots, lets Streamlit collect what no key names, and notes what it sees."""
    import streamlit as st
    from streamlit import runtime

    from ui.server.media import picture_url, previous_url

    manager = runtime.get_instance().media_file_mgr

    def alive(url: str) -> bool:
        return manager.read_file(url.rsplit("/", 1)[1].split(".")[0]) is not None

    facts = {}
    one = picture_url(b"one", "x")
    facts["urls"] = (one, picture_url(b"one", "y"), picture_url(b"other", "z"))
    facts["content"] = manager.read_file(one.rsplit("/", 1)[1].split(".")[0]).content
    facts["previous at first"] = previous_url("x")
    two = picture_url(b"two", "x")
    facts["previous after a change"] = previous_url("x") == one
    picture_url(b"free", "y")
    picture_url(b"free too", "y")  # y lets go of "one" (it was y's picture, then the one before)
    manager.remove_orphaned_files()
    facts["kept while the new loads"] = alive(one) and alive(two)
    three = picture_url(b"three", "x")
    picture_url(b"three", "x")  # the same picture again: what came before stays
    manager.remove_orphaned_files()
    facts["after two changes"] = (alive(one), alive(two), alive(three), previous_url("x") == two)
    st.session_state["facts"] = facts


def test_a_slot_holds_its_picture_and_the_one_before():
    at = AppTest.from_function(_slots_script).run()
    facts = at.session_state["facts"]
    one, same, other = facts["urls"]
    assert re.fullmatch(MEDIA_URL, one)
    assert one == same and other != one  # the same bytes are one file, wherever they are shown
    assert facts["content"] == b"one"
    assert facts["previous at first"] is None  # nothing shown before
    assert facts["previous after a change"]  # drawn under the new picture while it loads
    assert facts["kept while the new loads"]
    assert facts["after two changes"] == (False, True, True, True)  # "one" deleted, "two" kept as before


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
    assert all(re.fullmatch(MEDIA_URL, src) for src in before.values())
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
    assert re.fullmatch("/school/lab" + MEDIA_URL, at.session_state["url"])
