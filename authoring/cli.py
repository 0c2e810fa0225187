"""The course authors' command line: ``python -m authoring build | floats | glossary |
instructors | site | budget | test-paths | binder-check | colab-url | colab-lock``.

Run from a checkout, in the course's environment (``python kit.py setup`` makes it); ``python
kit.py`` forwards its maintainer commands here. Each subcommand is declared on its handler
(:mod:`course.commands`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from course.commands import CommandLine, argument

cli = CommandLine(
    "python -m authoring",
    "The course authors' tools: build the lessons, measure, check and publish.",
)


@cli.command(
    "build",
    "generate notebooks/ from solutions/ and execute both",
    argument("--check", action="store_true", help="only check notebooks/ is up to date"),
    argument("--no-execute", action="store_true", help="write sources without running"),
    argument("--only", help="only notebooks whose file name contains this text"),
    argument(
        "--solutions-json",
        action="store_true",
        help="only rewrite course/exercises/solutions.json (what solution() shows) "
        "from the regions in solutions/; executes nothing",
    ),
)
def build(args: argparse.Namespace) -> int:
    from authoring import build

    try:
        if args.check:
            problems = build.check()
            for problem in problems:
                print(f"  {problem}")
            print(
                "build check: "
                + (
                    f"{len(problems)} problem(s)"
                    if problems
                    else "notebooks/ "
                    "and the exercises' solutions.json are up to date with "
                    "solutions/"
                )
            )
            return 1 if problems else 0
        if args.solutions_json:
            changed = build.write_solutions()
            print(
                f"{'wrote' if changed else 'unchanged:'} {build.SOLUTIONS_FILE} (what each "
                "exercise's solution() shows, from the regions in solutions/)"
            )
            return 0
        build.build(execute=not args.no_execute, only=args.only)
    except build.BuildError as error:
        print(f"build failed: {error}")
        return 1
    return 0


@cli.command(
    "floats",
    "list every decimal number printed in stored outputs",
    argument("--write", action="store_true", help="refresh tests/stored_floats.txt"),
)
def floats(args: argparse.Namespace) -> int:
    from authoring import floats

    entries = floats.inventory()
    if args.write:
        floats.INVENTORY_FILE.write_text(floats.render(entries))
        print(f"wrote {len(entries)} cells to {floats.INVENTORY_FILE}")
    else:
        print(floats.render(entries), end="")
    noisy = floats.noise(entries)
    for problem in noisy:
        print(f"  float noise printed as a result: {problem}", file=sys.stderr)
    return 1 if noisy else 0


@cli.command(
    "glossary",
    "link each glossary term where a lesson first uses it",
    argument("action", choices=["link"]),
    argument(
        "--write",
        action="store_true",
        help="save the links in solutions/ and notebooks/ (default: only list them)",
    ),
)
def glossary(args: argparse.Namespace) -> int:
    from authoring import glossary
    from authoring.build import NOTEBOOKS_DIR, SOLUTIONS_DIR

    changes = glossary.apply([SOLUTIONS_DIR, NOTEBOOKS_DIR], write=args.write)
    verb = "made" if args.write else "to make (add --write to save them)"
    print(f"{len(changes)} glossary links {verb}")
    usage = glossary.usage(SOLUTIONS_DIR)
    for problem in usage.broken:
        print(f"  link to a missing term: {problem}", file=sys.stderr)
    return 1 if usage.broken else 0


@cli.command(
    "instructors",
    "the instructor kit: schedule, glossary, slides, offline kit, nbgrader course",
    argument("action", choices=["build", "offline-kit", "nbgrader"]),
    argument(
        "dir",
        nargs="?",
        help="offline-kit: the folder to fill (a USB stick); "
        "nbgrader: the nbgrader course folder to write",
    ),
    argument(
        "--measure",
        action="store_true",
        help="build: first run every notebook and refresh instructors/budget.json",
    ),
    argument("--no-slides", action="store_true", help="build: skip the slide decks"),
    argument(
        "--check",
        action="store_true",
        help="build: only check the schedule and glossary are current",
    ),
    argument(
        "--force",
        action="store_true",
        help="nbgrader: rewrite the config and source notebooks of an existing folder",
    ),
    argument(
        "--no-download",
        action="store_true",
        help="offline-kit: download nothing; the wheels already in DIR must serve "
        "every target (refreshes the data, course.zip and README)",
    ),
    argument(
        "--python",
        action="append",
        metavar="X.Y",
        help="offline-kit: a Python to serve (repeat; default 3.11, 3.12 and 3.13)",
    ),
    argument(
        "--platform",
        action="append",
        metavar="NAME",
        help="offline-kit: a kind of learner machine to serve (repeat): "
        "linux-x86_64, linux-aarch64, macos-arm64, windows-amd64, or all "
        "(default: this machine's)",
    ),
)
def instructors(args: argparse.Namespace) -> int:
    from authoring import instructors

    if args.action == "nbgrader":
        from authoring.nbgrader_export import export

        if not args.dir:
            print("Say where: `python -m authoring instructors nbgrader DIR`.", file=sys.stderr)
            return 2
        export(Path(args.dir), force=args.force)
        return 0
    if args.action == "offline-kit":
        from authoring.offline_kit import offline_kit

        if not args.dir:
            print("Say where: `python -m authoring instructors offline-kit DIR`.", file=sys.stderr)
            return 2
        offline_kit(
            Path(args.dir),
            download_wheels=not args.no_download,
            pythons=args.python,
            platforms=args.platform,
        )
        return 0
    if args.check:
        problems = instructors.check()
        for problem in problems:
            print(f"  {problem}")
        print("instructors check: " + (f"{len(problems)} problem(s)" if problems else "up to date"))
        return 1 if problems else 0
    instructors.build(measure=args.measure, decks=not args.no_slides)
    return 0


@cli.command(
    "site",
    "build the course as a static website (Jupyter Book, from solutions/ with "
    "their stored outputs; nothing is executed)",
    argument("action", choices=["build"]),
    argument("dir", nargs="?", help="where to write it (default: build/site)"),
    argument(
        "--repo",
        help="the course's GitHub repository (URL or owner/name) for the "
        "Binder and Colab links (default: [tool.course], else the "
        "'origin' remote)",
    ),
    argument("--force", action="store_true", help="build even if the site is up to date"),
)
def site(args: argparse.Namespace) -> int:
    from authoring import site

    site.build(Path(args.dir) if args.dir else site.SITE_DIR, repo=args.repo, force=args.force)
    return 0


@cli.command(
    "budget",
    "measure each notebook's run time and kernel memory",
    argument("notebooks", nargs="*", help="notebooks (default: both folders)"),
    argument("--strict", action="store_true", help="exit 1 if any notebook is over budget"),
)
def budget(args: argparse.Namespace) -> int:
    from authoring import budget

    paths = [Path(p) for p in args.notebooks] or budget.default_paths()
    results = budget.measure(paths)
    print(budget.table(results))
    over = [r for r in results if not r.within_budget]
    return 1 if over and args.strict else 0


@cli.command(
    "test-paths",
    "run nbval over both notebook folders under other numerical code "
    "paths (NumPy CPU dispatch, thread counts)",
    argument("paths", nargs="*", help="code paths to run (default: all)"),
    argument(
        "--folders",
        nargs="+",
        choices=["notebooks", "solutions"],
        default=["notebooks", "solutions"],
        help="notebook folders (default: both)",
    ),
    argument("--pytest-args", nargs=argparse.REMAINDER, default=[], help="passed on to pytest"),
)
def test_paths(args: argparse.Namespace) -> int:
    from authoring import paths

    return paths.run_all(args.paths, args.pytest_args, tuple(args.folders))


@cli.command(
    "binder-check",
    "render what Binder builds, reproduce its image here and run every "
    "lesson under Binder's limits (one CPU, 2 GB)",
    argument("--plan-only", action="store_true", help="only render and check the plan"),
    argument(
        "--fresh",
        action="store_true",
        help="reinstall the image's environment (cached per environment.yml and postBuild)",
    ),
    argument(
        "--worktree",
        action="store_true",
        help="check the working tree's files instead of the commit HEAD",
    ),
    argument("--keep", action="store_true", help="keep the session's folder and server log"),
)
def binder_check(args: argparse.Namespace) -> int:
    from authoring import binder

    return binder.check(
        ref=None if args.worktree else "HEAD",
        fresh=args.fresh,
        plan_only=args.plan_only,
        keep=args.keep,
    )


@cli.command(
    "colab-url",
    "print each lesson's Open in Colab link; --write records where the "
    "course is published and rewrites the README table and the lessons' setup cells",
    argument(
        "remote",
        nargs="?",
        help="GitHub URL (default: pyproject.toml's [tool.course], else the git remote 'origin')",
    ),
    argument("--branch", help="the branch the links open (default: [tool.course]'s, main)"),
    argument(
        "--write",
        action="store_true",
        help="write it into pyproject.toml, README.md and the setup cells",
    ),
)
def colab_url(args: argparse.Namespace) -> int:
    from authoring import publish
    from course.config import github_repository
    from course.setup.hosted import published

    if args.write:
        from authoring.build import NOTEBOOKS_DIR, SOLUTIONS_DIR

        return publish.write([SOLUTIONS_DIR, NOTEBOOKS_DIR], args.remote, args.branch)
    repository, branch = published()
    if args.remote or repository is None:
        repository = github_repository(args.remote)
    if repository is None:
        print(
            "No GitHub remote found: pass one, e.g. `python -m authoring colab-url "
            "https://github.com/OWNER/REPO`.",
            file=sys.stderr,
        )
        return 1
    for notebook, url in publish.colab_links(repository, args.branch or branch).items():
        print(f"{notebook:<34} {url}")
    print(f"badge: [![Open in Colab]({publish.COLAB_BADGE})](LINK)")
    return 0


@cli.command(
    "colab-lock",
    "regenerate requirements-colab.lock (Colab's stack, for "
    "tests/test_colab.py) from Colab's pip freeze",
    argument(
        "freeze",
        nargs="?",
        help="Colab's pip freeze (default: "
        "../shared/colab/colab-pip-freeze.txt, or "
        "COURSE_COLAB_FREEZE)",
    ),
)
def colab_lock(args: argparse.Namespace) -> int:
    from authoring.colab_replica import write_lock

    write_lock(args.freeze)
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m authoring ...``: run one author's subcommand."""
    return cli.main(argv)
