"""The slide decks as an audience sees them, in Chromium (issue 28): every slide of every deck fits
the 1280 x 720 slide, no text or figure lies under the navigation arrows, and a glossary link lands
on its term without leaving the presentation.

The decks are built from the solution notebooks into a temporary folder (the pinned reveal.js from
``instructors/node_modules``; without it, the committed decks in ``instructors/slides`` are
measured) and opened offline from ``file://``. Every slide and sub-slide is visited with the
Reveal API and measured by this test's own script, independently of the deck's fitting script:
the slide's content height, every text line's and figure's box against the visible slide area and
against every arrow's box (shown or not) and the slide number.

Run: ``python -m pytest -m browser tests/test_decks_browser.py -p no:cacheprovider -o addopts=""``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from authoring import slides
from authoring.build import SOLUTIONS_DIR
from tests.browser_fixture import chromium_path, launch_chromium

pytest.importorskip("playwright", reason="playwright (requirements-test.lock) is not installed")

CHROMIUM = chromium_path()
LESSONS = [path.stem for path in sorted(SOLUTIONS_DIR.glob("[0-9][0-9]_*.ipynb"))]
#: A laptop's 16:9 screen (the slide at 96 %, the arrows largest relative to it) and a projector's.
VIEWPORTS = [{"width": 1280, "height": 720}, {"width": 1920, "height": 1080}]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="Chromium is not installed (/usr/bin/chromium; "
        "Debian: apt-get install chromium); the browser tests need it",
    ),
]

#: For each slide and sub-slide: its height, zoom, and what is cut off or under the controls.
MEASURE = r"""
() => {
  const config = Reveal.getConfig(), W = config.width, H = config.height, found = [];
  const controls = [...document.querySelectorAll('.reveal .controls button, .reveal .slide-number')]
    .map(el => el.getBoundingClientRect()).filter(r => r.width > 0 && r.height > 0);
  const hit = (a, b) =>
    a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top;
  const slides = Reveal.getHorizontalSlides();
  for (let h = 0; h < slides.length; h++) {
    const stack = slides[h].querySelectorAll(':scope > section');
    for (let v = 0; v < Math.max(stack.length, 1); v++) {
      Reveal.slide(h, v);
      const slide = Reveal.getCurrentSlide(), scale = Reveal.getScale();
      const area = document.querySelector('.reveal .slides').getBoundingClientRect();
      const boxes = [], walker = document.createTreeWalker(slide, NodeFilter.SHOW_TEXT);
      const range = document.createRange();
      for (let node; (node = walker.nextNode());) {
        if (!node.textContent.trim() ||
            node.parentElement.closest('aside, style, script')) continue;
        range.selectNodeContents(node);
        for (const r of range.getClientRects())
          boxes.push([r, node.textContent.trim().slice(0, 50)]);
      }
      for (const el of slide.querySelectorAll('img, svg, canvas'))
        boxes.push([el.getBoundingClientRect(),
                    `<${el.tagName.toLowerCase()} ${el.getAttribute('alt') || ''}`.slice(0, 50)]);
      const cut = [], under = [];
      for (const [r, what] of boxes) {
        if (!r.width || !r.height) continue;
        if (r.bottom > area.top + H * scale + 1 || r.right > area.left + W * scale + 1
            || r.top < area.top - 1 || r.left < area.left - 1) cut.push(what);
        if (controls.some(c => hit(r, c))) under.push(what);
      }
      found.push({where: `${h}.${v}`, height: slide.scrollHeight,
                  zoom: parseFloat(slide.getAttribute('data-course-zoom') || '1'),
                  text: (slide.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 60),
                  cut: [...new Set(cut)].slice(0, 3), under: [...new Set(under)].slice(0, 3)});
    }
  }
  return found;
}
"""


@pytest.fixture(scope="module")
def deck_folder(tmp_path_factory) -> Path:
    if not (slides.REVEAL_DIR / "package.json").exists():
        return slides.SLIDES_DIR
    out = tmp_path_factory.mktemp("decks")
    slides.build_decks(SOLUTIONS_DIR, out, slides.load_assets(), log=lambda line: None)
    return out


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright, CHROMIUM)
        try:
            yield chromium
        finally:
            chromium.close()


def open_deck(browser, path: Path, viewport: dict):
    context = browser.new_context(viewport=viewport)
    context.route(re.compile(r"^(https?|wss?):"), lambda route: route.abort())  # offline
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())
    page.wait_for_function("window.Reveal && Reveal.isReady()")
    return context, page, errors


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v['width']}x{v['height']}")
@pytest.mark.parametrize("lesson", LESSONS)
def test_every_slide_fits_and_clears_the_controls(browser, deck_folder, lesson, viewport):
    context, page, errors = open_deck(browser, deck_folder / f"{lesson}.html", viewport)
    try:
        found = page.evaluate(MEASURE)
    finally:
        context.close()
    height = max(s["height"] for s in found)
    assert len(found) == slides.count_slides((deck_folder / f"{lesson}.html").read_text())
    problems = [
        f"{s['where']} ({s['text']!r}): {s['height']} px"
        for s in found
        if s["height"] > slides.slide_layout.SLIDE_HEIGHT
    ]
    problems += [f"{s['where']}: cut off {s['cut']}" for s in found if s["cut"]]
    problems += [f"{s['where']}: under the controls {s['under']}" for s in found if s["under"]]
    problems += [
        f"{s['where']}: scaled to {s['zoom']:.2f} (< {slides.MIN_ZOOM})"
        for s in found
        if s["zoom"] < slides.MIN_ZOOM - 1e-3
    ]
    assert not errors, errors
    assert not problems, "\n".join(problems)
    zoomed = sorted(s["zoom"] for s in found if s["zoom"] < 1)
    print(  # the measurements, for the record (pytest -s)
        json.dumps(
            {
                "deck": lesson,
                "viewport": viewport,
                "slides": len(found),
                "max_height": height,
                "scaled": len(zoomed),
                "min_zoom": zoomed[0] if zoomed else 1.0,
            }
        )
    )


def test_a_glossary_link_opens_the_term_beside_the_deck(browser, deck_folder):
    path = deck_folder / "03_credit_risk_classifier.html"
    context, page, errors = open_deck(browser, path, VIEWPORTS[0])
    try:
        link = page.locator('a[href^="glossary.html#"]').first
        href = link.get_attribute("href")
        term = href.split("#", 1)[1]
        # Show the slide holding it, with all its fragments, as a presenter would.
        page.evaluate(
            """(href) => {
            const a = document.querySelector(`a[href="${href}"]`);
            const i = Reveal.getIndices(a.closest('section'));
            Reveal.slide(i.h, i.v, 999);
        }""",
            href,
        )
        with context.expect_page() as opened:
            link.click()
        glossary = opened.value
        glossary.wait_for_load_state()
        assert glossary.url == (deck_folder / "glossary.html").as_uri() + f"#{term}"
        target = glossary.evaluate(
            "() => { const t = document.querySelector(':target');"
            " return t && [t.id, t.getBoundingClientRect().top]; }"
        )
        assert target is not None and target[0] == term, target
        assert -1 <= target[1] < glossary.viewport_size["height"]  # scrolled to the term
        assert page.url.startswith(path.as_uri())  # the presentation stays where it was
        assert not errors, errors
    finally:
        context.close()
