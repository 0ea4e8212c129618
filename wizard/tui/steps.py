"""The four wizard steps. Each edits the shared Answers and says so with `AnswersChanged`."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from wizard.core.answers import Answers, Preview, Step
from wizard.core.regions import KNOWN_REGIONS, PARTITIONS, login_command, partition_for
from wizard.core.request import Access, Message as FieldMessage, Role, check_account, check_region, check_repository
from wizard.core.roles import ROLES
from wizard.core.size import Strategy
from wizard.tui.widgets import ChoiceList


class AnswersChanged(Message):
    """Some answer changed: the preview, the step bar and the status line follow."""


class Advance(Message):
    """The user finished the step from inside it (Enter on a choice or an empty field)."""


def feedback(error: FieldMessage | None, warnings: tuple[FieldMessage, ...] | list[FieldMessage] = ()) -> Content:
    """An inline message under a field: the error in red, else warnings in amber."""
    if error is not None:
        reason = error.reason[0].upper() + error.reason[1:]
        return Content.from_markup("[$error]✗ $reason.[/] [$text-muted]$accepted[/]", reason=reason, accepted=error.accepted)
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
        self.post_message(AnswersChanged())

    def refresh_from_answers(self) -> None:
        """Show the answers (they may have changed on another step or from the palette)."""

    def show_errors(self) -> None:
        """Make the step's blocking problems visible next to their fields."""

    def focus_first(self) -> None:
        self.query(".first-focus").first().focus()


class RoleStep(WizardStep):
    step = Step.ROLE

    def compose(self) -> ComposeResult:
        yield Label("Who pulls or pushes the images?", classes="step-title")
        yield ChoiceList(
            [(info.role.value, info.title) for info in ROLES.values()],
            self.answers.role.value,
            id="role-list",
            classes="first-focus",
        )
        yield Label("Access", classes="field-title")
        yield ChoiceList(
            [(Access.PULL.value, "Pull only"), (Access.PUSH.value, "Push (includes pull)")],
            self.answers.access.value,
            id="access-list",
        )
        yield Static(id="role-info", classes="info")

    def on_mount(self) -> None:
        self._show_role_info()

    def _show_role_info(self) -> None:
        info = ROLES[self.answers.role]
        content = Content.from_markup(
            "[b]Who really pulls[/b]\n$who\n\n[b]Attach the policy to[/b]\n$attach",
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
        self.changed()

    @on(ChoiceList.Confirmed)
    def _confirmed(self) -> None:
        self.post_message(Advance())

    def refresh_from_answers(self) -> None:
        self.query_one("#role-list", ChoiceList).set_value(self.answers.role.value)
        self.query_one("#access-list", ChoiceList).set_value(self.answers.access.value)
        self._show_role_info()


class RepositoryList(OptionList):
    """The repositories added so far; delete removes, enter edits."""

    BINDINGS = [
        Binding("delete,backspace", "remove", "Remove"),
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


class RepositoriesStep(WizardStep):
    step = Step.REPOSITORIES

    def compose(self) -> ComposeResult:
        yield Label("Which repositories?", classes="step-title")
        yield Static("Enter adds a name or pattern; Enter on an empty field moves on.", classes="hint")
        yield Input(placeholder="e.g. my-app or team-a/*", id="repo-input", classes="first-focus", select_on_focus=False)
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
        listing.set_options(Option(name) for name in self.answers.repositories)
        if self.answers.repositories:
            listing.highlighted = min(highlighted or 0, len(self.answers.repositories) - 1)
        count = len(self.answers.repositories)
        title = f"Added: {count} [dim](Del removes, Enter edits)[/]" if count else "Nothing added yet"
        self.query_one("#repo-list-title", Static).update(Content.from_markup(title))

    def _show_feedback(self, extra: FieldMessage | None = None) -> None:
        pending = self.answers.pending_repository.strip()
        target = self.query_one("#repo-feedback", Static)
        if extra is not None:
            target.update(feedback(extra))
        elif pending:
            check = check_repository(pending)
            if check.ok and not check.warnings:
                target.update(Content.from_markup("[$success]✓[/] Enter adds it"))
            else:
                target.update(feedback(check.error, check.warnings))
        else:
            target.update("")

    @on(Input.Changed, "#repo-input")
    def _typed(self, event: Input.Changed) -> None:
        if event.value == self.answers.pending_repository:
            return
        self.answers.pending_repository = event.value
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
        names = [name for name in text.replace(",", " ").split() if name]
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


def _place(title: str) -> str:
    """ "Asia Pacific (Tokyo)" -> "Tokyo": short enough for a narrow list."""
    return title[title.find("(") + 1 : -1] if title.endswith(")") else title


def _region_options(search: str) -> list[Option]:
    words = search.lower().split()
    options: list[Option] = []
    for partition in PARTITIONS:
        matches = [
            Option(f"{code:<15}{_place(title)}", id=code)
            for code, title in partition.regions.items()
            if all(word in f"{code} {title}".lower() for word in words)
        ]
        if matches:
            options.append(Option(Content.from_markup("[b]$title[/b]", title=partition.title), disabled=True))
            options.extend(matches)
    return options


class TargetStep(WizardStep):
    step = Step.TARGET

    def compose(self) -> ComposeResult:
        yield Label("Region", classes="step-title")
        yield Input(placeholder="us-east-1, or search: tokyo, frankfurt…", id="region-input", classes="first-focus")
        yield Static(id="region-feedback", classes="feedback")
        yield OptionList(*_region_options(""), id="region-list")
        yield Label("Account ID (owner of the repositories)", classes="field-title")
        yield Input(placeholder="12 digits, e.g. 123456789012", id="account-input")
        yield Static(id="account-feedback", classes="feedback")

    def on_mount(self) -> None:
        self.refresh_from_answers()

    def refresh_from_answers(self) -> None:
        for selector, value in (("#region-input", self.answers.region), ("#account-input", self.answers.account)):
            field = self.query_one(selector, Input)
            if field.value != value:
                field.value = value
        self._filter_regions()
        self._show_feedback(errors_too=False)

    def _filter_regions(self) -> None:
        typed = self.answers.region.strip()
        search = "" if typed.lower() in KNOWN_REGIONS else typed
        listing = self.query_one("#region-list", OptionList)
        listing.set_options(_region_options(search))
        if typed.lower() in KNOWN_REGIONS:
            listing.highlighted = listing.get_option_index(typed.lower())

    def _first_match(self) -> str | None:
        listing = self.query_one("#region-list", OptionList)
        return next((option.id for option in listing.options if not option.disabled), None)

    def _show_feedback(self, errors_too: bool) -> None:
        self._show_region_feedback(errors_too)
        self._show_account_feedback(errors_too)

    def _show_region_feedback(self, errors_too: bool) -> None:
        typed = self.answers.region.strip()
        check = check_region(typed)
        match = self._first_match()
        if check.ok and not check.warnings:
            assert check.value is not None
            message = Content.from_markup(
                "[$success]✓[/] $title (partition $partition)",
                title=KNOWN_REGIONS[check.value],
                partition=partition_for(check.value).name,
            )
        elif typed and not check.ok and match and not errors_too:
            # Still searching: say what Enter would pick rather than shouting an error.
            message = Content.from_markup("Enter picks [b]$code[/b], $title", code=match, title=KNOWN_REGIONS[match])
        else:
            message = feedback(check.error if (typed or errors_too) else None, check.warnings)
        self.query_one("#region-feedback", Static).update(message)

    def _show_account_feedback(self, errors_too: bool) -> None:
        typed = self.answers.account.strip()
        check = check_account(typed)
        if check.ok:
            message = Content.from_markup("[$success]✓[/] account $account", account=check.value or "")
        else:
            message = feedback(check.error if (typed or errors_too) else None)
        self.query_one("#account-feedback", Static).update(message)

    @on(Input.Changed, "#region-input")
    def _region_typed(self, event: Input.Changed) -> None:
        if event.value != self.answers.region:
            self.answers.region = event.value
            self._filter_regions()
            self._show_region_feedback(errors_too=False)
            self.changed()

    @on(Input.Submitted, "#region-input")
    def _region_submitted(self, event: Input.Submitted) -> None:
        # Enter on a search picks the first match; on a complete code, moves to the account.
        if not check_region(event.value).ok:
            match = self._first_match()
            if match is not None:
                self._choose_region(match)
                return
            self._show_region_feedback(errors_too=True)
            return
        self.query_one("#account-input", Input).focus()

    @on(OptionList.OptionSelected, "#region-list")
    def _region_picked(self, event: OptionList.OptionSelected) -> None:
        if event.option_id:
            self._choose_region(event.option_id)

    def _choose_region(self, code: str) -> None:
        self.answers.region = code
        self.query_one("#region-input", Input).value = code
        self._filter_regions()
        self._show_feedback(errors_too=False)
        self.query_one("#account-input", Input).focus()
        self.changed()

    @on(Input.Changed, "#account-input")
    def _account_typed(self, event: Input.Changed) -> None:
        if event.value != self.answers.account:
            self.answers.account = event.value
            self._show_account_feedback(errors_too=False)
            self.changed()

    @on(Input.Submitted, "#account-input")
    def _account_submitted(self) -> None:
        self.post_message(Advance())

    def show_errors(self) -> None:
        self._show_feedback(errors_too=True)


class ReviewStep(WizardStep):
    """The explanation beside the JSON: one entry per statement, then where and how to use it."""

    step = Step.REVIEW

    class SectionHighlighted(Message):
        def __init__(self, statement_index: int | None) -> None:
            super().__init__()
            self.statement_index = statement_index

    def compose(self) -> ComposeResult:
        yield Label("Review each statement (↑ ↓)", classes="step-title")
        yield OptionList(id="sections", classes="first-focus")
        with VerticalScroll(id="explanation-scroll"):
            yield Static(id="explanation", classes="info")

    def show_preview(self, preview: Preview) -> None:
        """Rebuild the section list for a complete policy, keeping the highlighted entry."""
        self._preview = preview
        sections = self.query_one("#sections", OptionList)
        highlighted = sections.highlighted or 0
        entries = [
            Option(f"{index + 1} {statement.title} ({statement.sid})", id=f"statement-{index}")
            for index, statement in enumerate(preview.policy.statements)
        ]
        entries.append(Option("Where to attach it", id="attach"))
        entries.append(Option("Log in with docker", id="login"))
        fitted = preview.fitted
        if fitted is not None and (fitted.over_limit or fitted.strategy is not None):
            entries.append(Option("Size limit", id="size"))
        if preview.warnings:
            entries.append(Option(f"Warnings ({len(preview.warnings)})", id="warnings"))
        sections.set_options(entries)
        sections.highlighted = min(highlighted, len(entries) - 1)
        self._explain(entries[sections.highlighted].id or "")

    @on(OptionList.OptionHighlighted, "#sections")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._explain(event.option_id or "")

    def _explain(self, section: str) -> None:
        preview: Preview | None = getattr(self, "_preview", None)
        if preview is None:
            return
        request = preview.policy.request
        statement_index = None
        if section.startswith("statement-"):
            statement_index = int(section.removeprefix("statement-"))
            content = explain_statement(preview, statement_index)
        elif section == "attach":
            info = ROLES[request.role]
            content = Content.from_markup(
                "[b]$title: who really pulls[/b]\n$who\n\n[b]Attach this policy to[/b]\n$attach",
                title=info.title,
                who=info.who_pulls,
                attach=info.attach_to,
            )
            if info.caveat:
                content += Content.from_markup("\n\n[$warning b]Caution[/] $caveat", caveat=info.caveat)
        elif section == "login":
            content = Content.from_markup(
                "[b]Log in before docker pull or push[/b]\n$command\n\nThis uses ecr:GetAuthorizationToken "
                "(statement 1). The password is valid for 12 hours.",
                command=login_command(request.account, request.region),
            )
        elif section == "size":
            content = explain_size(preview)
        else:
            content = Content("\n").join(
                Content.from_markup("[$warning]![/] $text", text=str(warning)) for warning in preview.warnings
            )
        self.query_one("#explanation", Static).update(content)
        self.post_message(self.SectionHighlighted(statement_index))


def explain_statement(preview: Preview, index: int) -> Content:
    """What one statement does, action by action, and why its Resource is what it is."""
    statement = preview.policy.statements[index]
    parts = [
        Content.from_markup("[b]$sid · $title[/b]\n$summary\n", sid=statement.sid, title=statement.title, summary=statement.summary)
    ]
    for action in statement.actions:
        parts.append(
            Content.from_markup(
                "\n[b $accent]$name[/]\n[$text-muted]$level access · used by $step[/]\n"
                "[b]Why:[/b] $why\n[b]Without it:[/b] $without\n",
                name=action.name,
                level=action.access_level,
                step=action.step,
                why=action.why,
                without=action.without,
            )
        )
    parts.append(Content.from_markup("\n[b]Resource[/b] $note", note=statement.scope_note))
    return Content("").join(parts)


def explain_size(preview: Preview) -> Content:
    """Why the policy is split or compacted, and what each wildcard also reaches."""
    fitted = preview.fitted
    assert fitted is not None
    head = Content.from_markup("[b]Size limit[/b]\n$what.", what=fitted.size.describe().capitalize())
    if fitted.over_limit:
        return head + Content.from_markup("\n\nCopy or save asks how to fit it: split or compact.")
    if fitted.strategy is Strategy.SPLIT:
        return head + Content.from_markup(
            "\n\nSplit into $count managed policies, each a complete policy for its share of the "
            "repositories. Create one IAM policy per part (saving writes numbered files) and attach "
            "them all to the role; IAM allows 10 managed policies per role by default.",
            count=str(len(fitted.parts)),
        )
    lines = [head, Content("\n\nCompacted with these wildcards:")]
    for wildcard in fitted.wildcards:
        lines.append(
            Content.from_markup(
                "\n[b $accent]$pattern[/] replaces $names. It $also.",
                pattern=wildcard.pattern,
                names=", ".join(wildcard.replaces),
                also=wildcard.also_matches,
            )
        )
    return Content("").join(lines)
