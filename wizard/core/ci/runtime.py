"""Where the image runs: the ECS task definition, the EKS manifest and the Lambda deploy script
that reference the image and the role.

ECS pulls with the task execution role named in the task definition; EKS's kubelet pulls with
the node role (or Fargate's pod execution role), which a node group or Fargate profile names;
a Pod Identity role reaches only pods that use its service account; Lambda pulls by itself,
and the deployer only names the image. Each fragment says which of these it is.
"""

from __future__ import annotations

import json
import re

from wizard.core import sources
from wizard.core.deploy import Bundle
from wizard.core.request import Role
from wizard.core.trust import TrustSource

from .common import CIFile, Images, header, images, role_arn, setup_line, source_lines, trust_lines
from .emit import comment_block, comment_lines, shell_word, yaml_string
from .paths import default_path
from .runs import CIError

IMAGE_TAG = "latest"
NAMESPACE = "default"
SERVICE_ACCOUNT = "ecr-access"


def _runtime_images(bundle: Bundle) -> Images:
    if bundle.request.public:
        raise CIError(
            "ECR Public images need no role to pull: reference public.ecr.aws/ALIAS/NAME in your task "
            "definition or manifest directly"
        )
    return images(bundle.request)


def _safe_name(repository: str, limit: int) -> str:
    """A repository name as an ECS container, Kubernetes object or Lambda function name."""
    return re.sub(r"[^a-z0-9-]+", "-", repository.lower()).strip("-")[:limit].strip("-") or "app"


# -- ECS ------------------------------------------------------------------------------------


def render_ecs_task_definition(bundle: Bundle) -> CIFile:
    """A task definition for `aws ecs register-task-definition --cli-input-json file://...`."""
    found = _runtime_images(bundle)
    request = bundle.request
    family = _safe_name(found.names[0], 255)
    log_group = f"/ecs/{family}"
    execution_role = bundle.deployment.trust is not TrustSource.EC2
    containers = [_container(found, name, request.region, log_group, execution_role) for name in found.names]
    definition: dict = {"family": family}
    if execution_role:
        definition["executionRoleArn"] = role_arn(bundle)
        definition |= {"networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512"}
    else:
        definition |= {"networkMode": "bridge", "requiresCompatibilities": ["EC2"]}
    definition["containerDefinitions"] = containers
    notes = _ecs_notes(bundle, execution_role, log_group)
    return CIFile(json.dumps(definition, indent=2) + "\n", default_path("ecs-task-definition", request), tuple(notes))


def _container(found: Images, name: str, region: str, log_group: str, fargate: bool) -> dict:
    container: dict = {"name": _safe_name(name, 255), "image": found.reference(name, IMAGE_TAG), "essential": True}
    if not fargate:
        container["memory"] = 512
    container["logConfiguration"] = {
        "logDriver": "awslogs",
        "options": {"awslogs-group": log_group, "awslogs-region": region, "awslogs-stream-prefix": container["name"]},
    }
    return container


def _ecs_notes(bundle: Bundle, execution_role: bool, log_group: str) -> list[str]:
    request, arn = bundle.request, role_arn(bundle)
    if execution_role:
        who = (
            f"executionRoleArn is {arn}: ECS pulls the images and writes the logs with it (trust: ecs-tasks.amazonaws.com "
            f"for tasks in account {bundle.role_account}); it is not the taskRoleArn your code runs as"
        )
    else:
        who = (
            f"no executionRoleArn: on the EC2 launch type the container instance role {arn} pulls the images "
            "(launch the instances with its instance profile)"
        )
    return [
        who,
        f"images are tagged {IMAGE_TAG}: use the tag your pipeline pushed (e.g. the commit SHA) for each deployment",
        f"create the log group first: aws logs create-log-group --region {request.region} --log-group-name {log_group}",
        f"register it: aws ecs register-task-definition --region {request.region} --cli-input-json file://{default_path('ecs-task-definition', request)}",
        f"{setup_line(bundle)} Sources: {sources.ECS_TASK_EXECUTION_ROLE} {sources.ECS_REGISTER_TASK_DEFINITION}",
    ]


# -- EKS ------------------------------------------------------------------------------------


def render_eks_manifest(bundle: Bundle) -> CIFile:
    found = _runtime_images(bundle)
    trust = bundle.deployment.trust
    sentences = [
        *header(bundle, "Kubernetes manifest", default_path("eks-manifest", bundle.request), found),
        *_eks_role_sentences(bundle),
        *trust_lines(bundle),
        *source_lines(_eks_sources(trust)),
    ]
    lines = comment_block(sentences)
    if trust is TrustSource.EKS_POD_IDENTITY:
        lines += ["", *_service_account()]
    else:
        for name in found.names:
            lines += ["", "---", *_deployment(found, name)]
    return CIFile("\n".join(lines) + "\n", default_path("eks-manifest", bundle.request), ())


def _eks_role_sentences(bundle: Bundle) -> list[str]:
    arn, trust = role_arn(bundle), bundle.deployment.trust
    region = bundle.request.region
    if trust is TrustSource.EKS_FARGATE:
        cluster = bundle.deployment.cluster
        return [
            setup_line(bundle),
            f"trust: the kubelet on Fargate pulls these images with the pod execution role {arn}, which the trust "
            f"admits for the Fargate profiles of cluster {cluster} only. Pods of the namespace {NAMESPACE} run on "
            "Fargate once a profile selects it:",
            f"  aws eks create-fargate-profile --region {region} --cluster-name {shell_word(cluster)} "
            f"--fargate-profile-name ecr-pods --pod-execution-role-arn {arn} --selectors namespace={NAMESPACE} "
            "--subnets SUBNET_ID ...",
        ]
    if trust is TrustSource.EKS_POD_IDENTITY:
        return [
            setup_line(bundle),
            f"trust: pods that use the service account {SERVICE_ACCOUNT} below get the role {arn} through EKS Pod "
            "Identity (pods.eks.amazonaws.com), once the association exists (and the EKS Pod Identity Agent "
            "add-on runs). It serves pods that call ECR themselves, e.g. an in-cluster image builder pushing to "
            "the repositories above; the kubelet pulls pod images with the node role, never with this one.",
            f"  aws eks create-pod-identity-association --region {region} --cluster-name CLUSTER "
            f"--namespace {NAMESPACE} --service-account {SERVICE_ACCOUNT} --role-arn {arn}",
        ]
    node = [
        f"trust: the kubelet pulls these images with the node role {arn}: give it to the node group "
        f"(instance profile {bundle.deployment.role_name}), e.g.",
        f"  aws eks create-nodegroup --region {region} --cluster-name CLUSTER --nodegroup-name ecr-nodes "
        f"--node-role {arn} --subnets SUBNET_ID ...",
    ]
    if trust is None:
        return [f"The existing node role {arn} gets the policy: the kubelet pulls these images with it."]
    return [setup_line(bundle), *node]


def _eks_sources(trust) -> list[str]:
    if trust is TrustSource.EKS_FARGATE:
        return [sources.EKS_POD_EXECUTION_ROLE, sources.EKS_CREATE_FARGATE_PROFILE]
    if trust is TrustSource.EKS_POD_IDENTITY:
        return [sources.EKS_POD_IDENTITY_ROLE, sources.EKS_CREATE_POD_IDENTITY_ASSOCIATION]
    return [sources.EKS_NODE_ROLE, sources.EKS_CREATE_NODEGROUP]


def _deployment(found: Images, name: str) -> list[str]:
    label = _safe_name(name, 63)
    return [
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata:",
        f"  name: {yaml_string(label)}",
        f"  namespace: {yaml_string(NAMESPACE)}",
        "spec:",
        "  replicas: 1",
        "  selector:",
        "    matchLabels:",
        f"      app: {yaml_string(label)}",
        "  template:",
        "    metadata:",
        "      labels:",
        f"        app: {yaml_string(label)}",
        "    spec:",
        "      containers:",
        f"        - name: {yaml_string(label)}",
        *comment_lines(f"Tagged {IMAGE_TAG}: use the tag your pipeline pushed (e.g. the commit SHA).", "          "),
        f"          image: {yaml_string(found.reference(name, IMAGE_TAG))}",
    ]


def _service_account() -> list[str]:
    return [
        "---",
        "apiVersion: v1",
        "kind: ServiceAccount",
        "metadata:",
        f"  name: {yaml_string(SERVICE_ACCOUNT)}",
        f"  namespace: {yaml_string(NAMESPACE)}",
    ]


# -- Lambda ---------------------------------------------------------------------------------


def render_lambda_deploy(bundle: Bundle) -> CIFile:
    found = _runtime_images(bundle)
    request = bundle.request
    sentences = [
        *header(bundle, "Lambda deploy script", default_path("lambda-deploy", bundle.request), found),
        "Run it with the deployer's role, which gets the identity policy. The Lambda service pulls the image "
        "itself (through the repository policy); the deployer only names it, and also needs "
        "lambda:GetFunction, lambda:CreateFunction, lambda:UpdateFunctionCode and iam:PassRole on the execution "
        "role, which this ECR policy does not grant.",
        f"The functions run in account {bundle.role_account}, in {request.region} like the repositories (Lambda "
        "runs images only from its own region).",
        *source_lines([sources.LAMBDA_IMAGES, sources.LAMBDA_CREATE_FUNCTION]),
    ]
    if bundle.repository is not None:
        sentences.insert(
            2,
            f"First the repository policy ({bundle.repository.placement.rstrip('.')}): the Lambda service pulls through it.",
        )
    lines = ["#!/usr/bin/env bash", *comment_block(sentences)]
    lines += ["", "set -euo pipefail", ""]
    lines += [
        f"REGION={shell_word(request.region)}",
        f"REGISTRY={shell_word(found.registry)}",
        f'IMAGE_TAG="${{IMAGE_TAG:-{IMAGE_TAG}}}"',
        "# The role the function code runs as (it needs no ECR permission).",
        ': "${EXECUTION_ROLE_ARN:?set EXECUTION_ROLE_ARN to the ARN of the execution role of the functions}"',
        "",
        "deploy() {",
        '  local function_name="$1" image="$2"',
        '  if aws lambda get-function --region "$REGION" --function-name "$function_name" >/dev/null 2>&1; then',
        '    aws lambda update-function-code --region "$REGION" --function-name "$function_name" --image-uri "$image" >/dev/null',
        "  else",
        '    aws lambda create-function --region "$REGION" --function-name "$function_name" --package-type Image \\',
        '      --code "ImageUri=$image" --role "$EXECUTION_ROLE_ARN" >/dev/null',
        "  fi",
        '  echo "Deployed $image to $function_name"',
        "}",
        "",
    ]
    lines += [f'deploy {shell_word(_safe_name(name, 64))} "$REGISTRY/{name}:$IMAGE_TAG"' for name in found.names]
    return CIFile("\n".join(lines) + "\n", default_path("lambda-deploy", bundle.request), ())


def runtime_role(role: Role) -> bool:
    return role in (Role.ECS, Role.EKS, Role.LAMBDA)
