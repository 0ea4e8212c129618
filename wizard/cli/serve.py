"""`ecr-policy serve`: the wizard in a browser, one session per visitor (a workshop).

textual-serve starts one `python -m wizard` per browser under Textual's web driver; the app
sees that driver and runs in served mode (wizard/tui/served.py): nothing on this machine's
disk is readable or writable from a browser. The web server lives in wizard/workshop.py.
"""

from __future__ import annotations

import argparse
import ipaddress
import shlex
import sys

from wizard.cli.common import EXIT_OK, PROG, UsageError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_MAX_SESSIONS = 30
"""A class and its teacher; each session is a Python process of about 50 MB (benchmarks/serve.py)."""
MAX_SESSIONS_CEILING = 500


def register(commands, parents) -> None:
    parser = commands.add_parser(
        "serve",
        parents=parents,
        help="serve the wizard to web browsers, one session each (a workshop)",
        description=(
            "Serve the wizard to web browsers: each visitor gets their own session, with nothing to install. "
            "In a browser the wizard cannot read or write files on this machine: checking a policy takes a "
            "paste, Save downloads the file in the browser, Copy uses the browser's clipboard. Crash reports "
            "stay on this machine; visitors see only that their session ended."
        ),
        epilog=(
            "A workshop on the local network:\n"
            f"  {PROG} serve --host 0.0.0.0 --public\n"
            "then students open http://THIS-MACHINE:8000 in a browser."
        ),
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        metavar="ADDRESS",
        help=f"address to listen on (default {DEFAULT_HOST}: this machine only); another needs --public",
    )
    parser.add_argument(
        "--port", default=str(DEFAULT_PORT), metavar="PORT", help=f"TCP port to listen on (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--public",
        action="store_true",
        help="confirm that other machines may open the wizard (required for a --host other than loopback)",
    )
    parser.add_argument(
        "--max-sessions",
        default=str(DEFAULT_MAX_SESSIONS),
        metavar="N",
        help=(
            f"browsers served at once (default {DEFAULT_MAX_SESSIONS}; at most {MAX_SESSIONS_CEILING}); "
            "one more is told the workshop is full"
        ),
    )
    parser.add_argument(
        "--theme",
        metavar="NAME",
        help="colour theme for every session: harbor-night (default), harbor-day, or any Textual theme",
    )
    parser.set_defaults(handler=run_serve)


def _number(value: str, option: str, low: int, high: int) -> int:
    try:
        number = int(value, 10)
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        from wizard.core.text import quoted

        raise UsageError(f"{option} must be a whole number from {low} to {high}, not {quoted(value)}")
    return number


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to an address others can reach


def who_can_reach(host: str, port: int) -> str:
    """Who could open the wizard when it listens on `host` (for the refusal without --public)."""
    from wizard.core.text import quoted

    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return f"anyone who can reach the host name {quoted(host)} on port {port} could open the wizard"
    if address.is_unspecified:
        return (
            f"{host} listens on every network interface: anyone who can reach this machine on port {port} "
            "(the local network, and beyond it if no firewall stops them) could open the wizard"
        )
    return f"anyone who can reach {host} on port {port} could open the wizard"


def app_command(theme: str | None, debug: bool = False) -> str:
    """The shell command textual-serve runs for each visitor: this Python, this wizard.
    (--debug sends a session's traceback to this console instead of a report file.)"""
    # -P: the server's working directory is not on the import path (a `wizard/` planted in the
    # folder the teacher starts from would otherwise run as the teacher).
    words = [sys.executable, "-P", "-m", "wizard", *(["--debug"] if debug else [])]
    if theme is not None:
        words += ["--theme", theme]
    return "exec " + shlex.join(words)  # textual-serve runs it through /bin/sh: no shell left waiting


def run_serve(args: argparse.Namespace) -> int:
    port = _number(args.port, "--port", 1, 65535)
    max_sessions = _number(args.max_sessions, "--max-sessions", 1, MAX_SESSIONS_CEILING)
    if not args.host.strip():
        raise UsageError("--host must not be empty; the default is 127.0.0.1 (this machine only)")
    if not is_loopback(args.host) and not args.public:
        raise UsageError(
            f"{who_can_reach(args.host, port)}.",
            f"(add --public to confirm, or leave out --host to serve this machine only: {DEFAULT_HOST})",
        )
    if args.theme is not None:
        from wizard.core.text import quoted
        from wizard.tui.app import available_themes

        if args.theme not in available_themes():
            raise UsageError(f"theme {quoted(args.theme)} is not known. Available: {', '.join(available_themes())}")
    try:
        from wizard.workshop import WorkshopServer
    except ImportError as error:
        raise UsageError(
            f"serving needs the 'serve' extra ({error.name} is missing): pip install 'ecr-policy-wizard[serve]'"
        ) from None
    server = WorkshopServer(app_command(args.theme, args.debug), args.host, port, max_sessions)
    try:
        server.serve()
    except OSError as error:
        raise UsageError(f"cannot listen on {args.host} port {port}: {error.strerror or error}") from None
    return EXIT_OK
