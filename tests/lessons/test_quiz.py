"""Quiz: deterministic questions, right and wrong answers, and explanations with the numbers filled in."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convviz import conv2d, output_size
from convviz.lessons.quiz import ShapeQuestion, ValueQuestion, check_answer, make_question


def test_same_seed_gives_the_same_question():
    """Two questions made from one seed are identical, for both kinds and for a seed-chosen kind."""
    assert make_question(11, kind="shape") == make_question(11, kind="shape")
    a, b = make_question(11, kind="value"), make_question(11, kind="value")
    np.testing.assert_array_equal(a.window, b.window)
    np.testing.assert_array_equal(a.weights, b.weights)
    assert a.bias == b.bias
    assert type(make_question(5)) is type(make_question(5))


def test_seeds_give_both_kinds_and_varied_questions():
    """Over 40 seeds both kinds appear, and shape questions are not all alike."""
    questions = [make_question(s) for s in range(40)]
    kinds = {q.kind for q in questions}
    assert kinds == {"shape", "value"}
    shapes = {(q.height, q.kernel, q.stride) for q in questions if isinstance(q, ShapeQuestion)}
    assert len(shapes) > 5


@settings(max_examples=80)
@given(st.integers(0, 10**9))
def test_shape_answer_is_the_output_size_formula(seed):
    """The expected shape is output_size along H and W, and the number of filters as depth."""
    q = make_question(seed, kind="shape")
    settings_ = {"stride": q.stride, "padding": q.padding, "dilation": q.dilation}
    h = output_size(q.height, q.kernel, **settings_)
    w = output_size(q.width, q.kernel, **settings_)
    assert q.answer == (h, w, q.filters)


def test_shape_answer_matches_a_real_convolution():
    """Running conv2d with the question's settings gives exactly the expected shape."""
    q = make_question(4, kind="shape")
    vol = np.zeros((q.height, q.width, q.channels), dtype=np.float32)
    bank = np.zeros((q.filters, q.kernel, q.kernel, q.channels), dtype=np.float32)
    out = conv2d(vol, bank, stride=q.stride, padding=q.padding, dilation=q.dilation)
    assert out.shape == q.answer


@settings(max_examples=40)
@given(st.integers(0, 10**9))
def test_value_answer_matches_conv2d(seed):
    """The expected value equals conv2d of the window with the filter and bias."""
    q = make_question(seed, kind="value")
    assert q.answer == conv2d(q.window, q.weights, [q.bias])[0, 0, 0]


def test_right_shape_answer_is_correct():
    """The right shape is accepted."""
    q = make_question(2, kind="shape")
    assert check_answer(q, q.answer).correct


def test_wrong_depth_is_explained():
    """Answering the input depth as output depth is wrong, and the hint says depth = number of filters."""
    q = ShapeQuestion(seed=0, height=32, width=32, channels=3, filters=8, kernel=5, stride=1, padding=0,
                      dilation=1)
    v = check_answer(q, (28, 28, 3))
    assert not v.correct and v.expected == (28, 28, 8)
    assert "number of filters (8)" in v.explanation


def test_wrong_shape_explanation_fills_in_the_formula():
    """The explanation of a wrong shape shows the formula with the question's numbers."""
    q = ShapeQuestion(seed=0, height=7, width=8, channels=1, filters=1, kernel=3, stride=2, padding=0,
                      dilation=1)
    v = check_answer(q, (4, 4, 1))
    assert not v.correct
    assert "H′ = (7 + 2·0 − 1·(3−1) − 1) / 2 + 1 = 3" in v.explanation
    assert "W′ = ⌊(8 + 2·0 − 1·(3−1) − 1) / 2⌋ + 1 = 3" in v.explanation


def test_forgotten_padding_is_diagnosed():
    """The size computed without padding gets a hint about the padding."""
    q = ShapeQuestion(seed=0, height=10, width=10, channels=3, filters=4, kernel=3, stride=1, padding=1,
                      dilation=1)
    assert "without padding" in check_answer(q, (8, 8, 4)).explanation


def test_forgotten_dilation_is_diagnosed():
    """The size computed as if dilation were 1 gets a hint about the dilated span."""
    q = ShapeQuestion(seed=0, height=10, width=10, channels=3, filters=4, kernel=3, stride=1, padding=0,
                      dilation=2)
    assert "spreads" in check_answer(q, (8, 8, 4)).explanation


def _value_question():
    window = np.arange(27, dtype=np.float32).reshape(3, 3, 3) % 5  # (3, 3, C)
    weights = np.tile(np.array([1, 0, -1], dtype=np.float32), (3, 3, 1)).transpose(0, 2, 1)  # (3, 3, C)
    return ValueQuestion(seed=0, window=window, weights=weights, bias=2.0)


def test_right_value_answer_is_correct():
    """The right value is accepted, as an int or a float."""
    q = _value_question()
    assert check_answer(q, q.answer).correct
    assert check_answer(q, int(q.answer)).correct


def test_wrong_value_explanation_lists_the_products():
    """A wrong value gets the 27 products written out per channel, the channel sums and the bias."""
    q = _value_question()
    e = q.explanation()
    v = check_answer(q, q.answer + 3)
    assert not v.correct
    lines = v.explanation.splitlines()
    assert [line.split(":")[0] for line in lines[:3]] == ["R", "G", "B"]
    assert all(line.count("·") == 9 for line in lines[:3])
    assert lines[3].endswith(f"bias 2 = {e.total:g}".replace("-", "−"))


def test_forgotten_bias_is_diagnosed():
    """Answering the sum of products without the bias gets a hint about the bias."""
    q = _value_question()
    assert "bias" in check_answer(q, q.answer - q.bias).explanation.splitlines()[-1]


def test_one_channel_only_is_diagnosed():
    """Answering one channel's sum plus bias gets a hint that all three channels are added."""
    q = _value_question()  # channel sums 2, 2, -3 and bias 2: R alone gives 4, the answer is 3
    assert "all three channels" in check_answer(q, 4).explanation


def test_value_explanation_sums_to_the_answer():
    """The per-channel sums plus the bias equal the expected answer."""
    q = make_question(9, kind="value")
    e = q.explanation()
    assert float(e.channel_sums.sum()) + q.bias == q.answer


@pytest.mark.parametrize("bad", [(1, 2), "3x3x8", (1.5, 2, 3)])
def test_malformed_shape_answer_is_refused(bad):
    """A shape answer that is not a triple of ints raises ValueError naming `answer`."""
    with pytest.raises(ValueError, match="answer"):
        check_answer(make_question(0, kind="shape"), bad)


def test_bad_kind_is_refused():
    """An unknown question kind raises and lists the kinds."""
    with pytest.raises(ValueError, match="shape"):
        make_question(0, kind="pooling")
