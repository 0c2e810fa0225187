"""Lesson 05's figures: what each credit policy is worth, and what moves the profit.

Both draw on a :class:`course.decision.Case`; their one-line summaries are computed from it."""

from __future__ import annotations

from course import plots
from course.decision import CURRENT_POLICY, Case


def _values(ax, case: Case) -> None:
    names = list(case.values)
    euros = [case.values[n] / 1000 for n in names]  # thousands of euros per 1,000 applications
    colours = [plots.PALETTE["vermillion"] if v < 0 else plots.PALETTE["blue"] for v in euros]
    ax.barh(names, euros, color=colours)
    model = names.index("the model")
    low = (case.values[CURRENT_POLICY] + case.gain.low) / 1000
    high = (case.values[CURRENT_POLICY] + case.gain.high) / 1000
    ax.errorbar([euros[model]], [model], xerr=[[euros[model] - low], [high - euros[model]]],
                fmt="none", color=plots.PALETTE["black"], capsize=4)  # fmt: skip
    ax.axvline(0, color=plots.PALETTE["black"], linewidth=0.8)
    plots.label(ax, title="Value for a lender", xlabel="EUR thousand per 1,000 applications",
                ylabel="Credit policy")  # fmt: skip


def _tornado(ax, case: Case) -> None:
    base = case.scenarios["base"] / 1e6
    for row, (name, low, high) in enumerate(reversed(case.tornado)):
        ax.barh(row, (high - low) / 1e6, left=low / 1e6, color=plots.PALETTE["sky"])
    ax.set_yticks(range(len(case.tornado)),
                  [name.replace("_", " ") for name, _, _ in reversed(case.tornado)])
    ax.axvline(base, color=plots.PALETTE["black"], linewidth=0.8)
    ax.axvline(0, color=plots.PALETTE["vermillion"], linewidth=0.8, linestyle="--")
    plots.label(ax, title="What moves first-year profit", xlabel="First-year profit (US$ million)",
                ylabel="Input, over its planning range")  # fmt: skip


def summary_figure(case: Case):
    """The case on one figure: policy values (the model's bar with its bootstrap interval) and a
    tornado of first-year profit. Returns the figure (for the report) after drawing it."""
    fig, (left, right) = plots.figure(ncols=2, figsize=(11, 4))
    _values(left, case)
    _tornado(right, case)
    return fig


def summary_text(case: Case) -> str:
    """The figure's one-line text summary, from the case's numbers."""
    best = max(case.values, key=case.values.get)
    name, low, high = case.tornado[0]
    return (f"Left: {best} creates the most value, EUR {case.values[best]:,.0f} per 1,000 "
            f"applications (the current policy: EUR {case.values[CURRENT_POLICY]:,.0f}). Right: "
            f"{name.replace('_', ' ')} moves first-year profit most, from US$ {low:,.0f} to "
            f"US$ {high:,.0f}; the base case is US$ {case.scenarios['base']:,.0f}.")
