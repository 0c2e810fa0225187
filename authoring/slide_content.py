"""What a deck shows besides the lesson's layout: no path of the machine that built it, and glossary
links that open the glossary beside the deck.

The solution notebooks are run by the build in a temporary folder (:mod:`authoring.execute`), so
their outputs name that folder, the course checkout and the data folder (lesson 00's ``course
doctor``, lesson 05's report files). :func:`scrub_paths` shows instead what a learner with the
default settings sees. The lessons link a term to ``glossary.md`` beside them (or, in the earlier
form, ``../instructors/glossary.md``), a file a deck in ``instructors/slides`` cannot reach:
:func:`link_glossary` points those links at :data:`GLOSSARY_PAGE`, written beside the decks by
:func:`glossary_page`, and opens them in a new tab so the presentation stays where it is.
"""

from __future__ import annotations

import re
from pathlib import Path

from course.config import REPO_ROOT

#: The glossary page written beside the decks; their glossary links open it.
GLOSSARY_PAGE = "glossary.html"

#: The per-run folder the build executes the lessons in (:mod:`authoring.execute`: a temporary
#: ``course-progress-*`` that holds the run's ``artifacts``).
_RUN_FOLDER = r"(?:/private)?(?:/tmp|/var/tmp|/var/folders/[^/\s]+/[^/\s]+/T)/course-[\w.-]+"
#: The start of an absolute path on the machine that built a deck: temporary, home and server
#: folders (a test checks that no deck shows one).
MACHINE_PATH = re.compile(
    r"(?<![\w.~/-])(?:/tmp|/var/tmp|/var/folders|/private/var|/work|/root|/home"
    r"|/Users)(?=/|(?![\w.-]))|[A-Za-z]:\\Users\\"
)


def _home_form(path: Path) -> str:
    """``path`` with the home folder written ``~``, as a learner reads their own default."""
    try:
        return "~/" + path.relative_to(Path.home()).as_posix()
    except ValueError:
        return path.as_posix()


def scrub_paths(text: str) -> str:
    """``text`` with the paths of the machine that ran the lessons replaced by what a learner with
    the default settings sees: the build's per-run folder by the default progress folder (its
    ``artifacts`` by the course's ``artifacts``), the data folder by the default cache, the course
    folder's paths relative to it, home folders by ``~``; any machine path left starts ``…``."""
    import platformdirs

    from course import config

    progress = _home_form(Path(platformdirs.user_data_dir(config.APP_NAME)))
    data = _home_form(Path(platformdirs.user_cache_dir(config.APP_NAME)) / "data")
    end = r"(?![\w.-])"
    for pattern, shown in (
        (_RUN_FOLDER + "/artifacts" + end, "artifacts"),
        (_RUN_FOLDER + end, progress),
        (re.escape(str(config.data_dir())) + end, data),
        (re.escape(str(REPO_ROOT)) + "/", ""),
        (re.escape(str(REPO_ROOT)) + end, "."),
        (r"(?<![\w.~/-])(?:/root|/home/[^/\s]+|/Users/[^/\s]+)" + end, "~"),
        (r"[A-Za-z]:\\Users\\[^\\\s]+", "~"),
    ):
        text = re.sub(pattern, lambda _match, shown=shown: shown, text)
    return MACHINE_PATH.sub("…", text)


def scrub_outputs(cell) -> None:
    """A code cell's text outputs passed through :func:`scrub_paths`, in place."""
    for output in cell.get("outputs", []):
        if isinstance(output.get("text"), str):
            output["text"] = scrub_paths(output["text"])
        for key, value in output.get("data", {}).items():
            if isinstance(value, str) and key.startswith("text/"):
                output["data"][key] = scrub_paths(value)


# -- glossary --------------------------------------------------------------------------------------

#: A lesson's link to a glossary term: to the copy beside the lesson, or to ``instructors/``.
_GLOSSARY_LINK = re.compile(r'<a href="(?:\.\./instructors/)?glossary\.md#([A-Za-z0-9_-]+)"')


def link_glossary(html: str) -> str:
    """The deck's glossary links pointed at :data:`GLOSSARY_PAGE` beside it, opening in a new tab
    (the lessons' ``glossary.md`` links would leave the deck for a missing file)."""
    return _GLOSSARY_LINK.sub(rf'<a href="{GLOSSARY_PAGE}#\1" target="_blank" rel="noopener"', html)


def glossary_page() -> str:
    """The glossary as one offline HTML page, each term's anchor the browser's target."""
    import mistune

    from authoring import glossary

    body = mistune.html(glossary.render(glossary.load()))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<meta name="generator" content="python -m authoring instructors build, \
from instructors/glossary.yaml" />
<title>Glossary · 术语表</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 52em; margin: 2em auto; padding: 0 1em;
       line-height: 1.5; color: #222; }}
h3 {{ margin-top: 1.6em; scroll-margin-top: 1em; }}
p:has(> a:target) + h3 {{ background: #fff3bf; outline: 0.3em solid #fff3bf; }}
</style>
</head>
<body>
{body}
</body>
</html>
"""
