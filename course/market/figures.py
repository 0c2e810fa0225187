"""Lesson 01's figures that take more than a few lines to draw: the training-cost trend."""

from __future__ import annotations

import numpy as np

from course.plots import COLORS


def plot_cost_points(ax, points, trend, frontier) -> None:
    """Training cost per model (open and not open weights), frontier models ringed, and the two
    fitted exponential trends (all models, frontier models) on a log scale."""
    for is_open, color, name in [
        (False, COLORS[1], "not open weights"),
        (True, COLORS[0], "open weights"),
    ]:
        chosen = points[points["open_weights"] == is_open]
        ax.scatter(chosen["decimal_year"], chosen["cost_usd"], s=18, color=color, label=name)
    ringed = points[points["frontier_model"]]
    ax.scatter(
        ringed["decimal_year"],
        ringed["cost_usd"],
        s=60,
        facecolors="none",
        edgecolors=COLORS[7],
        label="frontier model",
    )
    years = np.linspace(2016, 2026, 50)
    for fit, style, name in [
        (trend, ":", "fit, all models"),
        (frontier, "-", "fit, frontier models"),
    ]:
        ax.plot(
            years,
            10 ** (fit.intercept_log10 + fit.slope_log10 * years),
            style,
            color=COLORS[7],
            label=name,
        )
    ax.set_yscale("log")
    ax.legend(fontsize="small")
