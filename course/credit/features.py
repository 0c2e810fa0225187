"""The applicant form: field names, the allowed categories and plausible numeric ranges.

Tiny and dependency-free on purpose: the web service imports it without pandas or TensorFlow.
Category values are exactly those of the German credit data (the model knows no others).
"""

from __future__ import annotations

#: Numeric fields with (minimum, maximum) accepted by the service, in the data's units.
NUMERIC_RANGES: dict[str, tuple[float, float]] = {
    "duration": (1, 120),  # months
    "credit_amount": (1, 1_000_000),  # Deutsche Mark
    "installment_commitment": (1, 4),  # instalment as a share of income, bands 1-4
    "residence_since": (1, 4),  # years at current address, bands 1-4
    "age": (18, 120),  # years
    "existing_credits": (1, 10),  # credits at this bank
    "num_dependents": (0, 10),  # people the applicant supports
}
#: Numeric fields that are counts or bands: whole numbers only.
INTEGER_FIELDS = frozenset({"installment_commitment", "residence_since", "existing_credits",
                            "num_dependents"})  # fmt: skip
CATEGORIES: dict[str, list[str]] = {
    "checking_status": ["0<=X<200", "<0", ">=200", "no checking"],
    "credit_history": ["all paid", "critical/other existing credit", "delayed previously",
                       "existing paid", "no credits/all paid"],
    "purpose": ["business", "domestic appliance", "education", "furniture/equipment", "new car",
                "other", "radio/tv", "repairs", "retraining", "used car"],
    "savings_status": ["100<=X<500", "500<=X<1000", "<100", ">=1000", "no known savings"],
    "employment": ["1<=X<4", "4<=X<7", "<1", ">=7", "unemployed"],
    "personal_status": ["female div/dep/mar", "male div/sep", "male mar/wid", "male single"],
    "other_parties": ["co applicant", "guarantor", "none"],
    "property_magnitude": ["car", "life insurance", "no known property", "real estate"],
    "other_payment_plans": ["bank", "none", "stores"],
    "housing": ["for free", "own", "rent"],
    "job": ["high qualif/self emp/mgmt", "skilled", "unemp/unskilled non res",
            "unskilled resident"],
    "own_telephone": ["none", "yes"],
    "foreign_worker": ["no", "yes"],
}  # fmt: skip
NUMERIC = list(NUMERIC_RANGES)
CATEGORICAL = list(CATEGORIES)
FEATURES = NUMERIC + CATEGORICAL
