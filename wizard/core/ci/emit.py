"""Writing YAML and shell text that holds values from users: every value quoted, never trusted.

A branch, environment or project name is typed by a user and lands in a file that a CI system
runs. In YAML each such value is a double-quoted scalar (JSON's escapes are YAML's), with the
characters YAML forbids in a stream escaped as well; in comments it goes through `visible`,
so it can never end the comment line. Shell words are single-quoted.
"""

from __future__ import annotations

import json

from wizard.core.text import visible, wrap


def _yaml_printable(char: str) -> bool:
    """YAML 1.2's c-printable set (tab, line feed and carriage return are escaped by JSON already)."""
    code = ord(char)
    return (
        0x20 <= code <= 0x7E
        or code == 0x85
        or 0xA0 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def _yaml_escape(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def yaml_string(value: str) -> str:
    """`value` as a YAML double-quoted scalar that reads back as exactly `value`."""
    text = json.dumps(value, ensure_ascii=False)
    return "".join(char if _yaml_printable(char) else _yaml_escape(char) for char in text)


def yaml_quoted(value: str) -> str:
    """`value` as a YAML scalar that reads back as exactly `value`: single-quoted (no escapes,
    easier to read for shell commands) when it holds no quote and only printable characters."""
    if "'" in value or not all(_yaml_printable(char) for char in value):
        return yaml_string(value)
    return f"'{value}'"


def comment_lines(text: str, indent: str = "", width: int = 96) -> list[str]:
    """`text` as `# ` comment lines, wrapped; outside text cannot break out of them."""
    wrapped = wrap(visible(text), f"{indent}# ", width=width + len(indent) + 2) or [f"{indent}#"]
    return [line.rstrip() for line in wrapped]


def comment_block(sentences, indent: str = "") -> list[str]:
    """Sentences as comment lines: each wrapped, except details that start with two spaces
    (a command, an ARN) and sources, which stay whole on one line."""
    lines: list[str] = []
    for sentence in sentences:
        if sentence.startswith("  "):
            lines.append(f"{indent}#   {visible(sentence.strip())}")
        elif sentence.startswith("Source: "):  # an address is never wrapped
            lines.append(f"{indent}# {visible(sentence)}")
        else:
            lines += comment_lines(sentence, indent)
    return lines


def shell_word(text: str) -> str:
    """A shell word that stands for exactly `text` (single-quoted unless plainly safe)."""
    safe = text and all(char.isascii() and (char.isalnum() or char in "._/:@=+,-") for char in text)
    return text if safe else "'" + text.replace("'", "'\\''") + "'"
