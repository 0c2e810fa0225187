"""Stored outputs that hold on any machine: the printed-floats inventory, the exact rank
correlation, stable sorts, and the code paths ``python -m authoring test-paths`` runs."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from authoring import floats, paths
from course.strategy import scoring

ROOT = Path(__file__).resolve().parents[1]


def test_the_reviewed_inventory_of_printed_floats_is_current():
    expected = floats.render(floats.inventory())
    assert floats.INVENTORY_FILE.read_text() == expected, (
        "tests/stored_floats.txt is stale: run `python -m authoring floats --write`, "
        "then review its diff (every new number must be printed at a precision that holds "
        "on any CPU)"
    )


def test_no_compared_output_prints_float_noise():
    assert floats.noise(floats.inventory()) == []


def _notebook(tmp_path: Path, *cells: tuple[str, str]) -> Path:
    nb = nbformat.v4.new_notebook()
    for source, text in cells:
        cell = nbformat.v4.new_code_cell(source)
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
        nb.cells.append(cell)
    nb.cells.insert(1, nbformat.v4.new_markdown_cell("prose 0.123 is not an output"))
    (tmp_path / "solutions").mkdir(exist_ok=True)
    path = tmp_path / "solutions" / "99_demo.ipynb"
    nbformat.write(nb, path)
    return path


def test_inventory_finds_floats_per_code_cell_and_skips_ignored_cells(tmp_path):
    path = _notebook(
        tmp_path,
        ("print(x)", "AUC 0.7920, cost 1,234.50 on 200 rows (Python 3.11)\n"),
        ("# NBVAL_IGNORE_OUTPUT\nprint(t)", "took 104.589 ms\n"),
        ("print(d)", "difference 1.1e-07, weights 0.4917643\n"),
    )
    found = floats.notebook_floats(path, tmp_path)
    assert [(f.cell, f.numbers) for f in found] == [
        (0, ("0.7920", "1,234.50", "3.11")),
        (2, ("1.1e-07", "0.4917643")),
    ]
    assert floats.noise(found) == [
        "solutions/99_demo.ipynb cell 2: 1.1e-07",
        "solutions/99_demo.ipynb cell 2: 0.4917643",
    ]


@pytest.mark.parametrize(
    "number, digits",
    [
        ("0.491764", 6),
        ("14000.00", 2),
        ("1.0e-07", 1),
        ("-0.053405", 5),
        ("1,234.50", 5),
        ("0.000", 1),
    ],
)
def test_significant_digits(number, digits):
    assert floats.significant_digits(number) == digits


def test_rank_correlation_is_spearman_and_exact():
    from scipy.stats import spearmanr

    rng = np.random.default_rng(3)
    x = rng.integers(0, 30, 500).astype(float)  # many ties
    y = x + rng.normal(0, 8, 500)
    assert scoring.rank_correlation(x, y) == pytest.approx(spearmanr(x, y).statistic, abs=1e-12)
    assert scoring.rank_correlation(x, x) == 1.0 and scoring.rank_correlation(x, -x) == -1.0
    assert np.isnan(scoring.rank_correlation(np.ones(5), np.arange(5.0)))
    # Exact integer sums: reversing the order of the observations changes nothing, to the bit.
    rows = rng.integers(0, 500, size=(50, 500))
    forward = scoring.rank_correlation(x[rows], y[rows])
    backward = scoring.rank_correlation(x[rows][:, ::-1], y[rows][:, ::-1])
    assert np.array_equal(forward, backward)


def test_ties_keep_their_order_in_every_sort_of_the_package():
    """NumPy's default (quick)sort orders ties differently on AVX-512 and AVX2 CPUs, which moved
    the rows a seeded bootstrap drew: every sort in course/ must say kind="stable"."""
    unstable = []
    for path in sorted((ROOT / "course").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"sort_values", "argsort"}
                and not any(k.arg == "kind" for k in node.keywords)
            ):
                unstable.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert unstable == []


_VALIDATION = """
import json
from course.strategy import validation
from course.data import load_github_ranking
from course.market.analysis import repo_growth
ranking = load_github_ranking()
growth = repo_growth(ranking, "2025-03-04", "2025-06-01")
v = validation.validate_strategy_score(ranking, (1 / 3, 1 / 3, 1 / 3))
print(json.dumps({"order": list(growth.index),
                  "tied": bool(growth["star_growth"].duplicated().any()),
                  "validation": [v.rho.hex(), v.ci_low.hex(), v.ci_high.hex()]}))
"""


def test_lesson_02_bootstrap_is_bit_identical_with_numpy_at_its_baseline():
    """The rows a seeded bootstrap draws and its bounds, to the bit, on this CPU's fastest code
    path and on NumPy's baseline (what another CPU may run): the cells that once moved."""
    features = paths.numpy_dispatch_features()
    if not features:
        pytest.skip("this CPU has no NumPy dispatch target beyond the baseline")
    runs = []
    for extra in ({}, {paths.NUMPY_DISABLE_ENV: " ".join(features)}):
        env = {**__import__("os").environ, **extra}
        done = subprocess.run(
            [sys.executable, "-c", _VALIDATION],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        runs.append(json.loads(done.stdout))
    assert runs[0]["tied"], "this check needs tied growth values to mean anything"
    assert runs[0] == runs[1]


def test_code_paths_lower_numpy_dispatch_to_the_baseline_and_double_the_threads():
    features = paths.numpy_dispatch_features()
    found = {p.name: p for p in paths.code_paths()}
    assert found["threads-2"].env == {"COURSE_THREADS": "2"}
    if features:
        disabled = found["numpy-baseline"].env["NPY_DISABLE_CPU_FEATURES"].split()
        assert disabled == features
        probe = (
            "from numpy._core._multiarray_umath import __cpu_features__ as f;"
            f"print(sum(f[n] for n in {disabled!r}))"
        )
        env = {**__import__("os").environ, **found["numpy-baseline"].env}
        done = subprocess.run(
            [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
        )
        assert done.stdout.strip() == "0", "NumPy still dispatches to a disabled feature"


def test_course_threads_sets_every_thread_count(monkeypatch):
    from course import config

    monkeypatch.setenv(config.THREADS_ENV, "2")
    env = config.runtime_env()
    assert {env[v] for v in config.THREAD_VARIABLES} == {"2"}
    assert env["TF_CPP_MIN_LOG_LEVEL"] == config.RUNTIME_ENV["TF_CPP_MIN_LOG_LEVEL"]
    monkeypatch.setenv(config.THREADS_ENV, "many")
    with pytest.raises(ValueError, match="whole number"):
        config.runtime_env()
    monkeypatch.delenv(config.THREADS_ENV)
    assert config.runtime_env() == config.RUNTIME_ENV


def test_an_unknown_code_path_is_a_message_not_a_traceback():
    done = subprocess.run(
        [sys.executable, "-m", "authoring", "test-paths", "no-such-path"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "No code path called no-such-path" in done.stderr and "threads-2" in done.stderr


def test_code_paths_run_nbval_over_the_folders_asked_for(monkeypatch):
    from authoring import cli, paths

    commands = []
    monkeypatch.setattr(
        paths.subprocess, "call", lambda command, **_: commands.append(command) or 0
    )
    assert cli.main(["test-paths", "threads-2", "--folders", "solutions"]) == 0
    assert "solutions" in commands[0] and "notebooks" not in commands[0]
    assert cli.main(["test-paths", "threads-2"]) == 0
    assert {"notebooks", "solutions"} <= set(commands[1])


@pytest.mark.parametrize(
    "number, noisy",
    [
        ("1.0e-07", True),
        ("4.0e-09", True),
        ("2e-12", True),
        ("1.0e-04", False),
        ("3.5e-03", False),
        ("1.2e+05", False),
        ("0.4917643", True),
    ],
)
def test_noise_is_tiny_e_notation_or_too_many_digits(number, noisy):
    entry = floats.PrintedFloats("solutions/x.ipynb", 0, (number,))
    assert bool(floats.noise([entry])) is noisy
