"""Practice questions on convolution: generated from a seed, checked, and wrong answers explained.

Two kinds of question:

- ``"shape"``: an input ``H x W x C``, K filters of ``k x k x C``, stride, padding and dilation; what is the
  output shape ``(H', W', K)``? A wrong answer is explained with the output-size formula, numbers filled in.
- ``"value"``: a 3x3x3 window of integers, a 3x3x3 filter of integers and a bias; what is the output value? A
  wrong answer is explained with the 27 products, the per-channel sums and the bias.

The same seed always gives the same question.

Examples
--------
>>> from convviz.lessons.quiz import check_answer, make_question
>>> q = make_question(7, kind="shape")
>>> check_answer(q, q.answer).correct
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from convviz._validate import int_in_range
from convviz.errors import ConvvizValueError
from convviz.image.modes import CHANNEL_NAMES
from convviz.numbers import fmt
from convviz.ops.explain import explain_pixel
from convviz.ops.shapes import output_size, output_size_formula

__all__ = ["KINDS", "ShapeQuestion", "ValueQuestion", "Verdict", "check_answer", "make_question"]

KINDS = ("shape", "value")


@dataclass(frozen=True)
class ShapeQuestion:
    """What shape does a conv layer output? ``answer`` is ``(H', W', K)``.

    Attributes
    ----------
    seed : int
        The seed the question was made from.
    height, width, channels : int
        The input volume ``(H, W, C)``.
    filters, kernel : int
        K filters, each ``kernel x kernel x C``.
    stride, padding, dilation : int
        The settings (same along both axes; zero padding on each side).
    """

    seed: int
    height: int
    width: int
    channels: int
    filters: int
    kernel: int
    stride: int
    padding: int
    dilation: int
    kind = "shape"

    @property
    def answer(self) -> tuple[int, int, int]:
        """The output shape ``(H', W', K)``."""
        return (self._size(self.height), self._size(self.width), self.filters)

    def _size(self, n: int) -> int:
        return output_size(n, self.kernel, stride=self.stride, padding=self.padding, dilation=self.dilation)

    @property
    def prompt(self) -> str:
        """The question in words."""
        plural = "s" if self.filters > 1 else ""
        return (f"An input volume of {self.height}×{self.width}×{self.channels} goes through {self.filters} "
                f"filter{plural} of {self.kernel}×{self.kernel}×{self.channels} with "
                f"stride {self.stride}, zero padding {self.padding} and dilation {self.dilation}. "
                "What is the shape of the output volume (H′ × W′ × K)?")


@dataclass(frozen=True, eq=False)  # arrays inside: compare questions by their seed, not with ==
class ValueQuestion:
    """What value does one filter give on one 3x3x3 window? ``answer`` is the sum of products plus bias.

    Attributes
    ----------
    seed : int
        The seed the question was made from.
    window : ndarray, shape (3, 3, 3), float32
        Input values (integers), channels R, G, B.
    weights : ndarray, shape (3, 3, 3), float32
        The filter (integers).
    bias : float
        The filter's bias (an integer).
    """

    seed: int
    window: np.ndarray
    weights: np.ndarray
    bias: float
    kind = "value"

    @property
    def answer(self) -> float:
        """The output value (before any ReLU): the explained sum of the 27 products plus the bias."""
        return self._explained.total

    def explanation(self):
        """The :class:`~convviz.ops.explain.PixelExplanation` of the value (the window is the whole input)."""
        return self._explained

    @cached_property  # computed once per question (a frozen dataclass without slots has a __dict__)
    def _explained(self):
        return explain_pixel(self.window, self.weights, [self.bias], y=0, x=0)

    @property
    def prompt(self) -> str:
        """The question in words."""
        return ("A 3×3×3 filter sits on this 3×3×3 window of the input. What value does it write into the "
                "output map (sum of the 27 products plus the bias, before ReLU)?")


@dataclass(frozen=True)
class Verdict:
    """The result of checking an answer.

    Attributes
    ----------
    correct : bool
    expected, given
        The right answer and the answer checked.
    explanation : str
        How the right answer is computed, numbers filled in (and a hint at the likely slip when it was wrong).
    """

    correct: bool
    expected: object
    given: object
    explanation: str


def make_question(seed: int, *, kind: str | None = None) -> ShapeQuestion | ValueQuestion:
    """Generate a question from `seed`; the same seed and kind always give the same question.

    Parameters
    ----------
    seed : int
        Any integer >= 0.
    kind : {"shape", "value"}, optional
        The kind of question; chosen from the seed if omitted.

    Returns
    -------
    ShapeQuestion or ValueQuestion

    Examples
    --------
    >>> make_question(3, kind="value").window.shape
    (3, 3, 3)
    """
    seed = int_in_range(seed, "seed", low=0)
    if kind not in (None, *KINDS):
        raise ConvvizValueError(f"`kind` must be None or one of {KINDS}, got {kind!r}")
    rng = np.random.default_rng(seed)
    if kind is None:
        kind = KINDS[int(rng.integers(len(KINDS)))]
    return _shape_question(seed, rng) if kind == "shape" else _value_question(seed, rng)


def _shape_question(seed: int, rng: np.random.Generator) -> ShapeQuestion:
    while True:  # draw until the window fits (most draws do; the loop ends after a few at most)
        side = int(rng.integers(5, 65))
        width = side if rng.random() < 0.6 else int(rng.integers(5, 65))
        kernel = int(rng.choice([1, 2, 3, 3, 3, 5, 5, 7]))
        stride = int(rng.choice([1, 1, 2, 2, 3]))
        padding = int(rng.integers(0, kernel // 2 + 2))
        dilation = int(rng.choice([1, 1, 1, 2, 3]))
        question = ShapeQuestion(
            seed=seed, height=side, width=width, channels=int(rng.choice([1, 3, 3, 8, 16, 32])),
            filters=int(rng.choice([1, 4, 6, 8, 10, 16, 32, 64])), kernel=kernel, stride=stride,
            padding=padding, dilation=dilation,
        )
        if _size_or_none(question) is not None:  # output_size refuses a window that does not fit
            return question


def _value_question(seed: int, rng: np.random.Generator) -> ValueQuestion:
    window = rng.integers(0, 10, size=(3, 3, 3)).astype(np.float32)  # (3, 3, C), pixel-like values
    weights = rng.integers(-2, 3, size=(3, 3, 3)).astype(np.float32)  # (3, 3, C)
    window.setflags(write=False)
    weights.setflags(write=False)
    return ValueQuestion(seed=seed, window=window, weights=weights, bias=float(rng.integers(-3, 4)))


def check_answer(question: ShapeQuestion | ValueQuestion, answer) -> Verdict:
    """Check `answer` against `question` and explain the right answer.

    Parameters
    ----------
    question : ShapeQuestion or ValueQuestion
    answer : (int, int, int) or float
        ``(H', W', K)`` for a shape question, a number for a value question.

    Returns
    -------
    Verdict

    Examples
    --------
    >>> q = make_question(1, kind="value")
    >>> check_answer(q, q.answer + 1).correct
    False
    """
    if isinstance(question, ShapeQuestion):
        given = _shape_answer(answer)
        expected = question.answer
        return Verdict(given == expected, expected, given, _explain_shape(question, given))
    if isinstance(question, ValueQuestion):
        if isinstance(answer, bool) or not isinstance(answer, (int, float, np.integer, np.floating)):
            raise ConvvizValueError(f"`answer` must be a number, got {answer!r}")
        expected = question.answer
        given = float(answer)
        return Verdict(abs(given - expected) < 1e-6, expected, given, _explain_value(question, given))
    raise ConvvizValueError(f"`question` must come from make_question, got {type(question).__name__}")


def _shape_answer(answer) -> tuple[int, int, int]:
    if not isinstance(answer, (tuple, list)) or len(answer) != 3:
        raise ConvvizValueError(f"`answer` must be an (H', W', K) triple of ints, got {answer!r}")
    return tuple(int_in_range(v, "answer", low=0) for v in answer)


def _explain_shape(q: ShapeQuestion, given: tuple[int, int, int]) -> str:
    settings = {"stride": q.stride, "padding": q.padding, "dilation": q.dilation}
    lines = [
        f"H′ = {output_size_formula(q.height, q.kernel, **settings)}",
        f"W′ = {output_size_formula(q.width, q.kernel, **settings)}",
        f"K = {q.filters}: the output has one map per filter.",
    ]
    expected = q.answer
    hints = []
    if given[2] != q.filters:
        hints.append(f"The depth of the output is the number of filters ({q.filters}), "
                     f"not the depth of the input ({q.channels}).")
    if given[:2] != expected[:2]:
        without_padding = _size_or_none(q, padding=0)
        without_dilation = _size_or_none(q, dilation=1)
        if q.padding and given[:2] == without_padding:
            hints.append(f"That is the size without padding: add {q.padding} zeros on each side "
                         f"(2·{q.padding}).")
        elif q.dilation > 1 and given[:2] == without_dilation:
            span = q.dilation * (q.kernel - 1) + 1
            hints.append(f"Dilation {q.dilation} spreads the {q.kernel}×{q.kernel} kernel over "
                         f"{span}×{span} pixels: use d·(k−1) + 1 = {span}.")
        elif q.stride > 1:
            hints.append(f"With stride {q.stride}, divide by {q.stride} and round down before adding 1.")
    return "\n".join(lines + hints)


def _size_or_none(q: ShapeQuestion, **change) -> tuple[int, int] | None:
    settings = {"stride": q.stride, "padding": q.padding, "dilation": q.dilation, **change}
    try:
        return tuple(output_size(n, q.kernel, **settings) for n in (q.height, q.width))
    except ValueError:
        return None


def _explain_value(q: ValueQuestion, given: float) -> str:
    e = q.explanation()
    lines = []
    for c, name in enumerate(CHANNEL_NAMES):
        pairs = zip(e.window[..., c].ravel(), e.weights[..., c].ravel(), strict=True)
        terms = " + ".join(f"{_num6(a)}·{_paren(w)}" for a, w in pairs)
        lines.append(f"{name}: {terms} = {_num6(e.channel_sums[c])}")
    sums = " + ".join(_paren(s) for s in e.channel_sums)
    lines.append(f"Sum: {sums} + bias {_paren(e.bias)} = {_num6(e.total)}")
    if abs(given - e.total) >= 1e-6:
        if abs(given - (e.total - e.bias)) < 1e-6 and e.bias:
            lines.append("You left out the bias: it is added once, after the 27 products.")
        elif any(abs(given - (s + e.bias)) < 1e-6 for s in e.channel_sums):
            lines.append("A 3×3×3 filter adds the products of all three channels, not just one.")
        elif given == max(e.total, 0.0):
            lines.append("That is the value after ReLU; the question asks for the value before it.")
    return "\n".join(lines)


def _paren(v: float) -> str:
    """Negative numbers in parentheses, so ``2·(−1)`` reads unambiguously."""
    return f"({_num6(v)})" if v < 0 else _num6(v)


def _num6(v: float) -> str:
    """A number in an explanation: whole numbers exactly, others to 6 significant digits."""
    return fmt(v, digits=6)
