"""The commercialization scorecard, its sensitivity analyses, validation and explorer widget."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from course import scorecard
from course.data import load_github_ranking
from course.scoring import ScoringInputError


def test_scorecard_is_complete_documented_and_in_range():
    card = scorecard.scorecard()
    assert card.shape == (6, 6) and card.isin(range(1, 6)).all().all()
    assert list(card.index) == ["API", "SaaS", "PaaS", "Support subscription",
                                "Custom development", "Open core"]  # fmt: skip
    assert all(len(why) > 15 for *_, why in scorecard.SCORES)
    assert sum(scorecard.DEFAULT_WEIGHTS.values()) == pytest.approx(1)
    assert scorecard.rationale("API").loc["scalability", "score"] == 5
    with pytest.raises(KeyError, match="paths"):
        scorecard.rationale("Blockchain")


def test_rankings_and_where_the_aggregations_disagree():
    additive = scorecard.rank_paths(method="additive")
    multiplicative = scorecard.rank_paths(method="multiplicative")
    assert list(additive.index[:3]) == list(multiplicative.index[:3]) == \
        ["API", "Open core", "Support subscription"]  # fmt: skip
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
    perfect = scorecard.spearman_with_interval(x, x * 2 + 1)
    assert perfect.rho == pytest.approx(1) and perfect.ci_low == pytest.approx(1)
    reverse = scorecard.spearman_with_interval(x, -x)
    assert reverse.rho == pytest.approx(-1)
    independent = np.random.default_rng(1).normal(size=300)
    noise = scorecard.spearman_with_interval(np.arange(300.0), independent)
    assert noise.ci_low < 0 < noise.ci_high and noise.ci_low < noise.rho < noise.ci_high
    small = scorecard.spearman_with_interval(np.arange(30.0), independent[:30])
    assert small.ci_high - small.ci_low > noise.ci_high - noise.ci_low  # less data, wider
    with pytest.raises(ScoringInputError):
        scorecard.spearman_with_interval([1, 2], [1, 2])


def test_weight_grid_covers_the_simplex():
    grid = scorecard.weight_grid(0.5)
    assert sorted(grid) == sorted([(0, 0, 1), (0, 0.5, 0.5), (0, 1, 0), (0.5, 0, 0.5),
                                   (0.5, 0.5, 0), (1, 0, 0)])  # fmt: skip
    assert len(scorecard.weight_grid(0.1)) == 66


def test_validation_on_real_repositories():
    ranking = load_github_ranking()
    features = scorecard.repo_features(ranking, "2025-03-04", "2025-06-01")
    assert features[["B", "C", "D"]].stack().between(0, 1).all()
    table = scorecard.validation_table(ranking, {"equal": (1 / 3, 1 / 3, 1 / 3), "activity": (1, 0, 0)})
    assert table.loc["equal", "n_repos"] == 592
    assert round(table.loc["equal", "rho"], 2) == 0.32 and round(table.loc["activity", "rho"], 2) == 0.64
    weights, rho = scorecard.fit_weights(ranking)
    assert weights == (1.0, 0.0, 0.0) and rho > 0.5
    held_out = scorecard.validate_strategy_score(ranking, weights, scorecard.TEST_PERIOD)
    assert round(held_out.rho, 2) == 0.78 and held_out.n_repos == 757


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
