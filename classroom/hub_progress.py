"""The instructor's view of the class: per exercise, how many learners solved it and who is stuck.

It runs as a JupyterHub service (``/services/progress/``), reads the progress file that
``q.check()`` keeps in each learner's course folder (:mod:`course.exercises.progress`), and is
open to the hub's admins only: learners never see each other's results. ``/api/summary`` gives the
same as JSON.

    python -m classroom.hub_progress --home-root /home --admins instructor   # (the hub starts it)
"""

from __future__ import annotations

import argparse
import html
import json
import os
from pathlib import Path

from classroom.hub_accounts import ACCOUNT_PREFIX, COURSE_FOLDER

SOLVED = ("correct", "recorded")


def read_class(home_root: Path, instructors: set[str] = frozenset()) -> dict[str, dict]:
    """Each learner's progress records, by hub user name (an unreadable file counts as none);
    the ``instructors`` are never learners, even with a home of their own there."""
    found = {}
    for home in sorted(Path(home_root).glob(f"{ACCOUNT_PREFIX}*")):
        if home.name[len(ACCOUNT_PREFIX) :] in instructors:
            continue
        path = home / COURSE_FOLDER / "progress" / "progress.json"
        try:
            records = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            records = {}
        found[home.name[len(ACCOUNT_PREFIX) :]] = records if isinstance(records, dict) else {}
    return found


def class_summary(progress: dict[str, dict], exercises: list[str]) -> list[dict]:
    """One row per exercise (those of the course, then any other recorded): how many solved it,
    and who is stuck on it (attempted, not solved yet), with their attempts and hints seen."""
    recorded = {key for records in progress.values() for key in records}
    rows = []
    for key in [*exercises, *sorted(recorded - set(exercises))]:
        solved, stuck = [], []
        for learner, records in progress.items():
            record = records.get(key)
            if not isinstance(record, dict):
                continue
            if record.get("status") in SOLVED:
                solved.append(learner)
            elif record.get("attempts", 0) > 0:
                stuck.append(
                    {
                        "learner": learner,
                        "attempts": record.get("attempts", 0),
                        "hints": record.get("hints", 0),
                    }
                )
        rows.append(
            {
                "exercise": key,
                "solved": len(solved),
                "learners": len(progress),
                "solved_by": sorted(solved),
                "stuck": sorted(stuck, key=lambda s: s["learner"]),
            }
        )
    return rows


def course_exercises() -> list[str]:
    from course.exercises import load_all

    return sorted(load_all())


def render(rows: list[dict]) -> str:
    """The summary as one plain HTML page (no scripts, no outside assets)."""
    lines = [
        "<!doctype html><html lang='en'><meta charset='utf-8'><title>Class progress</title>",
        "<h1>Class progress</h1><table><caption>Per exercise: learners who solved it, and "
        "who is stuck (attempted, not solved)</caption>",
        "<tr><th scope='col'>exercise</th><th scope='col'>solved</th>"
        "<th scope='col'>stuck (attempts, hints)</th></tr>",
    ]
    for row in rows:
        stuck = ", ".join(f"{s['learner']} ({s['attempts']}, {s['hints']})" for s in row["stuck"])
        lines.append(
            f"<tr><td>{html.escape(row['exercise'])}</td>"
            f"<td>{row['solved']} of {row['learners']}</td>"
            f"<td>{html.escape(stuck) or '-'}</td></tr>"
        )
    return "\n".join([*lines, "</table></html>"])


def make_app(home_root: Path, prefix: str, admins: set[str]):
    """The tornado application behind the hub's proxy at ``prefix`` (``/services/progress/``)."""
    from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
    from tornado import web

    exercises = course_exercises()

    class Base(HubOAuthenticated, web.RequestHandler):
        def rows(self) -> list[dict]:
            user = self.current_user  # (the hub lets only holders of access:services in)
            if not user or user.get("name") not in admins:
                raise web.HTTPError(403, "the class progress is for the instructors")
            return class_summary(read_class(home_root, admins), exercises)

    class Page(Base):
        @web.authenticated
        def get(self) -> None:
            self.finish(render(self.rows()))

    class Summary(Base):
        @web.authenticated
        def get(self) -> None:
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps(self.rows()))

    return web.Application(
        [
            (prefix, Page),
            (prefix + "api/summary", Summary),
            (prefix + "oauth_callback", HubOAuthCallbackHandler),
        ],
        cookie_secret=os.urandom(32),
    )


def main(argv: list[str] | None = None) -> None:
    from urllib.parse import urlparse

    from tornado.ioloop import IOLoop

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home-root", type=Path, required=True)
    parser.add_argument("--admins", required=True, help="comma-separated instructor names")
    args = parser.parse_args(argv)
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/progress/")
    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    make_app(args.home_root, prefix, set(args.admins.split(","))).listen(url.port, url.hostname)
    try:
        IOLoop.current().start()
    except KeyboardInterrupt:  # (the hub stops its services with SIGINT)
        pass


if __name__ == "__main__":
    main()
