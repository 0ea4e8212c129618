"""CodeBuild's buildspec.yml and the push script for a CI on EC2 (Jenkins and others).

Neither presents a token: CodeBuild assumes its service role itself (the trust admits
codebuild.amazonaws.com for projects in the role's account), and on EC2 the AWS CLI takes the
instance profile's credentials from the instance metadata. Both log in with the documented
`aws ecr get-login-password | docker login` pipeline.
"""

from __future__ import annotations

from wizard.core import sources
from wizard.core.deploy import Bundle
from wizard.core.trust import TrustSource

from .common import (
    PUBLIC_ALIAS_VARIABLE,
    CIFile,
    Images,
    alias_check,
    build_command,
    header,
    image_commands,
    images,
    login_command,
    pull_command,
    push_command,
    pushes,
    role_arn,
    setup_line,
    source_lines,
    trust_lines,
)
from .emit import comment_block, comment_lines, shell_word, yaml_quoted, yaml_string
from .paths import default_path

_ALIAS_HINT = f"set the environment variable {PUBLIC_ALIAS_VARIABLE} to your ECR Public registry alias"


def render_buildspec(bundle: Bundle) -> CIFile:
    found = images(bundle.request)
    push = pushes(bundle.request)
    sentences = [
        *header(bundle, "CodeBuild buildspec", default_path("buildspec", bundle.request), found),
        setup_line(bundle),
        f"trust: make {role_arn(bundle)} the service role of a CodeBuild project in account {bundle.role_account}: "
        "its trust policy admits CodeBuild for that account's projects only (aws:SourceAccount).",
        "Docker builds need the project's privileged mode (Environment > Privileged).",
        *trust_lines(bundle),
        *source_lines(
            [
                sources.CODEBUILD_BUILDSPEC,
                sources.CODEBUILD_ENVIRONMENT_VARIABLES,
                sources.CODEBUILD_DOCKER_SAMPLE,
                sources.CODEBUILD_SERVICE_ROLE,
                sources.ECR_PUBLIC_PUSH if found.public else sources.ECR_DOCKER_PUSH,
            ]
        ),
    ]
    lines = comment_block(sentences)
    lines += ["", "version: 0.2", "", "env:", "  variables:"]
    lines += [
        *comment_lines("Not AWS_REGION: CodeBuild sets that to the project's own region.", "    "),
        f"    ECR_REGION: {yaml_string(bundle.request.region)}",
        f"    REGISTRY: {yaml_string(found.registry)}",
    ]
    lines += ["", "phases:", *_phases(found, push)]
    notes = [_ALIAS_HINT + " in the project's environment"] if found.public else []
    return CIFile("\n".join(lines) + "\n", default_path("buildspec", bundle.request), tuple(notes))


def _phases(found: Images, push: bool) -> list[str]:
    tag = (
        'IMAGE_TAG="${CODEBUILD_RESOLVED_SOURCE_VERSION:?CodeBuild did not say which source version it built}"'
        if push
        else 'IMAGE_TAG="${IMAGE_TAG:-latest}"'
    )
    before = [tag, *(alias_check(_ALIAS_HINT) if found.public else []), login_command(found, "$ECR_REGION")]
    phases = {"pre_build": before}
    if push:
        phases["build"] = [build_command(found, name) for name in found.names]
        phases["post_build"] = [
            # post_build runs even after a failed build: push only what was built.
            '[ "$CODEBUILD_BUILD_SUCCEEDING" = 1 ] || exit 1',
            *(push_command(found, name) for name in found.names),
        ]
    else:
        phases["build"] = [pull_command(found, name) for name in found.names]
    lines = []
    for phase, commands in phases.items():
        lines += [f"  {phase}:", "    commands:", *(f"      - {yaml_quoted(command)}" for command in commands)]
    return lines


def render_ci_script(bundle: Bundle) -> CIFile:
    found = images(bundle.request)
    push = pushes(bundle.request)
    path = default_path("ci-script", bundle.request)
    sentences = [
        *header(bundle, "Push script" if push else "Pull script", path, found),
        *_credentials_sentences(bundle),
        *trust_lines(bundle),
        *source_lines(
            [sources.IAM_INSTANCE_PROFILES, sources.ECR_PUBLIC_PUSH if found.public else sources.ECR_DOCKER_PUSH]
        ),
    ]
    lines = ["#!/usr/bin/env bash", *comment_block(sentences)]
    lines += ["", "set -euo pipefail", ""]
    lines += [
        f"export AWS_REGION={shell_word(bundle.request.region)}",
        f"REGISTRY={shell_word(found.registry)}",
        'IMAGE_TAG="${IMAGE_TAG:-$(git rev-parse HEAD)}"' if push else 'IMAGE_TAG="${IMAGE_TAG:-latest}"',
    ]
    if found.public:
        lines += alias_check(_ALIAS_HINT)
    lines += ["", login_command(found)]
    for name in found.names:
        lines += image_commands(found, name, push)
    return CIFile("\n".join(lines) + "\n", path, ())


def _credentials_sentences(bundle: Bundle) -> list[str]:
    arn = role_arn(bundle)
    if bundle.deployment.trust is TrustSource.EC2:
        return [
            setup_line(bundle),
            f"trust: run it on an EC2 instance launched with the instance profile {bundle.deployment.role_name} "
            f"(role {arn}): the AWS CLI takes the role's credentials from the instance metadata, no keys needed.",
        ]
    return [f"It uses the credentials of its environment: those of {arn}, the existing role that gets the policy."]
