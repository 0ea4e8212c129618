"""No command: the Textual wizard, or `--plain` prompts."""

from __future__ import annotations

import argparse
import os
import sys

from wizard.cli.common import EXIT_CANCELLED, EXIT_OK, PROG, UsageError
from wizard.core.text import visible


def run_wizard(args: argparse.Namespace) -> int:
    if args.plain:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise UsageError(
                "plain prompts need a terminal too (stdin or stdout is not one); without one use "
                f"'{PROG} generate --role ci --repo my-app --region us-east-1 --account 123456789012'"
            )
        from wizard.plain import run_plain

        return run_plain()
    from wizard.tui.app import PolicyWizardApp, available_themes

    if args.theme is not None and args.theme not in available_themes():
        raise UsageError(f"theme {args.theme!r} is not known. Available: {', '.join(available_themes())}")
    if not (sys.stdin.isatty() and sys.stdout.isatty()) and not _under_web_driver():
        raise UsageError(
            "the wizard needs a terminal (stdin or stdout is not one); without one, give the answers as "
            f"flags: '{PROG} generate --role ci --repo my-app --region us-east-1 --account 123456789012' "
            f"(see '{PROG} generate --help')"
        )
    app = PolicyWizardApp(theme=args.theme, debug=args.debug)
    app.run()
    if app.return_code == EXIT_CANCELLED:
        print(_cancelled_message(app.saved_paths), file=sys.stderr)
    return app.return_code or EXIT_OK


def _under_web_driver() -> bool:
    """True when textual-serve started us for a browser: stdin and stdout are its pipes, and
    the app runs in served mode (wizard/tui/served.py)."""
    from wizard.tui.served import WEB_DRIVER

    return os.environ.get("TEXTUAL_DRIVER") == WEB_DRIVER


def _cancelled_message(saved: list) -> str:
    """What a SIGINT left behind: nothing, or the files saved before it."""
    if not saved:
        return "Cancelled; nothing was written."
    return "Cancelled; saved earlier: " + ", ".join(visible(str(path)) for path in saved)
