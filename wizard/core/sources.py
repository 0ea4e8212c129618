"""Where each AWS fact the wizard states comes from: one constant per documentation page.

The catalog, the role facts and the deployment facts name their source with these, so a
teacher can point at the page and a reviewer can check the fact. Managed policies are cited
by their page in the AWS Managed Policy Reference (name, and version where it matters).
Pages outside AWS (GitHub, GitLab) are the documentation of the system the fact is about.
"""

from __future__ import annotations

_ECR = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/"
_EKS = "https://docs.aws.amazon.com/eks/latest/userguide/"
_IAM = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
_MANAGED = "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/"

SERVICE_AUTHORIZATION_ECR = (
    "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html"
)
"""Actions, resource types and condition keys of ECR."""
ECR_REGISTRY_AUTH = _ECR + "registry_auth.html"
ECR_PUSH_IAM = _ECR + "image-push-iam.html"
ECR_ON_ECS = _ECR + "ECR_on_ECS.html"
"""Pulling needs ecr:BatchGetImage, ecr:GetDownloadUrlForLayer and ecr:GetAuthorizationToken."""
ECR_BATCH_CHECK_LAYER_API = (
    "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_BatchCheckLayerAvailability.html"
)
"""The layer check runs when an image is pushed."""
ECR_PULL_THROUGH_CACHE_IAM = _ECR + "pull-through-cache-iam.html"
ECR_REGISTRY_PERMISSIONS = _ECR + "registry-permissions.html"
ECR_REPOSITORY_POLICY_EXAMPLES = _ECR + "repository-policy-examples.html"
ECR_CREATION_TEMPLATES = _ECR + "repository-creation-templates.html"
ECR_PUBLIC_AUTH = "https://docs.aws.amazon.com/AmazonECR/latest/public/public-registry-auth.html"
ECR_PUBLIC_POLICY_EXAMPLES = (
    "https://docs.aws.amazon.com/AmazonECR/latest/public/public-repository-policy-examples.html"
)

LAMBDA_IMAGES = "https://docs.aws.amazon.com/lambda/latest/dg/images-create.html"
"""Lambda's Amazon ECR permissions, same account and cross-account; images from private ECR only."""
LAMBDA_ECR_REPOST = "https://repost.aws/knowledge-center/lambda-ecr-image"
"""The deployer (who calls CreateFunction/UpdateFunctionCode) needs BatchGetImage and GetDownloadUrlForLayer."""

EKS_ADDON_IMAGES = _EKS + "add-ons-images.html"
EKS_NODE_ROLE = _EKS + "create-node-role.html"
EKS_POD_EXECUTION_ROLE = _EKS + "pod-execution-role.html"
EKS_POD_IDENTITY_ROLE = _EKS + "pod-id-role.html"
ECS_TASK_EXECUTION_ROLE = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html"
ECS_INSTANCE_ROLE = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/instance_IAM_role.html"
CODEBUILD_SERVICE_ROLE = "https://docs.aws.amazon.com/codebuild/latest/userguide/setting-up-service-role.html"

IAM_INSTANCE_PROFILES = _IAM + "id_roles_use_switch-role-ec2_instance-profiles.html"
IAM_CROSS_PARTITION = _IAM + "id_roles_compare-resource-policies.html"
"""Roles and resource-based policies delegate access within one partition only."""
IAM_IDENTIFIERS = _IAM + "reference_identifiers.html"
"""Role ARNs carry the role's path: arn:PARTITION:iam::ACCOUNT:role/PATH/NAME."""
IAM_CONFUSED_DEPUTY = _IAM + "confused-deputy.html"

MANAGED_PULL_ONLY = _MANAGED + "AmazonEC2ContainerRegistryPullOnly.html"
"""AmazonEC2ContainerRegistryPullOnly v1 (2024): token, BatchGetImage, GetDownloadUrlForLayer, BatchImportUpstreamImage on "*"."""
MANAGED_EKS_WORKER_NODE = _MANAGED + "AmazonEKSWorkerNodePolicy.html"
MANAGED_EKS_CNI = _MANAGED + "AmazonEKS_CNI_Policy.html"
MANAGED_ECS_FOR_EC2 = _MANAGED + "AmazonEC2ContainerServiceforEC2Role.html"
"""AmazonEC2ContainerServiceforEC2Role v10: the ECS agent's policy, ECR pulls on "*" included."""
MANAGED_ECS_TASK_EXECUTION = _MANAGED + "AmazonECSTaskExecutionRolePolicy.html"

GITHUB_OIDC_AWS = "https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-in-aws"
GITHUB_OIDC_REFERENCE = "https://docs.github.com/en/actions/reference/security/oidc"
"""The sub claim's forms, e.g. repo:ORG/REPO:environment:NAME for jobs that use an environment."""
CONFIGURE_AWS_CREDENTIALS = "https://github.com/aws-actions/configure-aws-credentials"
"""Its `audience` input defaults to sts.amazonaws.com (action.yml)."""
GITLAB_OIDC_AWS = "https://docs.gitlab.com/ci/cloud_services/aws/"

# -- the CI configuration and deployment fragments that use the role --------------------------

ECR_DOCKER_PUSH = _ECR + "docker-push-ecr-image.html"
"""Log in with get-login-password (user AWS) to ACCOUNT.dkr.ecr.REGION.amazonaws.com, tag, docker push."""
ECR_PUBLIC_PUSH = "https://docs.aws.amazon.com/AmazonECR/latest/public/docker-push-ecr-image.html"
"""ECR Public: log in to public.ecr.aws (us-east-1), push to public.ecr.aws/REGISTRY_ALIAS/NAME."""
CODEBUILD_BUILDSPEC = "https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html"
CODEBUILD_ENVIRONMENT_VARIABLES = "https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-env-vars.html"
"""AWS_REGION is the build's own region; CODEBUILD_RESOLVED_SOURCE_VERSION, CODEBUILD_BUILD_SUCCEEDING (0 or 1)."""
CODEBUILD_DOCKER_SAMPLE = "https://docs.aws.amazon.com/codebuild/latest/userguide/sample-docker.html"
"""Building Docker images in CodeBuild needs the project's privileged mode."""
ECS_REGISTER_TASK_DEFINITION = "https://docs.aws.amazon.com/cli/latest/reference/ecs/register-task-definition.html"
EKS_CREATE_NODEGROUP = "https://docs.aws.amazon.com/cli/latest/reference/eks/create-nodegroup.html"
EKS_CREATE_FARGATE_PROFILE = "https://docs.aws.amazon.com/cli/latest/reference/eks/create-fargate-profile.html"
EKS_CREATE_POD_IDENTITY_ASSOCIATION = (
    "https://docs.aws.amazon.com/cli/latest/reference/eks/create-pod-identity-association.html"
)
LAMBDA_CREATE_FUNCTION = "https://docs.aws.amazon.com/cli/latest/reference/lambda/create-function.html"
"""--package-type Image --code ImageUri=...: the function runs a container image from Amazon ECR."""

GITHUB_WORKFLOW_FILTERS = (
    "https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#filter-pattern-cheat-sheet"
)
"""* stops at /, ** does not; ? + [] ! are special and a backslash escapes them."""
GITLAB_ID_TOKENS = "https://docs.gitlab.com/ci/secrets/id_token_authentication/"
"""id_tokens with aud; sub = project_path:GROUP/PROJECT:ref_type:branch|tag:ref:REF by default."""
GITLAB_JOB_RULES = "https://docs.gitlab.com/ci/jobs/job_rules/"
GITLAB_DOCKER_IN_DOCKER = "https://docs.gitlab.com/ci/docker/docker_in_docker/"
