"""Inputs that report each change at once, and one that takes a pasted list of names."""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input

from wizard.core.text import visible

NAME_SEPARATORS = ("\n", "\r", ",", "\t", " ")
"""What separates names in a paste: lines (LF, CR or both, as terminals send them), commas,
tabs and spaces; no repository name contains any of them."""


ALT_DIGIT_CHARACTERS = frozenset("¡™£¢∞")
"""What alt+1 … alt+5 arrive as in tmux and terminals that send alt as ESC+key (Textual reads
ESC 1 as "¡", ...): the wizard's step jumps, so a field must not take them as typed text."""


class LiveInput(Input):
    """An Input that reports each change while it handles the key, not through a message.

    A Changed message reaches the step a few task switches later, usually after Textual has
    painted the frame with the typed character, so the preview would follow one or two frames
    (17-33 ms) behind. Reporting from the value watcher puts both in the same frame.
    """

    virtual_size = Reactive(Size(0, 0), layout=False)
    """Input sets its virtual size (the text's width) on every change, and Textual's reactive
    for it lays the whole screen out again: each key in the wizard cost a full layout. The
    field's own size is fixed by CSS, so a repaint is all a change needs."""

    def __init__(self, on_change: Callable[[str], None], **kwargs) -> None:
        super().__init__(**kwargs)
        self._on_change = on_change

    def watch_value(self, value: str) -> None:
        self._on_change(value)

    def check_consume_key(self, key: str, character: str | None) -> bool:
        # Textual drops the app's bindings for any key a focused Input would type; the step
        # jumps must still work from inside a field.
        return (character is None or character not in ALT_DIGIT_CHARACTERS) and super().check_consume_key(
            key, character
        )

    def _on_paste(self, event: events.Paste) -> None:
        # Textual calls every class's _on_paste in turn (ours, then Input's) unless the default
        # is prevented: without prevent_default the text would be inserted twice.
        event.prevent_default()
        event.stop()
        lines = event.text.splitlines()
        if lines:
            self.paste_text(lines[0])

    def paste_text(self, text: str) -> None:
        """Insert pasted text at the cursor (over the selection), control characters made visible."""
        shown = visible(text)
        if self.selection.is_empty:
            self.insert_text_at_cursor(shown)
        else:
            self.replace(shown, *self.selection)


class ListInput(LiveInput):
    """A LiveInput where pasting several names hands them all over at once instead of keeping
    the first line only (what Input does with a multi-line paste)."""

    def __init__(self, on_change: Callable[[str], None], on_paste_many: Callable[[str], None], **kwargs) -> None:
        super().__init__(on_change, **kwargs)
        self._on_paste_many = on_paste_many

    def _on_paste(self, event: events.Paste) -> None:
        event.prevent_default()  # see LiveInput._on_paste
        event.stop()
        if any(separator in event.text.strip() for separator in NAME_SEPARATORS):
            self._on_paste_many(event.text)
        else:
            self.paste_text(event.text.strip())
