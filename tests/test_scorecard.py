"""The commercialization scorecard, its sensitivity analyses, validation and explorer widget."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from course.data import load_github_ranking
from course.strategy import scorecard, validation
from course.strategy.scoring import ScoringInputError


def test_scorecard_is_complete_documented_and_in_range():
    card = scorecard.scorecard()
    assert card.shape == (6, 6) and card.isin(range(1, 6)).all().all()
    assert list(card.index) == [
        "API",
        "SaaS",
        "PaaS",
        "Support subscription",
        "Custom development",
        "Open core",
    ]
    assert all(len(why) > 15 for *_, why in scorecard.SCORES)
    assert sum(scorecard.DEFAULT_WEIGHTS.values()) == pytest.approx(1)
    assert scorecard.rationale("API").loc["scalability", "score"] == 5
    with pytest.raises(KeyError, match="paths"):
        scorecard.rationale("Blockchain")


def test_rankings_and_where_the_aggregations_disagree():
    additive = scorecard.rank_paths(method="additive")
    multiplicative = scorecard.rank_paths(method="multiplicative")
    assert (
        list(additive.index[:3])
        == list(multiplicative.index[:3])
        == ["API", "Open core", "Support subscription"]
    )
    assert additive.round(3)["API"] == 0.762
    assert list(additive.index).index("Custom development") == 3
    assert multiplicative["Custom development"] == 0  # a 1/5 on scalability is fatal
    with pytest.raises(ScoringInputError, match="method"):
        scorecard.rank_paths(method="median")
    with pytest.raises(ScoringInputError, match="criteria"):
        scorecard.rank_paths({"time_to_revenue": 1.0})


def test_tornado_is_one_at_a_time_and_sorted_by_swing():
    table = scorecard.tornado()
    assert table.attrs["leader"] == "API" and table.attrs["runner_up"] == "Open core"
    assert table.attrs["base"] == pytest.approx(0.1)
    swings = (table["high"] - table["low"]).abs()
    assert list(swings) == sorted(swings, reverse=True)
    assert (table > 0).all().all()  # the leader never loses in one-at-a-time changes
    reweighted = scorecard._reweighted(scorecard.DEFAULT_WEIGHTS, "gross_margin", 2.0)
    assert sum(reweighted.values()) == pytest.approx(1)


@pytest.mark.parametrize("method", scorecard.METHODS)
def test_tornado_margin_is_over_the_best_other_path(method):
    table = scorecard.tornado(method=method)
    leader = table.attrs["leader"]
    for criterion in table.index:
        changed = scorecard._reweighted(scorecard.DEFAULT_WEIGHTS, criterion, 0.5)
        ranked = scorecard.rank_paths(changed, method)
        assert table.loc[criterion, "low"] == pytest.approx(
            ranked[leader] - ranked.drop(leader).max()
        )
    assert table.attrs["method"] == method and table.attrs["swing"] == 0.5
    assert scorecard.tornado_sentence(table).startswith(
        f"{method.capitalize()}: API stays first whichever weight moves by 50%"
    )


def test_tornado_verdict_reports_a_flip():
    table = pd.DataFrame({"low": [0.05, -0.01], "high": [0.1, 0.02]}, index=["x", "y"])
    table.attrs.update(leader="A", runner_up="B", base=0.03, method="additive", swing=0.5)
    assert scorecard.tornado_verdict(table) == (
        "Additive: A loses first place when the weight of y moves"
    )
    assert "ranges from -0.01 to 0.10, and x moves it most" in scorecard.tornado_sentence(table)


def test_robustness_runs_both_checks_for_both_rules():
    tornados, first = scorecard.robustness(n=300, seed=2)
    assert list(tornados) == list(scorecard.METHODS) == list(first.columns)
    for method in scorecard.METHODS:
        assert tornados[method].attrs["method"] == method
        pd.testing.assert_series_equal(
            first[method].loc[scorecard.PATHS],
            scorecard.first_place_probability(n=300, seed=2, method=method).loc[scorecard.PATHS],
            check_names=False,
        )
    assert first.sum().to_numpy() == pytest.approx([1, 1])
    assert scorecard.first_place_headline(first) == (
        "Under weight uncertainty API wins most often, under both rules"
    )
    split = pd.DataFrame({"additive": [0.6, 0.4], "multiplicative": [0.3, 0.7]}, index=["A", "B"])
    assert scorecard.first_place_headline(split).endswith("A (additive), B (multiplicative)")
    with pytest.raises(ScoringInputError, match="method"):
        scorecard.first_place_probability(method="median")


def test_monte_carlo_is_seeded_and_sums_to_one():
    first = scorecard.first_place_probability(n=500, seed=1)
    again = scorecard.first_place_probability(n=500, seed=1)
    pd.testing.assert_series_equal(first, again)
    assert first.sum() == pytest.approx(1) and first.index[0] == "API"
    sentence = scorecard.stability_sentence(first)
    assert sentence.startswith("API ranks first in") and "robust" in sentence
    fragile = pd.Series([0.5, 0.4, 0.1], index=["A", "B", "C"])
    assert "fragile" in scorecard.stability_sentence(fragile)


def test_spearman_interval_on_known_data():
    x = np.arange(50.0)
    perfect = validation.spearman_with_interval(x, x * 2 + 1)
    assert perfect.rho == pytest.approx(1) and perfect.ci_low == pytest.approx(1)
    reverse = validation.spearman_with_interval(x, -x)
    assert reverse.rho == pytest.approx(-1)
    independent = np.random.default_rng(1).normal(size=300)
    noise = validation.spearman_with_interval(np.arange(300.0), independent)
    assert noise.ci_low < 0 < noise.ci_high and noise.ci_low < noise.rho < noise.ci_high
    small = validation.spearman_with_interval(np.arange(30.0), independent[:30])
    assert small.ci_high - small.ci_low > noise.ci_high - noise.ci_low  # less data, wider
    with pytest.raises(ScoringInputError):
        validation.spearman_with_interval([1, 2], [1, 2])


def test_weight_grid_covers_the_simplex():
    grid = validation.weight_grid(0.5)
    assert sorted(grid) == sorted(
        [(0, 0, 1), (0, 0.5, 0.5), (0, 1, 0), (0.5, 0, 0.5), (0.5, 0.5, 0), (1, 0, 0)]
    )
    assert len(validation.weight_grid(0.1)) == 66


def test_periods_do_not_overlap():
    fit, test = validation.FIT_PERIOD, validation.TEST_PERIOD
    assert list(fit) == sorted(fit) and list(test) == sorted(test)
    assert fit[2] <= test[0]  # the fit period's outcome ends where the test period begins
    assert validation.PERIODS == {"fit": fit, "test": test}


@pytest.fixture(scope="module")
def ranking():
    return load_github_ranking()


def test_validation_on_real_repositories(ranking):
    features = validation.repo_features(ranking, "2025-03-04", "2025-06-01")
    assert features[["B", "C", "D"]].stack().between(0, 1).all()
    table = validation.validation_table(
        ranking, {"equal": (1 / 3, 1 / 3, 1 / 3), "activity": (1, 0, 0)}
    )
    # the default is the fit period: no outcome after its end date is used
    assert table.equals(
        validation.validation_table(
            ranking, {"equal": (1 / 3, 1 / 3, 1 / 3), "activity": (1, 0, 0)}, validation.FIT_PERIOD
        )
    )
    joined = validation.score_and_outcome(ranking, (1, 0, 0), *validation.FIT_PERIOD)
    assert table.loc["equal", "n_repos"] == len(joined) == 765
    assert (
        round(table.loc["equal", "rho"], 2) == 0.29
        and round(table.loc["activity", "rho"], 2) == 0.62
    )
    weights, rho = validation.fit_weights(ranking)
    assert weights == (1.0, 0.0, 0.0) and rho == pytest.approx(table.loc["activity", "rho"])
    held_out = validation.validate_strategy_score(ranking, weights, validation.TEST_PERIOD)
    assert round(held_out.rho, 2) == 0.78 and held_out.n_repos == 757


def test_period_comparison_explains_a_higher_test_rho(ranking):
    options = {"equal": (1 / 3, 1 / 3, 1 / 3), "activity": (1, 0, 0)}
    table = validation.period_comparison(ranking, options)
    assert list(table.index) == [
        ("equal", "fit"),
        ("equal", "test"),
        ("activity", "fit"),
        ("activity", "test"),
    ]
    assert table.loc[("activity", "fit"), "rho"] == pytest.approx(
        validation.validate_strategy_score(ranking, (1, 0, 0), validation.FIT_PERIOD).rho
    )
    sentence = validation.period_gap_sentence(table, "activity")
    assert sentence.startswith("activity: rho 0.62 (95 % CI 0.57 to 0.67, 765 repositories)")
    assert "0.78 (0.75 to 0.81, 757) on the test period" in sentence
    assert (
        "do not overlap" in sentence and "Every weighting is higher on the test period" in sentence
    )


def _periods(rows):
    index = pd.MultiIndex.from_tuples([(w, p) for w, p, *_ in rows], names=["weighting", "period"])
    return pd.DataFrame(
        [r[2:] for r in rows], index=index, columns=["n_repos", "rho", "ci_low", "ci_high"]
    )


def test_period_gap_sentence_on_overlap_and_mixed_directions():
    table = _periods(
        [
            ("a", "fit", 50, 0.40, 0.20, 0.60),
            ("a", "test", 50, 0.50, 0.30, 0.70),
            ("b", "fit", 50, 0.30, 0.10, 0.50),
            ("b", "test", 50, 0.20, 0.00, 0.40),
        ]
    )
    sentence = validation.period_gap_sentence(table, "a")
    assert "intervals overlap" in sentence and "different directions" in sentence
    lower = _periods([("a", "fit", 50, 0.8, 0.75, 0.85), ("a", "test", 50, 0.3, 0.2, 0.4)])
    assert "do not overlap" in validation.period_gap_sentence(lower, "a")
    assert "Every weighting is lower" in validation.period_gap_sentence(lower, "a")


def test_rule_comparison_names_ties_instead_of_breaking_them():
    table = scorecard.rule_comparison()
    assert list(table.index) == list(scorecard.rank_paths(method="additive").index)
    mult = table["multiplicative rank"]
    assert mult["Custom development"] == mult["PaaS"] == 5 and mult["SaaS"] == 4
    assert table.loc["Custom development", "additive rank"] == 4
    sentence = scorecard.comparison_sentence(table)
    assert sentence.startswith("Both rules rank API 1st, Open core 2nd, Support subscription 3rd.")
    assert "Custom development 4th vs tied last with PaaS (both 0.000)" in sentence
    assert "PaaS last vs tied last with Custom development (both 0.000)" in sentence
    assert "SaaS 5th vs 4th" in sentence


def test_comparison_sentence_when_the_rules_agree_or_not_at_all():
    agree = pd.DataFrame(
        {
            "additive": [0.9, 0.5],
            "multiplicative": [0.8, 0.4],
            "additive rank": [1, 2],
            "multiplicative rank": [1, 2],
        },
        index=["A", "B"],
    )
    assert scorecard.comparison_sentence(agree) == "Both rules rank A 1st, B last."
    swap = agree.assign(**{"multiplicative rank": [2, 1]})
    assert scorecard.comparison_sentence(swap).startswith("The rules disagree from the top.")
    tied = agree.assign(multiplicative=[0.0, 0.0], **{"multiplicative rank": [1, 1]})
    assert "A 1st vs tied last with B (both 0.000)" in scorecard.comparison_sentence(tied)


def test_floor_criteria_are_the_scores_that_zero_a_product():
    floors = scorecard.floor_criteria()
    assert floors["Custom development"] == ["scalability"]
    assert floors["PaaS"] == ["time_to_revenue", "capital_light"] and floors["API"] == []
    multiplicative = scorecard.rank_paths(method="multiplicative")
    assert {p for p, c in floors.items() if c} == set(multiplicative.index[multiplicative == 0])


def test_scoring_explorer_reacts_to_sliders_and_method():
    import matplotlib

    matplotlib.use("Agg")
    from course.widgets import ScoringExplorer

    explorer = ScoringExplorer(draw=False)
    assert explorer.ranking.index[0] == "API"
    for name, slider in explorer.sliders.items():
        slider.value = 0.5 if name in ("time_to_revenue", "capital_light") else 0.0
    assert explorer.ranking.index[0] == "Custom development"
    assert explorer.weights()["time_to_revenue"] == pytest.approx(0.5)
    explorer.method.value = "multiplicative"
    assert explorer.ranking.index[0] in ("Custom development", "Support subscription")
    for slider in explorer.sliders.values():
        slider.value = 0.0
    assert explorer.ranking is None and "No ranking" in explorer.summary
    drawn = ScoringExplorer(draw=True)
    drawn.method.value = "multiplicative"
    assert drawn.summary.startswith("API leads (0.70)")
