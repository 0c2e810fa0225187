"""Where the course is published, and everything made from it: the "Open in Colab" links (README
table, ``python -m authoring colab-url``, the course map on Colab) and the archive the lessons'
setup cells install the course from on Colab (issue 30).

No publisher is written into the course by hand. ``pyproject.toml``'s ``[tool.course]`` holds
``repository`` (``owner/name`` on GitHub, empty until published) and ``branch``;
``python -m authoring colab-url --write [REMOTE]`` sets them from the ``origin`` remote (as ``course
binder-url`` reads it) and rewrites what depends on them: the README's lesson table and the setup
cell of every notebook in ``solutions/`` and ``notebooks/`` (the cell's source only: its output
is empty outside Colab, so nothing is executed again). ``python -m authoring build`` writes the
same cells from the same setting, and ``python -m authoring build --check`` fails when one is
stale.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from course.config import REPO_ROOT, colab_url, github_repository
from course.setup.colab import CELL_ID, setup_cell
from course.setup.hosted import PYPROJECT, published

README = REPO_ROOT / "README.md"
COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
#: The README table's header names this column; its cells are made here.
COLUMN = "Colab"
#: What the column shows while the course is not published.
UNPUBLISHED_CELL = "–"


def set_published(repository: str, branch: str, pyproject: Path | None = None) -> None:
    """Write ``repository`` and ``branch`` into ``[tool.course]`` (the two lines only)."""
    pyproject = pyproject or PYPROJECT
    text = pyproject.read_text(encoding="utf-8")
    head, sep, tail = text.partition("[tool.course]")
    if not sep:
        raise ValueError(f"{pyproject} has no [tool.course] table")
    tail = re.sub(r'(?m)^repository = ".*"$', f'repository = "{repository}"', tail, count=1)
    tail = re.sub(r'(?m)^branch = ".*"$', f'branch = "{branch}"', tail, count=1)
    pyproject.write_text(head + sep + tail, encoding="utf-8")


# --- the setup cell --------------------------------------------------------------------------


def lesson_number(notebook: str | Path) -> str:
    return Path(notebook).name[:2]


def with_setup_cell(
    nb: nbformat.NotebookNode,
    notebook: str | Path,
    repository: str | None = None,
    branch: str = "main",
) -> bool:
    """Make ``nb``'s second cell (right after the title) the lesson's setup cell, inserting it or
    refreshing its source; True when ``nb`` changed."""
    source = setup_cell(lesson_number(notebook), repository, branch)
    found = [i for i, c in enumerate(nb.cells) if c.get("id") == CELL_ID]
    if found == [1] and nb.cells[1].cell_type == "code" and nb.cells[1].source == source:
        return False
    for index in reversed(found):
        del nb.cells[index]
    cell = nbformat.v4.new_code_cell(source)
    cell.id = CELL_ID
    nb.cells.insert(1, cell)
    return True


def setup_cell_problem(
    nb: nbformat.NotebookNode,
    notebook: str | Path,
    repository: str | None = None,
    branch: str = "main",
) -> str | None:
    """Why ``nb``'s setup cell is not what the build writes, or None."""
    want = setup_cell(lesson_number(notebook), repository, branch)
    cells = nb.cells
    if len(cells) < 2 or cells[1].get("id") != CELL_ID or cells[1].cell_type != "code":
        return "its second cell is not the setup cell (run `python -m authoring build`)"
    if cells[1].source != want:
        return (
            "its setup cell is stale (run `python -m authoring build`, "
            "or `python -m authoring colab-url --write`)"
        )
    return None


def rewrite_setup_cells(folders: list[Path], repository: str | None, branch: str) -> list[Path]:
    """Refresh the setup cell's source in every lesson of ``folders`` (no execution: the cell
    prints nothing outside Colab); the notebooks changed."""
    changed = []
    for folder in folders:
        for path in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            cells = [c for c in nb.cells if c.get("id") == CELL_ID]
            want = setup_cell(lesson_number(path), repository, branch)
            if len(cells) == 1 and cells[0].source != want:
                cells[0].source = want
                nbformat.write(nb, path)
                changed.append(path)
    return changed


# --- the links -------------------------------------------------------------------------------


def colab_links(repository: str, branch: str = "main", folder: str = "notebooks") -> dict[str, str]:
    """Each lesson's notebook name -> its "Open in Colab" link."""
    from course.lessons import LESSONS

    return {
        lesson.notebook: colab_url(lesson.notebook, repository, branch, folder)
        for lesson in LESSONS
    }


def readme_cell(notebook: str, repository: str | None, branch: str) -> str:
    """The README table's Colab cell for one lesson."""
    if not repository:
        return UNPUBLISHED_CELL
    return f"[![Open in Colab]({COLAB_BADGE})]({colab_url(notebook, repository, branch)})"


def readme_with_links(text: str, repository: str | None, branch: str) -> str:
    """The README with its lesson table's Colab column made for ``repository``."""
    from course.lessons import LESSONS

    names = {Path(lesson.notebook).stem: lesson.notebook for lesson in LESSONS}
    lines = text.split("\n")
    for i, line in enumerate(lines):
        match = re.match(r"\| (\d\d) \| `([^`]+)` \|", line)
        if match and match[2] in names:
            cells = line.strip().strip("|").split(" | ")
            header = lines[next(j for j in range(i, -1, -1) if lines[j].startswith("| lesson"))]
            if f"| {COLUMN} |" not in header + " |":
                raise ValueError(f"README's lesson table has no {COLUMN!r} column")
            cells[-1] = readme_cell(names[match[2]], repository, branch)
            lines[i] = "| " + " | ".join(c.strip() for c in cells) + " |"
    return "\n".join(lines)


def readme_problem(readme: Path | None = None, pyproject: Path | None = None) -> str | None:
    """Why README's Colab column is not what ``[tool.course]`` gives, or None."""
    text = (readme or README).read_text(encoding="utf-8")
    if text != readme_with_links(text, *published(pyproject)):
        return (
            "README.md: the lesson table's Colab links are stale "
            "(run `python -m authoring colab-url --write`)"
        )
    return None


def write(
    folders: list[Path], remote: str | None = None, branch: str | None = None, log=print
) -> int:
    """``python -m authoring colab-url --write``: record where the course is published and
    rewrite the README table and the setup cells of the notebooks in ``folders`` from it."""
    repository = github_repository(remote)
    if repository is None:
        log(
            "No GitHub remote found: pass one, e.g. `python -m authoring colab-url --write "
            "https://github.com/OWNER/REPO`."
        )
        return 1
    branch = branch or published()[1]
    set_published(repository, branch)
    README.write_text(
        readme_with_links(README.read_text(encoding="utf-8"), repository, branch), encoding="utf-8"
    )
    changed = rewrite_setup_cells(folders, repository, branch)
    log(
        f"published as {repository} ({branch}): pyproject.toml, README.md and {len(changed)} "
        "setup cells rewritten"
    )
    return 0
