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

# -- the calls behind docker push and pull (the call map, `simulate`) ---------------------------

_ECR_API = "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/"
_ECR_PUBLIC_API = "https://docs.aws.amazon.com/AmazonECRPublic/latest/APIReference/"
_CLI = "https://docs.aws.amazon.com/cli/latest/reference/"

ECR_API_GET_AUTHORIZATION_TOKEN = _ECR_API + "API_GetAuthorizationToken.html"
"""The token is valid for 12 hours and is what `docker login` presents."""
ECR_API_BATCH_CHECK_LAYER_AVAILABILITY = ECR_BATCH_CHECK_LAYER_API
ECR_API_INITIATE_LAYER_UPLOAD = _ECR_API + "API_InitiateLayerUpload.html"
"""Called once per layer not yet uploaded, as BatchCheckLayerAvailability decides."""
ECR_API_UPLOAD_LAYER_PART = _ECR_API + "API_UploadLayerPart.html"
ECR_API_COMPLETE_LAYER_UPLOAD = _ECR_API + "API_CompleteLayerUpload.html"
ECR_API_PUT_IMAGE = _ECR_API + "API_PutImage.html"
"""Called once, after all new layers are uploaded, to write the manifest and tags."""
ECR_API_BATCH_GET_IMAGE = _ECR_API + "API_BatchGetImage.html"
"""Called once per pull to retrieve the image manifest."""
ECR_API_GET_DOWNLOAD_URL_FOR_LAYER = _ECR_API + "API_GetDownloadUrlForLayer.html"
"""Called once per layer not already cached; returns a pre-signed Amazon S3 URL."""
ECR_API_CREATE_REPOSITORY = _ECR_API + "API_CreateRepository.html"
ECR_PUBLIC_API_OPERATIONS = _ECR_PUBLIC_API + "API_Operations.html"

AWS_CLI_ECR_GET_LOGIN_PASSWORD = _CLI + "ecr/get-login-password.html"
AWS_CLI_ECR_BATCH_CHECK_LAYER_AVAILABILITY = _CLI + "ecr/batch-check-layer-availability.html"
AWS_CLI_ECR_INITIATE_LAYER_UPLOAD = _CLI + "ecr/initiate-layer-upload.html"
AWS_CLI_ECR_UPLOAD_LAYER_PART = _CLI + "ecr/upload-layer-part.html"
AWS_CLI_ECR_COMPLETE_LAYER_UPLOAD = _CLI + "ecr/complete-layer-upload.html"
AWS_CLI_ECR_PUT_IMAGE = _CLI + "ecr/put-image.html"
AWS_CLI_ECR_BATCH_GET_IMAGE = _CLI + "ecr/batch-get-image.html"
AWS_CLI_ECR_GET_DOWNLOAD_URL_FOR_LAYER = _CLI + "ecr/get-download-url-for-layer.html"
AWS_CLI_ECR_CREATE_REPOSITORY = _CLI + "ecr/create-repository.html"
AWS_CLI_ECR_PUBLIC_GET_LOGIN_PASSWORD = _CLI + "ecr-public/get-login-password.html"

_OCI = "https://github.com/opencontainers/distribution-spec/blob/main/spec.md"
OCI_API_VERSION_CHECK = _OCI + "#determining-support"
"""GET /v2/ (end-1): the client's first request, where the registry asks for credentials."""
OCI_CHECK_EXISTS = _OCI + "#checking-if-content-exists-in-the-registry"
"""HEAD /v2/<name>/blobs/<digest> and HEAD /v2/<name>/manifests/<reference> (end-2, end-3)."""
OCI_PULL_MANIFESTS = _OCI + "#pulling-manifests"
OCI_PULL_BLOBS = _OCI + "#pulling-blobs"
OCI_PUSH_BLOB_CHUNKS = _OCI + "#pushing-a-blob-in-chunks"
"""POST /v2/<name>/blobs/uploads/, PATCH <location>, PUT <location>?digest=<digest> (end-4a, end-5, end-6)."""
OCI_PUSH_MANIFESTS = _OCI + "#pushing-manifests"
"""PUT /v2/<name>/manifests/<reference> (end-7)."""

IAM_ACCESS_DENIED = _IAM + "troubleshoot_access-denied.html"
"""'... because no TYPE policy allows the ACTION action' (implicit) and '... with an explicit deny
in a TYPE policy'; when several policy types deny, the message names only one."""
IAM_EVALUATION_LOGIC = _IAM + "reference_policies_evaluation-logic.html"
"""Within one account, an Allow in an identity-based or a resource-based policy is enough."""
IAM_CROSS_ACCOUNT_EVALUATION = _IAM + "reference_policies_evaluation-logic-cross-account.html"
"""Across accounts, both the caller's identity-based policy and the resource-based policy must allow."""
IAM_ACCOUNT_PRINCIPALS = _IAM + "reference_policies_elements_principal.html#principal-accounts"
"""An account as principal delegates to the account: its identities still need their own IAM permissions."""
KUBELET_CREDENTIAL_PROVIDER = "https://kubernetes.io/docs/tasks/administer-cluster/kubelet-credential-provider/"
"""The kubelet fetches registry credentials (ECR's token) through a credential provider plugin."""
ECR_API_SET_REPOSITORY_POLICY = _ECR_API + "API_SetRepositoryPolicy.html"
"""Applies a repository policy to a repository: the policy text given is the whole policy."""
