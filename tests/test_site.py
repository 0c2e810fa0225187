"""The course as a website (issue 30): ``python -m authoring site build``, then every page in
Chromium.

The first tests read the site's sources as the build makes them (no Jupyter Book needed). The
one marked ``site`` (and ``browser``) builds the site with Jupyter Book in its own environment
(``requirements-site.lock``, cached per lock digest like nbgrader's; the build itself is cached
by its inputs' digest), serves it from 127.0.0.1, and opens every page in Debian's Chromium with
every request to another host blocked and recorded: no failed request, no request to the
network, every local link and image resolves (a link's ``#id`` included), no serious or
critical axe-core finding in the page's content, and a lesson's glossary link lands on its term.

Run: ``python -m pytest -m site tests/test_site.py -p no:cacheprovider -o addopts=""``.
"""

from __future__ import annotations

import ast
import functools
import http.server
import os
import re
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlparse

import nbformat
import pytest

from authoring import site
from course.config import REPO_ROOT
from course.errors import CourseError
from course.lessons import LESSONS
from course.setup.pins import LOCK, SITE_LOCK, SITE_REQUIREMENT, read_lock
from tests.browser_fixture import chromium_path, launch_chromium

CHROMIUM = chromium_path()
REPO = "example/course"  # (any GitHub repository: the launch links are checked, never opened)
#: The site the browser test opens (git-ignored; rebuilt only when its inputs change).
TEST_SITE = REPO_ROOT / "build" / "site-test"
#: axe-core's scope: the page's own content, not the theme's navigation.
AXE_CONTEXT = {"include": ["main"]}
AXE_IMPACTS = ("serious", "critical")
IMAGES = "els => els.map(e => [e.currentSrc || e.src, e.complete && e.naturalWidth > 0])"
HREFS = "els => els.map(e => e.getAttribute('href'))"
#: Whether the element with this id is in the upper half of the window, and its heading's text.
LANDED = """(id) => {
  const el = document.getElementById(id), top = el.getBoundingClientRect().top;
  return [top >= -1 && top < window.innerHeight / 2, el.querySelector('h3, h2').textContent];
}"""


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return site.sources(REPO)


def test_every_lesson_glossary_instructor_page_and_download_is_in_the_site(files):
    for lesson in LESSONS:
        assert lesson.notebook in files
        assert f"file: {Path(lesson.notebook).stem}" in files["_toc.yml"].decode()
        for folder in ("notebooks", "solutions"):
            assert (
                files[f"downloads/{folder}/{lesson.notebook}"]
                == (REPO_ROOT / folder / lesson.notebook).read_bytes()
            )
    for name in ("index", "glossary", "instructors", "schedule", "hub", "kubernetes"):
        assert f"{name}.md" in files
    assert 'execute_notebooks: "off"' in files["_config.yml"].decode()  # (stored outputs only)


def test_a_lesson_page_keeps_every_figure_and_shows_widgets_as_a_note(files):
    for lesson in LESSONS:
        solution = nbformat.read(REPO_ROOT / "solutions" / lesson.notebook, 4)
        page = nbformat.reads(files[lesson.notebook].decode(), 4)
        shown = [o for c in page.cells for o in c.get("outputs", [])]
        alts = re.findall(r'<img alt="([^"]+)"', str(solution))
        assert re.findall(r'<img alt="([^"]+)"', str(page)) == alts, lesson.notebook
        assert not any(
            site.WIDGET in o.get("data", {}) or "application/javascript" in o.get("data", {})
            for o in shown
        ), lesson.notebook
        widgets = sum(
            site.WIDGET in o.get("data", {}) for c in solution.cells for o in c.get("outputs", [])
        )
        assert sum(site.WIDGET_NOTE in str(o) for o in shown) == widgets, lesson.notebook
        launch = page.cells[0].source
        assert launch.startswith("# ") and 'class="course-launch"' in launch.split("\n")[2]
        for href in site.launch_links(lesson, REPO).values():
            assert f'href="{href}"' in launch, (lesson.notebook, href)
    notes = [
        o
        for n in LESSONS
        for c in nbformat.reads(files[n.notebook].decode(), 4).cells
        for o in c.get("outputs", [])
        if site.WIDGET_NOTE in str(o)
    ]
    assert len(notes) >= 2  # (lessons 01 and 02's explorers)


def test_launch_links_open_the_learners_notebook_on_binder_and_colab():
    lesson = LESSONS[3]
    links = site.launch_links(lesson, REPO, "main")
    assert links["Launch on Binder"] == (
        "https://mybinder.org/v2/gh/example/course/HEAD?urlpath="
        f"lab/tree/notebooks/{lesson.notebook}"
    )
    assert links["Open in Colab"] == (
        "https://colab.research.google.com/github/example/course/"
        f"blob/main/notebooks/{lesson.notebook}"
    )
    assert site.repository("https://github.com/example/course.git") == REPO
    unknown = site.launch_links(lesson, None)
    assert set(unknown) == {"Download the notebook", "Download the solution"}


def test_repository_links_become_site_pages_or_github_links():
    text = (
        "[s](schedule.md) [g](glossary.md#api) [h](../classroom/hub/README.md) "
        "[x](budget.json) [w](https://example.org) [a](#binder)"
    )
    shown = site.page_markdown(text, "instructors/README.md", REPO)
    assert shown == (
        "[s](schedule.md) [g](glossary.md#api) [h](hub.md) "
        "[x](https://github.com/example/course/blob/main/instructors/budget.json) "
        "[w](https://example.org) [a](#binder)"
    )
    assert "[x]" not in site.page_markdown(text, "instructors/README.md", None)


def test_every_glossary_term_keeps_its_id(files):
    """The lessons link ``glossary.md#id``: each glossary heading gets that id in the site."""
    glossary = (REPO_ROOT / "solutions" / "glossary.md").read_text(encoding="utf-8")
    ids = re.findall(r'<a id="([^"]+)"></a>', glossary)
    module = files[f"_ext/{site.SLUGS}.py"].decode()
    line = next(line for line in module.splitlines() if line.startswith("IDS = "))
    assert sorted(ast.literal_eval(line[6:]).values()) == sorted(ids) and len(ids) > 50
    linked = {
        m for n in LESSONS for m in re.findall(r"glossary\.md#([\w-]+)", files[n.notebook].decode())
    }
    assert linked and linked <= set(ids)


def test_the_site_builder_is_pinned_alone_and_never_in_the_learners_environment():
    """Jupyter Book 1 needs markdown-it-py<4 (the learners' lock has 4.x): its own lock, installed
    only in its own environment; no learners' install path names it."""
    import kit

    pins = {p.name: p.version for p in read_lock(SITE_LOCK)}
    assert pins["jupyter-book"].startswith("1.") and "tensorflow" not in pins
    assert not {"jupyter-book", "sphinx", "myst-nb"} & {p.name for p in read_lock(LOCK)}
    assert kit.SITE_LOCK == SITE_LOCK and kit.SITE_REQUIREMENT == SITE_REQUIREMENT
    assert all(SITE_LOCK not in kit.extra_locks(t, h) for t in (0, 1) for h in (0, 1))
    for path in ("environment.yml", "binder/environment.yml", "binder/postBuild"):
        assert "jupyter-book" not in (REPO_ROOT / path).read_text(), path
    assert (
        "site"
        not in __import__("tomllib").loads((REPO_ROOT / "pyproject.toml").read_text())["project"][
            "optional-dependencies"
        ]
    )


# --- the built site in Chromium ----------------------------------------------------------------


@pytest.fixture(scope="module")
def built() -> Path:
    """The site, built (or found up to date) for :data:`REPO`; skips offline without its
    environment (in CI, where the index is reachable, fails)."""
    try:
        start = time.perf_counter()
        index = site.build(TEST_SITE, repo=REPO, log=lambda *_: None)
        print(f"\nsite build (or cache check): {time.perf_counter() - start:.1f} s")
    except CourseError as error:
        if "pip could not install" not in str(error) or os.environ.get("CI"):
            raise
        pytest.skip(str(error))
    return index.parent


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def served(built):
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(built))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


def local_target(root: Path, base: str, page_url: str, href: str) -> tuple[Path, str] | None:
    """The file (and ``#id``) a local link points at, or None for another site's link."""
    url, fragment = urldefrag(urljoin(page_url, href))
    if not url.startswith(base):
        return None
    path = root / unquote(url[len(base) :])
    return (path / "index.html" if path.is_dir() else path), fragment


@pytest.mark.site
@pytest.mark.browser
@pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (/usr/bin/chromium; "
    "Debian: apt-get install chromium); the browser tests need it",
)
def test_every_page_opens_offline_with_no_broken_link_image_or_serious_axe_finding(built, served):
    pytest.importorskip("axe_playwright_python", reason="axe-playwright-python is not installed")
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    start = time.perf_counter()
    pages = site.site_pages(built)
    assert len(pages) >= len(LESSONS) + 6, pages
    network, failed, problems, ids = [], [], [], {}
    counted = {"local links": 0, "images": 0}
    axe_running = []  # (axe-core fetches @import-ed style sheets itself, from the wrong base)

    def route(request_route) -> None:
        url = request_route.request.url
        if url.startswith("data:") or urlparse(url).hostname in ("127.0.0.1", "localhost"):
            request_route.continue_()
        else:
            network.append(url)
            request_route.abort()

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, CHROMIUM)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.route("**/*", route)
        page = context.new_page()
        page.on("requestfailed", lambda r: axe_running or failed.append(f"{r.url}: {r.failure}"))
        page.on(
            "response",
            lambda r: r.status >= 400 and not axe_running and failed.append(f"{r.url}: {r.status}"),
        )
        axe = Axe()
        for path in pages:
            name = path.relative_to(built).as_posix()
            url = served + name
            page.goto(url, wait_until="networkidle")
            ids[path] = set(page.eval_on_selector_all("[id]", "els => els.map(e => e.id)"))
            images = page.eval_on_selector_all("img", IMAGES)
            problems += [f"{name}: image {src[:80]} did not load" for src, ok in images if not ok]
            counted["images"] += len(images)
            for href in page.eval_on_selector_all("a[href]", HREFS):
                target = local_target(built, served, url, href)
                counted["local links"] += target is not None
                if target and not target[0].is_file():
                    problems.append(f"{name}: link {href} -> missing {target[0]}")
                elif target and target[1] and target[0].suffix == ".html":
                    page_ids = ids.get(target[0]) or set(
                        re.findall(r'\bid="([^"]+)"', target[0].read_text(encoding="utf-8"))
                    )
                    if target[1] not in page_ids:
                        problems.append(f"{name}: link {href} -> no #{target[1]} there")
            axe_running.append(name)
            results = axe.run(page, context=AXE_CONTEXT, options={"resultTypes": ["violations"]})
            axe_running.clear()
            problems += [
                f"{name}: axe {v['id']} ({v['impact']}) x{len(v['nodes'])}: "
                f"{v['nodes'][0]['html'][:150]}"
                for v in results.response["violations"]
                if v.get("impact") in AXE_IMPACTS
            ]
        # A lesson's glossary link lands on its term, in view.
        page.goto(served + "01_market_analysis.html", wait_until="networkidle")
        link = page.locator('main a[href^="glossary.html#"]').first
        term = link.get_attribute("href").split("#", 1)[1]
        link.click()
        page.wait_for_url(f"**/glossary.html#{term}")
        landed = page.evaluate(LANDED, term)
        assert landed[0], f"glossary link #{term} is not in view after the click"
        assert term.split("-")[0] in landed[1].lower(), landed
        # An explorer shows the note, never a broken widget view.
        page.goto(served + "02_scoring_model.html", wait_until="networkidle")
        assert page.locator("main .admonition:has-text('Interactive explorer')").count() >= 1
        assert page.locator("main :text('VBox(')").count() == 0
        browser.close()
    problems += [f"request to the network: {url}" for url in network]
    problems += [f"failed request: {failure}" for failure in failed]
    assert problems == [], "\n".join(problems[:40])
    assert counted["images"] >= 20 and counted["local links"] >= 100, counted  # (checks that ran)
    print(
        f"\n{len(pages)} pages checked in Chromium in {time.perf_counter() - start:.0f} s: "
        f"{counted['local links']} local links, {counted['images']} images"
    )
