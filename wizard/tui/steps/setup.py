"""Step 4: who assumes the role (its trust policy), cross-account use, and options."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from wizard.core.answers import Step
from wizard.core.deploy import (
    DEFAULT_TRUST,
    GITHUB_REF_KINDS,
    OPTION_TITLES,
    TRUST_TITLES,
    TrustSource,
    default_role_name,
    trust_choices,
)
from wizard.core.request import Role
from wizard.tui.steps.base import Advance, WizardStep, feedback, key_hint, short_problem
from wizard.tui.steps.live_input import LiveInput
from wizard.tui.tickbox import TickBox
from wizard.tui.widgets import ChoiceList, set_content


class SetupStep(WizardStep):
    step = Step.SETUP

    BINDINGS = [Binding("enter", "advance", "Next step", show=False)]  # on an option (a TickBox)

    DEFAULT_CSS = """
    SetupStep .group { height: auto; display: none; }
    SetupStep .group.-shown { display: block; }
    SetupStep #trust-list { margin-bottom: 0; }
    """

    def compose(self) -> ComposeResult:
        yield ChoiceList(
            trust_choices(self.answers.role),
            self._trust_value(),
            heading="Who assumes the role?",
            id="trust-list",
            classes="first-focus",
        )
        yield Static(id="trust-hint", classes="hint")
        with Vertical(id="github", classes="group"):
            yield Label("GitHub repository", classes="field-title")
            yield Static("OWNER/REPO: whose workflows may assume the role", classes="hint")
            yield LiveInput(self._setter("github_repository"), placeholder="e.g. my-org/my-app", id="github-repository")
            yield ChoiceList(
                [(kind, title) for kind, (title, _) in GITHUB_REF_KINDS.items()],
                self.answers.github_ref_kind,
                heading="Which runs may assume it",
                id="github-ref-kind",
            )
            yield LiveInput(self._setter("github_ref"), id="github-ref")
        with Vertical(id="gitlab", classes="group"):
            yield Label("GitLab instance and project", classes="field-title")
            yield LiveInput(self._setter("gitlab_url"), placeholder="default: gitlab.com", id="gitlab-url")
            yield LiveInput(self._setter("gitlab_project"), placeholder="e.g. my-group/my-app", id="gitlab-project")
            yield LiveInput(self._setter("gitlab_branch"), placeholder="branch; default: main", id="gitlab-branch")
        with Vertical(id="fargate", classes="group"):
            yield Label("EKS cluster of the Fargate profiles", classes="field-title")
            yield LiveInput(self._setter("cluster"), placeholder="e.g. my-cluster", id="cluster")
        yield Label("Role name", classes="field-title")
        yield Static(id="role-name-hint", classes="hint")
        yield LiveInput(self._setter("role_name"), id="role-name")
        yield Label(id="cross-title", classes="field-title")
        yield Static(id="cross-hint", classes="hint")
        yield LiveInput(self._setter("cross_account"), placeholder="optional", id="cross-account")
        yield Static(id="setup-feedback", classes="feedback")
        yield Label("Options (none is the usual case)", classes="field-title")
        for key, title in OPTION_TITLES.items():
            yield TickBox(title, getattr(self.answers, key), id=f"option-{key.replace('_', '-')}")
        yield Static(id="setup-info", classes="info")

    def _trust_value(self) -> str:
        source = self.answers.trust_source()
        return source.value if source is not None else "none"

    def _setter(self, name: str):
        def set_answer(value: str) -> None:
            if not self.is_mounted:
                return
            if name == "cross_account":
                name_ = "function_account" if self.answers.role is Role.LAMBDA else "principal"
            else:
                name_ = name
            if getattr(self.answers, name_) != value:
                setattr(self.answers, name_, value)
                self._show_feedback(errors_too=False)
                self.changed()

        return set_answer

    def on_mount(self) -> None:
        self.refresh_from_answers()

    def refresh_from_answers(self) -> None:
        trust = self.query_one("#trust-list", ChoiceList)
        trust.set_choices(trust_choices(self.answers.role), self._trust_value())
        for field, value in (
            ("github-repository", self.answers.github_repository),
            ("github-ref", self.answers.github_ref),
            ("gitlab-url", self.answers.gitlab_url),
            ("gitlab-project", self.answers.gitlab_project),
            ("gitlab-branch", self.answers.gitlab_branch),
            ("cluster", self.answers.cluster),
            ("role-name", self.answers.role_name),
            (
                "cross-account",
                self.answers.function_account if self.answers.role is Role.LAMBDA else self.answers.principal,
            ),
        ):
            widget = self.query_one(f"#{field}", LiveInput)
            if widget.value != value:
                widget.value = value
        self.query_one("#github-ref-kind", ChoiceList).set_value(self.answers.github_ref_kind)
        self._show_role_fields()
        self._show_groups()
        self._show_feedback(errors_too=False)

    def _show_role_fields(self) -> None:
        """The hints that depend on the role and on whether a new role is created."""
        lambda_role = self.answers.role is Role.LAMBDA
        creates_role = self.answers.trust_source() is not None
        default_name = default_role_name(self.answers.draft_request())
        set_content(
            self.query_one("#trust-hint", Static),
            "Not sure? Keep the first choice: "
            + (
                "the service's usual role, created with its trust policy."
                if DEFAULT_TRUST.get(self.answers.role) is not None
                else "the policy goes on the role you already have (the usual case)."
            ),
        )
        set_content(
            self.query_one("#role-name-hint", Static),
            f"The role to create. Empty: {default_name}" if creates_role else "Your existing role's name (optional)",
        )
        self.query_one("#role-name", LiveInput).placeholder = "empty: the default above" if creates_role else "optional"
        self.query_one("#cross-title", Label).update(
            "Functions in another account?" if lambda_role else "Pulled from another account?"
        )
        set_content(
            self.query_one("#cross-hint", Static),
            "Its account ID; empty: the same account"
            if lambda_role
            else "Its account ID or role ARN; empty: the same account",
        )

    def _show_groups(self) -> None:
        source = self.answers.trust_source()
        for group, shown in (
            ("github", source is TrustSource.GITHUB),
            ("gitlab", source is TrustSource.GITLAB),
            ("fargate", source is TrustSource.EKS_FARGATE),
        ):
            self.query_one(f"#{group}").set_class(shown, "-shown")
        kind = self.answers.github_ref_kind
        example = GITHUB_REF_KINDS[kind][1]
        placeholders = {"branch": f"default: {example}", "sub": "e.g. repo:OWNER/REPO:…"}
        self.query_one("#github-ref", LiveInput).placeholder = placeholders.get(kind, f"e.g. {example}")

    def _show_feedback(self, errors_too: bool) -> None:
        errors = self.answers.step_errors(Step.SETUP)
        shown = errors[0] if errors and (errors_too or self._touched()) else None
        warnings = self.answers.setup_warnings() if shown is None and self._touched() else []
        set_content(self.query_one("#setup-feedback", Static), feedback(shown, warnings))
        source = self.answers.trust_source()
        if source is None:
            text = (
                "No trust policy: the identity policy goes on an existing role (Terraform and "
                "CloudFormation take its name as an input)."
            )
        else:
            text = f"{TRUST_TITLES[source]}: the outputs create the role with its trust policy."
        set_content(self.query_one("#setup-info", Static), Content(text))

    def _touched(self) -> bool:
        answers = self.answers
        return (
            any(
                (
                    answers.github_repository,
                    answers.github_ref,
                    answers.gitlab_project,
                    answers.cluster,
                    answers.principal,
                    answers.function_account,
                )
            )
            or answers.cache_create
            or (answers.public and answers.pull_through_cache)
        )

    @on(ChoiceList.Chosen, "#trust-list")
    def _trust_chosen(self, event: ChoiceList.Chosen) -> None:
        default = DEFAULT_TRUST.get(self.answers.role)
        self.answers.trust = "" if default is not None and event.value == default.value else event.value
        self._show_groups()
        self._show_role_fields()
        self._show_feedback(errors_too=False)
        self.changed()

    def action_advance(self) -> None:
        self.post_message(Advance())

    @on(ChoiceList.Confirmed)
    @on(Input.Submitted)
    def _enter(self, event: ChoiceList.Confirmed | Input.Submitted) -> None:
        """Enter moves on from any field here, as on every step (errors stop it and show)."""
        event.stop()
        self.post_message(Advance())

    @on(ChoiceList.Chosen, "#github-ref-kind")
    def _ref_kind_chosen(self, event: ChoiceList.Chosen) -> None:
        self.answers.github_ref_kind = event.value
        self._show_groups()
        self._show_feedback(errors_too=False)
        self.changed()

    @on(TickBox.Changed)
    def _option_changed(self, event: TickBox.Changed) -> None:
        key = (event.checkbox.id or "").removeprefix("option-").replace("-", "_")
        if getattr(self.answers, key, None) is not event.value:
            setattr(self.answers, key, event.value)
            self._show_feedback(errors_too=False)
            self.changed()

    def show_errors(self) -> None:
        self._show_feedback(errors_too=True)

    def status_hint(self, focused: Widget | None) -> Content:
        errors = self.answers.step_errors(Step.SETUP)
        if errors and self._touched():
            return key_hint("[$foreground-muted]To continue:[/] $problem", problem=short_problem(errors[0]))
        if isinstance(focused, TickBox):
            return key_hint("[k]Space[/k] ticks it · [k]Enter[/k] next step: $title", title=Step.REVIEW.title)
        if errors:
            return key_hint("[$foreground-muted]To continue:[/] $problem", problem=short_problem(errors[0]))
        return self.next_step_hint()
