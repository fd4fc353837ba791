"""The map panels' HTML pieces (ui/draw/map_figures.py)."""

from __future__ import annotations

from ui.draw.map_figures import figure_html, legend_html, note_html


def test_a_figure_keeps_its_place_and_shows_the_old_picture_while_the_new_loads():
    html = figure_html("cv_map_sum", "/media/new.jpg", (192, 256), "a <b> map", "sum & bias",
                       before="/media/old.jpg")
    assert "class='cv-map cv_map_sum'" in html and "src='/media/new.jpg'" in html
    assert "width='256' height='192'" in html  # (height, width) in: the img's box is reserved
    assert "background:url(&quot;/media/old.jpg&quot;)" in html
    assert "a &lt;b&gt; map" in html and "sum &amp; bias" in html
    assert "background" not in figure_html("cv_map_sum", "/media/a.jpg", (1, 1), "", "", "/media/a.jpg")
    assert "background" not in figure_html("cv_map_sum", "/media/a.jpg", (1, 1), "", "")


def test_a_note_and_the_legend_escape_and_state_the_rule():
    assert "&lt;i&gt;" in note_html("<i>")
    shared = legend_html(shared=2.5, rule="bulk", grey=False, clipped=3, size=1000)
    assert "purple −2.5 · white 0 · orange +2.5" in shared and "0.3 % of the values shown" in shared
    per_map = legend_html(shared=None, rule="max", grey=True)
    assert "black 0 · white +s" in per_map and "exact largest |value|" in per_map and "beyond" not in per_map
