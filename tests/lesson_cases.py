"""For every exercise in the course: plausible wrong answers with a phrase the feedback must
contain, and other answers the question allows. ``tests/test_lesson_exercises.py`` runs them all,
and fails if an exercise exists without an entry here.

The solution itself is *not* here: its one source is the exercise's ``# BEGIN SOLUTION`` region in
``solutions/NN_*.ipynb`` (``tests/test_solution_source.py`` runs it, and fails if a copy of it
comes back here as a ``solution`` field or a function of the same name)."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class ExerciseCase:
    exercise_id: str
    wrong: list[tuple[Any, str]] = field(default_factory=list)
    #: Other answers the question's own words allow (rounding it permits, another right method):
    #: each must pass, so the boundary is tested from both sides with ``wrong``.
    accepted: list[Any] = field(default_factory=list)
    #: For a reflection with a rubric: thoughtful answers, each with the positions (in the
    #: exercise's ``rubric``) of the ideas it mentions; the feedback must tick exactly those.
    ideas: list[tuple[str, set[int]]] = field(default_factory=list)


def _models():
    from course.data import load_epoch_models

    return load_epoch_models()


def _per_year(start=2015, end=2025):
    years = _models()["year"]
    return years[years.between(start, end)].value_counts().sort_index()


def _open_share():
    from course.market import analysis as market

    return market.open_weights_share(_models(), 2015, 2025)


def _latest_llm_stars():
    from course.data import load_github_ranking

    latest = load_github_ranking(["2026-08-22"])
    return latest.loc[latest["topic"] == "LLM", "stars"]


def doubling_time_in_years(slope):
    if slope <= 0:
        raise ValueError("no doubling time")
    return math.log10(2) / slope


def doubling_time_unguarded(slope):
    return 12 * math.log10(2) / slope


def cagr_simple_average(start, end, years):
    if start <= 0 or years <= 0:
        raise ValueError("no CAGR")
    return (end / start - 1) / years


def naive_share(gain, loss):
    return gain / (gain + loss)


def seed_style_share(gain, loss):
    if gain < 0 or loss < 0:
        raise ValueError("counts")
    return (0.2 + gain) / (gain + loss) if gain + loss else 0.5


def minmax_over_max(values):
    import numpy as np

    values = np.asarray(values, dtype=float)
    return values / values.max()


def _saas_unit():
    import pandas as pd

    from course.strategy import scorecard

    return (scorecard.scorecard().loc["SaaS"] - 1) / 4, pd.Series(scorecard.DEFAULT_WEIGHTS)


def _demand(auc_as_is=False, competition_as_is=False):
    from course.assumptions import DEMAND_SCENARIO as s

    p = s["auc"] if auc_as_is else 2 * s["auc"] - 1
    c = s["competition"] if competition_as_is else 1 - s["competition"]
    return p * s["customer_demand"] * c * s["service"] * s["marketing"]


def bce_unclipped(y_true, y_pred):
    y, p = np.asarray(y_true, float), np.asarray(y_pred, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))


def bce_sum(y_true, y_pred):
    """Summed instead of averaged."""
    y = np.asarray(y_true, float)
    p = np.clip(np.asarray(y_pred, float), 1e-7, 1 - 1e-7)
    return float(np.sum(-(y * np.log(p) + (1 - y) * np.log(1 - p))))


def forward_gradient_forgot_copy(f, w, eps=1e-5):
    w = np.asarray(w, float)
    g = np.zeros(len(w))
    for i in range(len(w)):
        base = f(w)
        w[i] += eps
        g[i] = (f(w) - base) / eps
    return g


def cost_swapped(y, p, threshold):
    y, p = np.asarray(y), np.asarray(p)
    reject = p >= threshold
    return (np.sum(~reject & (y == 1)) + 5 * np.sum(reject & (y == 0))) / len(y)


# --- lessons 00-03: the boundary, the rounding and the unit, both ways ----------------------


def _models_in(first, last=None):
    """The models of the years ``first`` to ``last``, both included (only ``first`` by default)."""
    years = _models()["year"]
    return int(years.between(first, last if last is not None else first).sum())


def _open_share_from(first):
    from course.market import analysis as market

    return market.open_weights_share(_models(), first, 2025)


def _llm_top_share(n=10):
    stars = _latest_llm_stars()
    return float(stars.nlargest(n).sum() / stars.sum())


def doubling_time_other_method(slope):
    """Right too: log10(2) written as ln 2 / ln 10."""
    if not slope > 0:
        raise ValueError("costs are not rising")
    return math.log(2) / (slope * math.log(10)) * 12


def doubling_time_guard_misses_zero(slope):
    if slope < 0:
        raise ValueError("falling")
    return 12 * math.log10(2) / slope


def doubling_time_rounded(slope):
    if slope <= 0:
        raise ValueError("no doubling time")
    return round(12 * math.log10(2) / slope)


def doubling_time_natural_log(slope):
    if slope <= 0:
        raise ValueError("no doubling time")
    return 12 * math.log(2) / slope


def cagr_other_method(start, end, years):
    """Right too: through logarithms."""
    if not (start > 0 and years > 0):
        raise ValueError("no CAGR")
    return math.exp(math.log(end / start) / years) - 1


def cagr_guarded(percent=False, start_ok=lambda s: s > 0, years_ok=lambda y: y > 0, digits=None):
    """A CAGR wrong in one way: in percent, a guard with another boundary, or rounded."""

    def growth(start, end, years):
        if not (start_ok(start) and years_ok(years)):
            raise ValueError("no CAGR")
        rate = (end / start) ** (1 / years) - 1
        rate = 100 * rate if percent else rate
        return rate if digits is None else round(rate, digits)

    return growth


def share_other_method(gain, loss):
    """Right too: one guard on the smaller count, the no-evidence case inline."""
    if min(gain, loss) < 0:
        raise ValueError("a count cannot be negative")
    total = gain + loss
    return gain / total if total else 0.5


def share_variant(percent=False, refuse_zero=False, guard_loss=True, no_evidence=0.5, digits=None):
    """A bounded share wrong in one way."""

    def share(gain, loss):
        if gain < 0 or (guard_loss and loss < 0) or (refuse_zero and gain == 0):
            raise ValueError("counts")
        if gain + loss == 0:
            return no_evidence
        value = gain / (gain + loss) * (100 if percent else 1)
        return value if digits is None else round(value, digits)

    return share


def minmax_other_method(values):
    """Right too: plain Python lists."""
    low, high = min(values), max(values)
    if high == low:
        return [0.5] * len(values)
    return [(v - low) / (high - low) for v in values]


def minmax_variant(percent=False, equal=0.5, digits=None):
    """A min-max wrong in one way: in percent, another value for equal inputs, or rounded."""

    def rescale(values):
        values = np.asarray(values, dtype=float)
        low, span = values.min(), values.max() - values.min()
        if span == 0 and equal is not None:
            return np.full(len(values), equal)
        with np.errstate(divide="ignore", invalid="ignore"):
            result = (values - low) / span * (100 if percent else 1)
        return result if digits is None else np.round(result, digits)

    return rescale


def bce_other_method(y_true, y_pred):
    """Right too: a loop with the math module."""
    total = 0.0
    for y, p in zip(y_true, y_pred, strict=True):
        p = min(max(float(p), 1e-7), 1 - 1e-7)
        total -= y * math.log(p) + (1 - y) * math.log(1 - p)
    return total / len(y_true)


def bce_variant(low=1e-7, high=1 - 1e-7, log=np.log, digits=None):
    """A cross-entropy wrong in one way: another clip, another logarithm, or rounded."""

    def loss(y_true, y_pred):
        y = np.asarray(y_true, float)
        p = np.clip(np.asarray(y_pred, float), low, high)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = float(np.mean(-(y * log(p) + (1 - y) * log(1 - p))))
        return value if digits is None else round(value, digits)

    return loss


def gradient_other_method(f, w, eps=1e-5):
    """Right too: one row of the identity matrix per coordinate."""
    w = np.asarray(w, float)
    return np.array([(f(w + eps * e) - f(w - eps * e)) / (2 * eps) for e in np.eye(len(w))])


def gradient_variant(one_sided=False, divisor=2, digits=None):
    """A gradient wrong in one way: one-sided, divided by eps only, or rounded."""

    def gradient(f, w, eps=1e-5):
        w = np.asarray(w, float)
        g = np.zeros(len(w))
        for i in range(len(w)):
            up, down = w.copy(), w.copy()
            up[i] += eps
            if not one_sided:
                down[i] -= eps
            g[i] = (f(up) - f(down)) / ((1 if one_sided else divisor) * eps)
        return g if digits is None else np.round(g, digits)

    return gradient


def cost_other_method(y, p, threshold):
    """Right too: one applicant at a time."""
    total = 0
    for label, prob in zip(y, p, strict=True):
        if prob >= threshold:
            total += 1 if label == 0 else 0
        else:
            total += 5 if label == 1 else 0
    return total / len(y)


def cost_variant(strict=False, total=False, digits=None):
    """A cost wrong in one way: rejecting above the threshold only, the total, or rounded."""

    def cost(y, p, threshold):
        y, p = np.asarray(y), np.asarray(p)
        reject = p > threshold if strict else p >= threshold
        value = 5 * np.sum(~reject & (y == 1)) + np.sum(reject & (y == 0))
        value = value if total else value / len(y)
        return value if digits is None else round(float(value), digits)

    return cost


def threshold_variant(pick=np.argmin, give="threshold"):
    """A threshold search wrong in one way: the costliest candidate, its cost, or its position."""
    from course.credit.evaluate import expected_cost

    def search(y, p):
        candidates = [0.0, *np.unique(p), 1.01]
        costs = [expected_cost(y, p, t) for t in candidates]
        at = int(pick(costs))
        return {"threshold": candidates[at], "cost": costs[at], "position": at}[give]

    return search


def _saas_product():
    unit, weights = _saas_unit()
    return float(np.prod(unit**weights))


def _kit_threshold(y, p):
    """Right too: the kit's search, which tries midpoints between the probabilities."""
    from course.credit.evaluate import best_threshold

    return best_threshold(y, p)


def cost_per_thousand_ignores_utilisation(monthly_price, requests_per_second, utilisation):
    if requests_per_second <= 0 or not 0 < utilisation <= 1 or monthly_price < 0:
        raise ValueError("bad input")
    return monthly_price / (requests_per_second * 30 * 24 * 3600) * 1000


def cost_per_thousand_takes_negative_prices(monthly_price, requests_per_second, utilisation):
    if requests_per_second <= 0 or not 0 < utilisation <= 1:
        raise ValueError("bad input")
    return monthly_price / (requests_per_second * utilisation * 30 * 24 * 3600) * 1000


def _plans():
    from course.business.pricing import Plans

    return Plans()


@functools.cache
def _current_value():
    from course.exercises.lesson05 import _current_policy_value

    return _current_policy_value()


@functools.cache
def _case():
    from course.business import decision

    return decision.build_case()


def break_even_customers_per_decision(
    fixed_costs, price, serving_cost, decisions_per_month, churn, acquisition_cost
):
    """Right too: the same steady state, reasoned per decision."""
    margin = price - serving_cost - churn * acquisition_cost / decisions_per_month
    return math.inf if margin <= 0 else fixed_costs / (margin * decisions_per_month)


def break_even_ignores_replacement(
    fixed_costs, price, serving_cost, decisions_per_month, churn, acquisition_cost
):
    contribution = (price - serving_cost) * decisions_per_month
    return math.inf if contribution <= 0 else fixed_costs / contribution


def break_even_rounded_down(*args):
    exact = break_even_customers_per_decision(*args)
    return math.floor(exact) if math.isfinite(exact) else math.inf


def break_even_rounded_up(*args):
    exact = break_even_customers_per_decision(*args)
    return math.ceil(exact) if math.isfinite(exact) else math.inf


def break_even_unguarded(
    fixed_costs, price, serving_cost, decisions_per_month, churn, acquisition_cost
):
    return fixed_costs / ((price - serving_cost) * decisions_per_month - churn * acquisition_cost)


def _flip_price(replacement=True):
    e, customers = _case().economics, _case().customers
    extra = e.monthly_churn * e.acquisition_cost if replacement else 0.0
    return e.serving_cost_per_decision + (e.fixed_costs_monthly / customers + extra) / (
        e.decisions_per_customer_month
    )


def first_size_ahead_or_equal(sizes, network_auc, logistic_auc, margin):
    for n, net, logit in zip(sizes, network_auc, logistic_auc, strict=True):
        if net - logit >= margin:
            return n
    return None


def sizes_where_tuning_is_ahead(sizes, fine_tuned, scratch, spread):
    return [n for n, tuned, own in zip(sizes, fine_tuned, scratch, strict=True) if tuned > own]


def choose_model_ignoring_budgets(table, max_latency_ms, max_size_kb):
    return table["auc"].idxmax()


def choose_model_smallest_that_fits(table, max_latency_ms, max_size_kb):
    fits = table[(table["latency_ms"] <= max_latency_ms) & (table["size_kb"] <= max_size_kb)]
    return None if fits.empty else fits["size_kb"].idxmin()


def _per_thousand(monthly_price, requests_per_second, utilisation, seconds=30 * 24 * 3600):
    """Lesson 04's cost, with no guards: the wrong answers below add (or leave out) their own."""
    return monthly_price / (requests_per_second * utilisation * seconds) * 1000


def cost_per_thousand_other_method(monthly_price, requests_per_second, utilisation):
    """Right too: a guard per input, and the cost per prediction scaled afterwards."""
    from course.assumptions import SECONDS_PER_MONTH

    if requests_per_second <= 0:
        raise ValueError("throughput")
    if utilisation <= 0 or utilisation > 1:
        raise ValueError("utilisation")
    if monthly_price < 0:
        raise ValueError("price")
    per_prediction = monthly_price / (requests_per_second * SECONDS_PER_MONTH * utilisation)
    return 1000 * per_prediction


def cost_refusing_full_load(monthly_price, requests_per_second, utilisation):
    if requests_per_second <= 0 or not 0 < utilisation < 1 or monthly_price < 0:
        raise ValueError("the question includes 1")
    return _per_thousand(monthly_price, requests_per_second, utilisation)


def cost_accepting_idle(monthly_price, requests_per_second, utilisation):
    if requests_per_second <= 0 or not 0 <= utilisation <= 1 or monthly_price < 0:
        raise ValueError("the question excludes 0")
    return _per_thousand(monthly_price, requests_per_second, utilisation)


def cost_refusing_free_servers(monthly_price, requests_per_second, utilisation):
    if requests_per_second <= 0 or not 0 < utilisation <= 1 or monthly_price <= 0:
        raise ValueError("the question allows a price of 0")
    return _per_thousand(monthly_price, requests_per_second, utilisation)


def cost_accepting_overload(monthly_price, requests_per_second, utilisation):
    if requests_per_second <= 0 or utilisation <= 0 or monthly_price < 0:
        raise ValueError("no upper bound on the utilisation")
    return _per_thousand(monthly_price, requests_per_second, utilisation)


def cost_guarded(scale=1.0, seconds=30 * 24 * 3600, digits=None):
    """A guarded cost that is wrong in one way: another unit (``scale``), another month
    (``seconds``) or rounded (``digits``)."""

    def cost(monthly_price, requests_per_second, utilisation):
        if requests_per_second <= 0 or not 0 < utilisation <= 1 or monthly_price < 0:
            raise ValueError("bad input")
        value = _per_thousand(monthly_price, requests_per_second, utilisation, seconds) * scale
        return value if digits is None else round(value, digits)

    return cost


def bill_other_method(rows):
    """Right too: the two sides of the included number written out."""
    plans = _plans()
    if rows <= plans.included_rows:
        return plans.subscription_fee
    return plans.subscription_fee + (rows - plans.included_rows) * plans.overage_per_row


def bill_overage_from_the_included_one(rows):
    plans = _plans()
    beyond = max(0, rows - plans.included_rows + 1)  # counts the last included applicant
    return plans.subscription_fee + beyond * plans.overage_per_row


def bill_fee_or_overage(rows):
    plans = _plans()
    if rows <= plans.included_rows:
        return plans.subscription_fee
    return (rows - plans.included_rows) * plans.overage_per_row  # the fee dropped once beyond


def bill_per_year(rows):
    return 12 * bill_other_method(rows)


def break_even_guard_misses_zero(
    fixed_costs, price, serving_cost, decisions_per_month, churn, acquisition_cost
):
    left = (price - serving_cost) * decisions_per_month - churn * acquisition_cost
    return math.inf if left < 0 else fixed_costs / left


def break_even_guard_only_zero(
    fixed_costs, price, serving_cost, decisions_per_month, churn, acquisition_cost
):
    left = (price - serving_cost) * decisions_per_month - churn * acquisition_cost
    return math.inf if left == 0 else fixed_costs / left


def break_even_rounded(*args):
    exact = break_even_customers_per_decision(*args)
    return round(exact) if math.isfinite(exact) else math.inf


def first_size_other_method(sizes, network_auc, logistic_auc, margin):
    """Right too: a generator and ``next``."""
    ahead = (n for n, a, b in zip(sizes, network_auc, logistic_auc, strict=True) if a - b > margin)
    return next(ahead, None)


def first_size_as_position(sizes, network_auc, logistic_auc, margin):
    for position, (net, logit) in enumerate(zip(network_auc, logistic_auc, strict=True)):
        if net - logit > margin:
            return position
    return None


def last_size_ahead(sizes, network_auc, logistic_auc, margin):
    found = None
    for n, net, logit in zip(sizes, network_auc, logistic_auc, strict=True):
        if net - logit > margin:
            found = n
    return found


def tuning_pays_other_method(sizes, fine_tuned, scratch, spread):
    """Right too: a loop that appends."""
    paying = []
    for i, n in enumerate(sizes):
        if fine_tuned[i] - scratch[i] > spread[i]:
            paying.append(n)
    return paying


def tuning_pays_at_the_spread(sizes, fine_tuned, scratch, spread):
    return [n for n, a, b, s in zip(sizes, fine_tuned, scratch, spread, strict=True) if a - b >= s]


def tuning_differs_by_more_than_spread(sizes, fine_tuned, scratch, spread):
    return [
        n for n, a, b, s in zip(sizes, fine_tuned, scratch, spread, strict=True) if abs(a - b) > s
    ]


def _fitting(table, max_latency_ms, max_size_kb, strict=False):
    if strict:
        return table[(table["latency_ms"] < max_latency_ms) & (table["size_kb"] < max_size_kb)]
    return table[(table["latency_ms"] <= max_latency_ms) & (table["size_kb"] <= max_size_kb)]


def model_other_method(table, max_latency_ms, max_size_kb):
    """Right too: the best AUC first, then the smallest file among the tied ones."""
    fits = _fitting(table, max_latency_ms, max_size_kb)
    if len(fits) == 0:
        return None
    best = fits[fits["auc"] == fits["auc"].max()]
    return best["size_kb"].idxmin()


def model_under_strict_limits(table, max_latency_ms, max_size_kb):
    fits = _fitting(table, max_latency_ms, max_size_kb, strict=True)
    ranked = fits.sort_values(["auc", "size_kb"], ascending=[False, True])
    return None if fits.empty else ranked.index[0]


def model_tie_by_latency(table, max_latency_ms, max_size_kb):
    fits = _fitting(table, max_latency_ms, max_size_kb)
    ranked = fits.sort_values(["auc", "latency_ms"], ascending=[False, True])
    return None if fits.empty else ranked.index[0]


def model_first_of_a_tie(table, max_latency_ms, max_size_kb):
    fits = _fitting(table, max_latency_ms, max_size_kb)
    return None if fits.empty else fits["auc"].idxmax()


def model_as_position(table, max_latency_ms, max_size_kb):
    fits = _fitting(table, max_latency_ms, max_size_kb)
    if fits.empty:
        return None
    label = fits.sort_values(["auc", "size_kb"], ascending=[False, True]).index[0]
    return table.index.get_loc(label)


def _current_value_at_population_rate():
    from course.business import lending

    return _case().values["population"][lending.CURRENT_POLICY]


_SIZES6 = [1000, 3000, 10000, 24000]

CASES = [
    ExerciseCase(
        "00.q1",
        wrong=[
            (_models_in(2023), "too"),
            (_models_in(2024) - 1, "is too low"),  # the count is checked exactly
            (_models_in(2024) + 1, "is too high"),
            (_models_in(2024, 2100), "is too high"),  # 2024 and later: not "2024 only"
            (str(_models_in(2024)), "got a string"),
            ((_models()["year"] == 2024), "got a pandas Series"),
        ],
        accepted=[float(_models_in(2024)), np.int64(_models_in(2024))],
    ),
    ExerciseCase(
        "00.q2",
        wrong=[
            (_per_year().tolist(), "indexed by year"),
            (_per_year(2016), "has 10 rows"),  # "both years included"
            (_per_year(2015, 2024), "has 10 rows"),
            (_per_year(2014), "has 12 rows"),
            (_per_year().sort_values(), "different order"),
            (_per_year() + 1, "values differ"),
            (_per_year() / _per_year().sum(), "11 of 11 values differ"),
        ],  # shares
        accepted=[
            _models().groupby("year").size().loc[2015:2025],  # unnamed Series
            _per_year().astype(float),
        ],
    ),
    ExerciseCase(
        "00.q3",
        wrong=[("An API.", "little short"), (42, "as text in quotes")],
        ideas=[
            (
                "I would sell a hosted chatbot built on Llama to dental clinics, charged "
                "as a monthly subscription, with support and updates included so the "
                "practice always has a working assistant.",
                {0, 1, 2},
            ),
            (
                "A Welsh speech recognition model built on Whisper. Running and "
                "improving such a model yourself is difficult without expertise in "
                "audio data, so most people could not do it alone.",
                {3},
            ),
        ],
    ),
    ExerciseCase(
        "01.q1",
        wrong=[
            (_open_share() * 100, "look like a percentage where a fraction"),
            (
                _models().groupby("year")["open_weights"].mean().loc[2015:2025],
                "values differ",
            ),  # 'Unknown' counted as closed
            (_open_share_from(2014), "has 12 rows"),
            (_open_share().round(2), "values differ"),  # three decimals, not two
            (_open_share() + 0.00051, "11 of 11 values differ"),
            (_open_share().to_frame(), "select the column"),
        ],
        accepted=[_open_share().round(3), _open_share() + 0.00049, _open_share() - 0.00049],
    ),
    ExerciseCase(
        "01.q2",
        wrong=[
            (doubling_time_in_years, "too low"),
            (doubling_time_unguarded, "raised ZeroDivisionError"),
            (doubling_time_guard_misses_zero, "(0.0) raised ZeroDivisionError"),
            (doubling_time_rounded, "(0.5): Your answer 7 is too low"),
            (doubling_time_natural_log, "too high"),
            (12.04, "Pass the function itself"),
        ],
        accepted=[doubling_time_other_method],
    ),
    ExerciseCase(
        "01.q3",
        wrong=[
            (cagr_simple_average, "cagr_simple_average(1.0, 8.0, 3)"),
            (cagr_guarded(percent=True), "percentage where a fraction"),
            (
                cagr_guarded(start_ok=lambda s: s >= 0),
                "growth(0.0, 10.0, 5) raised ZeroDivisionError",
            ),
            (
                cagr_guarded(start_ok=lambda s: s != 0),
                "growth(-10.0, 20.0, 2) should raise ValueError",
            ),
            (
                cagr_guarded(years_ok=lambda y: y >= 0),
                "growth(10.0, 20.0, 0) raised ZeroDivisionError",
            ),
            (
                cagr_guarded(years_ok=lambda y: y != 0),
                "growth(10.0, 20.0, -1) should raise ValueError",
            ),
            (cagr_guarded(digits=2), "Your answer 0.32 is too low"),
        ],
        accepted=[cagr_other_method],
    ),
    ExerciseCase(
        "01.q4",
        wrong=[
            (100 * _llm_top_share(), "percentage"),
            (_latest_llm_stars().nlargest(10).sum(), "too high"),
            (_llm_top_share(11), "too high"),  # off by one repository
            (_llm_top_share(9), "too low"),
            (round(_llm_top_share(), 2), "too low"),  # three decimals, not two
            (_llm_top_share() + 0.00051, "too high"),
            (_llm_top_share() - 0.00051, "too low"),
        ],
        accepted=[
            round(_llm_top_share(), 3),
            _llm_top_share() + 0.00049,
            _llm_top_share() - 0.00049,
        ],
    ),
    ExerciseCase(
        "01.q5",
        wrong=[("price", "little short")],
        ideas=[
            (
                "The price per decision is the number I trust least. If it were half, "
                "SOM would be half too, because the market size multiplies its factors. "
                "I would call ten lenders this week and ask what they pay now.",
                {0, 2, 3},
            ),
            (
                "I am unsure about the whole estimate, since none of its numbers has a "
                "source; I would rather read the lesson 05 costs before trusting any of "
                "it, and treat the SOM as a rough order of magnitude only.",
                {1},
            ),
        ],
    ),
    ExerciseCase(
        "02.q1",
        wrong=[
            (naive_share, "raised ZeroDivisionError"),
            (seed_style_share, "too high"),
            (share_variant(percent=True), "percentage where a fraction"),
            (share_variant(refuse_zero=True), "share(0, 4) raised ValueError"),
            (share_variant(guard_loss=False), "share(2, -1) should raise ValueError"),
            (share_variant(no_evidence=0.0), "share(0, 0): Your answer 0 is too low"),
            (share_variant(digits=2), "share(1, 2): Your answer 0.33 is too low"),
        ],
        accepted=[share_other_method],
    ),
    ExerciseCase(
        "02.q2",
        wrong=[
            (minmax_over_max, "Item 0"),
            (lambda values: [0.0, 0.5, 1.0], "has 3 items; expected 4"),
            (minmax_variant(percent=True), "percentage where a fraction"),
            (minmax_variant(equal=0.0), "rescale([7.0, 7.0]): Item 0: Your answer 0 is too low"),
            (minmax_variant(equal=None), "NaN"),
            (minmax_variant(digits=2), "Item 1: Your answer 0.17 is too high"),
        ],
        accepted=[minmax_other_method],
    ),
    ExerciseCase(
        "02.q3",
        wrong=[
            (_demand(auc_as_is=True), "too high"),
            ("0.04", "got a string"),
            (_demand(competition_as_is=True), "too high"),
            (100 * _demand(), "percentage where a fraction"),
            (round(_demand(), 2), "too low"),  # four decimals, not two
            (_demand() + 0.000051, "too high"),
            (_demand() - 0.000051, "too low"),
        ],
        accepted=[round(_demand(), 4), _demand() + 0.000049, _demand() - 0.000049],
    ),
    ExerciseCase(
        "02.q4",
        wrong=[
            (float((_saas_unit()[0] * _saas_unit()[1]).sum()), "too high"),
            (float(np.prod((_saas_unit()[0] * 4 + 1) ** _saas_unit()[1])), "too high"),
            (
                float(np.prod(((_saas_unit()[0] * 4 + 1) / 5) ** _saas_unit()[1])),
                "too high",
            ),  # rescaled as score / 5
            (100 * _saas_product(), "percentage where a fraction"),
            (round(_saas_product(), 2), "too low"),  # three decimals, not two
            (_saas_product() + 0.00051, "too high"),
            (_saas_product() - 0.00051, "too low"),
        ],
        accepted=[round(_saas_product(), 3), _saas_product() + 0.00049, _saas_product() - 0.00049],
    ),
    ExerciseCase(
        "02.q5",
        wrong=[("alpha = 1", "little short")],
        ideas=[
            (
                "I would put 0.6 on activity, because the recent stars gained predicted "
                "later growth best, and 0.2 each on forks and stars, which are only "
                "proxies for contributors and users.",
                {0, 3},
            ),
            (
                "Equal weights reached a Spearman correlation of 0.51 on the test "
                "period, and the period itself changed every score, so I distrust any "
                "fit; besides, only repositories that survived are listed, and stars "
                "are attention, not revenue.",
                {1, 2, 4},
            ),
        ],
    ),
    ExerciseCase(
        "03.q1",
        wrong=[
            (bce_unclipped, "infinite: look for log(0)"),
            (bce_sum, "too high"),
            (bce_variant(high=1.0), "loss([0, 1], [1.0, 1.0]): Your answer is NaN"),
            (
                bce_variant(low=1e-15, high=1 - 1e-15),
                "loss([1], [0.0]): Your answer 34.54 is too high",
            ),
            (bce_variant(log=np.log10), "too low"),
            (bce_variant(digits=3), "Your answer 0.164 is too low"),
        ],
        accepted=[bce_other_method],
    ),
    ExerciseCase(
        "03.q2",
        wrong=[
            (forward_gradient_forgot_copy, "(_sin_product, array([0.5, 2. ])): Item 1"),
            (lambda f, w: 0.0, "got a number"),
            (gradient_variant(one_sided=True), "eps=0.1): Item 0: Your answer 2.1 is too high"),
            (gradient_variant(divisor=1), "Item 0: Your answer 4 is too high"),
            (gradient_variant(digits=3), "Your answer 1.755 is too low"),
        ],
        accepted=[gradient_other_method],
    ),
    ExerciseCase(
        "03.q3",
        wrong=[
            (cost_swapped, "cost_swapped("),
            (lambda y, p, t: "cheap", "got a string"),
            (cost_variant(strict=True), "0.5): Your answer 1.7 is too low"),  # p == 0.5
            (cost_variant(total=True), "Your answer 18 is too high"),
            (cost_variant(digits=2), "Your answer 0.33 is too low"),
        ],
        accepted=[cost_other_method],
    ),
    ExerciseCase(
        "03.q4",
        wrong=[
            (lambda y, p: 0.5, "the cost per applicant there: Your answer 1.8 is too high"),
            (lambda y, p: 1 / 6, "cost per applicant there"),
            (
                threshold_variant(pick=np.argmax),
                "the cost per applicant there: Your answer 2.1 is too high",
            ),
            (threshold_variant(give="cost"), "returned 0.4; the cost per applicant there"),
            (threshold_variant(give="position"), "returned 3; the cost per applicant there"),
        ],
        accepted=[_kit_threshold],
    ),  # midpoints instead of the probabilities: as cheap
    ExerciseCase(
        "03.q5",
        wrong=[("It is fine.", "little short")],
        ideas=[
            (
                "Good applicants under 25 are rejected far more often than those aged 40 "
                "to 59, so I would audit age and drop foreign_worker before any use.",
                {0, 3},
            ),
            (
                "The groups hold only a few dozen people, so the rates are uncertain; the "
                "data cannot show whether women are treated worse, and the model must "
                "never decide about real people.",
                {1, 2, 4},
            ),
        ],
    ),
    ExerciseCase(
        "04.q1",
        wrong=[
            (cost_per_thousand_ignores_utilisation, "too low"),
            (lambda p, r, u: p / (r * u * 2_592_000) * 1000, "raised ZeroDivisionError"),
            (cost_per_thousand_takes_negative_prices, "should raise ValueError"),
            # the boundaries the question states, each crossed: (0, 1] and a price >= 0
            (cost_refusing_full_load, "(2592.0, 1.0, 1.0) raised ValueError"),
            (cost_accepting_idle, "(100.0, 50.0, 0.0) raised ZeroDivisionError"),
            (cost_refusing_free_servers, "(0.0, 10.0, 0.5) raised ValueError"),
            (cost_accepting_overload, "(100.0, 50.0, 1.5) should raise ValueError"),
            # the wrong unit, the wrong month, a rounding the question does not ask for
            (cost_guarded(scale=1 / 1000), "off by a factor of 1,000"),  # each
            (cost_guarded(scale=1000), "off by a factor of 1,000"),  # per million
            (cost_guarded(seconds=365.25 / 12 * 24 * 3600), "too low"),  # 30.4 days
            (cost_guarded(digits=2), "(40.0, 1000.0, 0.25): Your answer 0 is too low"),
        ],
        accepted=[cost_per_thousand_other_method],
    ),
    ExerciseCase(
        "04.q2",
        wrong=[
            (_plans().subscription_fee / _plans().overage_per_row, "too high"),
            (_plans().subscription_fee / _plans().price_per_row + 1, "too high"),
            (_plans().subscription_fee / _plans().price_per_row - 1, "too low"),
            (
                _plans().subscription_fee / _plans().price_per_row + 0.5,
                f"{_plans().subscription_fee / _plans().price_per_row + 0.5:g} is too high",
            ),
            (_plans().price_per_row * _plans().included_rows, "too low"),
            # a bill in US$, not applicants; a year's or a day's volume, not a month's
            (_plans().subscription_fee, "too low"),
            (12 * _plans().subscription_fee / _plans().price_per_row, "too high"),
            (_plans().subscription_fee / _plans().price_per_row / 30, "too low"),
        ],
        accepted=[
            int(_plans().subscription_fee / _plans().price_per_row),
            np.float64(_plans().subscription_fee / _plans().price_per_row),
        ],
    ),
    ExerciseCase(
        "04.q3",
        wrong=[
            (lambda rows: _plans().subscription_fee + rows * _plans().overage_per_row, "too high"),
            (
                lambda rows: max(0, rows - _plans().included_rows) * _plans().overage_per_row,
                "too low",
            ),
            # exactly the included number costs the fee alone; the next one, overage
            (bill_overage_from_the_included_one, f"({_plans().included_rows}): Your answer"),
            (bill_fee_or_overage, f"({_plans().included_rows + 1}): Your answer"),
            (bill_per_year, "(0): Your answer"),  # a year's bill, not a month's
            (lambda rows: f"{_plans().subscription_fee:,.0f} US$", "got a string"),
        ],
        accepted=[bill_other_method],
    ),
    ExerciseCase(
        "05.q1",
        wrong=[
            (_current_value() / 1000, "off by a factor of 1,000"),
            (_current_value() * 1.95583, "too low"),  # left in Deutsche Mark
            (_case().values["sample"]["the model"], "too high"),  # the model's
            (_current_value() + 0.51, "too high"),  # the question says: to the euro
            (_current_value() - 0.51, "too low"),
            (round(_current_value(), -2), "too high"),  # to the hundred euros
            (_current_value() / 1000 * 200, "too high"),  # summed over 200 applicants
            # reweighted to the population's bad rate: the question says as they are
            (_current_value_at_population_rate(), "too high"),
        ],
        accepted=[
            round(_current_value()),
            round(_current_value(), 2),
            _current_value() + 0.49,
            _current_value() - 0.49,
        ],
    ),
    ExerciseCase(
        "05.q2",
        wrong=[
            (break_even_ignores_replacement, "too low"),
            (break_even_rounded_down, "too low"),  # the question says: do not round
            (break_even_rounded_up, "too high"),
            (break_even_rounded, "too high"),
            (break_even_unguarded, "raised ZeroDivisionError"),
            # the guard's boundary: a customer leaving exactly nothing, or less
            (
                break_even_guard_misses_zero,
                "(10000.0, 1.0, 0.4, 100.0, 0.02, 3000.0) raised ZeroDivisionError",
            ),
            (break_even_guard_only_zero, "(10000.0, 1.0, 0.0, 100.0, 0.05, 3000.0): Your answer"),
        ],
        accepted=[break_even_customers_per_decision],
    ),
    ExerciseCase(
        "05.q3",
        wrong=[
            (_flip_price(replacement=False), "too low"),
            (_case().economics.break_even_customers, "too high"),
            (_flip_price() + 0.0051, "too high"),  # the question says: to the cent
            (_flip_price() - 0.0051, "too low"),
            (math.ceil(_flip_price() * 100) / 100, "too high"),  # rounded up a cent
            (round(_flip_price(), 1), "too low"),  # to ten cents
            # per customer and month, not per decision
            (_flip_price() * _case().economics.decisions_per_customer_month, "too high"),
        ],
        accepted=[
            round(_flip_price(), 2),
            math.floor(_flip_price() * 100) / 100,
            _flip_price() + 0.0049,
            _flip_price() - 0.0049,
        ],
    ),
    ExerciseCase(
        "05.q4",
        wrong=[("Go.", "little short"), (1, "as text in quotes")],
        ideas=[
            (
                "No-go. The value criterion decides it: at the population's 5 % bad rate "
                "the model does not beat approving everyone, and no price can flip that; "
                "a higher price would only fix the market and payback criteria.",
                {0, 1, 2},
            ),
            (
                "I would say no-go for now. I trust the 200 test applicants least, since "
                "the 95 % interval is wide. A pilot that scores a lender's own "
                "applications beside its current rule would change my mind.",
                {3, 4},
            ),
        ],
    ),
    ExerciseCase(
        "06.q1",
        wrong=[
            (first_size_ahead_or_equal, "([500, 1000], [0.7, 0.75], [0.7, 0.7], 0.0)"),
            (3000, "Pass the function itself"),
            (first_size_as_position, "too low"),  # a position, not a size
            (last_size_ahead, "too high"),
        ],
        accepted=[first_size_other_method],
    ),
    ExerciseCase(
        "06.q2",
        wrong=[
            (sizes_where_tuning_is_ahead, "has 3 items; expected 1"),
            (lambda sizes, tuned, scratch, spread: 250, "got a whole number"),
            # "more than" the spread: a gain equal to it does not pay
            (tuning_pays_at_the_spread, "[0.03125, 0.03125]): Your answer has 2 items; expected 1"),
            (tuning_differs_by_more_than_spread, "Your answer has 2 items; expected 0"),
        ],
        accepted=[tuning_pays_other_method],
    ),
    ExerciseCase(
        "06.q3",
        wrong=[
            (choose_model_ignoring_budgets, "'Keras' is not the one expected"),
            (choose_model_smallest_that_fits, "'pruned' is not the one expected"),
            # "at most": a candidate exactly at both limits fits
            (model_under_strict_limits, "0.01, 4.0): Your answer 'pruned' is not"),
            (model_tie_by_latency, "'fast' is not the one expected"),
            (model_first_of_a_tie, "2.0, 100.0): Your answer 'Keras' is not"),
            (model_as_position, "Expected a string, got a whole number"),
        ],
        accepted=[model_other_method],
    ),
]
