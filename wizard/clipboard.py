"""Copying text to a clipboard the user can paste from, and saying which one was used.

First choice: the operating system's clipboard through pyperclip (pbcopy, xclip, xsel,
wl-copy, Windows). Where pyperclip finds no mechanism (headless Linux, an SSH session) the
text goes to the terminal's clipboard with an OSC 52 escape sequence, which most modern
terminals honour, even over SSH. Copying never raises: the outcome says what happened.
"""

from __future__ import annotations

import base64
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass

_MECHANISM_NAMES = {
    "copy_osx_pbcopy": "pbcopy",
    "copy_osx_pyobjc": "macOS pasteboard",
    "copy_xclip": "xclip",
    "copy_xsel": "xsel",
    "copy_wl": "wl-copy",
    "copy_klipper": "Klipper",
    "copy_qt": "Qt",
    "copy_windows": "Windows clipboard",
    "copy_wsl": "Windows clipboard (WSL)",
    "copy_dev_clipboard": "/dev/clipboard",
}


_NOT_COPIED = "Could not copy. Save {what} to a file instead."


@dataclass(frozen=True)
class CopyOutcome:
    """What a copy did, in words fit to show the user."""

    ok: bool
    via: str
    """"system" (pyperclip), "terminal" (OSC 52) or "none"."""
    message: str
    """One or two short sentences: what happened and, when it matters, why and what to do."""
    short: str = ""
    """A few words for a status line."""


def osc52_sequence(text: str) -> str:
    """The OSC 52 escape that asks the terminal to put `text` on its clipboard."""
    encoded = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return f"\x1b]52;c;{encoded}\a"


def why_no_system_clipboard(error: Exception) -> str:
    """The real reason pyperclip found no clipboard, in the user's terms.

    pyperclip says only "could not find a copy/paste mechanism"; most often a tool is
    installed but has no display to talk to (an SSH session, a container, a CI shell).
    """
    for tool, display in (("xclip", "DISPLAY"), ("xsel", "DISPLAY"), ("wl-copy", "WAYLAND_DISPLAY")):
        if shutil.which(tool) and not os.environ.get(display):
            return f"{tool} has no display ({display} unset)"
    if "mechanism" in str(error):
        return "no clipboard tool (xclip, xsel, wl-clipboard) is installed"
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def copy_text(text: str, terminal_copy: Callable[[str], None] | None, what: str = "the policy") -> CopyOutcome:
    """Copy through pyperclip, else through `terminal_copy` (an OSC 52 writer)."""
    try:
        import pyperclip

        copy, _paste = pyperclip.determine_clipboard()
        copy(text)
    except Exception as error:  # pyperclip raises PyperclipException, OSError, subprocess errors...
        reason = why_no_system_clipboard(error)
    else:
        mechanism = _MECHANISM_NAMES.get(getattr(copy, "__name__", ""), "pyperclip")
        message = f"Copied {what} to the system clipboard ({mechanism})."
        return CopyOutcome(True, "system", message, f"Copied {what} to the clipboard ({mechanism}).")

    if terminal_copy is None:
        return CopyOutcome(
            False, "none", f"Could not copy: {reason}. Save {what} to a file instead.", _NOT_COPIED.format(what=what)
        )
    try:
        terminal_copy(text)
    except Exception as error:
        return CopyOutcome(
            False, "none", f"Could not copy ({error}). Save {what} to a file instead.", _NOT_COPIED.format(what=what)
        )
    advice = (
        "In tmux: set -g set-clipboard on, or save." if os.environ.get("TMUX") else "Nothing to paste? Save instead."
    )
    return CopyOutcome(
        True,
        "terminal",
        f"Copied through the terminal (OSC 52): {reason}. {advice}",
        "Copied through the terminal (OSC 52).",
    )
