"""What every CI configuration and deployment fragment shares: the role's ARN, the images it
pushes or pulls, the shell commands for them, and the header that explains the file.

The images come from the request (the repositories the identity policy grants), the registry
host from the region's partition, the role from the deployment: nothing is typed twice.
"""

from __future__ import annotations

from collections import namedtuple

from wizard import __version__
from wizard.core.deploy import Bundle
from wizard.core.names import is_pattern
from wizard.core.regions import registry_host
from wizard.core.request import Access, PolicyRequest
from wizard.core.roles import ROLES
from wizard.core.trust import TRUST_TITLES

from .runs import CIError

PUBLIC_REGISTRY = "public.ecr.aws"
PUBLIC_ALIAS_VARIABLE = "ECR_PUBLIC_ALIAS"
"""ECR Public images live at public.ecr.aws/ALIAS/NAME; the alias is the registry's, not the account's."""


class CIFile(namedtuple("CIFile", "text path notes")):
    """A generated file: its text, where it goes (relative to the repository or working
    directory), and notes worth saying beside it (what it could not do, what to set up)."""

    __slots__ = ()


class Images(namedtuple("Images", "registry names patterns public")):
    """The registry host, the repositories named exactly (a step each), the wildcard patterns
    (no step can name them) and whether it is ECR Public (public.ecr.aws/ALIAS/NAME)."""

    __slots__ = ()

    def shell_reference(self, name: str, tag: str = "$IMAGE_TAG") -> str:
        """The image reference as a double-quoted shell word, from $REGISTRY (and the alias)."""
        prefix = f"$REGISTRY/${PUBLIC_ALIAS_VARIABLE}" if self.public else "$REGISTRY"
        return f'"{prefix}/{name}:{tag}"'

    def reference(self, name: str, tag: str) -> str:
        return f"{self.registry}/{name}:{tag}"


def images(request: PolicyRequest) -> Images:
    names = tuple(name for name in request.repositories if not is_pattern(name))
    patterns = tuple(name for name in request.repositories if is_pattern(name))
    if not names:
        raise CIError(
            f"every repository is a pattern ({', '.join(patterns)}): a pipeline pushes and pulls named "
            "repositories, so name at least one (e.g. --repo team-a/api beside --repo 'team-a/*')"
        )
    registry = PUBLIC_REGISTRY if request.public else registry_host(request.account, request.region)
    return Images(registry, names, patterns, request.public)


def role_arn(bundle: Bundle) -> str:
    """The ARN of the role the identity policy is attached to (created with the trust policy)."""
    deployment = bundle.deployment
    return f"arn:{bundle.request.partition.name}:iam::{bundle.role_account}:role{deployment.role_path}{deployment.role_name}"


def pushes(request: PolicyRequest) -> bool:
    return request.access is Access.PUSH


def context_directory(images: Images, name: str) -> str:
    """Where an image is built from: the checkout itself for one image, a directory named after
    each repository when there are several."""
    return "." if len(images.names) == 1 else f"./{name}"


def login_command(images: Images, region_variable: str = "$AWS_REGION") -> str:
    """The documented `docker login` pipeline, with the registry and region from variables."""
    if images.public:
        return 'aws ecr-public get-login-password --region us-east-1 | docker login --username AWS --password-stdin "$REGISTRY"'
    return f'aws ecr get-login-password --region "{region_variable}" | docker login --username AWS --password-stdin "$REGISTRY"'


def alias_check(how_to_set: str) -> list[str]:
    """ECR Public: stop with a clear message when the registry alias was not given."""
    return [f': "${{{PUBLIC_ALIAS_VARIABLE}:?{how_to_set}}}"']


def build_command(images: Images, name: str) -> str:
    return f"docker build --tag {images.shell_reference(name)} {context_directory(images, name)}"


def push_command(images: Images, name: str) -> str:
    return f"docker push {images.shell_reference(name)}"


def pull_command(images: Images, name: str) -> str:
    return f"docker pull {images.shell_reference(name)}"


def image_commands(images: Images, name: str, push: bool) -> list[str]:
    """docker build and push of one image, or the pull of it."""
    if not push:
        return [pull_command(images, name)]
    return [build_command(images, name), push_command(images, name)]


def header(bundle: Bundle, what: str, path: str, images: Images | None) -> list[str]:
    """The opening sentences of a generated file (the caller makes them comments)."""
    request = bundle.request
    verb = "builds and pushes to" if pushes(request) else "pulls from"
    lines = [
        f"{what} for ECR {request.access.value} access ({ROLES[request.role].title}), made by "
        f"ecr-policy-wizard {__version__}. Save it as {path}.",
    ]
    if images is not None:
        lines.append(f"It {verb} {images.registry}: {', '.join(images.names)}.")
        if images.patterns:
            lines.append(
                f"The policy also grants {', '.join(images.patterns)}: patterns name no image, so add a step for "
                "each repository they cover that this pipeline should use."
            )
    return lines


def trust_lines(bundle: Bundle) -> list[str]:
    """What the role's trust policy admits, in its own words (the lines marked trust: match it)."""
    if bundle.trust is None:
        return []
    return [
        f"The trust policy of {role_arn(bundle)} ({TRUST_TITLES[bundle.deployment.trust]}):",
        *(f"  {line}" for line in bundle.trust.explanation),
        "Lines marked 'trust:' are the ones this depends on: change them only together with the trust policy.",
    ]


def source_lines(pages) -> list[str]:
    return [f"Source: {page}" for page in dict.fromkeys(pages)]


def setup_line(bundle: Bundle) -> str:
    """How the role comes to exist: generated with the same answers, or the existing one."""
    role = bundle.deployment.role_name
    if bundle.trust is None:
        return (
            f"The policy goes on the existing role {role}: ecr-policy generate ... --format aws-cli (or terraform, "
            "cloudformation) with the same answers attaches it."
        )
    return (
        f"Create the role first with the same answers: ecr-policy generate ... --format terraform (or cloudformation, "
        f"aws-cli) makes {role} with its trust policy and this access."
    )


TRUST_MARK = "# trust: "
"""How a generated file marks a line the trust policy depends on (see trust_lines)."""


def trust_comments(text: str) -> list[str]:
    """The `trust:` comments of a generated file, each whole (wrapped comment lines joined), in
    order: why each line that the trust policy depends on is what it is, for a front end to
    list beside the file."""
    found: list[str] = []
    indent = None  # the indentation of an open whole-line trust comment, which may wrap on
    for line in text.splitlines():
        stripped = line.strip()
        if TRUST_MARK in line:
            found.append(line.split(TRUST_MARK, 1)[1].strip())
            indent = line.index("#") if stripped.startswith(TRUST_MARK) else None
        elif indent is not None and line.startswith(" " * indent + "# ") and not found[-1].endswith("."):
            found[-1] += " " + stripped[2:].strip()  # wrapped mid-sentence: the same comment
        else:
            indent = None
    return found
