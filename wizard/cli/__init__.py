"""The `ecr-policy` command line: a thin front end over wizard.core.

Each command lives in its own module with its own `register(commands, parents)`. Importing
this package must stay cheap: the user interfaces (Textual, questionary) and the analysis
modules are imported only by the code paths that use them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from wizard import __version__
from wizard.cli import analysis, generate
from wizard.cli.common import EXIT_CANCELLED, EXIT_USAGE, PROG, Parser, UsageError, add_debug_flag

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    debug = argparse.ArgumentParser(add_help=False)
    add_debug_flag(debug)
    parser = Parser(
        prog=PROG,
        description=(
            "Create least-privilege AWS IAM policies for pulling and pushing Amazon ECR images, "
            "and learn why each permission is there. Run with no command to open the wizard."
        ),
        epilog=f"Example: {PROG} generate --role ci --repo my-app --region us-east-1 --account 123456789012",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback of an internal error instead of a report file"
    )
    parser.add_argument(
        "--plain",
        action="store_true",
        help="ask the wizard's questions as plain prompts (screen readers, narrow or recorded terminals)",
    )
    parser.add_argument(
        "--theme",
        metavar="NAME",
        help="colour theme for the wizard: harbor-night (default), harbor-day, or any Textual theme",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for module in (generate, analysis):
        module.register(commands, [debug])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(arguments)
        if args.command is None:
            from wizard.cli.interactive import run_wizard

            return run_wizard(args)
        return args.handler(args)
    except UsageError as error:
        for line in error.lines:
            print(line if line.startswith("(") else f"error: {line}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("Cancelled; nothing was written.", file=sys.stderr)
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

        print(crash_message(error, write_report(error)), file=sys.stderr)
        return EXIT_INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
