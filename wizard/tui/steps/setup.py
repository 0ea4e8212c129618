"""Step 4: who assumes the role (its trust policy), cross-account use, and options."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Checkbox, Label, Static

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
from wizard.tui.steps.base import WizardStep, feedback
from wizard.tui.steps.live_input import LiveInput
from wizard.tui.widgets import ChoiceList, set_content


class SetupStep(WizardStep):
    step = Step.SETUP

    DEFAULT_CSS = """
    SetupStep .group { height: auto; display: none; }
    SetupStep .group.-shown { display: block; }
    SetupStep Checkbox { border: none; padding: 0; height: 1; background: transparent; }
    """

    def compose(self) -> ComposeResult:
        yield ChoiceList(
            trust_choices(self.answers.role),
            self._trust_value(),
            heading="Who assumes the role?",
            id="trust-list",
            classes="first-focus",
        )
        with Vertical(id="github", classes="group"):
            yield Label("GitHub repository (OWNER/REPO)", classes="field-title")
            yield LiveInput(self._setter("github_repository"), placeholder="my-org/my-app", id="github-repository")
            yield ChoiceList(
                [(kind, title) for kind, (title, _) in GITHUB_REF_KINDS.items()],
                self.answers.github_ref_kind,
                heading="Which runs may assume it",
                id="github-ref-kind",
            )
            yield LiveInput(self._setter("github_ref"), placeholder="main", id="github-ref")
        with Vertical(id="gitlab", classes="group"):
            yield Label("GitLab instance and project", classes="field-title")
            yield LiveInput(self._setter("gitlab_url"), placeholder="https://gitlab.com", id="gitlab-url")
            yield LiveInput(self._setter("gitlab_project"), placeholder="group/project", id="gitlab-project")
            yield LiveInput(self._setter("gitlab_branch"), placeholder="branch (default main)", id="gitlab-branch")
        with Vertical(id="fargate", classes="group"):
            yield Label("EKS cluster of the Fargate profiles", classes="field-title")
            yield LiveInput(self._setter("cluster"), placeholder="my-cluster", id="cluster")
        yield Label("Role name (to create, or the existing one)", classes="field-title")
        yield LiveInput(self._setter("role_name"), placeholder="default: ecr-ROLE-ACCESS-REPOSITORY", id="role-name")
        yield Label(id="cross-title", classes="field-title")
        yield LiveInput(self._setter("cross_account"), id="cross-account")
        yield Static(id="setup-feedback", classes="feedback")
        yield Label("Options", classes="field-title")
        for key, title in OPTION_TITLES.items():
            yield Checkbox(title, getattr(self.answers, key), id=f"option-{key.replace('_', '-')}", compact=True)
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
        lambda_role = self.answers.role is Role.LAMBDA
        self.query_one("#cross-title", Label).update(
            "Functions in another account? (account ID, optional)"
            if lambda_role
            else "Pulled from another account? (account ID or role ARN, optional)"
        )
        self.query_one("#cross-account", LiveInput).placeholder = (
            "same account" if lambda_role else "same account as the repositories"
        )
        self.query_one(
            "#role-name", LiveInput
        ).placeholder = f"default: {default_role_name(self.answers.draft_request())}"
        self._show_groups()
        self._show_feedback(errors_too=False)

    def _show_groups(self) -> None:
        source = self.answers.trust_source()
        for group, shown in (
            ("github", source is TrustSource.GITHUB),
            ("gitlab", source is TrustSource.GITLAB),
            ("fargate", source is TrustSource.EKS_FARGATE),
        ):
            self.query_one(f"#{group}").set_class(shown, "-shown")
        kind = self.answers.github_ref_kind
        self.query_one("#github-ref", LiveInput).placeholder = GITHUB_REF_KINDS[kind][1]

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
        self._show_feedback(errors_too=False)
        self.changed()

    @on(ChoiceList.Chosen, "#github-ref-kind")
    def _ref_kind_chosen(self, event: ChoiceList.Chosen) -> None:
        self.answers.github_ref_kind = event.value
        self._show_groups()
        self._show_feedback(errors_too=False)
        self.changed()

    @on(Checkbox.Changed)
    def _option_changed(self, event: Checkbox.Changed) -> None:
        key = (event.checkbox.id or "").removeprefix("option-").replace("-", "_")
        if getattr(self.answers, key, None) is not event.value:
            setattr(self.answers, key, event.value)
            self._show_feedback(errors_too=False)
            self.changed()

    def show_errors(self) -> None:
        self._show_feedback(errors_too=True)
