"""The ``course`` command line: ``course doctor | data | build | progress | budget | ...``.

Every subcommand exits 0 on success and non-zero with a message that says what to do otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from course.errors import CourseError


def _data(args: argparse.Namespace) -> int:
    from course import config
    from course.data import DATASETS, local_path, verify_all

    if args.action == "list":
        print(f"data folder: {config.data_dir()}  (override with {config.DATA_DIR_ENV})")
        for d in DATASETS.values():
            there = "cached" if local_path(d).exists() else "not cached"
            print(f"  {d.name:<28} {there:<11} {d.licence:<10.10} {d.filename}")
        return 0
    if args.action == "verify":
        statuses = verify_all()
        for s in statuses:
            print(f"  {s.state.upper():<9} {s.dataset.name:<28} {s.path}")
        bad = [s for s in statuses if not s.ok]
        if bad:
            print(f"{len(bad)} of {len(statuses)} files are not ok. Fix: `course data fetch` "
                  "(add --force NAME for a corrupted file).")  # fmt: skip
        else:
            print(f"All {len(statuses)} files match their pinned sha256.")
        return 1 if bad else 0
    names = args.names or list(DATASETS)
    for name in names:
        if name not in DATASETS:
            print(f"No dataset called {name!r}; see `course data list`.", file=sys.stderr)
            return 2
    from course.data import fetch_all  # fetches what it can; reports each missing file's lessons

    return fetch_all(names, force=args.force)


def _build(args: argparse.Namespace) -> int:
    from course.kit import build

    try:
        if args.check:
            problems = build.check()
            for problem in problems:
                print(f"  {problem}")
            print("build check: " + (f"{len(problems)} problem(s)" if problems else "notebooks/ "
                                     "and the exercises' solutions.json are up to date with "
                                     "solutions/"))  # fmt: skip
            return 1 if problems else 0
        if args.solutions_json:
            changed = build.write_solutions()
            print(f"{'wrote' if changed else 'unchanged:'} {build.SOLUTIONS_FILE} (what each "
                  "exercise's solution() shows, from the regions in solutions/)")  # fmt: skip
            return 0
        build.build(execute=not args.no_execute, only=args.only)
    except build.BuildError as error:
        print(f"build failed: {error}")
        return 1
    return 0


def _progress(args: argparse.Namespace) -> int:
    from course.exercises import ProgressStore, progress_table

    store = ProgressStore()
    if args.reset:
        store.reset()
        print(f"Progress reset ({store.path}).")
        return 0
    print(progress_table(store).to_string())
    print(f"\n(progress file: {store.path})")
    return 0


def _budget(args: argparse.Namespace) -> int:
    from course.kit import budget

    paths = [Path(p) for p in args.notebooks] or budget.default_paths()
    results = budget.measure(paths)
    print(budget.table(results))
    over = [r for r in results if not r.within_budget]
    return 1 if over and args.strict else 0


def _doctor(args: argparse.Namespace) -> int:
    from course.kit import doctor

    return doctor.report(tensorflow=not args.no_tf)


def _model(args: argparse.Namespace) -> int:
    from course.credit import reference

    folder = Path(args.folder) if args.folder else None
    for kind, path in reference.build(folder).items():
        print(f"  {kind:<12} {path}")
    return 0


def _extension(args: argparse.Namespace) -> int:
    from course.scale import grids

    return grids.main([*(["--folder", args.folder] if args.folder else []),
                       *(["--models-only"] if args.models_only else [])])


def _serve(args: argparse.Namespace) -> int:
    from course.service import server

    server.serve(args.host, args.port, args.backend, args.build_if_missing,
                 Path(args.db) if args.db else None, args.workers)  # fmt: skip
    return 0


def _keys(args: argparse.Namespace) -> int:
    import sqlite3

    from course.service.server import usage_db_path
    from course.service.storage import WRITE_EVERY, Storage

    path = Path(args.db) if args.db else usage_db_path()
    try:
        storage = Storage(path)
    except (OSError, sqlite3.Error) as error:  # a folder, a file that is not SQLite, no access
        raise CourseError(f"Cannot open the key database {path} ({error}): pass another file "
                          "with --db.") from None  # fmt: skip
    try:
        key = storage.create_key(args.name)  # a bad or taken name: KeyNameError, a CourseError
    finally:
        storage.close()
    from course.service.storage import key_name

    print(f"API key for {key_name(args.name)!r} (shown once; only its hash is stored in "
          f"{storage.path}).")  # (the name as stored: Lender-A is lender-a)
    print(f"A running service requires keys from now on (it notices within "
          f"{WRITE_EVERY * 1000:.0f} ms):")
    print(key)
    return 0


def _lab(args: argparse.Namespace) -> int:
    from course.kit.lab_setup import launch

    return launch(list(args.extra))


def _binder_url(args: argparse.Namespace) -> int:
    from course.config import binder_url

    url = binder_url(args.remote)
    if url is None:
        print("No GitHub remote found: pass one, e.g. `course binder-url "
              "https://github.com/OWNER/REPO`.", file=sys.stderr)
        return 1
    print(url)
    print(f"[![Binder](https://mybinder.org/badge_logo.svg)]({url})")
    return 0


def _colab_url(args: argparse.Namespace) -> int:
    from course.config import github_repository
    from course.kit import publish

    if args.write:
        return publish.write(args.remote, args.branch)
    repository, branch = publish.published()
    if args.remote or repository is None:
        repository = github_repository(args.remote)
    if repository is None:
        print("No GitHub remote found: pass one, e.g. `course colab-url "
              "https://github.com/OWNER/REPO`.", file=sys.stderr)
        return 1
    for notebook, url in publish.colab_links(repository, args.branch or branch).items():
        print(f"{notebook:<34} {url}")
    print(f"badge: [![Open in Colab]({publish.COLAB_BADGE})](LINK)")
    return 0


def _colab_lock(args: argparse.Namespace) -> int:
    from course.kit.colab_replica import write_lock

    write_lock(args.freeze)
    return 0


def _binder_check(args: argparse.Namespace) -> int:
    from course.kit import binder

    return binder.check(ref=None if args.worktree else "HEAD", fresh=args.fresh,
                        plan_only=args.plan_only, keep=args.keep)  # fmt: skip


def _hub(args: argparse.Namespace) -> int:
    import re

    from course.kit import hub
    from course.kit.hub_accounts import USERNAME_PATTERN

    if args.remove_learners:
        return _remove_learners(Path(args.home_root))
    settings = hub.HubSettings(state=str(Path(args.state).resolve()), port=args.port, ip=args.ip,
                               home_root=args.home_root, idle_timeout=args.idle_minutes * 60,
                               admin=args.admin)  # fmt: skip
    if args.mem_limit_gb is not None:
        settings.mem_limit = int(args.mem_limit_gb * 2**30)
    if args.cpu_limit is not None:
        settings.cpu_limit = args.cpu_limit
    if args.password:
        if len(args.password) < 8:
            raise CourseError("the class password needs at least 8 characters")
        settings.password = args.password
    if not re.match(USERNAME_PATTERN, args.admin):
        raise CourseError(f"the instructor's name {args.admin!r} must be 2-31 lower-case letters "
                          "and digits, starting with a letter")  # fmt: skip
    settings.keep_secrets(password_given=bool(args.password))
    return hub.run(settings)


def _remove_learners(home_root: Path) -> int:
    """Remove every learner under ``home_root``, one line per account; non-zero if any failed."""
    import os

    from course.kit.hub_accounts import learner_accounts, remove_learner

    if os.geteuid() != 0:
        raise CourseError("removing the learners' accounts needs root (sudo)")
    removals = [remove_learner(account) for account in learner_accounts(home_root)]
    for removal in removals:
        print(removal.summary(), file=sys.stderr if removal.problems else sys.stdout)
    failed = sum(bool(r.problems) for r in removals)
    print(f"removed {len(removals) - failed} of {len(removals)} learner account(s) under "
          f"{home_root}" + (f"; {failed} could not be removed (above)" if failed else ""))
    return 1 if failed else 0


def _floats(args: argparse.Namespace) -> int:
    from course.kit import floats

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


def _test_paths(args: argparse.Namespace) -> int:
    from course.kit import paths

    return paths.run_all(args.paths, args.pytest_args, tuple(args.folders))


def _instructors(args: argparse.Namespace) -> int:
    from course.kit import instructors

    if args.action == "nbgrader":
        from course.kit.nbgrader_export import export

        if not args.dir:
            print("Say where: `course instructors nbgrader DIR`.", file=sys.stderr)
            return 2
        export(Path(args.dir), force=args.force)
        return 0
    if args.action == "offline-kit":
        from course.kit.offline_kit import offline_kit

        if not args.dir:
            print("Say where: `course instructors offline-kit DIR`.", file=sys.stderr)
            return 2
        offline_kit(Path(args.dir), download_wheels=not args.no_download, pythons=args.python,
                    platforms=args.platform)  # fmt: skip
        return 0
    if args.check:
        problems = instructors.check()
        for problem in problems:
            print(f"  {problem}")
        print("instructors check: " + (f"{len(problems)} problem(s)" if problems else "up to date"))
        return 1 if problems else 0
    instructors.build(measure=args.measure, decks=not args.no_slides)
    return 0


def _site(args: argparse.Namespace) -> int:
    from course.kit import site

    site.build(Path(args.dir) if args.dir else site.SITE_DIR, repo=args.repo, force=args.force)
    return 0


def _glossary(args: argparse.Namespace) -> int:
    from course.kit import glossary
    from course.kit.build import NOTEBOOKS_DIR, SOLUTIONS_DIR

    changes = glossary.apply([SOLUTIONS_DIR, NOTEBOOKS_DIR], write=args.write)
    verb = "made" if args.write else "to make (add --write to save them)"
    print(f"{len(changes)} glossary links {verb}")
    usage = glossary.usage(SOLUTIONS_DIR)
    for problem in usage.broken:
        print(f"  link to a missing term: {problem}", file=sys.stderr)
    return 1 if usage.broken else 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="course", description="The AI-business course kit.")
    sub = main.add_subparsers(dest="command", required=True)

    p = sub.add_parser("doctor", help="check this machine can run the course")
    p.add_argument("--no-tf", action="store_true", help="skip the (slow) TensorFlow import check")
    p.set_defaults(run=_doctor)

    p = sub.add_parser("data", help="list, download or verify the course data")
    p.add_argument("action", choices=["list", "fetch", "verify"])
    p.add_argument("names", nargs="*", help="datasets to fetch (default: all)")
    p.add_argument("--force", action="store_true", help="delete and download again")
    p.set_defaults(run=_data)

    p = sub.add_parser("build", help="generate notebooks/ from solutions/ and execute both")
    p.add_argument("--check", action="store_true", help="only check notebooks/ is up to date")
    p.add_argument("--no-execute", action="store_true", help="write sources without running")
    p.add_argument("--only", help="only notebooks whose file name contains this text")
    p.add_argument("--solutions-json", action="store_true",
                   help="only rewrite course/exercises/solutions.json (what solution() shows) "
                        "from the regions in solutions/; executes nothing")  # fmt: skip
    p.set_defaults(run=_build)

    p = sub.add_parser("progress", help="show your exercise progress per lesson")
    p.add_argument("--reset", action="store_true", help="forget all recorded progress")
    p.set_defaults(run=_progress)

    p = sub.add_parser("budget", help="measure each notebook's run time and kernel memory")
    p.add_argument("notebooks", nargs="*", help="notebooks (default: both folders)")
    p.add_argument("--strict", action="store_true", help="exit 1 if any notebook is over budget")
    p.set_defaults(run=_budget)

    p = sub.add_parser("model", help="train the reference credit model and export its artifacts")
    p.add_argument("action", choices=["build"])
    p.add_argument("--folder", help="where to write (default: the artifacts folder)")
    p.set_defaults(run=_model)

    p = sub.add_parser("extension", help="lesson 06's grids (about 6 minutes) and models (30 s)")
    p.add_argument("action", choices=["build"])
    p.add_argument("--models-only", action="store_true",
                   help="train the models only (the grids' results are committed)")
    p.add_argument("--folder", help="an artifacts folder: files go to its scale/ "
                                    "(default: <repo>/artifacts/scale)")
    p.set_defaults(run=_extension)

    p = sub.add_parser("serve", help="run the credit-scoring web API (lesson 04)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: this machine only)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--backend", choices=["numpy", "savedmodel"], default="numpy",
                   help="numpy: no TensorFlow, ~60 MB; savedmodel: TensorFlow, ~700 MB")
    p.add_argument("--build-if-missing", action="store_true",
                   help="train the reference model first if its artifact is missing")
    p.add_argument("--db", help="SQLite file for usage and keys (default: artifacts/usage.sqlite)")
    p.add_argument("--workers", type=int, default=1,
                   help="worker processes sharing the port and the usage log (default: 1)")
    p.set_defaults(run=_serve)

    p = sub.add_parser("keys", help="create an API key for the web API")
    p.add_argument("action", choices=["create"])
    p.add_argument("name", help="who the key is for (letters, digits, - and _; not 'anonymous', "
                   "the usage log's name for open access)")  # fmt: skip
    p.add_argument("--db", help="SQLite file for usage and keys")
    p.set_defaults(run=_keys)

    p = sub.add_parser("lab", help="open the course in JupyterLab at the start-here notebook")
    p.add_argument("extra", nargs=argparse.REMAINDER, help="passed on to `jupyter lab`")
    p.set_defaults(run=_lab)

    p = sub.add_parser("floats", help="list every decimal number printed in stored outputs")
    p.add_argument("--write", action="store_true", help="refresh tests/stored_floats.txt")
    p.set_defaults(run=_floats)

    p = sub.add_parser("test-paths", help="run nbval over both notebook folders under other "
                       "numerical code paths (NumPy CPU dispatch, thread counts)")  # fmt: skip
    p.add_argument("paths", nargs="*", help="code paths to run (default: all)")
    p.add_argument("--folders", nargs="+", choices=["notebooks", "solutions"],
                   default=["notebooks", "solutions"], help="notebook folders (default: both)")
    p.add_argument("--pytest-args", nargs=argparse.REMAINDER, default=[],
                   help="passed on to pytest")  # fmt: skip
    p.set_defaults(run=_test_paths)

    p = sub.add_parser("binder-url", help="print the Binder link and badge for this repository")
    p.add_argument("remote", nargs="?", help="GitHub URL (default: the git remote 'origin')")
    p.set_defaults(run=_binder_url)
    p = sub.add_parser("colab-url", help="print each lesson's Open in Colab link; --write records "
                       "where the course is published and rewrites the README table and the "
                       "lessons' setup cells")  # fmt: skip
    p.add_argument("remote", nargs="?", help="GitHub URL (default: pyproject.toml's [tool.course], "
                   "else the git remote 'origin')")  # fmt: skip
    p.add_argument("--branch", help="the branch the links open (default: [tool.course]'s, main)")
    p.add_argument("--write", action="store_true",
                   help="write it into pyproject.toml, README.md and the setup cells")
    p.set_defaults(run=_colab_url)
    p = sub.add_parser("colab-lock", help="regenerate requirements-colab.lock (Colab's stack, for "
                       "tests/test_colab.py) from Colab's pip freeze")  # fmt: skip
    p.add_argument("freeze", nargs="?", help="Colab's pip freeze (default: "
                   "../shared/colab/colab-pip-freeze.txt, or COURSE_COLAB_FREEZE)")  # fmt: skip
    p.set_defaults(run=_colab_lock)
    p = sub.add_parser("binder-check", help="render what Binder builds, reproduce its image here "
                       "and run every lesson under Binder's limits (one CPU, 2 GB)")  # fmt: skip
    p.add_argument("--plan-only", action="store_true", help="only render and check the plan")
    p.add_argument("--fresh", action="store_true", help="reinstall the image's environment "
                   "(cached per environment.yml and postBuild)")  # fmt: skip
    p.add_argument("--worktree", action="store_true",
                   help="check the working tree's files instead of the commit HEAD")
    p.add_argument("--keep", action="store_true", help="keep the session's folder and server log")
    p.set_defaults(run=_binder_check)
    p = sub.add_parser("hub", help="a class on this server: JupyterHub for a workshop (as root)")
    p.add_argument("--state", default="hub-state", help="folder for the hub's database, settings "
                   "and log (default: ./hub-state)")  # fmt: skip
    p.add_argument("--port", type=int, default=8000, help="the port learners open (default 8000)")
    p.add_argument("--ip", default="127.0.0.1",
                   help="the address to listen on (0.0.0.0 for the room's network; put TLS in front)")
    p.add_argument("--home-root", default="/home", help="where learners' homes go (default /home)")
    p.add_argument("--password", help="the class password (default: a new random one, printed)")
    p.add_argument("--mem-limit-gb", type=float, help="memory per learner (default: from the "
                   "measured budget, as on Kubernetes: python -m course.kit.resources)")
    p.add_argument("--cpu-limit", type=float, help="CPUs per learner (default: as memory)")
    p.add_argument("--idle-minutes", type=int, default=60, help="stop idle servers after (60)")
    p.add_argument("--admin", default="instructor",
                   help="the instructor's account name (default instructor)")
    p.add_argument("--remove-learners", action="store_true",
                   help="after the class: delete the learners' accounts and homes")
    p.set_defaults(run=_hub)
    p = sub.add_parser("instructors", help="the instructor kit: schedule, glossary, slides, "
                       "offline kit, nbgrader course")  # fmt: skip
    p.add_argument("action", choices=["build", "offline-kit", "nbgrader"])
    p.add_argument("dir", nargs="?", help="offline-kit: the folder to fill (a USB stick); "
                   "nbgrader: the nbgrader course folder to write")  # fmt: skip
    p.add_argument("--measure", action="store_true",
                   help="build: first run every notebook and refresh instructors/budget.json")
    p.add_argument("--no-slides", action="store_true", help="build: skip the slide decks")
    p.add_argument("--check", action="store_true",
                   help="build: only check the schedule and glossary are current")
    p.add_argument("--force", action="store_true", help="nbgrader: rewrite the config and "
                   "source notebooks of an existing course folder")  # fmt: skip
    p.add_argument("--no-download", action="store_true",
                   help="offline-kit: download nothing; the wheels already in DIR must serve "
                   "every target (refreshes the data, course.zip and README)")
    p.add_argument("--python", action="append", metavar="X.Y",
                   help="offline-kit: a Python to serve (repeat; default 3.11, 3.12 and 3.13)")
    p.add_argument("--platform", action="append", metavar="NAME",
                   help="offline-kit: a kind of learner machine to serve (repeat): linux-x86_64, "
                   "linux-aarch64, macos-arm64, windows-amd64, or all (default: this machine's)")
    p.set_defaults(run=_instructors)

    p = sub.add_parser("site", help="build the course as a static website (Jupyter Book, from "
                       "solutions/ with their stored outputs; nothing is executed)")  # fmt: skip
    p.add_argument("action", choices=["build"])
    p.add_argument("dir", nargs="?", help="where to write it (default: build/site)")
    p.add_argument("--repo", help="the course's GitHub repository (URL or owner/name) for the "
                   "Binder and Colab links (default: [tool.course], else the 'origin' remote)")
    p.add_argument("--force", action="store_true", help="build even if the site is up to date")
    p.set_defaults(run=_site)

    p = sub.add_parser("glossary", help="link each glossary term where a lesson first uses it")
    p.add_argument("action", choices=["link"])
    p.add_argument("--write", action="store_true",
                   help="save the links in solutions/ and notebooks/ (default: only list them)")
    p.set_defaults(run=_glossary)
    return main


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["lab"] and not {"-h", "--help"} & set(argv[1:]):
        # Everything after `lab` is JupyterLab's (--no-browser, --port 9000, --ip, --allow-root):
        # argparse's REMAINDER would refuse options that come first.
        return _lab(argparse.Namespace(extra=argv[1:]))
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except CourseError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
