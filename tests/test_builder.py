"""The builder: the seed policy exactly, and the shape rules every policy keeps."""

from __future__ import annotations

import json
import re

import pytest

from wizard.core import Access, Role, build_policy, make_request


def build(role="ci", repositories=("my-app",), region="us-east-1", account="123456789012", access=None):
    return build_policy(make_request(role, repositories, region, account, access).request)


def test_ci_push_to_one_repository_is_exactly_the_seed(seed_policy):
    policy = build()
    assert policy.document == seed_policy
    # Same key order as the seed, too: people diff these.
    assert json.loads(policy.to_json()) == seed_policy
    assert list(policy.document["Statement"][1]) == ["Sid", "Effect", "Action", "Resource"]


def test_rendering_is_two_space_json_with_a_final_newline():
    text = build().to_json()
    assert text.endswith("}\n")
    assert '\n  "Statement": [\n    {\n      "Sid": "AllowECRAuth",' in text


def test_pull_only_grants_the_two_documented_pull_actions_without_the_layer_check(seed_policy):
    # AWS documents pulling with BatchGetImage and GetDownloadUrlForLayer (ECR_on_ECS,
    # AmazonEC2ContainerRegistryPullOnly); BatchCheckLayerAvailability is docker push's layer check.
    auth, pull = build(access="pull").document["Statement"]
    assert auth == seed_policy["Statement"][0]
    assert pull == {**seed_policy["Statement"][1], "Action": ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]}


def test_several_repositories_become_a_resource_list():
    policy = build(repositories=["api", "team-a/*"], region="eu-west-1")
    pull = policy.document["Statement"][1]
    assert pull["Resource"] == [
        "arn:aws:ecr:eu-west-1:123456789012:repository/api",
        "arn:aws:ecr:eu-west-1:123456789012:repository/team-a/*",
    ]
    assert policy.document["Statement"][2]["Resource"] == pull["Resource"]


@pytest.mark.parametrize(
    "region, partition", [("cn-northwest-1", "aws-cn"), ("us-gov-east-1", "aws-us-gov"), ("sa-east-1", "aws")]
)
def test_partition_follows_the_region(region, partition):
    resource = build(region=region).document["Statement"][1]["Resource"]
    assert resource == f"arn:{partition}:ecr:{region}:123456789012:repository/my-app"


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("access", list(Access))
def test_shape_rules_hold_for_every_role_and_access(role, access):
    policy = build(role=role, access=access, repositories=["a1", "b2/*", "c3"])
    document = policy.document
    assert document["Version"] == "2012-10-17"
    sids = [statement["Sid"] for statement in document["Statement"]]
    assert len(set(sids)) == len(sids) and all(re.fullmatch(r"[0-9A-Za-z]+", sid) for sid in sids)
    for statement in document["Statement"]:
        assert statement["Effect"] == "Allow" and "Principal" not in statement
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        if statement["Sid"] == "AllowEKSAddonImages":
            # AWS's add-on registry of the region: every repository there, pull only.
            assert role is Role.EKS and statement["Resource"] == "arn:aws:ecr:us-east-1:602401143452:repository/*"
            assert sorted(actions) == ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
        elif statement["Resource"] == "*":
            assert actions == ["ecr:GetAuthorizationToken"], "only the token action may be on '*'"
        else:
            assert "ecr:GetAuthorizationToken" not in actions
            assert "*" not in statement["Resource"]


def test_explanations_sit_beside_the_json_not_inside_it():
    policy = build()
    assert [statement.sid for statement in policy.statements] == ["AllowECRAuth", "AllowECRPull", "AllowECRPush"]
    auth = policy.statements[0]
    assert 'only "Resource": "*"' in auth.scope_note
    assert "123456789012" in policy.statements[1].summary
    for statement in policy.document["Statement"]:
        assert set(statement) == {"Sid", "Effect", "Action", "Resource"}


def test_sids_are_stable_across_requests():
    first = [statement["Sid"] for statement in build(repositories=["x1"]).document["Statement"]]
    second = [
        statement["Sid"] for statement in build(repositories=["y2", "z3"], region="eu-west-3").document["Statement"]
    ]
    assert first == second == ["AllowECRAuth", "AllowECRPull", "AllowECRPush"]
