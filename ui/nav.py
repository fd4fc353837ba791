"""The one page registry: each page's entry function, title, icon and URL path.

``app.py`` builds the navigation from :data:`PAGES`, and a page that sends the user to another page calls
:func:`switch_to` with that page's URL path, so no page imports another page's module and every page is
one ``st.Page`` definition.

Every page is served at its own path, the default page too (``/lab`` is the Lab, the address a teacher
writes on the board). Streamlit serves a ``default=True`` page only at ``/`` (its public ``url_path`` is
``""``, and ``/lab`` then shows "Page not found"), so no registry page is Streamlit's default: a hidden
page at ``/`` sends the visitor on to the default page's own path, keeping the query string (a link).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class PageInfo:
    """One page: ``module.page()`` draws it at ``/<url_path>`` (the `default` one also at ``/``)."""

    module: str
    title: str
    icon: str
    url_path: str
    default: bool = False


PAGES = (
    PageInfo("ui.lab.page", "Volume Lab", ":material/science:", "lab", default=True),
    PageInfo("ui.lessons.worked_examples", "Worked examples", ":material/calculate:", "examples"),
    PageInfo("ui.lessons.blocks", "Building blocks", ":material/widgets:", "blocks"),
    PageInfo("ui.lessons.architectures", "Architectures", ":material/account_tree:", "networks"),
    PageInfo("ui.cnn.page", "Inside a CNN", ":material/neurology:", "cnn"),
    PageInfo("ui.lessons.quiz", "Quiz", ":material/quiz:", "quiz"),
)


HOME = "home"  # the hidden page at ``/``; its own path is never shown (it forwards at once)


def st_page(info: PageInfo) -> st.Page:
    """The ``st.Page`` of one registry entry (its module is imported on first use)."""
    entry = importlib.import_module(info.module).page
    return st.Page(entry, title=info.title, icon=info.icon, url_path=info.url_path)


def _home() -> None:
    """``/``: forward to the default page's own path with the same query parameters (a shared link)."""
    default = next(info for info in PAGES if info.default)
    st.switch_page(st_page(default), query_params=st.query_params.to_dict())


def pages(infos: tuple[PageInfo, ...] = PAGES) -> list[st.Page]:
    """Every page of the app, in menu order, for ``st.navigation``, and the hidden forwarder at ``/``."""
    default = next(info for info in infos if info.default)
    home = st.Page(_home, title=default.title, icon=default.icon, url_path=HOME, default=True,
                   visibility="hidden")
    return [home, *(st_page(info) for info in infos)]


def find(url_path: str) -> PageInfo:
    """The registry entry of `url_path` (ValueError naming it if there is none)."""
    for info in PAGES:
        if info.url_path == url_path:
            return info
    raise ValueError(f"`url_path` must be one of {[i.url_path for i in PAGES]}, got {url_path!r}")


def switch_to(url_path: str) -> None:
    """Send the user to the page at `url_path` (for a button or an action on another page)."""
    st.switch_page(st_page(find(url_path)))
