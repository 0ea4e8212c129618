"""The first question of "Save explanation": Markdown or HTML."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static

from wizard.core.explained import HANDOUT_FORMATS
from wizard.tui.dialogs import Dialog


class HandoutFormatDialog(Dialog[str | None]):
    """Markdown or HTML? Dismisses with the format key, or None (Escape)."""

    BINDINGS = [Binding("escape", "choose(None)", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="handout-format"):
            yield Label("Save the explanation", classes="dialog-title")
            yield Static(
                "The policy, each statement and action (why, without it, the call it serves), what breaks "
                "without each action, where it goes, the commands and the sources: the same handout as "
                "`ecr-policy explain --format markdown|html`."
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Markdown", id="markdown", variant="primary", compact=True)
                yield Button("HTML", id="html", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#markdown", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id if event.button.id in HANDOUT_FORMATS else None)

    def action_choose(self, choice: None) -> None:
        self.dismiss(choice)
