"""Beyond the identity policy: the role's trust policy and the repository policy.

A permission policy is half the job: it must sit on a role that the right service or CI
system can assume, and for Lambda and cross-account pulls the repository needs a policy of
its own. `build_bundle` puts the three documents together, with where each one goes.
"""

from __future__ import annotations

import re
from collections import namedtuple
from enum import Enum

from wizard.core.builder import POLICY_VERSION, GeneratedPolicy, build_policy
from wizard.core.request import Message, PolicyRequest, RequestError, Role, check_account


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


def trust_choices(role: Role) -> list[tuple[str, str]]:
    """(value, title) for "who assumes the role", the role's default first: "none" means an
    existing role gets the policy (first when the role has no default, e.g. CI)."""
    existing = (
        "none",
        "No new role: attach the policy to an existing one"
        if role is not Role.LAMBDA
        else "The deployer's existing role (the Lambda service pulls by itself)",
    )
    sources = [(source.value, TRUST_TITLES[source]) for source in ROLE_TRUST[role]]
    return [existing, *sources] if DEFAULT_TRUST.get(role) is None else [*sources, existing]


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
    "policy below), not the function's execution role; the identity policy belongs on whoever "
    "deploys the function."
)


class Deployment(
    namedtuple(
        "Deployment",
        "trust subject gitlab_host principal function_account role_name cluster",
        defaults=(None, None, None, None, None, "", None),
    )
):
    """Where the policy goes. trust: a TrustSource or None; subject: the OIDC `sub` value;
    gitlab_host: the GitLab instance host; principal: another account ID or role ARN that
    pulls (cross-account); function_account: Lambda's account; role_name: the role to create
    (or the existing one to attach to); cluster: the EKS cluster of a Fargate profile."""

    __slots__ = ()


class Document(namedtuple("Document", "kind document account placement explanation targets", defaults=((),))):
    """A trust or repository policy: the JSON, the account it lives in, where it goes, why;
    targets: for a repository policy, the repositories it is set on."""

    __slots__ = ()


class Bundle(namedtuple("Bundle", "request deployment identity trust repository notes")):
    """Everything to apply for one request: identity policy, trust policy, repository policy."""

    __slots__ = ()

    @property
    def role_account(self) -> str:
        return principal_account(self.deployment.principal) or self.request.account

    @property
    def cross_account(self) -> bool:
        return self.role_account != self.request.account

    def placement(self) -> list[str]:
        """Where each document goes, one line each."""
        role = self.deployment.role_name
        lines = [
            f"Identity policy: attach to the role {role} in account {self.role_account}"
            + (" (created here with the trust policy below)." if self.trust else " (an existing role).")
        ]
        if self.trust:
            lines.append(f"Trust policy: the trust relationship of {role} ({self.trust.placement}).")
        if self.repository:
            lines.append(f"Repository policy: {self.repository.placement}")
        return lines


GITHUB_PROVIDER = "token.actions.githubusercontent.com"
_GITHUB_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_ROLE_ARN = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role/(?:[\w+=,.@-]+/)*([\w+=,.@-]{1,64})$")
_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
_CLUSTER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")


def principal_account(principal: str | None) -> str | None:
    if not principal:
        return None
    match = _ROLE_ARN.match(principal)
    return match.group(2) if match else principal


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


def default_role_name(request: PolicyRequest) -> str:
    first = re.sub(r"[^\w+=,.@-]", "-", request.repositories[0].replace("*", "all").replace("?", "x")).strip("-")
    return f"ecr-{request.role.value}-{request.access.value}-{first}"[:64]


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
    errors: list[Message] = []
    warnings: list[Message] = []
    source = None
    if trust is None:
        source = DEFAULT_TRUST.get(request.role)
    elif trust == "none":
        source = None  # attach to an existing role: no trust policy
    else:
        try:
            source = TrustSource(trust)
        except ValueError:
            errors.append(
                Message(
                    "trust", trust, "is not a trust source", f"Accepted: {', '.join(s.value for s in TrustSource)}."
                )
            )
        else:
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
    subject = host = None
    if source is TrustSource.GITHUB:
        if github_sub:
            subject = github_sub.strip()
        elif not github_repository or not _GITHUB_REPOSITORY.match(github_repository):
            errors.append(
                Message(
                    "GitHub repository",
                    github_repository or "",
                    "is missing or not OWNER/REPO" if github_repository else "is required for GitHub OIDC",
                    "Accepted: OWNER/REPO, e.g. my-org/my-app; or give the exact sub claim.",
                )
            )
        else:
            if not (github_branch or github_tag or github_environment):
                warnings.append(
                    Message("GitHub ref", "", "not given: only workflows on the branch main may assume the role")
                )
            subject = github_subject(github_repository, github_branch, github_tag, github_environment)
    elif source is TrustSource.GITLAB:
        url = (gitlab_url or "https://gitlab.com").rstrip("/")
        if not re.match(r"^https://[A-Za-z0-9.-]+(:\d+)?(/[\w.-]+)*$", url):
            errors.append(
                Message(
                    "GitLab URL",
                    url,
                    "is not an https:// URL of a GitLab instance",
                    "Accepted: e.g. https://gitlab.com or https://gitlab.example.com.",
                )
            )
        host = url.removeprefix("https://")
        if gitlab_sub:
            subject = gitlab_sub.strip()
        elif not gitlab_project or not re.match(r"^[\w.-]+(/[\w.-]+)+$", gitlab_project):
            errors.append(
                Message(
                    "GitLab project",
                    gitlab_project or "",
                    "is required for GitLab OIDC" if not gitlab_project else "is not GROUP/PROJECT",
                    "Accepted: GROUP/PROJECT (subgroups too); or give the exact sub claim.",
                )
            )
        else:
            subject = gitlab_subject(gitlab_project, gitlab_branch)
    elif source is TrustSource.EKS_FARGATE and (not cluster or not _CLUSTER.match(cluster)):
        errors.append(
            Message(
                "cluster",
                cluster or "",
                "is required for a Fargate pod execution role" if not cluster else "is not an EKS cluster name",
                "Accepted: letters, digits, - and _ (up to 100).",
            )
        )
    if principal:
        principal = principal.strip()
        if not _ROLE_ARN.match(principal) and not check_account(principal).ok:
            errors.append(
                Message(
                    "principal",
                    principal,
                    "is neither an account ID nor a role ARN",
                    "Accepted: 12 digits, or arn:aws:iam::ACCOUNT:role/NAME.",
                )
            )
        elif check_account(principal).ok:
            principal = check_account(principal).value
    if function_account:
        check = check_account(function_account)
        if check.error:
            errors.append(check.error._replace(field="function account"))
        function_account = check.value
    if request.role is not Role.LAMBDA and function_account:
        errors.append(Message("function account", function_account, "only applies to the lambda role", "Leave it out."))
    name = role_name.strip() if role_name else None
    role_match = _ROLE_ARN.match(principal or "")
    if role_match and not name:
        name = role_match.group(3)
    if name and not _ROLE_NAME.match(name):
        errors.append(
            Message(
                "role name", name, "is not an IAM role name", "Accepted: up to 64 letters, digits and + = , . @ _ -."
            )
        )
    if errors:
        raise RequestError(errors)
    deployment = Deployment(
        trust=source,
        subject=subject,
        gitlab_host=host,
        principal=principal,
        function_account=function_account or (request.account if request.role is Role.LAMBDA else None),
        role_name=name or default_role_name(request),
        cluster=cluster,
    )
    return deployment, warnings


def _statement(sid: str, principal: dict, action, condition: dict | None = None) -> dict:
    statement = {"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        statement["Condition"] = condition
    return statement


def _match_operator(value: str) -> str:
    return "StringLike" if "*" in value or "?" in value else "StringEquals"


def build_trust(request: PolicyRequest, deployment: Deployment, account: str) -> Document | None:
    """The role's trust policy: who may assume it, and under which conditions."""
    source = deployment.trust
    if source is None:
        return None
    partition = request.partition.name
    china = partition == "aws-cn"
    why: list[str] = []
    if source is TrustSource.GITHUB:
        provider = f"arn:{partition}:iam::{account}:oidc-provider/{GITHUB_PROVIDER}"
        audience = "sts.amazonaws.com.cn" if china else "sts.amazonaws.com"
        conditions = {"StringEquals": {f"{GITHUB_PROVIDER}:aud": audience}}
        conditions.setdefault(_match_operator(deployment.subject), {})[f"{GITHUB_PROVIDER}:sub"] = deployment.subject
        statement = _statement(
            "GitHubActionsOIDC", {"Federated": provider}, "sts:AssumeRoleWithWebIdentity", conditions
        )
        why = [
            f"GitHub's OIDC provider ({GITHUB_PROVIDER}) may assume the role with a web identity token.",
            f"The audience must be {audience}, and the token's sub claim must be {deployment.subject!r}: "
            "workflows of other repositories, branches or environments are refused.",
            f"Needs the IAM OIDC provider for {GITHUB_PROVIDER} in account {account}, and "
            "`permissions: id-token: write` in the workflow. GitHub is changing its sub claims to "
            "include numeric IDs: check the exact value in a run's token if the role is refused.",
        ]
    elif source is TrustSource.GITLAB:
        host = deployment.gitlab_host
        provider = f"arn:{partition}:iam::{account}:oidc-provider/{host}"
        conditions = {"StringEquals": {f"{host}:aud": f"https://{host}"}}
        conditions.setdefault(_match_operator(deployment.subject), {})[f"{host}:sub"] = deployment.subject
        statement = _statement("GitLabCIOIDC", {"Federated": provider}, "sts:AssumeRoleWithWebIdentity", conditions)
        why = [
            f"The GitLab instance's OIDC provider ({host}) may assume the role with a web identity token.",
            f"The audience must be https://{host} and the sub claim {deployment.subject!r}.",
            f"Needs the IAM OIDC provider for {host} in account {account}, and an id_tokens entry "
            f"with aud https://{host} in .gitlab-ci.yml.",
        ]
    elif source is TrustSource.CODEBUILD:
        statement = _statement(
            "CodeBuild",
            {"Service": "codebuild.amazonaws.com"},
            "sts:AssumeRole",
            {"StringEquals": {"aws:SourceAccount": account}},
        )
        why = [
            "CodeBuild may assume the role for builds in this account (aws:SourceAccount prevents confused-deputy use)."
        ]
    elif source is TrustSource.EC2 or source is TrustSource.EKS_NODE:
        statement = _statement("EC2Instances", {"Service": "ec2.amazonaws.com"}, "sts:AssumeRole")
        why = [
            "EC2 may assume the role for instances that carry it in their instance profile"
            + (" (the node group's nodes; the kubelet pulls with it)." if source is TrustSource.EKS_NODE else ".")
        ]
    elif source is TrustSource.ECS_TASKS:
        statement = _statement(
            "ECSTaskExecution",
            {"Service": "ecs-tasks.amazonaws.com"},
            "sts:AssumeRole",
            {"StringEquals": {"aws:SourceAccount": account}},
        )
        why = [
            "ECS may assume the role as the task execution role of tasks in this account; name it "
            "in the task definition's executionRoleArn."
        ]
    elif source is TrustSource.EKS_FARGATE:
        profile = f"arn:{partition}:eks:{request.region}:{account}:fargateprofile/{deployment.cluster}/*"
        statement = _statement(
            "EKSFargatePods",
            {"Service": "eks-fargate-pods.amazonaws.com"},
            "sts:AssumeRole",
            {"ArnLike": {"aws:SourceArn": profile}},
        )
        why = [
            f"EKS Fargate may assume the role for pods of the Fargate profiles of cluster {deployment.cluster} only."
        ]
    else:
        statement = _statement(
            "EKSPodIdentity", {"Service": "pods.eks.amazonaws.com"}, ["sts:AssumeRole", "sts:TagSession"]
        )
        why = [
            "EKS Pod Identity may assume the role (and tag the session) for pods associated with it. "
            "Only for pods that call ECR themselves (image builders): the kubelet pulls images with the node role."
        ]
    return Document(
        "trust",
        {"Version": POLICY_VERSION, "Statement": [statement]},
        account,
        TRUST_TITLES[source],
        tuple(why),
    )


def build_repository_policy(request: PolicyRequest, deployment: Deployment, role_account: str) -> Document | None:
    """The repository policy, when the repository's owner must allow the puller too."""
    pull = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
    push = ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"]
    partition = request.partition.name
    literal = tuple(name for name in request.repositories if "*" not in name and "?" not in name)
    if request.public:
        return None
    if request.role is Role.LAMBDA:
        lambda_actions = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
        function_account = deployment.function_account or request.account
        statements = []
        if function_account != request.account:
            statements.append(
                _statement(
                    "LambdaFunctionAccount", {"AWS": f"arn:{partition}:iam::{function_account}:root"}, lambda_actions
                )
            )
            statements.append(
                _statement(
                    "LambdaServicePull",
                    {"Service": "lambda.amazonaws.com"},
                    lambda_actions,
                    {
                        "StringLike": {
                            "aws:sourceARN": f"arn:{partition}:lambda:{request.region}:{function_account}:function:*"
                        }
                    },
                )
            )
            why = (
                f"Lambda functions in account {function_account} run images from account {request.account}: "
                "the repository must allow that account and the Lambda service, limited to functions of that account.",
                f"The functions must be in {request.region}, the repository's region.",
            )
        else:
            statements.append(
                _statement("LambdaECRImageRetrievalPolicy", {"Service": "lambda.amazonaws.com"}, lambda_actions)
            )
            why = (
                "The Lambda service pulls the image: the repository must allow lambda.amazonaws.com "
                "ecr:BatchGetImage and ecr:GetDownloadUrlForLayer.",
                "Lambda writes this statement itself only when the deployer may call "
                "ecr:GetRepositoryPolicy and ecr:SetRepositoryPolicy; setting it here makes the deployer need neither.",
            )
    elif role_account != request.account:
        # A role ARN when given; else the account, which always exists (a role ARN that does
        # not exist yet is refused by ECR), leaving the choice of role to the identity policy.
        principal = (
            deployment.principal
            if _ROLE_ARN.match(deployment.principal or "")
            else f"arn:{partition}:iam::{role_account}:root"
        )
        actions = pull + (push if request.access.value == "push" else [])
        statements = [
            _statement(
                "CrossAccountPull" if request.access.value == "pull" else "CrossAccountPullPush",
                {"AWS": principal},
                actions,
            )
        ]
        why = (
            f"Cross-account: the repositories are in account {request.account}, the role in {role_account}. "
            "Both halves are needed: this repository policy in the owner's account, and the identity policy on the role.",
            "ecr:GetAuthorizationToken is not listed: it has no effect in a repository policy (the identity policy grants it).",
        )
    else:
        return None
    placement = (
        f"set on {', '.join(literal) or 'each matching repository'} in account {request.account} "
        f"({request.region}) with `aws ecr set-repository-policy`"
    )
    if len(literal) < len(request.repositories):
        placement += "; a repository policy is set per repository, so patterns need each matching repository named"
    return Document(
        "repository",
        {"Version": POLICY_VERSION, "Statement": statements},
        request.account,
        placement + ".",
        why,
        literal,
    )


def build_bundle(request: PolicyRequest, deployment: Deployment, identity: GeneratedPolicy | None = None) -> Bundle:
    identity = identity or build_policy(request)
    role_account = principal_account(deployment.principal) or request.account
    trust = build_trust(request, deployment, role_account)
    repository = build_repository_policy(request, deployment, role_account)
    notes = []
    if request.role is Role.LAMBDA:
        notes.append(LAMBDA_NO_TRUST)
    if request.kms:
        from wizard.core.builder import KMS_NOTE

        notes.append(KMS_NOTE)
    if role_account == request.account and deployment.principal:
        notes.append(
            "The principal is in the repositories' own account: the identity policy alone is enough, no repository policy is needed."
        )
    return Bundle(request, deployment, identity, trust, repository, tuple(notes))
