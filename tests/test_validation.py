"""Validation: what is accepted, what is refused, and that every message is specific."""

from __future__ import annotations

import pytest

from wizard.core.names import glob_matches
from wizard.core.request import (
    Access,
    RequestError,
    Role,
    check_account,
    check_region,
    check_repositories,
    check_repository,
    make_request,
    shown_value,
)

VALID_NAMES = ["my-app", "ab", "team-a/api", "a.b_c-d", "a__b", "a---b", "x/y/z9", "0" * 256]


@pytest.mark.parametrize("name", VALID_NAMES)
def test_valid_repository_names_are_kept(name):
    check = check_repository(name)
    assert check.ok and check.value == name and check.warnings == ()


@pytest.mark.parametrize(
    "text, expected_reason",
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("a", "at least 2"),
        ("0" * 257, "257 characters long"),
        ("My-App", "lowercase: 'my-app'"),
        ("my app", "white space"),
        ("my-app:latest", "IAM cannot restrict access by tag, so name the repository only: 'my-app'"),
        ("my-app@sha256:abc", "name the repository only: 'my-app'"),
        (
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:v1",
            "image URI, not a repository name; use 'team/app'",
        ),
        ("arn:aws:ecr:us-east-1:123456789012:repository/my-app", "ARN, not a repository name; use 'my-app'"),
        ("my_app!", "cannot contain: '!'"),
        ("/app", "starts or ends with '/'"),
        ("team//app", "empty namespace"),
        ("-app", "starts or ends with '.', '_' or '-'"),
        ("team/app.", "part 'app.'"),
        ("a.-b", "separators in a row"),
        ("a___b", "separators in a row"),
        ("?", "one-character names"),
        ("app*.", "can match no valid repository name"),
    ],
)
def test_invalid_repository_names_get_specific_messages(text, expected_reason):
    check = check_repository(text)
    assert not check.ok and check.value is None
    message = str(check.error)
    assert message.startswith("repository")
    assert expected_reason in message
    assert "Accepted: 2-256 lowercase" in message
    if text.strip():
        assert shown_value(text.strip()) in message, "the message names the bad value"
        assert len(message) < 600, "long values are shortened"


@pytest.mark.parametrize(
    "pattern, expected",
    [
        ("*", "every repository in the account and region"),
        ("team-a/*", "every repository in the namespace 'team-a/', nested ones too"),
        ("my-app*", "'my-app-legacy', 'my-app/team/api'"),
        ("*-prod", "'legacy-prod', 'team/api-prod'"),
        ("app-v?", "'?' matches exactly one character"),
    ],
)
def test_wildcards_are_accepted_with_a_warning_of_what_else_they_match(pattern, expected):
    check = check_repository(pattern)
    assert check.ok and check.value == pattern
    assert len(check.warnings) == 1 and expected in str(check.warnings[0])


def test_duplicates_collapse_and_covered_names_are_noted():
    kept, errors, warnings = check_repositories(["api", " api ", "team/*", "team/web", "web"])
    assert kept == ["api", "team/*", "team/web", "web"]
    assert errors == []
    texts = [str(warning) for warning in warnings]
    assert any("'api': is listed more than once" in text for text in texts)
    assert any("'team/web': is already covered by the pattern 'team/*'" in text for text in texts)


def test_an_empty_repository_list_is_an_error():
    _, errors, _ = check_repositories([])
    assert [str(error).split(":")[0] for error in errors] == ["repositories"]


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-2", "cn-north-1", "us-gov-west-1", " US-EAST-1 "])
def test_known_regions(region):
    check = check_region(region)
    assert check.ok and check.value == region.strip().lower() and check.warnings == ()


def test_unknown_but_well_formed_region_is_accepted_with_a_warning():
    check = check_region("ap-southeast-9")
    assert check.ok and check.value == "ap-southeast-9"
    assert "not in this tool's region list" in str(check.warnings[0])
    assert "partition aws" in str(check.warnings[0])
    china = check_region("cn-south-3")
    assert china.ok and "partition aws-cn" in str(china.warnings[0])


@pytest.mark.parametrize(
    "region, reason",
    [
        ("", "is empty"),
        ("us-east-1a", "availability zone; use its region 'us-east-1'"),
        ("useast1", "is not a region code"),
        ("us_east_1", "is not a region code"),
        ("N. Virginia", "is not a region code"),
        ("us-iso-east-1", "isolated (ISO) partition"),
        ("eusc-de-east-1", "European Sovereign Cloud"),
    ],
)
def test_bad_regions(region, reason):
    check = check_region(region)
    assert not check.ok and reason in str(check.error)
    assert str(check.error).startswith("region")


@pytest.mark.parametrize(
    "account, expected",
    [("066635153087", "066635153087"), ("1234-5678-9012", "123456789012"), (" 123456789012 ", "123456789012")],
)
def test_accounts_are_twelve_digit_strings(account, expected):
    check = check_account(account)
    assert check.ok and check.value == expected and isinstance(check.value, str)


@pytest.mark.parametrize(
    "account, reason",
    [
        ("", "is empty"),
        ("12345", "has 5 digits, not 12"),
        ("1234567890123", "13 digits"),
        ("12345678901x", "digits only"),
        ("arn:aws:iam::123456789012:root", "is an ARN"),
        ("１２３４５６７８９０１２", "digits only"),
    ],
)
def test_bad_accounts(account, reason):
    check = check_account(account)
    assert not check.ok and reason in str(check.error)
    assert "Accepted: exactly 12 digits" in str(check.error)


def test_default_access_follows_the_role():
    defaults = {role: make_request(role, ["app"], "us-east-1", "123456789012").request.access for role in Role}
    assert defaults == {Role.CI: Access.PUSH, Role.ECS: Access.PULL, Role.EKS: Access.PULL, Role.LAMBDA: Access.PULL}
    assert make_request("ecs", ["app"], "us-east-1", "123456789012", access="push").request.access is Access.PUSH


def test_make_request_reports_every_problem_at_once():
    with pytest.raises(RequestError) as raised:
        make_request("robot", ["Bad", "good"], "mars-1", "12", access="delete")
    fields = [error.field for error in raised.value.errors]
    assert fields == ["role", "access", "repository", "region", "account"]
    assert "Accepted: ci, ecs, eks, lambda" in str(raised.value)


def test_glob_matching_follows_iam_rules():
    assert glob_matches("team/*", "team/a/b")
    assert glob_matches("app*", "app-legacy")
    assert glob_matches("app-v?", "app-v2") and not glob_matches("app-v?", "app-v10")
    assert not glob_matches("my.app", "myxapp"), "'.' is literal, not a regex wildcard"
