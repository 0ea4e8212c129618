"""From policy to pipeline: the CI configuration and deployment fragments that use the role.

Each format fits some setups (a GitHub Actions workflow needs a role that trusts GitHub's
OIDC provider); `ci_formats` lists the ones a bundle has, `render_ci` makes one, and
`unfit_reason` says why another does not fit, naming the one that would.
"""

from __future__ import annotations

from collections import namedtuple

from wizard.core.deploy import Bundle
from wizard.core.request import Role
from wizard.core.trust import TrustSource

from .codebuild import render_buildspec, render_ci_script
from .common import CIFile
from .github import render_github_actions
from .gitlab import render_gitlab_ci
from .runs import CIError
from .runtime import render_ecs_task_definition, render_eks_manifest, render_lambda_deploy

__all__ = ["CI_FORMATS", "CIError", "CIFile", "ci_formats", "render_ci", "unfit_reason"]


class CIFormat(namedtuple("CIFormat", "title roles trusts render")):
    """title: what the file is; roles and trusts: the setups it fits (None in trusts: an
    existing role); render: bundle -> CIFile."""

    __slots__ = ()


CI_FORMATS = {
    "github-actions": CIFormat("GitHub Actions workflow", (Role.CI,), (TrustSource.GITHUB,), render_github_actions),
    "gitlab-ci": CIFormat("GitLab CI job (.gitlab-ci.yml)", (Role.CI,), (TrustSource.GITLAB,), render_gitlab_ci),
    "buildspec": CIFormat("CodeBuild buildspec.yml", (Role.CI,), (TrustSource.CODEBUILD,), render_buildspec),
    "ci-script": CIFormat(
        "Push script for a CI on EC2 (Jenkins...)", (Role.CI,), (TrustSource.EC2, None), render_ci_script
    ),
    "ecs-task-definition": CIFormat(
        "ECS task definition", (Role.ECS,), (TrustSource.ECS_TASKS, TrustSource.EC2, None), render_ecs_task_definition
    ),
    "eks-manifest": CIFormat(
        "Kubernetes manifest for EKS",
        (Role.EKS,),
        (TrustSource.EKS_NODE, TrustSource.EKS_FARGATE, TrustSource.EKS_POD_IDENTITY, None),
        render_eks_manifest,
    ),
    "lambda-deploy": CIFormat("Lambda deploy script", (Role.LAMBDA,), (None,), render_lambda_deploy),
}


def _fits(bundle: Bundle, name: str) -> bool:
    spec = CI_FORMATS[name]
    return bundle.request.role in spec.roles and bundle.deployment.trust in spec.trusts


def unfit_reason(bundle: Bundle, name: str) -> str | None:
    """Why the format cannot be made for this setup (None when it can)."""
    if _fits(bundle, name):
        try:
            render_ci(bundle, name)
        except CIError as error:
            return str(error)
        return None
    spec = CI_FORMATS[name]
    trust = bundle.deployment.trust
    has = f"--role {bundle.request.role.value}" + (f" --trust {trust.value}" if trust else " and an existing role")
    wanted = " or ".join(f"--trust {source.value}" for source in spec.trusts if source is not None)
    fitting = [other for other in CI_FORMATS if _fits(bundle, other)]
    instead = f"; for this setup use --format {fitting[0]}" if fitting else ""
    needs = f"--role {spec.roles[0].value}" + (f" with {wanted}" if wanted else "")
    return f"the {spec.title} needs {needs}, and this setup has {has}{instead}"


def ci_formats(bundle: Bundle) -> list[str]:
    """The formats that fit this setup (usually one)."""
    return [name for name in CI_FORMATS if _fits(bundle, name)]


def render_ci(bundle: Bundle, name: str) -> CIFile:
    """The file for this setup; CIError when the format does not fit or cannot be made."""
    if not _fits(bundle, name):
        raise CIError(unfit_reason(bundle, name))
    return CI_FORMATS[name].render(bundle)
