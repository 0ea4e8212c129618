"""What every command shares: usage errors, reading input within limits, writing output.

Diagnostics go to stderr only (`say`); stdout carries the result and nothing else, so
`> policy.json` is always the document.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections import namedtuple
from collections.abc import Sequence

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_CANCELLED = 130
PROG = "ecr-policy"
STDOUT_CLOSED = False
"""Set at start-up when the command was run with standard output closed (`>&-`)."""


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

    # stderr full (/dev/full): a diagnostic is not worth failing the command for. Flushed
    # here, so nothing is left to fail when Python flushes its streams at exit.
    with contextlib.suppress(OSError, ValueError):
        print(visible(text, keep_newlines=True), file=sys.stderr, flush=True)


def write_stdout(text: str) -> None:
    if STDOUT_CLOSED:
        raise UsageError("standard output is closed; give --output FILE, or run without >&-")
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


class Output(namedtuple("Output", "path text what")):
    """One thing to emit: path None means standard output; what: for the "wrote ..." note."""

    __slots__ = ()


def emit_all(args: argparse.Namespace, outputs: list[Output], stale_from: str | None = None) -> int:
    """Print the output to stdout, or write every file in one step: each target is checked
    before any is written, and a failure leaves none of this run's files behind.

    stale_from: the --output of a split; numbered parts left by an earlier, larger split are
    refused (they would keep granting the old repositories), or removed with --force."""
    to_stdout = [output for output in outputs if output.path is None]
    for output in to_stdout:
        write_stdout(output.text)
    files = [output for output in outputs if output.path is not None]
    if not files:
        return EXIT_OK
    from wizard.core.files import FileExistsSaveError, SaveError, save_all, stale_parts  # only when writing

    stale = stale_parts(stale_from, len(files) - _siblings(files)) if stale_from else []
    if stale and not args.force:
        raise UsageError(
            f"{_span(stale)} from an earlier split would be left behind, still granting what that split "
            "granted; delete them, or add --force to replace the whole set (they are removed). Nothing was written."
        )
    try:
        written = save_all([(output.path, output.text) for output in files], overwrite=args.force)
    except FileExistsSaveError as error:
        them = "it" if len(error.paths) == 1 else "them"
        raise UsageError(f"{error}; add --force to replace {them} (nothing was written)") from None
    except SaveError as error:
        raise UsageError(f"cannot write: {error}") from None
    for output, path in zip(files, written, strict=True):
        say(f"wrote {output.what} to {path}")
    for path in stale:
        path.unlink(missing_ok=True)
    if stale:
        say(f"removed {_span(stale)}, left from an earlier split")
    return EXIT_OK


def _siblings(files: list[Output]) -> int:
    return sum(1 for output in files if output.what in ("the trust policy", "the repository policy"))


def _span(paths) -> str:
    return str(paths[0]) if len(paths) == 1 else f"{paths[0]} … {paths[-1]} ({len(paths)} files)"


def emit_one(args: argparse.Namespace, text: str, what: str, path: str | None = None) -> int:
    """Write one output to stdout, or atomically to --output (or `path`)."""
    return emit_all(args, [Output(path or args.output, text, what)])


def add_debug_flag(parser: argparse.ArgumentParser) -> None:
    """--debug is accepted before or after the command; the copy on each command must not
    overwrite the value given before it, hence SUPPRESS there."""
    parser.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show the traceback of an internal error"
    )


def intent_answers(args) -> dict:
    """The answers `tighten` and `diagnose` take as flags (--role, --access, --repo, --region,
    --account, --principal), as core's with_answers / plan_fix take them (None: not given)."""
    from wizard.core.request import Access, Role

    return {
        "role": Role(args.role) if args.role else None,
        "access": Access(args.access) if args.access else None,
        "repositories": tuple(split_repositories(args.repositories)),
        "region": args.region,
        "account": args.account,
        "principal": args.principal,
    }
