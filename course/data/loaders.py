"""One loader per course dataset. Each returns a tidy, typed DataFrame with documented columns.

Every loader fetches (or finds) its file through :func:`course.data.fetch`, so the bytes are
verified against the pinned sha256 before pandas ever reads them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from course.data.fetch import fetch
from course.data.registry import RANKING_SNAPSHOT_DATES, get_dataset
from course.errors import DataError

#: Model accessibility categories, most open first; blank in the source becomes "Unknown".
ACCESSIBILITY_ORDER = [
    "Open weights (unrestricted)",
    "Open weights (restricted use)",
    "Open weights (non-commercial)",
    "API access",
    "Hosted access (no API)",
    "Unreleased",
    "Unknown",
]
OPEN_WEIGHTS = ACCESSIBILITY_ORDER[:3]
_ORG_TYPE_ORDER = ["Industry", "Academia", "Government", "Research collective"]


def _read_csv(name: str, **kwargs) -> pd.DataFrame:
    """Read a verified course file; a parse failure names the file instead of a pandas traceback."""
    path: Path = fetch(name)
    try:
        return pd.read_csv(path, **kwargs)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise DataError(
            f"Could not parse {path} ({get_dataset(name).title}): {error}. "
            f"Run `course data verify`; if it reports the file as ok, report this to the "
            "course maintainers."
        ) from None


def _strip(series: pd.Series) -> pd.Series:
    """Strip whitespace, including the stray newlines some Epoch AI names end with."""
    return series.astype("string").str.strip().replace("", pd.NA)


def _unique_join(value, order: list[str] | None = None, sep: str = " & ") -> str | float:
    """'Academia,Industry,Academia' -> 'Industry & Academia' (set of parts, stable order)."""
    if not isinstance(value, str) or not value.strip():
        return np.nan
    parts = {part.strip() for part in value.split(",") if part.strip()}
    rank = {name: i for i, name in enumerate(order or [])}
    return sep.join(sorted(parts, key=lambda p: (rank.get(p, len(rank)), p)))


def load_epoch_models() -> pd.DataFrame:
    """Epoch AI's notable AI models, one row per model.

    Columns
    -------
    model, organization : string
        Names with surrounding whitespace and newlines removed.
    publication_date : datetime64
    year : int
    domain : string
        As published; several domains are comma-joined (e.g. ``Multimodal,Language,Vision``).
    primary_domain : string
        The first listed domain.
    parameters, training_compute_flop, training_compute_cost_usd : float
        Cost in 2023 US dollars; missing for most models (NaN).
    organization_type : string
        Set of organisation kinds, e.g. ``Industry``, ``Academia``, ``Industry & Academia``
        (the source lists one kind per organisation, comma-joined).
    country : string
        Set of organisation countries, comma-joined and de-duplicated.
    accessibility : category
        One of :data:`ACCESSIBILITY_ORDER` (blank becomes ``Unknown``).
    open_weights : bool
        Any of the three open-weights categories.
    frontier_model : bool
    """
    raw = _read_csv("epoch_models")
    out = pd.DataFrame(
        {
            "model": _strip(raw["Model"]),
            "organization": _strip(raw["Organization"]),
            "publication_date": pd.to_datetime(raw["Publication date"], errors="coerce"),
        }
    )
    out["year"] = out["publication_date"].dt.year.astype("int64")  # no missing dates in the file
    out["domain"] = _strip(raw["Domain"])
    out["primary_domain"] = out["domain"].str.split(",").str[0].str.strip().astype("string")
    out["parameters"] = pd.to_numeric(raw["Parameters"], errors="coerce")
    out["training_compute_flop"] = pd.to_numeric(raw["Training compute (FLOP)"], errors="coerce")
    out["training_compute_cost_usd"] = pd.to_numeric(
        raw["Training compute cost (2023 USD)"], errors="coerce"
    )
    out["organization_type"] = (
        raw["Organization categorization"].map(lambda v: _unique_join(v, _ORG_TYPE_ORDER))
    ).astype("string")
    out["country"] = (
        raw["Country (of organization)"].map(lambda v: _unique_join(v, sep=", ")).astype("string")
    )
    access = _strip(raw["Model accessibility"]).fillna("Unknown")
    out["accessibility"] = pd.Categorical(access, categories=ACCESSIBILITY_ORDER, ordered=True)
    out["open_weights"] = out["accessibility"].isin(OPEN_WEIGHTS)
    out["frontier_model"] = (
        raw["Frontier model"].astype("string").str.lower().eq("true").fillna(False).astype(bool)
    )
    return out


def epoch_cleaning_report() -> pd.DataFrame:
    """What :func:`load_epoch_models` changed in the raw Epoch AI file, and why (rows affected)."""
    raw = _read_csv("epoch_models")
    names = raw["Model"].astype("string")
    org = raw["Organization categorization"].astype("string")
    country = raw["Country (of organization)"].astype("string")
    rows = [
        (
            "model names with stray whitespace or newlines, stripped",
            int((names != names.str.strip()).sum()),
            "they break matching and look odd in tables",
        ),
        (
            "blank accessibility, labelled 'Unknown'",
            int(raw["Model accessibility"].isna().sum()),
            "a blank is not 'closed'; we keep these models visible but apart",
        ),
        (
            "organisation types repeated per organisation, reduced to a set",
            int((org.str.count(",") > 0).sum()),
            "'Academia,Industry,Academia' is one joint model",
        ),
        (
            "countries repeated per organisation, de-duplicated",
            int(
                (
                    country.str.split(",")
                    .map(lambda p: len(p) != len(set(p)), na_action="ignore")
                    .eq(True)
                ).sum()
            ),
            "a US-US collaboration is one US model",
        ),  # (NaN: False)
    ]
    return pd.DataFrame(rows, columns=["change", "rows", "why"]).set_index("change")


def load_ai_investment() -> pd.DataFrame:
    """Private investment in AI by region and year (constant 2021 US dollars).

    Licence CC BY-ND 4.0: analyse it, do not redistribute a modified copy.

    Columns
    -------
    region : category
        ``China``, ``Europe``, ``United States``, ``World``.
    year : int
    investment_usd : float
        Total private investment in AI that year, constant 2021 US$.
    """
    raw = _read_csv("ai_investment")
    return pd.DataFrame(
        {
            "region": pd.Categorical(raw["Entity"].astype(str).str.strip()),
            "year": raw["Year"].astype(int),
            "investment_usd": raw["Global total private investment in AI"].astype(float),
        }
    ).sort_values(["region", "year"], ignore_index=True, kind="stable")


def load_github_ranking(snapshots: list[str] | None = None) -> pd.DataFrame:
    """Top-100 GitHub repositories for 15 AI topics, for one or more snapshot dates.

    Parameters
    ----------
    snapshots
        Dates as ``YYYY-MM-DD`` (see :data:`course.data.RANKING_SNAPSHOT_DATES`); default: all.

    Columns
    -------
    snapshot : datetime64
        The day the ranking was taken.
    topic : category
        The ranking's topic (``LLM``, ``AI Agents``, ``RAG``, ...).
    rank : int
        1-100 within the topic.
    repo : string
        ``owner/name``, the key that links a repository across snapshots and topics.
    stars, forks, open_issues : int
    language : string
        Main language, missing for some repositories.
    last_commit : datetime64 (UTC)
    description, url : string
    """
    wanted = list(RANKING_SNAPSHOT_DATES) if snapshots is None else list(snapshots)
    unknown = sorted(set(wanted) - set(RANKING_SNAPSHOT_DATES))
    if unknown:
        raise ValueError(
            f"Unknown snapshot date(s) {unknown}; available: {list(RANKING_SNAPSHOT_DATES)}"
        )
    frames = []
    for date in wanted:
        raw = _read_csv(f"github_ranking_{date}")
        frames.append(
            pd.DataFrame(
                {
                    "snapshot": pd.Timestamp(date),
                    "topic": raw["item"].astype(str).str.strip(),
                    "rank": raw["rank"].astype(int),
                    "repo": (raw["username"].astype(str) + "/" + raw["repo_name"].astype(str)),
                    "stars": raw["stars"].astype(int),
                    "forks": raw["forks"].astype(int),
                    "open_issues": raw["issues"].astype(int),
                    "language": _strip(raw["language"]),
                    "last_commit": pd.to_datetime(raw["last_commit"], utc=True, errors="coerce"),
                    "description": _strip(raw["description"]),
                    "url": raw["repo_url"].astype("string"),
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out["repo"] = out["repo"].astype("string")
    out["topic"] = out["topic"].astype("category")
    return out


#: The German credit attributes that are numbers; the other 13 are categories.
GERMAN_NUMERIC = [
    "duration",
    "credit_amount",
    "installment_commitment",
    "residence_since",
    "age",
    "existing_credits",
    "num_dependents",
]


def load_german_credit() -> pd.DataFrame:
    """UCI Statlog German credit: 1,000 applicants, 20 attributes and the target ``class``, every
    code decoded with Groemping's (2019) corrected table (:mod:`course.credit.coding`).

    The pinned file carries OpenML's decoded Statlog labels, wrong for several attributes (for
    example its ``foreign_worker`` "yes" means *not* a foreign worker): they are mapped here.

    Columns
    -------
    the 20 attributes
        :data:`GERMAN_NUMERIC` as ``int64`` (duration in months, credit_amount in Deutsche Mark,
        age in years; installment_commitment, residence_since, existing_credits and
        num_dependents are band codes, see ``coding.BANDS``); the other 13 as pandas
        ``category`` with the corrected labels, in the order of ``features.CATEGORIES``.
    class : category
        ``good`` (700) or ``bad`` (300): a stratified sample, bad credits oversampled. The
        documented cost matrix: approving a bad applicant costs 5, rejecting a good one costs 1.
    """
    from course.credit.coding import corrected_labels
    from course.credit.features import CATEGORIES

    raw = _read_csv("german_credit", dtype=str)
    out = pd.DataFrame(index=raw.index)
    for column in raw.columns:
        values = raw[column].str.strip()
        if column in GERMAN_NUMERIC:
            out[column] = values.astype("int64")
        elif column in CATEGORIES:
            mapping = corrected_labels(column)
            unknown = sorted(set(values) - set(mapping))
            if unknown:
                raise DataError(
                    f"german_credit: {column} has labels the code table does not know: {unknown}"
                )
            out[column] = pd.Categorical(values.map(mapping), categories=CATEGORIES[column])
        else:
            out[column] = values.astype("category")
    out["class"] = out["class"].cat.set_categories(["good", "bad"])
    return out


def load_taiwan_credit() -> pd.DataFrame:
    """UCI default of credit-card clients (Taiwan, 2005): 30,000 rows, all integer codes.

    Columns are as published (``LIMIT_BAL`` in NT dollars, ``PAY_0``..``PAY_6`` repayment status,
    ``BILL_AMT1..6``, ``PAY_AMT1..6``), except that ``ID`` becomes the index and the target
    ``default.payment.next.month`` is renamed ``default`` (1 = defaulted). ``EDUCATION`` codes 0, 5,
    6 and ``MARRIAGE`` code 0 are undocumented and left as they are: cleaning them is a lesson task.
    """
    raw = _read_csv("taiwan_credit")
    raw.columns = [c.strip() for c in raw.columns]
    out = raw.rename(columns={"default.payment.next.month": "default"}).set_index("ID")
    return out.astype("int64")
