"""Lesson 01 logic: openness of AI models, the cost of training, investment and community growth.

Every figure and number in the lesson comes from a function here, tested on hand-made frames
whose answers are known and on the real files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from course.data.loaders import ACCESSIBILITY_ORDER

#: Accessibility grouped into four broader classes for plots.
OPENNESS_GROUPS = {
    "Open weights (unrestricted)": "Open weights",
    "Open weights (restricted use)": "Open weights",
    "Open weights (non-commercial)": "Open weights",
    "API access": "API or hosted",
    "Hosted access (no API)": "API or hosted",
    "Unreleased": "Unreleased",
    "Unknown": "Unknown",
}


def _years(frame: pd.DataFrame, start: int, end: int) -> pd.DataFrame:
    if start > end:
        raise ValueError(f"start ({start}) must not be after end ({end})")
    return frame[frame["year"].between(start, end)]


def models_by_accessibility(
    models: pd.DataFrame, start: int, end: int, grouped: bool = True
) -> pd.DataFrame:
    """Models per year (rows) and accessibility (columns, most open first), zeros filled in."""
    chosen = _years(models, start, end)
    access = chosen["accessibility"].astype(str)
    labels = access.map(OPENNESS_GROUPS) if grouped else access
    order = list(dict.fromkeys(OPENNESS_GROUPS.values())) if grouped else ACCESSIBILITY_ORDER
    table = pd.crosstab(chosen["year"].astype(int), labels)
    table = table.reindex(index=range(start, end + 1), columns=order, fill_value=0).fillna(0)
    table.index.name, table.columns.name = "year", "accessibility"
    return table.astype(int)


def open_weights_share(models: pd.DataFrame, start: int, end: int) -> pd.Series:
    """Share (0-1) of each year's models with open weights, among models whose access is known.

    Models with unknown accessibility are left out of the denominator: counting them as closed
    would understate openness in early years, when most are unknown.
    """
    known = _years(models, start, end)
    known = known[known["accessibility"] != "Unknown"]
    share = known.groupby(known["year"].astype(int))["open_weights"].mean()
    share.index.name = "year"
    return share.rename("open_weights_share")


def industry_share(models: pd.DataFrame, start: int, end: int) -> pd.Series:
    """Share (0-1) of each year's models with at least one industry organisation involved."""
    chosen = _years(models, start, end).dropna(subset=["organization_type"])
    involved = chosen["organization_type"].str.contains("Industry")
    share = involved.groupby(chosen["year"].astype(int)).mean()
    share.index.name = "year"
    return share.rename("industry_share")


def models_per_country(models: pd.DataFrame, start: int, end: int, top: int = 10) -> pd.Series:
    """Models per country of the developing organisations (a joint model counts for each)."""
    countries = _years(models, start, end)["country"].dropna().str.split(", ").explode()
    # (ties in the order the countries first appear: value_counts orders them differently from
    # one pandas version to the next)
    counts = (
        countries.value_counts(sort=False).sort_values(ascending=False, kind="stable").head(top)
    )
    counts.index.name = "country"
    return counts.rename("models")


@dataclass(frozen=True)
class CostTrend:
    """A log-linear fit of training cost against publication date."""

    n_models: int
    first_year: int
    last_year: int
    slope_log10: float  # fitted log10(US$) per year
    intercept_log10: float
    growth_per_year: float  # the factor by which cost multiplies each year
    doubling_months: float
    ci_low: float  # 95 % bootstrap interval of the doubling time, months
    ci_high: float
    n_boot: int = 1000  # bootstrap resamples behind the interval
    frontier_only: bool = False  # fitted on Epoch AI's frontier models only


def doubling_time_months(slope_log10_per_year: float) -> float:
    """Months for a quantity to double when log10 of it rises by ``slope`` per year."""
    if not math.isfinite(slope_log10_per_year) or slope_log10_per_year <= 0:
        raise ValueError("the trend is not rising, so there is no doubling time")
    return 12 * math.log10(2) / slope_log10_per_year


def _slope(years: np.ndarray, log_cost: np.ndarray) -> float:
    return float(np.polyfit(years, log_cost, 1)[0])


def training_cost_trend(
    models: pd.DataFrame,
    start: int = 2016,
    end: int = 2025,
    n_boot: int = 1000,
    seed: int = 0,
    frontier_only: bool = False,
) -> CostTrend:
    """Fit log10(cost) = a + b * year and turn b into a doubling time, with a bootstrap 95 % CI.

    The bootstrap resamples models with replacement (seeded, so the interval is reproducible).
    With ``frontier_only`` the fit uses only the models Epoch AI flags as frontier models (column
    ``frontier_model``: among the most compute-intensive of their time), which is what a claim
    about "the frontier" must be fitted on; otherwise every model with a known cost.
    """
    points = cost_points(models, start, end)
    if frontier_only:
        points = points[points["frontier_model"]].reset_index(drop=True)
    if len(points) < 3:
        raise ValueError("need at least three models with a known cost to fit a trend")
    years = points["decimal_year"].to_numpy(float)
    log_cost = np.log10(points["cost_usd"].to_numpy(float))
    slope, intercept = (float(v) for v in np.polyfit(years, log_cost, 1))
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(years), size=(n_boot, len(years)))
    boot = np.array([_slope(years[i], log_cost[i]) for i in picks])
    months = 12 * math.log10(2) / boot[boot > 0]
    low, high = np.percentile(months, [2.5, 97.5])
    return CostTrend(
        len(points),
        int(years.min()),
        int(years.max()),
        slope,
        intercept,
        float(10**slope),
        doubling_time_months(slope),
        float(low),
        float(high),
        n_boot,
        frontier_only,
    )


def cost_points(models: pd.DataFrame, start: int = 2016, end: int = 2025) -> pd.DataFrame:
    """The models behind :func:`training_cost_trend`: decimal year, cost (US$), open weights and
    whether Epoch AI flags it as a frontier model (False where the column is absent)."""
    chosen = _years(models, start, end).dropna(subset=["training_compute_cost_usd"])
    chosen = chosen[chosen["training_compute_cost_usd"] > 0]
    dates = chosen["publication_date"]
    frontier = chosen["frontier_model"] if "frontier_model" in chosen else False
    points = pd.DataFrame(
        {
            "model": chosen["model"],
            "decimal_year": dates.dt.year + (dates.dt.day_of_year - 1) / 365.25,
            "cost_usd": chosen["training_compute_cost_usd"],
            "open_weights": chosen["open_weights"],
            "frontier_model": frontier,
        }
    )
    return points.astype({"frontier_model": bool}).reset_index(drop=True)


def most_expensive(models: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` models with the highest known training cost (US$ millions, 2023 dollars)."""
    top = models.nlargest(n, "training_compute_cost_usd")
    return pd.DataFrame(
        {
            "model": top["model"].to_numpy(),
            "organization": top["organization"].to_numpy(),
            "year": top["year"].astype(int).to_numpy(),
            "accessibility": top["accessibility"].astype(str).to_numpy(),
            "cost_musd": (top["training_compute_cost_usd"] / 1e6).round(1).to_numpy(),
        }
    )


def cagr(start_value: float, end_value: float, years: float) -> float:
    """Compound annual growth rate: the constant yearly rate that turns start into end."""
    if years <= 0:
        raise ValueError("years must be positive")
    if start_value <= 0 or end_value < 0:
        raise ValueError("CAGR needs a positive start value and a non-negative end value")
    return (end_value / start_value) ** (1 / years) - 1


def investment_summary(
    investment: pd.DataFrame, start: int = 2013, end: int = 2024
) -> pd.DataFrame:
    """Per region: investment in ``start`` and ``end`` (US$ billions), CAGR, share of the world."""
    wide = investment.pivot(index="year", columns="region", values="investment_usd")
    rows = []
    for region in wide.columns:
        first, last = wide.loc[start, region], wide.loc[end, region]
        rows.append(
            {
                "region": region,
                f"{start} (US$ bn)": first / 1e9,
                f"{end} (US$ bn)": last / 1e9,
                "CAGR": cagr(first, last, end - start),
                f"share of world {end}": last / wide.loc[end, "World"],
            }
        )
    return pd.DataFrame(rows).set_index("region")


def investment_shares(investment: pd.DataFrame) -> pd.DataFrame:
    """Each region's share of world private AI investment per year (the rest is 'Other')."""
    wide = investment.pivot(index="year", columns="region", values="investment_usd")
    shares = wide.drop(columns="World").div(wide["World"], axis=0)
    shares["Other"] = 1 - shares.sum(axis=1)
    shares.columns.name = "region"
    return shares


def _stars_by_repo(ranking: pd.DataFrame, snapshot: str) -> pd.DataFrame:
    """Stars and forks per repository on one snapshot (a repo listed under several topics once)."""
    day = ranking[ranking["snapshot"] == pd.Timestamp(snapshot)]
    if day.empty:
        raise ValueError(f"no snapshot {snapshot} in the ranking data")
    return day.groupby("repo")[["stars", "forks"]].max()


def last_seen(ranking: pd.DataFrame, start: str, end: str) -> pd.DataFrame:
    """Per repository listed between ``start`` and ``end`` (both included): the last snapshot
    on which it appears in any topic's top 100, with its stars and forks there."""
    window = ranking[ranking["snapshot"].between(pd.Timestamp(start), pd.Timestamp(end))]
    per = window.groupby(["repo", "snapshot"], observed=True)[["stars", "forks"]].max()
    per = per.reset_index().sort_values(["repo", "snapshot"], kind="stable")
    return per.drop_duplicates("repo", keep="last").set_index("repo")


def topic_growth(ranking: pd.DataFrame, start: str, end: str) -> pd.DataFrame:
    """Star and fork growth per topic between two snapshots, for the same repositories.

    The cohort of a topic is its top 100 on ``start``. Two measures of its growth:

    - ``star_growth``, ``fork_growth``: the cohort's **survivors** only, the repositories still
      in some topic's top 100 on ``end`` (``coverage`` is their share of the cohort). Those that
      fell out of every top 100 are missing, so this is biased by survivorship: drop-outs are
      mostly the slower growers.
    - ``star_growth_low``: the **whole cohort**, each drop-out counted at the stars it had when
      last seen in the data (0 growth if it was never seen after ``start``). Stars seldom fall,
      and then slightly (:func:`star_decreases`), so a drop-out has about those stars or more on
      ``end``: a lower bound on the cohort's growth (up to those small falls, and repositories
      deleted since they were last seen).

    Rows are sorted by the lower bound, fastest-growing cohort first.
    """
    first = ranking[ranking["snapshot"] == pd.Timestamp(start)]
    later = _stars_by_repo(ranking, end)
    seen = last_seen(ranking, start, end)
    rows = []
    for topic, cohort in first.groupby("topic", observed=True):
        found = cohort[cohort["repo"].isin(later.index)]
        after = later.loc[found["repo"]]
        rows.append(
            {
                "topic": topic,
                "repos": len(cohort),
                "coverage": len(found) / len(cohort),
                "stars_start": int(found["stars"].sum()),
                "stars_end": int(after["stars"].sum()),
                "star_growth": after["stars"].sum() / found["stars"].sum() - 1,
                "fork_growth": after["forks"].sum() / found["forks"].sum() - 1,
                "star_growth_low": seen.loc[cohort["repo"], "stars"].sum() / cohort["stars"].sum()
                - 1,
            }
        )
    table = pd.DataFrame(rows).set_index("topic")
    return table.sort_values("star_growth_low", ascending=False, kind="stable")


def star_decreases(ranking: pd.DataFrame) -> dict[str, float]:
    """How often and how much a repository's stars fall from one sighting to its next.

    Returns ``share`` (of consecutive sightings of the same repository where the stars fell),
    ``median_fall`` (the median relative fall among those, a fraction) and ``pairs`` (how many
    consecutive sightings there are): the evidence behind "stars seldom fall, and slightly".
    """
    per = ranking.groupby(["repo", "snapshot"], observed=True)["stars"].max().reset_index()
    per = per.sort_values(["repo", "snapshot"], kind="stable")
    before = per.groupby("repo", observed=True)["stars"].shift()
    change = (per["stars"] - before).dropna()
    falls = change[change < 0]
    relative = (-falls / before[falls.index]) if len(falls) else pd.Series([0.0])
    return {
        "pairs": int(len(change)),
        "share": float((change < 0).mean()) if len(change) else 0.0,
        "median_fall": float(relative.median()),
    }


def repo_growth(ranking: pd.DataFrame, start: str, end: str) -> pd.DataFrame:
    """Per repository present on both snapshots: stars and forks at each, and star growth."""
    first, last = _stars_by_repo(ranking, start), _stars_by_repo(ranking, end)
    # (suffixes added first: DataFrame.join's suffixes= is new in pandas 3.1, Colab has 2.2)
    both = first.add_suffix("_start").join(last.add_suffix("_end"), how="inner")
    both["star_growth"] = both["stars_end"] / both["stars_start"] - 1
    return both.sort_values("star_growth", ascending=False, kind="stable")


def top10_share(ranking: pd.DataFrame, snapshot: str) -> pd.Series:
    """Per topic: the share of its top-100 stars held by its 10 most-starred repositories."""
    day = ranking[ranking["snapshot"] == pd.Timestamp(snapshot)]
    shares = day.groupby("topic", observed=True)["stars"].apply(
        lambda s: s.nlargest(10).sum() / s.sum()
    )
    return shares.sort_values(ascending=False, kind="stable").rename("top10_share")


def stars_forks_correlation(ranking: pd.DataFrame, snapshot: str) -> float:
    """Spearman rank correlation between stars and forks across repositories on one snapshot."""
    repos = _stars_by_repo(ranking, snapshot)
    return float(repos["stars"].rank().corr(repos["forks"].rank()))
