"""What happens on a bug: a short message for the user, the full story in a report file.

Every front end routes unexpected exceptions here. The user sees one paragraph (what
happened, where the report is, how to see the traceback); the report holds the traceback,
the versions, the command line and, when there is one, the policy being worked on, so no
work is lost to a crash.
"""

from __future__ import annotations

import os
import platform
import stat
import sys
import tempfile
import time
import traceback
from pathlib import Path

EXIT_INTERNAL_ERROR = 70
"""EX_SOFTWARE from sysexits.h: an internal software error."""


def report_directory() -> Path:
    """$XDG_CACHE_HOME/ecr-policy (~/.cache/ecr-policy), or the temporary directory."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ecr-policy"


def write_report(error: BaseException, context: str = "") -> Path | None:
    """Write a crash report; return its path, or None when no directory would take it."""
    from wizard import __version__

    lines = [
        f"ecr-policy {__version__} crash report, {time.strftime('%Y-%m-%d %H:%M:%S %z')}",
        f"Python {sys.version.split()[0]} on {platform.platform()}",
        f"Command: {' '.join(sys.argv)}",
        "",
        "".join(traceback.format_exception(error)).rstrip(),
    ]
    if context:
        lines += ["", "Work in progress when it happened:", context.rstrip()]
    text = "\n".join(lines) + "\n"
    name = f"crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.txt"
    for directory in (report_directory(), Path(tempfile.gettempdir()) / f"ecr-policy-{os.getuid()}"):
        if _reports_in(directory) >= MAX_REPORTS:
            return None  # a crash that repeats (or a visitor of `serve` crashing on purpose) fills no disk
        path = _write_private(directory, name, text)
        if path is not None:
            return path
    return None


MAX_REPORTS = 100
"""Reports kept in a directory at most: beyond, a crash says no report could be written."""


def _reports_in(directory: Path) -> int:
    try:
        with os.scandir(directory) as entries:
            return sum(1 for entry in entries if entry.name.startswith("crash-"))
    except OSError:
        return 0


def _write_private(directory: Path, name: str, text: str) -> Path | None:
    """Write `text` as a new file readable by its owner only, in a directory only the owner
    can enter; never through a planted link, never over an existing file.

    Reports hold the command line and the policy being edited: on a shared machine, nobody
    else may read them or make us write them somewhere else.
    """
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.lstat(directory)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
            return None  # a link, or somebody else's directory: do not write there
        if stat.S_IMODE(info.st_mode) & 0o077:
            os.chmod(directory, 0o700)
        descriptor = os.open(directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except OSError:
        return None
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(text)
    except OSError:
        return None
    return directory / name


def crash_message(error: BaseException, report: Path | None) -> str:
    """The short paragraph shown instead of a traceback."""
    what = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    where = (
        f"A full report was written to {report}"
        if report
        else f"No report could be written (no writable directory, or {MAX_REPORTS} reports there already)"
    )
    return (
        f"error: internal error ({what}). This is a bug in ecr-policy, not in your input. "
        f"{where}; please include it if you report the bug. Run again with --debug to see the traceback."
    )
