"""The learners' command line: ``course doctor | data | progress | lab | serve | keys | model |
extension | binder-url``.

Authors have their own (``python -m authoring``, :mod:`authoring.cli`), and so has a class's hub
(``python -m classroom``, :mod:`classroom.cli`). Each subcommand is declared on its handler
(:mod:`course.commands`); every one exits 0 on success and non-zero with a message that says what
to do otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from course.commands import CommandLine, argument
from course.errors import CourseError

cli = CommandLine("course", "The AI-business course: set up, data, progress, the lessons' tools.")


@cli.command(
    "doctor",
    "check this machine can run the course",
    argument("--no-tf", action="store_true", help="skip the (slow) TensorFlow import check"),
)
def doctor(args: argparse.Namespace) -> int:
    from course.setup import doctor

    return doctor.report(tensorflow=not args.no_tf)


@cli.command(
    "data",
    "list, download or verify the course data",
    argument("action", choices=["list", "fetch", "verify"]),
    argument("names", nargs="*", help="datasets to fetch (default: all)"),
    argument("--force", action="store_true", help="delete and download again"),
)
def data(args: argparse.Namespace) -> int:
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
            print(
                f"{len(bad)} of {len(statuses)} files are not ok. Fix: `course data fetch` "
                "(add --force NAME for a corrupted file)."
            )
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


@cli.command(
    "progress",
    "show your exercise progress per lesson",
    argument("--reset", action="store_true", help="forget all recorded progress"),
)
def progress(args: argparse.Namespace) -> int:
    from course.exercises import ProgressStore, progress_table

    store = ProgressStore()
    if args.reset:
        store.reset()
        print(f"Progress reset ({store.path}).")
        return 0
    print(progress_table(store).to_string())
    print(f"\n(progress file: {store.path})")
    return 0


@cli.command(
    "lab",
    "open the course in JupyterLab at the start-here notebook (options after it "
    "go to `jupyter lab`)",
    passthrough=True,
)
def lab(args: argparse.Namespace) -> int:
    from course.setup.lab_setup import launch

    return launch(list(args.extra))


@cli.command(
    "model",
    "train the reference credit model and export its artifacts",
    argument("action", choices=["build"]),
    argument("--folder", help="where to write (default: the artifacts folder)"),
)
def model(args: argparse.Namespace) -> int:
    from course.credit import reference

    folder = Path(args.folder) if args.folder else None
    for kind, path in reference.build(folder).items():
        print(f"  {kind:<12} {path}")
    return 0


@cli.command(
    "extension",
    "lesson 06's grids (about 4 minutes) and models (30 s)",
    argument("action", choices=["build"]),
    argument(
        "--models-only",
        action="store_true",
        help="train the models only (the grids' results are committed)",
    ),
    argument(
        "--folder",
        help="an artifacts folder: files go to its scale/ (default: <repo>/artifacts/scale)",
    ),
)
def extension(args: argparse.Namespace) -> int:
    from course.scale import grids

    path = grids.build(Path(args.folder) if args.folder else None, models_only=args.models_only)
    print(f"wrote {path}")
    return 0


@cli.command(
    "serve",
    "run the credit-scoring web API (lesson 04)",
    argument("--host", default="127.0.0.1", help="address to bind (default: this machine only)"),
    argument("--port", type=int, default=8000),
    argument(
        "--backend",
        choices=["numpy", "savedmodel"],
        default="numpy",
        help="numpy: no TensorFlow, ~60 MB; savedmodel: TensorFlow, ~700 MB",
    ),
    argument(
        "--build-if-missing",
        action="store_true",
        help="train the reference model first if its artifact is missing",
    ),
    argument("--db", help="SQLite file for usage and keys (default: artifacts/usage.sqlite)"),
    argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes sharing the port and the usage log (default: 1)",
    ),
)
def serve(args: argparse.Namespace) -> int:
    from course.service import server

    server.serve(
        args.host,
        args.port,
        args.backend,
        args.build_if_missing,
        Path(args.db) if args.db else None,
        args.workers,
    )
    return 0


@cli.command(
    "keys",
    "create an API key for the web API",
    argument("action", choices=["create"]),
    argument(
        "name",
        help="who the key is for (letters, digits, - and _; not "
        "'anonymous', the usage log's name for open access)",
    ),
    argument("--db", help="SQLite file for usage and keys"),
)
def keys(args: argparse.Namespace) -> int:
    import sqlite3

    from course.service.server import usage_db_path
    from course.service.storage import WRITE_EVERY, Storage

    path = Path(args.db) if args.db else usage_db_path()
    try:
        storage = Storage(path)
    except (OSError, sqlite3.Error) as error:  # a folder, a file that is not SQLite, no access
        raise CourseError(
            f"Cannot open the key database {path} ({error}): pass another file with --db."
        ) from None
    try:
        key = storage.create_key(args.name)  # a bad or taken name: KeyNameError, a CourseError
    finally:
        storage.close()
    from course.service.storage import key_name

    print(
        f"API key for {key_name(args.name)!r} (shown once; only its hash is stored in "
        f"{storage.path})."
    )  # (the name as stored: Lender-A is lender-a)
    print(
        f"A running service requires keys from now on (it notices within "
        f"{WRITE_EVERY * 1000:.0f} ms):"
    )
    print(key)
    return 0


@cli.command(
    "binder-url",
    "print the Binder link and badge for this repository",
    argument("remote", nargs="?", help="GitHub URL (default: the git remote 'origin')"),
)
def binder_url(args: argparse.Namespace) -> int:
    from course.config import binder_url

    url = binder_url(args.remote)
    if url is None:
        print(
            "No GitHub remote found: pass one, e.g. `course binder-url "
            "https://github.com/OWNER/REPO`.",
            file=sys.stderr,
        )
        return 1
    print(url)
    print(f"[![Binder](https://mybinder.org/badge_logo.svg)]({url})")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``course ...``: run one learner's subcommand."""
    return cli.main(argv)


if __name__ == "__main__":
    sys.exit(main())
