"""How tall a lesson cell is on a 1280 x 720 slide, and how a cell too tall for one slide is cut.

The estimates are in the slide's own pixels, calibrated on the decks in Chromium (a code line is
20.5 px, a line of prose 26 px and about 100 characters, a table row 34 px, a figure its PNG's
height). They decide where a deck opens a sub-slide; the deck's own script
(:data:`authoring.slides.FIT_SCRIPT`) then scales whatever is still a little too tall, and the
browser test (``tests/test_decks_browser.py``) measures every slide.

A cell taller than :data:`BUDGET` is cut where a reader would cut it: markdown between blocks
(paragraphs, list items, headings kept with what follows), a code cell between its source and its
outputs, a long printed output between lines, a long table between rows (the header repeated), a
rendered Markdown output (lesson 03's model card) like markdown. Only a single figure is never cut.
"""

from __future__ import annotations

import base64
import copy
import html
import math
import re
import struct

#: The slide's size in reveal.js (``Reveal.initialize(width=..., height=...)``).
SLIDE_WIDTH, SLIDE_HEIGHT = 1280, 720
#: Estimated pixels one slide holds before the next piece opens a sub-slide.
BUDGET = 620

CODE_LINE, CODE_PAD, CODE_CHARS = 20.5, 20.0, 110
TEXT_LINE, TEXT_PAD, TEXT_CHARS = 20.5, 14.0, 110
PROSE_LINE, PROSE_CHARS, BLOCK_GAP = 26.0, 100, 18.0
HEADING = {1: 100.0, 2: 70.0, 3: 60.0, 4: 50.0}
#: A table row of one line, each further line of a wrapped cell, and the characters of a line
#: across the whole table (its font is 0.8 of the prose's).
TABLE_ROW, TABLE_LINE, TABLE_PAD, TABLE_CHARS = 34.0, 22.0, 20.0, 115
FIGURE_PAD, CELL_PAD = 30.0, 10.0
#: A cell's first output is cut to share the slide with the cell's source if this much is left.
MIN_FIRST_PART = 150.0
#: A figure's displayed width at most (its PNG is shown at its own size up to this).
FIGURE_MAX_WIDTH = SLIDE_WIDTH - 40

_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_ATX = re.compile(r"^\s{0,3}#{1,6}\s")
_ITEM = re.compile(r"^(?:[-*+]|\d{1,3}[.)])\s")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"<[^>]+>")


# -- markdown -----------------------------------------------------------------------------------


def markdown_blocks(source: str) -> list[str]:
    """``source`` cut into blocks that render on their own: paragraphs and tables (between blank
    lines), each heading line, each top-level list item, each fenced code block whole."""
    blocks: list[list[str]] = []
    current: list[str] = []
    fence = None

    def close():
        if current and any(line.strip() for line in current):
            blocks.append(current.copy())
        current.clear()

    for line in source.splitlines():
        if fence:
            current.append(line)
            if line.strip().startswith(fence):
                fence = None
            continue
        match = _FENCE.match(line)
        if match:
            close()
            fence = match.group(1)
            current.append(line)
        elif not line.strip():
            close()
        elif _ATX.match(line):
            close()
            blocks.append([line])
        elif _ITEM.match(line):
            close()
            current.append(line)
        else:
            current.append(line)
    close()
    return ["\n".join(block) for block in blocks]


def _plain(text: str) -> str:
    text = _LINK.sub(r"\1", text)
    return re.sub(r"[*_`$]", "", _TAG.sub("", text))


def _wrapped(text: str, chars: int) -> int:
    return sum(max(1, math.ceil(len(line) / chars)) for line in text.splitlines() or [""])


def _table_rows(rows: list[list[str]], header: list[list[str]] | None = None) -> float:
    """A table's rows: each column is given a share of the slide's width in proportion to its
    longest cell (in ``header`` too, when given), and a row is as tall as its most wrapped cell."""
    columns = max((len(row) for row in (header or []) + rows), default=0)
    longest = [
        min(TABLE_CHARS, max((len(r[j]) for r in (header or []) + rows if j < len(r)), default=1))
        or 1
        for j in range(columns)
    ]
    widths = [max(6.0, TABLE_CHARS * n / sum(longest)) for n in longest]
    height = TABLE_PAD
    for row in rows:
        lines = max((math.ceil(len(cell) / widths[j]) for j, cell in enumerate(row)), default=1)
        height += TABLE_ROW + TABLE_LINE * (max(1, lines) - 1)
    return height


def block_height(block: str) -> float:
    """Estimated pixels of one markdown block."""
    first = block.lstrip()
    if _ATX.match(block):
        return HEADING.get(len(first) - len(first.lstrip("#")), 40.0)
    if _FENCE.match(block):
        return CODE_PAD + CODE_LINE * max(1, len(block.splitlines()) - 2)
    if first.startswith("|"):
        rows = [
            [_plain(c).strip() for c in line.strip().strip("|").split("|")]
            for line in block.splitlines()
            if not re.match(r"^\s*\|[\s:|-]+\|?\s*$", line)
        ]
        return _table_rows(rows)
    if re.match(r"!\[[^\]]*\]\(", first):
        return 300.0
    text = _plain(" ".join(line.strip() for line in block.splitlines()))
    return BLOCK_GAP + PROSE_LINE * max(1, math.ceil(len(text) / PROSE_CHARS))


def markdown_height(source: str) -> float:
    return CELL_PAD + sum(block_height(b) for b in markdown_blocks(source))


def split_markdown(source: str, budget: float = BUDGET, first: float | None = None) -> list[str]:
    """``source`` as consecutive parts each estimated at most ``budget`` (the first at most
    ``first`` when given; a single block taller than that stays whole), never ending a part on a
    heading."""
    parts: list[list[str]] = []
    current: list[str] = []
    used = CELL_PAD
    for block in markdown_blocks(source):
        size = block_height(block)
        if current and used + size > (budget if parts or first is None else first):
            carried = []
            while current and _ATX.match(current[-1]):
                carried.insert(0, current.pop())
            if current:
                parts.append(current)
            current = carried
            used = CELL_PAD + sum(block_height(b) for b in carried)
        current.append(block)
        used += size
    if current:
        parts.append(current)
    return ["\n\n".join(part) for part in parts]


# -- outputs ------------------------------------------------------------------------------------


def png_size(data: str) -> tuple[int, int] | None:
    """(width, height) of a base64 PNG, from its header."""
    try:
        head = base64.b64decode(data[:64] + "=" * (-len(data[:64]) % 4))
    except ValueError:
        return None
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", head[16:24])


def _image_height(width: int, height: int) -> float:
    return height * min(1.0, FIGURE_MAX_WIDTH / max(width, 1))


def _html_tables(text: str) -> list[list[list[str]]]:
    tables = []
    for table in re.findall(r"<table.*?</table>", text, re.S | re.I):
        rows = re.findall(r"<tr.*?</tr>", table, re.S | re.I)
        tables.append(
            [
                [
                    html.unescape(_TAG.sub("", c)).strip()
                    for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, re.S | re.I)
                ]
                for r in rows
            ]
        )
    return tables


def html_height(text: str) -> float:
    height = 0.0
    for width, tall in (
        png_size(m) or (600, 400)
        for m in re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=\s]{0,100})', text)
    ):
        height += _image_height(width, tall) + FIGURE_PAD
    for table in _html_tables(text):
        height += _table_rows(table)
    rest = re.sub(r"<table.*?</table>|<style.*?</style>|<img[^>]*>", "", text, flags=re.S | re.I)
    words = html.unescape(_TAG.sub(" ", rest)).strip()
    if words:
        height += PROSE_LINE * _wrapped(re.sub(r"\s+", " ", words), PROSE_CHARS) + BLOCK_GAP
    return height


def output_height(output) -> float:
    """Estimated pixels of one output as the deck shows it."""
    data = output.get("data", {})
    if "image/png" in data:
        width, tall = png_size(data["image/png"]) or (600, 400)
        return _image_height(width, tall) + FIGURE_PAD
    if "text/html" in data:
        return html_height(data["text/html"])
    if "text/markdown" in data:
        return markdown_height(data["text/markdown"])
    if any(k.startswith("image/") for k in data):
        return 400.0
    text = output.get("text") or data.get("text/plain") or "\n".join(output.get("traceback", []))
    return TEXT_PAD + TEXT_LINE * _wrapped(str(text).rstrip("\n"), TEXT_CHARS)


def input_height(source: str) -> float:
    return CODE_PAD + CODE_LINE * _wrapped(source.rstrip("\n"), CODE_CHARS)


def cell_height(cell) -> float:
    if cell.cell_type == "markdown":
        return markdown_height(cell.source)
    remove = cell.metadata.get("transient", {}).get("remove_source")
    source = 0.0 if remove else input_height(cell.source)
    return CELL_PAD + source + sum(output_height(o) for o in cell.get("outputs", []))


def split_output(output, budget: float = BUDGET, first: float | None = None) -> list:
    """One output as several, each estimated within ``budget`` (the first within ``first`` when
    given) where it can be cut: printed text between lines, an HTML table between rows (header
    kept), Markdown between blocks."""
    if output_height(output) <= (budget if first is None else min(budget, first)):
        return [output]
    data = output.get("data", {})
    if output.get("output_type") == "stream" or set(data) == {"text/plain"}:
        key = "text" if output.get("output_type") == "stream" else None
        text = output["text"] if key else data["text/plain"]
        lines = text.splitlines(keepends=True)
        chunks, current, used = [], [], 0
        for line in lines:
            wraps = max(1, math.ceil(len(line.rstrip("\n")) / TEXT_CHARS))
            room = budget if chunks or first is None else first
            if current and used + wraps > max(1, int((room - TEXT_PAD) // TEXT_LINE)):
                chunks.append("".join(current))
                current, used = [], 0
            current.append(line)
            used += wraps
        chunks.append("".join(current))
        return [_with_text(output, chunk, key) for chunk in chunks]
    if "text/html" in data and "image/png" not in data:
        parts = split_html_table(data["text/html"], budget, first)
        if len(parts) > 1:
            return [_with_data(output, {"text/html": p}) for p in parts]
    if "text/markdown" in data:
        parts = split_markdown(data["text/markdown"], budget, first)
        return [_with_data(output, {"text/markdown": p}) for p in parts]
    return [output]


def split_html_table(text: str, budget: float = BUDGET, first: float | None = None) -> list[str]:
    """An HTML output holding one table (pandas') as copies each holding a run of its body rows,
    the header repeated. Unchanged when it has no single table or rows spanning others."""
    if len(re.findall(r"<tbody", text, re.I)) != 1 or "rowspan" in text.lower():
        return [text]
    start, end = re.search(r"<tbody[^>]*>", text, re.I), re.search(r"</tbody>", text, re.I)
    rows = re.findall(r"\s*<tr.*?</tr>", text[start.end() : end.start()], re.S | re.I)
    head, tail = text[: start.end()], "\n" + text[end.start() :]
    parts: list[list[str]] = []
    current: list[str] = []
    for row in rows:
        limit = budget if parts or first is None else first
        if current and html_height(head + "".join(current + [row]) + tail) > limit:
            parts.append(current)
            current = []
        current.append(row)
    parts.append(current)
    return [head + "".join(part) + tail for part in parts]


def _with_text(output, text: str, key: str | None):
    new = copy.deepcopy(output)
    if key:
        new[key] = text
    else:
        new["data"] = {"text/plain": text}
    return new


def _with_data(output, data: dict):
    new = copy.deepcopy(output)
    new["data"] = data
    return new


# -- cells --------------------------------------------------------------------------------------


def _numbered_copy(cell, index: int):
    """A copy of ``cell`` for its ``index``-th slide part; parts after the first get ids of
    their own (``<id>-2``, ``<id>-3``, ...)."""
    piece = copy.deepcopy(cell)
    if index:
        piece["id"] = f"{cell.get('id', 'cell')}-{index + 1}"
    return piece


def split_cell(cell, budget: float = BUDGET) -> list:
    """``cell`` as one or more cells, each estimated within ``budget`` where the content allows:
    the first keeps the cell's source; later ones (ids ``<id>-2``, ...) show only outputs."""
    if cell_height(cell) <= budget:
        return [cell]
    if cell.cell_type == "markdown":
        parts = split_markdown(cell.source, budget)
        cells = []
        for index, part in enumerate(parts):
            piece = _numbered_copy(cell, index)
            piece.source = part
            cells.append(piece)
        return cells
    if cell.cell_type != "code":
        return [cell]
    used = CELL_PAD + input_height(cell.source)
    room = budget - used if budget - used >= MIN_FIRST_PART else None
    outputs = [
        piece
        for index, o in enumerate(cell.get("outputs", []))
        for piece in split_output(o, budget - CELL_PAD, room if index == 0 else None)
    ]
    groups: list[list] = [[]]
    for output in outputs:
        size = output_height(output)
        if used + size > budget and (groups[-1] or len(groups) == 1):
            groups.append([])
            used = CELL_PAD
        groups[-1].append(output)
        used += size
    cells = []
    for index, group in enumerate(groups):
        piece = _numbered_copy(cell, index)
        piece.outputs = group
        if index:
            piece.source = ""
            piece.metadata.setdefault("transient", {})["remove_source"] = True
        cells.append(piece)
    return cells
