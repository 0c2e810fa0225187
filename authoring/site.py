"""``python -m authoring site build [DIR]``: the whole course as a static website, from
``solutions/``.

The site is made by Jupyter Book 1 (Sphinx, myst-nb, sphinx-book-theme) from the solution
notebooks with their stored outputs: nothing is executed. Why Jupyter Book 1 and not 2 (mystmd):
it builds all seven lessons offline (its theme is a Python package, pinned in the lock), whereas
mystmd downloads its HTML theme at build time; and its output is plain static HTML that opens
with no request to the network. It is an author's tool, never in the learners' environment: it
needs ``markdown-it-py<4`` (the learners' lock has 4.x), so it is pinned alone in
``requirements-site.lock`` and runs in an environment of its own, made once per lock digest
(:func:`authoring.envs.locked_environment`).

What the site holds (``DIR``, default ``build/site``; ``DIR/index.html`` opens it)::

    index.html                  the course map: each lesson, its time, its launch links
    00_start_here.html ...      every lesson, figures with their alt text; an interactive
                                explorer is a note to run it in Jupyter (no widget is rendered)
    glossary.html               the bilingual glossary (lessons link glossary.html#term)
    instructors.html, schedule.html, hub.html, kubernetes.html    the instructor guide
    notebooks/NN_*.ipynb, solutions/NN_*.ipynb                     the download links

Each lesson starts with its launch links: Binder and Colab (when the repository's GitHub address
is known: ``--repo``, else ``[tool.course]`` in pyproject.toml, else the ``origin`` remote) open
the learners' notebook from ``notebooks/``; the downloads are both versions. The build is
cached: it is skipped when ``DIR/.site-digest`` matches its inputs, and Sphinx rebuilds only the
pages whose source changed. Publish ``DIR`` on any static host (GitHub Pages: its contents on the
``gh-pages`` branch; ``.nojekyll`` is written).
"""

from __future__ import annotations

import copy
import hashlib
import html
import json
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import nbformat

from authoring.envs import bin_folder, locked_environment
from course.config import REPO_ROOT, binder_url, colab_url, github_repository
from course.errors import CourseError
from course.lessons import LESSONS, Lesson
from course.setup.pins import SITE_LOCK

SITE_DIR = REPO_ROOT / "build" / "site"
#: The book's generated sources and Sphinx's cache (kept between builds: they make them fast).
SOURCE_DIR = REPO_ROOT / "build" / "site-source"
SOLUTIONS = REPO_ROOT / "solutions"
NOTEBOOKS = REPO_ROOT / "notebooks"
TITLE = "From open-source AI to a business"
STAMP = ".site-digest"
SLUGS = "course_slugs"
WIDGET = "application/vnd.jupyter.widget-view+json"
#: Markdown pages from the repository: repository path -> the page's name in the site.
PAGES = {
    "solutions/glossary.md": "glossary",
    "instructors/README.md": "instructors",
    "instructors/schedule.md": "schedule",
    "classroom/hub/README.md": "hub",
    "classroom/kubernetes/README.md": "kubernetes",
}
#: Other repository files a page may link that are one of :data:`PAGES` (the same glossary).
SAME_PAGES = {**PAGES, "instructors/glossary.md": "glossary", "notebooks/glossary.md": "glossary"}
#: What an interactive explorer's output becomes in the site (a widget needs a running kernel).
WIDGET_NOTE = (
    '<div class="admonition note"><p class="admonition-title">Interactive explorer</p>'
    "<p>Its sliders need a running notebook: open this lesson in Jupyter (the launch "
    "links at the top of the page, or your own JupyterLab) and run this cell.</p></div>"
)
CONFIG = """\
title: {title}
author: the course's authors
only_build_toc_files: true
execute:
  execute_notebooks: "off"
html:
  use_repository_button: false
  use_issues_button: false
  use_edit_page_button: false
  home_page_in_navbar: true
  extra_footer: ""
launch_buttons:
  notebook_interface: jupyterlab
  binderhub_url: ""
  colab_url: ""
  thebe: false
parse:
  myst_enable_extensions: [colon_fence, deflist, html_image, linkify, substitution]
sphinx:
  local_extensions:
    {slugs}: _ext
  config:
    myst_heading_anchors: 4
    myst_heading_slug_func: {slugs}.slug
    html_static_path: ["_static"]
    html_css_files: ["course.css"]
    html_show_sourcelink: false
    html_copy_source: false
    html_extra_path: ["downloads"]
    nb_merge_streams: true
    suppress_warnings: ["myst.header"]
    html_theme_options:
      use_download_button: false
      use_fullscreen_button: false
      navigation_with_keys: false
      home_page_in_toc: true
"""
CSS = """\
.course-launch { display: flex; flex-wrap: wrap; gap: .5rem; margin: .5rem 0 1.5rem; }
.course-launch a { border: 1px solid var(--pst-color-border); border-radius: .3rem;
  padding: .25rem .75rem; text-decoration: none; }
"""


def repository(repo: str | None = None) -> str | None:
    """``owner/name`` of the course on GitHub: ``repo`` (a GitHub URL or ``owner/name``), else
    pyproject.toml's ``[tool.course]`` repository, else the ``origin`` remote; None if unknown."""
    if repo:
        return github_repository(repo if "github.com" in repo else f"https://github.com/{repo}")
    try:
        from authoring.publish import published

        found = published()[0]
    except (ImportError, OSError, ValueError):
        found = None
    return found or github_repository()


def launch_links(lesson: Lesson, repo: str | None, branch: str = "main") -> dict[str, str]:
    """The links at the top of a lesson's page: ``{label: href}`` (downloads are site paths).

    Binder and Colab open the learners' notebook (``notebooks/``) of GitHub's ``repo`` and are
    left out when ``repo`` is None.
    """
    links = {}
    if repo:
        start = binder_url(f"https://github.com/{repo}")
        links["Launch on Binder"] = start.replace("00_start_here.ipynb", lesson.notebook)
        links["Open in Colab"] = colab_url(lesson.notebook, repo, branch)
    links["Download the notebook"] = f"notebooks/{lesson.notebook}"
    links["Download the solution"] = f"solutions/{lesson.notebook}"
    return links


def launch_bar(links: dict[str, str]) -> str:
    """The launch links as raw HTML (the theme's own launch menu is off: these are checked)."""
    anchors = "".join(
        f'<a href="{html.escape(href)}"'
        + (" download" if not href.startswith("https://") else "")
        + f">{html.escape(label)}</a>"
        for label, href in links.items()
    )
    return f'<nav class="course-launch" aria-label="Open this lesson">{anchors}</nav>'


def site_notebook(nb: nbformat.NotebookNode, links: dict[str, str]) -> nbformat.NotebookNode:
    """A solution notebook as its page shows it: the launch links under the title, every widget
    output replaced by :data:`WIDGET_NOTE`; script outputs, nbval's markers and the Colab setup
    cell dropped."""
    from course.setup.colab import CELL_ID

    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    cells = []
    for cell in nb.cells:
        if cell.get("id") == CELL_ID:
            continue  # (it installs the course on Colab; on a page it is noise)
        if cell.cell_type == "code":
            cell.source = re.sub(r"(?m)^# NBVAL_IGNORE_OUTPUT\n", "", cell.source)
            cell.outputs = [
                o for o in cell.outputs if "application/javascript" not in o.get("data", {})
            ]
            for output in cell.outputs:
                if WIDGET in output.get("data", {}):
                    output["data"] = {
                        "text/html": WIDGET_NOTE,
                        "text/plain": "Interactive explorer",
                    }
        cells.append(cell)
    bar = launch_bar(links)
    title = cells[0].source.split("\n", 1) if cells and cells[0].cell_type == "markdown" else []
    if title and title[0].startswith("# "):  # (right under the lesson's title)
        cells[0].source = f"{title[0]}\n\n{bar}\n\n{title[1] if len(title) > 1 else ''}"
    else:
        cells.insert(0, nbformat.v4.new_markdown_cell(bar))
    nb.cells = cells
    return nb


def course_map(repo: str | None, branch: str = "main") -> str:
    """``index.md``: what the course is, each lesson with its time and launch links."""
    intro = (
        "A one-day course: analyse the real open-source AI market, build a "
        "commercialization scoring model, train a TensorFlow credit-risk classifier, serve it "
        "as a small metered web API, and decide whether the business would work."
    )
    how = (
        "These pages are the complete lessons (the exercises solved) with their outputs. To do "
        "the exercises, open a lesson's notebook: on Binder or Colab from its page, or on your "
        "machine (`python3 kit.py lab` in a clone of the repository)."
    )
    lines = [
        f"# {TITLE}",
        "",
        intro,
        "",
        how,
        "",
        "| lesson | title | you will | time | open |",
        "|---|---|---|---|---|",
    ]
    for lesson in LESSONS:
        links = launch_links(lesson, repo, branch)
        title = f"(optional extension) {lesson.title}" if lesson.extension else lesson.title
        opens = " · ".join(
            f'<a href="{html.escape(h)}">{html.escape(label.split(" ")[-1])}</a>'
            for label, h in links.items()
            if h.startswith("https://")
        )
        lines.append(
            f"| {lesson.number} | [{title}]({lesson.notebook}) | {lesson.objective} | "
            f"{lesson.minutes} min | {opens or '–'} |"
        )
    lines += [
        "",
        (
            "Also here: the [glossary](glossary.md) (English and 中文) and, for teachers, "
            "the [instructor guide](instructors.md)."
        ),
        "",
    ]
    return "\n".join(lines)


def page_markdown(text: str, path: str, repo: str | None, branch: str = "main") -> str:
    """A repository Markdown page for the site: links to other pages in :data:`PAGES` point at
    their page; links to other repository files point at GitHub (or become plain text)."""
    folder = Path(path).parent

    def relink(match: re.Match) -> str:
        label, target = match[1], match[2]
        if re.match(r"^[a-z]+:|^#", target):
            return match[0]
        file, _, anchor = target.partition("#")
        resolved = (folder / file).as_posix()
        parts: list[str] = []
        for part in resolved.split("/"):
            if part == "..":
                parts.pop() if parts else None
            elif part not in ("", "."):
                parts.append(part)
        resolved = "/".join(parts)
        if resolved in SAME_PAGES:
            return f"[{label}]({SAME_PAGES[resolved]}.md{'#' + anchor if anchor else ''})"
        if repo:
            return f"[{label}](https://github.com/{repo}/blob/{branch}/{resolved})"
        return label

    return re.sub(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)\)", relink, text)


def slug_module(glossary: str) -> str:
    """A Sphinx extension whose ``slug`` gives each glossary term's heading the id the lessons
    link (``<a id="accuracy"></a>`` before ``### accuracy · 准确率``), other headings MyST's."""
    ids = {
        title.strip(): term
        for term, title in re.findall(r'<a id="([^"]+)"></a>\s*#+ ([^\n]+)', glossary)
    }
    return (
        f'"""Written by authoring.site: glossary headings keep their ids."""\n'
        "from myst_parser.mdit_to_docutils.base import default_slugify\n\n"
        f"IDS = {ids!r}\n\n\n"
        "def slug(title):\n    return IDS.get(title.strip()) or default_slugify(title)\n\n\n"
        "def setup(app):\n    return {'parallel_read_safe': True}\n"
    )


def sources(repo: str | None, branch: str = "main") -> dict[str, bytes]:
    """Every file of the book's source folder: ``{relative path: content}``."""
    files: dict[str, bytes] = {
        "_config.yml": CONFIG.format(title=json.dumps(TITLE), slugs=SLUGS).encode(),
        "_static/course.css": CSS.encode(),
        "index.md": course_map(repo, branch).encode(),
    }
    chapters = []
    for lesson in LESSONS:
        solution = SOLUTIONS / lesson.notebook
        links = launch_links(lesson, repo, branch)
        nb = site_notebook(nbformat.read(solution, as_version=4), links)
        files[lesson.notebook] = nbformat.writes(nb).encode()
        files[f"downloads/solutions/{lesson.notebook}"] = solution.read_bytes()
        files[f"downloads/notebooks/{lesson.notebook}"] = (NOTEBOOKS / lesson.notebook).read_bytes()
        chapters.append(Path(lesson.notebook).stem)
    for path, name in PAGES.items():
        text = (REPO_ROOT / path).read_text(encoding="utf-8")
        if name == "glossary":  # (each term's id becomes its heading's, which links resolve)
            files[f"_ext/{SLUGS}.py"] = slug_module(text).encode()
            text = re.sub(r'<a id="[^"]+"></a>\n+', "", text)
        files[f"{name}.md"] = page_markdown(text, path, repo, branch).encode()
    toc = ["format: jb-book", "root: index", "parts:", "  - caption: Lessons", "    chapters:"]
    toc += [f"      - file: {stem}" for stem in chapters]
    toc += [
        "  - caption: Reference",
        "    chapters:",
        "      - file: glossary",
        "  - caption: For instructors",
        "    chapters:",
        "      - file: instructors",
        "        sections:",
    ]
    toc += [f"          - file: {name}" for name in ("schedule", "hub", "kubernetes")]
    files["_toc.yml"] = ("\n".join(toc) + "\n").encode()
    return files


def write_sources(folder: Path, files: dict[str, bytes]) -> int:
    """Write ``files`` into ``folder``, leaving unchanged files untouched (Sphinx then rebuilds
    only what changed) and removing the ones no longer made; returns how many were written."""
    written = 0
    for name, content in files.items():
        path = folder / name
        if path.exists() and path.read_bytes() == content:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written += 1
    for path in sorted(folder.rglob("*"), reverse=True):
        relative = path.relative_to(folder).as_posix()
        if path.is_file() and not relative.startswith("_build/") and relative not in files:
            path.unlink()
    return written


def digest(files: dict[str, bytes]) -> str:
    """What a built site was made from: its sources, the builder's lock and this module."""
    total = hashlib.sha256(SITE_LOCK.read_bytes() + Path(__file__).read_bytes())
    for name in sorted(files):
        total.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return total.hexdigest()


def build(
    out: Path = SITE_DIR,
    *,
    repo: str | None = None,
    force: bool = False,
    log: Callable[[str], None] = print,
) -> Path:
    """Build the site into ``out`` (module docs) and return ``out / "index.html"``.

    Parameters
    ----------
    out
        The site's folder, replaced by the build (never a folder that holds anything else).
    repo
        The course's GitHub repository (URL or ``owner/name``) for the Binder and Colab links;
        default: :func:`repository`.
    force
        Build even when ``out`` was built from the same inputs.
    log
        Where progress lines go.
    """
    out = Path(out).resolve()
    owner_name = repository(repo)
    try:
        from authoring.publish import published

        branch = published()[1]
    except (ImportError, OSError, ValueError):
        branch = "main"
    files = sources(owner_name, branch)
    want = digest(files)
    stamp = out / STAMP
    if not force and stamp.exists() and stamp.read_text() == want:
        log(f"the site in {out} is up to date (index.html)")
        return out / "index.html"
    if out.exists() and not (stamp.exists() or not any(out.iterdir())):
        raise CourseError(f"{out} holds files that are not a built site: choose an empty folder")
    start = time.perf_counter()
    env = locked_environment("site", [SITE_LOCK], log=log)
    written = write_sources(SOURCE_DIR, files)
    log(f"building the site with Jupyter Book ({written} source files changed)")
    done = subprocess.run(
        [
            str(bin_folder(env) / "jupyter-book"),
            "build",
            str(SOURCE_DIR),
            "--path-output",
            str(SOURCE_DIR),
            "--builder",
            "html",
            "-W",
            "-n",
            "--keep-going",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise CourseError(
            f"Jupyter Book failed to build the site:\n{(done.stdout + done.stderr).strip()[-4000:]}"
        )
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(
        SOURCE_DIR / "_build" / "html",
        out,
        ignore=shutil.ignore_patterns(".buildinfo", ".doctrees"),
    )
    (out / ".nojekyll").write_text("")  # (GitHub Pages would hide _static/ otherwise)
    stamp.write_text(want)
    pages = len(site_pages(out))
    log(
        f"wrote the site to {out} ({pages} pages, {time.perf_counter() - start:.0f} s): open "
        f"{out / 'index.html'}; publish the folder on any static host (README, 'The course as a "
        "website')"
    )
    return out / "index.html"


def site_pages(out: Path = SITE_DIR) -> list[Path]:
    """The HTML pages of a built site (not Sphinx's static assets)."""
    return sorted(p for p in out.rglob("*.html") if not p.relative_to(out).parts[0].startswith("_"))
