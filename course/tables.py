"""One course style for every table a lesson shows.

- Text columns (and text row labels) are left-aligned, numbers right-aligned: pandas' own HTML
  right-aligns everything, so a column of names reads ragged.
- Whole numbers show no decimals and have thousands separators (``14,000``, not ``14000.00``);
  other numbers show the decimals their column needs (a column rounded to 3 decimals shows 3, with
  trailing zeros, so the digits line up). A column of different quantities (an assumptions
  table's ``value``: 14,000 lenders and a 0.35 share) is formatted value by value, with
  :func:`course.text.number`.
- A missing value is a dash, :data:`course.text.MISSING`, explained in a note under the table:
  the table's own reason (``table(df, missing="not reported by the paper")`` or the frame's
  ``df.attrs["missing"]``, which a course function sets where it knows why), never ``NaN``.

In a notebook, ``import course`` calls :func:`register`, so every DataFrame a lesson shows uses
this style; :func:`table` gives the same style with a table's own note. Nothing here imports
pandas until a table is shown (``import course`` stays light).
"""

from __future__ import annotations

import math
import re
from html import escape
from typing import Any

from course.text import MISSING, WIDTH, number

#: Two quantities a thousand times apart in one column, whole and fractional: different units.
MIXED_SCALE = 1000.0
#: The most decimals a column shows (pandas' default display precision).
MAX_DECIMALS = 6
DEFAULT_MISSING = "no value"
#: The class every course table carries (tests/test_output_hygiene.py finds tables without it).
CSS_CLASS = "course-table"


#: Text that reads as a number ("-192,612", "5,744 (-35,287 to 38,466)", "12%"): a course
#: function formatted it already; it is right-aligned like a number.
NUMERIC_TEXT = re.compile(r"^[-+−]?\d[\d,]*(\.\d+)?%?(\s|$)")


def _is_missing(value: Any) -> bool:
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):  # (a list or an array in a cell: not missing)
        return False


def _is_number(value: Any) -> bool:
    import numbers

    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _column_decimals(values: list[float]) -> int:
    for decimals in range(MAX_DECIMALS + 1):
        if all(abs(round(v, decimals) - v) <= 1e-9 * max(1.0, abs(v)) for v in values):
            return decimals
    return MAX_DECIMALS


def formatter(label: Any, values: list[Any]):
    """How one column (or index level) is shown: ``(format, is_numeric)``, where ``format``
    turns one value into its text. ``label`` is the column's name: a year column gets no
    thousands separator (2025, not 2,025)."""
    present = [v for v in values if not _is_missing(v)]
    if present and all(hasattr(v, "strftime") for v in present):  # dates: no "00:00:00"
        dated = all(
            getattr(v, "hour", 0) == getattr(v, "minute", 0) == getattr(v, "second", 0) == 0
            for v in present
        )
        shape = "%Y-%m-%d" if dated else "%Y-%m-%d %H:%M:%S"
        return (lambda v: MISSING if _is_missing(v) else v.strftime(shape)), False
    if not present or not all(_is_number(v) for v in present):  # text (a number among it, too)
        said = [v for v in present if str(v).strip()]  # (a blank cell says nothing either way)
        numeric = bool(said) and all(_is_number(v) or NUMERIC_TEXT.match(str(v)) for v in said)
        return (
            lambda v: MISSING if _is_missing(v) else number(v) if _is_number(v) else str(v)
        ), numeric
    floats = [float(v) for v in present]
    if any(math.isinf(v) for v in floats):
        return (lambda v: MISSING if _is_missing(v) else number(float(v))), True
    whole = [v for v in floats if v.is_integer()]
    if "year" in str(label).lower() and len(whole) == len(floats):
        return (lambda v: MISSING if _is_missing(v) else str(int(v))), True
    if len(whole) == len(floats):
        return (lambda v: MISSING if _is_missing(v) else number(int(v))), True
    fractions = [abs(v) for v in floats if not v.is_integer()]
    if whole and max(abs(v) for v in whole) >= MIXED_SCALE * min(fractions):
        return (lambda v: MISSING if _is_missing(v) else number(float(v))), True
    decimals = _column_decimals(floats)
    return (lambda v: MISSING if _is_missing(v) else number(float(v), decimals)), True


#: An unnamed index labels rows (row 10400 of a dataset, not 10,400 of anything): as they are.
_row_labels = ((lambda v: MISSING if _is_missing(v) else str(v)), False)


class CourseTable:
    """A DataFrame shown in the course style (HTML in JupyterLab, aligned text elsewhere).

    Attributes
    ----------
    data : pandas.DataFrame
        The frame itself, unchanged.
    missing : str
        What a dash in this table means.
    """

    def __init__(self, data, missing: str | None = None):
        import pandas as pd

        self.data = data.to_frame() if isinstance(data, pd.Series) else data
        self.missing = missing or self.data.attrs.get("missing") or DEFAULT_MISSING

    def _formats(self):
        frame = self.data
        columns = [
            formatter(label, frame.iloc[:, i].tolist()) for i, label in enumerate(frame.columns)
        ]
        index = [
            formatter(frame.index.names[level], frame.index.get_level_values(level).tolist())
            if frame.index.names[level] is not None
            else _row_labels
            for level in range(frame.index.nlevels)
        ]
        return columns, index

    def has_missing(self) -> bool:
        return bool(self.data.isna().to_numpy().any())

    def note(self) -> str:
        """The line under the table: what a dash means (empty when nothing is missing)."""
        return f"{MISSING} {self.missing}" if self.has_missing() else ""

    def shown(self):
        """The frame as its cells read: every value and row label formatted as text."""
        import pandas as pd

        columns, index = self._formats()
        frame = self.data
        shown = pd.DataFrame(
            {
                i: [fmt(v) for v in frame.iloc[:, i].tolist()]
                for i, (fmt, _numeric) in enumerate(columns)
            },
            index=range(len(frame)),
            dtype=object,
        )
        shown.columns = frame.columns
        levels = [
            [fmt(v) for v in frame.index.get_level_values(level)]
            for level, (fmt, _numeric) in enumerate(index)
        ]
        shown.index = (
            pd.MultiIndex.from_arrays(levels, names=frame.index.names)
            if frame.index.nlevels > 1
            else pd.Index(levels[0], name=frame.index.name)
        )
        return shown

    def _repr_html_(self) -> str:
        """pandas' HTML table, with the alignment written into each cell: a ``<style>`` block
        would be dropped by JupyterLab's sanitiser in a notebook opened from disk (untrusted)."""
        columns, index = self._formats()
        html = self.shown().to_html(na_rep=MISSING, classes=CSS_CLASS)
        left = ' style="text-align: left;"'
        head, body = html.split("<tbody>", 1)
        if self.data.columns.nlevels == 1:  # column names over their values' side
            rows = head.split("<tr")
            cells = rows[1].split("<th")
            for i, (_fmt, numeric) in enumerate(columns):
                position = self.data.index.nlevels + 1 + i
                if not numeric and position < len(cells):
                    cells[position] = left + cells[position]
            rows[1] = "<th".join(cells)
            head = "<tr".join(rows)
        if not any(numeric for _fmt, numeric in index):  # text row labels (and their names)
            rows = head.split("</tr>")
            first = self.data.columns.nlevels
            head = "</tr>".join(
                rows[:first] + [row.replace("<th>", f"<th{left}>") for row in rows[first:]]
            )
            body = body.replace("<th>", f"<th{left}>").replace("<th rowspan", f"<th{left} rowspan")
        text_columns = {i for i, (_fmt, numeric) in enumerate(columns) if not numeric}
        if text_columns:
            rows = body.split("<tr>")
            for r, row in enumerate(rows[1:], start=1):
                cells = row.split("<td>")
                rows[r] = cells[0] + "".join(
                    (f"<td{left}>" if i in text_columns else "<td>") + cell
                    for i, cell in enumerate(cells[1:])
                )
            body = "<tr>".join(rows)
        html = f"{head}<tbody>{body}"
        note = self.note()
        if note:
            caption = (
                '<caption style="caption-side: bottom; text-align: left; font-size: 0.9em;">'
                f"{escape(note)}</caption>"
            )
            html = html.replace(">", f">\n  {caption}", 1)
        return html

    def to_text(self, width: int = WIDTH) -> str:
        """The table as aligned plain text, split into blocks of at most ``width`` characters."""
        columns, _index = self._formats()
        shown = self.shown()
        widths = [
            max([len(v) for v in shown.iloc[:, i]] + [len(str(label))])
            for i, label in enumerate(self.data.columns)
        ]
        if shown.columns.nlevels == 1:  # a text column's name starts where its values do
            shown.columns = [
                str(label).ljust(widths[i]) if not columns[i][1] else str(label)
                for i, label in enumerate(self.data.columns)
            ]
        pad = {
            label: (lambda w: lambda s: s.ljust(w))(widths[i])
            for i, label in enumerate(shown.columns)
            if not columns[i][1]
        }
        text = shown.to_string(formatters=pad or None, line_width=width)
        note = self.note()
        return f"{text}\n{note}" if note else text

    def __repr__(self) -> str:
        return self.to_text()


def table(data, missing: str | None = None) -> CourseTable:
    """``data`` (a DataFrame or Series) in the course style.

    Parameters
    ----------
    data : pandas.DataFrame or pandas.Series
        The table.
    missing : str, optional
        What a dash means in this table, shown under it ("not reported by the paper"); by
        default ``data.attrs["missing"]``, else "no value".

    Returns
    -------
    CourseTable
        Shows as the course's table; ``.data`` is the frame.
    """
    return CourseTable(data, missing)


def _html(frame) -> str:
    return CourseTable(frame)._repr_html_()


def _plain(frame, printer, cycle: bool) -> None:
    printer.text(CourseTable(frame).to_text())


def register(shell) -> None:
    """Show every DataFrame in ``shell`` (an IPython shell) in the course style, as HTML and as
    plain text. Registered by type name, so pandas is not imported until a table is shown."""
    formatters = shell.display_formatter.formatters
    # (IPython matches the class's __module__: "pandas" from pandas 3 on, "pandas.core.frame"
    # before, as on Colab's pandas 2.2)
    for module in ("pandas", "pandas.core.frame"):
        formatters["text/html"].for_type_by_name(module, "DataFrame", _html)
        formatters["text/plain"].for_type_by_name(module, "DataFrame", _plain)
