"""Where each generated CI or deployment file goes: the one table every front end reads
(`generate --output DIR`, the wizard's save dialog, `--plain`, the files' own headers).

Paths are relative to the repository or working directory; {verb} is push or pull.
"""

from __future__ import annotations

from wizard.core.request import Access, PolicyRequest

DEFAULT_PATHS = {
    "github-actions": ".github/workflows/ecr-{verb}.yml",
    "gitlab-ci": ".gitlab-ci.yml",
    "buildspec": "buildspec.yml",
    "ci-script": "ecr-{verb}.sh",
    "ecs-task-definition": "task-definition.json",
    "eks-manifest": "ecr-image.k8s.yaml",
    "lambda-deploy": "deploy-lambda.sh",
}
"""GitHub runs workflows only from .github/workflows/, GitLab reads .gitlab-ci.yml and CodeBuild
buildspec.yml at the repository's root by default; the others are names that say what they hold."""


def default_path(name: str, request: PolicyRequest) -> str:
    """The usual path of format `name`'s file for this request."""
    return DEFAULT_PATHS[name].format(verb="push" if request.access is Access.PUSH else "pull")
