"""Pricing an API: the cost of serving predictions, and bills under per-call or subscription
plans computed from the service's usage log (lessons 04 and 05). Prices, plans and the server
come from the course's one set of assumptions (:mod:`course.assumptions`)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from course.assumptions import SECONDS_PER_MONTH, obtainable_decisions_per_month, value


def cost_per_thousand(
    monthly_price: float, requests_per_second: float, utilisation: float
) -> float:
    """US$ per 1,000 predictions on a server costing ``monthly_price`` a month that sustains
    ``requests_per_second`` at full load but is busy only ``utilisation`` (0-1] of the time."""
    if not (math.isfinite(requests_per_second) and requests_per_second > 0):
        raise ValueError("requests_per_second must be positive")
    if not 0 < utilisation <= 1:
        raise ValueError("utilisation is a fraction in (0, 1]")
    if monthly_price < 0:
        raise ValueError("monthly_price cannot be negative")
    served = requests_per_second * utilisation * SECONDS_PER_MONTH
    return monthly_price / served * 1000


def utilisation(monthly_predictions: float, requests_per_second: float) -> float:
    """The share of a month a server sustaining ``requests_per_second`` is busy serving
    ``monthly_predictions`` one request each."""
    if not (math.isfinite(requests_per_second) and requests_per_second > 0):
        raise ValueError("requests_per_second must be positive")
    return monthly_predictions / (requests_per_second * SECONDS_PER_MONTH)


@dataclass(frozen=True)
class ServingCost:
    """What serving the obtainable market costs (lesson 01's volume on lesson 04's server)."""

    monthly_predictions: float  #: decisions a month from the customers we could win
    requests_per_second: float  #: what one server sustains
    server_monthly_usd: float  #: what it costs a month

    @property
    def utilisation(self) -> float:
        return utilisation(self.monthly_predictions, self.requests_per_second)

    @property
    def per_thousand_usd(self) -> float:
        """US$ per 1,000 predictions: the whole server's price over the volume it carries."""
        return cost_per_thousand(
            self.server_monthly_usd, self.requests_per_second, self.utilisation
        )


def serving_cost(monthly_predictions: float | None = None) -> ServingCost:
    """One server (the assumptions' price and sustained throughput) carrying the obtainable
    market's monthly decisions (:func:`course.assumptions.obtainable_decisions_per_month`)."""
    volume = (
        obtainable_decisions_per_month() if monthly_predictions is None else monthly_predictions
    )
    return ServingCost(volume, value("sustained_requests_per_second"), value("server_monthly_usd"))


@dataclass(frozen=True)
class Plans:
    """Two price plans for the scoring API (US$), from :mod:`course.assumptions`."""

    price_per_row: float = value("price_per_decision")  # per call: every scored applicant
    subscription_fee: float = value("subscription_fee")  # subscription: a monthly fee ...
    included_rows: int = int(value("included_rows"))  # ... that includes this many applicants ...
    overage_per_row: float = value("overage_per_row")  # ... and then this much per extra one

    def per_call(self, rows: int) -> float:
        return rows * self.price_per_row

    def subscription(self, rows: int) -> float:
        return self.subscription_fee + max(0, rows - self.included_rows) * self.overage_per_row

    def break_even_rows(self) -> float:
        """The monthly rows at which both plans cost the same; above it the subscription is
        cheaper (infinite when it never is)."""
        rows = self.subscription_fee / self.price_per_row
        if rows <= self.included_rows:
            return rows
        if self.overage_per_row >= self.price_per_row:
            return math.inf
        return (self.subscription_fee - self.included_rows * self.overage_per_row) / (
            self.price_per_row - self.overage_per_row
        )


def bills(usage: list[dict], plans: Plans = Plans()):
    """Monthly rows per key (from ``/v1/usage`` rows) and each plan's bill, as a DataFrame."""
    import pandas as pd

    frame = pd.DataFrame(usage, columns=["key_id", "day", "requests", "rows", "mean_latency_ms"])
    frame["month"] = frame["day"].str[:7]
    monthly = frame.groupby(["key_id", "month"], as_index=False)["rows"].sum()
    monthly["per_call_usd"] = monthly["rows"].map(plans.per_call)
    monthly["subscription_usd"] = monthly["rows"].map(plans.subscription)
    monthly["cheaper_for_customer"] = (monthly["subscription_usd"] < monthly["per_call_usd"]).map(
        {True: "subscription", False: "per call"}
    )
    return monthly
