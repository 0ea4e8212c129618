"""IAM size limits: counting, splitting, compacting, checked with moto's evaluator too."""

from __future__ import annotations

import fnmatch
import itertools
import json
import re

import pytest
from moto.iam.access_control import IAMPolicy, PermissionResult

from tests.conftest import run_cli
from wizard.core import build_policy, make_request
from wizard.core.size import (
    PolicyKind,
    SizeError,
    Strategy,
    check_size,
    compact_policy,
    fit_policy,
    policy_size,
    split_policy,
)

ACCOUNT = "123456789012"
PULL = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
"""The seed's pull statement; a pull-only policy has the last two (the first is push's layer check)."""
PUSH = ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"]


def many(count: int, teams: int = 7) -> list[str]:
    return [f"team-{index % teams}/service-{index}" for index in range(count)]


def policy_for(repositories, access="push", role="ci"):
    return build_policy(make_request(role, repositories, "us-east-1", ACCOUNT, access).request)


def arn(name: str) -> str:
    return f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/{name}"


def test_size_is_counted_without_white_space(seed_policy):
    text = json.dumps(seed_policy, indent=4)
    # The seed's strings hold no spaces, so stripping every white-space character is IAM's count.
    assert policy_size(seed_policy) == len(re.sub(r"\s", "", text)) == 536


def test_a_small_policy_fits_and_a_large_one_does_not():
    assert check_size(policy_for(["my-app"])).fits
    big = check_size(policy_for(many(300)))
    assert not big.fits and big.limit == 6144
    assert "IAM's limit for a managed policy is 6,144" in big.describe()
    assert check_size(policy_for(many(60)), PolicyKind.INLINE).limit == 10240


@pytest.mark.parametrize("count", [120, 300, 1000])
@pytest.mark.parametrize("access", ["pull", "push"])
def test_split_parts_fit_keep_every_repository_in_order_and_stand_alone(count, access):
    names = many(count)
    parts = split_policy(policy_for(names, access))
    assert len(parts) > 1
    assert [name for part in parts for name in part.request.repositories] == names
    for part in parts:
        assert check_size(part).fits
        sids = [statement["Sid"] for statement in part.document["Statement"]]
        assert sids == (
            ["AllowECRAuth", "AllowECRPull", "AllowECRPush"] if access == "push" else ["AllowECRAuth", "AllowECRPull"]
        )
    # Parts are filled: none but the last could have taken the next repository.
    for part, following in itertools.pairwise(parts):
        grown = build_policy(
            part.request._replace(repositories=(*part.request.repositories, following.request.repositories[0]))
        )
        assert not check_size(grown).fits


def test_split_cannot_help_inline_policies():
    with pytest.raises(SizeError, match="count together"):
        split_policy(policy_for(many(300)), PolicyKind.INLINE)


def test_compaction_fits_and_lists_each_wildcard():
    names = many(300)
    compaction = compact_policy(policy_for(names))
    assert check_size(compaction.policy).fits
    patterns = [wildcard.pattern for wildcard in compaction.wildcards]
    assert patterns == [f"team-{team}/*" for team in range(7)]
    replaced = sorted(name for wildcard in compaction.wildcards for name in wildcard.replaces)
    assert replaced == sorted(names)
    assert "every repository in the namespace 'team-0/'" in compaction.wildcards[0].also_matches


def test_compaction_falls_back_to_prefixes_and_keeps_user_patterns():
    names = [f"frontend-service-{index:04d}" for index in range(200)] + ["backend-*", "db"]
    compaction = compact_policy(policy_for(names))
    assert check_size(compaction.policy).fits
    kept = compaction.policy.request.repositories
    assert "backend-*" in kept and "db" in kept
    assert all(fnmatch.fnmatchcase(name, next(p for p in kept if fnmatch.fnmatchcase(name, p))) for name in names)


def _allowed(documents: list[dict], resources: list[str]) -> set[tuple[str, str]]:
    evaluators = [IAMPolicy(json.dumps(document)) for document in documents]
    return {
        (action, resource)
        for action in ["ecr:GetAuthorizationToken", *PULL, *PUSH, "ecr:DeleteRepository", "ecr:ListImages"]
        for resource in resources
        if any(e.is_action_permitted(action, resource) == PermissionResult.PERMITTED for e in evaluators)
    }


@pytest.mark.parametrize("access", ["pull", "push"])
def test_oracle_split_parts_together_allow_exactly_the_original_policy(access):
    names = many(250)
    resources = [arn(name) for name in names] + [arn("team-0/other"), arn("team-9/service-1"), arn("service-1")]
    whole = policy_for(names, access)
    parts = split_policy(whole)
    assert _allowed([part.document for part in parts], resources) == _allowed([whole.document], resources)
    needed = PULL + PUSH if access == "push" else PULL[1:]
    expected = {(a, r) for a in needed for r in resources[:250]} | {("ecr:GetAuthorizationToken", r) for r in resources}
    assert _allowed([part.document for part in parts], resources) == expected


def test_oracle_compacted_policy_allows_the_originals_and_only_what_its_wildcards_reach():
    names = many(300)
    compaction = compact_policy(policy_for(names))
    patterns = [wildcard.pattern for wildcard in compaction.wildcards]
    others = ["team-0/brand-new", "team-3/a/b", "team-7/service-1", "teams/x", "service-1"]
    resources = [arn(name) for name in names + others]
    reached = {arn(n) for n in names + others if any(fnmatch.fnmatchcase(n, p) for p in patterns)}
    assert {arn(n) for n in names} <= reached, "nothing lost"
    assert reached - {arn(n) for n in names} == {arn("team-0/brand-new"), arn("team-3/a/b")}, "the accepted extras only"
    expected = {(a, r) for a in PULL + PUSH for r in reached} | {("ecr:GetAuthorizationToken", r) for r in resources}
    assert _allowed([compaction.policy.document], resources) == expected


def test_fit_policy_over_limit_until_a_way_is_chosen():
    policy = policy_for(many(300))
    assert fit_policy(policy).over_limit
    split = fit_policy(policy, strategy=Strategy.SPLIT)
    assert not split.over_limit and len(split.parts) == len(split_policy(policy))
    assert json.loads(split.text()) == split.documents
    compact = fit_policy(policy, strategy=Strategy.COMPACT)
    assert not compact.over_limit and json.loads(compact.text()) == compact.parts[0].document


def repo_args(names):
    return [argument for name in names for argument in ("--repo", name)]


def test_cli_over_limit_stops_with_size_limit_and_both_ways_out():
    result = run_cli("generate", "--role", "ci", *repo_args(many(300)), "--region", "us-east-1", "--account", ACCOUNT)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(
        "error: the policy is 40,410 characters (white space not counted); IAM's limit for a managed policy is 6,144."
    )
    assert "--split (8 managed policies, each under 6,144)" in result.stderr and "--compact" in result.stderr


def test_cli_split_to_stdout_and_to_numbered_files(tmp_path):
    base = ("generate", "--role", "ci", *repo_args(many(300)), "--region", "us-east-1", "--account", ACCOUNT, "--split")
    printed = run_cli(*base)
    documents = json.loads(printed.stdout)
    assert printed.returncode == 0 and len(documents) == 8
    assert "note: split into 8 policies, each under 6,144 characters" in printed.stderr
    written = run_cli(*base, "--output", str(tmp_path / "policy.json"))
    assert written.returncode == 0
    files = sorted(tmp_path.iterdir(), key=lambda path: int(path.stem.split("-")[-1]))
    assert [path.name for path in files] == [f"policy-{number}.json" for number in range(1, 9)]
    assert [json.loads(path.read_text()) for path in files] == documents
    again = run_cli(*base, "--output", str(tmp_path / "policy.json"))
    assert again.returncode == 2 and "already exist" in again.stderr and "nothing was written" in again.stderr


def test_cli_split_of_a_small_policy_is_an_array_of_one(seed_policy):
    result = run_cli(
        "generate", "--role", "ci", "--repo", "my-app", "--region", "us-east-1", "--account", ACCOUNT, "--split"
    )
    assert json.loads(result.stdout) == [seed_policy]


def test_cli_compact_reports_each_wildcard():
    result = run_cli(
        "generate", "--role", "ci", *repo_args(many(300)), "--region", "us-east-1", "--account", ACCOUNT, "--compact"
    )
    assert result.returncode == 0
    document = json.loads(result.stdout)
    assert policy_size(document) <= 6144
    assert "note: 'team-0/*' replaces team-0/service-0, team-0/service-7" in result.stderr
    assert "matches every repository in the namespace 'team-0/'" in result.stderr


def test_cli_inline_limit_and_split_together_explain_why_not():
    base = (
        "generate",
        "--role",
        "ci",
        *repo_args(many(300)),
        "--region",
        "us-east-1",
        "--account",
        ACCOUNT,
        "--limit",
        "inline",
    )
    refused = run_cli(*base)
    assert (
        refused.returncode == 2
        and "IAM's limit for a role's inline policies (all together) is 10,240" in refused.stderr
    )
    assert "--limit managed --split" in refused.stderr
    split = run_cli(*base, "--split")
    assert split.returncode == 2 and "splitting cannot help" in split.stderr
    mixed = run_cli(*base, "--split", "--compact")
    assert mixed.returncode == 2 and "not allowed with argument" in mixed.stderr
