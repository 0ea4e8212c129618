"""Request -> IAM identity policy, with an explanation kept beside each statement.

The statement list is the single model: the JSON document and the explanations are both
derived from it, so they cannot disagree. For a CI pipeline pushing to one repository the
output is exactly the project's reference (seed) policy.
"""

from __future__ import annotations

from collections import namedtuple

from wizard.core import addons
from wizard.core.catalog import (
    AUTH_ACTION,
    CACHE_CREATE_ACTION,
    CACHE_IMPORT_ACTION,
    IMAGE_READ_ACTIONS,
    LAMBDA_DEPLOY_ACTIONS,
    PUBLIC_LOGIN_ACTIONS,
    PUBLIC_PUSH_ACTIONS,
    PULL_ACTIONS,
    PUSH_ACTIONS,
    WHY_AUTH_IS_ON_STAR,
    WHY_AUTH_IS_ON_STAR_SOURCE,
)
from wizard.core.jsontext import indented
from wizard.core.request import Access, PolicyRequest, Role
from wizard.core.roles import ROLES

POLICY_VERSION = "2012-10-17"


class Statement(namedtuple("Statement", "sid title summary actions resources scope_note source", defaults=("", ""))):
    """One Allow statement and what it is for.

    sid: stable and alphanumeric (IAM accepts [0-9A-Za-z]* only); summary: why the statement
    exists; actions: catalog rows; resources: ARNs or "*"; scope_note: why the Resource is
    what it is; source: the AWS page behind the scope note, when it states a fact of its own.
    """

    __slots__ = ()

    def to_json(self) -> dict:
        """The IAM statement; one action or resource is written as a string, several as a list."""
        action_names = [action.name for action in self.actions]
        return {
            "Sid": self.sid,
            "Effect": "Allow",
            "Action": action_names[0] if len(action_names) == 1 else action_names,
            "Resource": self.resources[0] if len(self.resources) == 1 else list(self.resources),
        }


class GeneratedPolicy(namedtuple("GeneratedPolicy", "request statements addon_images", defaults=(False,))):
    """A generated identity policy: the request, its statements, and derived renderings.

    addon_images: whether it carries the EKS add-on registry statement (kept when rebuilt).
    """

    __slots__ = ()

    def rebuilt(self, repositories) -> GeneratedPolicy:
        """The same policy for other repositories (a split part, a compacted list)."""
        return build_policy(self.request._replace(repositories=tuple(repositories)), addon_images=self.addon_images)

    @property
    def document(self) -> dict:
        return {"Version": POLICY_VERSION, "Statement": [statement.to_json() for statement in self.statements]}

    def to_json(self) -> str:
        return render_json(self.document)


def suggested_file_name(request: PolicyRequest, extension: str = "json") -> str:
    """A file name that says what the policy is for, e.g. ci-push-my-app-ecr-policy.json."""
    first = request.repositories[0]
    readable = first.replace("/", "-").replace("*", "all").replace("?", "x").strip("-.") or "repository"
    more = f"-and-{len(request.repositories) - 1}-more" if len(request.repositories) > 1 else ""
    return f"{request.role.value}-{request.access.value}-{readable}{more}-ecr-policy.{extension}"


def render_json(document: dict | list) -> str:
    """A policy (or a list of them) as people paste it: 2-space indent, key order kept, final newline."""
    return indented(document) + "\n"  # json.dumps(indent=2) byte for byte, fast for long ARN lists


def _describe_repositories(request: PolicyRequest) -> str:
    listed = ", ".join(request.repositories)
    noun = "repository" if len(request.repositories) == 1 else "repositories"
    if request.public:
        return f"public {noun} {listed} of account {request.account}"
    return f"{noun} {listed} in account {request.account}, {request.region}"


KMS_NOTE = (
    "KMS-encrypted repositories: AWS documents that ECR creates a KMS grant when the repository "
    "is created, so the creator needs kms:CreateGrant, kms:RetireGrant and kms:DescribeKey; pulls "
    "and pushes use ECR's grant. This policy adds no KMS permission. If your key policy denies "
    "use through ECR, fix the key policy rather than adding kms:* here (not verified by this tool)."
)
PUBLIC_PULL_NOTE = (
    "Pulling public images needs no permission: anyone can pull from public.ecr.aws. Logging in "
    "only raises your pull rate limit, which is all this policy allows."
)


def build_policy(request: PolicyRequest, *, addon_images: bool | None = None) -> GeneratedPolicy:
    """Build the least-privilege identity policy for a validated request.

    addon_images: add the pull statement for AWS's EKS add-on registry (the default for the
    eks role, whose node or Fargate role pulls the add-ons' images; not for Pod Identity roles).
    """
    if request.public:
        return _build_public_policy(request)
    addon_images = request.role is Role.EKS if addon_images is None else addon_images
    if request.role is Role.LAMBDA and request.access is Access.PULL:
        statements = [_lambda_deploy_statement(request)]
    else:
        statements = [_login_statement(request), _pull_statement(request)]
        if request.cache_create:
            statements.append(_cache_create_statement(request))
        if request.access is Access.PUSH:
            statements.append(_push_statement(request))
    addon = _addon_statement(request) if addon_images else None
    if addon is not None:
        statements.append(addon)
    return GeneratedPolicy(request=request, statements=tuple(statements), addon_images=addon_images)


def _login_statement(request: PolicyRequest) -> Statement:
    actor = ROLES[request.role].actor
    return Statement(
        sid="AllowECRAuth",
        title="Registry login",
        summary=(
            f"Lets {actor} get the 12-hour registry password (the `docker login` step) that it "
            f"presents before it {'pushes or pulls' if request.access is Access.PUSH else 'pulls'} images."
        ),
        actions=(AUTH_ACTION,),
        resources=("*",),
        scope_note=WHY_AUTH_IS_ON_STAR,
        source=WHY_AUTH_IS_ON_STAR_SOURCE,
    )


def _pull_statement(request: PolicyRequest) -> Statement:
    pushes = request.access is Access.PUSH
    actions = PULL_ACTIONS if pushes else IMAGE_READ_ACTIONS
    cache_note = ""
    if request.pull_through_cache:
        actions = (*actions, CACHE_IMPORT_ACTION)
        cache_note = " and, on a first pull, import them from the upstream registry (pull-through cache)"
    layer_note = ", and ask which layers it already has before a push" if pushes else ""
    return Statement(
        sid="AllowECRPull",
        title="Pull images",
        summary=(
            f"Lets {ROLES[request.role].actor} read image manifests and download layers from the "
            f"{_describe_repositories(request)}{cache_note}{layer_note}."
        ),
        actions=actions,
        resources=request.repository_arns,
        scope_note="Scoped to the named repositories: nothing else in the registry can be read.",
    )


def _cache_create_statement(request: PolicyRequest) -> Statement:
    return Statement(
        sid="AllowECRCacheCreate",
        title="Create cache repositories",
        summary=(
            "Lets a first pull through the pull-through cache create the cache repository "
            f"(PREFIX/UPSTREAM-REPO) for the {_describe_repositories(request)}."
        ),
        actions=(CACHE_CREATE_ACTION,),
        resources=request.repository_arns,
        scope_note="Scoped to the cache names: the principal cannot create repositories elsewhere.",
    )


def _push_statement(request: PolicyRequest) -> Statement:
    return Statement(
        sid="AllowECRPush",
        title="Push images",
        summary=(
            f"Lets {ROLES[request.role].actor} upload layers and write image manifests and tags to the "
            f"{_describe_repositories(request)}. Pushing also relies on the pull statement (layer checks)."
        ),
        actions=PUSH_ACTIONS,
        resources=request.repository_arns,
        scope_note="Scoped to the same repositories as pull: the principal cannot push anywhere else.",
    )


def _lambda_deploy_statement(request: PolicyRequest) -> Statement:
    return Statement(
        sid="AllowLambdaImageAccess",
        title="Deployer image access",
        summary=(
            f"Lets the deployer create or update Lambda functions from images in the "
            f"{_describe_repositories(request)}: Lambda checks that the caller may read the image. "
            "No docker login (ecr:GetAuthorizationToken) and no layer check: the deployer never pulls "
            "the image; the Lambda service does, through the repository policy."
        ),
        actions=LAMBDA_DEPLOY_ACTIONS,
        resources=request.repository_arns,
        scope_note="Scoped to the named repositories: functions cannot be pointed at any other repository's images.",
    )


def addon_registry_arn(request: PolicyRequest) -> str | None:
    """Every repository of AWS's EKS add-on registry in the request's region, if known."""
    account = addons.addon_registry_account(request.region)
    if account is None:
        return None
    return f"arn:{request.partition.name}:ecr:{request.region}:{account}:repository/*"


def _addon_statement(request: PolicyRequest) -> Statement | None:
    arn = addon_registry_arn(request)
    if arn is None:
        return None
    account = addons.addon_registry_account(request.region)
    return Statement(
        sid="AllowEKSAddonImages",
        title="EKS add-on images",
        summary=(
            "Lets the kubelet pull the images of EKS's built-in add-ons (Amazon VPC CNI, kube-proxy, "
            f"CoreDNS), which AWS serves from its EKS registry for {request.region} (account {account}); "
            "without it the add-on pods cannot start, and without the VPC CNI pods get no network."
        ),
        actions=IMAGE_READ_ACTIONS,
        resources=(arn,),
        scope_note=(
            f"Pull only, and only from AWS's add-on registry of {request.region}, the repositories' region "
            "(for a cluster in another region, use that region's registry). It replaces "
            "AmazonEC2ContainerRegistryPullOnly, which would reach every repository of every account."
        ),
        source=addons.SOURCE,
    )


def _build_public_policy(request: PolicyRequest) -> GeneratedPolicy:
    statements = [
        Statement(
            sid="AllowECRPublicAuth",
            title="ECR Public login",
            summary=(
                "Lets the principal log in to public.ecr.aws (`aws ecr-public get-login-password`)."
                + ("" if request.access is Access.PUSH else " " + PUBLIC_PULL_NOTE)
            ),
            actions=PUBLIC_LOGIN_ACTIONS,
            resources=("*",),
            scope_note=(
                'Neither login action has a resource type, so only "Resource": "*" matches them; '
                "a statement naming a repository ARN for them is accepted by IAM but never matches."
            ),
            source=WHY_AUTH_IS_ON_STAR_SOURCE,
        )
    ]
    if request.access is Access.PUSH:
        statements.append(
            Statement(
                sid="AllowECRPublicPush",
                title="Push public images",
                summary=f"Lets the principal upload layers and write manifests and tags to the {_describe_repositories(request)}.",
                actions=PUBLIC_PUSH_ACTIONS,
                resources=request.repository_arns,
                scope_note="Scoped to the named public repositories.",
            )
        )
    return GeneratedPolicy(request=request, statements=tuple(statements))
