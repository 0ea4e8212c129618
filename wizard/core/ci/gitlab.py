"""The GitLab CI job that exchanges its ID token for the role and pushes (or pulls) the images.

The `aud` of its id_token comes from the function that wrote the trust policy's `aud`
condition, and its `rules:` from the `sub` the trust pins (read back by `gitlab_runs`), so
the job runs exactly where its token is accepted.
"""

from __future__ import annotations

from wizard.core import sources
from wizard.core.deploy import Bundle
from wizard.core.trust import gitlab_audience

from .common import (
    PUBLIC_ALIAS_VARIABLE,
    CIFile,
    Images,
    alias_check,
    header,
    image_commands,
    images,
    login_command,
    pushes,
    role_arn,
    setup_line,
    source_lines,
    trust_lines,
)
from .emit import comment_block, comment_lines, yaml_quoted, yaml_string
from .paths import default_path
from .runs import Runs, gitlab_rule, gitlab_runs

DOCKER_IMAGE = "docker:27-cli"
DOCKER_SERVICE = "docker:27-dind"
TOKEN_VARIABLE = "AWS_ID_TOKEN"


def render_gitlab_ci(bundle: Bundle) -> CIFile:
    deployment = bundle.deployment
    runs = gitlab_runs(deployment.subject)
    found = images(bundle.request)
    push = pushes(bundle.request)
    sentences = [
        *header(bundle, "GitLab CI job", default_path("gitlab-ci", bundle.request), found),
        "Merge the job into your .gitlab-ci.yml if you have one. It needs a runner that allows Docker-in-Docker "
        "(privileged), as GitLab.com's instance runners do.",
        setup_line(bundle),
        f"It also needs the IAM OIDC provider for {deployment.gitlab_host} in account {bundle.role_account}.",
        *trust_lines(bundle),
        *source_lines(_sources(bundle)),
    ]
    lines = comment_block(sentences)
    lines += ["", f"{'push-to-ecr' if push else 'pull-from-ecr'}:", "  stage: build"]
    lines += [f"  image: {yaml_string(DOCKER_IMAGE)}", "  services:", f"    - {yaml_string(DOCKER_SERVICE)}"]
    lines += _variables(bundle, found, push)
    lines += _id_tokens(deployment.gitlab_host)
    lines += _rules(runs)
    lines += ["  before_script:", f"    - {yaml_quoted('apk add --no-cache aws-cli')}"]
    lines += ["  script:", *(f"    - {yaml_quoted(command)}" for command in _script(bundle, found, push))]
    notes = []
    if found.public:
        notes.append(
            f"set the CI/CD variable {PUBLIC_ALIAS_VARIABLE} (Settings > CI/CD > Variables) to your ECR Public "
            "registry alias: the job stops without it"
        )
    return CIFile("\n".join(lines) + "\n", default_path("gitlab-ci", bundle.request), tuple(notes))


def _sources(bundle: Bundle) -> list[str]:
    push_page = sources.ECR_PUBLIC_PUSH if bundle.request.public else sources.ECR_DOCKER_PUSH
    return [
        sources.GITLAB_OIDC_AWS,
        sources.GITLAB_ID_TOKENS,
        sources.GITLAB_JOB_RULES,
        sources.GITLAB_DOCKER_IN_DOCKER,
        push_page,
    ]


def _variables(bundle: Bundle, found: Images, push: bool) -> list[str]:
    return [
        "  variables:",
        f"    DOCKER_TLS_CERTDIR: {yaml_string('/certs')}  # the Docker-in-Docker service talks TLS",
        f"    AWS_REGION: {yaml_string(bundle.request.region)}",
        *comment_lines("trust: the role whose trust policy admits this job's ID token.", "    "),
        f"    ROLE_ARN: {yaml_string(role_arn(bundle))}",
        f"    REGISTRY: {yaml_string(found.registry)}",
        f"    IMAGE_TAG: {yaml_string('$CI_COMMIT_SHA' if push else 'latest')}",
    ]


def _id_tokens(host: str) -> list[str]:
    audience = gitlab_audience(host)
    return [
        "  id_tokens:",
        f"    {TOKEN_VARIABLE}:",
        *comment_lines(
            f"trust: the role admits tokens whose aud is {audience} (the {host}:aud condition of its trust policy).",
            "      ",
        ),
        f"      aud: {yaml_string(audience)}",
    ]


def _rules(runs: Runs) -> list[str]:
    rule = gitlab_rule(runs)
    if rule is None:
        return comment_lines(
            f"The trust admits every pipeline of {runs.who}: no rules, the job runs in every branch and tag pipeline.",
            "  ",
        )
    return [
        "  rules:",
        *comment_lines(
            f"trust: the role admits only pipelines on the {runs.kind} {runs.pattern!r} of {runs.who} "
            f"(sub project_path:{runs.who}:ref_type:{runs.kind}:ref:{runs.pattern}), so the job runs only there.",
            "    ",
        ),
        f"    - if: {yaml_quoted(rule)}",
    ]


def _script(bundle: Bundle, found: Images, push: bool) -> list[str]:
    session = "gitlab-$CI_PROJECT_ID-$CI_JOB_ID"
    commands = [
        'CREDENTIALS=$(aws sts assume-role-with-web-identity --role-arn "$ROLE_ARN" '
        f'--role-session-name "{session}" --web-identity-token "${TOKEN_VARIABLE}" --duration-seconds 3600 '
        '--query "Credentials.[AccessKeyId,SecretAccessKey,SessionToken]" --output text)',
        'AWS_ACCESS_KEY_ID=$(printf "%s" "$CREDENTIALS" | cut -f1)',
        'AWS_SECRET_ACCESS_KEY=$(printf "%s" "$CREDENTIALS" | cut -f2)',
        'AWS_SESSION_TOKEN=$(printf "%s" "$CREDENTIALS" | cut -f3)',
        "export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN",
    ]
    if found.public:
        commands += alias_check(f"set the CI/CD variable {PUBLIC_ALIAS_VARIABLE} to your ECR Public registry alias")
    commands.append(login_command(found))
    for name in found.names:
        commands += image_commands(found, name, push)
    return commands
