"""Course data: a registry of pinned, checksummed files, a verified cache and tidy loaders.

>>> from course.data import load_epoch_models
>>> models = load_epoch_models()          # downloads once, verifies sha256, then reads the cache

Each file is fetched from its publisher first and a pinned mirror second, both checked against the
same sha256 (:mod:`course.data.registry` lists the URLs, licences and processing steps). A lesson's
first cell calls :func:`check_lesson_data` to say, in one paragraph, which of its files is missing.
"""

from course.data.availability import (
    check_lesson_data,
    fetch_all,
    lesson_data_message,
    lesson_data_problems,
    lessons_needing,
)
from course.data.fetch import FileStatus, fetch, fetch_dataset, file_sha256, local_path, verify_all
from course.data.loaders import (
    ACCESSIBILITY_ORDER,
    GERMAN_NUMERIC,
    OPEN_WEIGHTS,
    epoch_cleaning_report,
    load_ai_investment,
    load_epoch_models,
    load_german_credit,
    load_github_ranking,
    load_taiwan_credit,
)
from course.data.registry import DATASETS, RANKING_SNAPSHOT_DATES, Dataset, Source, get_dataset


def sources_table():
    """A DataFrame of every course data file with its licence and citation (for learners)."""
    import pandas as pd

    rows = {}
    for d in DATASETS.values():
        title = d.title
        if d.name.startswith("github_ranking_"):  # seven snapshots, one source: one row
            title = (
                f"Top-100 GitHub repositories for 15 AI topics, {len(RANKING_SNAPSHOT_DATES)} "
                f"snapshots {RANKING_SNAPSHOT_DATES[0]} to {RANKING_SNAPSHOT_DATES[-1]}"
            )
        rows[title] = {"dataset": title, "licence": d.licence, "citation": d.citation}
    return pd.DataFrame(list(rows.values())).set_index("dataset")


def sources_markdown() -> str:
    """The sources table as Markdown (full citations, no truncation), for notebooks."""
    table = sources_table()
    lines = ["| dataset | licence | citation |", "|---|---|---|"]
    lines += [f"| {name} | {row.licence} | {row.citation} |" for name, row in table.iterrows()]
    return "\n".join(lines)


__all__ = [
    "ACCESSIBILITY_ORDER",
    "DATASETS",
    "Dataset",
    "FileStatus",
    "GERMAN_NUMERIC",
    "OPEN_WEIGHTS",
    "RANKING_SNAPSHOT_DATES",
    "Source",
    "check_lesson_data",
    "epoch_cleaning_report",
    "fetch",
    "fetch_all",
    "fetch_dataset",
    "file_sha256",
    "get_dataset",
    "lesson_data_message",
    "lesson_data_problems",
    "lessons_needing",
    "load_ai_investment",
    "load_epoch_models",
    "load_german_credit",
    "load_github_ranking",
    "load_taiwan_credit",
    "local_path",
    "sources_markdown",
    "sources_table",
    "verify_all",
]
