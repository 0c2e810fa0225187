"""Lesson 06 without TensorFlow: the tidy Taiwan data, its split and segments, the baselines, the
NumPy forward pass and the cache's tables (on a made-up cache)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from course.scale import data, grids


@pytest.fixture(scope="module")
def clients():
    return data.load_taiwan()


def test_tidy_columns_and_cleaned_codes(clients):
    assert list(clients.columns) == data.FEATURES + [data.TARGET]
    assert len(clients) == 30_000 and clients.notna().all().all()
    for column, labels in data.CODES.items():
        assert set(clients[column]) == set(labels)  # no undocumented code is left
    assert data.undocumented_counts() == {"education": 345, "marriage": 54}
    assert set(clients["status_sep"]) <= set(range(-2, 9))
    table = data.describe_codes(clients)
    assert table["clients"].groupby(level="column").sum().eq(30_000).all()
    assert table.loc[("education", 3), "meaning"] == "high school"


def test_split_is_lesson_03s_and_disjoint(clients):
    split = data.split_taiwan(clients)
    assert split.sizes() == {"train": 18_000, "validation": 6_000, "test": 6_000}
    indexes = [set(p.index) for p in (split.train, split.validation, split.test)]
    assert not (indexes[0] & indexes[1] or indexes[0] & indexes[2] or indexes[1] & indexes[2])
    rates = [p["default"].mean() for p in (split.train, split.validation, split.test)]
    assert max(rates) - min(rates) < 0.002  # stratified
    assert len(split.development) == 24_000
    again = data.split_taiwan(clients)
    assert again.test.index.equals(split.test.index)


def test_new_lender_is_held_out_of_pre_training(clients):
    lender = data.lender_split(clients)
    column, code = data.NEW_LENDER
    assert (lender.pool[column] == code).all() and (lender.test[column] == code).all()
    assert not (lender.pretrain[column] == code).any()
    assert not (lender.pretrain_validation[column] == code).any()
    assert len(lender.pool) + len(lender.test) == int((clients[column] == code).sum())
    assert len(lender.pool) >= max(grids.TUNE_SIZES)
    rows = data.own_rows(lender.pool, 250, seed=1)
    assert len(rows) == 250 and rows.index.equals(data.own_rows(lender.pool, 250, seed=1).index)
    assert not rows.index.equals(data.own_rows(lender.pool, 250, seed=2).index)
    with pytest.raises(ValueError, match="between 1 and"):
        data.own_rows(lender.pool, 0, seed=0)


def test_baselines_score_the_taiwan_clients(clients):
    from sklearn.metrics import roc_auc_score

    from course.scale import baselines

    split = data.split_taiwan(clients)
    rows = data.subsample(split.development, 3_000, seed=0)
    for factory in baselines.FACTORIES.values():
        auc = roc_auc_score(split.test["default"], baselines.fit_predict(factory)(rows, split.test))
        assert 0.68 < auc < 0.82


def test_numpy_forward_pass_encodes_and_scores(clients):
    from course.scale.forward import NumpyNet

    n_numeric = len(data.NUMERIC)
    width = n_numeric + sum(max(c) - min(c) + 1 for c in data.CODED.values())
    rng = np.random.default_rng(0)
    net = NumpyNet(
        np.zeros(n_numeric),
        np.ones(n_numeric),
        rng.normal(size=(width, 4)),
        np.zeros(4),
        rng.normal(size=(width + 4, 1)),
        np.zeros(1),
    )
    records = data.as_matrix(clients.head(5)).copy()
    encoded = net.encode(records)
    assert encoded.shape == (5, width)
    assert (encoded[:, n_numeric:].sum(axis=1) == len(data.CODED)).all()  # one 1 per code column
    records[0, data.FEATURES.index("status_sep")] = 9  # a code the data never holds: no slot
    assert net.encode(records)[0, n_numeric:].sum() == len(data.CODED) - 1
    p = net.predict_proba(records)
    assert p.shape == (5,) and ((p >= 0) & (p <= 1)).all()
    logged = NumpyNet(
        *[
            getattr(net, f)
            for f in ("mean", "std", "hidden_kernel", "hidden_bias", "output_kernel", "output_bias")
        ],
        log_amounts=True,
    )
    column = data.NUMERIC.index("credit_limit")
    expected = data.signed_log(records[:, data.FEATURES.index("credit_limit")])
    assert np.allclose(logged.encode(records)[:, column], expected)


def _inputs_of(pipeline, frame) -> dict[str, set[str]]:
    """The columns each step of a fitted pipeline's column transformer received, by step name."""
    from sklearn.compose import ColumnTransformer

    encode = next(
        step for step in pipeline.named_steps.values() if isinstance(step, ColumnTransformer)
    )
    return {
        name: set(frame.columns[columns] if not isinstance(columns, list) else columns)
        for name, _, columns in encode.transformers_
        if name != "remainder"
    }


@pytest.mark.parametrize("name", ["logistic regression", "logistic regression, status as numbers"])
def test_a_linear_baseline_never_gets_a_code_as_a_number(clients, name):
    """Repayment status -2..8 and the demographic codes are names, not quantities: a linear model
    fed one as a number assumes equal steps between codes (0, revolving, halfway between paid in
    full and a month late). Only the declared counterexample may do so, and it is never used as
    the baseline."""
    from course.scale import baselines

    rows = data.subsample(clients, 2_000, seed=0)
    model = baselines.FACTORIES[name]().fit(rows[data.FEATURES], rows[data.TARGET])
    inputs = _inputs_of(model, rows[data.FEATURES])
    as_numbers = (inputs["standardscaler"] | inputs["pipeline"]) & set(data.CODED)
    if name in baselines.COUNTEREXAMPLES:
        assert as_numbers == set(data.STATUS)
    else:
        assert as_numbers == set() and inputs["onehotencoder"] == set(data.CODED)
    assert inputs["pipeline"] == set(data.AMOUNTS)  # the skewed amounts: logged, then scaled
    assert set().union(*inputs.values()) == set(data.FEATURES)  # every column used, once


def test_every_code_column_is_one_hot_for_the_network():
    from course.scale import forward

    assert set(data.CODED) == set(data.CATEGORICAL) | set(data.STATUS)
    assert not set(data.CODED) & set(data.NUMERIC)
    assert [data.FEATURES[i] for i in forward._CODED_INDEX] == list(data.CODED)


def _fake_cache():
    curve = [
        {"n": n, "seed": s, "model": m, "auc": 0.7 + n / 1e6 + s / 1e3 + (m == "network") / 100}
        for n in (1000, 3000)
        for s in (0, 1)
        for m in grids.CURVE_MODELS
    ]
    tune = [
        {"n": n, "seed": s, "method": m, "auc": 0.6 + i / 100 + s / 1e3, "cost": 0.7 - i / 10}
        for n in (250, 500)
        for s in (0, 1)
        for i, m in enumerate(["from scratch", "pre-trained as is"])
    ]
    fold = [{"fold": f, "roc_auc": 0.7 + f / 100, "cost": 0.6, "seconds": 1.0} for f in range(2)]
    return {"learning_curve": curve, "fine_tuning": tune, "cross_validation": {"a": fold}}


def test_cache_tables_summarise_every_point():
    cache = _fake_cache()
    curve = grids.curve_table(cache)
    assert list(curve.index) == [1000, 3000]
    assert curve[("network", "count")].tolist() == [2, 2]
    assert curve.loc[1000, ("network", "mean")] == pytest.approx(0.7 + 0.001 + 0.0005 + 0.01)
    tuning = grids.tune_table(cache)
    assert list(tuning.columns.get_level_values(0).unique()) == [
        "from scratch",
        "pre-trained as is",
    ]
    assert grids.best_method(cache).tolist() == ["pre-trained as is"] * 2
    cost = grids.tune_table(cache, "cost")
    assert cost.loc[250, ("pre-trained as is", "mean")] == pytest.approx(0.6)
    assert grids.cv_results(cache)["a"].index.name == "fold"


def test_a_stale_cache_names_the_command(tmp_path):
    from course.errors import CourseError

    grids.folder(tmp_path).mkdir(parents=True)
    grids.cache_path(tmp_path).write_text(json.dumps({"format": "old"}), encoding="utf-8")
    with pytest.raises(CourseError, match="course extension build"):
        grids.load(tmp_path)


def test_lesson_06_modules_without_tensorflow_stay_light():
    code = (
        "import sys, json, course.scale.data, course.scale.grids, course.scale.forward, "
        "course.exercises.lesson06; print(json.dumps([m for m in ('tensorflow', 'keras') "
        "if m in sys.modules]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


def test_the_extension_is_on_the_map_but_not_in_the_day():
    from authoring import instructors
    from course.lessons import LESSONS

    (lesson,) = [each for each in LESSONS if each.notebook == "06_scale_and_compression.ipynb"]
    assert lesson.extension and lesson.optional
    assert all(not other.extension for other in LESSONS if other is not lesson)
    day = [s.number for s in instructors.slots(instructors.read_budget()) if not s.optional]
    assert "06" not in day and "05" in day
    schedule = instructors.render_schedule(instructors.read_budget())
    assert "06 ·" not in schedule.split("## Optional lessons")[0].split("## Two half-days")[0]


def test_ensure_cache_builds_only_what_is_missing_once(tmp_path, monkeypatch):
    calls = []

    def fake_run(command, **kwargs):
        calls.append(command)
        for name in grids.MODEL_FILES:
            (grids.folder(tmp_path) / name).write_text("model")
        grids.cache_path(tmp_path).write_text(
            json.dumps({"format": grids.FORMAT, "data_sha256": _sha()})
        )
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr("course.build_once.subprocess.run", fake_run)
    grids.ensure_cache(tmp_path)
    grids.ensure_cache(tmp_path)  # present now: no second build
    assert len(calls) == 1 and calls[0][-5:] == [
        "course",
        "extension",
        "build",
        "--folder",
        str(tmp_path),
    ]


def test_with_the_committed_results_only_the_models_are_trained(tmp_path, monkeypatch):
    calls = []
    grids.folder(tmp_path).mkdir(parents=True)
    grids.cache_path(tmp_path).write_text(
        json.dumps({"format": grids.FORMAT, "data_sha256": _sha()})
    )

    def fake_run(command, **kwargs):
        calls.append(command)
        for name in grids.MODEL_FILES:
            (grids.folder(tmp_path) / name).write_text("model")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr("course.build_once.subprocess.run", fake_run)
    grids.ensure_cache(tmp_path)
    assert len(calls) == 1 and "--models-only" in calls[0]


def test_the_grids_results_are_committed_and_current():
    """The results ship with the course (a few minutes of training nobody should repeat)."""
    assert grids.cache_path() == grids.RESULTS_FILE and grids.RESULTS_FILE.exists()
    cache = grids.load()
    assert {p["n"] for p in cache["learning_curve"]} == set(grids.CURVE_SIZES)


def _sha():
    from course.data import get_dataset

    return get_dataset("taiwan_credit").sha256


def test_cache_folder_is_shared_by_runs_unless_moved(monkeypatch, tmp_path):
    from course import config

    monkeypatch.delenv(grids.CACHE_DIR_ENV, raising=False)
    monkeypatch.setenv("COURSE_ARTIFACTS_DIR", str(tmp_path / "per-run"))
    assert grids.folder() == config.REPO_ROOT / "artifacts" / "scale"
    monkeypatch.setenv(grids.CACHE_DIR_ENV, str(tmp_path / "moved"))
    assert grids.folder() == tmp_path / "moved"


def test_cli_has_the_extension_build_command():
    done = subprocess.run(
        [sys.executable, "-m", "course", "extension", "--help"], capture_output=True, text=True
    )
    assert done.returncode == 0 and "build" in done.stdout
