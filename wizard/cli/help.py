"""How `--help` reads: wrapped prose, examples kept whole, names never split.

argparse's default formatter wraps every paragraph, the examples included (so a command is
cut in two and cannot be pasted), breaks words at hyphens ("harbor-" / "day",
"--cache-create-" / "repositories") and leaves long description lines as they are. This one
wraps prose between words only, keeps any line that starts with two spaces (examples,
tables) exactly as written, and titles sections the way `docker` and `gh` users expect.
"""

from __future__ import annotations

import argparse
import shutil
import textwrap

HELP_WIDTH = 100
"""Wrap help at the terminal's width, up to this many columns (long lines tire the eye)."""


class HelpFormatter(argparse.HelpFormatter):
    def __init__(self, prog: str, **kwargs) -> None:
        width = min(shutil.get_terminal_size((80, 24)).columns, HELP_WIDTH) - 2
        super().__init__(prog, max_help_position=30, width=max(width, 40), **kwargs)

    def _split_lines(self, text: str, width: int) -> list[str]:
        return _wrap(" ".join(text.split()), width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        """Prose wrapped between words; lines starting with two spaces kept verbatim."""
        lines: list[str] = []
        for paragraph in text.strip("\n").split("\n\n"):
            if lines:
                lines.append("")
            prose: list[str] = []
            for line in [*paragraph.splitlines(), "  "]:  # the sentinel flushes the last prose
                if line.startswith("  "):
                    if prose:
                        lines += [indent + part for part in _wrap(" ".join(" ".join(prose).split()), width)]
                        prose = []
                    if line.strip():
                        lines.append(indent + line)
                else:
                    prose.append(line)
        return "\n".join(lines)

    def _format_action(self, action: argparse.Action) -> str:
        if isinstance(action, argparse._SubParsersAction):  # the commands, without a COMMAND line above them
            return "".join(super(HelpFormatter, self)._format_action(command) for command in action._get_subactions())
        return super()._format_action(action)

    def start_section(self, heading: str | None) -> None:
        super().start_section(heading[:1].upper() + heading[1:] if heading else heading)

    def add_usage(self, usage, actions, groups, prefix=None) -> None:
        super().add_usage(usage, actions, groups, "Usage: " if prefix is None else prefix)


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [""]
