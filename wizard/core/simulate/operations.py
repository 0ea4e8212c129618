"""The operations `simulate` walks through, call by call: a docker push or pull, an ECS task
starting, the EKS kubelet pulling, a Lambda function created from an image.

Each step names who makes the call and which IAM action ECR checks for it; what the request
looks like comes from the catalog's call map (one source of truth), so `explain`, the review
step and the simulator show the same requests.
"""

from __future__ import annotations

from collections import namedtuple

from wizard.core import sources
from wizard.core.catalog import CATALOG, LAMBDA_DEPLOY_ACTIONS, HttpCall

CALLER = "caller"
LAMBDA_SERVICE = "lambda.amazonaws.com"
LOGIN = "ecr:GetAuthorizationToken"
LAYER_CHECK = "ecr:BatchCheckLayerAvailability"
MANIFEST = "ecr:BatchGetImage"
LAYERS = "ecr:GetDownloadUrlForLayer"
PUSH_UPLOADS = ("ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage")


class Client(namedtuple("Client", "key name role_name")):
    """Who runs the operation: key (docker, ecs, kubelet, lambda); name, as messages say it;
    role_name: the role whose identity policy is simulated, in words."""

    __slots__ = ()


DOCKER = Client("docker", "docker", "the role that runs docker (a CI pipeline's role, or yours)")
ECS = Client("ecs", "Amazon ECS", "the task execution role")
KUBELET = Client("kubelet", "the kubelet", "the node instance role")
LAMBDA = Client("lambda", "AWS Lambda", "the deployer (who calls CreateFunction)")


class StepSpec(
    namedtuple("StepSpec", "actor what action requests principal command", defaults=(None, None, None, CALLER, ""))
):
    """One call of an operation. actor: who sends it; what: what happens, in words (None: the
    catalog's client step); action: the IAM action ECR checks (None: no IAM check);
    requests: HttpCall records (None: the catalog's); principal: CALLER or LAMBDA_SERVICE;
    command: what the user types to start this step, if anything ({image}, {host}, {region})."""

    __slots__ = ()

    def text(self) -> str:
        if self.what is not None:
            return self.what
        return CATALOG[self.action].calls.client

    def calls(self) -> tuple[HttpCall, ...]:
        if self.requests is not None:
            return self.requests
        return CATALOG[self.action].calls.requests


class Operation(namedtuple("Operation", "key title client steps source")):
    """An operation: key (as `simulate` takes it), title, Client, StepSpec records, and the
    page that documents who makes its calls."""

    __slots__ = ()


_LOGIN_COMMAND = "aws ecr get-login-password --region {region}"
_DOCKER_LOGIN = StepSpec(
    actor="docker",
    what="`docker login` presents the password; ECR checks it (no IAM action)",
    action=None,
    requests=(HttpCall("GET", "/v2/", sources.OCI_API_VERSION_CHECK),),
    command="... | docker login --username AWS --password-stdin {host}",
)


def _docker_steps(actions: tuple[str, ...], command: str) -> tuple[StepSpec, ...]:
    first, *rest = actions
    return (
        StepSpec("aws CLI", action=LOGIN, command=_LOGIN_COMMAND),
        _DOCKER_LOGIN,
        StepSpec("docker", action=first, command=command),
        *(StepSpec("docker", action=action) for action in rest),
    )


def _service_pull(actor: str, token_text: str) -> tuple[StepSpec, ...]:
    return (
        StepSpec(actor, what=token_text, action=LOGIN),
        StepSpec(actor, what="reads the image manifest for the tag", action=MANIFEST),
        StepSpec(actor, what="downloads the image config and each layer", action=LAYERS),
    )


_DEPLOYER_CHECK = LAMBDA_DEPLOY_ACTIONS[0].calls.client
OPERATIONS: dict[str, Operation] = {
    "push": Operation(
        "push",
        "docker push",
        DOCKER,
        _docker_steps((LAYER_CHECK, *PUSH_UPLOADS), "docker push {image}"),
        sources.ECR_PUSH_IAM,
    ),
    "pull": Operation(
        "pull",
        "docker pull",
        DOCKER,
        _docker_steps((MANIFEST, LAYERS), "docker pull {image}"),
        sources.ECR_ON_ECS,
    ),
    "ecs-task": Operation(
        "ecs-task",
        "an ECS task starting",
        ECS,
        _service_pull(
            "ECS (agent or Fargate)",
            "fetches the registry password with the task execution role",
        ),
        sources.ECS_TASK_EXECUTION_ROLE,
    ),
    "eks-pull": Operation(
        "eks-pull",
        "the EKS kubelet pulling",
        KUBELET,
        _service_pull(
            "kubelet",
            "its ECR credential provider fetches the registry password with the node role",
        ),
        sources.EKS_NODE_ROLE,
    ),
    "lambda-create": Operation(
        "lambda-create",
        "Lambda CreateFunction",
        LAMBDA,
        (
            StepSpec(
                "Lambda",
                what=_DEPLOYER_CHECK + ": BatchGetImage",
                action=MANIFEST,
                requests=(),
                command="aws lambda create-function --package-type Image --code ImageUri={image} ...",
            ),
            StepSpec("Lambda", what="... and GetDownloadUrlForLayer", action=LAYERS, requests=()),
            StepSpec(
                "the Lambda service",
                what="reads the image manifest, as lambda.amazonaws.com, for the function",
                action=MANIFEST,
                requests=(),
                principal=LAMBDA_SERVICE,
            ),
            StepSpec(
                "the Lambda service",
                what="reads the layers, as lambda.amazonaws.com, to cache the image for the function",
                action=LAYERS,
                requests=(),
                principal=LAMBDA_SERVICE,
            ),
        ),
        sources.LAMBDA_IMAGES,
    ),
}
"""Every operation `simulate` knows, by the key it takes on the command line."""
