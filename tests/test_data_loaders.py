"""Every loader on the real files: shapes, types, and the cleaning each one promises."""

from __future__ import annotations

import pandas as pd
import pytest

from course.data import (
    ACCESSIBILITY_ORDER,
    GERMAN_NUMERIC,
    RANKING_SNAPSHOT_DATES,
    load_ai_investment,
    load_epoch_models,
    load_german_credit,
    load_github_ranking,
    load_taiwan_credit,
    sources_table,
)


def test_epoch_models_are_tidy():
    models = load_epoch_models()
    assert models.shape == (976, 14)
    assert pd.api.types.is_datetime64_any_dtype(models["publication_date"])
    assert models["year"].min() >= 1950 and models["year"].max() == 2025
    assert not models["model"].str.contains("\n").any()  # 4 raw names end in a newline
    assert models["model"].str.strip().eq(models["model"]).all()
    assert models["accessibility"].isna().sum() == 0
    assert (models["accessibility"] == "Unknown").sum() == 255  # blank in the source
    assert list(models["accessibility"].cat.categories) == ACCESSIBILITY_ORDER
    assert models["open_weights"].sum() == 197 + 64 + 41
    assert models["frontier_model"].dtype == bool and models["frontier_model"].sum() == 123
    # 'Academia,Industry,Academia' -> one normalised label, never comma-joined repeats
    assert not models["organization_type"].dropna().str.contains(",").any()
    assert (models["organization_type"] == "Industry & Academia").sum() > 100
    assert models["training_compute_cost_usd"].notna().sum() > 150


def test_ai_investment():
    investment = load_ai_investment()
    assert investment.shape == (48, 3)
    assert set(investment["region"]) == {"China", "Europe", "United States", "World"}
    assert investment["year"].between(2013, 2024).all()
    china_2013 = investment.query("region == 'China' and year == 2013")["investment_usd"].item()
    assert china_2013 == 717196188.0


def test_github_ranking_all_snapshots_and_one():
    ranking = load_github_ranking()
    assert ranking.shape == (1500 * len(RANKING_SNAPSHOT_DATES), 11)
    assert ranking["snapshot"].nunique() == 7 and ranking["topic"].nunique() == 15
    assert ranking["repo"].str.contains("/").all()
    assert ranking.loc[0, "repo"] == "ollama/ollama" and ranking.loc[0, "stars"] == 130888
    one = load_github_ranking(["2026-08-22"])
    assert len(one) == 1500 and (one["snapshot"] == pd.Timestamp("2026-08-22")).all()
    with pytest.raises(ValueError, match="available"):
        load_github_ranking(["2024-01-01"])


def test_german_credit():
    credit = load_german_credit()
    assert credit.shape == (1000, 21)
    assert credit["class"].value_counts().to_dict() == {"good": 700, "bad": 300}
    assert list(credit["class"].cat.categories) == ["good", "bad"]
    for column in GERMAN_NUMERIC:
        assert credit[column].dtype == "int64"
    categorical = [c for c in credit.columns if c not in GERMAN_NUMERIC]
    assert len(categorical) == 14 and all(credit[c].dtype == "category" for c in categorical)


def test_taiwan_credit():
    taiwan = load_taiwan_credit()
    assert taiwan.shape == (30000, 24) and taiwan.index.name == "ID"
    assert round(taiwan["default"].mean(), 3) == 0.221
    assert set(taiwan["EDUCATION"].unique()) >= {0, 5, 6}  # undocumented codes kept


def test_sources_table_credits_every_source():
    table = sources_table()
    assert len(table) == 5
    assert table["citation"].str.contains("Epoch AI").any()
    assert (
        table.loc[table.index.str.contains("investment"), "licence"].item().startswith("CC BY-ND")
    )


def test_sources_markdown_shows_full_citations():
    from course.data import sources_markdown

    text = sources_markdown()
    assert text.count("\n") == 6 and "Hofmann, H. (1994). Statlog (German Credit Data)." in text
    assert "..." not in text
