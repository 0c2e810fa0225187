"""Lesson 01 logic on hand-made frames (answers known) and on the real data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from course.data import (
    epoch_cleaning_report,
    load_ai_investment,
    load_epoch_models,
    load_github_ranking,
)
from course.market import analysis as market


def _models(rows):
    frame = pd.DataFrame(rows, columns=["year", "accessibility", "organization_type", "country"])
    frame["open_weights"] = frame["accessibility"].str.startswith("Open weights")
    return frame


TOY = _models(
    [
        (2020, "Open weights (unrestricted)", "Industry", "China"),
        (2020, "API access", "Academia", "United States of America"),
        (2020, "Unknown", "Industry & Academia", "China, France"),
        (2021, "Unreleased", "Industry", "France"),
        (2021, "Open weights (non-commercial)", "Academia", "France"),
    ]
)


def test_accessibility_table_and_open_share_exclude_unknown():
    table = market.models_by_accessibility(TOY, 2019, 2021)
    assert table.loc[2019].sum() == 0  # empty years are shown as zeros
    assert table.loc[2020].to_dict() == {
        "Open weights": 1,
        "API or hosted": 1,
        "Unreleased": 0,
        "Unknown": 1,
    }
    share = market.open_weights_share(TOY, 2020, 2021)
    assert share.to_dict() == {2020: 0.5, 2021: 0.5}  # unknown left out of 2020's denominator
    with pytest.raises(ValueError, match="after end"):
        market.open_weights_share(TOY, 2022, 2020)


def test_industry_share_and_countries():
    assert market.industry_share(TOY, 2020, 2021).to_dict() == {2020: 2 / 3, 2021: 0.5}
    countries = market.models_per_country(TOY, 2020, 2021)
    assert countries.to_dict() == {"France": 3, "China": 2, "United States of America": 1}


def test_doubling_time_and_cagr():
    assert market.doubling_time_months(math.log10(2)) == pytest.approx(12)
    for bad in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError):
            market.doubling_time_months(bad)
    assert market.cagr(1, 8, 3) == pytest.approx(1.0)
    for args in [(0, 1, 1), (1, 2, 0), (1, -1, 1)]:
        with pytest.raises(ValueError):
            market.cagr(*args)


def test_cost_trend_recovers_a_known_doubling_time():
    dates = pd.to_datetime([f"{y}-07-02" for y in range(2016, 2026)])
    frame = pd.DataFrame(
        {
            "year": dates.year,
            "publication_date": dates,
            "model": list("abcdefghij"),
            "training_compute_cost_usd": 1e3 * 2.0 ** (np.arange(10)),  # x2 a year
            "open_weights": False,
        }
    )
    trend = market.training_cost_trend(frame, 2016, 2025, n_boot=200)
    assert trend.doubling_months == pytest.approx(12, rel=1e-3)
    assert trend.growth_per_year == pytest.approx(2, rel=1e-3)
    assert trend.ci_low == pytest.approx(12, rel=1e-3) and trend.ci_high == pytest.approx(
        12, rel=1e-3
    )
    with pytest.raises(ValueError, match="three models"):
        market.training_cost_trend(frame.head(2), 2016, 2025)


def test_cost_trend_can_fit_the_frontier_only():
    dates = pd.to_datetime([f"{y}-07-02" for y in range(2016, 2026)] * 2)
    steps = np.tile(np.arange(10), 2)
    frontier = np.repeat([True, False], 10)
    frame = pd.DataFrame(
        {
            "year": dates.year,
            "publication_date": dates,
            "model": range(20),
            # frontier x4 a year (doubles in 6 months), the rest x2 (12 months)
            "training_compute_cost_usd": np.where(frontier, 1e6 * 4.0**steps, 1e3 * 2.0**steps),
            "open_weights": False,
            "frontier_model": frontier,
        }
    )
    top = market.training_cost_trend(frame, 2016, 2025, n_boot=50, frontier_only=True)
    assert top.n_models == 10 and top.frontier_only and top.n_boot == 50
    assert top.doubling_months == pytest.approx(6, rel=1e-3)
    every = market.training_cost_trend(frame, 2016, 2025, n_boot=50)
    assert every.n_models == 20 and not every.frontier_only
    assert every.doubling_months != pytest.approx(6, rel=0.05)  # mixing both is another answer
    points = market.cost_points(frame.drop(columns="frontier_model"), 2016, 2025)
    assert not points["frontier_model"].any()  # an older frame without the column still works


def test_cost_trend_on_real_data_is_reproducible():
    models = load_epoch_models()
    trend = market.training_cost_trend(models)
    assert trend == market.training_cost_trend(models)  # seeded bootstrap
    assert trend.n_models == 166
    assert round(trend.doubling_months, 1) == 9.8
    assert trend.ci_low < trend.doubling_months < trend.ci_high
    top = market.most_expensive(models, 3)
    assert (
        list(top["model"]) == ["Grok 4", "GPT-4.5", "Grok 3"] and top["cost_musd"].iloc[0] == 387.8
    )


def test_investment_summary_and_shares():
    investment = load_ai_investment()
    summary = market.investment_summary(investment, 2013, 2024)
    assert summary.loc["World", "share of world 2024"] == 1
    assert round(summary.loc["World", "CAGR"], 3) == 0.323
    shares = market.investment_shares(investment)
    assert np.allclose(shares.sum(axis=1), 1) and (shares["Other"] > 0).all()


def _ranking_from(snapshots: list[tuple[str, dict[str, int]]]) -> pd.DataFrame:
    """A top-list ranking of one topic: (snapshot date, {repo: stars}) in rank order."""
    rows = []
    for snapshot, stars in snapshots:
        for rank, (repo, count) in enumerate(stars.items(), start=1):
            rows.append(
                {
                    "snapshot": pd.Timestamp(snapshot),
                    "topic": "LLM",
                    "rank": rank,
                    "repo": repo,
                    "stars": count,
                    "forks": count // 10,
                }
            )
    return pd.DataFrame(rows)


def _ranking():
    return _ranking_from(
        [
            ("2025-01-01", {"a/x": 100, "b/y": 50, "c/z": 10}),
            ("2025-06-01", {"a/x": 150, "b/y": 100}),
        ]
    )  # c/z dropped out


def test_topic_growth_follows_the_cohort_and_reports_coverage():
    growth = market.topic_growth(_ranking(), "2025-01-01", "2025-06-01")
    row = growth.loc["LLM"]
    assert row["coverage"] == pytest.approx(2 / 3)
    assert row["star_growth"] == pytest.approx(250 / 150 - 1)  # survivors only, same repos
    repos = market.repo_growth(_ranking(), "2025-01-01", "2025-06-01")
    assert list(repos.index) == ["b/y", "a/x"] and repos.loc["b/y", "star_growth"] == 1.0
    with pytest.raises(ValueError, match="no snapshot"):
        market.topic_growth(_ranking(), "2025-01-01", "2030-01-01")


def _ranking_with_dropouts():
    return _ranking_from(
        [
            ("2025-01-01", {"a/x": 100, "b/y": 50, "c/z": 10, "d/w": 40}),
            ("2025-03-01", {"a/x": 120, "b/y": 70, "c/z": 30}),  # d/w gone
            ("2025-06-01", {"a/x": 150, "b/y": 100}),
        ]
    )  # c/z gone too


def test_topic_growth_lower_bound_counts_dropouts_at_their_last_seen_stars():
    ranking = _ranking_with_dropouts()
    row = market.topic_growth(ranking, "2025-01-01", "2025-06-01").loc["LLM"]
    assert row["coverage"] == 0.5
    assert row["star_growth"] == pytest.approx(250 / 150 - 1)  # survivors only
    # whole cohort: c/z at its last-seen 30 stars, d/w never seen again (no growth)
    assert row["star_growth_low"] == pytest.approx((150 + 100 + 30 + 40) / 200 - 1)
    assert row["star_growth_low"] < row["star_growth"]
    seen = market.last_seen(ranking, "2025-01-01", "2025-03-01")  # end bounds the window
    assert seen.loc["a/x", "stars"] == 120 and seen.loc["d/w", "snapshot"] == pd.Timestamp(
        "2025-01-01"
    )


def test_star_decreases_counts_falls_between_sightings():
    ranking = _ranking_with_dropouts()
    assert market.star_decreases(ranking) == {"pairs": 5, "share": 0.0, "median_fall": 0.0}
    ranking.loc[(ranking["repo"] == "b/y") & (ranking["snapshot"] == "2025-06-01"), "stars"] = 63
    falls = market.star_decreases(ranking)
    assert falls["share"] == pytest.approx(1 / 5) and falls["median_fall"] == pytest.approx(0.1)


def test_concentration_and_correlation_on_real_data():
    ranking = load_github_ranking(["2025-03-04", "2026-08-22"])
    shares = market.top10_share(ranking, "2026-08-22")
    assert len(shares) == 15 and shares.between(0.1, 1).all()
    assert round(shares["LLM"], 3) == 0.262
    assert 0.9 < market.stars_forks_correlation(ranking, "2026-08-22") <= 1
    growth = market.topic_growth(ranking, "2025-03-04", "2026-08-22")
    assert (growth["coverage"] > 0.3).all()
    assert growth["star_growth_low"].is_monotonic_decreasing  # sorted by the lower bound
    assert (growth["star_growth_low"] < growth["star_growth"]).all()  # drop-outs at zero growth
    full = load_github_ranking()  # with the snapshots between, drop-outs count at last sighting
    full_growth = market.topic_growth(full, "2025-03-04", "2026-08-22")
    tighter = full_growth["star_growth_low"] - growth["star_growth_low"]  # aligned on topic
    assert (tighter >= 0).all() and len(tighter) == 15  # the snapshots between tighten the bound
    assert (full_growth["star_growth_low"] > 0.25).all()  # every cohort grew, drop-outs counted
    assert full_growth.index[0] == "AI Agents"
    assert round(full_growth.loc["AI Agents", "star_growth_low"], 2) == 0.80
    falls = market.star_decreases(full)
    assert falls["share"] < 0.1 and falls["median_fall"] < 0.01


def test_frontier_cost_trend_on_real_data():
    trend = market.training_cost_trend(load_epoch_models(), frontier_only=True)
    assert trend.n_models == 44 and round(trend.doubling_months, 1) == 7.7
    assert round(trend.ci_low, 1) == 6.6 and round(trend.ci_high, 1) == 9.1


def test_cleaning_report_counts_what_the_loader_fixed():
    report = epoch_cleaning_report()
    assert report["rows"].tolist() == [4, 255, 293, 223]
