"""Practice: generated questions on output shapes and output values, checked and explained, with a score.

Each question comes from a seed (shown as the question number, so a teacher can give the class the same one);
:mod:`convviz.lessons.quiz` generates, checks and explains it. The score counts each question's first answer;
a first wrong answer earns a second try before the answer and its working are shown. The answer boxes start
empty (a 0 already typed in would be a guess nobody made).
"""

from __future__ import annotations

import secrets

import streamlit as st

from convviz.lessons.quiz import KINDS, ShapeQuestion, check_answer, make_question
from convviz.numbers import fmt
from ui.draw.colours import CHANNEL_COLOURS
from ui.draw.grids import grid_html, show_equation, show_row

SEED = "quiz_seed"
KIND = "quiz_kind"
RIGHT = "quiz_right"  # int: questions answered right at the first try
ASKED = "quiz_asked"  # int: questions answered (first answers only)
SCORED = "quiz_scored"  # set of (kind, seed) already counted
VERDICT = "quiz_verdict"  # (kind, seed, Verdict) of the last check
TRIES = "quiz_tries"  # (kind, seed, wrong answers so far): a first wrong answer earns a second try
MAX_TRIES = 2  # wrong answers before the full answer is shown
ANSWER_KEYS = ("quiz_h", "quiz_w", "quiz_k", "quiz_value")
MAX_SEED = 999_999
KIND_WORDS = {"mixed": "Mixed", "shape": "Output shape", "value": "Output value"}


def init_state() -> None:
    """The quiz's session state, defined once."""
    ss = st.session_state
    ss.setdefault(SEED, secrets.randbelow(MAX_SEED + 1))
    ss.setdefault(RIGHT, 0)
    ss.setdefault(ASKED, 0)
    ss.setdefault(SCORED, set())


def _new_question() -> None:
    """Button callback: a fresh random question, empty answer boxes."""
    st.session_state[SEED] = secrets.randbelow(MAX_SEED + 1)
    for key in (*ANSWER_KEYS, VERDICT, TRIES):
        st.session_state.pop(key, None)


def _record(kind: str, seed: int, correct: bool) -> None:
    """Count the first answer to each question in the score."""
    ss = st.session_state
    if (kind, seed) in ss[SCORED]:
        return
    ss[SCORED] = ss[SCORED] | {(kind, seed)}
    ss[ASKED] += 1
    ss[RIGHT] += int(correct)


def _count_try(kind: str, seed: int, correct: bool) -> None:
    """Count the wrong answers to this question (a new question starts from 0)."""
    tries = st.session_state.get(TRIES, (kind, seed, 0))
    wrong = tries[2] if tries[:2] == (kind, seed) else 0
    st.session_state[TRIES] = (kind, seed, wrong + (not correct))


def score_panel() -> None:
    ss = st.session_state
    cols = st.columns(3)
    cols[0].metric("Score", f"{ss[RIGHT]} / {ss[ASKED]}")
    cols[1].metric("Right at the first try", f"{100 * ss[RIGHT] / ss[ASKED]:.0f} %" if ss[ASKED] else "–")
    if cols[2].button("Reset the score", key="quiz_reset"):
        ss[RIGHT], ss[ASKED], ss[SCORED] = 0, 0, set()
        st.rerun()


def _shape_form(q: ShapeQuestion):
    st.markdown(f"### {q.prompt}")
    with st.form("quiz_shape_form"):
        cols = st.columns(3)
        h = cols[0].number_input("H′ (height)", 0, 10_000, None, step=1, key="quiz_h")
        w = cols[1].number_input("W′ (width)", 0, 10_000, None, step=1, key="quiz_w")
        k = cols[2].number_input("K (depth)", 0, 10_000, None, step=1, key="quiz_k")
        if st.form_submit_button("Check", type="primary"):
            if None in (h, w, k):
                st.warning("Fill in all three boxes, then check.")
                return None
            return (int(h), int(w), int(k))
    return None


def _value_form(q):
    st.markdown(f"### {q.prompt}")
    for c, name in enumerate("RGB"):
        show_row(grid_html(q.window[..., c], caption=f"{name}: input window", colour=CHANNEL_COLOURS[c]),
                 grid_html(q.weights[..., c], caption=f"{name}: filter weights", colour=CHANNEL_COLOURS[c]))
    show_equation(f"bias = {fmt(q.bias)}")
    with st.form("quiz_value_form"):
        value = st.number_input("Output value", -10_000.0, 10_000.0, None, step=1.0, key="quiz_value")
        if st.form_submit_button("Check", type="primary"):
            if value is None:
                st.warning("Type your value, then check.")
                return None
            return float(value)
    return None


def verdict_panel(kind: str, seed: int) -> None:
    """The last check of this question: right or wrong, and the working."""
    last = st.session_state.get(VERDICT)
    if last is None or last[:2] != (kind, seed):
        return
    verdict = last[2]
    tries = st.session_state.get(TRIES, (kind, seed, 0))
    wrong = tries[2] if tries[:2] == (kind, seed) else 0
    if verdict.correct:
        st.success("Right!" if wrong == 0 else "Right, at the second try!")
    elif wrong < MAX_TRIES:
        st.warning("Not quite. Check your working and try once more: the answer is shown after a second "
                   "wrong try.")
        return
    else:
        expected = (" × ".join(map(str, verdict.expected)) if isinstance(verdict.expected, tuple)
                    else f"{verdict.expected:g}")
        st.error(f"Not quite: the answer is {expected}.")
    with st.expander("How it is computed", expanded=not verdict.correct):
        for line in verdict.explanation.splitlines():
            show_equation(line)


def page() -> None:
    init_state()
    st.title("Quiz")
    st.caption("Work it out on paper, then check. Each question has a number: give the same number to the "
               "class and everyone gets the same question.")
    score_panel()
    cols = st.columns([2, 2, 1])
    mode = cols[0].radio("Questions", ("mixed", *KINDS), key=KIND, horizontal=True,
                         format_func=KIND_WORDS.get)
    seed = int(cols[1].number_input("Question number", 0, MAX_SEED, step=1, key=SEED))
    cols[2].button("New question", key="quiz_new", on_click=_new_question, type="primary")
    q = make_question(seed, kind=None if mode == "mixed" else mode)
    answer = _shape_form(q) if isinstance(q, ShapeQuestion) else _value_form(q)
    if answer is not None:
        verdict = check_answer(q, answer)
        _record(q.kind, seed, verdict.correct)
        st.session_state[VERDICT] = (q.kind, seed, verdict)
        _count_try(q.kind, seed, verdict.correct)
        st.rerun()  # redraw the score with this answer counted
    verdict_panel(q.kind, seed)
