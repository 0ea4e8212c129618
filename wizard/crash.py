"""What happens on a bug: a short message for the user, the full story in a report file.

Every front end routes unexpected exceptions here. The user sees one paragraph (what
happened, where the report is, how to see the traceback); the report holds the traceback,
the versions, the command line and, when there is one, the policy being worked on, so no
work is lost to a crash.
"""

from __future__ import annotations

import os
import platform
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
    for directory in (report_directory(), Path(tempfile.gettempdir())):
        try:
            directory.mkdir(parents=True, exist_ok=True)
            path = directory / name
            path.write_text(text, encoding="utf-8")
            return path
        except OSError:
            continue
    return None


def crash_message(error: BaseException, report: Path | None) -> str:
    """The short paragraph shown instead of a traceback."""
    what = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    where = f"A full report was written to {report}" if report else "No report could be written (no writable directory)"
    return (
        f"error: internal error ({what}). This is a bug in ecr-policy, not in your input. "
        f"{where}; please include it if you report the bug. Run again with --debug to see the traceback."
    )
