"""Beyond the identity policy: where it goes, who may assume its role, what else the setup needs.

A permission policy is half the job: it must sit on a role that the right service or CI
system can assume, the role may need more for its own job, and for Lambda and cross-account
pulls the repositories' owner sets policies of its own. `make_deployment` validates the
answers about all that; `build_bundle` puts the documents together, each with where it goes.
"""

from __future__ import annotations

import re
from collections import namedtuple

from wizard.core import addons, sources
from wizard.core.builder import GeneratedPolicy, build_policy
from wizard.core.documents import ROLE_ARN, Document, principal_account
from wizard.core.request import Message, PolicyRequest, RequestError, Role, check_account
from wizard.core.resource_policies import build_registry_policy, build_repository_policy
from wizard.core.role_setup import RoleSetup, build_role_setup
from wizard.core.text import has_control_characters
from wizard.core.trust import (
    CHINA_AUDIENCE,
    DEFAULT_TRUST,
    GITHUB_PROVIDER,
    GITHUB_SUBJECT_ACCEPTED,
    GITLAB_SUBJECT_ACCEPTED,
    ROLE_TRUST,
    TRUST_TITLES,
    TrustSource,
    build_trust,
    check_github_subject,
    check_gitlab_subject,
    github_subject,
    gitlab_subject,
)

__all__ = [
    "DEFAULT_TRUST",
    "GITHUB_PROVIDER",
    "GITHUB_REF_KINDS",
    "OPTION_TITLES",
    "ROLE_TRUST",
    "TRUST_TITLES",
    "Bundle",
    "Deployment",
    "Document",
    "TrustSource",
    "build_bundle",
    "default_role_name",
    "github_ref_arguments",
    "make_deployment",
    "principal_account",
    "trust_choices",
]


def trust_choices(role: Role) -> list[tuple[str, str]]:
    """(value, title) for "who assumes the role", the role's default first: "none" means an
    existing role gets the policy (first when the role has no default, e.g. CI)."""
    existing = (
        "none",
        "No new role: attach the policy to an existing one"
        if role is not Role.LAMBDA
        else "The deployer's existing role (the Lambda service pulls by itself)",
    )
    choices = [(source.value, TRUST_TITLES[source]) for source in ROLE_TRUST[role]]
    return [existing, *choices] if DEFAULT_TRUST.get(role) is None else [*choices, existing]


GITHUB_REF_KINDS = {
    "branch": ("Branch", "main"),
    "tag": ("Tag (wildcards allowed)", "v*"),
    "environment": ("Environment", "production"),
    "sub": ("Exact sub claim", "repo:my-org/my-app:ref:refs/heads/main"),
}
"""Which GitHub workflow runs may assume the role: kind -> (title, example value)."""


def github_ref_arguments(kind: str, value: str | None) -> dict:
    """make_deployment's keyword for a GitHub ref kind and its value."""
    return {f"github_{kind}": value or None}


OPTION_TITLES = {
    "pull_through_cache": "Pull-through cache repositories (e.g. docker-hub/*)",
    "cache_create": "A first pull may create the cache repository",
    "public": "ECR Public repositories (public.ecr.aws)",
    "kms": "KMS-encrypted repositories (explained; adds nothing)",
}
"""The request options, as front ends offer them."""

LAMBDA_NO_TRUST = (
    "Lambda: no trust policy here. The Lambda service pulls the image (through the repository "
    "policy), not the function's execution role; the identity policy belongs on whoever deploys "
    "the function, in the function's account."
)


class Deployment(
    namedtuple(
        "Deployment",
        "trust subject gitlab_host principal function_account role_name cluster role_path role_named",
        defaults=(None, None, None, None, None, "", None, "/", True),
    )
):
    """Where the policy goes. trust: a TrustSource or None; subject: the OIDC `sub` value;
    gitlab_host: the GitLab instance host; principal: another account ID or role ARN that
    pulls (cross-account), or Lambda's deployer; function_account: Lambda's account;
    role_name and role_path: the role to create (or the existing one to attach to);
    cluster: the EKS cluster of a Fargate profile; role_named: whether the user named the
    role (else role_name is our suggestion, which a sentence about an existing role must not
    present as the user's role)."""

    __slots__ = ()


class TrustAnswers(
    namedtuple(
        "TrustAnswers",
        "github_repository github_branch github_tag github_environment github_sub gitlab_url "
        "gitlab_project gitlab_branch gitlab_sub cluster principal function_account role_name",
    )
):
    """The free-text answers about the role, as typed (None when not given)."""

    __slots__ = ()


FIELD_NAMES = {
    "github_repository": "GitHub repository",
    "github_branch": "GitHub branch",
    "github_tag": "GitHub tag",
    "github_environment": "GitHub environment",
    "github_sub": "GitHub sub",
    "gitlab_url": "GitLab URL",
    "gitlab_project": "GitLab project",
    "gitlab_branch": "GitLab branch",
    "gitlab_sub": "GitLab sub",
    "cluster": "cluster",
    "principal": "principal",
    "function_account": "function account",
    "role_name": "role name",
}
"""Each answer in the words the user knows it by (errors name fields this way)."""


# -- validation -----------------------------------------------------------------------------


def make_deployment(
    request: PolicyRequest,
    trust: str | None = None,
    *,
    github_repository: str | None = None,
    github_branch: str | None = None,
    github_tag: str | None = None,
    github_environment: str | None = None,
    github_sub: str | None = None,
    gitlab_url: str | None = None,
    gitlab_project: str | None = None,
    gitlab_branch: str | None = None,
    gitlab_sub: str | None = None,
    cluster: str | None = None,
    principal: str | None = None,
    function_account: str | None = None,
    role_name: str | None = None,
) -> tuple[Deployment, list[Message]]:
    """Validate the deployment answers; raises RequestError listing every problem."""
    answers = TrustAnswers(
        github_repository=github_repository,
        github_branch=github_branch,
        github_tag=github_tag,
        github_environment=github_environment,
        github_sub=github_sub,
        gitlab_url=gitlab_url,
        gitlab_project=gitlab_project,
        gitlab_branch=gitlab_branch,
        gitlab_sub=gitlab_sub,
        cluster=cluster,
        principal=principal,
        function_account=function_account,
        role_name=role_name,
    )
    control = _control_character_errors(answers)
    if control:
        raise RequestError(control)
    errors: list[Message] = []
    warnings: list[Message] = []
    source = _trust_source(request, trust, errors)
    subject, host = _oidc_subject(source, answers, errors, warnings)
    _check_cluster(source, answers.cluster, errors)
    principal = _principal(request, answers.principal, errors)
    fn_account = _function_account(request, principal, answers.function_account, errors)
    name, path = _role_name_and_path(request, principal, answers.role_name, errors)
    errors.extend(_role_option_errors(request))
    warnings.extend(_addon_registry_warnings(request, source))
    if errors:
        raise RequestError(errors)
    deployment = Deployment(
        trust=source,
        subject=subject,
        gitlab_host=host,
        principal=principal,
        function_account=fn_account,
        role_name=name,
        cluster=answers.cluster,
        role_path=path,
        role_named=bool((answers.role_name or "").strip() or ROLE_ARN.fullmatch(principal or "")),
    )
    return deployment, warnings


def _control_character_errors(answers: TrustAnswers) -> list[Message]:
    """A trust policy is no place for control characters: refuse them in every field."""
    return [
        Message(
            FIELD_NAMES[field],
            value,
            "contains control characters (shown escaped); a trust policy or role must be printable text",
            "Retype the value without them.",
        )
        for field, value in answers._asdict().items()
        if value and has_control_characters(value)
    ]


def _trust_source(request: PolicyRequest, trust: str | None, errors: list[Message]) -> TrustSource | None:
    if trust is None:
        return DEFAULT_TRUST.get(request.role)
    if trust == "none":
        return None  # attach to an existing role: no trust policy
    try:
        source = TrustSource(trust)
    except ValueError:
        accepted = ", ".join(s.value for s in TrustSource)
        errors.append(Message("trust", trust, "is not a trust source", f"Accepted: {accepted}."))
        return None
    if source not in ROLE_TRUST[request.role]:
        allowed = ", ".join(s.value for s in ROLE_TRUST[request.role]) or "none (the Lambda service pulls)"
        errors.append(
            Message(
                "trust",
                trust,
                f"does not fit the role {request.role.value}",
                f"Accepted for {request.role.value}: {allowed}.",
            )
        )
        return None
    return source


def _oidc_subject(source, answers: TrustAnswers, errors, warnings) -> tuple[str | None, str | None]:
    """The sub claim (and GitLab host) a GitHub or GitLab trust pins."""
    if source is TrustSource.GITHUB:
        return _github_subject(answers, errors, warnings), None
    if source is TrustSource.GITLAB:
        host = _gitlab_host(answers.gitlab_url, errors)
        return _gitlab_subject(answers, errors, warnings), host
    return None, None


_GITHUB_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_GITLAB_PROJECT = re.compile(r"[\w.-]+(/[\w.-]+)+")
_GITLAB_URL = re.compile(r"https://[A-Za-z0-9.-]+(:\d+)?(/[\w.-]+)*")
_CLUSTER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")
_ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}")


def _checked_subject(field: str, subject: str, check, accepted: str, errors, warnings) -> str | None:
    verdict = check(subject)
    if verdict.problem:
        errors.append(Message(field, subject, verdict.problem, accepted))
        return None
    if verdict.admits:
        warnings.append(Message(field, subject, f"admits {verdict.admits}"))
    return subject


def _github_subject(answers: TrustAnswers, errors, warnings) -> str | None:
    if answers.github_sub:
        sub = answers.github_sub.strip()
        return _checked_subject("GitHub sub", sub, check_github_subject, GITHUB_SUBJECT_ACCEPTED, errors, warnings)
    repository = answers.github_repository
    if not repository or not _GITHUB_REPOSITORY.fullmatch(repository):
        errors.append(
            Message(
                "GitHub repository",
                repository or "",
                "is missing or not OWNER/REPO" if repository else "is required for GitHub OIDC",
                "Accepted: OWNER/REPO, e.g. my-org/my-app; or give the exact sub claim.",
            )
        )
        return None
    subject = github_subject(repository, answers.github_branch, answers.github_tag, answers.github_environment)
    if not (answers.github_tag or answers.github_environment):
        branch = answers.github_branch or "main"
        given = "" if answers.github_branch else "not given: "
        warnings.append(
            Message(
                "GitHub ref",
                "",
                f"{given}only workflow runs on the branch {branch!r} may assume the role; jobs that use an "
                "`environment:` present repo:OWNER/REPO:environment:NAME instead and are refused: pin the "
                "environment for those",
            )
        )
    return _checked_subject("GitHub sub", subject, check_github_subject, GITHUB_SUBJECT_ACCEPTED, errors, warnings)


def _gitlab_host(url: str | None, errors) -> str | None:
    url = (url or "https://gitlab.com").rstrip("/")
    if not _GITLAB_URL.fullmatch(url):
        errors.append(
            Message(
                "GitLab URL",
                url,
                "is not an https:// URL of a GitLab instance",
                "Accepted: e.g. https://gitlab.com or https://gitlab.example.com.",
            )
        )
        return None
    return url.removeprefix("https://")


def _gitlab_subject(answers: TrustAnswers, errors, warnings) -> str | None:
    if answers.gitlab_sub:
        sub = answers.gitlab_sub.strip()
        return _checked_subject("GitLab sub", sub, check_gitlab_subject, GITLAB_SUBJECT_ACCEPTED, errors, warnings)
    project = answers.gitlab_project
    if not project or not _GITLAB_PROJECT.fullmatch(project):
        errors.append(
            Message(
                "GitLab project",
                project or "",
                "is required for GitLab OIDC" if not project else "is not GROUP/PROJECT",
                "Accepted: GROUP/PROJECT (subgroups too); or give the exact sub claim.",
            )
        )
        return None
    return gitlab_subject(project, answers.gitlab_branch)


def _check_cluster(source, cluster: str | None, errors) -> None:
    if source is TrustSource.EKS_FARGATE and (not cluster or not _CLUSTER.fullmatch(cluster)):
        errors.append(
            Message(
                "cluster",
                cluster or "",
                "is required for a Fargate pod execution role" if not cluster else "is not an EKS cluster name",
                "Accepted: letters, digits, - and _ (up to 100).",
            )
        )


def _principal(request: PolicyRequest, principal: str | None, errors) -> str | None:
    """An account ID (normalised) or a role ARN in the repositories' partition."""
    if not principal:
        return None
    principal = principal.strip()
    account = check_account(principal)
    if account.ok:
        return account.value
    match = ROLE_ARN.fullmatch(principal)
    if not match:
        errors.append(
            Message(
                "principal",
                principal,
                "is neither an account ID nor a role ARN",
                "Accepted: 12 digits, or arn:aws:iam::ACCOUNT:role/NAME (or role/PATH/NAME).",
            )
        )
        return None
    partition = request.partition.name
    if match.group(1) != partition:
        errors.append(
            Message(
                "principal",
                principal,
                f"is in the partition {match.group(1)}, the repositories in {partition} ({request.region}): "
                "roles and resource policies never delegate across partitions",
                f"Accepted: a role ARN that starts with arn:{partition}:iam::, or a 12-digit account ID of {partition}.",
            )
        )
        return None
    return principal


def _function_account(request: PolicyRequest, principal: str | None, given: str | None, errors) -> str | None:
    """Lambda's function account: given, or the deployer's account (--principal); else the repositories'."""
    if request.role is not Role.LAMBDA:
        if given:
            errors.append(Message("function account", given, "only applies to the lambda role", "Leave it out."))
        return None
    deployer = principal_account(principal)
    if not given:
        return deployer or request.account
    check = check_account(given)
    if check.error:
        errors.append(check.error._replace(field="function account"))
        return None
    if deployer and deployer != check.value:
        errors.append(
            Message(
                "function account",
                check.value,
                f"differs from the account of the principal ({deployer}), who deploys the functions",
                "Give one of them, or the same account in both.",
            )
        )
    return check.value


def default_role_name(request: PolicyRequest) -> str:
    first = re.sub(r"[^\w+=,.@-]", "-", request.repositories[0].replace("*", "all").replace("?", "x")).strip("-")
    return f"ecr-{request.role.value}-{request.access.value}-{first}"[:64]


def _role_name_and_path(request: PolicyRequest, principal: str | None, role_name: str | None, errors):
    """The role's name and path: as given, or taken from a principal role ARN (path kept)."""
    name = role_name.strip() if role_name else None
    match = ROLE_ARN.fullmatch(principal or "")
    path = "/" + match.group(3) if match else "/"
    if match and name and name != match.group(4):
        errors.append(
            Message(
                "role name",
                name,
                f"differs from the role the principal names ({match.group(4)}), so the policies would not meet",
                "Leave the role name out, or name the same role.",
            )
        )
    name = name or (match.group(4) if match else None)
    if name and not _ROLE_NAME.fullmatch(name):
        errors.append(
            Message(
                "role name", name, "is not an IAM role name", "Accepted: up to 64 letters, digits and + = , . @ _ -."
            )
        )
    return name or default_role_name(request), path


def _role_option_errors(request: PolicyRequest) -> list[Message]:
    if request.role is Role.LAMBDA and request.public:
        return [
            Message(
                "options",
                "lambda + public",
                "cannot be combined: Lambda runs container images only from private Amazon ECR "
                "repositories in the function's region, never from ECR Public",
                "Leave out the ECR Public option (push the image to a private repository).",
            )
        ]
    return []


def pulls_addon_images(request: PolicyRequest, source: TrustSource | None) -> bool:
    """Does this role pull the EKS add-ons' images? Node and Fargate roles do; Pod Identity roles do not."""
    return request.role is Role.EKS and not request.public and source is not TrustSource.EKS_POD_IDENTITY


def _addon_registry_warnings(request: PolicyRequest, source) -> list[Message]:
    if not pulls_addon_images(request, source) or addons.addon_registry_account(request.region):
        return []
    if request.region.startswith("<"):
        return []  # a draft without a region yet
    return [
        Message(
            "region",
            request.region,
            "has no EKS add-on registry in this tool's table, so the policy has no statement for the add-on "
            "images: look the registry up on "
            f"{sources.EKS_ADDON_IMAGES} and allow ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on "
            f"arn:{request.partition.name}:ecr:{request.region}:ACCOUNT:repository/*",
        )
    ]


# -- the bundle -----------------------------------------------------------------------------


class Bundle(namedtuple("Bundle", "request deployment identity trust repository registry setup notes")):
    """Everything to apply for one request: the identity policy; the trust, repository, registry
    policies (None when not needed); setup (what a created role needs beyond ECR); notes."""

    __slots__ = ()

    @property
    def role_account(self) -> str:
        return role_account(self.request, self.deployment)

    @property
    def cross_account(self) -> bool:
        return self.role_account != self.request.account

    @property
    def companion(self) -> Document | None:
        return self.setup.companion if self.setup else None

    def documents(self) -> list[Document]:
        """The documents beside the identity policy, in the order they are applied."""
        return [doc for doc in (self.trust, self.companion, self.repository, self.registry) if doc is not None]

    def document(self, kind: str) -> Document | None:
        return next((doc for doc in self.documents() if doc.kind == kind), None)

    def placement(self) -> list[str]:
        """Where each part goes, one line each."""
        role = self.deployment.role_name
        holder = "the deployer's role" if self.request.role is Role.LAMBDA else "the role"
        if self.trust:
            where = f"{holder} {role} in account {self.role_account} (created here with the trust policy below)"
        elif self.deployment.role_named:
            where = f"{holder} {role} in account {self.role_account} (an existing role)"
        else:  # never a name the user did not give
            existing = "the deployer's existing role" if self.request.role is Role.LAMBDA else "your existing role"
            where = f"{existing} in account {self.role_account}"
        lines = [f"Identity policy: attach to {where}."]
        if self.trust:
            lines.append(f"Trust policy: the trust relationship of {role} ({self.trust.placement}).")
        if self.setup:
            lines += self.setup.summary()
        for document in (self.repository, self.registry):
            if document is not None:
                lines.append(f"{document.title}: {document.placement}")
        return lines


def role_account(request: PolicyRequest, deployment: Deployment) -> str:
    """Where the role with the identity policy lives: Lambda's function account, or the
    principal's account, or the repositories' own."""
    if request.role is Role.LAMBDA:
        return deployment.function_account or request.account
    return principal_account(deployment.principal) or request.account


def build_identity(request: PolicyRequest, deployment: Deployment) -> GeneratedPolicy:
    """The identity policy for this deployment (EKS Pod Identity roles skip the add-on images)."""
    return build_policy(request, addon_images=pulls_addon_images(request, deployment.trust))


def _notes(request: PolicyRequest, deployment: Deployment, account: str, setup: RoleSetup | None) -> list[str]:
    notes = []
    if request.role is Role.LAMBDA:
        notes.append(LAMBDA_NO_TRUST)
    if request.kms:
        from wizard.core.builder import KMS_NOTE

        notes.append(KMS_NOTE)
    if account == request.account and deployment.principal and request.role is not Role.LAMBDA:
        notes.append(
            "The principal is in the repositories' own account: the identity policy alone is enough, "
            "no repository policy is needed."
        )
    if deployment.trust is TrustSource.GITHUB and request.partition.name == "aws-cn":
        notes.append(CHINA_AUDIENCE)
    if setup:
        notes.extend(setup.still_needed)
    return notes


def build_bundle(request: PolicyRequest, deployment: Deployment, identity: GeneratedPolicy | None = None) -> Bundle:
    identity = identity or build_identity(request, deployment)
    account = role_account(request, deployment)
    setup = build_role_setup(request, deployment, account)
    return Bundle(
        request,
        deployment,
        identity,
        build_trust(request, deployment, account),
        build_repository_policy(request, deployment, account),
        build_registry_policy(request, deployment, account),
        setup,
        tuple(_notes(request, deployment, account, setup)),
    )
