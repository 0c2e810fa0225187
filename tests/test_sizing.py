"""Market sizing: the formula, its guards, and the slider explorer driven like a learner would."""

from __future__ import annotations

import math

import pytest

from course.market import sizing


def test_default_estimate_and_formula():
    assert sizing.market_size() == pytest.approx({"TAM": 35e6, "SAM": 7e6, "SOM": 140e3})
    doubled = sizing.market_size(price_per_decision=1.0)
    assert doubled["SOM"] == pytest.approx(280e3)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("serviceable_share", 40, "percentage"),
        ("obtainable_share", -0.1, "between 0 and 1"),
        ("lenders", -5, "non-negative"),
        ("price_per_decision", math.nan, "non-negative"),
    ],
)
def test_bad_assumptions_are_refused(name, value, message):
    with pytest.raises(ValueError, match=message):
        sizing.market_size(**{name: value})


def test_unknown_assumption_is_named():
    with pytest.raises(TypeError, match="prices"):
        sizing.market_size(prices=1)


def test_every_assumption_has_unit_reason_and_a_slider_range_around_it():
    table = sizing.assumptions_table()
    assert list(table.columns) == ["value", "unit", "why"] and len(table) == 6
    for a in sizing.ASSUMPTIONS.values():
        assert a.unit and len(a.why) > 30 and a.low <= a.value <= a.high


def test_sizing_reads_the_courses_one_set_of_assumptions():
    from course import assumptions

    assert sizing.ASSUMPTIONS is assumptions.MARKET
    assert sizing.assumptions_table()["value"].to_dict() == {
        name: a.value for name, a in assumptions.MARKET.items()
    }
    som_decisions = assumptions.obtainable_decisions_per_year()
    assert sizing.market_size()["SOM"] == pytest.approx(
        som_decisions * assumptions.value("price_per_decision")
    )


def test_market_sizer_recomputes_when_sliders_move():
    import matplotlib

    matplotlib.use("Agg")
    from course.widgets import MarketSizer, plot_market

    sizer = MarketSizer(draw=False)
    assert list(sizer.sliders) == list(sizing.ASSUMPTIONS)  # one slider per market assumption
    assert sizer.result == pytest.approx(sizing.market_size())
    sizer.sliders["price_per_decision"].value = 1.0
    sizer.sliders["obtainable_share"].value = 0.05
    assert sizer.result["SOM"] == pytest.approx(
        sizing.market_size(price_per_decision=1.0, obtainable_share=0.05)["SOM"]
    )
    assert "SOM US$ 0.700 M/yr" in sizer.summary
    drawn = MarketSizer(draw=True)
    drawn.sliders["lenders"].value = 28_000
    assert "TAM US$ 70.0 M/yr" in drawn.summary
    fig, ax = matplotlib.pyplot.subplots()
    plot_market(ax, drawn.result)
    assert [bar.get_width() for bar in ax.patches] == pytest.approx([0.28, 14.0, 70.0])


def test_market_sizer_never_shows_a_traceback(monkeypatch, capsys):
    import matplotlib

    matplotlib.use("Agg")
    from course import widgets

    sizer = widgets.MarketSizer(draw=True)
    fig, ax = matplotlib.pyplot.subplots()
    widgets.plot_market(ax, sizer.result)
    fig.canvas.draw()  # plain tick labels: nothing for mathtext to parse
    assert all("$" not in t.get_text() for t in ax.get_xticklabels() if t.get_text())

    def broken(ax, result):
        raise ValueError("Expected end of text, found '$'")

    monkeypatch.setattr(widgets, "plot_market", broken)
    capsys.readouterr()
    sizer.sliders["lenders"].value = 20_000  # the redraw fails (outside a kernel, output is stdout)
    shown = capsys.readouterr().out
    assert "could not be drawn (ValueError)" in shown and "Traceback" not in shown
    assert "Figure: TAM US$ 50.0 M/yr" in shown
    sizer.sliders["lenders"].value = 20_000.0  # the same value again: no redraw
    assert "Figure:" not in capsys.readouterr().out
