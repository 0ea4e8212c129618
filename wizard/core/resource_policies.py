"""The policies the repositories' owner sets: repository policies and the registry policy.

Within one account an identity policy is enough. Across accounts both halves are needed: the
owner's resource policy names the other account (or role), and the caller's identity policy
allows the actions. Lambda is special: the Lambda service pulls, so its repository policy
names lambda.amazonaws.com. A pull-through cache is special too: its repositories do not
exist before the first pull, so creating and filling them across accounts is allowed by the
owner's registry permissions policy, not by a repository policy.
"""

from __future__ import annotations

from wizard.core import names, sources
from wizard.core.catalog import CACHE_CREATE_ACTION, CACHE_IMPORT_ACTION, IMAGE_READ_ACTIONS, PULL_ACTIONS, PUSH_ACTIONS
from wizard.core.documents import Document, policy, principal_arn, root_principal_note, statement
from wizard.core.request import Access, PolicyRequest, Role

SET_REPOSITORY_POLICY_REPLACES = (
    "Setting a repository policy replaces the one in place (there is one per repository): if the repository "
    "already has a policy, merge these statements into it first (`aws ecr get-repository-policy` shows it)."
)
"""Said wherever an output sets a repository policy (set-repository-policy, aws_ecr_repository_policy,
RepositoryPolicyText): SetRepositoryPolicy takes the whole policy text (sources.ECR_API_SET_REPOSITORY_POLICY);
its --force flag is about locking the caller out, not about merging."""

LAMBDA_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
"""What Lambda's documented repository policy allows (the Lambda developer guide's example)."""


def _names(actions) -> list[str]:
    return [action.name for action in actions]


def _lambda_statements(request: PolicyRequest, function_account: str) -> tuple[list[dict], tuple[str, ...]]:
    partition = request.partition.name
    function_arns = f"arn:{partition}:lambda:{request.region}:{function_account}:function:*"
    if function_account == request.account:
        why = (
            "The Lambda service pulls the image: the repository must allow lambda.amazonaws.com "
            "ecr:BatchGetImage and ecr:GetDownloadUrlForLayer, here only for functions of this account "
            "(aws:sourceARN), so the service acting for another account cannot use the image.",
            "Lambda writes this statement itself only when the deployer may call ecr:GetRepositoryPolicy "
            "and ecr:SetRepositoryPolicy; setting it here means the deployer needs neither (SetRepositoryPolicy "
            "would let it rewrite who may use the repository).",
        )
        service = statement(
            "LambdaECRImageRetrievalPolicy",
            {"Service": "lambda.amazonaws.com"},
            LAMBDA_ACTIONS,
            {"StringLike": {"aws:sourceARN": function_arns}},
        )
        return [service], why
    statements = [
        statement("LambdaFunctionAccount", {"AWS": f"arn:{partition}:iam::{function_account}:root"}, LAMBDA_ACTIONS),
        statement(
            "LambdaServicePull",
            {"Service": "lambda.amazonaws.com"},
            LAMBDA_ACTIONS,
            {"StringLike": {"aws:sourceARN": function_arns}},
        ),
    ]
    why = (
        f"Lambda functions in account {function_account} run images from account {request.account}: the "
        f"repository must allow that account (whose deployer calls CreateFunction and UpdateFunctionCode) and the "
        "Lambda service, limited to functions of that account (aws:sourceARN), which it uses to fetch and "
        "cache the image for those functions.",
        f"The functions must be in {request.region}, the repository's region.",
        root_principal_note(f"arn:{partition}:iam::{function_account}:root"),
    )
    return statements, why


def _cross_account_statements(
    request: PolicyRequest, principal: str, role_account: str
) -> tuple[list[dict], tuple[str, ...]]:
    pushes = request.access is Access.PUSH
    actions = _names(PULL_ACTIONS + PUSH_ACTIONS) if pushes else _names(IMAGE_READ_ACTIONS)
    sid = "CrossAccountPullPush" if pushes else "CrossAccountPull"
    grantee = principal_arn(principal, request.partition.name)
    why = (
        f"Cross-account: the repositories are in account {request.account}, the role in {role_account}. Both "
        "halves are needed: this repository policy in the owner's account, and the identity policy on the role.",
        "ecr:GetAuthorizationToken is not listed: it has no effect in a repository policy (the identity policy grants it).",
    )
    if grantee.endswith(":root"):
        why += (root_principal_note(grantee),)
    return [statement(sid, {"AWS": grantee}, actions)], why


def _placement(request: PolicyRequest, literal: tuple[str, ...]) -> str:
    where = (
        f"set on {', '.join(literal) or 'each matching repository'} in account {request.account} "
        f"({request.region}) with `aws ecr set-repository-policy`, which replaces its current policy"
    )
    if request.pull_through_cache:
        return (
            where + "; cache repositories appear on their first pull, so also put it in a repository creation "
            "template for the cache prefix (applied for PULL_THROUGH_CACHE), which gives every new cache "
            "repository this policy."
        )
    if len(literal) < len(request.repositories):
        where += "; a repository policy is set per repository, so patterns need each matching repository named"
    return where + "."


def build_repository_policy(request: PolicyRequest, deployment, role_account: str) -> Document | None:
    """The repository policy, when the repository's owner must allow the puller (or Lambda) too."""
    if request.public:
        return None
    if request.role is Role.LAMBDA:
        statements, why = _lambda_statements(request, role_account)
        pages = (sources.LAMBDA_IMAGES, sources.LAMBDA_ECR_REPOST, sources.IAM_CONFUSED_DEPUTY)
    elif role_account != request.account:
        # A role ARN when given; else the account, which always exists (a role ARN that does
        # not exist yet is refused by ECR), leaving the choice of role to the identity policy.
        statements, why = _cross_account_statements(request, deployment.principal, role_account)
        pages = (sources.ECR_REPOSITORY_POLICY_EXAMPLES,)
    else:
        return None
    if request.pull_through_cache:
        pages += (sources.ECR_CREATION_TEMPLATES,)
    why += (SET_REPOSITORY_POLICY_REPLACES,)
    pages += (sources.ECR_API_SET_REPOSITORY_POLICY,)
    literal = tuple(name for name in request.repositories if not names.is_pattern(name))
    return Document(
        "repository", policy(statements), request.account, _placement(request, literal), why, literal, pages
    )


def build_registry_policy(request: PolicyRequest, deployment, role_account: str) -> Document | None:
    """The owner's registry permissions policy: creating and filling cache repositories across accounts."""
    if not request.pull_through_cache or role_account == request.account:
        return None
    actions = _names((CACHE_IMPORT_ACTION, CACHE_CREATE_ACTION) if request.cache_create else (CACHE_IMPORT_ACTION,))
    grantee = principal_arn(deployment.principal, request.partition.name)
    resources = list(request.repository_arns)
    registry_statement = statement(
        "PullThroughCacheFromOtherAccount",
        {"AWS": grantee},
        actions,
        resource=resources[0] if len(resources) == 1 else resources,
    )
    why = (
        "Cache repositories do not exist before their first pull, so no repository policy can allow "
        f"creating or filling them: ECR takes {' and '.join(actions)} from the puller's identity policy "
        f"and, across accounts, from the registry permissions policy of account {request.account}.",
        "ECR enforces only ecr:ReplicateImage, ecr:BatchImportUpstreamImage and ecr:CreateRepository at "
        "the registry level; reading the cached images still comes from the repository policy.",
        "A registry has a single registry policy: setting it replaces the one in place, so merge these "
        "statements into an existing one (`aws ecr get-registry-policy` shows it).",
    )
    return Document(
        "registry",
        policy([registry_statement]),
        request.account,
        f"the registry permissions policy of account {request.account} ({request.region}), set with "
        "`aws ecr put-registry-policy`.",
        why,
        sources=(sources.ECR_PULL_THROUGH_CACHE_IAM, sources.ECR_REGISTRY_PERMISSIONS),
    )
