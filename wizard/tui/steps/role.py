"""Step 1: who pulls or pushes, and with which access."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from wizard.core.answers import Step
from wizard.core.request import Access, Role
from wizard.core.roles import ROLES
from wizard.tui.steps.base import Advance, WizardStep, key_hint
from wizard.tui.widgets import ChoiceList


class RoleStep(WizardStep):
    step = Step.ROLE
    BINDINGS = [Binding("ctrl+e", "app.paste_error", "Paste error")]
    """Starting from an error message is offered where a session starts (and in the palette)."""

    def compose(self) -> ComposeResult:
        yield ChoiceList(
            [(info.role.value, info.title) for info in ROLES.values()],
            self.answers.role.value,
            heading="Who pulls or pushes the images?",
            id="role-list",
            classes="first-focus",
        )
        yield ChoiceList(
            [(Access.PULL.value, "Pull only"), (Access.PUSH.value, "Push (includes pull)")],
            self.answers.access.value,
            heading="Access",
            id="access-list",
        )
        yield Static(id="role-info", classes="info")

    def on_mount(self) -> None:
        self._show_role_info()

    def _show_role_info(self) -> None:
        info = ROLES[self.answers.role]
        heading = "Who pushes and pulls" if self.answers.access is Access.PUSH else "Who really pulls"
        content = Content.from_markup(
            "[b]$heading[/b]\n$who\n\n[b]Attach the policy to[/b]\n$attach",
            heading=heading,
            who=info.who_pulls,
            attach=info.attach_to,
        )
        if info.caveat:
            content += Content.from_markup("\n\n[$warning b]Caution[/] $caveat", caveat=info.caveat)
        self.query_one("#role-info", Static).update(content)

    @on(ChoiceList.Chosen, "#role-list")
    def _role_chosen(self, event: ChoiceList.Chosen) -> None:
        self.answers.choose_role(Role(event.value))
        self.query_one("#access-list", ChoiceList).set_value(self.answers.access.value)
        self._show_role_info()
        self.changed()

    @on(ChoiceList.Chosen, "#access-list")
    def _access_chosen(self, event: ChoiceList.Chosen) -> None:
        self.answers.access = Access(event.value)
        self._show_role_info()
        self.changed()

    @on(ChoiceList.Confirmed)
    def _confirmed(self) -> None:
        self.post_message(Advance())

    def status_hint(self, focused: Widget | None) -> Content:
        what = "pull or push" if focused is not None and focused.id == "access-list" else "who"
        return key_hint(
            "[k]↑ ↓[/k] choose $what · [k]Enter[/k] next step: $title", what=what, title=Step.REPOSITORIES.title
        )

    def refresh_from_answers(self) -> None:
        self.query_one("#role-list", ChoiceList).set_value(self.answers.role.value)
        self.query_one("#access-list", ChoiceList).set_value(self.answers.access.value)
        self._show_role_info()
