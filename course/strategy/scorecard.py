"""Lesson 02 scorecard: rank the startup's commercialization paths on documented criteria, test how
robust the ranking is (validating a scoring model on real data: :mod:`course.strategy.validation`).
Lesson 05 reuses it.

The startup: four people with a credit-risk model (lessons 03-04) built on open-source tools,
selling to small lenders. Scores are 1 (poor) to 5 (strong); every score has a one-line reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from course.strategy import scoring

CRITERIA = {
    "time_to_revenue": "How soon the first customer pays",
    "gross_margin": "Share of revenue left after the cost of delivering it",
    "scalability": "Revenue can grow without hiring in proportion",
    "capital_light": "Little money needed before revenue arrives",
    "defensibility": "Hard for a competitor, or the free open model, to replace",
    "team_fit": "Fits a four-person machine-learning team",
}
DEFAULT_WEIGHTS = {
    "time_to_revenue": 0.20,
    "gross_margin": 0.15,
    "scalability": 0.20,
    "capital_light": 0.15,
    "defensibility": 0.15,
    "team_fit": 0.15,
}

_T, _G, _S, _C, _D, _F = CRITERIA
#: (path, criterion, score 1-5, one-line reason)
SCORES = [
    ("API", _T, 4, "a documented endpoint and a price page can sell within weeks (lesson 04)"),
    ("API", _G, 4, "a prediction costs a tiny fraction of a cent to serve (lesson 04 measures it)"),
    ("API", _S, 5, "one service serves any number of lenders"),
    ("API", _C, 4, "one small server is enough to start"),
    ("API", _D, 2, "a scoring endpoint is easy to copy, and open models make it easier"),
    ("API", _F, 5, "exactly what an ML team builds well"),
    ("SaaS", _T, 2, "a web product credit officers can use daily takes months"),
    ("SaaS", _G, 4, "hosting is cheap next to subscription prices"),
    ("SaaS", _S, 4, "multi-tenant software scales; onboarding grows with customers"),
    ("SaaS", _C, 2, "front-end, security and compliance work before the first sale"),
    ("SaaS", _D, 4, "workflows and stored data make switching costly"),
    ("SaaS", _F, 2, "needs product and front-end skills the team lacks"),
    ("PaaS", _T, 1, "a platform needs many features before anyone pays"),
    ("PaaS", _G, 3, "compute-heavy; the big clouds squeeze the margin"),
    ("PaaS", _S, 4, "a platform scales once built"),
    ("PaaS", _C, 1, "large upfront engineering and infrastructure"),
    ("PaaS", _D, 3, "integration locks customers in, but the clouds compete head-on"),
    ("PaaS", _F, 2, "infrastructure engineering, not modelling"),
    ("Support subscription", _T, 4, "lenders already on open-source tools buy help quickly"),
    ("Support subscription", _G, 3, "staff time per customer caps the margin"),
    ("Support subscription", _S, 2, "revenue grows with headcount"),
    ("Support subscription", _C, 5, "no product to build first"),
    ("Support subscription", _D, 3, "expertise and trust stick, but any consultancy can compete"),
    ("Support subscription", _F, 4, "the team knows the stack it would support"),
    ("Custom development", _T, 5, "one contract can start next month"),
    ("Custom development", _G, 2, "each project is priced in staff days"),
    ("Custom development", _S, 1, "every customer is a new project"),
    ("Custom development", _C, 5, "customers pay as the work is done"),
    ("Custom development", _D, 2, "the client owns the result; little carries over"),
    ("Custom development", _F, 4, "modelling work the team does well, plus project management"),
    ("Open core", _T, 2, "community first, revenue later"),
    ("Open core", _G, 5, "software licences have the highest margins"),
    ("Open core", _S, 5, "the community spreads the product at no cost"),
    ("Open core", _C, 3, "needs runway while the community grows"),
    (
        "Open core",
        _D,
        4,
        "a community and a brand are hard to copy (lesson 01: attention concentrates)",
    ),
    ("Open core", _F, 3, "needs community management and enterprise features"),
]
PATHS = list(dict.fromkeys(path for path, *_ in SCORES))


def scorecard() -> pd.DataFrame:
    """Paths (rows) by criteria (columns), raw scores 1-5."""
    table = pd.DataFrame(SCORES, columns=["path", "criterion", "score", "why"])
    wide = table.pivot(index="path", columns="criterion", values="score")
    return wide.loc[PATHS, list(CRITERIA)]


def rationale(path: str) -> pd.DataFrame:
    """The scores of one path with their reasons."""
    rows = [(c, s, why) for p, c, s, why in SCORES if p == path]
    if not rows:
        raise KeyError(f"no path {path!r}; paths: {PATHS}")
    return pd.DataFrame(rows, columns=["criterion", "score", "why"]).set_index("criterion")


def rank_paths(
    weights: dict[str, float] | None = None,
    method: str = "additive",
    table: pd.DataFrame | None = None,
) -> pd.Series:
    """Aggregate scores (rescaled from 1-5 to 0-1) into one value per path, best first."""
    table = scorecard() if table is None else table
    weights = DEFAULT_WEIGHTS if weights is None else weights
    if set(weights) != set(table.columns):
        raise scoring.ScoringInputError(
            f"weights must name exactly the criteria {list(table.columns)}"
        )
    w = [weights[c] for c in table.columns]
    unit = (table.to_numpy(float) - 1) / 4
    aggregate = {"additive": scoring.weighted_sum, "multiplicative": scoring.weighted_product}
    if method not in aggregate:
        raise scoring.ScoringInputError(f"method must be one of {list(aggregate)}")
    values = aggregate[method](unit, w)
    scores = pd.Series(values, index=table.index, name=method)
    return scores.sort_values(ascending=False, kind="stable")


def _reweighted(weights: dict[str, float], criterion: str, factor: float) -> dict[str, float]:
    changed = dict(weights)
    changed[criterion] = weights[criterion] * factor
    return scoring.normalise_weights(changed)


METHODS = ("additive", "multiplicative")


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def rule_comparison(weights: dict[str, float] | None = None) -> pd.DataFrame:
    """Both aggregation rules side by side, in the additive order: each path's score and its
    rank under each rule. Equal scores share the best rank of their group (two paths tied for
    5th of 6 both rank 5), so a tie is visible instead of being broken by the row order."""
    additive = rank_paths(weights, "additive")
    table = pd.DataFrame({m: rank_paths(weights, m).reindex(additive.index) for m in METHODS})
    for method in METHODS:
        # rounded far below any printed digit: equal in exact arithmetic means tied
        ranks = table[method].round(12).rank(ascending=False, method="min")
        table[f"{method} rank"] = ranks.astype(int)
    return table


def _place(table: pd.DataFrame, path: str, method: str) -> str:
    ranks = table[f"{method} rank"]
    where = "last" if ranks[path] == ranks.max() else _ordinal(int(ranks[path]))
    tied = [other for other in table.index if other != path and ranks[other] == ranks[path]]
    return (
        (
            f"tied {where} with {' and '.join(tied)} ({'both' if len(tied) == 1 else 'all'} "
            f"{table.loc[path, method]:.3f})"
        )
        if tied
        else where
    )


def comparison_sentence(table: pd.DataFrame) -> str:
    """Where the two rules of :func:`rule_comparison` agree and where they do not, ties named."""
    places = {p: tuple(_place(table, p, m) for m in METHODS) for p in table.index}
    agree = next((i for i, (add, mult) in enumerate(places.values()) if add != mult), len(places))
    top = [f"{p} {places[p][0]}" for p in table.index[:agree]]
    rest = [f"{p} {add} vs {mult}" for p, (add, mult) in list(places.items())[agree:]]
    head = f"Both rules rank {', '.join(top)}." if top else "The rules disagree from the top."
    return head + (
        " Below that, added (strengths compensate) vs multiplied (they do not): "
        + "; ".join(rest)
        + "."
        if rest
        else ""
    )


def floor_criteria(table: pd.DataFrame | None = None) -> dict[str, list[str]]:
    """Per path, the criteria scored at the minimum (1, which rescales to 0): with a positive
    weight on any of them, the path's multiplicative score is 0 whatever its other scores."""
    table = scorecard() if table is None else table
    return {path: [c for c in table.columns if row[c] == 1] for path, row in table.iterrows()}


def tornado(
    weights: dict[str, float] | None = None, swing: float = 0.5, method: str = "additive"
) -> pd.DataFrame:
    """One-at-a-time sensitivity: the leader's margin over the best other path when each
    criterion's weight moves by -swing and +swing (others rescaled to keep the sum at 1). A
    margin at or below zero means the leader loses first place (to whichever path passes it).
    Rows sorted by the size of the swing; ``attrs`` holds the leader, the runner-up and the base
    margin."""
    weights = DEFAULT_WEIGHTS if weights is None else weights
    base = rank_paths(weights, method)
    leader, runner_up = base.index[:2]
    rows = []
    for criterion in weights:
        margins = []
        for factor in (1 - swing, 1 + swing):
            ranked = rank_paths(_reweighted(weights, criterion, factor), method)
            margins.append(ranked[leader] - ranked.drop(leader).max())
        rows.append({"criterion": criterion, "low": margins[0], "high": margins[1]})
    table = pd.DataFrame(rows).set_index("criterion")
    table.attrs.update(
        leader=leader,
        runner_up=runner_up,
        base=base[leader] - base[runner_up],
        method=method,
        swing=swing,
    )
    order = (table["high"] - table["low"]).abs().sort_values(ascending=False, kind="stable").index
    return table.loc[order]


def tornado_verdict(table: pd.DataFrame) -> str:
    """The finding of one :func:`tornado` table in a few words (a figure title)."""
    a = table.attrs
    flips = [c for c in table.index if (table.loc[c] <= 0).any()]
    return (
        f"{a['method'].capitalize()}: {a['leader']} stays first whichever weight moves"
        if not flips
        else f"{a['method'].capitalize()}: {a['leader']} loses first place "
        f"when the weight of {', '.join(flips)} moves"
    )


def tornado_sentence(table: pd.DataFrame) -> str:
    """What one :func:`tornado` table shows, in one sentence computed from it."""
    a = table.attrs
    return (
        f"{tornado_verdict(table)} by {a['swing']:.0%}; its lead ({a['base']:.2f} over "
        f"{a['runner_up']} at our weights) ranges from {table.min().min():.2f} to "
        f"{table.max().max():.2f}, and {table.index[0]} moves it most."
    )


def first_place_probability(
    weights: dict[str, float] | None = None,
    n: int = 2000,
    concentration: float = 20.0,
    method: str = "additive",
    seed: int = 0,
) -> pd.Series:
    """Monte Carlo over weight uncertainty: draw weights from a Dirichlet centred on ``weights``
    (larger ``concentration`` = more confident) and count how often each path ranks first.
    The same ``seed`` draws the same weightings for either ``method``: a paired comparison."""
    weights = DEFAULT_WEIGHTS if weights is None else weights
    scoring.check_weights(weights)
    if method not in METHODS:
        raise scoring.ScoringInputError(f"method must be one of {list(METHODS)}")
    rng = np.random.default_rng(seed)
    draws = rng.dirichlet(np.asarray(list(weights.values())) * concentration, size=n)
    table = scorecard()
    unit = (table.to_numpy(float) - 1) / 4
    aggregate = scoring.weighted_sum if method == "additive" else scoring.weighted_product
    winners = [table.index[int(np.argmax(aggregate(unit, w / w.sum())))] for w in draws]
    counts = pd.Series(winners).value_counts(normalize=True)
    counts = counts.reindex(PATHS, fill_value=0.0)
    return counts.sort_values(ascending=False, kind="stable").rename("P(first)")


def robustness(
    weights: dict[str, float] | None = None, n: int = 2000, seed: int = 0
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Both checks for both rules: a :func:`tornado` table per rule, and the probability of
    ranking first under each rule (columns) on the same ``n`` random weightings."""
    tornados = {m: tornado(weights, method=m) for m in METHODS}
    first = pd.concat(
        {m: first_place_probability(weights, n, method=m, seed=seed) for m in METHODS}, axis=1
    ).fillna(0.0)
    return tornados, first.sort_values(list(METHODS), ascending=False, kind="stable")


def first_place_headline(first: pd.DataFrame) -> str:
    """The finding of :func:`robustness`'s first-place table in a few words (a figure title)."""
    leaders = first.idxmax()
    if leaders.nunique() == 1:
        return f"Under weight uncertainty {leaders.iloc[0]} wins most often, under both rules"
    return "Under weight uncertainty the rules favour different paths: " + ", ".join(
        f"{path} ({method})" for method, path in leaders.items()
    )


def stability_sentence(probabilities: pd.Series) -> str:
    """Rank stability in words, from :func:`first_place_probability` (or one column of
    :func:`robustness`'s table)."""
    probabilities = probabilities.sort_values(ascending=False, kind="stable")
    leader, p = probabilities.index[0], probabilities.iloc[0]
    second, q = probabilities.index[1], probabilities.iloc[1]
    strength = "robust" if p >= 0.8 else "fairly stable" if p >= 0.6 else "fragile"
    return (
        f"{leader} ranks first in {p:.0%} of plausible weightings ({second}: {q:.0%}): the "
        f"ranking is {strength}."
    )
