"""Step 2: the repositories, names or wildcard patterns, validated as they are typed."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from wizard.core.answers import Step
from wizard.core.limits import REPOSITORY_LIST_BYTES, REPOSITORY_NAMES
from wizard.core.request import Message as FieldMessage
from wizard.core.request import check_repository
from wizard.tui.outside import plain
from wizard.tui.steps.base import Advance, WizardStep, feedback, key_hint
from wizard.tui.steps.live_input import ListInput
from wizard.tui.widgets import set_content


class RepositoryList(OptionList):
    """The repositories added so far; delete removes, enter edits."""

    DEFAULT_CSS = """
    RepositoryList { height: 1; border: none; padding: 0; background: $surface; }
    RepositoryList:focus { background-tint: $primary 8%; }
    """

    BINDINGS = [
        Binding("delete,backspace", "remove", "Remove", show=False),  # the status line says it
        Binding("e", "edit", "Edit", show=False),
    ]

    class Remove(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    class Edit(Remove):
        pass

    def action_remove(self) -> None:
        if self.highlighted is not None:
            self.post_message(self.Remove(self.highlighted))

    def action_edit(self) -> None:
        if self.highlighted is not None:
            self.post_message(self.Edit(self.highlighted))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Edit(event.option_index))

    def on_option_list_option_highlighted(self) -> None:
        self.app.show_status()  # type: ignore[attr-defined]  # "Enter edits NAME"


class RepositoriesStep(WizardStep):
    step = Step.REPOSITORIES

    def compose(self) -> ComposeResult:
        yield Label("Which repositories?", classes="step-title")
        yield Static("Enter adds a name or pattern; Enter on an empty field moves on.", classes="hint")
        yield ListInput(
            self._typed,
            self.add_names,
            placeholder="e.g. my-app or team-a/*",
            id="repo-input",
            classes="first-focus",
            select_on_focus=False,
        )
        yield Static(id="repo-feedback", classes="feedback")
        yield Static(id="repo-list-title", classes="field-title")
        yield RepositoryList(id="repo-list")

    def on_mount(self) -> None:
        self.refresh_from_answers()

    def refresh_from_answers(self) -> None:
        field = self.query_one("#repo-input", Input)
        if field.value != self.answers.pending_repository:
            field.value = self.answers.pending_repository
        self._refresh_list()
        self._show_feedback()

    def _refresh_list(self) -> None:
        listing = self.query_one("#repo-list", RepositoryList)
        highlighted = listing.highlighted
        listing.set_options(Option(plain(name)) for name in self.answers.repositories)
        listing.can_focus = bool(self.answers.repositories)  # Tab skips an empty list
        # A set height, not auto: measuring thousands of options on every layout (each key
        # typed) is what made typing slow with many repositories. Long names scroll.
        listing.styles.height = max(1, min(len(self.answers.repositories), 12))
        listing.display = bool(self.answers.repositories)
        if self.answers.repositories:
            listing.highlighted = min(highlighted or 0, len(self.answers.repositories) - 1)
        count = len(self.answers.repositories)
        title = (
            f"Added ({count:,}) [not bold $foreground-muted]Tab, then Del removes, Enter edits[/]"
            if count
            else "Nothing added yet"
        )
        set_content(self.query_one("#repo-list-title", Static), Content.from_markup(title))

    def _show_feedback(self, extra: FieldMessage | None = None) -> None:
        pending = self.answers.pending_repository.strip()
        target = self.query_one("#repo-feedback", Static)
        if extra is not None:
            set_content(target, feedback(extra))
        elif pending:
            check = check_repository(pending)
            if check.ok and not check.warnings:
                set_content(target, Content.from_markup("[$success]✓[/] Enter adds it"))
            else:
                set_content(target, feedback(check.error, check.warnings))
        else:
            set_content(target, "")

    def _typed(self, value: str) -> None:
        if value == self.answers.pending_repository or not self.is_mounted:
            return
        self.answers.pending_repository = value
        self._show_feedback()
        self.changed()

    @on(Input.Submitted, "#repo-input")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self.post_message(Advance())
            return
        self.add_names(text)

    def add_names(self, text: str) -> None:
        """Add one name, or several separated by commas, spaces or new lines (a paste)."""
        if len(text.encode("utf-8", "surrogatepass")) > REPOSITORY_LIST_BYTES.size:
            self._show_feedback(
                FieldMessage(
                    "pasted text",
                    "",
                    f"is larger than {REPOSITORY_LIST_BYTES.describe()}, the limit for {REPOSITORY_LIST_BYTES.what}",
                    "Paste fewer names at a time.",
                )
            )
            return
        names = [name for name in text.replace(",", " ").split() if name][: REPOSITORY_NAMES.size + 1]
        rejected: list[str] = []
        first_error: FieldMessage | None = None
        for name in names:
            problem = self.answers.add_repository(name)
            if problem is not None:
                rejected.append(name)
                first_error = first_error or problem
        self.answers.pending_repository = " ".join(rejected)
        self.query_one("#repo-input", Input).value = self.answers.pending_repository
        self._refresh_list()
        self._show_feedback(first_error)
        self.changed()

    @on(RepositoryList.Remove)
    def _remove(self, event: RepositoryList.Remove) -> None:
        if isinstance(event, RepositoryList.Edit):
            name = self.answers.repositories.pop(event.index)
            self.answers.pending_repository = name
            field = self.query_one("#repo-input", Input)
            field.value = name
            field.focus()
            field.cursor_position = len(name)
        else:
            self.answers.repositories.pop(event.index)
        self._refresh_list()
        self._show_feedback()
        self.changed()

    def show_errors(self) -> None:
        errors = self.answers.step_errors(Step.REPOSITORIES)
        if errors:
            self._show_feedback(errors[0])

    def status_hint(self, focused: Widget | None) -> Content:
        listing = self.query_one("#repo-list", RepositoryList)
        if focused is listing and listing.highlighted is not None and self.answers.repositories:
            name = self.answers.repositories[listing.highlighted]
            return key_hint("[k]Enter[/k] edits $name · [k]Del[/k] removes it · [k]ctrl+n[/k] next step", name=name)
        pending = self.answers.pending_repository.strip()
        if pending:
            check = check_repository(pending)
            if check.error is not None:
                return key_hint("[$foreground-muted]To continue:[/] fix the name ($why)", why=check.error.reason)
            return key_hint("[k]Enter[/k] adds $name · [k]ctrl+n[/k] adds it and goes on", name=pending)
        if not self.answers.repositories:
            return key_hint("Type a repository name, then [k]Enter[/k] adds it")
        return self.next_step_hint()
