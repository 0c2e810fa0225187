"""One reveal.js deck per lesson, from the SOLUTION notebook (outputs shown), opening offline.

Slide types come from the lesson's structure (:func:`slide_metadata`, applied to a copy: the
notebooks are never edited): the title, then the Questions/Objectives table, each ``##`` heading,
each exercise and the key points start a slide; other cells follow as fragments while they fit on
the slide, and as a sub-slide when they do not; a cell too tall for one slide is cut into several
(:mod:`authoring.slide_layout`); hint cells, set-up imports and the "stuck?" notes are skipped.
In the browser, :data:`FIT_SCRIPT` scales a slide still a little too tall to fit and keeps text
clear of the navigation arrows. Paths of the machine that ran the lessons are replaced by what a
learner sees, and glossary links open ``glossary.html`` beside the decks in a new tab, so the
presentation stays where it is (:mod:`authoring.slide_content`).

reveal.js itself comes from the npm package pinned by ``instructors/package-lock.json`` (installed
with ``npm ci`` into ``instructors/node_modules``) and is inlined into every deck, with no jQuery,
require.js, MathJax, Mermaid or widget scripts (nbconvert's defaults load those from CDNs): each
deck is one self-contained HTML file that opens from a USB stick with no network.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import nbformat

from authoring import slide_layout
from authoring.slide_content import (
    GLOSSARY_PAGE,
    glossary_page,
    link_glossary,
    scrub_outputs,
)
from course.config import REPO_ROOT
from course.errors import CourseError

INSTRUCTORS_DIR = REPO_ROOT / "instructors"
SLIDES_DIR = INSTRUCTORS_DIR / "slides"
REVEAL_DIR = INSTRUCTORS_DIR / "node_modules" / "reveal.js"
REVEAL_FILES = {
    "css": "dist/reveal.css",
    "theme": "dist/theme/white.css",
    "js": "dist/reveal.js",
    "notes": "plugin/notes/notes.js",
}

#: The smallest scale :data:`FIT_SCRIPT` may give a slide (text stays readable).
MIN_ZOOM = 0.7
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@dataclass(frozen=True)
class RevealAssets:
    """The text of the reveal.js files a deck inlines, and the version they came from."""

    version: str
    css: str
    theme: str
    js: str
    notes: str


def ensure_reveal(folder: Path = INSTRUCTORS_DIR, run=subprocess.run) -> Path:
    """``npm ci`` in ``folder`` when reveal.js is missing or not the locked version; its path."""
    lock = json.loads((folder / "package-lock.json").read_text())
    want = lock["packages"]["node_modules/reveal.js"]["version"]
    installed = folder / "node_modules" / "reveal.js" / "package.json"
    if installed.exists() and json.loads(installed.read_text())["version"] == want:
        return installed.parent
    if shutil.which("npm") is None:
        raise CourseError(
            "The slides need reveal.js from npm, and npm is not installed: install "
            "Node.js (Debian: `apt-get install npm`), then run the command again."
        )
    run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=folder, check=True)
    return installed.parent


def load_assets(reveal: Path = REVEAL_DIR) -> RevealAssets:
    """Read the files to inline. Fonts imported by the theme are dropped (the system sans-serif
    is used), so nothing refers to a file outside the deck."""
    text = {key: (reveal / path).read_text(encoding="utf-8") for key, path in REVEAL_FILES.items()}
    text["theme"] = re.sub(r"@import url\([^)]*\);", "", text["theme"])
    version = json.loads((reveal / "package.json").read_text())["version"]
    return RevealAssets(version, **text)


def _script(js: str) -> str:
    """JavaScript safe inside an inline <script> element."""
    return re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE)


# -- slide types from the lesson's structure -------------------------------------------------------


def _first_line(cell) -> str:
    return cell.source.lstrip().split("\n", 1)[0]


def _is_hint_cell(cell) -> bool:
    lines = [line for line in cell.source.splitlines() if line.strip()]
    return bool(lines) and all(line.lstrip().startswith("#") for line in lines)


def _is_setup(cell) -> bool:
    """An imports-only cell without output, or the Colab/Kaggle setup cell: set-up, not teaching."""
    from course.setup.colab import CELL_ID

    if cell.get("id") == CELL_ID:
        return True
    lines = [line for line in cell.source.splitlines() if line.strip()]
    return (
        not cell.get("outputs")
        and bool(lines)
        and all(
            re.match(r"\s*(import |from \S+ import |pd\.set_option|\)|\w+,|#)", line)
            for line in lines
        )
    )


def slide_kind(cell) -> str:
    """The structural role of one cell: title, objectives, section, exercise, key_points, skip
    or body."""
    first = _first_line(cell)
    if cell.cell_type == "markdown":
        if first.startswith("# "):
            return "title"
        if first.startswith("## Key points"):
            return "key_points"
        if first.startswith("## "):
            return "section"
        if re.match(r"#{2,3} Exercise", first) or re.search(r"^### Exercise", cell.source, re.M):
            return "exercise"
        if first.startswith("### "):
            return "section"
        if first.startswith("Stuck?"):
            return "skip"
        return "body"
    if _is_hint_cell(cell) or _is_setup(cell) or not cell.source.strip():
        return "skip"
    return "body"


def _split_title(cell) -> list:
    """The title cell as two: the title and its introduction, then the Questions/Objectives table
    under its own heading."""
    source = cell.source
    table = source.find("\n|")
    if table < 0:
        return [cell]
    cell_id = cell.get("id", "title")
    intro = nbformat.v4.new_markdown_cell(source[:table].rstrip(), id=cell_id)
    objectives = nbformat.v4.new_markdown_cell(
        "## Questions and objectives\n\n" + source[table:].strip(), id=f"{cell_id}-objectives"
    )
    objectives.metadata["course_slide"] = "objectives"
    return [intro, objectives]


def slide_metadata(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``notebook`` with every cell's ``slideshow.slide_type`` set from its structure.

    Also on the copy only: widget outputs (which need a kernel) show their text, notebook widget
    state is dropped so no widget script is loaded, the build machine's paths are replaced
    (:func:`~authoring.slide_content.scrub_paths`), and a cell taller than a slide is cut into
    several (:func:`authoring.slide_layout.split_cell`): the first keeps the cell's role, the
    others follow as fragments or sub-slides.
    """
    nb = copy.deepcopy(notebook)
    nb.metadata.pop("widgets", None)
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if WIDGET_VIEW in data:
                    output["data"] = {"text/plain": data.get("text/plain", "")}
            scrub_outputs(cell)
        if cell.cell_type == "markdown" and slide_kind(cell) == "title":
            cells.extend(_split_title(cell))
        else:
            cells.append(cell)
    pieces = []
    for cell in cells:
        kind = cell.metadata.get("course_slide") or slide_kind(cell)
        parts = [cell] if kind == "skip" else slide_layout.split_cell(cell)
        pieces += [(part, kind if index == 0 else "body") for index, part in enumerate(parts)]
    used = slide_layout.BUDGET  # no slide open yet
    for cell, kind in pieces:
        size = slide_layout.cell_height(cell)
        if kind == "skip":
            slide_type = "skip"
        elif kind in ("title", "objectives", "section", "exercise", "key_points"):
            slide_type, used = "slide", size
        elif used + size > slide_layout.BUDGET:
            slide_type, used = "subslide", size
        else:
            slide_type, used = "fragment", used + size
        cell.metadata["slideshow"] = {"slide_type": slide_type}
        if kind != "body":
            cell.metadata["course_slide"] = kind
    nb.cells = [cell for cell, _ in pieces]
    return nb


# -- export ----------------------------------------------------------------------------------------

#: Run on every slide shown (and on a resize): a slide whose content is still taller or wider than
#: the slide is scaled (CSS zoom on its cells, which then reflow to the full width) to fit, never
#: below ``MIN_ZOOM``; when any text or figure would lie under the navigation arrows or the slide
#: number (all arrows count, shown or not, so nothing moves as a fragment appears), the slide
#: keeps the strip below them free and is fitted again. ``data-course-zoom`` records the scale.
FIT_SCRIPT = """
(function () {
  "use strict";
  var GAP = 8, MIN_ZOOM = %(min_zoom)s;
  function controlsBox() {
    var boxes = Array.prototype.map.call(
      document.querySelectorAll(".reveal .controls button, .reveal .slide-number"),
      function (el) { return el.getBoundingClientRect(); }
    ).filter(function (r) { return r.width > 0 && r.height > 0; });
    if (!boxes.length) { return null; }
    return {left: Math.min.apply(null, boxes.map(function (r) { return r.left; })) - GAP,
            top: Math.min.apply(null, boxes.map(function (r) { return r.top; })) - GAP};
  }
  function contentBoxes(slide) {
    var walker = document.createTreeWalker(slide, NodeFilter.SHOW_TEXT), \
range = document.createRange();
    var rects = [], node;
    while ((node = walker.nextNode())) {
      if (!node.textContent.trim() || node.parentElement.closest("aside, style, script")) { \
continue; }
      range.selectNodeContents(node);
      rects.push.apply(rects, Array.prototype.slice.call(range.getClientRects()));
    }
    slide.querySelectorAll("img, svg, canvas").forEach(function (el) { \
rects.push(el.getBoundingClientRect()); });
    return rects.filter(function (r) { return r.width > 0 && r.height > 0; });
  }
  function underControls(slide, box) {
    return contentBoxes(slide).some(function (r) { \
return r.right > box.left && r.bottom > box.top; });
  }
  function setZoom(slide, zoom) {
    Array.prototype.forEach.call(slide.children, function (el) {
      if (el.tagName !== "ASIDE") { el.style.zoom = zoom < 1 ? String(zoom) : ""; }
    });
    slide.setAttribute("data-course-zoom", zoom.toFixed(3));
  }
  function fits(slide, height) {
    if (slide.scrollHeight > height) { return false; }
    var area = document.querySelector(".reveal .slides").getBoundingClientRect();
    var right = area.left + Reveal.getConfig().width * Reveal.getScale() + 1;
    return !contentBoxes(slide).some(function (r) { return r.right > right; });
  }
  function shrink(slide, height) {
    setZoom(slide, 1);
    if (fits(slide, height)) { return; }
    var low = MIN_ZOOM, high = 1;
    for (var i = 0; i < 8; i++) {
      var mid = (low + high) / 2;
      setZoom(slide, mid);
      if (fits(slide, height)) { low = mid; } else { high = mid; }
    }
    setZoom(slide, low);
  }
  function fit() {
    var slide = Reveal.getCurrentSlide(), height = Reveal.getConfig().height;
    if (!slide || Reveal.isPrintView && Reveal.isPrintView()) { return; }
    slide.style.paddingBottom = "";
    shrink(slide, height);
    Reveal.layout();
    var box = controlsBox();
    if (box && underControls(slide, box)) {
      var area = document.querySelector(".reveal .slides").getBoundingClientRect();
      var free = (box.top - area.top) / Reveal.getScale();
      slide.style.paddingBottom = Math.max(0, Math.ceil(height - free)) + "px";
      shrink(slide, height);
      Reveal.layout();
    }
  }
  Reveal.on("ready", fit);
  Reveal.on("slidechanged", fit);
  Reveal.on("resize", fit);
})();
"""

_TEMPLATE = (
    r"""
{%- extends 'reveal/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block header -%}
<!DOCTYPE html>
<html lang="{{ resources.language_code }}">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<meta name="generator" content="python -m authoring instructors build; reveal.js """
    r"""{{ resources.course.version }}, inlined" />
<title>{{ resources.course.title | escape_html_keep_quotes }}</title>
<style type="text/css">{{ resources.course.css }}</style>
<style type="text/css">{{ resources.course.theme }}</style>
{% for css in resources.inlining.css -%}<style type="text/css">{{ css }}</style>{% endfor %}
{{ resources.include_css("static/index.css") }}
{{ resources.include_css("static/theme-light.css") }}
<style type="text/css">
a.anchor-link { display: none; }
.highlight { margin: 0.4em; }
.jp-Notebook { padding: 0; }
.reveal .slides { text-align: left; }
.reveal table { font-size: 0.8em; }
:root { --jp-ui-font-size1: 20px; --jp-content-font-size1: 20px; --jp-code-font-size: 17px;
        --jp-cell-prompt-width: 0px; }
.jp-InputPrompt, .jp-OutputPrompt { display: none; }
.reveal .jp-OutputArea-output img { max-width: 100%; height: auto; }
</style>
{{ resources.include_css("static/custom_reveal.css") }}
</head>
{%- endblock header -%}
{% block footer_js %}
<script>{{ resources.course.js }}</script>
<script>{{ resources.course.notes }}</script>
<script>
{{ resources.course.fit }}
Reveal.initialize({controls: true, progress: true, history: true, slideNumber: "c/t",
                   transition: "none", width: {{ resources.course.width }},
                   height: {{ resources.course.height }}, plugins: [RevealNotes]});
</script>
{% endblock footer_js %}
"""
)


def export_deck(notebook: nbformat.NotebookNode, title: str, assets: RevealAssets) -> str:
    """The deck of one solution notebook as one self-contained HTML page."""
    from jinja2 import DictLoader
    from nbconvert import SlidesExporter

    exporter = SlidesExporter(
        extra_loaders=[DictLoader({"course_deck.html.j2": _TEMPLATE})],
        template_file="course_deck.html.j2",
        exclude_anchor_links=True,
    )
    resources = {
        "course": {
            "version": assets.version,
            "title": title,
            "css": assets.css,
            "theme": assets.theme,
            "js": _script(assets.js),
            "notes": _script(assets.notes),
            "fit": _script(FIT_SCRIPT % {"min_zoom": MIN_ZOOM}),
            "width": slide_layout.SLIDE_WIDTH,
            "height": slide_layout.SLIDE_HEIGHT,
        }
    }
    html, _ = exporter.from_notebook_node(slide_metadata(notebook), resources=resources)
    return link_glossary(html)


def build_decks(solutions: Path, out: Path, assets: RevealAssets, log=print) -> dict[str, Path]:
    """One deck per solution notebook, ``NN_name.html`` in ``out``, and the glossary page their
    glossary links open (:data:`GLOSSARY_PAGE`)."""
    from course.lessons import LESSONS

    titles = {lesson.notebook: f"{lesson.number} · {lesson.title}" for lesson in LESSONS}
    out.mkdir(parents=True, exist_ok=True)
    (out / GLOSSARY_PAGE).write_text(glossary_page(), encoding="utf-8")
    written = {}
    for path in sorted(solutions.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        html = export_deck(nb, titles.get(path.name, path.stem), assets)
        target = out / f"{path.stem}.html"
        target.write_text(html, encoding="utf-8")
        written[path.name] = target
        shown = target.relative_to(out.parent) if out.parent in target.parents else target
        log(f"  slides  {shown}  ({count_slides(html)} slides)")
    return written


def count_slides(html: str) -> int:
    """Top-level and sub-slides of a deck (each <section> that holds no other section)."""
    return len(re.findall(r"<section(?![^>]*>\s*<section)[^>]*>", html))
