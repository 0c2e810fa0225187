"""The heavy part of lesson 06, computed once: cross-validation of the three models, the learning
curve, the fine-tuning grid (``course/scale/grids.json``, committed with the course: a few
minutes of training that every learner, build and test would otherwise repeat), and the four
trained models the lesson compresses and fine-tunes (``<repo>/artifacts/scale``, git-ignored:
about 30 s to train, done the first time the notebook needs them, :func:`ensure_cache`).

``course extension build`` recomputes everything (maintainers: after a change to the data or
the recipe); ``--models-only`` trains the models alone. Every grid point records its seed, and
the results record the settings they were built with, so a fresh computation of any one point
must give the stored number (``tests/test_scale_tf.py`` checks some).
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd

from course import config

FORMAT = "course-scale-grids/3"
#: Training-set sizes of the learning curve (rows drawn from train + validation; the largest is
#: all of them) and the seeds each size is repeated with.
CURVE_SIZES = [1_000, 3_000, 10_000, 24_000]
#: Repetitions of 5-fold cross-validation (40 folds): with the models this close, two
#: repetitions let the verdicts flip with the folds' seed.
CV_REPEATS = 8
CURVE_SEEDS = [0, 1, 2]
CURVE_MODELS = ["network", "logistic regression", "gradient boosting"]
#: The new lender's own training rows, and the seeds (draws of those rows) per size.
TUNE_SIZES = [250, 500, 1_000]
TUNE_SEEDS = [0, 1, 2, 3, 4]
#: The trained models' files carry the format's version: a model of another recipe (another
#: encoder) is never loaded by mistake, it is retrained.
_VERSION = FORMAT.rsplit("/", 1)[1]
MODEL_FILE, PRETRAINED_FILE = (
    f"taiwan_model.v{_VERSION}.keras",
    f"taiwan_pretrained.v{_VERSION}.keras",
)
CACHE_FILE = "grids.json"
#: A wider network (the same recipe with 256 hidden units) that stands in for a bigger model in
#: the compression section: TF Lite leaves tensors under 1,024 weights unquantized, and the
#: reference network's largest has a few hundred.
WIDE_FILE, WIDE_HIDDEN = f"taiwan_wide.v{_VERSION}.keras", 256
#: The network with lesson 03's raw amounts (no logarithm), for the float16 section: its
#: standardisation constants are as large as the amounts themselves.
RAW_FILE = f"taiwan_raw_amounts.v{_VERSION}.keras"
MODEL_FILES = (MODEL_FILE, PRETRAINED_FILE, WIDE_FILE, RAW_FILE)


#: Moves the cache (default: ``<repo>/artifacts/scale``).
CACHE_DIR_ENV = "COURSE_SCALE_CACHE_DIR"


def folder(root: Path | None = None) -> Path:
    """Where the cache and the trained models live: ``root/scale`` when given, else
    ``$COURSE_SCALE_CACHE_DIR``, else the repository's ``artifacts/scale`` (git-ignored).

    Not the per-run artifacts folder (``COURSE_ARTIFACTS_DIR``), which the build and the tests
    make fresh for every notebook run: these are results of a fixed computation (keyed by the
    data's checksum and :data:`FORMAT`), only ever replaced whole, so every run may share them,
    and rebuilding them for each run would cost minutes.
    """
    import os

    if root is not None:
        return Path(root) / "scale"
    override = os.environ.get(CACHE_DIR_ENV, "").strip()
    return Path(override).expanduser() if override else config.REPO_ROOT / "artifacts" / "scale"


def _save(model, path: Path) -> None:
    """Save a Keras model whole or not at all (a reader never sees half a file)."""
    import os

    partial = path.with_name(f".{path.stem}.{os.getpid()}.keras")
    model.save(partial)
    os.replace(partial, path)


#: The grids' results, committed with the course (see the module's docs).
RESULTS_FILE = Path(__file__).with_name(CACHE_FILE)


def cache_path(root: Path | None = None) -> Path:
    """The grids' results: :data:`RESULTS_FILE`, or ``root/scale/grids.json`` when given."""
    return folder(root) / CACHE_FILE if root is not None else RESULTS_FILE


# --- one point of each grid (imports TensorFlow) -----------------------------------------------


def curve_point(split, n: int, seed: int, model: str) -> float:
    """Test AUC of ``model`` trained on ``n`` rows of train + validation drawn with ``seed``
    (the network early-stops on a quarter of them, seeded the same)."""
    from sklearn.metrics import roc_auc_score

    from course.scale import baselines
    from course.scale.data import TARGET, subsample

    rows = subsample(split.development, n, seed)
    if model == "network":
        from course.scale.network import NetConfig, fit_predict

        proba = fit_predict(rows, split.test, NetConfig(seed=seed))
    elif model in CURVE_MODELS:
        proba = baselines.fit_predict(baselines.FACTORIES[model])(rows, split.test)
    else:
        raise ValueError(f"unknown model {model!r}; expected one of {CURVE_MODELS}")
    return float(roc_auc_score(split.test[TARGET], proba))


def tune_point(lender, pretrained, n: int, seed: int, method: str) -> dict[str, float]:
    """The new lender's test measures for ``method`` given ``n`` of its own rows drawn with
    ``seed``: ranking (``auc``), the lender's cost per applicant at lesson 03's threshold 1/6
    (``cost``), and calibration in the large (``mean_probability``, to set beside the test
    rows' default rate)."""
    from sklearn.metrics import roc_auc_score

    from course.credit.baselines import CV_THRESHOLD
    from course.credit.evaluate import expected_cost
    from course.scale.data import TARGET, own_rows
    from course.scale.network import NetConfig, fine_tune, predict_proba

    model = fine_tune(pretrained, own_rows(lender.pool, n, seed), method, NetConfig(seed=seed))
    proba, truth = predict_proba(model, lender.test), lender.test[TARGET]
    return {
        "auc": float(roc_auc_score(truth, proba)),
        "cost": float(expected_cost(truth, proba, CV_THRESHOLD)),
        "mean_probability": float(proba.mean()),
    }


# --- the whole build -----------------------------------------------------------------------------


def _cross_validation(split) -> dict[str, list[dict[str, float]]]:
    from course.credit.baselines import cross_validate
    from course.scale import baselines
    from course.scale.network import fit_predict

    candidates = {
        "network (wide and deep)": fit_predict,
        **{name: baselines.fit_predict(f) for name, f in baselines.FACTORIES.items()},
    }
    return {
        name: cross_validate(fit, split.development, n_repeats=CV_REPEATS)
        .reset_index()
        .to_dict("records")
        for name, fit in candidates.items()
    }


def build(root: Path | None = None, log=print, models_only: bool = False) -> Path:
    """Train the four models into :func:`folder`; unless ``models_only`` (about 30 s), also
    compute every grid and write the results (a few minutes on 2 CPUs). Returns what it wrote."""
    from sklearn.metrics import roc_auc_score

    from course.data import get_dataset
    from course.scale.data import TARGET, lender_split, load_taiwan, split_taiwan
    from course.scale.network import METHODS, NetConfig, predict_proba, train_model

    start, target = time.perf_counter(), folder(root)
    target.mkdir(parents=True, exist_ok=True)
    frame = load_taiwan()
    split, lender = split_taiwan(frame), lender_split(frame)
    main = train_model(split.train, split.validation)
    _save(main.model, target / MODEL_FILE)
    wide = train_model(split.train, split.validation, NetConfig(hidden=WIDE_HIDDEN))
    _save(wide.model, target / WIDE_FILE)
    _save(
        train_model(split.train, split.validation, NetConfig(log_amounts=False)).model,
        target / RAW_FILE,
    )
    log(f"model trained ({time.perf_counter() - start:.0f} s)")
    pretrained = train_model(lender.pretrain, lender.pretrain_validation)
    _save(pretrained.model, target / PRETRAINED_FILE)
    if models_only:
        return target
    cv = _cross_validation(split)
    log(f"cross-validation done ({time.perf_counter() - start:.0f} s)")
    curve = [
        {"n": n, "seed": s, "model": m, "auc": curve_point(split, n, s, m)}
        for n in CURVE_SIZES
        for s in (CURVE_SEEDS if n < len(split.development) else [0])
        for m in CURVE_MODELS
    ]
    log(f"learning curve done ({time.perf_counter() - start:.0f} s)")
    tune = [
        {"n": n, "seed": s, "method": m, **tune_point(lender, pretrained.model, n, s, m)}
        for n in TUNE_SIZES
        for s in TUNE_SEEDS
        for m in METHODS
    ]
    log(f"fine-tuning grid done ({time.perf_counter() - start:.0f} s)")
    cache = {
        "format": FORMAT,
        "data_sha256": get_dataset("taiwan_credit").sha256,
        "config": asdict(NetConfig()),
        "cv_repeats": CV_REPEATS,
        "curve_seeds": CURVE_SEEDS,
        "tune_seeds": TUNE_SEEDS,
        "model": {
            "best_epoch": main.best_epoch,
            "epochs": len(main.history),
            "test_auc": float(
                roc_auc_score(split.test[TARGET], predict_proba(main.model, split.test))
            ),
        },
        "wide": {
            "hidden": WIDE_HIDDEN,
            "best_epoch": wide.best_epoch,
            "test_auc": float(
                roc_auc_score(split.test[TARGET], predict_proba(wide.model, split.test))
            ),
        },
        "pretrained": {"best_epoch": pretrained.best_epoch, "rows": len(lender.pretrain)},
        "cross_validation": cv,
        "learning_curve": curve,
        "fine_tuning": tune,
        "build_seconds": round(time.perf_counter() - start, 1),
    }
    config.write_atomically(cache_path(root), json.dumps(cache, indent=1))
    return cache_path(root)


# --- reading the cache (no TensorFlow) -----------------------------------------------------------


def load(root: Path | None = None) -> dict[str, Any]:
    """The cache as written by :func:`build`; an error names the command when it is stale."""
    from course.data import get_dataset
    from course.errors import CourseError

    cache = json.loads(cache_path(root).read_text(encoding="utf-8"))
    if (
        cache.get("format") != FORMAT
        or cache.get("data_sha256") != get_dataset("taiwan_credit").sha256
    ):
        raise CourseError(
            f"{cache_path(root)} is from another version: rebuild it with `course extension build`."
        )
    return cache


def ensure_cache(root: Path | None = None, timeout: int = 1800) -> dict[str, Any]:
    """:func:`load`, first training the models in a child process when one is missing (and
    computing the grids too if their results are missing); two notebooks at once build once."""
    from course.build_once import build_once

    command = [sys.executable, "-m", "course", "extension", "build"]
    if cache_path(root).exists():  # (the committed results: only the models are missing)
        command.append("--models-only")
    if root is not None:
        command += ["--folder", str(root)]
    build_once(
        [cache_path(root), *model_paths(root)],
        build_lock(root),
        command,
        timeout=timeout,
        error="Building lesson 06's cache failed",
    )
    return load(root)


def model_paths(root: Path | None = None) -> list[Path]:
    """The trained models' files (:data:`MODEL_FILES`) in :func:`folder`."""
    return [folder(root) / name for name in MODEL_FILES]


def build_lock(root: Path | None = None) -> Path:
    """The lock every builder of :func:`folder` takes (notebooks, and the class hub's start)."""
    return folder(root) / ".build.lock"


def cv_results(cache: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """The cross-validation folds per model, as :func:`course.credit.baselines.cross_validate`."""
    return {
        name: pd.DataFrame(rows).set_index("fold")
        for name, rows in cache["cross_validation"].items()
    }


#: What a missing standard deviation means: a size trained once (the full training set).
SINGLE_RUN = "one run only at this size (the whole training set): no spread to measure"


def curve_table(cache: dict[str, Any]) -> pd.DataFrame:
    """Learning curve: mean, standard deviation and runs of the test AUC per size and model."""
    frame = pd.DataFrame(cache["learning_curve"])
    table = frame.groupby(["n", "model"])["auc"].agg(["mean", "std", "count"]).unstack("model")
    table = table.swaplevel(axis=1).sort_index(axis=1)
    table.attrs["missing"] = SINGLE_RUN  # (shown under the table: course.tables)
    return table


def tune_table(cache: dict[str, Any], metric: str = "auc") -> pd.DataFrame:
    """Fine-tuning: mean and standard deviation of one of the new lender's test measures
    (``auc``, ``cost`` or ``mean_probability``, see :func:`tune_point`) per size and method."""
    frame = pd.DataFrame(cache["fine_tuning"])
    order = list(dict.fromkeys(frame["method"]))
    table = (
        frame.groupby(["n", "method"], sort=False)[metric].agg(["mean", "std"]).unstack("method")
    )
    table = table.swaplevel(axis=1).reindex(columns=order, level=0)
    table.attrs["missing"] = SINGLE_RUN
    return table


def best_method(cache: dict[str, Any]) -> pd.Series:
    """Per size, the method with the highest mean AUC."""
    means = tune_table(cache).xs("mean", axis=1, level=1)
    return means.idxmax(axis=1)
