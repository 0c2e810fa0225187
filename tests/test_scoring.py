"""course.strategy.scoring: the seeds' formulas with guards, normalisation and aggregation,
including property-based tests (bounds, monotonicity, invariance to the order of criteria)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course.strategy import scoring
from course.strategy.scoring import ScoringInputError

index = st.floats(0, 1, allow_nan=False)
count = st.floats(0, 1e6, allow_nan=False)


@st.composite
def table_and_weights(draw, min_options=1):
    n_options = draw(st.integers(min_options, 6))
    n_criteria = draw(st.integers(1, 5))
    scores = np.array(
        draw(
            st.lists(
                st.lists(index, min_size=n_criteria, max_size=n_criteria),
                min_size=n_options,
                max_size=n_options,
            )
        )
    )
    raw = np.array(draw(st.lists(st.floats(0.01, 1), min_size=n_criteria, max_size=n_criteria)))
    return scores, raw / raw.sum()


def test_seed_ratio_breaks_where_the_lesson_says():
    assert scoring.seed_ratio_factor(0.2, 30, 10) == pytest.approx(0.755)
    with pytest.raises(ZeroDivisionError):
        scoring.seed_ratio_factor(0.2, 0, 0)
    assert scoring.seed_ratio_factor(0.2, 0.1, 0) == pytest.approx(3.0)  # unbounded


@given(count, count, index)
def test_bounded_index_stays_in_0_1_and_is_prior_without_evidence(gain, loss, prior):
    value = scoring.bounded_index(gain, loss, prior)
    assert 0 <= value <= 1
    assert scoring.bounded_index(0, 0, prior) == pytest.approx(prior)


@given(count, count, st.floats(0.1, 100))
def test_bounded_index_rises_with_gains_and_falls_with_losses(gain, loss, extra):
    base = scoring.bounded_index(gain, loss)
    assert scoring.bounded_index(gain + extra, loss) >= base - 1e-12
    assert scoring.bounded_index(gain, loss + extra) <= base + 1e-12


@pytest.mark.parametrize(
    "bad",
    [
        {"gain": -1, "loss": 0},
        {"gain": math.nan, "loss": 1},
        {"gain": 1, "loss": 1, "prior": 2},
        {"gain": 1, "loss": 1, "strength": 0},
    ],
)
def test_bounded_index_refuses_bad_input(bad):
    with pytest.raises(ScoringInputError):
        scoring.bounded_index(**bad)


@given(index, index, index, st.floats(0.1, 10))
def test_success_score_bounds_and_monotonicity(s, c, b, k):
    r = scoring.success_score(s, c, b, k)
    assert 0 <= r <= 1 / k + 1e-12
    assert scoring.success_score(min(1, s + 0.1), c, b, k) >= r - 1e-12


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0.5, 0.5, 0.5, 0), "k must be a positive"),
        ((0.5, 0.5, 0.5, -1), "k must be a positive"),
        ((1.2, 0.5, 0.5), r"S must be an index in \[0, 1\]"),
        ((math.nan, 0.5, 0.5), "S must be an index"),
        (("0.5", 0.5, 0.5), "S must be a number"),
        ((True, 0.5, 0.5), "S must be a number"),
    ],
)
def test_success_score_input_errors(args, message):
    with pytest.raises(ScoringInputError, match=message):
        scoring.success_score(*args)


def test_brand_effect_log_and_its_domain():
    assert scoring.brand_effect(math.e, k=2) == pytest.approx(2)
    assert scoring.brand_effect(0.5) < 0
    for bad in (0, -3, math.nan, math.inf):
        with pytest.raises(ScoringInputError, match="A > 0"):
            scoring.brand_effect(bad)


@given(index, index, index, st.permutations([0, 1, 2]))
def test_strategy_effect_bounded_and_order_invariant(b, c, d, order):
    weights = (0.5, 0.3, 0.2)
    value = scoring.strategy_effect(b, c, d, weights)
    assert 0 <= value <= 1 + 1e-12
    terms = (b, c, d)
    permuted = scoring.strategy_effect(*(terms[i] for i in order), tuple(weights[i] for i in order))
    assert permuted == pytest.approx(value)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ((0.5, 0.5, 0.5), "sum to 1"),
        ((-0.2, 0.6, 0.6), "not be negative"),
        ((math.nan, 0.5, 0.5), "finite"),
        ((), "non-empty"),
    ],
)
def test_weights_are_validated(weights, message):
    with pytest.raises(ScoringInputError, match=message):
        scoring.check_weights(weights)


def test_normalise_weights():
    assert scoring.normalise_weights({"a": 2, "b": 6}) == {"a": 0.25, "b": 0.75}
    with pytest.raises(ScoringInputError):
        scoring.normalise_weights({"a": 0, "b": 0})


@given(index, index, index, st.floats(0, 1), st.floats(0, 1))
def test_co_creation_bounded_and_increasing_in_technology(t, r, m, a, b):
    p = scoring.co_creation_output(t, r, m, a, b)
    assert 0 <= p <= 1 + 1e-12
    assert scoring.co_creation_output(min(1, t + 0.1), r, m, a, b) >= p - 1e-12


@given(index, index, index, index, index)
def test_market_demand_bounded_and_falls_with_competition(p, dc, c, s, pm):
    d = scoring.market_demand(p, dc, c, s, pm)
    assert 0 <= d <= 1
    assert scoring.market_demand(p, dc, min(1, c + 0.1), s, pm) <= d + 1e-12


def test_auc_skill():
    assert scoring.auc_skill(0.5) == 0 and scoring.auc_skill(0.4) == 0
    assert scoring.auc_skill(0.78) == pytest.approx(0.56) and scoring.auc_skill(1) == 1


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=30))
def test_normalisations_are_bounded_and_order_preserving(values):
    for method in (scoring.minmax, scoring.rank_normalise):
        out = method(values)
        assert ((out >= 0) & (out <= 1)).all()
        order = np.argsort(values, kind="stable")
        assert (np.diff(out[order]) >= -1e-12).all()


def test_normalisation_edge_cases():
    assert scoring.minmax([3, 3]).tolist() == [0.5, 0.5]
    assert scoring.rank_normalise([5]).tolist() == [0.5]
    assert scoring.log_minmax([0, 9, 99]).round(3).tolist() == [0, 0.5, 1]
    with pytest.raises(ScoringInputError):
        scoring.log_minmax([-1, 2])
    with pytest.raises(ScoringInputError):
        scoring.minmax([1, math.nan])


@settings(max_examples=60)
@given(table_and_weights(), st.data())
def test_aggregations_bounded_monotone_and_invariant_to_criterion_order(case, data):
    scores, weights = case
    for aggregate in (scoring.weighted_sum, scoring.weighted_product):
        values = aggregate(scores, weights)
        assert ((values >= -1e-12) & (values <= 1 + 1e-12)).all()
        order = data.draw(st.permutations(range(len(weights))))
        assert aggregate(scores[:, order], weights[order]) == pytest.approx(values)
        better = scores.copy()
        better[0, 0] = min(1.0, better[0, 0] + 0.2)
        assert aggregate(better, weights)[0] >= values[0] - 1e-12


def test_additive_and_multiplicative_disagree_on_a_weak_spot():
    scores = np.array([[1.0, 0.0], [0.45, 0.45]])
    weights = [0.5, 0.5]
    assert scoring.weighted_sum(scores, weights).argmax() == 0  # compensates
    assert scoring.weighted_product(scores, weights).argmax() == 1  # does not
    with pytest.raises(ScoringInputError, match="2 criteria but 3 weights"):
        scoring.weighted_sum(scores, [0.2, 0.3, 0.5])
    with pytest.raises(ScoringInputError, match="indices in"):
        scoring.weighted_product([[1.5, 0.2]], weights)


def test_bounded_index_defaults_to_add_half_and_laplace_is_strength_2():
    # add-1/2 (Krichevsky-Trofimov): half a gain and half a loss are added
    assert scoring.bounded_index(1, 0) == pytest.approx(1.5 / 2)
    assert scoring.bounded_index(30, 10) == pytest.approx(30.5 / 41)
    # Laplace's add-one rule: a whole gain and a whole loss
    for gain, loss in [(0, 0), (1, 0), (3, 7), (30, 10)]:
        laplace = (gain + 1) / (gain + loss + 2)
        assert scoring.bounded_index(gain, loss, strength=2) == pytest.approx(laplace)
    assert scoring.bounded_index(1, 0, strength=2) < scoring.bounded_index(
        1, 0
    )  # pulls harder to 0.5


@given(index, index, index, st.floats(0, 1), st.floats(0, 1))
def test_co_creation_is_the_product_of_its_multiplied_out_powers(t, r, m, a, b):
    e = scoring.co_creation_exponents(a, b)
    assert e == pytest.approx({"T": a + b, "R": 1 - a, "M": 1 - b})
    assert scoring.co_creation_output(t, r, m, a, b) == pytest.approx(
        t ** e["T"] * r ** e["R"] * m ** e["M"], abs=1e-12
    )


@given(st.floats(0, 0.5), index, index)
def test_co_creation_with_half_exponents_is_linear_in_technology(t, r, m):
    # a = b = 0.5: P = T * sqrt(R * M), so doubling T doubles P (no diminishing returns in T)
    p = scoring.co_creation_output(t, r, m)
    assert scoring.co_creation_output(2 * t, r, m) == pytest.approx(2 * p, abs=1e-12)
    assert scoring.co_creation_output(t, r, m) == pytest.approx(t * math.sqrt(r * m), abs=1e-12)


def test_returns_kind_reads_an_exponent():
    e = scoring.co_creation_exponents()
    assert {name: scoring.returns_kind(x) for name, x in e.items()} == {
        "T": "constant",
        "R": "diminishing",
        "M": "diminishing",
    }
    assert scoring.returns_kind(scoring.co_creation_exponents(0.2, 0.3)["T"]) == "diminishing"
    assert scoring.returns_kind(1.5) == "increasing" and scoring.returns_kind(0.0) == "diminishing"
    for bad in (-0.1, math.nan, math.inf):
        with pytest.raises(ScoringInputError, match="exponent"):
            scoring.returns_kind(bad)
    with pytest.raises(ScoringInputError):
        scoring.co_creation_exponents(1.5, 0.5)


def test_rank_correlation_is_one_for_the_same_order_and_minus_one_for_the_reverse():
    assert scoring.rank_correlation([1, 2, 3, 4], [10, 20, 30, 40]) == 1.0
    assert scoring.rank_correlation([1, 2, 3, 4], [4, 3, 2, 1]) == -1.0
