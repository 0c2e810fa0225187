"""Numbers and sentences as the course prints them: one formatter for every readout and sentence.

- :func:`number`: thousands separators, whole numbers without decimals, no e-notation for
  human-scale numbers (``14,000``, not ``1.40e+4`` or ``14000.00``).
- :func:`readout_format`: the same rule for an ipywidgets slider's readout (a d3-format string:
  the browser formats it, not Python).
- :func:`lead`: "A leads (0.72), then B (0.70)", or "A and B are level (0.70 each)" when the two
  values are equal at the printed precision: a sentence never calls a tie a lead.
- :func:`wrap` / :func:`say`: printed lines of at most :data:`WIDTH` characters, broken between
  words. JupyterLab breaks a longer output line at any character (its ``word-break: break-all``),
  so "1,000" can show as "1,0" at the end of one line and "00" on the next.

Light on purpose (standard library only): ``import course`` stays cheap.
"""

from __future__ import annotations

import math
import textwrap

#: The longest printed line, in characters. tests/test_browser.py's viewport (1280 x 900,
#: JupyterLab's file browser open) gives an output area 840 px wide, 107 characters of its 13 px
#: monospace font (measured in Chromium); 100 leaves room for a scroll bar and a wider font.
WIDTH = 100

#: What a table or a sentence shows for a missing value (never "NaN").
MISSING = "—"

#: Below this size (and from :data:`HUGE` up) a number is not human-scale: e-notation is clearer.
TINY, HUGE = 1e-4, 1e15


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def decimals_of(step: float) -> int:
    """How many decimals a slider step (or any round number) needs: 1000 -> 0, 0.05 -> 2."""
    for decimals in range(10):
        if abs(round(step, decimals) - step) <= 1e-12 * max(1.0, abs(step)):
            return decimals
    return 10


def number(value, decimals: int | None = None, significant: int = 3) -> str:
    """``value`` as a reader should see it.

    Parameters
    ----------
    value : int, float or None
        The number. ``None`` and NaN give :data:`MISSING`.
    decimals : int, optional
        Fixed decimals (``number(0.7, 2)`` is ``"0.70"``). Without it, whole numbers show no
        decimals and other numbers show ``significant`` significant digits, trailing zeros
        dropped.
    significant : int
        Significant digits when ``decimals`` is not given.

    Returns
    -------
    str
        With thousands separators (``"14,000"``, ``"1,234.5"``); e-notation only outside
        :data:`TINY` to :data:`HUGE` (``"3.2e-07"``), where it is the clearer form.
    """
    if _is_missing(value):
        return MISSING
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and math.isinf(value):
        return "infinite" if value > 0 else "minus infinite"
    size = abs(value)
    if size and (size < TINY or size >= HUGE):
        return f"{value:.{significant}g}"
    if decimals is not None:
        text = f"{value:,.{decimals}f}"
        return text.lstrip("-") if float(text.replace(",", "")) == 0 else text  # never "-0.00"
    if float(value).is_integer():
        return f"{int(value):,}"
    places = max(0, significant - 1 - math.floor(math.log10(size)))
    text = f"{value:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def readout_format(step: float) -> str:
    """The d3-format string an ipywidgets slider with ``step`` should use for its readout: as
    many decimals as the step has, with thousands separators (``",.0f"`` shows 14000 as
    ``14,000``; ipywidgets' default for a float slider, ``".2f"``, and ``".3g"`` give
    ``14000.00`` and ``1.40e+4``). Python's ``format(value, readout_format(step))`` gives the
    same text as the browser."""
    return f",.{decimals_of(step)}f"


def lead(first: tuple[str, float], second: tuple[str, float], decimals: int = 2) -> str:
    """The top two of a ranking in words, honest about ties at the printed precision.

    Parameters
    ----------
    first, second : (name, value)
        The leader and the runner-up.
    decimals : int
        The precision the values are printed at.

    Returns
    -------
    str
        ``"API leads (0.72), then Open core (0.70)"``, or
        ``"API and Open core are level (0.70 each)"`` when both print the same.
    """
    (name_a, a), (name_b, b) = first, second
    shown_a, shown_b = number(a, decimals), number(b, decimals)
    if shown_a == shown_b:
        return f"{name_a} and {name_b} are level ({shown_a} each)"
    return f"{name_a} leads ({shown_a}), then {name_b} ({shown_b})"


def wrap(text: str, width: int = WIDTH) -> str:
    """``text`` with every line longer than ``width`` broken between words (never inside a word
    or a number). A continued line keeps its line's indent, plus two spaces after a list
    marker (``"- "``, ``"1. "``), so lists and indented blocks stay readable."""
    lines = []
    for line in text.split("\n"):
        if len(line) <= width:
            lines.append(line)
            continue
        body = line.lstrip(" ")
        indent = " " * (len(line) - len(body))
        marker = body.split(" ", 1)[0]
        hanging = (
            indent + " " * (len(marker) + 1)
            if marker in ("-", "*") or (marker[:-1].isdigit() and marker.endswith("."))
            else indent + "  "
        )
        lines.append(
            textwrap.fill(
                body,
                width,
                initial_indent=indent,
                subsequent_indent=hanging,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    return "\n".join(lines)


def say(*parts: object, sep: str = " ", width: int = WIDTH) -> None:
    """``print(*parts)``, with lines longer than ``width`` broken between words (:func:`wrap`)."""
    print(wrap(sep.join(str(part) for part in parts), width))
