"""What the German credit data's codes mean: Groemping's (2019) corrected code table.

The Statlog documentation of the German credit data is wrong for several attributes: checking
account, credit history, purpose, savings, personal status, property and housing are decoded with
the wrong labels, foreign worker is reversed, and four "numbers" are bands. Groemping (2019)
reconstructed the correct table; UCI's "South German Credit" data set (id 522) carries it. The
course's data file keeps OpenML's decoded Statlog labels (pinned bytes); :func:`correct` maps
them to the corrected meanings, and every lesson, the model and the service use those.

Dependency-free on purpose: the web service imports it without pandas.
"""

from __future__ import annotations

CORRECTION_CITATION = (
    "Groemping, U. (2019). South German Credit Data: Correcting a Widely Used Data Set. "
    "Reports in Mathematics, Physics and Chemistry 4/2019, Beuth University of Applied Sciences "
    "Berlin; the corrected code table is also in UCI's South German Credit data set (id 522)"
)

#: Per attribute: the data file's (OpenML/Statlog) label -> (Statlog code, corrected label).
#: Employment, other debtors, other installment plans and telephone keep their meaning; only
#: their labels are made consistent. Statlog's A47 (purpose "education" after the correction)
#: and A95 have no rows.
CODE_TABLE: dict[str, dict[str, tuple[str, str]]] = {
    "checking_status": {
        "<0": ("A11", "no checking account"),
        "0<=X<200": ("A12", "< 0 DM"),
        ">=200": ("A13", "0-200 DM"),
        "no checking": ("A14", ">= 200 DM or salary"),  # or salary paid in for >= 1 year
    },
    "credit_history": {
        "no credits/all paid": ("A30", "delays in paying in the past"),
        "all paid": ("A31", "critical account or credits elsewhere"),
        "existing paid": ("A32", "no credits or all paid duly"),
        "delayed previously": ("A33", "existing credits paid duly so far"),
        "critical/other existing credit": ("A34", "all credits at this bank paid duly"),
    },
    "purpose": {  # shifted by one code
        "new car": ("A40", "other"),
        "used car": ("A41", "new car"),
        "furniture/equipment": ("A42", "used car"),
        "radio/tv": ("A43", "furniture/equipment"),
        "domestic appliance": ("A44", "radio/tv"),
        "repairs": ("A45", "domestic appliance"),
        "education": ("A46", "repairs"),
        "retraining": ("A48", "vacation"),
        "business": ("A49", "retraining"),
        "other": ("A410", "business"),
    },
    "savings_status": {
        "<100": ("A61", "no savings or unknown"),
        "100<=X<500": ("A62", "< 100 DM"),
        "500<=X<1000": ("A63", "100-500 DM"),
        ">=1000": ("A64", "500-1000 DM"),
        "no known savings": ("A65", ">= 1000 DM"),
    },
    "employment": {  # unchanged meaning
        "unemployed": ("A71", "unemployed"),
        "<1": ("A72", "< 1 year"),
        "1<=X<4": ("A73", "1-4 years"),
        "4<=X<7": ("A74", "4-7 years"),
        ">=7": ("A75", ">= 7 years"),
    },
    "personal_status": {
        "male div/sep": ("A91", "male divorced/separated"),
        "female div/dep/mar": ("A92", "female non-single or male single"),
        "male single": ("A93", "male married/widowed"),
        "male mar/wid": ("A94", "female single"),
    },
    "other_parties": {
        "none": ("A101", "none"),
        "co applicant": ("A102", "co applicant"),
        "guarantor": ("A103", "guarantor"),
    },
    "property_magnitude": {
        "real estate": ("A121", "no property or unknown"),
        "life insurance": ("A122", "car or other"),
        "car": ("A123", "savings agreement/life insurance"),  # building society savings
        "no known property": ("A124", "real estate"),
    },
    "other_payment_plans": {
        "bank": ("A141", "bank"),
        "stores": ("A142", "stores"),
        "none": ("A143", "none"),
    },
    "housing": {"rent": ("A151", "for free"), "own": ("A152", "rent"), "for free": ("A153", "own")},
    "job": {  # unchanged meaning
        "unemp/unskilled non res": ("A171", "unemployed or unskilled non-resident"),
        "unskilled resident": ("A172", "unskilled resident"),
        "skilled": ("A173", "skilled employee or official"),
        "high qualif/self emp/mgmt": ("A174", "manager, self-employed or highly qualified"),
    },
    "own_telephone": {"none": ("A191", "none"), "yes": ("A192", "yes")},
    "foreign_worker": {"yes": ("A201", "no"), "no": ("A202", "yes")},  # reversed
}

#: The four banded attributes keep their codes (the model takes them as numbers); each code is a
#: band, and installment_commitment runs the "wrong" way (1 = the largest share of income).
BANDS: dict[str, dict[int, str]] = {
    "installment_commitment": {
        1: ">= 35 % of disposable income",
        2: "25-35 %",
        3: "20-25 %",
        4: "< 20 %",
    },
    "residence_since": {
        1: "< 1 year at this address",
        2: "1-4 years",
        3: "4-7 years",
        4: ">= 7 years",
    },
    "existing_credits": {1: "1 credit at this bank", 2: "2-3", 3: "4-5", 4: ">= 6"},
    "num_dependents": {1: "0-2 people financially dependent (liable)", 2: "3 or more"},
}

#: What personal_status says about sex: ``None`` where the code mixes women and men.
SEX_OF_STATUS: dict[str, str | None] = {
    "male divorced/separated": "male",
    "female non-single or male single": None,
    "male married/widowed": "male",
    "female single": "female",
}

#: The data is a stratified sample: 700 good and 300 bad credits, bad ones heavily oversampled.
#: UCI's South German Credit page says the sources report a real bad-credit rate of about 5 %.
POPULATION_BAD_RATE = 0.05


def corrected_labels(column: str) -> dict[str, str]:
    """The data file's label -> the corrected label, for one categorical attribute."""
    if column not in CODE_TABLE:
        raise KeyError(f"no code table for {column!r}; known: {', '.join(CODE_TABLE)}")
    return {old: new for old, (_, new) in CODE_TABLE[column].items()}


def band_text(column: str) -> str:
    """One line: what each code of a banded attribute means (for docs and the service schema)."""
    return "; ".join(f"{code} = {meaning}" for code, meaning in BANDS[column].items())


def code_table(columns: list[str]):
    """The corrected code table for ``columns`` as a DataFrame: Statlog code, the data file's
    label, the corrected label (imports pandas)."""
    import pandas as pd

    rows = [
        {"attribute": column, "code": code, "file label": old, "corrected": new}
        for column in columns
        for old, (code, new) in CODE_TABLE[column].items()
    ]
    return pd.DataFrame(rows).set_index(["attribute", "code"])
