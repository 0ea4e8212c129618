"""Our region snapshot against botocore's endpoint data (an AWS-maintained source)."""

from __future__ import annotations

import json
from pathlib import Path

import botocore
import pytest

from wizard.core.regions import PARTITIONS, login_command, partition_for, registry_host


@pytest.fixture(scope="module")
def endpoint_partitions() -> dict:
    data = json.loads((Path(botocore.__file__).parent / "data" / "endpoints.json").read_text())
    return {partition["partition"]: partition for partition in data["partitions"]}


@pytest.mark.parametrize("partition", PARTITIONS, ids=lambda partition: partition.name)
def test_every_listed_region_has_an_ecr_endpoint(endpoint_partitions, partition):
    reference = endpoint_partitions[partition.name]
    assert reference["dnsSuffix"] == partition.dns_suffix
    ecr_endpoints = reference["services"]["api.ecr"]["endpoints"]
    for code, title in partition.regions.items():
        assert code in ecr_endpoints, f"{code} has no ECR endpoint"
        assert reference["regions"][code]["description"] == title


@pytest.mark.parametrize("partition", PARTITIONS, ids=lambda partition: partition.name)
def test_partition_is_derived_from_the_region_code(partition):
    for code in partition.regions:
        assert partition_for(code) is partition


def test_registry_host_and_login_command_per_partition():
    assert registry_host("123456789012", "us-east-1") == "123456789012.dkr.ecr.us-east-1.amazonaws.com"
    assert registry_host("123456789012", "cn-north-1") == "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn"
    assert login_command("066635153087", "eu-west-1") == (
        "aws ecr get-login-password --region eu-west-1 | docker login --username AWS "
        "--password-stdin 066635153087.dkr.ecr.eu-west-1.amazonaws.com"
    )
