"""Who actually pulls or pushes for each kind of workload, and where the policy goes.

These are the facts people most often get wrong (the ECS task role, the EKS IRSA role, the
Lambda execution role do not pull images), so every front end shows them.
"""

from __future__ import annotations

from collections import namedtuple

from wizard.core.request import DEFAULT_ACCESS, Access, Role


class RoleInfo(namedtuple("RoleInfo", "role title in_short who_pulls attach_to caveat", defaults=("",))):
    """What the wizard tells the user about one role.

    title: a short name for menus ("CI pipeline"); in_short: who pulls, in a few words;
    who_pulls: which principal really pulls or pushes; attach_to: where the identity policy
    belongs; caveat: a trap worth knowing before attaching it, if any.
    """

    __slots__ = ()

    @property
    def default_access(self) -> Access:
        return DEFAULT_ACCESS[self.role]


ROLES: dict[Role, RoleInfo] = {
    Role.CI: RoleInfo(
        role=Role.CI,
        title="CI pipeline",
        in_short="the pipeline's role pushes (and pulls)",
        who_pulls=(
            "The pipeline's own IAM role builds and pushes the image, and usually pulls base "
            "or cache images too (GitHub Actions, GitLab CI, CodeBuild, Jenkins)."
        ),
        attach_to=(
            "the IAM role the pipeline assumes: a GitHub Actions or GitLab OIDC role, the "
            "CodeBuild service role, or the instance profile role of the Jenkins host."
        ),
        caveat="With GitHub OIDC, the workflow needs `permissions: id-token: write`.",
    ),
    Role.ECS: RoleInfo(
        role=Role.ECS,
        title="Amazon ECS",
        in_short="the task execution role pulls",
        who_pulls=(
            "The task execution role pulls the image when a task starts. The task role "
            "(what your application code uses) does not pull images."
        ),
        attach_to=(
            "the task execution role named in the task definition's executionRoleArn (trusted by "
            "ecs-tasks.amazonaws.com). EC2 launch type without one: the container instance role."
        ),
    ),
    Role.EKS: RoleInfo(
        role=Role.EKS,
        title="Amazon EKS",
        in_short="the node instance role pulls",
        who_pulls=(
            "The kubelet on each node pulls with the node instance role. IRSA and Pod Identity "
            "roles do not pull images; Fargate pods use the pod execution role."
        ),
        attach_to=(
            "the node group's node instance role (trusted by ec2.amazonaws.com), or the Fargate "
            "pod execution role (trusted by eks-fargate-pods.amazonaws.com)."
        ),
        caveat=(
            "Add-on images (VPC CNI, kube-proxy, CoreDNS) come from AWS-owned registries such "
            "as 602401143452: attach this policy beside AmazonEC2ContainerRegistryPullOnly, not "
            "instead of it, or nodes stop pulling add-ons."
        ),
    ),
    Role.LAMBDA: RoleInfo(
        role=Role.LAMBDA,
        title="AWS Lambda",
        in_short="the Lambda service pulls; this is for the deployer",
        who_pulls=(
            "The Lambda service pulls the image, not the function's execution role. The "
            "repository policy must allow lambda.amazonaws.com ecr:BatchGetImage and "
            "ecr:GetDownloadUrlForLayer."
        ),
        attach_to=(
            "the identity that creates or updates the function (a deploy pipeline or user). "
            "The function's execution role needs none of these actions."
        ),
        caveat=(
            "Lambda writes the lambda.amazonaws.com statement into the repository policy "
            "itself only when the deployer also has ecr:GetRepositoryPolicy and "
            "ecr:SetRepositoryPolicy; otherwise add that repository policy yourself."
        ),
    ),
}
