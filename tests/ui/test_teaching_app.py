"""AppTest flows of the teaching pages: worked examples (stepping, editing, flipping, playing), building
blocks, architecture explorer and quiz (right and wrong answers, score)."""

import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from convviz import conv2d, list_samples, load_preset, load_sample
from convviz.lessons.architectures import architecture_table, list_architectures
from convviz.lessons.parameters import connectivity_comparison
from convviz.lessons.quiz import make_question
from convviz.lessons.worked_examples import load_worked_example
from convviz.ops.shapes import conv_geometry


def _teaching():
    from ui.lessons import worked_examples as teaching

    teaching.page()


def _blocks():
    from ui.lessons import blocks

    blocks.page()


def _architectures():
    from ui.lessons import architectures

    architectures.page()


def _quiz():
    from ui.lessons import quiz

    quiz.page()


def _run(script) -> AppTest:
    at = AppTest.from_function(script, default_timeout=60).run()
    assert not at.exception
    return at


def _html(at: AppTest) -> str:
    """All markdown of the page (the number grids are HTML tables in markdown)."""
    return "\n".join(m.value for m in at.markdown)


def _text(at: AppTest) -> str:
    """The page's markdown with tags removed: what a reader sees."""
    return re.sub(r"<[^>]+>", " ", _html(at))


def _step_heading(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("#### Step"))


def _equation(at: AppTest) -> str:
    return next(line for line in _text(at).splitlines() if "after ReLU" in line).strip()


# --- worked examples -------------------------------------------------------------------------------------

def test_worked_example_shows_the_textbook_map():
    """The default example shows the 5x5 grid, the kernel and the map [[-1,-5,-3],[-5,-7,1],[-5,-2,6]]."""
    at = _run(_teaching)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", _html(at).split("output map 1")[1].split("</table>")[0])
    assert cells == ["−1", "−5", "−3", "−5", "−7", "1", "−5", "−2", "6"]


def test_slider_moves_the_window_and_explains_the_value():
    """Step 5 of 9 is output (2, 2): its products sum to -7, the map value there."""
    at = _run(_teaching)
    at.slider(key="teach_step").set_value(5).run()
    assert not at.exception
    assert _step_heading(at) == "#### Step 5 of 9: output row 2, column 2 of filter 1"
    assert _equation(at) == "sum of the products −7 + bias 0 = −7; after ReLU: 0"


def test_next_and_back_buttons_step_the_window():
    """Next moves one position on, Back one position back, clamped at the first."""
    at = _run(_teaching)
    at.button(key="teach_next").click().run()
    assert _step_heading(at).startswith("#### Step 2 of 9")
    at.button(key="teach_back").click().run()
    at.button(key="teach_back").click().run()
    assert _step_heading(at).startswith("#### Step 1 of 9")


def test_play_then_pause_toggles_and_ticks_advance():
    """Play starts playing; a due tick advances one step; Pause stops."""
    at = _run(_teaching)
    at.button(key="teach_play").click().run()
    assert at.session_state["teach_playing"] is True
    assert at.button(key="teach_play").label.endswith("Pause")
    at.session_state["teach_last_tick"] = 0.0  # the interval has passed: the next run is a tick
    at.run()
    assert _step_heading(at).startswith("#### Step 2 of 9")
    at.button(key="teach_play").click().run()
    assert at.session_state["teach_playing"] is False


def test_speed_change_while_playing_redefines_the_timer():
    """Choosing "fast" while playing gives the fragment's timer the fast interval."""
    at = _run(_teaching)
    at.button(key="teach_play").click().run()
    at.select_slider(key="teach_speed").set_value("fast").run()
    assert not at.exception
    assert at.session_state["teach_timer"] == 0.6


def test_playing_stops_at_the_last_position():
    """A tick at the last position stops playing."""
    at = _run(_teaching)
    at.slider(key="teach_step").set_value(8).run()
    at.button(key="teach_play").click().run()
    at.session_state["teach_step"] = 8
    at.session_state["teach_last_tick"] = 0.0
    at.run()
    assert not at.exception
    assert _step_heading(at).startswith("#### Step 9 of 9")
    assert at.session_state["teach_playing"] is False


def test_editing_an_input_cell_changes_the_output():
    """Changing input (1, 0) from 4 to 50 changes output (0, 0) from -1 to 45, as conv2d says."""
    at = _run(_teaching)
    at.session_state["teach_edit_edge-5x5_in0"] = {"edited_rows": {1: {"0": 50.0}}, "added_rows": [],
                                                   "deleted_rows": []}
    at.run()
    assert not at.exception
    ex = load_worked_example("edge-5x5")
    volume = ex.volume.copy()
    volume[1, 0, 0] = 50
    expected = conv2d(volume, ex.filters, ex.bias)[0, 0, 0]
    assert expected == 45
    assert _equation(at) == "sum of the products 45 + bias 0 = 45; after ReLU: 45"


def test_editing_the_bias_shifts_every_value():
    """A bias of 2 adds 2 to the explained value."""
    at = _run(_teaching)
    at.number_input(key="teach_edit_edge-5x5_b0").set_value(2.0).run()
    at.slider(key="teach_step").set_value(5).run()
    assert _equation(at) == "sum of the products −7 + bias 2 = −5; after ReLU: 0"


def test_cleared_cell_counts_as_zero_with_a_warning():
    """An emptied editor cell is read as 0 and the page says so."""
    at = _run(_teaching)
    at.session_state["teach_edit_edge-5x5_in0"] = {"edited_rows": {0: {"0": None}}, "added_rows": [],
                                                   "deleted_rows": []}
    at.run()
    assert not at.exception
    assert any("count as 0" in w.value for w in at.warning)
    assert _equation(at) == "sum of the products −2 + bias 0 = −2; after ReLU: 0"  # 1·1 dropped from -1


def test_flip_toggle_gives_true_convolution():
    """Flipping the edge kernel negates this example's map, and the page says all 9 values differ."""
    at = _run(_teaching)
    at.toggle(key="teach_flip").set_value(True).run()
    assert any("9 of 9 output values differ" in w.value for w in at.warning)
    at.slider(key="teach_step").set_value(5).run()
    assert _equation(at) == "sum of the products 7 + bias 0 = 7; after ReLU: 7"


def test_two_filter_example_explains_each_filter():
    """On the 6x6x3 two-filter example, every step of filter 2 explains conv2d's value."""
    at = _run(_teaching)
    at.selectbox(key="teach_example").set_value("volume-two-filters").run()
    at.radio(key="teach_k").set_value(1).run()
    ex = load_worked_example("volume-two-filters")
    out = conv2d(ex.volume, ex.filters, ex.bias)
    for step in (1, 7, 16):
        at.slider(key="teach_step").set_value(step).run()
        y, x = divmod(step - 1, 4)
        assert _step_heading(at).startswith(f"#### Step {step} of 16")
        assert _equation(at).split(" = ")[-1].startswith(f"{out[y, x, 1]:g}".replace("-", "−") + ";")


# --- building blocks -------------------------------------------------------------------------------------

def test_blocks_formula_follows_the_settings():
    """Stride 2, padding 1 on a 7-grid with a 3-kernel shows the filled-in formula and a 4x4 output."""
    at = _run(_blocks)
    at.slider(key="blocks_n").set_value(7).run()
    at.slider(key="blocks_s").set_value(2).run()
    at.slider(key="blocks_p").set_value(1).run()
    assert not at.exception
    assert "H′ = W′ = (7 + 2·1 − 1·(3−1) − 1) / 2 + 1 = 4" in _text(at)
    assert "output 4×4 (window sums)" in _html(at)


def test_blocks_impossible_settings_are_explained_not_raised():
    """A dilated kernel too large for the grid shows a message instead of an exception."""
    at = _run(_blocks)
    at.slider(key="blocks_k").set_value(5).run()
    at.slider(key="blocks_d").set_value(3).run()
    assert not at.exception
    assert any("output would be empty" in e.value for e in at.error)


def test_blocks_average_pooling_and_softmax():
    """Average pooling shows the mean arithmetic; the softmax probabilities are shown."""
    at = _run(_blocks)
    at.radio(key="blocks_pool_mode").set_value("average").run()
    assert not at.exception
    assert re.search(r"\(\d( \+ \d){3}\) / 4 = ", _text(at))
    assert "probability" in _text(at)


def test_blocks_weight_sharing_counts():
    """For the Lab's default image, bank and settings the table shows the three exact parameter counts."""
    from ui import state

    at = _run(_blocks)
    bank = load_preset(state.DEFAULT_PRESET)
    k, kh, kw, _ = bank.weights.shape
    shape = load_sample(list_samples("image")[0]).array.shape
    g = conv_geometry(shape[0], shape[1], (kh, kw), **state.LabSettings().conv_kwargs())
    counts = connectivity_comparison(shape, (g.out_h, g.out_w, k), (kh, kw))
    text = _text(at)
    for n in (counts.conv, counts.locally_connected, counts.dense):
        assert f"{n:,}" in text


# --- architectures ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list_architectures())
def test_explorer_shows_each_network_with_its_total(name):
    """Each network renders; the parameters metric equals the calculator's total."""
    at = _run(_architectures)
    at.selectbox(key="arch_name").set_value(name).run()
    assert not at.exception
    total = architecture_table(name).total_params
    assert at.metric[3].value == f"{total:,}"
    assert f"{total:,}" in _text(at)


def test_explorer_shows_receptive_fields():
    """The table has receptive-field and jump columns: AlexNet's last pool 195 px, VGG-16's pool5 212 px."""
    at = _run(_architectures)
    for name, layer, size in (("alexnet", "features.12", "195"), ("vgg16", "pool5", "212")):
        at.selectbox(key="arch_name").set_value(name).run()
        assert not at.exception
        table = next(m.value for m in at.markdown if "<table class='cvt'>" in m.value)
        assert "receptive field (px)" in table and "jump (px)" in table
        assert re.search(rf"<td>{layer}</td><td>max pool</td><td>[^<]*</td><td class=n>0</td>"
                         rf"<td class=n>{size}</td><td class=n>32</td>", table)


def test_explorer_opens_residual_blocks():
    """For ResNet-18 the toggle adds the layers inside each block (e.g. the downsample conv)."""
    at = _run(_architectures)
    at.selectbox(key="arch_name").set_value("resnet18").run()
    assert "layer2.0.downsample.0" not in _text(at)
    at.toggle(key="arch_inner").set_value(True).run()
    assert "layer2.0.downsample.0" in _text(at)


# --- quiz ------------------------------------------------------------------------------------------------

def _quiz_at(kind: str, seed: int) -> AppTest:
    at = AppTest.from_function(_quiz, default_timeout=60)
    at.session_state["quiz_seed"] = seed
    at.session_state["quiz_kind"] = kind
    return at.run()


def test_quiz_right_shape_answer_scores():
    """The right output shape is accepted and the score becomes 1 / 1."""
    at = _quiz_at("shape", 12)
    h, w, k = make_question(12, kind="shape").answer
    at.number_input(key="quiz_h").set_value(h)
    at.number_input(key="quiz_w").set_value(w)
    at.number_input(key="quiz_k").set_value(k)
    at.button[-1].click().run()  # the form's Check button
    assert not at.exception
    assert [s.value for s in at.success] == ["Right!"]
    assert at.metric[0].value == "1 / 1"


def test_quiz_boxes_start_empty_and_an_empty_check_is_not_an_answer():
    """The answer boxes start empty; checking with a box empty asks for it and scores nothing."""
    at = _quiz_at("shape", 12)
    assert [at.number_input(key=k).value for k in ("quiz_h", "quiz_w", "quiz_k")] == [None, None, None]
    at.button[-1].click().run()
    assert any("Fill in all three boxes" in w.value for w in at.warning)
    assert at.metric[0].value == "0 / 0"
    at = _quiz_at("value", 5)
    assert at.number_input(key="quiz_value").value is None


def test_quiz_wrong_shape_answer_gets_a_second_try_then_is_explained():
    """A first wrong shape asks for a second try (no answer shown); a second wrong one shows the answer and
    the formula with the numbers; the score counts the first answer: 0 / 1."""
    at = _quiz_at("shape", 12)
    q = make_question(12, kind="shape")
    h, w, _ = q.answer
    at.number_input(key="quiz_h").set_value(h)
    at.number_input(key="quiz_w").set_value(w)
    at.number_input(key="quiz_k").set_value(q.channels)  # the classic slip: input depth for output depth
    at.button[-1].click().run()
    assert not at.error and any("try once more" in w.value for w in at.warning)
    assert f"K = {q.filters}" not in _text(at)
    assert at.metric[0].value == "0 / 1"
    at.button[-1].click().run()  # the same slip again
    assert any("the answer is" in e.value for e in at.error)
    assert f"K = {q.filters}: the output has one map per filter." in _text(at)
    assert at.metric[0].value == "0 / 1"


def test_quiz_value_right_then_wrong_and_score_counts_first_answers():
    """A right value scores; answering again does not count twice; a new question answered wrong then right
    scores its first answer (1 / 2); one answered wrong twice shows the answer and its working."""
    at = _quiz_at("value", 5)
    q = make_question(5, kind="value")
    at.number_input(key="quiz_value").set_value(q.answer)
    at.button[-1].click().run()
    assert [s.value for s in at.success] == ["Right!"]
    at.button[-1].click().run()  # the same answer again
    assert at.metric[0].value == "1 / 1"
    at.button(key="quiz_new").click().run()
    seed = at.session_state["quiz_seed"]
    q2 = make_question(seed, kind="value")
    at.number_input(key="quiz_value").set_value(q2.answer + 1)
    at.button[-1].click().run()
    assert not at.exception and not at.error  # a second try first
    at.number_input(key="quiz_value").set_value(q2.answer)
    at.button[-1].click().run()
    assert [s.value for s in at.success] == ["Right, at the second try!"]
    assert at.metric[0].value == "1 / 2"  # the first answer counts
    at.button(key="quiz_new").click().run()
    q3 = make_question(at.session_state["quiz_seed"], kind="value")
    at.number_input(key="quiz_value").set_value(q3.answer + 1)
    at.button[-1].click().run()
    at.button[-1].click().run()
    assert any("the answer is" in e.value for e in at.error)
    assert "bias" in _text(at) and "·" in _text(at)  # the products are written out
    assert at.metric[0].value == "1 / 3"


def test_quiz_reset_clears_the_score():
    """Reset sets the score back to 0 / 0."""
    at = _quiz_at("shape", 3)
    at.button[-1].click().run()
    at.button(key="quiz_reset").click().run()
    assert at.metric[0].value == "0 / 0"


def test_worked_example_grid_numbers_match_conv2d():
    """Every output cell the overview prints for the two-filter example equals conv2d's map."""
    at = _run(_teaching)
    at.selectbox(key="teach_example").set_value("volume-two-filters").run()
    ex = load_worked_example("volume-two-filters")
    out = conv2d(ex.volume, ex.filters, ex.bias)
    for f in range(2):
        table = _html(at).split(f"output map {f + 1}</caption>")[1].split("</table>")[0]
        cells = [float(c.replace("−", "-")) for c in re.findall(r"<td[^>]*>([^<]*)</td>", table)]
        np.testing.assert_array_equal(np.reshape(cells, (4, 4)), out[..., f])
