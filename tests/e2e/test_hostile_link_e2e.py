"""Browser test of crafted share links (issue 17, item 1): their refusal renders no link and no image.

Each link puts Markdown, HTML or an autolink into a parameter the app reads (``relu``, ``pool``, the bank's
``format``) or one it ignores; the page must show the refusal with the payload as text, and hold no ``<a>``
or ``<img>`` pointing off the app's host, nor request anything from another host.
"""

from __future__ import annotations

import base64
import json
import zlib
from urllib.parse import urlencode, urlsplit

import pytest

from convviz import bank_to_json, load_preset
from convviz.share import BANK_VERSION
from tests.e2e.helpers import assert_no_exception, open_app, screenshot

pytestmark = pytest.mark.e2e


def _bank_with_format(fmt: str) -> str:
    doc = json.loads(bank_to_json(load_preset("sobel-vertical")))
    doc["format"] = fmt
    packed = zlib.compress(json.dumps(doc).encode("utf-8"), 9, wbits=-15)
    return BANK_VERSION + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


CASES = {  # the settings' parameters hold at most 16 characters (longer ones are refused by length)
    "relu-image": ({"relu": "![](//evil.io/x)"}, "![](//evil.io/x)"),
    "pool-link": ({"pool": "[Login](//evil)"}, "[Login](//evil)"),
    "relu-html": ({"relu": "<img src=//evil>"}, "<img src=//evil>"),
    "pool-url": ({"pool": "https://evil.io"}, "https://evil.io"),
    "relu-www": ({"relu": "www.evil.io"}, "www.evil.io"),
    "format-link": ({"bank": _bank_with_format("[Log in again](//evil.example)")}, "[Log in again]"),
    "format-image": ({"bank": _bank_with_format("![](//evil.example/x.png)")}, "![](//evil.example/x.png)"),
    "format-html": ({"bank": _bank_with_format("<img src=//evil.example/y onerror=alert(1)>")}, "<img src="),
    "format-bidi": ({"bank": _bank_with_format("gnp.\u202eexe")}, "gnp."),
}

_OFF_HOST = """host => [...document.querySelectorAll('a[href], img[src], [src]')]
    .map(e => e.href || e.src || '')
    .filter(u => u && !u.startsWith('data:') && !u.startsWith('blob:'))
    .filter(u => new URL(u, location.href).host !== host)"""


@pytest.mark.parametrize(("query", "shown"), CASES.values(), ids=CASES.keys())
def test_a_crafted_link_renders_no_link_or_image(page, query, shown):
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    open_app(page, "lab?" + urlencode(query))
    warning = page.locator("[data-testid='stAlert']", has_text="could not be read")
    warning.first.wait_for(timeout=30_000)
    assert_no_exception(page)
    assert shown in warning.first.inner_text()  # the payload is quoted, as text
    host = urlsplit(page.app_url).netloc
    assert page.evaluate(_OFF_HOST, host) == []
    assert warning.first.locator("a, img").count() == 0
    assert not [u for u in requests if urlsplit(u).scheme in ("http", "https") and urlsplit(u).netloc != host]
    assert not set(warning.first.inner_text()) & set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    if "pool" in query and "Login" in query["pool"]:
        screenshot(page, "screenshot-hostile-link")


def test_an_unknown_parameter_is_ignored_and_never_rendered(page):
    open_app(page, "lab?" + urlencode({"zz": "[Log in again](//evil.example)", "x": "![](//evil.example/z)"}))
    assert_no_exception(page)
    assert page.get_by_text("Log in again").count() == 0
    assert page.evaluate(_OFF_HOST, urlsplit(page.app_url).netloc) == []
