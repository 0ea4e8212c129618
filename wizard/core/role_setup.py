"""What a role the outputs create needs for its job beyond ECR, per trust source.

ECR access alone does not make a working role: an EC2 role reaches its instances only through
an instance profile, an ECS task execution role also writes the containers' logs, a CodeBuild
service role writes build logs and reads and writes S3, EKS nodes need the worker node and
VPC CNI policies. For each, the choice is made here between attaching the AWS managed policy
that the documentation names (when its scope is the service's own: ECS agent, EKS node) and a
scoped statement of our own (when the managed policy would also grant ECR on "*"), and the
choice is explained. What cannot be known here (bucket names) is said plainly instead.
"""

from __future__ import annotations

from collections import namedtuple

from wizard.core import sources
from wizard.core.documents import Document, policy
from wizard.core.request import PolicyRequest, Role
from wizard.core.trust import TrustSource


class ManagedPolicy(namedtuple("ManagedPolicy", "name path why source")):
    """An AWS managed policy the role gets, why, and the page that says it needs it."""

    __slots__ = ()

    def arn(self, partition: str) -> str:
        return f"arn:{partition}:iam::aws:policy/{self.path}{self.name}"


EKS_WORKER_NODE = ManagedPolicy(
    "AmazonEKSWorkerNodePolicy",
    "",
    "lets the kubelet describe the VPC's EC2 resources and the node join the cluster (and the EKS Pod "
    "Identity Agent fetch pod credentials); EKS's node role page requires it",
    sources.EKS_NODE_ROLE,
)
EKS_CNI = ManagedPolicy(
    "AmazonEKS_CNI_Policy",
    "",
    "lets the Amazon VPC CNI give pods their IP addresses (IPv4 clusters). AWS recommends giving it to "
    "the VPC CNI's own IRSA or Pod Identity role instead: once you have, remove it from this role",
    sources.EKS_NODE_ROLE,
)
ECS_FOR_EC2 = ManagedPolicy(
    "AmazonEC2ContainerServiceforEC2Role",
    "service-role/",
    "lets the ECS agent register the instance and run tasks (ECS's container instance role page). It "
    'also grants ECR pulls on "*", every repository, which defeats this policy\'s scoping: a task '
    "execution role (the ecs role's default trust) is the least-privilege way for tasks to pull",
    sources.ECS_INSTANCE_ROLE,
)


class RoleSetup(namedtuple("RoleSetup", "instance_profile managed companion still_needed sources")):
    """Beyond ECR, for a role created here: instance_profile (EC2 roles); managed (ManagedPolicy
    rows to attach); companion (a Document of scoped statements, or None); still_needed
    (sentences on what only the user can add); sources (pages behind those sentences)."""

    __slots__ = ()

    def summary(self) -> list[str]:
        """One line per extra resource, for placement lists."""
        lines = []
        if self.instance_profile:
            lines.append("Instance profile: created for the role; launch the instances with it.")
        for managed in self.managed:
            lines.append(f"Managed policy {managed.name}: attached to the role; it {managed.why}.")
        if self.companion is not None:
            lines.append(f"Companion policy: {self.companion.placement}")
        return lines


def _companion_for_ecs_tasks(request: PolicyRequest, account: str) -> Document:
    partition = request.partition.name
    logs = {
        "Sid": "ContainerLogs",
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": f"arn:{partition}:logs:{request.region}:{account}:log-group:*",
    }
    why = (
        "The awslogs log driver writes the containers' output to CloudWatch Logs with the task execution "
        f"role: logs:CreateLogStream and logs:PutLogEvents, here on the log groups of account {account} in "
        f"{request.region} (narrow it to your task definition's awslogs-group if you like).",
        'AmazonECSTaskExecutionRolePolicy would grant these too, but with ECR pulls on "*", so it is not '
        "attached: this companion policy and the ECR policy together are the least-privilege equivalent.",
    )
    return Document(
        "companion",
        policy([logs]),
        account,
        "an inline policy of the role (created with it): its CloudWatch Logs permissions.",
        why,
        sources=(sources.ECS_TASK_EXECUTION_ROLE, sources.MANAGED_ECS_TASK_EXECUTION),
    )


def _companion_for_codebuild(request: PolicyRequest, account: str) -> Document:
    partition = request.partition.name
    logs = {
        "Sid": "BuildLogs",
        "Effect": "Allow",
        "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": f"arn:{partition}:logs:{request.region}:{account}:log-group:/aws/codebuild/*",
    }
    why = (
        "CodeBuild writes each build's log to CloudWatch Logs with its service role, in the log group "
        f"/aws/codebuild/PROJECT: these three actions, scoped to those log groups in {request.region}.",
    )
    return Document(
        "companion",
        policy([logs]),
        account,
        "an inline policy of the role (created with it): its CloudWatch Logs permissions.",
        why,
        sources=(sources.CODEBUILD_SERVICE_ROLE,),
    )


CODEBUILD_STILL_NEEDED = (
    "CodeBuild also reads its source and writes its artifacts: s3:GetObject and s3:GetObjectVersion on "
    "the source bucket, s3:PutObject on the artifact bucket, s3:GetBucketAcl and s3:GetBucketLocation on "
    "them (and codecommit:GitPull for a CodeCommit source). This tool does not know your buckets, so it "
    "grants none: add them for your buckets."
)
ECS_TASKS_STILL_NEEDED = (
    "Secrets or parameters that the task definition references (Secrets Manager, SSM Parameter Store) "
    "need their own read permissions on this role."
)


def build_role_setup(request: PolicyRequest, deployment, account: str) -> RoleSetup | None:
    """What the role created for `deployment` needs beyond ECR (None when no role is created)."""
    trust = deployment.trust
    if trust is None:
        return None
    instance_profile = trust in (TrustSource.EC2, TrustSource.EKS_NODE)
    pages = (sources.IAM_INSTANCE_PROFILES,) if instance_profile else ()
    if trust is TrustSource.EKS_NODE:
        return RoleSetup(True, (EKS_WORKER_NODE, EKS_CNI), None, (), pages)
    if trust is TrustSource.EC2 and request.role is Role.ECS:
        return RoleSetup(True, (ECS_FOR_EC2,), None, (), pages)
    if trust is TrustSource.ECS_TASKS:
        companion = _companion_for_ecs_tasks(request, account)
        return RoleSetup(False, (), companion, (ECS_TASKS_STILL_NEEDED,), (sources.ECS_TASK_EXECUTION_ROLE,))
    if trust is TrustSource.CODEBUILD:
        companion = _companion_for_codebuild(request, account)
        return RoleSetup(False, (), companion, (CODEBUILD_STILL_NEEDED,), (sources.CODEBUILD_SERVICE_ROLE,))
    return RoleSetup(instance_profile, (), None, (), pages)
