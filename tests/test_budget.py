"""The budget report's measuring and its table (the figures themselves are a benchmark)."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from authoring.budget import MAX_RSS_NO_TF, MAX_RSS_TF, Measurement, measure, table


def test_measure_reports_time_memory_and_tf_and_leaves_the_file_alone(tmp_path):
    path = tmp_path / "tiny.ipynb"
    nbformat.write(
        new_notebook(cells=[new_code_cell("x = bytearray(50 * 1024**2)\nprint(len(x))")]), path
    )
    before = path.read_text()
    (result,) = measure([path])
    assert result.notebook == f"{tmp_path.name}/tiny.ipynb"
    assert 0 < result.seconds < 60
    assert 50 * 1024**2 < result.peak_rss < MAX_RSS_NO_TF
    assert result.uses_tensorflow is False
    assert path.read_text() == before


def test_budgets_depend_on_tensorflow_and_the_table_flags_overruns():
    light = Measurement("a.ipynb", 10.0, 300 * 1024**2, False)
    heavy_ok = Measurement("b.ipynb", 50.0, 900 * 1024**2, True)
    over = Measurement("c.ipynb", 10.0, 500 * 1024**2, False)
    slow = Measurement("d.ipynb", 75.0, 100 * 1024**2, False)
    assert light.within_budget and heavy_ok.within_budget
    assert not over.within_budget and not slow.within_budget
    assert heavy_ok.rss_budget == MAX_RSS_TF
    text = table([light, heavy_ok, over, slow])
    assert text.count("OVER BUDGET") == 2 and "900" in text and "peak RSS MB" in text
