"""What each kind of failure means, which side must change, and what to do or ask: the facts
`diagnose` states, each with the page it comes from.

Templates name message values with {fields} filled in by diagnosis.py (values from the message
arrive there already quoted, through wizard.core.text.quoted).
"""

from __future__ import annotations

from collections import namedtuple

IAM_ACCESS_DENIED = "https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html"
IAM_EVALUATION = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"
STS_DECODE = "https://docs.aws.amazon.com/STS/latest/APIReference/API_DecodeAuthorizationMessage.html"
ECR_DOCKER_ERRORS = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/common-errors-docker.html"
ECR_API_ERRORS = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/common-errors.html"
ECR_REGISTRY_AUTH = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry_auth.html"
ECR_CROSS_ACCOUNT = "https://repost.aws/knowledge-center/secondary-account-access-ecr"
ECR_ON_ECS = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/ECR_on_ECS.html"
ECS_CANNOT_PULL = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_cannot_pull_image.html"
ECR_ON_EKS = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/ECR_on_EKS.html"
KUBELET_CREDENTIALS = "https://kubernetes.io/docs/tasks/administer-cluster/kubelet-credential-provider/"
SANDBOX_IMAGE_THREAD = "https://github.com/kubernetes/kops/issues/16762"
LAMBDA_ECR_IMAGE = "https://repost.aws/knowledge-center/lambda-ecr-image"
ECR_QUOTAS = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html"
ECR_TAG_MUTABILITY = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html"
ECR_VPC_ENDPOINTS = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html"
IAM_OIDC_ROLE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html"
IAM_ARN_RESOURCE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html"


# Which policy must change.
IDENTITY = "identity"
REPOSITORY = "repository"
BOTH = "both"
TRUST = "trust"
NONE_OF_OURS = "none-of-ours"
UNKNOWN = "unknown"
SIDES = (IDENTITY, REPOSITORY, BOTH, TRUST, NONE_OF_OURS, UNKNOWN)


class Reason(namedtuple("Reason", "code why side todo source")):
    """code: a short name; why: the reason in words; side: the policy that must change (None:
    decided from the accounts); todo: what to do when no policy of ours fixes it (or ""),
    source: the page that says so."""

    __slots__ = ()


_REASONS = (
    Reason(
        "no-identity-policy",
        "no identity-based policy allows it: nothing attached to the caller grants {action} on that resource "
        "(an implicit deny)",
        None,
        "",
        IAM_ACCESS_DENIED,
    ),
    Reason(
        "no-resource-policy",
        "no resource-based policy allows it: the repository's policy does not let this caller in, and across "
        "accounts the caller's own identity policy cannot make up for that",
        REPOSITORY,
        "",
        IAM_ACCESS_DENIED,
    ),
    Reason(
        "explicit-deny-identity",
        "an explicit Deny in one of the caller's identity-based policies matches {action}: no Allow can override it",
        IDENTITY,
        "Find the Deny statement in the policies attached to {who} and narrow or remove it (watch for guards "
        "such as aws:MultiFactorAuthPresent or aws:SourceIp); `ecr-policy explain` shows what a policy denies. "
        "Adding an Allow does not help.",
        IAM_EVALUATION,
    ),
    Reason(
        "explicit-deny-resource",
        "an explicit Deny in the repository policy matches {action}: no Allow can override it",
        REPOSITORY,
        "Find the Deny statement in the repository policy of {where} (`aws ecr get-repository-policy`) and narrow "
        "or remove it; adding an Allow does not help.",
        IAM_EVALUATION,
    ),
    Reason(
        "explicit-deny",
        "an explicit Deny matches {action}, and the message does not say in which kind of policy",
        None,
        "No added Allow overrides an explicit Deny: find the Deny (the likely causes below say where to look) "
        "and narrow or remove it, or ask whoever owns that policy.",
        IAM_EVALUATION,
    ),
    Reason(
        "permissions-boundary",
        "the caller's permissions boundary does not allow {action}: a boundary caps what the identity policies "
        "can grant",
        NONE_OF_OURS,
        "Ask whoever manages IAM in {account} (the boundary is set on {who} by an administrator): the boundary "
        "must allow {action}. Adding it to the identity policy does not help while the boundary leaves it out.",
        IAM_ACCESS_DENIED,
    ),
    Reason(
        "session-policy",
        "the session policy of the caller's session does not allow {action}: a session policy caps the role's "
        "permissions for that session",
        NONE_OF_OURS,
        "Whoever creates the session passes the session policy (aws sts assume-role --policy or --policy-arns, "
        "a federation broker, Cognito's enhanced flow): it must allow {action}. The role's own policies are not "
        "the problem.",
        IAM_ACCESS_DENIED,
    ),
    Reason(
        "scp",
        "a service control policy of the AWS organization denies {action} in this account: no policy in the "
        "account can override it",
        NONE_OF_OURS,
        "Ask the AWS Organizations administrators (the management account): a service control policy on the "
        "account or its organizational unit denies {action}.",
        IAM_ACCESS_DENIED,
    ),
    Reason(
        "rcp",
        "a resource control policy of the AWS organization denies {action} on this resource",
        NONE_OF_OURS,
        "Ask the AWS Organizations administrators (the management account): a resource control policy denies "
        "{action} on {where}.",
        IAM_ACCESS_DENIED,
    ),
    Reason(
        "vpc-endpoint-policy",
        "the policy of the VPC endpoint the request went through does not allow {action}",
        NONE_OF_OURS,
        "Ask whoever manages the VPC: the endpoint policy of the ECR endpoints (com.amazonaws.REGION.ecr.api and "
        "ecr.dkr) must allow {action} for this caller and repository.",
        ECR_VPC_ENDPOINTS,
    ),
    Reason(
        "trust-policy",
        "the role's trust policy does not let the caller assume it",
        TRUST,
        "",
        IAM_OIDC_ROLE,
    ),
    Reason(
        "token-expired",
        "the registry password docker presented has expired: ECR's tokens last 12 hours, and a login from earlier "
        "was reused",
        NONE_OF_OURS,
        "Log in again just before the pull or push: `aws ecr get-login-password --region REGION | docker login "
        "--username AWS --password-stdin ACCOUNT.dkr.ecr.REGION.amazonaws.com`. Long-running agents should log "
        "in at the start of each job, or use amazon-ecr-credential-helper, which fetches a fresh token each time. "
        "No policy change is needed.",
        ECR_DOCKER_ERRORS,
    ),
    Reason(
        "not-authenticated",
        "the client sent no (valid) registry credentials: ECR could not tell who was asking, so no policy was "
        "even consulted",
        None,
        "",
        ECR_DOCKER_ERRORS,
    ),
    Reason(
        "repository-missing",
        "the repository (or the image) does not exist where the client looked for it",
        NONE_OF_OURS,
        "",
        ECR_API_ERRORS,
    ),
    Reason(
        "invalid-policy",
        'IAM rejected a policy before anything ran: a Resource must be an ARN or "*", and a registry URL is neither',
        IDENTITY,
        "",
        IAM_ARN_RESOURCE,
    ),
    Reason(
        "network",
        "the client could not reach ECR at all (a time-out or a refused connection): not a permission problem",
        NONE_OF_OURS,
        "Check the route to ECR from where the pull runs: a public IP or a NAT gateway, or VPC endpoints for "
        "ecr.api, ecr.dkr and an S3 gateway endpoint, and security groups that allow HTTPS out. No policy change "
        "is needed.",
        ECS_CANNOT_PULL,
    ),
    Reason(
        "throttled",
        "ECR refused the request for its rate, not for its permissions",
        NONE_OF_OURS,
        "Retry with backoff, or ask for a higher rate quota in Service Quotas. No policy change is needed.",
        ECR_QUOTAS,
    ),
    Reason(
        "tag-immutable",
        "the repository's tags are immutable, so a push cannot move an existing tag",
        NONE_OF_OURS,
        "Push under a new tag (a version or commit), or make the repository's tags mutable. No policy change is "
        "needed.",
        ECR_TAG_MUTABILITY,
    ),
    Reason("unknown", "the message does not say why", None, "", IAM_ACCESS_DENIED),
)
REASONS: dict[str, Reason] = {reason.code: reason for reason in _REASONS}

POLICY_TYPE_REASONS = {
    ("implicit", "identity-based policy"): "no-identity-policy",
    ("implicit", "resource-based policy"): "no-resource-policy",
    ("explicit", "identity-based policy"): "explicit-deny-identity",
    ("explicit", "resource-based policy"): "explicit-deny-resource",
    ("implicit", "permissions boundary"): "permissions-boundary",
    ("explicit", "permissions boundary"): "permissions-boundary",
    ("implicit", "session policy"): "session-policy",
    ("explicit", "session policy"): "session-policy",
    ("implicit", "service control policy"): "scp",
    ("explicit", "service control policy"): "scp",
    ("implicit", "resource control policy"): "rcp",
    ("explicit", "resource control policy"): "rcp",
    ("implicit", "vpc endpoint policy"): "vpc-endpoint-policy",
    ("explicit", "vpc endpoint policy"): "vpc-endpoint-policy",
    ("implicit", "role trust policy"): "trust-policy",
    ("explicit", "role trust policy"): "trust-policy",
    ("explicit", None): "explicit-deny",
}
"""The clause of AWS's message ("because no X allows" / "with an explicit deny in a X") -> reason."""


class Uncertainty(namedtuple("Uncertainty", "need causes source")):
    """When the text is not enough: what else is needed, and the likely causes, most likely
    first (each a sentence that may name {fields})."""

    __slots__ = ()


UNCERTAIN: dict[str, Uncertainty] = {
    "forbidden-pull": Uncertainty(
        "A bare 403 on the image names neither who asked nor which policy refused. Look at {puller}, its "
        "policies, and the repository policy of {where} (or find the denied BatchGetImage in CloudTrail).",
        (
            "{puller} lacks ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on {where} (or has no "
            "ecr:GetAuthorizationToken)",
            "the repository is in another account than the puller and its repository policy does not allow the "
            "puller's account, or a Deny in the repository policy matches",
            "the registry token had expired (ECR answers an expired token with 403 too)",
        ),
        ECS_CANNOT_PULL,
    ),
    "forbidden-push": Uncertainty(
        "A bare 403 on the push names neither who asked nor which policy refused. Ask whether pushes to {where} "
        "ever worked, and look at the pusher's policies (or find the denied {action} in CloudTrail).",
        (
            "the pushing principal lacks {action} (or another push action) on {where}",
            "the repository holds as many images as its quota allows (deleting old images or a lifecycle policy "
            "fixes it)",
            "a Deny in the repository policy, or the repository belongs to another account whose repository "
            "policy does not allow the pusher",
        ),
        ECR_QUOTAS,
    ),
    "empty-403": Uncertainty(
        "This text hides ECR's 403 (its body was empty). Look at the pushing principal's policy, or find the "
        "denied call in CloudTrail.",
        (
            "the push policy lacks ecr:BatchCheckLayerAvailability: {symptom}",
            "it lacks one of ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload, ecr:PutImage",
            "the repository does not exist, or belongs to another account whose repository policy does not allow "
            "the pusher",
        ),
        ECR_DOCKER_ERRORS,
    ),
    "forbidden-layer": Uncertainty(
        "A 403 on a layer (the manifest was read): look at the puller's ecr:GetDownloadUrlForLayer grant and at "
        "the network path to the layer bucket.",
        (
            "{puller} lacks ecr:GetDownloadUrlForLayer on {where} (it has BatchGetImage, so the manifest was read)",
            "the layers come from S3 through a gateway endpoint whose policy does not allow "
            "arn:aws:s3:::prod-REGION-starport-layer-bucket/*",
            "a Deny in the repository policy that names GetDownloadUrlForLayer",
        ),
        ECR_VPC_ENDPOINTS,
    ),
    "registry-login": Uncertainty(
        "The registry refused the credentials docker presented, without saying whose they were. Ask which "
        "registry docker logged in to (account and region) and with which AWS identity.",
        (
            "docker logged in to another registry host (another account or region) than the one it pushes to or "
            "pulls from: each registry host needs its own login",
            "the login token was fetched with credentials of another account, which this registry does not let in",
            "the token had expired (12 hours)",
        ),
        ECR_DOCKER_ERRORS,
    ),
    "docker-hub-denied": Uncertainty(
        "'requested access to the resource is denied' is the answer of a registry other than ECR (Docker Hub's). "
        "Check the image name the push used.",
        (
            "the image is tagged without the ECR registry host (ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME), so "
            "docker pushed to Docker Hub",
            "docker is not logged in to the registry the tag names",
        ),
        ECR_DOCKER_ERRORS,
    ),
    "assume-role": Uncertainty(
        "Assuming the role failed, so no ECR call happened yet. Ask for the role's trust policy and the caller's "
        "own policies.",
        (
            "the role's trust policy does not name the caller (or its account) as a principal that may assume it",
            "across accounts, the caller's identity policy lacks sts:AssumeRole on the role's ARN",
            "a service control policy or permissions boundary denies sts:AssumeRole",
        ),
        IAM_OIDC_ROLE,
    ),
    "pull-denied": Uncertainty(
        "The registry said only 'denied': no principal and no policy clause. Ask which account and region the "
        "task runs in and which role pulls ({puller}).",
        (
            "{puller} has no ECR pull permissions (ecr:BatchGetImage, ecr:GetDownloadUrlForLayer, "
            "ecr:GetAuthorizationToken)",
            "the image is in another account ({resource_account}) whose repository policy does not allow the "
            "puller's account, or in a region the image is not published to",
            "the repository or tag does not exist (docker prints the same words for both)",
        ),
        ECS_CANNOT_PULL,
    ),
    "not-found": Uncertainty(
        "'not found' can be a missing image or a refused pull an old agent reports as missing. Ask which account "
        "owns the image, its repository policy, and the agent's version.",
        (
            "the image or tag does not exist in {where} (check the tag and the region)",
            "a cross-account pull refused by the repository policy, reported as 'not found' by an old agent",
            "the task runs in another region than the image, which works only with a login to the image's region",
        ),
        ECS_CANNOT_PULL,
    ),
    "kubelet-credentials": Uncertainty(
        "The kubelet sent no usable ECR credentials for this registry. Ask for the cluster's region and the "
        "node role's policies.",
        (
            "the node role lacks ecr:GetAuthorizationToken or pull permissions, so the kubelet's ECR credential "
            "provider gets nothing to send",
            "the image's registry ({host}) is in another region or account than the nodes' credential provider "
            "covers: use the image from the cluster's own region",
            "credentials injected into the node (environment variables, a proxy) replace the node role",
        ),
        KUBELET_CREDENTIALS,
    ),
    "explicit-deny": Uncertainty(
        "The message says only 'with an explicit deny'. Ask for the caller's identity policies, the account's "
        "SCPs and permissions boundary, or decode the request ({decode}).",
        (
            "a Deny in an identity-based policy, often a guard that requires MFA (aws:MultiFactorAuthPresent) hit "
            "by CLI credentials without a session token",
            "a Deny in a service control policy of the organization",
            "a Deny in a permissions boundary or a session policy",
        ),
        IAM_EVALUATION,
    ),
    "web-identity": Uncertainty(
        "The role was not assumed, so no ECR call happened yet. Ask for the role's trust policy and the OIDC "
        "token's sub and aud claims of the failing job.",
        (
            "the trust policy's sub condition does not match this job (another branch, environment, pull request "
            "or project; owner and repository spelled differently)",
            "the audience differs (GitHub: sts.amazonaws.com; GitLab: the instance URL), or the Federated "
            "principal names another account's OIDC provider, or none exists",
            "StringEquals used with a wildcard in sub (wildcards need StringLike)",
        ),
        IAM_OIDC_ROLE,
    ),
    "old-cross-account": Uncertainty(
        "A message without its reason (the pre-2021 format), across accounts: either half can be missing. Ask "
        "for the repository policy in {resource_account} and the caller's identity policy in "
        "{principal_account}.",
        (
            "the repository policy in the owner's account does not allow the caller (or its account)",
            "the caller's identity policy does not allow {action} on the other account's repository ARN",
        ),
        ECR_CROSS_ACCOUNT,
    ),
    "lambda-image": Uncertainty(
        "Lambda names no repository here: the function's ImageUri says which repository must let Lambda in.",
        (
            "the repository policy does not allow lambda.amazonaws.com ecr:BatchGetImage and "
            "ecr:GetDownloadUrlForLayer (across accounts: also the function's account, with aws:sourceARN)",
            "the repository or tag does not exist in the function's region",
            "the deployer lacks ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on the repository",
        ),
        LAMBDA_ECR_IMAGE,
    ),
}
"""Situations where the text is not enough, by name (diagnosis.py picks one)."""
