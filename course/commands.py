"""Command lines whose subcommands are declared beside their handlers.

Each audience has one command line (learners: ``course``, :mod:`course.cli`; authors: ``python -m
authoring``; a class's hub: ``python -m classroom``). A module makes a :class:`CommandLine` and
declares each subcommand on the handler that runs it::

    cli = CommandLine("course", "The AI-business course.")

    @cli.command("doctor", "check this machine can run the course",
                 argument("--no-tf", action="store_true", help="skip the TensorFlow check"))
    def doctor(args: argparse.Namespace) -> int: ...

Every subcommand exits 0 on success; a :class:`~course.errors.CourseError` becomes a one-line
``error: ...`` message and exit 1, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from course.errors import CourseError

Handler = Callable[[argparse.Namespace], int]


@dataclass(frozen=True)
class Argument:
    """One argument of a subcommand, as :meth:`argparse.ArgumentParser.add_argument` takes it."""

    flags: tuple[str, ...]
    options: dict[str, Any]


def argument(*flags: str, **options: Any) -> Argument:
    """Declare an argument: ``argument("--port", type=int, default=8000)``."""
    return Argument(flags, options)


@dataclass(frozen=True)
class Command:
    """A subcommand: its name, one-line help, arguments and handler."""

    name: str
    help: str
    arguments: tuple[Argument, ...]
    handler: Handler
    passthrough: bool = False  # everything after the name goes to the handler as ``args.extra``


@dataclass
class CommandLine:
    """A program with subcommands, each registered by :meth:`command` on its handler."""

    prog: str
    description: str
    commands: dict[str, Command] = field(default_factory=dict)

    def command(
        self, name: str, help: str, *arguments: Argument, passthrough: bool = False
    ) -> Callable[[Handler], Handler]:
        """Register the decorated function as the handler of subcommand ``name``."""

        def register(handler: Handler) -> Handler:
            if name in self.commands:
                raise ValueError(f"{self.prog} {name} is declared twice")
            self.commands[name] = Command(name, help, arguments, handler, passthrough)
            return handler

        return register

    def parser(self) -> argparse.ArgumentParser:
        """The argparse parser of every registered subcommand."""
        main = argparse.ArgumentParser(prog=self.prog, description=self.description)
        sub = main.add_subparsers(dest="command", required=True, metavar="COMMAND")
        for command in self.commands.values():
            p = sub.add_parser(command.name, help=command.help, description=command.help)
            for arg in command.arguments:
                p.add_argument(*arg.flags, **arg.options)
            if command.passthrough:
                p.add_argument("extra", nargs=argparse.REMAINDER, help="passed on as it is")
            p.set_defaults(run=command.handler)
        return main

    def main(self, argv: list[str] | None = None) -> int:
        """Parse ``argv`` (default: the process's), run the subcommand, return its exit code."""
        argv = sys.argv[1:] if argv is None else list(argv)
        command = self.commands.get(argv[0]) if argv else None
        if command and command.passthrough and not {"-h", "--help"} & set(argv[1:]):
            # (argparse's REMAINDER would refuse options that come first: `lab --no-browser`)
            args = argparse.Namespace(command=command.name, extra=argv[1:], run=command.handler)
        else:
            args = self.parser().parse_args(argv)
        try:
            return args.run(args)
        except CourseError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
