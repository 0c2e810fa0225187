"""The class hub's command line: ``python -m classroom hub | remove-learners | resources``.

Run as root from a checkout (``python kit.py hub`` sets up the environment and forwards here).
Each subcommand is declared on its handler (:mod:`course.commands`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from course.commands import CommandLine, argument
from course.errors import CourseError

cli = CommandLine("python -m classroom", "A class on this server: JupyterHub with the course.")


@cli.command(
    "hub",
    "start the class's JupyterHub (as root)",
    argument(
        "--state",
        default="hub-state",
        help="folder for the hub's database, settings and log (default: ./hub-state)",
    ),
    argument("--port", type=int, default=8000, help="the port learners open (default 8000)"),
    argument(
        "--ip",
        default="127.0.0.1",
        help="the address to listen on (0.0.0.0 for the room's network; put TLS in front)",
    ),
    argument("--home-root", default="/home", help="where learners' homes go (default /home)"),
    argument("--password", help="the class password (default: a new random one, printed)"),
    argument(
        "--mem-limit-gb",
        type=float,
        help="memory per learner (default: from the "
        "measured budget, as on Kubernetes: python -m classroom resources)",
    ),
    argument("--cpu-limit", type=float, help="CPUs per learner (default: as memory)"),
    argument("--idle-minutes", type=int, default=60, help="stop idle servers after (60)"),
    argument(
        "--admin", default="instructor", help="the instructor's account name (default instructor)"
    ),
    argument(
        "--remove-learners",
        action="store_true",
        help="after the class: delete the learners' accounts and homes (the same "
        "as `python -m classroom remove-learners`)",
    ),
)
def hub(args: argparse.Namespace) -> int:
    import re

    from classroom import class_hub as hub
    from classroom.hub_accounts import USERNAME_PATTERN

    if args.remove_learners:
        return _remove_learners(Path(args.home_root))
    settings = hub.HubSettings(
        state=str(Path(args.state).resolve()),
        port=args.port,
        ip=args.ip,
        home_root=args.home_root,
        idle_timeout=args.idle_minutes * 60,
        admin=args.admin,
    )
    if args.mem_limit_gb is not None:
        settings.mem_limit = int(args.mem_limit_gb * 2**30)
    if args.cpu_limit is not None:
        settings.cpu_limit = args.cpu_limit
    if args.password:
        if len(args.password) < 8:
            raise CourseError("the class password needs at least 8 characters")
        settings.password = args.password
    if not re.match(USERNAME_PATTERN, args.admin):
        raise CourseError(
            f"the instructor's name {args.admin!r} must be 2-31 lower-case letters "
            "and digits, starting with a letter"
        )
    settings.keep_secrets(password_given=bool(args.password))
    return hub.run(settings)


@cli.command(
    "remove-learners",
    "after the class: delete the learners' accounts and homes (root)",
    argument("--home-root", default="/home", help="where learners' homes are (default /home)"),
)
def remove_learners(args: argparse.Namespace) -> int:
    return _remove_learners(Path(args.home_root))


def _remove_learners(home_root: Path) -> int:
    """Remove every learner under ``home_root``, one line per account; non-zero if any failed."""
    """Remove every learner under ``home_root``, one line per account; non-zero if any failed."""
    import os

    from classroom.hub_accounts import learner_accounts, remove_learner

    if os.geteuid() != 0:
        raise CourseError("removing the learners' accounts needs root (sudo)")
    removals = [remove_learner(account) for account in learner_accounts(home_root)]
    for removal in removals:
        print(removal.summary(), file=sys.stderr if removal.problems else sys.stdout)
    failed = sum(bool(r.problems) for r in removals)
    print(
        f"removed {len(removals) - failed} of {len(removals)} learner account(s) under "
        f"{home_root}" + (f"; {failed} could not be removed (above)" if failed else "")
    )
    return 1 if failed else 0


@cli.command("resources", "print each learner's memory and CPU, derived from the measured budget")
def resources(args: argparse.Namespace) -> int:
    from classroom.resources import main as explain

    explain()
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m classroom ...``: run one of the hub's subcommands."""
    return cli.main(argv)
