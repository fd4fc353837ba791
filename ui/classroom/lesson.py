"""A lesson link's own parameters, read as hostile text and written back: pure Python, no Streamlit.

A lesson link is a page address (``/lab``, ``/cnn``, ...) whose query string holds the Lab's shared state
(``bank`` and the settings: :mod:`convviz.share`, format ``convviz.filterbank.v1`` inside) and these:

- ``sample``: a built-in sample's name (``testcard``), or ``upload`` / ``camera``: "use your own photo".
- ``filter``: the focused filter, counted from 1 like every number the app shows (``filter=2``).
- ``hide``: controls to hide, comma-separated names from :data:`HIDEABLE` (``hide=designer,settings``).
- ``present``: ``1`` opens presenter mode.

:func:`read_lesson` never raises on user text: what it cannot use is dropped and named in ``problems``,
sentences that name the parameter but never repeat its text (the page shows them; nothing from the URL
reaches Markdown or HTML).

Examples
--------
>>> lesson, problems = read_lesson({"sample": "scene", "filter": "2", "hide": "designer,settings"},
...                                samples=("testcard", "scene"))
>>> lesson.sample, lesson.focus, sorted(lesson.hide), lesson.present, problems
('scene', 1, ['designer', 'settings'], False, [])
>>> lesson_params(lesson)
{'sample': 'scene', 'filter': '2', 'hide': 'settings,designer'}
>>> read_lesson({"filter": "zero", "hide": "everything"}, samples=("testcard",))[1]
['`filter` must be a whole number from 1 to 64', '`hide` names a control this app does not have']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

#: The controls a lesson link may hide, and what each one is (the share panel lists these words).
HIDEABLE = {
    "nav": "the page menu",
    "input": "the photo chooser",
    "settings": "the settings (stride, padding, ReLU, pooling)",
    "designer": "the filter designer",
    "explain": "the pixel explanation",
    "export": "the downloads",
    "code": "the code panel",
    "classroom": "the presenter switch and the share button",
}
OWN_PHOTO = ("upload", "camera")  # the ``sample`` words that mean "use your own photo"
LESSON_KEYS = ("sample", "filter", "hide", "present")  # the query parameters this module owns
MAX_FILTER = 64  # the most filters a link's bank may hold (convviz.share); the page checks the real count
_MAX_CHARS = 200  # longer text is refused unread


@dataclass(frozen=True)
class Lesson:
    """What a lesson link sets besides the bank and the settings.

    Attributes
    ----------
    sample : str or None
        A sample's name, ``"upload"`` or ``"camera"``; None: the link does not choose the photo.
    focus : int or None
        The focused filter, 0-based (the link writes it counted from 1); None: not set.
    hide : frozenset of str
        Names from :data:`HIDEABLE`.
    present : bool
        Presenter mode.
    """

    sample: str | None = None
    focus: int | None = None
    hide: frozenset[str] = frozenset()
    present: bool = False

    @property
    def empty(self) -> bool:
        """True when the link sets none of these."""
        return self == Lesson()


def _text(params: Mapping[str, object], name: str) -> str | None:
    """The parameter's text, stripped; None when absent. Raises ValueError if it is not short text."""
    if name not in params:
        return None
    value = params[name]
    if not isinstance(value, str) or len(value) > _MAX_CHARS:
        raise ValueError(f"`{name}` is not short text")
    return value.strip()


def read_lesson(params: Mapping[str, object], *, samples: Sequence[str]) -> tuple[Lesson, list[str]]:
    """Read the lesson parameters of a query string; unusable ones are dropped and named.

    Parameters
    ----------
    params : mapping of str to str
        The query parameters (e.g. ``st.query_params``); other keys are ignored.
    samples : sequence of str
        The built-in samples' names.

    Returns
    -------
    lesson : Lesson
        What could be read (defaults for the rest).
    problems : list of str
        One sentence per parameter refused (empty when all were used).
    """
    fields: dict[str, object] = {}
    problems: list[str] = []
    readers = {"sample": lambda t: _sample(t, samples), "filter": _focus, "hide": _hide, "present": _present}
    for name, reader in readers.items():
        try:
            text = _text(params, name)
            if text is not None:
                fields["focus" if name == "filter" else name] = reader(text)
        except ValueError as exc:
            problems.append(str(exc))
    return Lesson(**fields), problems


def _sample(text: str, samples: Sequence[str]) -> str:
    if text in samples or text in OWN_PHOTO:
        return text
    raise ValueError("`sample` names no built-in sample (nor `upload` or `camera`)")


def _focus(text: str) -> int:
    if text.isdigit() and 1 <= int(text) <= MAX_FILTER:
        return int(text) - 1
    raise ValueError(f"`filter` must be a whole number from 1 to {MAX_FILTER}")


def _hide(text: str) -> frozenset[str]:
    names = {name.strip() for name in text.split(",") if name.strip()}
    if not names <= HIDEABLE.keys():
        raise ValueError("`hide` names a control this app does not have")
    return frozenset(names)


def _present(text: str) -> bool:
    if text in ("0", "1"):
        return text == "1"
    raise ValueError("`present` must be 1 or 0")


def lesson_params(lesson: Lesson) -> dict[str, str]:
    """The query parameters of `lesson` (only what it sets; the hidden controls in :data:`HIDEABLE` order)."""
    params: dict[str, str] = {}
    if lesson.sample is not None:
        params["sample"] = lesson.sample
    if lesson.focus is not None:
        params["filter"] = str(lesson.focus + 1)
    if lesson.hide:
        params["hide"] = ",".join(name for name in HIDEABLE if name in lesson.hide)
    if lesson.present:
        params["present"] = "1"
    return params
