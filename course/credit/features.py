"""The applicant form: field names, the allowed categories and plausible numeric ranges.

Tiny and dependency-free on purpose: the web service imports it without pandas or TensorFlow.
Category values are the German credit data's, decoded with Groemping's (2019) corrected code table
(:mod:`course.credit.coding`); the model knows no others. Each list keeps the position its
attribute's level had before the correction (the alphabetical order of the data file's labels),
so that renaming a level never reorders what the models see.
"""

from __future__ import annotations

from course.credit.coding import band_text

#: Numeric fields with (minimum, maximum) accepted by the service, in the data's units. Four of
#: them are bands, not counts (:data:`course.credit.coding.BANDS`): their codes are the range.
NUMERIC_RANGES: dict[str, tuple[float, float]] = {
    "duration": (1, 120),  # months
    "credit_amount": (1, 1_000_000),  # Deutsche Mark
    "installment_commitment": (1, 4),  # band: instalment as a share of income, 1 = >= 35 %
    "residence_since": (1, 4),  # band: years at the current address, 1 = < 1 year
    "age": (18, 120),  # years
    "existing_credits": (1, 4),  # band: credits at this bank, 1 = one, 4 = six or more
    "num_dependents": (1, 2),  # band: people liable, 1 = 0-2 people, 2 = 3 or more
}
#: The banded fields: whole-number codes, one per band.
BANDED = ["installment_commitment", "residence_since", "existing_credits", "num_dependents"]
#: Numeric fields that are codes: whole numbers only.
INTEGER_FIELDS = frozenset(BANDED)
CATEGORIES: dict[str, list[str]] = {
    "checking_status": ["< 0 DM", "no checking account", "0-200 DM", ">= 200 DM or salary"],
    "credit_history": [
        "critical account or credits elsewhere",
        "all credits at this bank paid duly",
        "existing credits paid duly so far",
        "no credits or all paid duly",
        "delays in paying in the past",
    ],
    "purpose": [
        "retraining",
        "radio/tv",
        "repairs",
        "used car",
        "other",
        "business",
        "furniture/equipment",
        "domestic appliance",
        "vacation",
        "new car",
    ],
    "savings_status": [
        "< 100 DM",
        "100-500 DM",
        "no savings or unknown",
        "500-1000 DM",
        ">= 1000 DM",
    ],
    "employment": ["1-4 years", "4-7 years", "< 1 year", ">= 7 years", "unemployed"],
    "personal_status": [
        "female non-single or male single",
        "male divorced/separated",
        "female single",
        "male married/widowed",
    ],
    "other_parties": ["co applicant", "guarantor", "none"],
    "property_magnitude": [
        "savings agreement/life insurance",
        "car or other",
        "real estate",
        "no property or unknown",
    ],
    "other_payment_plans": ["bank", "none", "stores"],
    "housing": ["own", "rent", "for free"],
    "job": [
        "manager, self-employed or highly qualified",
        "skilled employee or official",
        "unemployed or unskilled non-resident",
        "unskilled resident",
    ],
    "own_telephone": ["none", "yes"],
    "foreign_worker": ["yes", "no"],
}
#: What each field means (the service's OpenAPI docs show it).
DESCRIPTIONS: dict[str, str] = {
    "duration": "Duration of the credit in months.",
    "credit_amount": "Credit amount in Deutsche Mark.",
    "age": "Age in years.",
    **{name: f"Band code: {band_text(name)}." for name in BANDED},
    "checking_status": "Balance of the checking account at this bank (or none).",
    "credit_history": "Credit history at this and other banks.",
    "purpose": "What the credit is for.",
    "savings_status": "Savings at this bank.",
    "employment": "Time with the current employer.",
    "personal_status": "Sex and marital status in one code; 'female non-single or male single' "
    "is one code, so sex is not known for those applicants.",
    "other_parties": "Another debtor or a guarantor on the credit.",
    "property_magnitude": "The most valuable property the applicant owns.",
    "other_payment_plans": "Instalment plans with other banks or stores.",
    "housing": "Housing: rent, own, or for free.",
    "job": "Quality of the job.",
    "own_telephone": "A telephone registered in the applicant's name.",
    "foreign_worker": "Whether the applicant is a foreign worker.",
}
NUMERIC = list(NUMERIC_RANGES)
CATEGORICAL = list(CATEGORIES)
FEATURES = NUMERIC + CATEGORICAL
