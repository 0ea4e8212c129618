"""An image reference as people write it, read into registry account, region, repository and tag.

`123456789012.dkr.ecr.us-east-1.amazonaws.com/my-app:v1` (or `@sha256:...`): the host names the
registry (account and region, `.amazonaws.com.cn` in China), the path the repository, and what
follows `:` or `@` the tag or digest (docker's default tag is `latest`).
"""

from __future__ import annotations

import re
from collections import namedtuple

from wizard.core import names, regions
from wizard.core.request import check_account, check_region
from wizard.core.text import has_control_characters, quoted

IMAGE_MAX = 1024
"""Longer than any real reference (a 256-character name, a host, a 128-character tag)."""
_HOST = re.compile(r"^(?P<account>[0-9]{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?P<china>\.cn)?$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")
"""A tag, as the OCI distribution spec defines it."""
_DIGEST = re.compile(r"^sha256:[a-f0-9]{64}$")
ACCEPTED = (
    "Accepted: ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME[:TAG], e.g. "
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-app:v1 (or @sha256:DIGEST)."
)


class ImageError(ValueError):
    """The text is not a private ECR image reference; the message says why and what is accepted."""


class Image(namedtuple("Image", "account region repository reference")):
    """A private ECR image: registry account and region, repository name, and tag or digest."""

    __slots__ = ()

    @property
    def partition(self) -> str:
        return regions.partition_for(self.region).name

    @property
    def host(self) -> str:
        return regions.registry_host(self.account, self.region)

    @property
    def api_host(self) -> str:
        return f"api.ecr.{self.region}.{regions.partition_for(self.region).dns_suffix}"

    @property
    def arn(self) -> str:
        return f"arn:{self.partition}:ecr:{self.region}:{self.account}:repository/{self.repository}"

    @property
    def by_digest(self) -> bool:
        return self.reference.startswith("sha256:")

    def __str__(self) -> str:
        joiner = "@" if self.by_digest else ":"
        return f"{self.host}/{self.repository}{joiner}{self.reference}"


def image_for_arn(arn: str, reference: str = "latest") -> Image | None:
    """The image of a repository ARN (arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME), if it is one."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "ecr" or not parts[5].startswith("repository/"):
        return None
    name = parts[5].removeprefix("repository/")
    if not names.is_valid_name(name) or not check_account(parts[4]).ok or check_region(parts[3]).error:
        return None
    return Image(parts[4], parts[3], name, reference)


def parse_image(text: str) -> Image:
    """Read an image reference; raises ImageError naming what is wrong."""
    if len(text) > IMAGE_MAX:
        raise ImageError(f"image {quoted(text)} is longer than {IMAGE_MAX} characters. {ACCEPTED}")
    if has_control_characters(text):
        raise ImageError(f"image {quoted(text)} contains control characters (shown escaped). {ACCEPTED}")
    value = text.strip()
    if value.startswith(("http://", "https://")):
        raise ImageError(f"image {quoted(text)}: give it without the scheme, as docker does. {ACCEPTED}")
    if value.startswith("public.ecr.aws"):
        raise ImageError(
            f"image {quoted(text)} is in ECR Public (public.ecr.aws): anyone may pull it without IAM "
            f"permissions, and its registry alias does not say which account owns it. {ACCEPTED}"
        )
    host, slash, path = value.partition("/")
    match = _HOST.match(host)
    if not slash or match is None:
        raise ImageError(f"image {quoted(text)} does not name a private ECR registry host. {ACCEPTED}")
    region = _region(match, text)
    name, reference = _name_and_reference(path, text)
    return Image(match["account"], region, name, reference)


def _region(match: re.Match, text: str) -> str:
    checked = check_region(match["region"])
    if checked.error:
        raise ImageError(f"image {quoted(text)}: {checked.error}")
    china = regions.partition_for(checked.value).name == "aws-cn"
    if china != bool(match["china"]):
        suffix = "amazonaws.com.cn" if china else "amazonaws.com"
        raise ImageError(f"image {quoted(text)}: registries in {checked.value} end in .{suffix}. {ACCEPTED}")
    return checked.value


def _name_and_reference(path: str, text: str) -> tuple[str, str]:
    if "@" in path:
        name, _, reference = path.partition("@")
        if not _DIGEST.match(reference):
            raise ImageError(f"image {quoted(text)}: a digest is sha256: and 64 lowercase hex digits. {ACCEPTED}")
    else:
        name, _, reference = path.rpartition(":") if ":" in path else (path, "", "latest")
        if not _TAG.match(reference):
            raise ImageError(
                f"image {quoted(text)}: the tag {quoted(reference)} is not a tag (up to 128 letters, digits, '.', "
                f"'_' and '-', not starting with '.' or '-'). {ACCEPTED}"
            )
    problem = names.name_problem(name)
    if problem or names.is_pattern(name):
        reason = problem or "has a wildcard; an image names one repository"
        raise ImageError(f"image {quoted(text)}: repository {quoted(name)} {reason}. {ACCEPTED}")
    return name, reference
