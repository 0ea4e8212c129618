"""What every command shares: usage errors, reading input within limits, writing output.

Diagnostics go to stderr only (`say`); stdout carries the result and nothing else, so
`> policy.json` is always the document.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_CANCELLED = 130
PROG = "ecr-policy"


class UsageError(Exception):
    """Bad input: reported as `error: ...` lines and exit status 2."""

    def __init__(self, *lines: str):
        self.lines = lines
        super().__init__("\n".join(lines))


class Parser(argparse.ArgumentParser):
    """argparse, but its errors read like ours: one `error:` line and a pointer to --help."""

    def error(self, message: str):  # never returns: raises UsageError
        raise UsageError(message, f"(run '{self.prog} --help' for usage)")


def split_repositories(values: Sequence[str] | None) -> list[str]:
    # Commas never occur in repository names, so "--repo a,b" is unambiguous.
    return [name for value in values or () for name in value.split(",")]


def say(text: str) -> None:
    """A diagnostic line (warning, note, progress) for people: stderr only, never stdout."""
    from wizard.core.text import visible

    # stderr closed or full: a diagnostic is not worth failing the command for.
    with contextlib.suppress(OSError, ValueError):
        print(visible(text, keep_newlines=True), file=sys.stderr)


def write_stdout(text: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        # e.g. `> /dev/full`: say so once, and stop Python retrying the flush at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise UsageError(f"cannot write to standard output: {error.strerror or error}") from None


def read_input(path: str, what: str = "", limit=None) -> str:
    """The text of FILE or stdin (`-`), within a size limit; unreadable or oversized input is
    a usage error (exit 2) naming the limit."""
    from wizard.core.limits import POLICY_BYTES, InputError, decode_text, read_bytes_limited, read_path_limited

    limit = limit or POLICY_BYTES
    label = what or ("stdin" if path == "-" else repr(path))
    try:
        if path == "-":
            return decode_text(read_bytes_limited(sys.stdin.buffer, limit, label), label)
        return read_path_limited(path, limit, label)
    except InputError as error:
        raise UsageError(str(error)) from None


def emit_one(args: argparse.Namespace, text: str, what: str, path: str | None = None) -> int:
    """Write one output to stdout, or atomically to --output (or `path`)."""
    path = path or args.output
    if not path:
        write_stdout(text)
        return EXIT_OK
    from wizard.core.files import FileExistsSaveError, SaveError, save_text  # only when writing

    try:
        written = save_text(path, text, overwrite=args.force)
    except FileExistsSaveError:
        raise UsageError(f"{path!r} already exists; add --force to replace it") from None
    except SaveError as error:
        raise UsageError(f"cannot write {path!r}: {error}") from None
    say(f"wrote {what} to {written}")
    return EXIT_OK


def add_debug_flag(parser: argparse.ArgumentParser) -> None:
    """--debug is accepted before or after the command; the copy on each command must not
    overwrite the value given before it, hence SUPPRESS there."""
    parser.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show the traceback of an internal error"
    )
