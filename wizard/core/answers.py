"""Answers given so far in an interactive session, and the draft policy they make.

Interactive front ends keep one `Answers` object and ask it for each step's problems and for
the preview. The preview exists from the first step: fields not answered yet show up as
<placeholders>, so the policy's shape is visible before it is complete. Only a complete,
valid set of answers may be copied or saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from wizard.core.builder import GeneratedPolicy, build_policy
from wizard.core.size import FittedPolicy, PolicyKind, SizeError, Strategy, fit_policy
from wizard.core.request import (
    DEFAULT_ACCESS,
    Access,
    Message,
    PolicyRequest,
    RequestError,
    Role,
    ValidatedRequest,
    check_account,
    check_region,
    check_repositories,
    check_repository,
    make_request,
)

PLACEHOLDER_REPOSITORY = "<repository>"
PLACEHOLDER_REGION = "<region>"
PLACEHOLDER_ACCOUNT = "<account>"


class Step(IntEnum):
    """The wizard's steps, in order."""

    ROLE = 0
    REPOSITORIES = 1
    TARGET = 2
    REVIEW = 3

    @property
    def title(self) -> str:
        return STEP_TITLES[self]


STEP_TITLES = {
    Step.ROLE: "Role",
    Step.REPOSITORIES: "Repositories",
    Step.TARGET: "Region & account",
    Step.REVIEW: "Review",
}


@dataclass(frozen=True)
class Preview:
    """The policy as it stands: complete (copyable) or a draft with placeholders.

    For a complete policy, `fitted` says what would be copied or saved under IAM's size
    limit (the policy itself, its split parts or its compacted form).
    """

    policy: GeneratedPolicy
    complete: bool
    warnings: tuple[Message, ...] = ()
    fitted: FittedPolicy | None = None
    size_problem: str = ""
    """Why the chosen way under the limit cannot work, if it cannot."""

    @property
    def over_limit(self) -> bool:
        return self.fitted is not None and self.fitted.over_limit

    def text(self) -> str:
        """The JSON shown, and copied or saved when complete."""
        return self.fitted.text() if self.fitted is not None else self.policy.to_json()


@dataclass
class Answers:
    """Everything the user has answered; survives moving back and forth between steps."""

    role: Role = Role.CI
    access: Access = DEFAULT_ACCESS[Role.CI]
    repositories: list[str] = field(default_factory=list)
    pending_repository: str = ""
    """Text typed in the add-repository field but not added yet; counted when valid."""
    region: str = ""
    account: str = ""
    size_strategy: Strategy | None = None
    """How to get under the managed-policy limit, once the user chose (None: not needed or not yet)."""

    def choose_role(self, role: Role) -> None:
        """Pick a role; access follows the role's default (the user may change it after)."""
        self.role = role
        self.access = DEFAULT_ACCESS[role]

    def add_repository(self, text: str) -> Message | None:
        """Add a name or pattern; returns the reason when it cannot be added."""
        check = check_repository(text)
        if check.error:
            return check.error
        assert check.value is not None
        if check.value in self.repositories:
            return Message("repository", check.value, "is already in the list")
        self.repositories.append(check.value)
        return None

    def effective_repositories(self) -> list[str]:
        """The list plus the pending text when it is a valid, new name."""
        names = list(self.repositories)
        pending = self.pending_repository.strip()
        if pending and check_repository(pending).ok and pending not in names:
            names.append(pending)
        return names

    def step_errors(self, step: Step) -> list[Message]:
        """What blocks leaving `step` forwards (empty when the step is complete)."""
        if step is Step.REPOSITORIES:
            errors = []
            pending = self.pending_repository.strip()
            if pending:
                check = check_repository(pending)
                if check.error:
                    errors.append(check.error)
            _, list_errors, _ = check_repositories(self.effective_repositories())
            return errors + list_errors
        if step is Step.TARGET:
            return [check.error for check in (check_region(self.region), check_account(self.account)) if check.error]
        return []

    def first_incomplete_step(self) -> Step | None:
        for step in Step:
            if self.step_errors(step):
                return step
        return None

    def validated(self) -> ValidatedRequest:
        """The complete request; raises RequestError while anything is missing or wrong."""
        return make_request(self.role, self.effective_repositories(), self.region, self.account, self.access)

    def preview(self) -> Preview:
        """The policy for the answers so far, with placeholders for what is still missing."""
        try:
            validated = self.validated()
        except RequestError:
            pass
        else:
            policy = build_policy(validated.request)
            try:
                fitted = fit_policy(policy, PolicyKind.MANAGED, self.size_strategy)
                problem = ""
            except SizeError as error:
                fitted, problem = fit_policy(policy, PolicyKind.MANAGED), str(error)
            return Preview(policy, complete=True, warnings=validated.warnings, fitted=fitted, size_problem=problem)
        kept, _, _ = check_repositories(self.effective_repositories())
        region = check_region(self.region)
        account = check_account(self.account)
        draft = PolicyRequest(
            role=self.role,
            access=self.access,
            repositories=tuple(kept) or (PLACEHOLDER_REPOSITORY,),
            region=region.value or PLACEHOLDER_REGION,
            account=account.value or PLACEHOLDER_ACCOUNT,
        )
        return Preview(build_policy(draft), complete=False)
