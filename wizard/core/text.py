"""The one boundary for text from outside (files, pastes, arguments, the environment).

Anything shown on a terminal or in a widget passes through `visible` first: control
characters (C0, DEL, C1), bidirectional overrides, zero-width and line-separator characters
and lone surrogates become readable escapes such as `\\x1b` or `\\u202e`. A hostile policy can
then neither drive the terminal (OSC 52 clipboard writes, window titles, screen clears) nor
make text read differently from what it is (bidi tricks). The pattern is fixed here; no
pattern is ever built from outside text.
"""

from __future__ import annotations

import re

_INVISIBLE = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 but tab and newline, DEL, C1
    "\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f"  # bidi, zero-width, separators
    "\ufeff\ufff9-\ufffb\ud800-\udfff"  # BOM, interlinear annotation, lone surrogates
    "\U000e0000-\U000e007f"  # tag characters
)
_WITH_LAYOUT = re.compile(f"[{_INVISIBLE}]")
_ONE_LINE = re.compile(f"[{_INVISIBLE}\t\n]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code == 0x09:
        return "\\t"
    if code == 0x0A:
        return "\\n"
    if code == 0x0D:
        return "\\r"
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def visible(text: str, *, keep_newlines: bool = False) -> str:
    """`text` with every control or invisible formatting character shown as an escape.

    keep_newlines: keep line breaks and tabs (multi-line reports we lay out ourselves);
    otherwise they are escaped too, so one value stays on one line.
    """
    pattern = _WITH_LAYOUT if keep_newlines else _ONE_LINE
    return pattern.sub(_escape, text)


def quoted(value: str, limit: int = 80) -> str:
    """An outside value as messages quote it: in quotes, escaped, long ones shortened."""
    shown = visible(value)
    if len(shown) > limit:
        return f"'{shown[:limit]}…' ({len(value):,} characters)"
    return f"'{shown}'"


def has_control_characters(text: str) -> bool:
    """True when `text` holds a character `visible` would escape (tab and newline included)."""
    return _ONE_LINE.search(text) is not None


WIDTH = 78
"""The width plain-text explanations are laid out at (terminals, screen readers, comments)."""


def wrap(text: str, indent: str, hanging: str | None = None, width: int = WIDTH) -> list[str]:
    """`text` as lines of at most `width`, breaking only at spaces (never inside a name or ARN)."""
    import textwrap

    return textwrap.wrap(
        text,
        width=width,
        initial_indent=indent,
        subsequent_indent=hanging if hanging is not None else indent,
        break_on_hyphens=False,
        break_long_words=False,
    )
