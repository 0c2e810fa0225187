"""Processing steps from a publisher's own format to the course's file, byte for byte.

A data file's sources (:mod:`course.data.registry`) may name one of these steps: the fetch runs it
on the downloaded bytes, and only its *output* is checked against the file's pinned sha256, so a
step that decodes anything differently is caught, never silently accepted.

``uci_german_zip``
    UCI's Statlog German Credit archive (``statlog+german+credit+data.zip``) holds ``german.data``:
    1,000 lines of 21 space-separated fields, the categories as Statlog codes (``A11``, ``A34``,
    ...) and the target as ``1`` (good) or ``2`` (bad). The course's file is OpenML's "credit-g"
    CSV of the same rows in the same order: a quoted header, the codes replaced by OpenML's labels
    (:data:`course.credit.coding.CODE_TABLE` holds that correspondence), unquoted values, ``\\n``
    line ends. Dependency-free (``zipfile``), like :mod:`course.credit.coding`.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from course.credit.coding import CODE_TABLE

#: OpenML credit-g's columns, in german.data's field order.
GERMAN_COLUMNS: tuple[str, ...] = (
    "checking_status",
    "duration",
    "credit_history",
    "purpose",
    "credit_amount",
    "savings_status",
    "employment",
    "installment_commitment",
    "personal_status",
    "other_parties",
    "residence_since",
    "property_magnitude",
    "age",
    "other_payment_plans",
    "housing",
    "existing_credits",
    "job",
    "num_dependents",
    "own_telephone",
    "foreign_worker",
    "class",
)
#: german.data's last field: 1 = good credit, 2 = bad credit.
GERMAN_CLASS = {"1": "good", "2": "bad"}
GERMAN_MEMBER = "german.data"


class TransformError(ValueError):
    """The publisher's file is not in the format the processing step expects."""


def _code_labels() -> dict[str, dict[str, str]]:
    """Per coded column: Statlog code -> OpenML label (the reverse of ``CODE_TABLE``)."""
    return {
        column: {code: label for label, (code, _) in table.items()}
        for column, table in CODE_TABLE.items()
    }


def decode_german_data(text: str) -> bytes:
    """UCI's ``german.data`` text -> the bytes of OpenML's credit-g CSV (the course's file).

    Raises
    ------
    TransformError
        A line without 21 fields, an unknown code or a non-integer number (a format change).
    """
    labels = _code_labels()
    out = [",".join(f'"{column}"' for column in GERMAN_COLUMNS)]
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split()
        if len(fields) != len(GERMAN_COLUMNS):
            raise TransformError(
                f"german.data line {number} has {len(fields)} fields, not {len(GERMAN_COLUMNS)}"
            )
        row = []
        for column, value in zip(GERMAN_COLUMNS, fields, strict=True):
            if column in labels:
                decoded = labels[column].get(value)
            elif column == "class":
                decoded = GERMAN_CLASS.get(value)
            else:
                decoded = value if value.isdigit() else None
            if decoded is None:
                raise TransformError(
                    f"german.data line {number}: {column} has the unexpected value {value!r}"
                )
            row.append(decoded)
        out.append(",".join(row))
    return ("\n".join(out) + "\n").encode("utf-8")


def german_credit_from_uci_zip(raw: bytes) -> bytes:
    """UCI's ``statlog+german+credit+data.zip`` -> the course's ``german_credit_g.csv`` bytes."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = [n for n in archive.namelist() if n.rsplit("/", 1)[-1] == GERMAN_MEMBER]
            if not members:
                raise TransformError(
                    f"the archive has no {GERMAN_MEMBER} "
                    f"(it holds {', '.join(archive.namelist()) or 'nothing'})"
                )
            text = archive.read(members[0]).decode("ascii")
    except (zipfile.BadZipFile, UnicodeDecodeError) as error:
        raise TransformError(f"not the expected zip archive ({error})") from None
    return decode_german_data(text)


#: Processing steps by the name a :class:`course.data.registry.Source` gives.
TRANSFORMS: dict[str, Callable[[bytes], bytes]] = {
    "uci_german_zip": german_credit_from_uci_zip,
}
