"""No command: the Textual wizard, or `--plain` prompts."""

from __future__ import annotations

import argparse
import sys

from wizard.cli.common import EXIT_OK, PROG, UsageError


def run_wizard(args: argparse.Namespace) -> int:
    if args.plain:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise UsageError(
                "plain prompts need a terminal (stdin or stdout is not one); in scripts use "
                f"'{PROG} generate --role ... --repo ... --account ...'"
            )
        from wizard.plain import run_plain

        return run_plain()
    from wizard.tui.app import PolicyWizardApp, available_themes

    if args.theme is not None and args.theme not in available_themes():
        raise UsageError(f"theme {args.theme!r} is not known. Available: {', '.join(available_themes())}")
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(
            "the wizard needs a terminal (stdin or stdout is not one); in scripts use "
            f"'{PROG} generate --role ... --repo ... --account ...', or '{PROG} --plain' for plain prompts"
        )
    app = PolicyWizardApp(theme=args.theme, debug=args.debug)
    app.run()
    return app.return_code or EXIT_OK
