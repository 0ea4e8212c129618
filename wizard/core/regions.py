"""AWS partitions and the regions where ECR runs.

The list is a snapshot (checked in the tests against botocore's endpoint data); AWS opens new
regions every year, so a well-formed region that is missing here is accepted with a warning
rather than refused.
"""

from __future__ import annotations

import os
import re
from collections import namedtuple
from collections.abc import Mapping


class Partition(namedtuple("Partition", "name title dns_suffix regions")):
    """An AWS partition: name is the ARN segment (aws, aws-cn, aws-us-gov); dns_suffix ends
    the registry host (amazonaws.com.cn in China); regions maps code -> display name."""

    __slots__ = ()


PARTITIONS: tuple[Partition, ...] = (
    Partition(
        name="aws",
        title="AWS (commercial)",
        dns_suffix="amazonaws.com",
        regions={
            "us-east-1": "US East (N. Virginia)",
            "us-east-2": "US East (Ohio)",
            "us-west-1": "US West (N. California)",
            "us-west-2": "US West (Oregon)",
            "af-south-1": "Africa (Cape Town)",
            "ap-east-1": "Asia Pacific (Hong Kong)",
            "ap-east-2": "Asia Pacific (Taipei)",
            "ap-northeast-1": "Asia Pacific (Tokyo)",
            "ap-northeast-2": "Asia Pacific (Seoul)",
            "ap-northeast-3": "Asia Pacific (Osaka)",
            "ap-south-1": "Asia Pacific (Mumbai)",
            "ap-south-2": "Asia Pacific (Hyderabad)",
            "ap-southeast-1": "Asia Pacific (Singapore)",
            "ap-southeast-2": "Asia Pacific (Sydney)",
            "ap-southeast-3": "Asia Pacific (Jakarta)",
            "ap-southeast-4": "Asia Pacific (Melbourne)",
            "ap-southeast-5": "Asia Pacific (Malaysia)",
            "ap-southeast-6": "Asia Pacific (New Zealand)",
            "ap-southeast-7": "Asia Pacific (Thailand)",
            "ca-central-1": "Canada (Central)",
            "ca-west-1": "Canada West (Calgary)",
            "eu-central-1": "Europe (Frankfurt)",
            "eu-central-2": "Europe (Zurich)",
            "eu-north-1": "Europe (Stockholm)",
            "eu-south-1": "Europe (Milan)",
            "eu-south-2": "Europe (Spain)",
            "eu-west-1": "Europe (Ireland)",
            "eu-west-2": "Europe (London)",
            "eu-west-3": "Europe (Paris)",
            "il-central-1": "Israel (Tel Aviv)",
            "me-central-1": "Middle East (UAE)",
            "me-south-1": "Middle East (Bahrain)",
            "mx-central-1": "Mexico (Central)",
            "sa-east-1": "South America (Sao Paulo)",
        },
    ),
    Partition(
        name="aws-cn",
        title="AWS China",
        dns_suffix="amazonaws.com.cn",
        regions={
            "cn-north-1": "China (Beijing)",
            "cn-northwest-1": "China (Ningxia)",
        },
    ),
    Partition(
        name="aws-us-gov",
        title="AWS GovCloud (US)",
        dns_suffix="amazonaws.com",
        regions={
            "us-gov-east-1": "AWS GovCloud (US-East)",
            "us-gov-west-1": "AWS GovCloud (US-West)",
        },
    ),
)

PARTITION_BY_NAME = {partition.name: partition for partition in PARTITIONS}
KNOWN_REGIONS: dict[str, str] = {code: title for partition in PARTITIONS for code, title in partition.regions.items()}
"""Every region this snapshot knows, code -> display name."""

REGION_SYNTAX = re.compile(r"^[a-z]{2,4}(?:-[a-z]+)+-[0-9]{1,2}$")
"""Shape of a region code: us-east-1, ap-southeast-7, us-gov-west-1."""

# Partitions the wizard does not produce ARNs for: their region prefixes, and why.
UNSUPPORTED_REGION_PREFIXES = (
    ("us-iso", "an isolated (ISO) partition"),
    ("eu-iso", "an isolated (ISO) partition"),
    ("eusc-", "the AWS European Sovereign Cloud partition (aws-eusc)"),
)


def search_regions(text: str) -> list[str]:
    """Region codes matching a search such as "frank" or "asia seoul", in list order: every
    word must appear in the code or the name. The wizard and the plain prompts both use it."""
    words = text.lower().split()
    return [code for code, title in KNOWN_REGIONS.items() if all(word in f"{code} {title}".lower() for word in words)]


def partition_for(region: str) -> Partition:
    """The partition a well-formed, supported region belongs to."""
    if region.startswith("cn-"):
        return PARTITION_BY_NAME["aws-cn"]
    if region.startswith("us-gov-"):
        return PARTITION_BY_NAME["aws-us-gov"]
    return PARTITION_BY_NAME["aws"]


def unsupported_partition(region: str) -> str | None:
    """Why a region is refused although well-formed, or None."""
    for prefix, what in UNSUPPORTED_REGION_PREFIXES:
        if region.startswith(prefix):
            return what
    return None


def registry_host(account: str, region: str) -> str:
    """The private registry's host name, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com."""
    return f"{account}.dkr.ecr.{region}.{partition_for(region).dns_suffix}"


def login_command(account: str, region: str) -> str:
    """The documented `docker login` pipeline for a private registry."""
    return (
        f"aws ecr get-login-password --region {region} | docker login --username AWS "
        f"--password-stdin {registry_host(account, region)}"
    )


def region_from_environment(environ: Mapping[str, str] = os.environ) -> str | None:
    """The default region the way the AWS CLI finds it: AWS_REGION, then AWS_DEFAULT_REGION."""
    return environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or None


PUBLIC_LOGIN_COMMAND = (
    "aws ecr-public get-login-password --region us-east-1 | docker login --username AWS --password-stdin public.ecr.aws"
)
