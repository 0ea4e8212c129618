"""Who may assume the role: the trust sources, the OIDC subjects they accept, the trust policy.

A trust policy guards a whole role, so an OIDC subject that pins no repository owner (a bare
`*`, `repo:*`, `project_path:*`) is refused: every repository on GitHub or GitLab could assume
the role. Organisation-wide subjects are accepted with a warning that says what they admit.
"""

from __future__ import annotations

from collections import namedtuple
from enum import Enum

from wizard.core import sources
from wizard.core.documents import Document, policy, statement
from wizard.core.request import Role


class TrustSource(str, Enum):
    """Who assumes the role that carries the identity policy."""

    GITHUB = "github"
    GITLAB = "gitlab"
    CODEBUILD = "codebuild"
    EC2 = "ec2"
    ECS_TASKS = "ecs-tasks"
    EKS_NODE = "eks-node"
    EKS_FARGATE = "eks-fargate"
    EKS_POD_IDENTITY = "eks-pod-identity"


TRUST_TITLES = {
    TrustSource.GITHUB: "GitHub Actions (OIDC)",
    TrustSource.GITLAB: "GitLab CI (OIDC)",
    TrustSource.CODEBUILD: "AWS CodeBuild",
    TrustSource.EC2: "An EC2 instance profile (Jenkins, or ECS without an execution role)",
    TrustSource.ECS_TASKS: "ECS task execution role",
    TrustSource.EKS_NODE: "EKS node role",
    TrustSource.EKS_FARGATE: "EKS Fargate pod execution role",
    TrustSource.EKS_POD_IDENTITY: "EKS Pod Identity (pods that call ECR themselves)",
}
ROLE_TRUST = {
    Role.CI: (TrustSource.GITHUB, TrustSource.GITLAB, TrustSource.CODEBUILD, TrustSource.EC2),
    Role.ECS: (TrustSource.ECS_TASKS, TrustSource.EC2),
    Role.EKS: (TrustSource.EKS_NODE, TrustSource.EKS_FARGATE, TrustSource.EKS_POD_IDENTITY),
    Role.LAMBDA: (),
}
DEFAULT_TRUST = {Role.ECS: TrustSource.ECS_TASKS, Role.EKS: TrustSource.EKS_NODE}
"""CI has no default: which CI system it is matters, and GitHub and GitLab need details."""

GITHUB_PROVIDER = "token.actions.githubusercontent.com"


def github_audience(partition: str) -> str:
    """The `aud` a GitHub token must carry for STS in this partition (configure-aws-credentials
    asks for sts.amazonaws.com unless its `audience` input says otherwise)."""
    return "sts.amazonaws.com.cn" if partition == "aws-cn" else "sts.amazonaws.com"


def gitlab_audience(host: str) -> str:
    """The `aud` a GitLab job's id_token must carry: the instance URL, as the IAM provider's audience."""
    return f"https://{host}"


# -- OIDC subjects ------------------------------------------------------------------------


class TrustParts(namedtuple("TrustParts", "statement why sources")):
    """One trust statement, why it is shaped so, and the pages that say so."""

    __slots__ = ()


class SubjectCheck(namedtuple("SubjectCheck", "problem admits")):
    """What a sub claim condition lets in: problem (it must be refused, why) or admits (what a
    wildcard subject lets in, worth a warning), both empty for an exact subject."""

    __slots__ = ()


_WILDCARDS = frozenset("*?")
_GITHUB_OWNER_KEYS = ("repo", "repository")
"""sub forms that start with OWNER/REPO (the default form, and a customised `repository` key)."""
_GITHUB_ID_KEYS = ("repository_owner", "repository_owner_id", "repository_id")
"""Customised sub forms that start with an owner or repository identifier."""

GITHUB_SUBJECT_ACCEPTED = (
    "Accepted: repo:OWNER/REPO:ref:refs/heads/BRANCH (or :environment:NAME, :ref:refs/tags/TAG), "
    "repo:OWNER/REPO:* for every run of one repository, or repo:OWNER/* for a whole organisation."
)
GITLAB_SUBJECT_ACCEPTED = (
    "Accepted: project_path:GROUP/PROJECT:ref_type:branch:ref:BRANCH, or project_path:GROUP/* for "
    "every project of a group."
)


def _literal(text: str) -> bool:
    return bool(text) and not _WILDCARDS.intersection(text)


def check_github_subject(subject: str) -> SubjectCheck:
    """Does a GitHub sub condition pin a repository owner? (GitHub's OIDC reference lists the forms.)"""
    key, colon, rest = subject.partition(":")
    if not colon or key not in (*_GITHUB_OWNER_KEYS, *_GITHUB_ID_KEYS):
        return SubjectCheck("does not start with repo:OWNER/ and so pins no repository owner", "")
    if key in _GITHUB_ID_KEYS:
        value = rest.split(":", 1)[0]
        if not _literal(value):
            return SubjectCheck(f"pins no {key.replace('_', ' ')}: its value has a wildcard or is empty", "")
        if key == "repository_id":
            return SubjectCheck("", "")
        return SubjectCheck("", f"every repository of that owner ({key}:{value}), including repositories created later")
    owner, slash, after = rest.partition("/")
    if not slash or not _literal(owner) or ":" in owner:
        return SubjectCheck(
            "pins no repository owner: its owner part is missing or has a wildcard, so any GitHub "
            "repository whose token matches could assume the role",
            "",
        )
    repository, _, ref = after.partition(":")
    if not _literal(repository):
        which = "" if repository in ("", "*") else f" whose name matches {repository!r}"
        return SubjectCheck(
            "",
            f"every repository of {owner}{which}, including repositories created later, on every branch, tag, "
            "environment and pull request",
        )
    if _WILDCARDS.intersection(ref) or not ref:
        return SubjectCheck("", f"the runs of {owner}/{repository} whose ref matches {ref or '*'!r}")
    return SubjectCheck("", "")


def check_gitlab_subject(subject: str) -> SubjectCheck:
    """Does a GitLab sub condition pin a group? (project_path:GROUP/PROJECT:ref_type:...:ref:...)"""
    key, colon, rest = subject.partition(":")
    if key != "project_path" or not colon:
        return SubjectCheck("does not start with project_path:GROUP/ and so pins no group", "")
    group, slash, after = rest.partition("/")
    if not slash or not _literal(group) or ":" in group:
        return SubjectCheck(
            "pins no group: its group part is missing or has a wildcard, so any GitLab project whose "
            "token matches could assume the role",
            "",
        )
    project = after.split(":", 1)[0]
    if not _literal(project):
        return SubjectCheck(
            "",
            f"every project of the group {group} (subgroups too) whose path matches {project or '*'!r}, "
            "on every branch and tag",
        )
    if _WILDCARDS.intersection(after):
        return SubjectCheck("", f"the pipelines of {group}/{project} whose ref matches the pattern")
    return SubjectCheck("", "")


def github_subject(
    repository: str, branch: str | None = None, tag: str | None = None, environment: str | None = None
) -> str:
    """The `sub` claim GitHub puts in its OIDC token for a workflow run."""
    if environment:
        return f"repo:{repository}:environment:{environment}"
    if tag:
        return f"repo:{repository}:ref:refs/tags/{tag}"
    return f"repo:{repository}:ref:refs/heads/{branch or 'main'}"


def gitlab_subject(project: str, branch: str | None = None) -> str:
    """The `sub` claim GitLab puts in its OIDC token for a pipeline on a branch."""
    return f"project_path:{project}:ref_type:branch:ref:{branch or 'main'}"


def pins_a_branch(subject: str) -> bool:
    """A GitHub subject for runs on a branch: jobs that use an environment present another sub."""
    return ":ref:refs/heads/" in subject


ENVIRONMENT_JOBS_REFUSED = (
    "Jobs that use an `environment:` present repo:OWNER/REPO:environment:NAME as their sub, not the "
    "branch one, so this role refuses them: pin the environment instead for those jobs."
)
CHINA_AUDIENCE = (
    "In the workflow, set `audience: sts.amazonaws.com.cn` for aws-actions/configure-aws-credentials: "
    "its default audience is sts.amazonaws.com, which this role refuses."
)


# -- the trust policy ---------------------------------------------------------------------


def _match_operator(value: str) -> str:
    return "StringLike" if _WILDCARDS.intersection(value) else "StringEquals"


def _subject_lines(subject: str, check: SubjectCheck, what: str) -> list[str]:
    if not _WILDCARDS.intersection(subject):
        return [f"The token's sub claim must be exactly {subject!r}: {what} are refused."]
    return [
        f"The token's sub claim must match {subject!r} (StringLike: * matches any run of characters, "
        f"/ and : included). It admits {check.admits or 'every sub that fits the pattern'}; other subs are refused."
    ]


def _github_trust(request, deployment, account: str):
    partition = request.partition.name
    china = partition == "aws-cn"
    audience = github_audience(partition)
    subject = deployment.subject
    conditions = {"StringEquals": {f"{GITHUB_PROVIDER}:aud": audience}}
    conditions.setdefault(_match_operator(subject), {})[f"{GITHUB_PROVIDER}:sub"] = subject
    provider = f"arn:{partition}:iam::{account}:oidc-provider/{GITHUB_PROVIDER}"
    why = [
        f"GitHub's OIDC provider ({GITHUB_PROVIDER}) may assume the role with a web identity token.",
        f"The token's audience must be {audience}.",
        *_subject_lines(
            subject, check_github_subject(subject), "runs of other repositories, branches, tags and environments"
        ),
    ]
    if pins_a_branch(subject):
        why.append(ENVIRONMENT_JOBS_REFUSED)
    why.append(
        f"Needs the IAM OIDC provider for {GITHUB_PROVIDER} in account {account}, and "
        "`permissions: id-token: write` in the workflow. GitHub is adding immutable owner and "
        "repository IDs to the sub of new and renamed repositories: check the exact value in a run's "
        "token if the role is refused."
    )
    sources_ = (sources.GITHUB_OIDC_AWS, sources.GITHUB_OIDC_REFERENCE)
    if china:
        sources_ += (sources.CONFIGURE_AWS_CREDENTIALS,)
    return TrustParts(
        statement("GitHubActionsOIDC", {"Federated": provider}, "sts:AssumeRoleWithWebIdentity", conditions),
        why,
        sources_,
    )


def _gitlab_trust(request, deployment, account: str):
    host, subject = deployment.gitlab_host, deployment.subject
    audience = gitlab_audience(host)
    conditions = {"StringEquals": {f"{host}:aud": audience}}
    conditions.setdefault(_match_operator(subject), {})[f"{host}:sub"] = subject
    provider = f"arn:{request.partition.name}:iam::{account}:oidc-provider/{host}"
    why = [
        f"The GitLab instance's OIDC provider ({host}) may assume the role with a web identity token.",
        f"The token's audience must be {audience}.",
        *_subject_lines(subject, check_gitlab_subject(subject), "pipelines of other projects and branches"),
        f"Needs the IAM OIDC provider for {host} in account {account}, and an id_tokens entry "
        f"with aud {audience} in .gitlab-ci.yml.",
    ]
    return TrustParts(
        statement("GitLabCIOIDC", {"Federated": provider}, "sts:AssumeRoleWithWebIdentity", conditions),
        why,
        (sources.GITLAB_OIDC_AWS,),
    )


def _codebuild_trust(request, deployment, account: str):
    condition = {"StringEquals": {"aws:SourceAccount": account}}
    why = ["CodeBuild may assume the role for builds in this account (aws:SourceAccount prevents confused-deputy use)."]
    return TrustParts(
        statement("CodeBuild", {"Service": "codebuild.amazonaws.com"}, "sts:AssumeRole", condition),
        why,
        (sources.CODEBUILD_SERVICE_ROLE, sources.IAM_CONFUSED_DEPUTY),
    )


def _ec2_trust(request, deployment, account: str):
    node = deployment.trust is TrustSource.EKS_NODE
    why = [
        "EC2 may assume the role for instances that carry it in their instance profile"
        + (" (the node group's nodes; the kubelet pulls with it)." if node else ".")
    ]
    page = sources.EKS_NODE_ROLE if node else sources.IAM_INSTANCE_PROFILES
    return TrustParts(statement("EC2Instances", {"Service": "ec2.amazonaws.com"}, "sts:AssumeRole"), why, (page,))


def _ecs_tasks_trust(request, deployment, account: str):
    condition = {"StringEquals": {"aws:SourceAccount": account}}
    why = [
        "ECS may assume the role as the task execution role of tasks in this account; name it "
        "in the task definition's executionRoleArn."
    ]
    return TrustParts(
        statement("ECSTaskExecution", {"Service": "ecs-tasks.amazonaws.com"}, "sts:AssumeRole", condition),
        why,
        (sources.ECS_TASK_EXECUTION_ROLE,),
    )


def _eks_fargate_trust(request, deployment, account: str):
    partition = request.partition.name
    profile = f"arn:{partition}:eks:{request.region}:{account}:fargateprofile/{deployment.cluster}/*"
    condition = {"ArnLike": {"aws:SourceArn": profile}}
    why = [f"EKS Fargate may assume the role for pods of the Fargate profiles of cluster {deployment.cluster} only."]
    return TrustParts(
        statement("EKSFargatePods", {"Service": "eks-fargate-pods.amazonaws.com"}, "sts:AssumeRole", condition),
        why,
        (sources.EKS_POD_EXECUTION_ROLE,),
    )


def _eks_pod_identity_trust(request, deployment, account: str):
    why = [
        "EKS Pod Identity may assume the role (and tag the session) for pods associated with it. "
        "Only for pods that call ECR themselves (image builders): the kubelet pulls images with the node role."
    ]
    actions = ["sts:AssumeRole", "sts:TagSession"]
    return TrustParts(
        statement("EKSPodIdentity", {"Service": "pods.eks.amazonaws.com"}, actions),
        why,
        (sources.EKS_POD_IDENTITY_ROLE,),
    )


_TRUST_BUILDERS = {
    TrustSource.GITHUB: _github_trust,
    TrustSource.GITLAB: _gitlab_trust,
    TrustSource.CODEBUILD: _codebuild_trust,
    TrustSource.EC2: _ec2_trust,
    TrustSource.EKS_NODE: _ec2_trust,
    TrustSource.ECS_TASKS: _ecs_tasks_trust,
    TrustSource.EKS_FARGATE: _eks_fargate_trust,
    TrustSource.EKS_POD_IDENTITY: _eks_pod_identity_trust,
}


def build_trust(request, deployment, account: str) -> Document | None:
    """The role's trust policy: who may assume it, and under which conditions."""
    if deployment.trust is None:
        return None
    parts = _TRUST_BUILDERS[deployment.trust](request, deployment, account)
    return Document(
        "trust",
        policy([parts.statement]),
        account,
        TRUST_TITLES[deployment.trust],
        tuple(parts.why),
        sources=parts.sources,
    )
