"""Served mode: the wizard in a visitor's browser (`ecr-policy serve`, or any textual-serve).

The app runs on the teacher's machine but is driven by whoever opened the page, so nothing a
visitor types may name a file here: checking a policy takes a paste (no file name field; the
page's upload button sends a file from the visitor's computer as a paste, wizard/workshop.py),
Save sends the file to the browser as a download (Textual's `deliver_text`), and Copy goes
to the browser's clipboard (OSC 52, which textual-serve's page hands to the Clipboard API)
rather than the clipboard of the machine running the server. Crash reports are written on
the server and their paragraph goes to its console (the app's stderr); the browser only
shows that the session ended.

Served mode is decided by the driver, not by a flag: a browser session is safe however the
app was started.
"""

from __future__ import annotations

import io
import mimetypes
from pathlib import PurePath

from textual.app import App

from wizard.clipboard import CopyOutcome

WEB_DRIVER = "textual.drivers.web_driver:WebDriver"
"""The TEXTUAL_DRIVER that textual-serve sets for each app process it starts."""

MIME_TYPES = {
    ".json": "application/json",
    ".tf": "text/plain",
    ".yaml": "application/yaml",
    ".sh": "text/x-shellscript",
}


def is_served(app: App) -> bool:
    """True when a browser drives the app (Textual's web driver)."""
    return app.is_web


def copy_in_browser(app: App, text: str, what: str) -> CopyOutcome:
    """Put `text` on the visitor's clipboard, never the server's."""
    app.copy_to_clipboard(text)
    return CopyOutcome(
        True,
        "browser",
        f"Copied {what} to your browser's clipboard. Nothing to paste? Use Save: it downloads the file.",
        f"Copied {what} (browser clipboard).",
    )


def download_names(name: str, count: int) -> list[str]:
    """One name per file: policy.json, or policy-1.json, policy-2.json … for a split policy."""
    if count == 1:
        return [name]
    path = PurePath(name)
    suffix = path.suffix or ".json"
    return [f"{path.stem}-{number}{suffix}" for number in range(1, count + 1)]


def download(app: App, texts: list[str], name: str) -> list[str]:
    """Send each text to the browser as a file download; return the file names offered."""
    names = download_names(PurePath(name).name, len(texts))
    for text, file_name in zip(texts, names, strict=True):
        suffix = PurePath(file_name).suffix
        mime_type = MIME_TYPES.get(suffix) or mimetypes.guess_type(file_name)[0] or "text/plain"
        app.deliver_text(io.StringIO(text), save_filename=file_name, mime_type=mime_type, encoding="utf-8")
    return names


def download_message(names: list[str]) -> str:
    if len(names) == 1:
        return f"Downloading {names[0]} in your browser."
    return f"Downloading {len(names)} files in your browser: {names[0]} … {names[-1]}."


BROWSER_KEYS = {
    "copy (system clipboard, else the terminal's)": "copy to your browser's clipboard",
    "save to a file (asks before replacing one)": "download the file in your browser",
    "save the explanation as Markdown or HTML (a handout)": "download the explanation as Markdown or HTML",
    "check and explain a policy (a file, or pasted)": "check a policy you paste (or upload: the page's button)",
    "ctrl+n[/]         next step\n": (
        "ctrl+n[/]         next step (a browser may keep ctrl+n for a new\n"
        "                 window: then use enter, or click Next)\n"
    ),
}
"""What the keys do in a browser, where the help (F1) differs from a terminal's."""


def browser_help(keys: str) -> str:
    for terminal, browser in BROWSER_KEYS.items():
        keys = keys.replace(terminal, browser)
    return keys
