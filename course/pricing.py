"""Pricing an API: the cost of serving predictions, and bills under per-call or subscription
plans computed from the service's usage log (lessons 04 and 05)."""

from __future__ import annotations

import math
from dataclasses import dataclass

SECONDS_PER_MONTH = 30 * 24 * 3600


def cost_per_thousand(monthly_price: float, requests_per_second: float, utilisation: float) -> float:
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


@dataclass(frozen=True)
class Plans:
    """Two price plans for the scoring API (US$)."""

    price_per_row: float = 0.05  # per-call plan: every scored applicant
    subscription_fee: float = 300.0  # subscription plan: a monthly fee ...
    included_rows: int = 10_000  # ... that includes this many applicants ...
    overage_per_row: float = 0.02  # ... and then this much per extra applicant

    def per_call(self, rows: int) -> float:
        return rows * self.price_per_row

    def subscription(self, rows: int) -> float:
        return self.subscription_fee + max(0, rows - self.included_rows) * self.overage_per_row

    def break_even_rows(self) -> float:
        """Monthly rows above which the subscription is cheaper for the customer."""
        return self.subscription_fee / self.price_per_row


def bills(usage: list[dict], plans: Plans = Plans()):
    """Monthly rows per key (from ``/v1/usage`` rows) and each plan's bill, as a DataFrame."""
    import pandas as pd

    frame = pd.DataFrame(usage, columns=["key_id", "day", "requests", "rows", "mean_latency_ms"])
    frame["month"] = frame["day"].str[:7]
    monthly = frame.groupby(["key_id", "month"], as_index=False)["rows"].sum()
    monthly["per_call_usd"] = monthly["rows"].map(plans.per_call)
    monthly["subscription_usd"] = monthly["rows"].map(plans.subscription)
    monthly["cheaper_for_customer"] = (monthly["subscription_usd"] < monthly["per_call_usd"]).map(
        {True: "subscription", False: "per call"})  # fmt: skip
    return monthly
