"""What the user sees when a call is refused, and what fixes it.

The wordings are the clients' own, as users got them: each names where it was seen (the real
error corpus in tests/fixtures/real/errors/, or another public thread) and says whether it is
word for word (values filled in) or composed from two real messages. The clause after the
action is IAM's access-denied grammar (sources.IAM_ACCESS_DENIED).
"""

from __future__ import annotations

import json
from collections import namedtuple

from wizard.core.catalog import CATALOG
from wizard.core.policy import Document
from wizard.core.policy.evaluate import Caller, Request, evaluate
from wizard.core.reference import find_action
from wizard.core.simulate.engine import (
    IDENTITY_DENY,
    LAMBDA_SELF_SERVICE,
    NO_IDENTITY_ALLOW,
    NO_RESOURCE_ALLOW,
    RESOURCE_DENY,
    SERVICE_NOT_ALLOWED,
    Simulation,
    StepResult,
    function_arn,
)
from wizard.core.simulate.operations import LAYER_CHECK, LAYERS, LOGIN, MANIFEST

_CORPUS = {
    "buildkite-166": "https://github.com/buildkite/elastic-ci-stack-for-aws/issues/166",
    "external-secrets-514": "https://github.com/terraform-aws-modules/terraform-aws-iam/issues/514",
    "circleci-orb-144": "https://github.com/CircleCI-Public/aws-ecr-orb/issues/144",
    "spotify-364": "https://github.com/spotify/docker-maven-plugin/issues/364",
    "ecr-login-14": "https://github.com/aws-actions/amazon-ecr-login/issues/14",
    "moj-7245": "https://github.com/ministryofjustice/cloud-platform/issues/7245",
    "ecr-login-232": "https://github.com/aws-actions/amazon-ecr-login/issues/232",
    "workshop-95": "https://github.com/aws-samples/aws-modern-application-workshop/issues/95",
    "everything2-2562": "https://github.com/everything2/everything2/issues/2562",
    "amplify-1255": "https://github.com/aws-amplify/amplify-category-api/issues/1255",
    "app-mesh-413": "https://github.com/aws/aws-app-mesh-examples/issues/413",
    "copilot-3104": "https://github.com/aws/copilot-cli/issues/3104",
    "cdk-29876": "https://github.com/aws/aws-cdk/issues/29876",
    "eks-charts-1044": "https://github.com/aws/eks-charts/issues/1044",
    "bedrock-gateway-127": "https://github.com/aws-samples/bedrock-access-gateway/issues/127",
    "sbx-525": "https://github.com/docker/sbx-releases/issues/525",
    "xray-daemon-146": "https://github.com/aws/aws-xray-daemon/issues/146",
    "ack-1641": "https://github.com/aws-controllers-k8s/community/issues/1641",
}
"""Where each wording was seen. Most are items of the real error corpus
(tests/fixtures/real/errors/); a test checks the word-for-word ones against it."""


class Wording(namedtuple("Wording", "who text sources exact note")):
    """What a client prints: who prints it, the text, where it was seen; exact: True when it
    is a real message word for word (this simulation's values filled in), False when it is
    composed from the real messages named (one gives the client's framing, the other the
    status); note: why it reads that way ("" when it speaks for itself)."""

    __slots__ = ()


def principal_shown(caller: Caller) -> str:
    """The caller as AWS names it in messages: a role's session is arn:...:sts::ACCOUNT:assumed-role/NAME/SESSION."""
    arn = caller.name
    parts = arn.split(":", 5)
    if caller.kind != "AWS" or len(parts) != 6 or not parts[5].startswith("role/"):
        return arn
    role = parts[5].rsplit("/", 1)[-1]
    return f"arn:{parts[1]}:sts::{parts[4]}:assumed-role/{role}/SESSION"


def denial(result: StepResult, caller: Caller) -> str:
    """IAM's access-denied sentence for a refused call."""
    clause = {
        NO_IDENTITY_ALLOW: f"because no identity-based policy allows the {result.action} action",
        NO_RESOURCE_ALLOW: f"because no resource-based policy allows the {result.action} action",
        IDENTITY_DENY: "with an explicit deny in an identity-based policy",
        RESOURCE_DENY: "with an explicit deny in a resource-based policy",
    }[result.verdict.reason]
    return (
        f"User: {principal_shown(caller)} is not authorized to perform: {result.action} on resource: "
        f"{result.resource} {clause}"
    )


def wording(simulation: Simulation) -> Wording | None:
    """What the client prints at the first refusal (None when the operation succeeds)."""
    result = simulation.refusal
    if result is None:
        return None
    client = simulation.operation.client.key
    if result.verdict.reason == SERVICE_NOT_ALLOWED:
        return _lambda_service_wording()
    said = denial(result, simulation.caller)
    return _WORDINGS[client](result, said, simulation)


def _docker(result: StepResult, said: str, simulation: Simulation) -> Wording:
    image = simulation.image
    if result.action == LOGIN:
        text = (
            "An error occurred (AccessDeniedException) when calling the GetAuthorizationToken operation: "
            f"{said}\nError: Cannot perform an interactive login from a non TTY device"
        )
        note = (
            "The first line is the AWS CLI's; docker login then gets an empty password on its standard input "
            "and prints the second."
        )
        return Wording(
            "aws ecr get-login-password, then docker login",
            text,
            _seen("buildkite-166", "circleci-orb-144"),
            True,
            note,
        )
    if result.action == LAYER_CHECK and "explicit deny" not in result.verdict.reason:
        note = (
            "The layer check is a HEAD request, and a response to HEAD has no body, so docker cannot read "
            "ECR's JSON error and reports an empty one. The message is docker's own, the same on a laptop, "
            "GitHub Actions, CodeBuild or Jenkins."
        )
        text = 'error parsing HTTP 403 response body: unexpected end of JSON input: ""'
        return Wording("docker push", text, _seen("spotify-364", "ecr-login-14"), True, note)
    if result.action == MANIFEST:
        text = (
            f"Error response from daemon: pull access denied for {image.host}/{image.repository}, repository "
            f"does not exist or may require 'docker login': denied: {said}"
        )
        return Wording("docker pull", text, _seen("everything2-2562"), True, "")
    if result.action == LAYERS:
        text = f"error pulling image configuration: download failed after attempts=1: denied: {said}"
        return Wording("docker pull", text, _seen("amplify-1255"), True, "")
    return Wording("docker push", f"denied: {said}", _seen("moj-7245", "ecr-login-232", "workshop-95"), True, "")


def _ecs(result: StepResult, said: str, simulation: Simulation) -> Wording:
    image = simulation.image
    if result.action == LOGIN:
        text = (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval "
            f"failed: unable to retrieve ecr registry auth: service call has been retried N time(s): AccessDeniedException: {said}"
        )
        return Wording("ECS (the stopped task's reason)", text, _seen("app-mesh-413", "copilot-3104"), False, "")
    if result.action == MANIFEST:
        text = (
            f"CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref {image}: "
            f"pulling from host {image.host} failed with status code [manifests {image.reference}]: 403 Forbidden"
        )
        note = "ECS shows the registry's status, not IAM's sentence: the refused action is ecr:BatchGetImage."
        return Wording("ECS (the stopped task's reason)", text, _seen("cdk-29876"), True, note)
    blob = f"https://{image.host}/v2/{image.repository}/blobs/sha256:..."
    text = (
        "CannotPullContainerError: ref pull has been retried 1 time(s): failed to copy: httpReaderSeeker: "
        f"failed open: unexpected status code {blob}: 403 Forbidden"
    )
    note = "The manifest was read; the download of the layers is refused."
    return Wording("ECS (the stopped task's reason)", text, _seen("xray-daemon-146", "cdk-29876"), False, note)


def _kubelet(result: StepResult, said: str, simulation: Simulation) -> Wording:
    image = simulation.image
    head = (
        f'Failed to pull image "{image}": rpc error: code = Unknown desc = failed to pull and unpack image "{image}": '
    )
    manifest = f"https://{image.host}/v2/{image.repository}/manifests/{image.reference}"
    if result.action == LOGIN:
        text = (
            head
            + f'failed to resolve reference "{image}": unexpected status from HEAD request to {manifest}: 401 Unauthorized'
        )
        note = (
            "The credential provider gets no password, so the kubelet asks for the manifest without one and "
            "ECR answers 401 (who are you?) rather than 403."
        )
        return Wording("kubectl describe pod (the kubelet's event)", text, _seen("eks-charts-1044"), True, note)
    if result.action == MANIFEST:
        text = (
            head
            + f'failed to resolve reference "{image}": unexpected status from HEAD request to {manifest}: 403 Forbidden'
        )
        return Wording(
            "kubectl describe pod (the kubelet's event)",
            text,
            _seen("eks-charts-1044", "bedrock-gateway-127"),
            False,
            "",
        )
    blob = f"https://{image.host}/v2/{image.repository}/blobs/sha256:..."
    text = (
        head
        + f"failed to copy: httpReadSeeker: failed open: unexpected status from GET request to {blob}: 403 Forbidden"
    )
    return Wording("kubectl describe pod (the kubelet's event)", text, _seen("eks-charts-1044", "sbx-525"), False, "")


def _lambda(result: StepResult, said: str, simulation: Simulation) -> Wording:
    note = "CreateFunction (and UpdateFunctionCode) checks the deployer's own access to the image first."
    return Wording("aws lambda create-function", said, _seen("ack-1641"), True, note)


def _lambda_service_wording() -> Wording:
    text = "Lambda does not have permission to access the ECR image. Check the ECR permissions."
    note = "The deployer may read the image, but the repository policy does not let the Lambda service fetch it."
    return Wording("aws lambda create-function", text, _seen("bedrock-gateway-127"), True, note)


_WORDINGS = {"docker": _docker, "ecs": _ecs, "kubelet": _kubelet, "lambda": _lambda}


def _seen(*keys: str) -> tuple[str, ...]:
    return tuple(_CORPUS[key] for key in keys)


# -- the fix ----------------------------------------------------------------------------------


def fix(simulation: Simulation) -> list[str]:
    """What would make the refused call pass, in sentences (empty when nothing was refused)."""
    result = simulation.refusal
    if result is None:
        return []
    reason = result.verdict.reason
    if reason in (IDENTITY_DENY, RESOURCE_DENY):
        return [_deny_fix(result, reason)]
    if reason == SERVICE_NOT_ALLOWED:
        return _lambda_service_fix(simulation)
    if reason == NO_RESOURCE_ALLOW:
        return _repository_fix(simulation, result)
    return _identity_fix(simulation, result)


def _deny_fix(result: StepResult, reason: str) -> str:
    decision = result.verdict.identity if reason == IDENTITY_DENY else result.verdict.repository
    which = "identity" if reason == IDENTITY_DENY else "repository"
    return (
        f"{_sentence(decision.statement.where)} of the {which} policy denies {result.action} here, and a Deny "
        "wins over every Allow: take the action out of that Deny, or narrow its Resource or Condition."
    )


def _sentence(text: str) -> str:
    """Text starting a sentence: its first letter upper case, the rest (a Sid) as written."""
    return text[:1].upper() + text[1:]


def _statement_json(statement: dict) -> str:
    return json.dumps(statement, separators=(", ", ": "))


def _identity_fix(simulation: Simulation, result: StepResult) -> list[str]:
    action, resource = result.action, result.resource
    if simulation.identity is None:
        return [
            f"No identity policy was given for the caller: it must allow {action} on {resource} "
            "(give it as FILE or with --identity-policy)."
        ]
    lines = []
    if action == LOGIN:
        misplaced = _granting(simulation.identity, action, exclude="*")
        if misplaced is not None:
            lines.append(
                f"{_sentence(misplaced.where)} grants it on {', '.join(misplaced.resources)}, which never matches: "
                'GetAuthorizationToken has no resource type, so only "Resource": "*" does.'
            )
        lines.append(f"Add: {_statement_json({'Effect': 'Allow', 'Action': action, 'Resource': '*'})}")
        return lines
    near = _covering(simulation.identity, resource, action)
    if near is not None:
        lines.append(f"Add {action} to {near.where}, which already covers {resource}.")
    else:
        elsewhere = _granting(simulation.identity, action)
        if elsewhere is not None:
            lines.append(
                f"{_sentence(elsewhere.where)} grants {action}, but not on {resource}: add it to its Resource."
            )
        lines.append(f"Add: {_statement_json({'Effect': 'Allow', 'Action': action, 'Resource': resource})}")
    lines += _delegation_note(simulation, result)
    return lines


def _delegation_note(simulation: Simulation, result: StepResult) -> list[str]:
    """The repository policy allows the caller's account as a whole: say why that is not enough."""
    decision = result.verdict.repository
    if decision is None or not decision.allowed:
        return []
    return [
        f"The repository policy's {decision.statement.where} names account {simulation.caller.account} as a whole: "
        "that lets the account decide, so its roles still need the action in their own identity policy."
    ]


def _repository_fix(simulation: Simulation, result: StepResult) -> list[str]:
    caller = simulation.caller
    owner = simulation.image.account
    if simulation.repository is None:
        head = (
            f"The caller (account {caller.account}) and the repository (account {owner}) are in different "
            "accounts: the repository's owner must allow the caller in the repository policy, and none was given "
            "(--repository-policy FILE)."
        )
    else:
        head = (
            f"Across accounts both halves are needed: the identity policy allows {result.action}, but the "
            f"repository policy of account {owner} does not allow the caller."
        )
    needed = _still_needed_from_repository(simulation, result)
    statement = {
        "Sid": "CrossAccountAccess",
        "Effect": "Allow",
        "Principal": {"AWS": caller.name},
        "Action": needed[0] if len(needed) == 1 else needed,
    }
    return [
        head,
        f"Add to the repository policy (it covers the calls after this one too): {_statement_json(statement)}",
    ]


def _still_needed_from_repository(simulation: Simulation, result: StepResult) -> list[str]:
    """The refused action and those of the later calls the repository policy does not allow yet."""
    needed: list[str] = []
    for later in simulation.results[result.number - 1 :]:
        if later.action in (None, LOGIN) or later.principal != simulation.caller or later.action in needed:
            continue
        repository = simulation.repository
        if (
            repository is None
            or not evaluate(repository, Request(later.action, later.resource, later.principal)).allowed
        ):
            needed.append(later.action)
    return needed


def _lambda_service_fix(simulation: Simulation) -> list[str]:
    arn = function_arn(simulation.image, simulation.caller, "*")
    statement = {
        "Sid": "LambdaECRImageRetrievalPolicy",
        "Effect": "Allow",
        "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        "Condition": {"StringLike": {"aws:sourceARN": arn}},
    }
    lines = [
        "The Lambda service fetches the image itself: the repository policy must allow lambda.amazonaws.com "
        f"ecr:BatchGetImage and ecr:GetDownloadUrlForLayer, here for the functions of account {simulation.caller.account}.",
        f"Add to the repository policy: {_statement_json(statement)}",
    ]
    if not simulation.cross_account:
        lines.append(
            f"(Lambda adds that statement itself when the deployer may call {' and '.join(LAMBDA_SELF_SERVICE)}; "
            "SetRepositoryPolicy would also let it rewrite who may use the repository.)"
        )
    return lines


def _covering(document: Document, resource: str, action: str):
    """An Allow statement of the identity policy that already applies to `resource` (for other
    actions): of those, the one with most actions like `action` (a push action goes beside the
    push actions, not into the pull statement)."""
    names = [name for name in CATALOG if name.startswith("ecr:") and name != LOGIN]
    risk = _risk(action)
    best, best_alike = None, -1
    for statement in document.real_statements:
        if not statement.allows or statement.conditions:
            continue
        single = Document(document.kind, "", False, None, (statement,), {})
        allowed = [name for name in names if evaluate(single, Request(name, resource)).allowed]
        alike = sum(1 for name in allowed if _risk(name) == risk)
        if allowed and alike > best_alike:
            best, best_alike = statement, alike
    return best


def _risk(action: str) -> str | None:
    row = find_action(action)
    return row.risk if row else None


def _granting(document: Document, action: str, exclude: str | None = None):
    """An Allow statement that names the action (on other resources than `exclude`)."""
    for statement in document.real_statements:
        if not statement.allows:
            continue
        single = Document(document.kind, "", False, None, (statement,), {})
        resources = [r for r in statement.resources if r != exclude]
        if resources and any(evaluate(single, Request(action, r)).allowed for r in resources):
            return statement
    return None
