"""Pricing (cost per 1,000 predictions, plans, bills from usage rows), the latency helper, and
the notebook's background service handle."""

from __future__ import annotations

import os

import pytest

from course.business import pricing
from course.service import latency


def test_cost_per_thousand():
    assert pricing.cost_per_thousand(2592, 1, 1) == pytest.approx(1.0)
    assert pricing.cost_per_thousand(40, 1000, 0.05) == pytest.approx(
        40 / (1000 * 0.05 * 2_592_000) * 1000
    )
    for args in [(40, 0, 0.5), (40, 10, 0), (40, 10, 1.2), (-1, 10, 0.5), (40, float("nan"), 0.5)]:
        with pytest.raises(ValueError):
            pricing.cost_per_thousand(*args)


def test_plans_and_bills_from_usage_rows():
    plans = pricing.Plans(
        price_per_row=0.05, subscription_fee=300.0, included_rows=10_000, overage_per_row=0.02
    )
    assert plans.break_even_rows() == 6000
    assert plans.subscription(25_000) == pytest.approx(600.0) and plans.per_call(
        100
    ) == pytest.approx(5)
    assert plans.subscription(plans.break_even_rows()) == plans.per_call(plans.break_even_rows())
    # a break-even beyond the included rows: where the overage line meets the per-call line
    small = pricing.Plans(
        price_per_row=0.05, subscription_fee=600.0, included_rows=10_000, overage_per_row=0.02
    )
    assert small.break_even_rows() == pytest.approx((600 - 10_000 * 0.02) / 0.03)
    assert small.subscription(small.break_even_rows()) == pytest.approx(
        small.per_call(small.break_even_rows())
    )
    assert pricing.Plans(overage_per_row=1.0, subscription_fee=1e6).break_even_rows() == float(
        "inf"
    )
    default = pricing.Plans()  # the course's assumptions: the price per decision is lesson 01's
    from course.assumptions import value

    assert default.price_per_row == value("price_per_decision")
    assert default.break_even_rows() <= default.included_rows
    usage = [
        {"key_id": "a", "day": "2026-11-01", "requests": 2, "rows": 2, "mean_latency_ms": 1.0},
        {"key_id": "a", "day": "2026-11-02", "requests": 1, "rows": 1, "mean_latency_ms": 1.0},
        {
            "key_id": "b",
            "day": "2026-11-02",
            "requests": 20,
            "rows": 20_000,
            "mean_latency_ms": 5.0,
        },
        {"key_id": "b", "day": "2026-12-01", "requests": 1, "rows": 10, "mean_latency_ms": 5.0},
    ]
    table = pricing.bills(usage, plans).set_index(["key_id", "month"])
    assert table.loc[("a", "2026-11"), "rows"] == 3
    assert table.loc[("a", "2026-11"), "cheaper_for_customer"] == "per call"
    assert table.loc[("b", "2026-11"), "subscription_usd"] == pytest.approx(500.0)
    assert table.loc[("b", "2026-11"), "cheaper_for_customer"] == "subscription"
    assert len(table) == 3


def test_latency_helpers():
    calls = []
    assert latency.median_ms(lambda: calls.append(1), repeats=5, warmup=2) >= 0
    assert len(calls) == 7
    with pytest.raises(ValueError):
        latency.median_ms(lambda: None, repeats=0)
    import time

    ordered = latency.compare({"fast": (lambda: None, 3), "slow": (lambda: time.sleep(0.002), 3)})
    assert list(ordered) == ["slow", "fast"] and ordered["slow"] > ordered["fast"]


def test_background_service_starts_serves_and_stops(tmp_path, monkeypatch):
    import httpx

    from course.service.background import BackgroundService, free_port
    from tests.service_fixture import APPLICANT, write_artifact

    write_artifact(tmp_path)
    monkeypatch.setenv("COURSE_ARTIFACTS_DIR", str(tmp_path))
    blocker_port = free_port()
    service = BackgroundService.start(port=blocker_port, db=tmp_path / "usage.sqlite")
    try:
        assert httpx.post(f"{service.url}/v1/score", json=APPLICANT).status_code == 200
        other = free_port(service.port)  # the preferred port is taken: another one is chosen
        assert other != service.port
        assert service.docs_url().endswith(f":{service.port}/docs")
    finally:
        assert service.stop() is True
    assert service.process.poll() is not None
    assert os.environ["COURSE_ARTIFACTS_DIR"] == str(tmp_path)
    # Started twice without a db: each start gets its own empty log, so lessons can be re-run.
    first, second = BackgroundService.start(), BackgroundService.start()
    try:
        assert first.db != second.db and first.db.parent.name.startswith("course-service-")
    finally:
        assert first.stop() and second.stop()
    # a stop leaves no folder behind: the usage log holds the keys
    assert not first.db.parent.exists() and not second.db.parent.exists()
    assert not service.log.parent.exists() and (tmp_path / "usage.sqlite").exists()
