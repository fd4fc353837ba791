"""AppTest flows of the filter designer (ui.lab.designer.panel) and its shareable links (ui.share)."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from convviz import ConvSettings, bank_from_json, bank_to_json, encode_state, load_preset
from convviz.filterbank import transforms as ops
from convviz.filterbank.bank import FilterBank
from convviz.filterbank.edits import blank_bank
from ui import state
from ui.lab.designer.grid import bias_key, weight_key
from ui.lab.designer.panel import PRESET
from ui.lab.designer.tools import ALL_FILTERS, CHANNEL, EXPORT, SEED


def designer_page():
    """The designer alone, framed as the Lab frames it (state, link restore, result fragments that mirror)."""
    import streamlit as st

    from ui import share, state
    from ui.lab import live as lab_live
    from ui.lab.designer.panel import designer_panel

    def stand_in(key: str) -> None:  # the Lab's result panels: weight edits rerun them; they mirror the link
        @st.fragment(key=key)
        def panel() -> None:
            st.caption(f"{key}: weights sum to {float(state.get_bank().weights.sum()):.6f}")
            share.mirror(state.get_bank(), share.current_settings())

        panel()

    state.init_state()
    problem = share.restore_from_url()
    if problem:
        st.warning(problem)
    bank, focus = designer_panel()
    st.caption(f"result: {bank.n_filters} filters, focus {focus}")
    for key in lab_live.RESULT_FRAGMENTS:
        stand_in(key)


def start(query: dict[str, str] | None = None) -> AppTest:
    """Run the designer page once (optionally opened with a query string)."""
    at = AppTest.from_function(designer_page, default_timeout=30)
    at.query_params.update(query or {})
    at.run()
    assert not at.exception
    return at


def bank_of(at: AppTest) -> FilterBank:
    return at.session_state[state.BANK]


def rev_of(at: AppTest) -> int:
    return at.session_state[state.BANK_REV]


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert not at.exception
    return at


def edit(at: AppTest, key: str, value: float) -> AppTest:
    """Type `value` into the number input `key`, then run the whole page once more.

    A weight edit reruns only the keyed result fragments (as in a browser); the second, full run draws the
    rest of the page for the assertions that follow.
    """
    at.number_input(key=key).set_value(value).run()
    assert not at.exception
    at.run()
    assert not at.exception
    return at


def messages(at: AppTest) -> list[str]:
    return [e.value for kind in (at.error, at.warning, at.info, at.success) for e in kind]


def with_prose_of(bank: FilterBank, like: FilterBank) -> FilterBank:
    return bank.replace(description=like.description, source=like.source)


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.get("file_uploader")[0].set_value((name, data, "application/json")).run()
    assert not at.exception
    return at


# --- drawing and editing -------------------------------------------------------------------------------


def test_default_bank_draws_every_weight_of_the_focused_filter():
    """The default bank shows 27 weight inputs and a bias for filter 1, keyed by the revision."""
    at = start()
    rev = rev_of(at)
    bank = bank_of(at)
    for c in range(3):
        for i in range(3):
            for j in range(3):
                assert at.number_input(key=weight_key(rev, 0, c, i, j)).value == bank.weights[0, i, j, c]
    assert at.number_input(key=bias_key(rev, 0)).value == 0.0


def test_editing_a_weight_changes_that_weight_only():
    """Typing 0.5 into R[0, 2] of filter 1 stores it in place (same revision), nothing else changes."""
    at = start()
    before, rev = bank_of(at), rev_of(at)
    edit(at, weight_key(rev, 0, 0, 0, 2), 0.5)
    after = bank_of(at)
    assert after.weights[0, 0, 2, 0] == np.float32(0.5)
    changed = np.argwhere(after.weights != before.weights)
    assert changed.tolist() == [[0, 0, 2, 0]]
    assert rev_of(at) == rev


def test_an_emptied_weight_cell_keeps_the_bank_and_its_grid():
    """Clearing a cell is ignored: the bank is unchanged and that grid (its own fragment) still shows it."""
    at = start()
    before, rev = bank_of(at), rev_of(at)
    at.number_input(key=weight_key(rev, 0, 1, 2, 0)).set_value(None).run()
    assert not at.exception
    np.testing.assert_array_equal(bank_of(at).weights, before.weights)
    edit(at, weight_key(rev, 0, 1, 2, 1), 0.25)  # the grid still answers: the next edit lands
    assert bank_of(at).weights[0, 2, 1, 1] == np.float32(0.25)


def test_a_weight_edit_reruns_the_swatch_and_the_link_with_the_maps():
    """The rerun after a weight edit (result fragments only) redraws the sums and updates the URL."""
    at = start()
    at.number_input(key=weight_key(rev_of(at), 0, 0, 0, 0)).set_value(3.0).run()
    assert not at.exception
    assert any("Sum of the 27 weights: **2**" in m.value for m in at.markdown)
    assert "bank" in at.query_params
    assert not at.get("selectbox")  # the rest of the designer was not redrawn


def test_editing_the_bias_changes_the_bias():
    """The bias input writes the focused filter's bias."""
    at = start()
    edit(at, bias_key(rev_of(at), 0), -0.25)
    assert bank_of(at).bias.tolist() == [-0.25, 0.0]


#: Entries a browser sends (measured in Chromium: the cell has no bounds, so it sends what was typed).
TYPED = [1e30, -1e30, 1e308, 1000.5, -1001.0]
#: Entries a browser never sends: an emptied cell, "nan" (not typeable) and 1e309 (Infinity) go back to the
#: cell's value in the browser itself; here they arrive as a widget that keeps its value.
UNSENT = [None, float("nan"), float("inf")]


@pytest.mark.parametrize("typed", UNSENT, ids=str)
def test_an_entry_the_browser_keeps_back_leaves_cell_and_bank_as_they_were(typed):
    at = start()
    before, key = bank_of(at), weight_key(rev_of(at), 0, 0, 0, 0)
    at.number_input(key=key).set_value(typed).run()
    assert not at.exception
    assert at.number_input(key=key).value == float(before.weights[0, 0, 0, 0])
    np.testing.assert_array_equal(bank_of(at).weights, before.weights)


@pytest.mark.parametrize("typed", TYPED, ids=str)
@pytest.mark.parametrize("what", ["weight", "bias"])
def test_a_value_the_bank_cannot_hold_goes_back_with_the_range(typed, what):
    """An out-of-range, non-finite or empty entry: the cell shows the value in use again, a sentence names
    the range (|w| <= 1000), the bank and its revision are unchanged, and the next edit still lands."""
    at = start()
    before, rev = bank_of(at), rev_of(at)
    key = weight_key(rev, 0, 0, 0, 0) if what == "weight" else bias_key(rev, 0)
    in_use = float(before.weights[0, 0, 0, 0]) if what == "weight" else float(before.bias[0])
    t0 = time.perf_counter()
    at.number_input(key=key).set_value(typed).run()
    assert time.perf_counter() - t0 < 30  # a refusal, not a computation with 1e308
    assert not at.exception
    said = [w.value for w in at.warning if "was not used" in w.value]
    assert len(said) == 1 and "from −1000 to 1000" in said[0], said
    assert at.number_input(key=key).value == in_use
    np.testing.assert_array_equal(bank_of(at).weights, before.weights)
    np.testing.assert_array_equal(bank_of(at).bias, before.bias)
    assert rev_of(at) == rev
    edit(at, key, 0.5)
    assert not [w for w in at.warning if "was not used" in w.value]  # the next edit clears the sentence
    assert (bank_of(at).weights[0, 0, 0, 0] if what == "weight" else bank_of(at).bias[0]) == np.float32(0.5)


def test_the_sentence_quotes_every_digit_typed():
    at = start()
    at.number_input(key=weight_key(rev_of(at), 0, 0, 0, 0)).set_value(1000.5).run()
    assert any("1000.5 was not used" in w.value for w in at.warning)


def test_five_by_five_preset_shows_and_edits_all_75_weights():
    """A 5x5 preset draws 75 weight inputs; editing the corner tap of B changes exactly that weight."""
    at = start()
    at.selectbox(key=PRESET).select("gaussian-blur-5x5").run()
    rev = rev_of(at)
    keys = [weight_key(rev, 0, c, i, j) for c in range(3) for i in range(5) for j in range(5)]
    assert all(at.number_input(key=k) is not None for k in keys)
    edit(at, weight_key(rev, 0, 2, 4, 4), 2.0)
    expected = np.array(load_preset("gaussian-blur-5x5").weights)
    expected[0, 4, 4, 2] = 2.0
    np.testing.assert_array_equal(bank_of(at).weights, expected)


# --- presets, blank, reset -----------------------------------------------------------------------------


def test_switching_presets_loads_the_preset_and_new_widgets():
    """Choosing a preset replaces the bank, focuses filter 1 and bumps the revision (fresh inputs)."""
    at = start()
    rev = rev_of(at)
    at.selectbox(key=PRESET).select("compass-edges").run()
    assert bank_of(at) == load_preset("compass-edges")
    assert at.session_state[state.FOCUS] == 0 and rev_of(at) > rev
    assert at.number_input(key=weight_key(rev_of(at), 0, 0, 0, 0)).value == bank_of(at).weights[0, 0, 0, 0]


def test_blank_starts_one_filter_of_zeros():
    """The blank choice gives one all-zero 3x3x3 filter, and the picker then shows the placeholder."""
    at = start()
    at.selectbox(key=PRESET).select("blank").run()
    assert bank_of(at) == blank_bank(1)
    assert at.selectbox(key=PRESET).value is None


def test_reset_undoes_edits_of_a_preset():
    """After an edit, Reset brings back the preset's own filters."""
    at = start()
    edit(at, weight_key(rev_of(at), 0, 0, 0, 0), 9.0)
    assert not at.button(key="cvd_reset").disabled
    click(at, "cvd_reset")
    assert bank_of(at) == load_preset(state.DEFAULT_PRESET)


# --- the list of filters -------------------------------------------------------------------------------


def test_add_appends_a_zero_filter_and_focuses_it():
    """Add puts an all-zero filter at the end and makes it the one being edited."""
    at = click(start(), "cvd_add")
    bank = bank_of(at)
    assert bank.n_filters == 3 and not bank.weights[2].any()
    assert at.session_state[state.FOCUS] == 2


def test_duplicate_copies_the_focused_filter_after_it():
    """Duplicate inserts an exact copy of filter 1 at position 2."""
    at = click(start(), "cvd_duplicate")
    bank = bank_of(at)
    assert bank.names == ("vertical edges", "vertical edges copy", "horizontal edges")
    np.testing.assert_array_equal(bank.weights[1], bank.weights[0])
    assert at.session_state[state.FOCUS] == 1


def test_remove_deletes_the_focused_filter_and_keeps_one_at_least():
    """Remove deletes filter 1; with one filter left the button is disabled."""
    at = click(start(), "cvd_remove")
    assert bank_of(at).names == ("horizontal edges",)
    assert at.button(key="cvd_remove").disabled


def test_moving_a_filter_down_and_up_reorders_and_follows_it():
    """Moving filter 1 down swaps the two filters and the focus follows; up swaps back."""
    at = click(start(), "cvd_down")
    assert bank_of(at).names == ("horizontal edges", "vertical edges")
    assert at.session_state[state.FOCUS] == 1
    at = click(at, "cvd_up")
    assert bank_of(at) == load_preset(state.DEFAULT_PRESET)


def test_picking_another_filter_shows_its_weights():
    """Picking filter 2 draws its weights."""
    at = start()
    at.pills[0].set_value(1).run()
    bank = bank_of(at)
    assert at.number_input(key=weight_key(rev_of(at), 1, 0, 0, 1)).value == bank.weights[1, 0, 1, 0]


def test_the_bank_holds_at_most_16_filters():
    """Add and duplicate are disabled at 16 filters."""
    at = start()
    at.session_state[state.BANK] = blank_bank(16)
    at.run()
    assert at.button(key="cvd_add").disabled and at.button(key="cvd_duplicate").disabled


def test_renaming_a_filter_keeps_the_new_name():
    """The name box renames the focused filter."""
    at = start()
    at.text_input(key=f"cvd_name{rev_of(at)}_0").input("left minus right").run()
    assert bank_of(at).names[0] == "left minus right"


def test_an_empty_name_is_refused_with_a_message():
    """Clearing the name keeps the old one and says why."""
    at = start()
    at.text_input(key=f"cvd_name{rev_of(at)}_0").input("   ").run()
    assert bank_of(at).names[0] == "vertical edges"
    assert any("not kept" in m for m in messages(at))


def test_markdown_in_names_is_shown_as_typed():
    """A filter name with Markdown (a link) is escaped in the page, never rendered as a link."""
    at = start()
    at.text_input(key=f"cvd_name{rev_of(at)}_0").input("[click](http://x.test)").run()
    pills_text = at.pills[0].options[0]
    assert "\\[click\\]" in pills_text and "](http" not in pills_text


# --- transforms ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "expected"), [
    ("cvd_t_rotate", lambda b: ops.rotate90(b, 0)),
    ("cvd_t_mirror", lambda b: ops.flip(b, 0, direction="left-right")),
    ("cvd_t_flip", lambda b: ops.flip(b, 0, direction="up-down")),
    ("cvd_t_transpose", lambda b: ops.transpose(b, 0)),
    ("cvd_t_negate", lambda b: ops.negate(b, 0)),
    ("cvd_t_zero_mean", lambda b: ops.normalise(b, 0, mode="zero-mean")),
])
def test_transform_buttons_apply_to_the_focused_filter(key, expected):
    """Each transform button gives exactly what convviz.filterbank.transforms gives for filter 1."""
    at = start()
    before = bank_of(at)
    click(at, key)
    assert bank_of(at) == expected(before)


def test_sum_to_one_scales_the_filter():
    """Sum to 1 on a box-blur-like filter divides by its sum."""
    at = start()
    at.selectbox(key=PRESET).select("sharpen").run()
    edit(at, weight_key(rev_of(at), 0, 0, 1, 1), 4.0)
    click(at, "cvd_t_sum1")
    assert bank_of(at).weights.sum() == pytest.approx(1.0, abs=1e-6)


def test_a_refused_transform_leaves_the_bank_and_says_why():
    """Sum to 1 on a zero-sum edge filter is refused with a message; the bank is unchanged."""
    at = start()
    before = bank_of(at)
    click(at, "cvd_t_sum1")
    assert bank_of(at) == before
    assert any("sum to 1" in m and "not applied" in m for m in messages(at))


def test_transforms_can_apply_to_every_filter():
    """With 'to every filter' on, Negate changes both filters."""
    at = start()
    before = bank_of(at)
    at.toggle(key=ALL_FILTERS).set_value(True).run()
    click(at, "cvd_t_negate")
    assert bank_of(at) == ops.negate(before)


def test_zero_and_copy_a_channel():
    """Zero on G clears the G slice; Copy to all with B copies the B slice into R, G and B."""
    at = start()
    before = bank_of(at)
    at.segmented_control(key=CHANNEL).set_value("G").run()
    click(at, "cvd_zero")
    assert bank_of(at) == ops.zero_channel(before, 0, channel=1)
    at.segmented_control(key=CHANNEL).set_value("B").run()
    click(at, "cvd_copy")
    assert bank_of(at) == ops.copy_channel(ops.zero_channel(before, 0, channel=1), 0, channel=2)


def test_random_weights_follow_the_seed():
    """Random with seed 7 gives bank_ops.randomise(seed=7), and the seed moves on to 8."""
    at = start()
    before = bank_of(at)
    at.number_input(key=SEED).set_value(7).run()
    click(at, "cvd_random")
    assert bank_of(at) == ops.randomise(before, 0, seed=7)
    assert at.number_input(key=SEED).value == 8


# --- export and import ---------------------------------------------------------------------------------


class RecordingManager(MediaFileManager):
    """Media file manager that remembers its instances, so a test can click a download (run its callable)."""

    made: list[RecordingManager] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        RecordingManager.made.append(self)

    def download(self, button) -> bytes:
        """The bytes a click on download `button` gives (its deferred callable runs now)."""
        url = self.execute_deferred(button.proto.deferred_file_id)
        return self._storage.get_file(url.rsplit("/", 1)[1].split(".")[0]).content


def test_export_offers_the_bank_as_json(monkeypatch):
    """The download button's file is bank_to_json of the current bank, named after it."""
    monkeypatch.setattr(app_test_module, "MediaFileManager", RecordingManager)
    at = start()
    at.selectbox(key=PRESET).select("luminance-edges").run()
    button = at.get("download_button")[0]
    url = RecordingManager.made[-1].execute_deferred(button.proto.deferred_file_id)
    assert url.endswith(".json")
    data = RecordingManager.made[-1].download(button)
    assert data.decode("utf-8") == bank_to_json(load_preset("luminance-edges"))
    assert bank_from_json(data) == load_preset("luminance-edges")
    assert button.id.endswith(EXPORT)


def test_export_after_a_weight_edit_holds_the_edited_bank(monkeypatch):
    """A weight edit does not redraw the download, yet a click then gives the edited bank."""
    monkeypatch.setattr(app_test_module, "MediaFileManager", RecordingManager)
    at = start()
    button, manager = at.get("download_button")[0], RecordingManager.made[-1]  # AppTest: a manager per run
    at.number_input(key=weight_key(rev_of(at), 0, 0, 0, 0)).set_value(3.0).run()  # result fragments only
    assert not at.exception and not at.get("download_button")
    data = manager.download(button)
    assert bank_from_json(data) == bank_of(at)
    assert bank_from_json(data).weights[0, 0, 0, 0] == np.float32(3.0)


def test_importing_a_valid_file_replaces_the_bank():
    """Uploading a bank file loads it, focuses filter 1, and says what was imported."""
    at = start()
    bank = ops.randomise(blank_bank(3), seed=3).replace(name="mine")
    upload(at, "mine.json", bank_to_json(bank).encode())
    assert bank_of(at) == bank
    assert any("Imported" in m for m in messages(at))


@pytest.mark.parametrize(("data", "words"), [
    (b'{"filters": [{"weights": {"R": [[NaN]], "G": [[0]], "B": [[0]]}}]}', "NaN"),
    (b"not json at all", "JSON"),
    (b'{"filters": []}', "filter"),
    (b"\xff\xfe\x00garbage", "UTF"),
])
def test_importing_a_broken_file_shows_an_error_and_keeps_the_bank(data, words):
    """A broken file gives a friendly error mentioning the problem; the bank stays as it was."""
    at = start()
    before = bank_of(at)
    upload(at, "broken.json", data)
    assert bank_of(at) == before
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "could not be imported" in errors[0]
    assert words.lower() in errors[0].lower(), errors[0]


def test_importing_more_than_16_filters_is_refused():
    """A valid file of 17 filters is refused by the designer (its limit is 16)."""
    at = start()
    before = bank_of(at)
    upload(at, "big.json", bank_to_json(blank_bank(17)).encode())
    assert bank_of(at) == before
    assert any("at most 16" in e.value for e in at.error)


def test_importing_an_oversized_file_is_refused_before_parsing():
    """A 2 MB file is refused by size, with a message."""
    at = start()
    before = bank_of(at)
    upload(at, "huge.json", b" " * 1_300_000)
    assert bank_of(at) == before
    assert any("too big" in e.value for e in at.error)


# --- shareable links -----------------------------------------------------------------------------------


def test_a_first_visit_keeps_a_clean_url():
    """Opening the page without a link writes nothing into the query string."""
    at = start()
    assert not {"bank", "stride", "padding"} & set(at.query_params)


def test_an_edit_is_mirrored_into_the_url_exactly():
    """After a weight edit the URL holds a link that decodes to the edited bank and the Lab's settings."""
    from convviz import decode_state

    at = start()
    edit(at, weight_key(rev_of(at), 0, 2, 2, 2), 0.123456)
    params = {k: v for k, v in at.query_params.items() if isinstance(v, str)}
    bank, settings = decode_state(params)
    assert bank == with_prose_of(bank_of(at), bank)
    assert settings == ConvSettings(padding="same", relu=True)


def test_opening_a_link_restores_bank_and_settings():
    """A link with a bank and settings restores both before the widgets draw."""
    shared = ops.randomise(blank_bank(4), seed=11).replace(name="shared", names=("a", "b", "c", "d"))
    query = encode_state(shared, ConvSettings(stride=2, padding=3, dilation=2, relu=False, pool="max",
                                              pool_size=3))
    at = start(query)
    assert bank_of(at) == shared
    ss = at.session_state
    conv = (ss[state.STRIDE], ss[state.PADDING_MODE], ss[state.PADDING], ss[state.DILATION])
    post = (ss[state.RELU], ss[state.POOL], ss[state.POOL_SIZE], ss[state.POOL_STRIDE])
    assert conv == (2, "custom", 3, 2) and post == (False, "max", 3, 3)
    assert list(at.pills[0].options) == ["1 · a", "2 · b", "3 · c", "4 · d"]
    assert not at.warning


def test_a_restored_link_survives_later_runs():
    """The link is read once: an edit after opening it is kept (the URL does not overwrite it)."""
    shared = ops.randomise(blank_bank(2), seed=5)
    at = start(encode_state(shared))
    edit(at, weight_key(rev_of(at), 0, 0, 0, 0), 0.75)
    assert bank_of(at).weights[0, 0, 0, 0] == np.float32(0.75)


@pytest.mark.parametrize("query", [
    {"bank": "1.not-base64!!"},
    {"bank": "2.abc"},
    {"bank": "1." + "A" * 20_000},
    {"bank": encode_state(blank_bank(1))["bank"][:-6]},
    {"stride": "fast"},
    {"pool": "median"},
    {"bank": encode_state(blank_bank(17))["bank"]},
])
def test_a_broken_link_shows_a_message_and_falls_back_to_defaults(query):
    """A link that cannot be read gives one friendly warning; bank and settings keep their defaults."""
    at = start(query)
    assert bank_of(at) == load_preset(state.DEFAULT_PRESET)
    assert at.session_state[state.STRIDE] == 1 and at.session_state[state.POOL] == "none"
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1 and "could not be read" in warnings[0]
    assert "Traceback" not in warnings[0]


def test_out_of_range_settings_in_a_link_are_clamped():
    """stride=99 and dilation=0 in a link are clamped into their ranges, not refused."""
    query = dict(encode_state(blank_bank(1)), stride="99", dilation="0")
    at = start(query)
    assert at.session_state[state.STRIDE] == 8 and at.session_state[state.DILATION] == 1
    assert not at.warning


def test_long_links_offer_to_round_the_weights():
    """A bank of 16 full-precision filters offers rounding; rounding shortens the link below 2,000."""
    rng = np.random.default_rng(0)
    bank = FilterBank(rng.uniform(-1, 1, (16, 3, 3, 3)) / 3)
    at = start()
    at.session_state[state.BANK] = bank
    at.run()
    click(at, "cvd_shorten")
    rounded = bank_of(at)
    np.testing.assert_allclose(rounded.weights, bank.weights, atol=5e-4 + 1e-7)
    assert len(json.dumps(dict(at.query_params))) < 2_100
    assert not [b for b in at.button if b.key == "cvd_shorten"]  # short now: no more offer


@pytest.mark.parametrize("conv", [
    ConvSettings(),
    ConvSettings(stride=3, padding="valid", dilation=2, relu=True, pool="avg", pool_size=3, pool_stride=2),
    ConvSettings(padding=5, pool="max", pool_size=4),
    ConvSettings(padding="same", pool_size=2, pool_stride=1),
])
def test_lab_settings_and_link_settings_map_both_ways(conv):
    """Core settings written into the Lab's keys read back as the same core settings (one definition)."""
    from ui import share

    values = {key.removeprefix("cv_"): value for key, value in share.lab_values(conv).items()}
    names = {"padding_mode", "padding", "stride", "dilation", "relu", "pool", "pool_size", "pool_stride"}
    lab = state.LabSettings(**{name: values[name] for name in names & values.keys()})
    assert lab.core == conv and lab.conv_kwargs() == conv.conv_kwargs()
