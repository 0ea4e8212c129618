"""Who actually pulls or pushes for each kind of workload, and where the policy goes.

These are the facts people most often get wrong (the ECS task role, the EKS IRSA role, the
Lambda execution role do not pull images), so every front end shows them.
"""

from __future__ import annotations

from collections import namedtuple

from wizard.core import sources
from wizard.core.request import DEFAULT_ACCESS, Access, Role


class RoleInfo(namedtuple("RoleInfo", "role title actor in_short who_pulls attach_to source caveat", defaults=("",))):
    """What the wizard tells the user about one role.

    title: a short name for menus ("CI pipeline"); actor: who makes the ECR calls, as the
    explanations name it ("the pipeline"); in_short: who pulls, in a few words;
    who_pulls: which principal really pulls or pushes; attach_to: where the identity policy
    belongs; source: the AWS page these facts come from; caveat: a trap worth knowing before
    attaching it, if any.
    """

    __slots__ = ()

    @property
    def default_access(self) -> Access:
        return DEFAULT_ACCESS[self.role]


ROLES: dict[Role, RoleInfo] = {
    Role.CI: RoleInfo(
        role=Role.CI,
        title="CI pipeline",
        actor="the pipeline",
        in_short="the pipeline's role pushes (and pulls)",
        who_pulls=(
            "The pipeline's own IAM role builds and pushes the image, and usually pulls base "
            "or cache images too (GitHub Actions, GitLab CI, CodeBuild, Jenkins)."
        ),
        attach_to=(
            "the IAM role the pipeline assumes: a GitHub Actions or GitLab OIDC role, the "
            "CodeBuild service role, or the instance profile role of the Jenkins host."
        ),
        source=sources.ECR_PUSH_IAM,
        caveat="With GitHub OIDC, the workflow needs `permissions: id-token: write`.",
    ),
    Role.ECS: RoleInfo(
        role=Role.ECS,
        title="Amazon ECS",
        actor="the ECS agent",
        in_short="the task execution role pulls",
        who_pulls=(
            "The task execution role pulls the image when a task starts. The task role "
            "(what your application code uses) does not pull images."
        ),
        attach_to=(
            "the task execution role named in the task definition's executionRoleArn (trusted by "
            "ecs-tasks.amazonaws.com). EC2 launch type without one: the container instance role."
        ),
        source=sources.ECS_TASK_EXECUTION_ROLE,
    ),
    Role.EKS: RoleInfo(
        role=Role.EKS,
        title="Amazon EKS",
        actor="the kubelet",
        in_short="the node instance role pulls",
        who_pulls=(
            "The kubelet on each node pulls with the node instance role. IRSA and Pod Identity "
            "roles do not pull images; Fargate pods use the pod execution role."
        ),
        attach_to=(
            "the node group's node instance role (trusted by ec2.amazonaws.com), or the Fargate "
            "pod execution role (trusted by eks-fargate-pods.amazonaws.com)."
        ),
        source=sources.EKS_NODE_ROLE,
        caveat=(
            "The built-in add-ons (VPC CNI, kube-proxy, CoreDNS) run images from AWS's EKS "
            "registry of the region (602401143452 in most regions): the policy has a pull-only "
            "statement for it. Do not attach AmazonEC2ContainerRegistryPullOnly beside it: that "
            "reaches every repository and makes this policy pointless. Nodes also need "
            "AmazonEKSWorkerNodePolicy and the VPC CNI policy."
        ),
    ),
    Role.LAMBDA: RoleInfo(
        role=Role.LAMBDA,
        title="AWS Lambda",
        actor="the deployer",
        in_short="the Lambda service pulls; this is for the deployer",
        who_pulls=(
            "The Lambda service pulls the image, not the function's execution role. The "
            "repository policy must allow lambda.amazonaws.com ecr:BatchGetImage and "
            "ecr:GetDownloadUrlForLayer."
        ),
        attach_to=(
            "the identity that creates or updates the function (a deploy pipeline or user), in "
            "the function's account. The function's execution role needs none of these actions."
        ),
        source=sources.LAMBDA_IMAGES,
        caveat=(
            "Lambda runs images only from private ECR repositories in the function's region. It "
            "writes the lambda.amazonaws.com statement into the repository policy itself only "
            "when the deployer also has ecr:GetRepositoryPolicy and ecr:SetRepositoryPolicy (same "
            "account); the repository policy here does that job, so the deployer needs neither."
        ),
    ),
}
