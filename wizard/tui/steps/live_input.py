"""An Input that reports each change while it handles the key."""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.widgets import Input


class LiveInput(Input):
    """An Input that reports each change while it handles the key, not through a message.

    A Changed message reaches the step a few task switches later, usually after Textual has
    painted the frame with the typed character, so the preview would follow one or two frames
    (17-33 ms) behind. Reporting from the value watcher puts both in the same frame.
    """

    def __init__(self, on_change: Callable[[str], None], **kwargs) -> None:
        super().__init__(**kwargs)
        self._on_change = on_change

    def watch_value(self, value: str) -> None:
        self._on_change(value)


class ListInput(LiveInput):
    """A LiveInput where pasting several names (one per line, or separated by commas or
    spaces) hands them all over at once instead of squashing them into one line."""

    def __init__(self, on_change: Callable[[str], None], on_paste_many: Callable[[str], None], **kwargs) -> None:
        super().__init__(on_change, **kwargs)
        self._on_paste_many = on_paste_many

    def _on_paste(self, event: events.Paste) -> None:
        if any(separator in event.text.strip() for separator in "\n,\t "):
            event.prevent_default()
            event.stop()
            self._on_paste_many(event.text)
        else:
            super()._on_paste(event)
