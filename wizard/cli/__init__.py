"""The `ecr-policy` command line: a thin front end over wizard.core.

Each command lives in its own module with its own `register(commands, parents)`. Importing
this package must stay cheap: the user interfaces (Textual, questionary) and the analysis
modules are imported only by the code paths that use them.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from functools import partial
from importlib import import_module

from wizard import __version__
from wizard.cli import common
from wizard.cli.common import EXIT_CANCELLED, EXIT_USAGE, PROG, Parser, UsageError, add_debug_flag
from wizard.cli.help import HelpFormatter

__all__ = ["build_parser", "main"]

COMMAND_MODULES = {
    "generate": "generate",
    "check": "analysis",
    "explain": "analysis",
    "tighten": "tighten",
    "diagnose": "diagnose",
    "simulate": "simulate",
    "roles": "roles",
    "lesson": "lesson",
    "serve": "serve",
}
"""Each command and the module that registers it, in the order `--help` lists them."""


def _modules_for(arguments: Sequence[str]) -> list[str]:
    """The command modules the parser needs: only the named command's (each module imports
    what its command runs, so `generate` starts without the analysis, tighten, diagnose or
    serve code), or all of them for the overall help, a mistyped command or the wizard."""
    first = next((argument for argument in arguments if not argument.startswith("-")), None)
    if first in COMMAND_MODULES:
        return [COMMAND_MODULES[first]]
    return list(dict.fromkeys(COMMAND_MODULES.values()))


def build_parser(arguments: Sequence[str] = ()) -> argparse.ArgumentParser:
    debug = argparse.ArgumentParser(add_help=False)
    add_debug_flag(debug)
    parser = Parser(
        prog=PROG,
        usage=f"{PROG} [--plain] [--theme NAME]\n       {PROG} COMMAND [options]",
        description=(
            "Create least-privilege AWS IAM policies for pulling and pushing Amazon ECR images, and "
            "learn why each permission is there. With no command, a wizard asks the questions."
        ),
        epilog=(
            "Examples:\n"
            f"  {PROG}\n"
            f"  {PROG} generate --role ci --repo my-app --region us-east-1 --account 123456789012\n"
            f"  {PROG} check policy.json\n"
            "\n"
            f"Run '{PROG} COMMAND --help' for the options of a command."
        ),
        formatter_class=HelpFormatter,
        add_help=False,
    )
    commands = parser.add_subparsers(
        title="commands",
        prog=PROG,
        dest="command",
        metavar="COMMAND",
        parser_class=partial(Parser, formatter_class=HelpFormatter),
    )
    wizard = parser.add_argument_group("wizard options")
    wizard.add_argument(
        "--plain",
        action="store_true",
        help="ask the questions as plain prompts (screen readers, narrow or recorded terminals)",
    )
    wizard.add_argument(
        "--theme",
        metavar="NAME",
        help="colour theme: harbor-night (default), harbor-day, or any Textual theme",
    )
    general = parser.add_argument_group("general options")
    general.add_argument("-h", "--help", action="help", help="show this help and exit")
    general.add_argument("--version", action="version", version=f"{PROG} {__version__}", help="show the version")
    general.add_argument(
        "--debug", action="store_true", help="show the traceback of an internal error instead of a report file"
    )
    for name in _modules_for(arguments):
        import_module(f"wizard.cli.{name}").register(commands, [debug])
    return parser


def _prepare_standard_streams() -> None:
    """Make the three standard streams safe to use, whatever state they arrive in.

    A closed descriptor (`2>&-`, `>&-`) is reopened on /dev/null, so no file this run opens
    can take its number and receive diagnostics or output meant for it; a closed stdout is
    remembered so that writing the result fails with a clear message (common.write_stdout).
    Text the terminal's encoding cannot show is written as escapes instead of failing.
    """
    for descriptor, name, mode in ((0, "stdin", os.O_RDONLY), (1, "stdout", os.O_WRONLY), (2, "stderr", os.O_WRONLY)):
        try:
            os.fstat(descriptor)
        except OSError:
            replacement = os.open(os.devnull, mode)
            if replacement != descriptor:
                os.dup2(replacement, descriptor)
                os.close(replacement)
            setattr(sys, name, open(descriptor, "r" if descriptor == 0 else "w", closefd=False))  # noqa: SIM115
            if descriptor == 1:
                common.STDOUT_CLOSED = True
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="backslashreplace")


def _report(line: str) -> None:
    """An error line on stderr, through the outside-text boundary."""
    from wizard.core.text import visible

    with contextlib.suppress(OSError, ValueError):
        print(visible(line, keep_newlines=True), file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    _prepare_standard_streams()
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(arguments)
    try:
        args = parser.parse_args(arguments)
        if args.command is None:
            from wizard.cli.interactive import run_wizard

            return run_wizard(args)
        return args.handler(args)
    except UsageError as error:
        for line in error.lines:
            _report(line if line.startswith("(") else f"error: {line}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        _report("Cancelled; nothing was written.")
        return EXIT_CANCELLED
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away; that is not our failure.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as error:
        if "--debug" in arguments:
            raise
        from wizard.crash import EXIT_INTERNAL_ERROR, crash_message, write_report

        _report(crash_message(error, write_report(error)))
        return EXIT_INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
