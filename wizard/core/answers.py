"""Answers given so far in an interactive session, and the draft policy they make.

Interactive front ends keep one `Answers` object and ask it for each step's problems and for
the preview. The preview exists from the first step: fields not answered yet show up as
<placeholders>, so the policy's shape is visible before it is complete. Only a complete,
valid set of answers may be copied or saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from functools import cached_property

from wizard.core.builder import GeneratedPolicy, build_policy, render_json, suggested_file_name
from wizard.core.deploy import (
    DEFAULT_TRUST,
    Bundle,
    TrustSource,
    build_bundle,
    build_identity,
    github_ref_arguments,
    make_deployment,
)
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
    option_errors,
)
from wizard.core.size import FittedPolicy, PolicyKind, SizeError, Strategy, fit_policy

DOCUMENT_OUTPUTS = ("json-trust", "json-companion", "json-repository", "json-registry")
"""The JSON outputs of the documents beside the identity policy: json-KIND."""
OUTPUTS = ("json", *DOCUMENT_OUTPUTS, "terraform", "cloudformation", "aws-cli")
OUTPUT_TITLES = {
    "json": "JSON: the identity policy",
    "json-trust": "JSON: the trust policy",
    "json-companion": "JSON: the role's companion policy",
    "json-repository": "JSON: the repository policy",
    "json-registry": "JSON: the registry policy",
    "terraform": "Terraform (everything to apply)",
    "cloudformation": "CloudFormation YAML",
    "aws-cli": "AWS CLI script",
}
OUTPUT_NOUNS = {
    "json": "the policy",
    "json-trust": "the trust policy",
    "json-companion": "the companion policy",
    "json-repository": "the repository policy",
    "json-registry": "the registry policy",
    "terraform": "the Terraform",
    "cloudformation": "the CloudFormation template",
    "aws-cli": "the AWS CLI script",
}
OUTPUT_EXTENSIONS = dict.fromkeys(("json", *DOCUMENT_OUTPUTS), "json") | {
    "terraform": "tf",
    "cloudformation": "yaml",
    "aws-cli": "sh",
}

CI_NOUN_WORDS = {"Push": "push", "Pull": "pull"}
"""First words of CI format titles that are not names, lowercased inside a sentence."""


def output_title(output: str) -> str:
    """What an output is, for a list of choices: OUTPUT_TITLES, or a CI format's title (the CI
    table is imported on first use: start-up stays light)."""
    if output in OUTPUT_TITLES:
        return OUTPUT_TITLES[output]
    from wizard.core.ci import CI_FORMATS

    return CI_FORMATS[output].title


def output_noun(output: str) -> str:
    """The output inside a sentence ("Copied the GitHub Actions workflow")."""
    if output in OUTPUT_NOUNS:
        return OUTPUT_NOUNS[output]
    first, space, rest = output_title(output).split(" (")[0].partition(" ")
    return f"the {CI_NOUN_WORDS.get(first, first)}{space}{rest}"


FILE_NAME_LIMIT = 120
"""Bytes in a suggested file name: file systems allow 255 (NAME_MAX), and saving adds a
temporary name about 15 longer and split parts a "-NN" suffix; 120 also stays readable."""

PLACEHOLDER_REPOSITORY = "<repository>"
PLACEHOLDER_REGION = "<region>"
PLACEHOLDER_ACCOUNT = "<account>"


class Step(IntEnum):
    """The wizard's steps, in order."""

    ROLE = 0
    REPOSITORIES = 1
    TARGET = 2
    SETUP = 3
    REVIEW = 4

    @property
    def title(self) -> str:
        return STEP_TITLES[self]

    @property
    def short_title(self) -> str:
        """For a narrow step bar: the first word."""
        return STEP_TITLES[self].split()[0]


STEP_ASKING = {
    "--role": Step.ROLE,
    "--access": Step.ROLE,
    "--repo": Step.REPOSITORIES,
    "--region": Step.TARGET,
    "--account": Step.TARGET,
    "--principal": Step.SETUP,
}
"""The wizard step that asks what a CLI flag gives (the principal: "another account?")."""

STEP_TITLES = {
    Step.ROLE: "Role",
    Step.REPOSITORIES: "Repositories",
    Step.TARGET: "Region & account",
    Step.SETUP: "Trust & options",
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

    bundle: Bundle | None = None
    """For a complete policy: the trust and repository policies that go with it."""
    output: str = "json"
    """What is shown, copied and saved: one of OUTPUTS (a missing document falls back to json)."""

    @property
    def over_limit(self) -> bool:
        return self.fitted is not None and self.fitted.over_limit

    def available_outputs(self) -> list[str]:
        """The outputs this setup has (no trust policy, no "json-trust"), then the CI or
        deployment files that fit it, as `generate --format` accepts them."""
        if self.bundle is None:
            return ["json"]
        return [output for output in OUTPUTS if self._offers(output)] + list(self.ci_files())

    def _offers(self, output: str) -> bool:
        if output == "json":
            return True
        if self.bundle is None:
            return False
        if output in DOCUMENT_OUTPUTS:
            return self.bundle.document(output.removeprefix("json-")) is not None
        return output in OUTPUTS or output in self.ci_files()

    @cached_property
    def _ci_results(self) -> dict:
        """Each CI format that fits the role and trust: its CIFile, or why it cannot be made
        (a CIError's message). Rendered on first use, once per preview."""
        if self.bundle is None:
            return {}
        from wizard.core.ci import CIError, ci_formats, render_ci

        results: dict = {}
        for name in ci_formats(self.bundle):
            try:
                results[name] = render_ci(self.bundle, name)
            except CIError as error:
                results[name] = str(error)
        return results

    def ci_files(self) -> dict:
        """The CI or deployment files this setup has, by format name (CIFile: text, path, notes)."""
        return {name: made for name, made in self._ci_results.items() if not isinstance(made, str)}

    def ci_refusals(self) -> dict[str, str]:
        """Formats that fit the role and trust but cannot be made, with why (generate's error)."""
        return {name: made for name, made in self._ci_results.items() if isinstance(made, str)}

    @property
    def chosen_output(self) -> str:
        return self.output if self._offers(self.output) else "json"

    @property
    def ci_file(self):
        """The chosen CI or deployment file (a CIFile), or None when a policy output is chosen
        (then nothing is rendered: this runs on every keystroke)."""
        if self.output in OUTPUTS:
            return None
        return self.ci_files().get(self.output)

    @property
    def is_json(self) -> bool:
        return self.chosen_output.startswith("json")

    def text(self) -> str:
        """What is shown, and copied or saved when complete, in the chosen output."""
        if self.fitted is None or self.bundle is None:
            return self.policy.to_json()
        from wizard.core.formats import render  # imported on first use: start-up stays light

        if self.ci_file is not None:
            return self.ci_file.text
        output = self.chosen_output
        fmt, _, document = output.partition("-") if output.startswith("json") else (output, "", "")
        return render(self.bundle, fmt, list(self.fitted.parts), document or "identity")

    def texts_to_save(self) -> list[str]:
        """One text per file: split JSON policies go to numbered files."""
        if self.fitted is not None and self.chosen_output == "json" and self.fitted.strategy is Strategy.SPLIT:
            return [render_json(document) for document in self.fitted.documents]
        return [self.text()]

    def file_name(self) -> str:
        """The suggested file name, short enough for any file system (see FILE_NAME_LIMIT)."""
        if self.ci_file is not None:
            return self.ci_file.path  # the place its CI or platform reads it from
        output = self.chosen_output
        request = self.policy.request
        first = request.repositories[0]
        while True:
            name = suggested_file_name(request, OUTPUT_EXTENSIONS[output])
            if output in DOCUMENT_OUTPUTS:
                name = name.replace("-ecr-policy.json", f"-{output.removeprefix('json-')}-policy.json")
            if len(name.encode("utf-8")) <= FILE_NAME_LIMIT or len(first) <= 8:
                return name
            # A 250-character repository name must not make a 260-character file name.
            first = first[: len(first) - (len(name.encode("utf-8")) - FILE_NAME_LIMIT)].rstrip("-./_") or first[:8]
            request = request._replace(repositories=(first, *request.repositories[1:]))


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
    trust: str = ""
    """"" for the role's default, "none" to attach to an existing role, else a TrustSource value."""
    github_repository: str = ""
    github_ref_kind: str = "branch"
    """branch, tag, environment, or sub (then github_ref is the exact sub claim)."""
    github_ref: str = ""
    gitlab_url: str = ""
    gitlab_project: str = ""
    gitlab_branch: str = ""
    cluster: str = ""
    role_name: str = ""
    principal: str = ""
    function_account: str = ""
    pull_through_cache: bool = False
    cache_create: bool = False
    public: bool = False
    kms: bool = False
    output: str = "json"

    def choose_role(self, role: Role) -> None:
        """Pick a role; access follows the role's default (the user may change it after), and
        the trust source goes back to the role's default."""
        self.role = role
        self.access = DEFAULT_ACCESS[role]
        self.trust = ""

    @classmethod
    def from_intent(cls, intent, output: str = "json", **deployment) -> Answers:
        """The answers for what a policy is for (a tighten Intent or a diagnosis's), attached
        to an existing role: no trust policy is made for it. deployment: make_deployment's
        answers the intent comes with (principal, role_name, function_account)."""
        answers = cls()
        if intent.role is not None:
            answers.choose_role(intent.role)
        if intent.access is not None:
            answers.access = intent.access
        answers.repositories = list(intent.repositories)
        answers.region = intent.region or ""
        answers.account = intent.account or ""
        answers.trust = "none"
        answers.role_name = deployment.get("role_name") or ""
        answers.principal = deployment.get("principal") or ""
        answers.function_account = deployment.get("function_account") or ""
        answers.public = intent.public
        answers.pull_through_cache = intent.pull_through_cache
        answers.cache_create = getattr(intent, "cache_create", False)
        answers.output = output
        return answers

    def trust_source(self) -> TrustSource | None:
        if self.trust == "none":
            return None
        if not self.trust:
            return DEFAULT_TRUST.get(self.role)
        return TrustSource(self.trust)

    def deployment_arguments(self) -> dict:
        """The Trust & options answers, as make_deployment takes them."""
        return dict(
            trust=self.trust or None,
            github_repository=self.github_repository.strip() or None,
            **github_ref_arguments(self.github_ref_kind, self.github_ref.strip()),
            gitlab_url=self.gitlab_url.strip() or None,
            gitlab_project=self.gitlab_project.strip() or None,
            gitlab_branch=self.gitlab_branch.strip() or None,
            cluster=self.cluster.strip() or None,
            principal=self.principal.strip() or None,
            function_account=self.function_account.strip() or None,
            role_name=self.role_name.strip() or None,
        )

    def options(self) -> dict:
        return dict(
            pull_through_cache=self.pull_through_cache, cache_create=self.cache_create, public=self.public, kms=self.kms
        )

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
        if step is Step.SETUP:
            errors = option_errors(self.pull_through_cache, self.cache_create, self.public)
            try:
                make_deployment(self.draft_request(), **self.deployment_arguments())
            except RequestError as error:
                errors.extend(error.errors)
            return errors
        return []

    def setup_warnings(self) -> list[Message]:
        """What the Trust & options answers admit or leave out, worth saying where they are given
        (an organisation-wide GitHub sub, a branch that environment jobs do not match...)."""
        try:
            _, warnings = make_deployment(self.draft_request(), **self.deployment_arguments())
        except RequestError:
            return []
        return warnings

    def first_incomplete_step(self) -> Step | None:
        for step in Step:
            if self.step_errors(step):
                return step
        return None

    def landing_step(self, missing=()) -> Step:
        """Where the wizard opens on answers loaded from elsewhere (a tightened policy, a pasted
        error): the first step that asks something: incomplete, or where a question the source
        could not answer is given (missing: records with the flag the CLI would ask for)."""
        steps = [STEP_ASKING.get(need.flag, Step.ROLE) for need in missing]
        incomplete = self.first_incomplete_step()
        return min([*steps, *([incomplete] if incomplete is not None else [])], default=Step.REVIEW)

    def validated(self) -> ValidatedRequest:
        """The complete request; raises RequestError while anything is missing or wrong."""
        return make_request(
            self.role, self.effective_repositories(), self.region, self.account, self.access, **self.options()
        )

    def draft_request(self) -> PolicyRequest:
        """The request so far, with placeholders for what is missing."""
        kept, _, _ = check_repositories(self.effective_repositories())
        region = check_region(self.region)
        account = check_account(self.account)
        return PolicyRequest(
            role=self.role,
            access=self.access,
            repositories=tuple(kept) or (PLACEHOLDER_REPOSITORY,),
            region=region.value or PLACEHOLDER_REGION,
            account=account.value or PLACEHOLDER_ACCOUNT,
            public=self.public and not self.pull_through_cache,
            pull_through_cache=self.pull_through_cache and not self.public,
            cache_create=self.cache_create and self.pull_through_cache and not self.public,
            kms=self.kms,
        )

    def preview(self) -> Preview:
        """The policy for the answers so far, with placeholders for what is still missing."""
        try:
            validated = self.validated()
        except RequestError:
            pass
        else:
            try:
                deployment, deployment_warnings = make_deployment(validated.request, **self.deployment_arguments())
            except RequestError:
                # Trust & options not complete yet: the identity policy is still shown, as a draft.
                return Preview(build_policy(validated.request), complete=False, warnings=validated.warnings)
            policy = build_identity(validated.request, deployment)
            try:
                fitted = fit_policy(policy, PolicyKind.MANAGED, self.size_strategy)
                problem = ""
            except SizeError as error:
                fitted, problem = fit_policy(policy, PolicyKind.MANAGED), str(error)
            return Preview(
                policy,
                complete=True,
                warnings=(*validated.warnings, *deployment_warnings),
                fitted=fitted,
                size_problem=problem,
                bundle=build_bundle(validated.request, deployment, identity=policy),
                output=self.output,
            )
        return Preview(build_policy(self.draft_request()), complete=False)
