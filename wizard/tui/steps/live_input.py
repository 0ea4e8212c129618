"""An Input that reports each change while it handles the key."""

from __future__ import annotations

from collections.abc import Callable

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
