"""What every wizard step shares: access to the answers, inline feedback, moving on.

Steps edit the shared Answers and then call `app.answers_changed()` directly (not through a
message) so that a keystroke costs one screen refresh, not two. Only the role step is
imported and mounted at start-up; the others load on first visit (start-up is measured).
"""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message

from wizard.core.answers import Answers, Step
from wizard.core.request import Message as FieldMessage


class Advance(Message):
    """The user finished the step from inside it (Enter on a choice or an empty field)."""


def feedback(error: FieldMessage | None, warnings: tuple[FieldMessage, ...] | list[FieldMessage] = ()) -> Content:
    """An inline message under a field: the error in red, else warnings in amber."""
    if error is not None:
        reason = error.reason[0].upper() + error.reason[1:]
        return Content.from_markup(
            "[$error]✗ $reason.[/] [$text-muted]$accepted[/]", reason=reason, accepted=error.accepted
        )
    if warnings:
        return Content("\n").join(Content.from_markup("[$warning]! $text[/]", text=_sentence(w)) for w in warnings)
    return Content("")


def _sentence(message: FieldMessage) -> str:
    text = message.reason[0].upper() + message.reason[1:]
    return f"{text}. {message.accepted}" if message.accepted else f"{text}."


class WizardStep(VerticalScroll):
    """Base for a step: access to the shared answers."""

    step: Step

    @property
    def answers(self) -> Answers:
        return self.app.answers  # type: ignore[attr-defined]

    def changed(self) -> None:
        self.app.answers_changed()  # type: ignore[attr-defined]

    def refresh_from_answers(self) -> None:
        """Show the answers (they may have changed on another step or from the palette)."""

    def show_errors(self) -> None:
        """Make the step's blocking problems visible next to their fields."""

    def focus_first(self) -> None:
        self.query(".first-focus").first().focus()
