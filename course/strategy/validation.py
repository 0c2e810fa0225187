"""Lesson 02: does a scoring model predict anything? The seeds' strategy score, computed for real
open-source repositories at one date, against how their stars grew afterwards (Spearman's rank
correlation with a bootstrap interval), on a fit period and a later test period; and the weights
that fit the first period best, tried on the second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from course.strategy import scoring


@dataclass(frozen=True)
class Validation:
    """How well a score computed at one date predicts later growth (Spearman rank correlation)."""

    n_repos: int
    rho: float
    ci_low: float
    ci_high: float


def repo_features(ranking: pd.DataFrame, t0: str, t1: str) -> pd.DataFrame:
    """Per repository listed on both dates: the inputs of f = alpha*B + beta*C + gamma*D, each
    normalised to [0, 1] with log min-max, and the raw proxies behind them.

    A (activity) = stars gained from t0 to t1; N (contributors, proxy) = forks at t1;
    U (users, proxy) = stars at t1. The data has no contributor or user counts: these proxies are
    assumptions to state whenever the score is used.
    """
    from course.market.analysis import repo_growth

    both = repo_growth(ranking, t0, t1)
    out = pd.DataFrame(
        {
            "activity": (both["stars_end"] - both["stars_start"]).clip(lower=0),
            "contributors_proxy": both["forks_end"],
            "users_proxy": both["stars_end"],
        }
    )
    out["B"] = scoring.log_minmax(out["activity"])
    out["C"] = scoring.log_minmax(out["contributors_proxy"])
    out["D"] = scoring.log_minmax(out["users_proxy"])
    return out


def strategy_scores(features: pd.DataFrame, weights=(1 / 3, 1 / 3, 1 / 3)) -> pd.Series:
    """f for every repository in ``features`` (vectorised
    :func:`course.strategy.scoring.strategy_effect`)."""
    alpha, beta, gamma = scoring.check_weights(weights)
    f = alpha * features["B"] + beta * features["C"] + gamma * features["D"]
    # Rounded far below any printed digit, so that scores equal in exact arithmetic (the same
    # inputs in another order) are tied on every CPU, whatever its log() and summation order.
    return f.round(12).rename("f")


#: Spearman's rho, exact on every CPU (defined in :mod:`course.strategy.scoring`; importable here
#: too).


def spearman_with_interval(x, y, n_boot: int = 1000, seed: int = 0) -> Validation:
    """Spearman rank correlation of two equal-length arrays with a seeded bootstrap 95 % CI."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) != len(y) or len(x) < 3:
        raise scoring.ScoringInputError("need two equal-length samples of at least 3 values")
    rho = float(scoring.rank_correlation(x, y))
    picks = np.random.default_rng(seed).integers(0, len(x), size=(n_boot, len(x)))
    low, high = np.nanpercentile(scoring.rank_correlation(x[picks], y[picks]), [2.5, 97.5])
    return Validation(len(x), rho, float(low), float(high))


def score_and_outcome(ranking: pd.DataFrame, weights, t0: str, t1: str, t2: str) -> pd.DataFrame:
    """f computed from the snapshots t0 and t1, next to each repository's star growth t1 -> t2.

    Only repositories still listed at ``t2`` can be measured (survivorship), which favours those
    that kept growing: the correlation describes survivors.
    """
    from course.market.analysis import repo_growth

    scores = strategy_scores(repo_features(ranking, t0, t1), weights)
    later = repo_growth(ranking, t1, t2)["star_growth"].rename("later_growth")
    return pd.concat([scores, later], axis=1, join="inner")


#: Two non-overlapping periods (t0, t1, t2): features from t0 to t1, outcome from t1 to t2. Fit
#: weights on the first, test them on the second; nothing of the test period is seen in a fit.
FIT_PERIOD = ("2025-03-04", "2025-06-01", "2025-12-01")
TEST_PERIOD = ("2025-12-01", "2026-03-01", "2026-08-22")
PERIODS = {"fit": FIT_PERIOD, "test": TEST_PERIOD}


def validate_strategy_score(
    ranking: pd.DataFrame,
    weights=(1 / 3, 1 / 3, 1 / 3),
    period: tuple[str, str, str] = FIT_PERIOD,
    n_boot: int = 1000,
    seed: int = 0,
) -> Validation:
    """How well f at the period's middle date ranks repositories by their later star growth
    (by default on :data:`FIT_PERIOD`, whose outcome ends where :data:`TEST_PERIOD` begins)."""
    joined = score_and_outcome(ranking, weights, *period)
    return spearman_with_interval(joined["f"], joined["later_growth"], n_boot, seed)


def weight_grid(step: float = 0.1) -> list[tuple[float, float, float]]:
    """Every (alpha, beta, gamma) on a grid of ``step`` that sums to 1."""
    n = round(1 / step)
    return [(i / n, j / n, (n - i - j) / n) for i in range(n + 1) for j in range(n + 1 - i)]


def fit_weights(
    ranking: pd.DataFrame, period: tuple[str, str, str] = FIT_PERIOD, step: float = 0.1
) -> tuple[tuple[float, float, float], float]:
    """The grid weights with the highest Spearman correlation on ``period``, and that value.

    Fit on one period, report on another (:data:`TEST_PERIOD`): a weight chosen because it fits
    one sample always looks better on that sample than it will on the next.
    """
    from course.market.analysis import repo_growth

    features = repo_features(ranking, period[0], period[1])
    later = repo_growth(ranking, period[1], period[2])["star_growth"]
    features = features.loc[features.index.intersection(later.index)]
    outcome = later.loc[features.index].to_numpy(float)
    best, best_rho = None, -2.0
    for weights in weight_grid(step):
        rho = float(
            scoring.rank_correlation(strategy_scores(features, weights).to_numpy(), outcome)
        )
        if rho > best_rho + 1e-12:
            best, best_rho = weights, rho
    return best, best_rho


def validation_table(
    ranking: pd.DataFrame,
    options: dict[str, tuple[float, float, float]],
    period: tuple[str, str, str] = FIT_PERIOD,
) -> pd.DataFrame:
    """:func:`validate_strategy_score` for several named weightings, one row each."""
    rows = {name: vars(validate_strategy_score(ranking, w, period)) for name, w in options.items()}
    return pd.DataFrame.from_dict(rows, orient="index")


def period_comparison(
    ranking: pd.DataFrame,
    options: dict[str, tuple[float, float, float]],
    periods: dict[str, tuple[str, str, str]] | None = None,
) -> pd.DataFrame:
    """:func:`validation_table` on each period (default :data:`PERIODS`), stacked: one row per
    (weighting, period)."""
    periods = PERIODS if periods is None else periods
    tables = {name: validation_table(ranking, options, period) for name, period in periods.items()}
    stacked = pd.concat(tables, names=["period", "weighting"]).swaplevel()
    return stacked.loc[list(options)]


def period_gap_sentence(
    table: pd.DataFrame, weighting: str, first: str = "fit", second: str = "test"
) -> str:
    """Why one weighting's rho differs between two periods of :func:`period_comparison`: do the
    bootstrap intervals overlap (could resampling repositories explain the gap?), and do all
    weightings move the same way (is it the period rather than the weights?)."""
    a, b = table.loc[(weighting, first)], table.loc[(weighting, second)]
    rho = table["rho"].unstack("period").loc[table.index.unique("weighting")]
    moves = ", ".join(f"{w} {rho.loc[w, first]:.2f} to {rho.loc[w, second]:.2f}" for w in rho.index)
    overlap = a["ci_high"] >= b["ci_low"] and b["ci_high"] >= a["ci_low"]
    chance = (
        "overlap: the gap is within what drawing other repositories gives"
        if overlap
        else "do not overlap: drawing other repositories from the same period would not close "
        "the gap"
    )
    up, down = (rho[second] > rho[first]).all(), (rho[second] < rho[first]).all()
    why = (
        f"Every weighting is {'higher' if up else 'lower'} on the {second} period ({moves}): "
        "the periods differ, not only the weights."
        if up or down
        else f"The weightings move in different directions ({moves})."
    )
    return (
        f"{weighting}: rho {a['rho']:.2f} (95 % CI {a['ci_low']:.2f} to {a['ci_high']:.2f}, "
        f"{int(a['n_repos'])} repositories) on the {first} period, {b['rho']:.2f} "
        f"({b['ci_low']:.2f} to {b['ci_high']:.2f}, {int(b['n_repos'])}) on the {second} "
        f"period. The intervals {chance}. {why}"
    )
