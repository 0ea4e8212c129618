"""Roles side by side: for each kind of workload, who makes the ECR calls, who may assume the
role, who fetches the registry token, whether the repository needs a policy, and how the
identity policies differ.

The trust principals and the identity policies are not restated here: each row builds them
with the same code `generate` uses (trust.build_trust, deploy.build_identity), so this table
cannot drift from what the tool writes.
"""

from __future__ import annotations

from collections import namedtuple

from wizard.core import sources
from wizard.core.deploy import Deployment, build_identity
from wizard.core.request import Role, make_request
from wizard.core.roles import ROLES
from wizard.core.text import wrap
from wizard.core.trust import TRUST_TITLES, TrustSource, build_trust

EXAMPLE_ACCOUNT = "123456789012"
EXAMPLE_REGION = "us-east-1"
_CROSS_ACCOUNT_ONLY = (
    "only when the repositories are in another account: then both halves are needed, this identity "
    "policy and the owner's repository policy naming the role (or its account)"
)


class Workload(
    namedtuple(
        "Workload", "key title role trusts who_calls token_fetcher repository_policy sources access", defaults=(None,)
    )
):
    """One kind of workload. key: as `ecr-policy roles KEY` takes it; role: the Role the policy
    is generated for; trusts: the TrustSource values its role may have; who_calls: who makes
    the ECR calls; token_fetcher: who fetches the registry token, with which role;
    repository_policy: when the repository needs a policy; sources: the pages; access: the
    Access of the example policy (the role's default when None)."""

    __slots__ = ()


WORKLOADS: tuple[Workload, ...] = (
    Workload(
        "ci",
        "CI pipeline (GitHub Actions, GitLab CI, CodeBuild, Jenkins)",
        Role.CI,
        (TrustSource.GITHUB, TrustSource.GITLAB, TrustSource.CODEBUILD, TrustSource.EC2),
        ROLES[Role.CI].who_pulls,
        "the pipeline itself, with its role: `aws ecr get-login-password | docker login ...` before it pushes",
        _CROSS_ACCOUNT_ONLY,
        (sources.ECR_PUSH_IAM, sources.ECR_REGISTRY_AUTH, sources.IAM_CROSS_ACCOUNT_EVALUATION),
    ),
    Workload(
        "ecs",
        "Amazon ECS task",
        Role.ECS,
        (TrustSource.ECS_TASKS,),
        ROLES[Role.ECS].who_pulls,
        "the ECS container agent (EC2 launch type) or Fargate, with the task execution role, before the task starts",
        _CROSS_ACCOUNT_ONLY,
        (sources.ECS_TASK_EXECUTION_ROLE, sources.ECR_ON_ECS),
    ),
    Workload(
        "ecs-instance",
        "Amazon ECS on EC2 without an execution role",
        Role.ECS,
        (TrustSource.EC2,),
        "The container instance role (the instance profile): every task on the instance pulls with it.",
        "the ECS container agent, with the container instance role",
        _CROSS_ACCOUNT_ONLY,
        (sources.ECS_INSTANCE_ROLE,),
    ),
    Workload(
        "eks-node",
        "Amazon EKS nodes",
        Role.EKS,
        (TrustSource.EKS_NODE,),
        "The kubelet on each node, with the node instance role. IRSA and Pod Identity roles do not pull images.",
        "the kubelet's image credential provider, with the node instance role",
        _CROSS_ACCOUNT_ONLY,
        (sources.EKS_NODE_ROLE, sources.KUBELET_CREDENTIAL_PROVIDER, sources.EKS_ADDON_IMAGES),
    ),
    Workload(
        "eks-fargate",
        "Amazon EKS on Fargate",
        Role.EKS,
        (TrustSource.EKS_FARGATE,),
        "Fargate, with the pod execution role of the Fargate profile.",
        "Fargate, with the pod execution role",
        _CROSS_ACCOUNT_ONLY,
        (sources.EKS_POD_EXECUTION_ROLE,),
    ),
    Workload(
        "eks-pod-identity",
        "Amazon EKS Pod Identity",
        Role.EKS,
        (TrustSource.EKS_POD_IDENTITY,),
        "Only pods whose own code calls ECR (image builders, tools that read registries); the node role still "
        "pulls every pod's image.",
        "the pod's own code (its AWS SDK or CLI), with the Pod Identity role",
        _CROSS_ACCOUNT_ONLY,
        (sources.EKS_POD_IDENTITY_ROLE,),
    ),
    Workload(
        "lambda",
        "AWS Lambda (container image functions)",
        Role.LAMBDA,
        (),
        ROLES[Role.LAMBDA].who_pulls,
        "nobody runs docker login: the deployer only calls CreateFunction, and the Lambda service reads the image",
        "always: it must allow lambda.amazonaws.com ecr:BatchGetImage and ecr:GetDownloadUrlForLayer (limited by "
        "aws:sourceARN), and across accounts also the function account",
        (sources.LAMBDA_IMAGES, sources.LAMBDA_ECR_REPOST),
    ),
)
"""The workloads, in the order `ecr-policy roles` shows them."""

WORKLOAD_BY_KEY = {workload.key: workload for workload in WORKLOADS}


def _deployment(source: TrustSource | None) -> Deployment:
    subject = {
        TrustSource.GITHUB: "repo:my-org/my-app:ref:refs/heads/main",
        TrustSource.GITLAB: "project_path:my-group/my-app:ref_type:branch:ref:main",
    }.get(source)
    host = "gitlab.com" if source is TrustSource.GITLAB else None
    cluster = "my-cluster" if source is TrustSource.EKS_FARGATE else None
    return Deployment(trust=source, subject=subject, gitlab_host=host, cluster=cluster, role_name="example")


def _request(workload: Workload):
    return make_request(workload.role, ["my-app"], EXAMPLE_REGION, EXAMPLE_ACCOUNT, workload.access).request


def trust_principals(workload: Workload) -> list[str]:
    """Who may assume the role, read from the trust policies `generate` writes for it."""
    request = _request(workload)
    found = []
    for source in workload.trusts:
        document = build_trust(request, _deployment(source), EXAMPLE_ACCOUNT)
        for statement in document.document["Statement"]:
            found.append(f"{TRUST_TITLES[source]}: {_principal_words(statement)}")
    return found or ["no role is assumed for pulling: the deployer uses its existing role"]


def _principal_words(statement: dict) -> str:
    kind, value = next(iter(statement["Principal"].items()))
    actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
    shown = value.split("oidc-provider/", 1)[-1] if kind == "Federated" else value
    conditions = sorted({key for tests in statement.get("Condition", {}).values() for key in tests})
    where = f", with conditions on {', '.join(conditions)}" if conditions else ""
    return f"{shown} ({' and '.join(actions)}{where})"


def identity_summary(workload: Workload) -> list[str]:
    """The identity policy `generate` writes for the workload, one line per statement."""
    request = _request(workload)
    source = workload.trusts[0] if workload.trusts else None
    policy = build_identity(request, _deployment(source))
    lines = []
    for statement in policy.statements:
        actions = ", ".join(action.short_name for action in statement.actions)
        where = '"*"' if statement.resources == ("*",) else "the repositories"
        if statement.sid == "AllowEKSAddonImages":
            where = "AWS's EKS add-on registry of the region"
        lines.append(f"{statement.sid}: {actions} on {where}")
    return lines


def workload_fields(workload: Workload) -> list[tuple[str, list[str]]]:
    """The comparison's fields for one workload, in order: (label, its values)."""
    return [
        ("Makes the calls", [workload.who_calls]),
        ("Role trusts", trust_principals(workload)),
        ("Fetches the token", [workload.token_fetcher]),
        ("Repository policy", [workload.repository_policy]),
        ("Identity policy", identity_summary(workload)),
    ]


def roles_lines(workloads: tuple[Workload, ...] = WORKLOADS, width: int = 78) -> list[str]:
    """The side-by-side comparison for terminals: one block per workload, labelled fields."""

    def field(label: str, text: str) -> list[str]:
        return wrap(text, f"  {label:<19}", " " * 21, width)

    lines = []
    for workload in workloads:
        lines += ["", workload.title]
        for label, values in workload_fields(workload):
            for index, value in enumerate(values):
                lines += field(f"{label}:" if index == 0 else "", value)
        lines += [f"  Source: {page}" for page in workload.sources]
    return lines[1:]


def roles_table(workloads: tuple[Workload, ...] = WORKLOADS) -> tuple[list[str], list[list[str]]]:
    """The same as a table (headers, rows) for Markdown and HTML handouts."""
    headers = [
        "workload",
        "makes the calls",
        "role trusts",
        "fetches the token",
        "repository policy",
        "identity policy",
        "sources",
    ]
    rows = [
        [
            workload.title,
            workload.who_calls,
            "; ".join(trust_principals(workload)),
            workload.token_fetcher,
            workload.repository_policy,
            "; ".join(identity_summary(workload)),
            " ".join(workload.sources),
        ]
        for workload in workloads
    ]
    return headers, rows
