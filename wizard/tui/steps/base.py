"""What every wizard step shares: access to the answers, inline feedback, moving on.

Steps edit the shared Answers and then call `app.answers_changed()` directly (not through a
message) so that a keystroke costs one screen refresh, not two. Only the role step is
imported and mounted at start-up; the others load on first visit (start-up is measured).

Enter behaves the same way on every step: in a choice list it moves to the next step; in a
text field it does what the field is for (add the name, pick the region) and, once there is
nothing left to do there, moves on. The status line says which, for the focused widget.
"""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widget import Widget

from wizard.core.answers import Answers, Step
from wizard.core.request import Message as FieldMessage
from wizard.core.request import shown_value
from wizard.tui.outside import template


class Advance(Message):
    """The user finished the step from inside it (Enter on a choice or an empty field)."""


def feedback(error: FieldMessage | None, warnings: tuple[FieldMessage, ...] | list[FieldMessage] = ()) -> Content:
    """An inline message under a field: the error in red, else warnings in amber."""
    if error is not None:
        reason = error.reason[0].upper() + error.reason[1:]
        return template("[$error]✗ $reason.[/] [$foreground-muted]$accepted[/]", reason=reason, accepted=error.accepted)
    if warnings:
        return Content("\n").join(template("[$warning]! $text[/]", text=_sentence(w)) for w in warnings)
    return Content("")


def _sentence(message: FieldMessage) -> str:
    text = message.reason[0].upper() + message.reason[1:]
    return f"{text}. {message.accepted}" if message.accepted else f"{text}."


def short_problem(message: FieldMessage) -> str:
    """A field's problem in a few words, for the one-line status."""
    subject = f"{message.field} {shown_value(message.value, 30)}" if message.value else message.field
    return f"{subject}: {message.reason}"


def key_hint(markup: str, **values: str) -> Content:
    """A status hint: keys in bold accent ([k]enter[/k]), outside values as plain text."""
    return template(markup.replace("[k]", "[b $accent]").replace("[/k]", "[/]"), **values)


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

    def status_hint(self, focused: Widget | None) -> Content:
        """What Enter does with `focused`, or what still blocks the step."""
        errors = self.answers.step_errors(self.step)
        if errors:
            return key_hint("[$foreground-muted]To continue:[/] $problem", problem=short_problem(errors[0]))
        return self.next_step_hint()

    def next_step_hint(self) -> Content:
        following = Step(self.step + 1)
        return key_hint("[$success]✓[/] [k]Enter[/k] next step: $title", title=following.title)
