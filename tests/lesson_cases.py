"""For every exercise in the course: its solution's answer, and plausible wrong answers with a
phrase the feedback must contain. ``tests/test_lesson_exercises.py`` runs them all both ways, and
fails if an exercise exists without an entry here."""

from __future__ import annotations

import functools
import math

import numpy as np

from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass
class ExerciseCase:
    exercise_id: str
    solution: Callable[[], Any]
    wrong: list[tuple[Any, str]] = field(default_factory=list)
    #: Other answers the question's own words allow (rounding it permits, another right method):
    #: each must pass, so the boundary is tested from both sides with ``wrong``.
    accepted: list[Any] = field(default_factory=list)


def _models():
    from course.data import load_epoch_models

    return load_epoch_models()


def _per_year(start=2015, end=2025):
    years = _models()["year"]
    return years[years.between(start, end)].value_counts().sort_index()


def _open_share():
    from course import market

    return market.open_weights_share(_models(), 2015, 2025)


def _latest_llm_stars():
    from course.data import load_github_ranking

    latest = load_github_ranking(["2026-08-22"])
    return latest.loc[latest["topic"] == "LLM", "stars"]


def doubling_time_months(slope):
    if slope <= 0:
        raise ValueError("no doubling time")
    return 12 * math.log10(2) / slope


def doubling_time_in_years(slope):
    if slope <= 0:
        raise ValueError("no doubling time")
    return math.log10(2) / slope


def doubling_time_unguarded(slope):
    return 12 * math.log10(2) / slope


def cagr(start, end, years):
    if start <= 0 or years <= 0:
        raise ValueError("no CAGR")
    return (end / start) ** (1 / years) - 1


def cagr_simple_average(start, end, years):
    if start <= 0 or years <= 0:
        raise ValueError("no CAGR")
    return (end / start - 1) / years


def bounded_share(gain, loss):
    if gain < 0 or loss < 0:
        raise ValueError("counts")
    return 0.5 if gain + loss == 0 else gain / (gain + loss)


def naive_share(gain, loss):
    return gain / (gain + loss)


def seed_style_share(gain, loss):
    if gain < 0 or loss < 0:
        raise ValueError("counts")
    return (0.2 + gain) / (gain + loss) if gain + loss else 0.5


def minmax(values):
    import numpy as np

    values = np.asarray(values, dtype=float)
    span = values.max() - values.min()
    return np.full(len(values), 0.5) if span == 0 else (values - values.min()) / span


def minmax_over_max(values):
    import numpy as np

    values = np.asarray(values, dtype=float)
    return values / values.max()


def _saas_unit():
    import pandas as pd

    from course import scorecard

    return (scorecard.scorecard().loc["SaaS"] - 1) / 4, pd.Series(scorecard.DEFAULT_WEIGHTS)


def _demand(auc_as_is=False, competition_as_is=False):
    from course.assumptions import DEMAND_SCENARIO as s

    p = s["auc"] if auc_as_is else 2 * s["auc"] - 1
    c = s["competition"] if competition_as_is else 1 - s["competition"]
    return p * s["customer_demand"] * c * s["service"] * s["marketing"]


def bce(y_true, y_pred):
    y = np.asarray(y_true, float)
    p = np.clip(np.asarray(y_pred, float), 1e-7, 1 - 1e-7)
    return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))


def bce_unclipped(y_true, y_pred):
    y, p = np.asarray(y_true, float), np.asarray(y_pred, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))


def bce_sum(y_true, y_pred):
    return bce(y_true, y_pred) * len(y_true)


def numeric_gradient(f, w, eps=1e-5):
    w = np.asarray(w, float)
    g = np.zeros(len(w))
    for i in range(len(w)):
        up, down = w.copy(), w.copy()
        up[i] += eps
        down[i] -= eps
        g[i] = (f(up) - f(down)) / (2 * eps)
    return g


def forward_gradient_forgot_copy(f, w, eps=1e-5):
    w = np.asarray(w, float)
    g = np.zeros(len(w))
    for i in range(len(w)):
        base = f(w)
        w[i] += eps
        g[i] = (f(w) - base) / eps
    return g


def cost_per_applicant(y, p, threshold):
    y, p = np.asarray(y), np.asarray(p)
    reject = p >= threshold
    return (5 * np.sum(~reject & (y == 1)) + np.sum(reject & (y == 0))) / len(y)


def cost_swapped(y, p, threshold):
    y, p = np.asarray(y), np.asarray(p)
    reject = p >= threshold
    return (np.sum(~reject & (y == 1)) + 5 * np.sum(reject & (y == 0))) / len(y)


def choose_threshold(y, p):
    candidates = [0.0, *np.unique(p), 1.01]
    return candidates[int(np.argmin([cost_per_applicant(y, p, t) for t in candidates]))]


def cost_per_thousand(monthly_price, requests_per_second, utilisation):
    if requests_per_second <= 0 or not 0 < utilisation <= 1 or monthly_price < 0:
        raise ValueError("bad input")
    return monthly_price / (requests_per_second * utilisation * 30 * 24 * 3600) * 1000


def cost_per_thousand_ignores_utilisation(monthly_price, requests_per_second, utilisation):
    if requests_per_second <= 0 or not 0 < utilisation <= 1 or monthly_price < 0:
        raise ValueError("bad input")
    return monthly_price / (requests_per_second * 30 * 24 * 3600) * 1000


def cost_per_thousand_takes_negative_prices(monthly_price, requests_per_second, utilisation):
    if requests_per_second <= 0 or not 0 < utilisation <= 1:
        raise ValueError("bad input")
    return monthly_price / (requests_per_second * utilisation * 30 * 24 * 3600) * 1000


def _plans():
    from course.pricing import Plans

    return Plans()


def subscription_bill(rows):
    plans = _plans()
    return plans.subscription_fee + max(0, rows - plans.included_rows) * plans.overage_per_row


@functools.cache
def _current_value():
    from course.exercises.lesson05 import _current_policy_value

    return _current_policy_value()


@functools.cache
def _case():
    from course import decision

    return decision.build_case()


def break_even_customers(fixed_costs, price, serving_cost, decisions_per_month, churn,
                         acquisition_cost):
    steady = (price - serving_cost) * decisions_per_month - churn * acquisition_cost
    return math.inf if steady <= 0 else fixed_costs / steady


def break_even_customers_per_decision(fixed_costs, price, serving_cost, decisions_per_month,
                                      churn, acquisition_cost):
    """Right too: the same steady state, reasoned per decision."""
    margin = price - serving_cost - churn * acquisition_cost / decisions_per_month
    return math.inf if margin <= 0 else fixed_costs / (margin * decisions_per_month)


def break_even_ignores_replacement(fixed_costs, price, serving_cost, decisions_per_month, churn,
                                   acquisition_cost):
    contribution = (price - serving_cost) * decisions_per_month
    return math.inf if contribution <= 0 else fixed_costs / contribution


def break_even_rounded_down(*args):
    return math.floor(break_even_customers(*args)) if math.isfinite(break_even_customers(*args)) else math.inf


def break_even_rounded_up(*args):
    return math.ceil(break_even_customers(*args)) if math.isfinite(break_even_customers(*args)) else math.inf


def break_even_unguarded(fixed_costs, price, serving_cost, decisions_per_month, churn,
                         acquisition_cost):
    return fixed_costs / ((price - serving_cost) * decisions_per_month - churn * acquisition_cost)


def _flip_price(replacement=True):
    e, customers = _case().economics, _case().customers
    extra = e.monthly_churn * e.acquisition_cost if replacement else 0.0
    return e.serving_cost_per_decision + (e.fixed_costs_monthly / customers + extra) / (
        e.decisions_per_customer_month)


def first_size_ahead(sizes, network_auc, logistic_auc, margin):
    for n, net, logit in zip(sizes, network_auc, logistic_auc):
        if net - logit > margin:
            return n
    return None


def first_size_ahead_or_equal(sizes, network_auc, logistic_auc, margin):
    for n, net, logit in zip(sizes, network_auc, logistic_auc):
        if net - logit >= margin:
            return n
    return None


def sizes_where_tuning_pays(sizes, fine_tuned, scratch, spread):
    return [n for n, tuned, own, sd in zip(sizes, fine_tuned, scratch, spread) if tuned - own > sd]


def sizes_where_tuning_is_ahead(sizes, fine_tuned, scratch, spread):
    return [n for n, tuned, own in zip(sizes, fine_tuned, scratch) if tuned > own]


def choose_model(table, max_latency_ms, max_size_kb):
    fits = table[(table["latency_ms"] <= max_latency_ms) & (table["size_kb"] <= max_size_kb)]
    if fits.empty:
        return None
    return fits.sort_values(["auc", "size_kb"], ascending=[False, True], kind="stable").index[0]


def choose_model_ignoring_budgets(table, max_latency_ms, max_size_kb):
    return table["auc"].idxmax()


def choose_model_smallest_that_fits(table, max_latency_ms, max_size_kb):
    fits = table[(table["latency_ms"] <= max_latency_ms) & (table["size_kb"] <= max_size_kb)]
    return None if fits.empty else fits["size_kb"].idxmin()


_SIZES6 = [1000, 3000, 10000, 24000]

CASES = [
    ExerciseCase("00.q1", lambda: int((_models()["year"] == 2024).sum()),
                 wrong=[(int((_models()["year"] == 2023).sum()), "too"),
                        (str(int((_models()["year"] == 2024).sum())), "got a string"),
                        ((_models()["year"] == 2024), "got a pandas Series")]),
    ExerciseCase("00.q2", _per_year,
                 wrong=[(_per_year().tolist(), "indexed by year"),
                        (_per_year(2016), "has 10 rows"),
                        (_per_year().sort_values(), "different order"),
                        (_per_year() + 1, "values differ")]),
    ExerciseCase("00.q3", lambda: "I would sell a hosted credit scoring API to small lenders "
                                  "because they lack data scientists and need compliance help. "
                                  "They would pay per decision for a model that is accurate and "
                                  "explained, with support when a regulator asks how it works.",
                 wrong=[("An API.", "little short"), (42, "as text in quotes")]),
    ExerciseCase("01.q1", _open_share,
                 wrong=[(_open_share() * 100, "look like a percentage where a fraction"),
                        (_models().groupby("year")["open_weights"].mean().loc[2015:2025],
                         "values differ"),
                        (_open_share().to_frame(), "select the column")]),
    ExerciseCase("01.q2", lambda: doubling_time_months,
                 wrong=[(doubling_time_in_years, "too low"),
                        (doubling_time_unguarded, "raised ZeroDivisionError"),
                        (doubling_time_months(0.3), "Pass the function itself")]),
    ExerciseCase("01.q3", lambda: cagr,
                 wrong=[(cagr_simple_average, "cagr_simple_average(1.0, 8.0, 3)")]),
    ExerciseCase("01.q4", lambda: _latest_llm_stars().nlargest(10).sum() / _latest_llm_stars().sum(),
                 wrong=[(100 * _latest_llm_stars().nlargest(10).sum() / _latest_llm_stars().sum(),
                         "percentage"),
                        (_latest_llm_stars().nlargest(10).sum(), "too high")]),
    ExerciseCase("01.q5", lambda: "The price per decision is my weakest guess; halving it halves "
                                  "SOM, so I would ask ten lenders what they pay for scores today. "
                                  "I would also count the lenders in a public regulator register, "
                                  "which checks the other factor of the product within a week.",
                 wrong=[("price", "little short")]),
    ExerciseCase("02.q1", lambda: bounded_share,
                 wrong=[(naive_share, "raised ZeroDivisionError"),
                        (seed_style_share, "too high")]),
    ExerciseCase("02.q2", lambda: minmax,
                 wrong=[(minmax_over_max, "Item 0"),
                        (lambda values: [0.0, 0.5, 1.0], "has 3 items; expected 4")]),
    ExerciseCase("02.q3", _demand,
                 wrong=[(_demand(auc_as_is=True), "too high"), ("0.04", "got a string"),
                        (_demand(competition_as_is=True), "too high")]),
    ExerciseCase("02.q4", lambda: float(np.prod(_saas_unit()[0] ** _saas_unit()[1])),
                 wrong=[(float((_saas_unit()[0] * _saas_unit()[1]).sum()), "too high"),
                        (float(np.prod((_saas_unit()[0] * 4 + 1) ** _saas_unit()[1])), "too high")]),
    ExerciseCase("02.q5", lambda: "Activity predicted later growth best, so I would weight it 0.6 "
                                  "and keep 0.2 each for forks and stars, because those two are only proxies for people.",
                 wrong=[("alpha = 1", "little short")]),
    ExerciseCase("03.q1", lambda: bce,
                 wrong=[(bce_unclipped, "infinite: look for log(0)"), (bce_sum, "too high")]),
    ExerciseCase("03.q2", lambda: numeric_gradient,
                 wrong=[(forward_gradient_forgot_copy, "(_sin_product, array([0.5, 2. ])): Item 1"),
                        (lambda f, w: 0.0, "got a number")]),
    ExerciseCase("03.q3", lambda: cost_per_applicant,
                 wrong=[(cost_swapped, "cost_swapped("), (lambda y, p, t: "cheap", "got a string")]),
    ExerciseCase("03.q4", lambda: choose_threshold,
                 wrong=[(lambda y, p: 0.5, "the cost per applicant there: Your answer 1.8 is too high"),
                        (lambda y, p: 1 / 6, "cost per applicant there")]),
    ExerciseCase("03.q5", lambda: "Good applicants under 25 are rejected far more often than older "
                                  "ones, so I would audit age and drop personal_status and "
                                  "foreign_worker; the model must never decide about real people.",
                 wrong=[("It is fine.", "little short")]),
    ExerciseCase("04.q1", lambda: cost_per_thousand,
                 wrong=[(cost_per_thousand_ignores_utilisation, "too low"),
                        (lambda p, r, u: p / (r * u * 2_592_000) * 1000, "raised ZeroDivisionError"),
                        (cost_per_thousand_takes_negative_prices, "should raise ValueError")]),
    ExerciseCase("04.q2", lambda: _plans().subscription_fee / _plans().price_per_row,
                 wrong=[(_plans().subscription_fee / _plans().overage_per_row, "too high"),
                        (_plans().subscription_fee / _plans().price_per_row + 1, "too high"),
                        (_plans().subscription_fee / _plans().price_per_row + 0.5,
                         f"{_plans().subscription_fee / _plans().price_per_row + 0.5:g} is too high"),
                        (_plans().price_per_row * _plans().included_rows, "too low")]),
    ExerciseCase("04.q3", lambda: subscription_bill,
                 wrong=[(lambda rows: _plans().subscription_fee + rows * _plans().overage_per_row,
                         "too high"),
                        (lambda rows: max(0, rows - _plans().included_rows) * _plans().overage_per_row,
                         "too low")]),
    ExerciseCase("05.q1", _current_value,
                 wrong=[(_current_value() / 1000, "off by a factor of 1,000"),
                        (_current_value() * 1.95583, "too low"),  # left in Deutsche Mark
                        (_case().values["sample"]["the model"], "too high"),  # the model's
                        (_current_value() + 0.51, "too high"),  # the question says: to the euro
                        (_current_value() - 0.51, "too low")],
                 accepted=[round(_current_value()), round(_current_value(), 2),
                           _current_value() + 0.49, _current_value() - 0.49]),
    ExerciseCase("05.q2", lambda: break_even_customers,
                 wrong=[(break_even_ignores_replacement, "too low"),
                        (break_even_rounded_down, "too low"),  # the question says: do not round
                        (break_even_rounded_up, "too high"),
                        (break_even_unguarded, "raised ZeroDivisionError")],
                 accepted=[break_even_customers_per_decision]),
    ExerciseCase("05.q3", _flip_price,
                 wrong=[(_flip_price(replacement=False), "too low"),
                        (_case().economics.break_even_customers, "too high"),
                        (_flip_price() + 0.0051, "too high"),  # the question says: to the cent
                        (_flip_price() - 0.0051, "too low")],
                 accepted=[round(_flip_price(), 2), _flip_price() + 0.0049,
                           _flip_price() - 0.0049]),
    ExerciseCase("05.q4", lambda: "No-go: at the population's bad rate the model does not beat "
                                  "approving everyone, and no price fixes that. I trust the 200 "
                                  "test applicants least and would score a lender's own data.",
                 wrong=[("Go.", "little short"), (1, "as text in quotes")]),
    ExerciseCase("06.q1", lambda: first_size_ahead,
                 wrong=[(first_size_ahead_or_equal, "([500, 1000], [0.7, 0.75], [0.7, 0.7], 0.0)"),
                        (first_size_ahead(_SIZES6, [0.7, 0.73, 0.745, 0.75], [0.71] * 4, 0.01),
                         "Pass the function itself")]),
    ExerciseCase("06.q2", lambda: sizes_where_tuning_pays,
                 wrong=[(sizes_where_tuning_is_ahead, "has 3 items; expected 1"),
                        (lambda sizes, tuned, scratch, spread: 250, "got a whole number")]),
    ExerciseCase("06.q3", lambda: choose_model,
                 wrong=[(choose_model_ignoring_budgets, "'Keras' is not the one expected"),
                        (choose_model_smallest_that_fits, "'pruned' is not the one expected")]),
]  # fmt: skip
