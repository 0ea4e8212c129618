"""The AWS registries that serve the images of Amazon EKS's built-in add-ons, per region.

EKS nodes pull the images of the VPC CNI, kube-proxy and CoreDNS from an ECR registry that AWS
owns, one per region. A node role scoped to the user's repositories must also be allowed to
pull from that registry, or the nodes never become Ready. Source: the EKS user guide's table
(sources.EKS_ADDON_IMAGES), cross-checked against amazon-eks-ami's account mapping; the
table's ap-east-2 row names an ap-east-1 registry host, which looks like a typo there: the
mapping and GuardDuty's EKS agent page use ap-east-2, as this table does.
"""

from __future__ import annotations

from wizard.core import sources

SOURCE = sources.EKS_ADDON_IMAGES

_MOST_REGIONS = "602401143452"
EKS_ADDON_REGISTRY_ACCOUNTS: dict[str, str] = {
    "af-south-1": "877085696533",
    "ap-east-1": "800184023465",
    "ap-east-2": "533267051163",
    "ap-northeast-1": _MOST_REGIONS,
    "ap-northeast-2": _MOST_REGIONS,
    "ap-northeast-3": _MOST_REGIONS,
    "ap-south-1": _MOST_REGIONS,
    "ap-south-2": "900889452093",
    "ap-southeast-1": _MOST_REGIONS,
    "ap-southeast-2": _MOST_REGIONS,
    "ap-southeast-3": "296578399912",
    "ap-southeast-4": "491585149902",
    "ap-southeast-5": "151610086707",
    "ap-southeast-6": "333609536671",
    "ap-southeast-7": "121268973566",
    "ca-central-1": _MOST_REGIONS,
    "ca-west-1": "761377655185",
    "cn-north-1": "918309763551",
    "cn-northwest-1": "961992271922",
    "eu-central-1": _MOST_REGIONS,
    "eu-central-2": "900612956339",
    "eu-north-1": _MOST_REGIONS,
    "eu-south-1": "590381155156",
    "eu-south-2": "455263428931",
    "eu-west-1": _MOST_REGIONS,
    "eu-west-2": _MOST_REGIONS,
    "eu-west-3": _MOST_REGIONS,
    "il-central-1": "066635153087",
    "me-central-1": "759879836304",
    "me-south-1": "558608220178",
    "mx-central-1": "730335286997",
    "sa-east-1": _MOST_REGIONS,
    "us-east-1": _MOST_REGIONS,
    "us-east-2": _MOST_REGIONS,
    "us-gov-east-1": "151742754352",
    "us-gov-west-1": "013241004608",
    "us-west-1": _MOST_REGIONS,
    "us-west-2": _MOST_REGIONS,
}
"""Region -> the account of AWS's EKS add-on registry there."""


def addon_registry_account(region: str) -> str | None:
    """The account of the EKS add-on registry in `region`, or None when this table lacks it."""
    return EKS_ADDON_REGISTRY_ACCOUNTS.get(region)
