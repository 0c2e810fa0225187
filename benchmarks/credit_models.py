"""Benchmark: the Keras model against its baselines, in one run, on identical folds.

    python benchmarks/credit_models.py            # 5 x 2 repeated stratified CV (as in lesson 03)
    python benchmarks/credit_models.py --repeats 5  # 5 x 5, slower, tighter estimates

Prints ROC AUC (mean ± sd), expected cost per applicant at the 1/6 threshold (mean ± sd), and
mean training seconds per fold, plus the reference model's test-split figures. Figures, not a
pass/fail test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

import course  # noqa: F401  (applies the single-threaded runtime environment first)
from course.credit import baselines, evaluate
from course.credit.data import split_data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()

    start = time.perf_counter()
    from course.credit.model import fit_predict, predict_proba, train_reference_model

    import_seconds = time.perf_counter() - start
    split = split_data()
    data = pd.concat([split.train, split.validation])
    models = {
        "Keras wide and deep": fit_predict,
        "logistic regression": baselines.sklearn_fit_predict(baselines.logistic_regression),
        "gradient boosting": baselines.sklearn_fit_predict(baselines.gradient_boosting),
    }
    results = {
        name: baselines.cross_validate(fit, data, n_repeats=args.repeats)
        for name, fit in models.items()
    }
    table = baselines.summary(results)
    print(
        f"Repeated stratified CV: 5 folds x {args.repeats} repeats on train+validation "
        f"({len(data)} applicants); cost at threshold 1/6\n"
    )
    print(f"{'model':<22} {'ROC AUC':>16} {'cost/applicant':>16} {'train s/fold':>13}")
    for name, row in table.iterrows():
        print(
            f"{name:<22} {row.auc_mean:>8.4f} ± {row.auc_sd:.4f} {row.cost_mean:>8.4f} ± "
            f"{row.cost_sd:.4f} {row.fit_seconds:>13.2f}"
        )
    fit_start = time.perf_counter()
    result = train_reference_model(split)
    fit_seconds = time.perf_counter() - fit_start
    val_p, test_p = (
        predict_proba(result.model, split.validation),
        predict_proba(result.model, split.test),
    )
    tuned = evaluate.best_threshold(split.validation["default"], val_p)
    threshold = evaluate.BAYES_THRESHOLD  # what the reference model ships (lesson 03 says why)
    report = evaluate.classification_report(split.test["default"], test_p, threshold)
    costs = evaluate.cost_table(split.test["default"], test_p, threshold)
    print(
        f"\nReference model: TensorFlow import {import_seconds:.1f} s, "
        f"training {fit_seconds:.1f} s, "
        f"threshold {threshold:.3f} (shipped; validation-tuned {tuned:.3f}, for the record)"
    )
    print(
        f"Test split: ROC AUC {report['roc_auc']:.4f}, Brier {report['brier']:.4f}, cost per "
        f"applicant {costs['model']:.3f} (approve all {costs['approve everyone']:.3f}, reject all "
        f"{costs['reject everyone']:.3f})"
    )


if __name__ == "__main__":
    main()
