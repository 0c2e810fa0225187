"""One set of business assumptions (course.assumptions), and the costs derived from it."""

from __future__ import annotations

import pytest

from course import assumptions
from course.assumptions import ASSUMPTIONS, value
from course.business import pricing
from course.market import sizing


def test_every_assumption_has_a_unit_a_reason_and_a_range_around_it():
    for a in ASSUMPTIONS.values():
        assert a.unit and len(a.why) > 30, a.name
        assert a.low <= a.value <= a.high and a.step > 0, a.name
    assert set(assumptions.table()["group"]) == {"market", "plans", "serving", "demand", "business"}


def test_the_lessons_share_one_set():
    assert sizing.ASSUMPTIONS is assumptions.MARKET  # lesson 01's sizer
    assert pricing.Plans().price_per_row == value("price_per_decision")  # lesson 04's per call
    from course.exercises.lesson02 import DEMAND_SCENARIO

    assert DEMAND_SCENARIO == assumptions.DEMAND_SCENARIO  # lesson 02's exercise 4


def test_obtainable_volume_is_the_som_in_decisions():
    som = sizing.market_size()["SOM"]
    assert assumptions.obtainable_decisions_per_year() == pytest.approx(
        som / value("price_per_decision")
    )
    assert assumptions.obtainable_decisions_per_month() * 12 == pytest.approx(
        assumptions.obtainable_decisions_per_year()
    )
    assert assumptions.obtainable_decisions_per_year(lenders=0) == 0


def test_serving_cost_at_the_obtainable_volume():
    cost = pricing.serving_cost()
    assert cost.monthly_predictions == pytest.approx(assumptions.obtainable_decisions_per_month())
    # the whole server's price over the predictions it carries, whatever its speed
    assert cost.per_thousand_usd == pytest.approx(
        value("server_monthly_usd") / cost.monthly_predictions * 1000
    )
    assert 0 < cost.utilisation < 0.01  # almost idle: volume, not speed, sets the cost
    assert pricing.serving_cost(10 * cost.monthly_predictions).per_thousand_usd == pytest.approx(
        cost.per_thousand_usd / 10
    )


def test_an_unknown_name_lists_the_known_ones():
    with pytest.raises(KeyError, match="price_per_decision"):
        value("price")


def test_planning_ranges_surround_the_stated_values():
    for name, (low, high, why) in assumptions.PLAUSIBLE.items():
        a = ASSUMPTIONS[name]
        assert a.low <= low <= a.value <= high <= a.high and why, name
