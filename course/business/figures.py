"""Lesson 05's figure: what each credit policy is worth, what the model adds over each baseline,
and what moves the profit and the model's edge. Every bar carries its number.

It draws on a :class:`course.business.decision.Case`; its one-line summary is computed from it."""

from __future__ import annotations

import numpy as np

from course import plots
from course.business.decision import Case
from course.business.lending import BASELINES, MODEL, RATES


def _policies(ax, case: Case) -> None:
    names = [*BASELINES, MODEL]
    rows = np.arange(len(names))[::-1]
    colours = {"sample": plots.PALETTE["sky"], "population": plots.PALETTE["blue"]}
    labels = {
        "sample": f"sample ({case.lender.sample_rate:.0%} bad)",
        "population": f"population ({case.population_rate:.0%} bad)",
    }
    for offset, rate in zip((0.2, -0.2), RATES, strict=True):
        euros = [case.values[rate][n] / 1000 for n in names]
        bars = ax.barh(rows + offset, euros, height=0.4, color=colours[rate], label=labels[rate])
        ax.bar_label(bars, labels=[f"{e:,.0f}" for e in euros], padding=2, fontsize=8)
    ax.set_yticks(rows, names)
    ax.axvline(0, color=plots.PALETTE["black"], linewidth=0.8)
    ax.margins(x=0.15)
    ax.legend(loc="best", fontsize=8, title="bad rate")
    plots.label(
        ax,
        title="Value for a lender",
        xlabel="EUR thousand per 1,000 applications",
        ylabel="Credit policy",
    )


def _gains(ax, case: Case) -> None:
    gains = case.gains["population"]
    names = list(gains)
    rows = np.arange(len(names))[::-1]
    means = np.array([gains[n].mean for n in names]) / 1000
    lows = np.array([gains[n].low for n in names]) / 1000
    highs = np.array([gains[n].high for n in names]) / 1000
    colours = [
        plots.PALETTE["green"] if gains[n].certain else plots.PALETTE["vermillion"] for n in names
    ]
    ax.errorbar(
        means,
        rows,
        xerr=[means - lows, highs - means],
        fmt="none",
        ecolor=plots.PALETTE["black"],
        capsize=4,
        label=f"{case.rule.level:.0%} bootstrap interval",
    )
    ax.scatter(means, rows, color=colours, zorder=3, label="mean gain")
    for row, mean, high in zip(rows, means, highs, strict=True):
        ax.annotate(
            f"{mean:,.1f}",
            (high, row),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(rows, names)
    ax.axvline(0, color=plots.PALETTE["black"], linewidth=0.8)
    ax.margins(x=0.15)
    ax.legend(loc="best", fontsize=8)
    plots.label(
        ax,
        title=f"The model minus each baseline ({case.population_rate:.0%} bad)",
        xlabel="EUR thousand per 1,000 applications\n(criterion 1: every interval above 0)",
        ylabel="Baseline",
    )


def _tornado(ax, rows, low_of, high_of, scale, title, xlabel, base) -> None:
    """Two bars per input from the base case: to the output at the input's low end and at its
    high end, each labelled with its value."""
    base = base / scale
    ends = (("low", low_of, plots.PALETTE["orange"]), ("high", high_of, plots.PALETTE["blue"]))
    for y, row in enumerate(reversed(rows)):
        for (end, of, colour), shift in zip(ends, (0.18, -0.18), strict=True):
            at = of(row) / scale
            ax.barh(
                y + shift,
                at - base,
                left=base,
                height=0.36,
                color=colour,
                label=f"input at its {end} end" if y == 0 else None,
            )
            ax.annotate(
                f"{at:,.2f}",
                (at, y + shift),
                xytext=(3 if at >= base else -3, 0),
                textcoords="offset points",
                ha="left" if at >= base else "right",
                va="center",
                fontsize=7,
            )
    ax.set_yticks(range(len(rows)), [r.name.replace("_", " ") for r in reversed(rows)])
    ax.axvline(base, color=plots.PALETTE["black"], linewidth=0.8)
    ax.axvline(0, color=plots.PALETTE["vermillion"], linewidth=0.8, linestyle="--")
    ax.margins(x=0.2)
    ax.legend(loc="best", fontsize=8)
    plots.label(ax, title=title, xlabel=xlabel, ylabel="Input (range in the evidence table)")


def profit_rows(case: Case):
    """The tornado rows that move steady-state profit, widest first."""
    return [r for r in case.tornado if r.profit_swing > 0]


def edge_rows(case: Case):
    """The tornado rows that move the model's edge over the best baseline, widest first."""
    return sorted([r for r in case.tornado if r.edge_swing > 0], key=lambda r: -r.edge_swing)


def summary_figure(case: Case):
    """The case on one figure: policy values at both bad rates, the model's gain over each
    baseline with its interval, and two tornados (steady-state profit; the model's edge).
    Returns the figure (for the report) after drawing it."""
    import matplotlib.pyplot as plt

    plots.use_course_style()
    fig, grid = plt.subplots(2, 2, figsize=(13, 10))
    _policies(grid[0, 0], case)
    _gains(grid[0, 1], case)
    base = case.plan.steady_state_profit
    _tornado(
        grid[1, 0],
        profit_rows(case),
        lambda r: r.profit_at_low,
        lambda r: r.profit_at_high,
        1e6,
        "What moves steady-state profit",
        "Steady-state profit (US$ million per year)",
        base,
    )
    edge = case.gains["population"][case.best_baseline()].mean
    _tornado(
        grid[1, 1],
        edge_rows(case),
        lambda r: r.edge_at_low,
        lambda r: r.edge_at_high,
        1e3,
        "What moves the model's edge",
        "EUR thousand per 1,000 applications",
        edge,
    )
    return fig


def summary_text(case: Case) -> str:
    """The figure's one-line text summary, from the case's numbers."""
    pop = case.values["population"]
    best = case.best_baseline()
    held = [n for n, g in case.gains["population"].items() if g.certain]
    unclear = [n for n in case.gains["population"] if n not in held]
    profit, edge = profit_rows(case), edge_rows(case)
    parts = [
        f"Top left: at the population's bad rate ({case.population_rate:.0%}) the model creates "
        f"EUR {pop[MODEL]:,.0f} per 1,000 applications, the best baseline ({best}) "
        f"EUR {pop[best]:,.0f}."
    ]
    parts.append(
        "Top right: the model's interval is above zero against "
        + (", ".join(held) if held else "no baseline")
        + ("; it includes or lies below zero against " + ", ".join(unclear) if unclear else "")
        + "."
    )
    if profit:
        top = profit[0]
        parts.append(
            f"Bottom left: {top.name.replace('_', ' ')} moves steady-state profit most, "
            f"from US$ {top.profit_at_low:,.0f} to US$ {top.profit_at_high:,.0f} a year; "
            f"the base case is US$ {case.plan.steady_state_profit:,.0f}."
        )
    if edge:
        top = edge[0]
        parts.append(
            f"Bottom right: {top.name.replace('_', ' ')} moves the model's edge most, from "
            f"EUR {top.edge_at_low:,.0f} to EUR {top.edge_at_high:,.0f}."
        )
    return " ".join(parts)
