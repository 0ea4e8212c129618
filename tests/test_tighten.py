"""`ecr-policy tighten` on real broad policies (tests/fixtures/real/broad) and AWS's managed
policies: the result is what `generate` gives for the same answers, checks clean, allows every
action the workflow needs, and nothing the original did not allow but the listed additions
(judged by moto's evaluator, which nobody here wrote)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from moto.iam.access_control import IAMPolicy, PermissionResult

from tests.conftest import FIXTURES, run_cli
from wizard.core.lint import check_text
from wizard.core.policy import Kind, parse_policy
from wizard.core.policy.evaluate import Caller, Request, evaluate
from wizard.core.reference import known_actions

BROAD = FIXTURES / "real" / "broad"
CASES = sorted(p for p in BROAD.glob("*.json") if not p.name.endswith(".meta.json"))
SEED = json.loads((FIXTURES / "seed_policy.json").read_text())
# Pulling needs BatchGetImage and GetDownloadUrlForLayer (ECR guide, ECR_on_ECS); the seed's
# pull statement also holds BatchCheckLayerAvailability, which docker push uses (issue 13, item 12).
PULL = set(SEED["Statement"][1]["Action"]) - {"ecr:BatchCheckLayerAvailability"}
PUSH = set(SEED["Statement"][1]["Action"]) | set(SEED["Statement"][2]["Action"])
ACCOUNT, REGION = "123456789012", "us-east-1"
ALL_ECR = sorted(row.action for row in known_actions().values() if row.service == "ecr")


def _meta(path: Path) -> dict:
    return json.loads(path.with_name(path.stem + ".meta.json").read_text())


def _answers(path: Path) -> tuple[list[str], dict]:
    """The flags a user gives for what the policy cannot tell (as the sidecar's intent says)."""
    intent = _meta(path)["expected_intent"]
    role = intent["role"] if intent["role"] != "unknown" else ("ci" if intent["access"] == "push" else "ecs")
    repositories = intent["repositories"] or ["my-app"]
    flags = ["--role", role, "--access", intent["access"], "--region", intent.get("region") or REGION]
    flags += ["--account", intent.get("account") or ACCOUNT]
    for name in repositories:
        flags += ["--repo", name.replace("_", "-")]
    if _meta(path)["kind"] == "repository" and role != "lambda":
        # A puller in another account; for lambda --principal names the deployer, whose account
        # becomes the function account (cross-account Lambda, issue 13 item 2): not asked here.
        flags += ["--principal", "210987654321"]
    return flags, {"role": role, "access": intent["access"], "repositories": repositories}


def _added(stderr: str) -> set[str]:
    return {line.split()[1] for line in stderr.splitlines() if line.strip().startswith("added ")}


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_tightened_equals_generate_checks_clean_and_allows_nothing_new(path):
    flags, _ = _answers(path)
    result = run_cli("tighten", str(path), *flags)
    assert result.returncode == 0, result.stderr
    tightened = json.loads(result.stdout)
    kind = _meta(path)["kind"]
    if kind == "repository":
        principal = ["--principal", "210987654321"] if "--principal" in flags else []
        generated = run_cli("generate", *flags[:8], *_repos(flags), *principal, "--document", "repository")
    else:
        generated = run_cli("generate", *_generate_flags(flags), *(["--public"] if kind == "public-identity" else []))
    assert generated.returncode == 0, generated.stderr
    assert result.stdout == generated.stdout, "byte-identical to generate for the same answers"
    assert check_text(result.stdout).findings == []
    original = path.read_text()
    added = _added(result.stderr)
    if kind == "repository":
        _judge_repository_policy(original, result.stdout, added)
    else:
        _judge_with_moto(original, tightened, added, flags)


def _repos(flags: list[str]) -> list[str]:
    return [value for key, value in itertools.pairwise(flags) if key == "--repo" for value in ("--repo", value)]


def _generate_flags(flags: list[str]) -> list[str]:
    keep = {"--role", "--access", "--region", "--account", "--repo"}
    out = []
    for key, value in zip(flags[::2], flags[1::2], strict=True):
        if key in keep:
            out += [key, value]
    return out


def _judge_with_moto(original: str, tightened: dict, added: set[str], flags: list[str]) -> None:
    before, after = IAMPolicy(original), IAMPolicy(json.dumps(tightened))
    resources = ["*"] + [
        r
        for s in tightened["Statement"]
        for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])
    ]
    for resource in set(resources):
        for action in ALL_ECR:
            if after.is_action_permitted(action, resource) is PermissionResult.PERMITTED and action not in added:
                assert before.is_action_permitted(action, resource) is PermissionResult.PERMITTED, (action, resource)
    access = flags[flags.index("--access") + 1]
    needed = PUSH if access == "push" else PULL
    repository = next(r for r in resources if r != "*")
    if ":ecr-public:" in repository:  # ECR Public: its own push actions; pulling needs none
        needed = {name.replace("ecr:", "ecr-public:") for name in PUSH - PULL} if access == "push" else set()
    for action in needed:
        assert after.is_action_permitted(action, repository) is PermissionResult.PERMITTED, action


def _judge_repository_policy(original: str, tightened: str, added: set[str]) -> None:
    before = parse_policy(original, Kind.REPOSITORY).document
    after = parse_policy(tightened, Kind.REPOSITORY).document
    caller = Caller.role("arn:aws:iam::210987654321:role/puller")
    for action in ALL_ECR:
        if evaluate(after, Request(action, caller=caller)).allowed and action not in added:
            assert evaluate(before, Request(action, caller=caller)).allowed, action


def test_the_power_user_policy_tightens_to_the_reference_policy():
    result = run_cli(
        "tighten", "AmazonEC2ContainerRegistryPowerUser", "--repo", "my-app", "--region", REGION, "--account", ACCOUNT
    )
    assert result.returncode == 0
    assert json.loads(result.stdout) == SEED
    assert result.stdout == (FIXTURES / "seed_policy.json").read_text()
    removed = [line.split()[1] for line in result.stderr.splitlines() if line.strip().startswith("removed ")]
    assert removed == [
        "ecr:GetRepositoryPolicy:",
        "ecr:DescribeRepositories:",
        "ecr:ListImages:",
        "ecr:DescribeImages:",
        "ecr:GetLifecyclePolicy:",
        "ecr:GetLifecyclePolicyPreview:",
        "ecr:ListTagsForResource:",
        "ecr:DescribeImageScanFindings:",
    ]
    assert "removed   ecr:DescribeRepositories: read metadata, not needed to push" in result.stderr
    assert "narrowed  * -> arn:aws:ecr:us-east-1:123456789012:repository/my-app" in result.stderr


def test_what_the_policy_cannot_tell_is_asked_for_not_guessed():
    result = run_cli("tighten", "AmazonEC2ContainerRegistryReadOnly")
    assert result.returncode == 2 and result.stdout == ""
    for flag in ("--role", "--repo", "--region", "--account"):
        assert f"error: {flag} is needed" in result.stderr


def test_full_access_lists_the_wildcard_and_admin_grants_it_removes():
    result = run_cli(
        "tighten", "AmazonEC2ContainerRegistryFullAccess", "--repo", "app", "--region", REGION, "--account", ACCOUNT
    )
    assert result.returncode == 0
    assert "removed   ecr:* (60 actions): replaced by the 8 of them push needs, by name" in result.stderr
    assert (
        "left-out  cloudtrail:LookupEvents" in result.stderr
        and "left-out  iam:CreateServiceLinkedRole" in result.stderr
    )


def test_statements_outside_ecr_are_kept_only_on_request():
    flags = ["--role", "ecs", "--repo", "api", "--region", REGION, "--account", ACCOUNT]
    left = run_cli("tighten", "AmazonECSTaskExecutionRolePolicy", *flags)
    assert "logs:" not in left.stdout and "left-out  logs:CreateLogStream, logs:PutLogEvents" in left.stderr
    kept = run_cli("tighten", "AmazonECSTaskExecutionRolePolicy", *flags, "--keep-other")
    statements = json.loads(kept.stdout)["Statement"]
    assert statements[-1] == {
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": "*",
    }
    assert "kept      logs:CreateLogStream, logs:PutLogEvents: outside ECR: copied unchanged" in kept.stderr


def test_diff_format_is_a_unified_diff_of_the_json(tmp_path):
    result = run_cli(
        "tighten",
        "AmazonEC2ContainerRegistryPowerUser",
        "--repo",
        "my-app",
        "--region",
        REGION,
        "--account",
        ACCOUNT,
        "--format",
        "diff",
    )
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "--- original" and lines[1] == "+++ tightened"
    assert '-        "ecr:DescribeRepositories",' in lines
    assert '+      "Sid": "AllowECRPush",' in lines


def test_a_trust_policy_is_refused_with_a_reason(tmp_path):
    trust = run_cli(
        "generate", "--role", "ecs", "--repo", "x1", "--region", REGION, "--account", ACCOUNT, "--document", "trust"
    )
    path = tmp_path / "trust.json"
    path.write_text(trust.stdout)
    result = run_cli("tighten", str(path))
    assert result.returncode == 2 and "a trust policy cannot be tightened here" in result.stderr


def corpus_figures() -> dict[str, int]:
    """For the closing note: policies tightened without a flag, with flags, actions removed."""
    full = flagged = removed = actions = 0
    for path in CASES:
        bare = run_cli("tighten", str(path))
        if bare.returncode == 0:
            full += 1
        else:
            flagged += 1
        flags, _ = _answers(path)
        result = run_cli("tighten", str(path), *flags)
        lines = [line.strip() for line in result.stderr.splitlines() if line.strip().startswith("removed ")]
        removed += len(lines)
        actions += sum(_actions_removed(line) for line in lines)
    return {
        "tightened without a flag": full,
        "needed a flag": flagged,
        "removed lines": removed,
        "ECR actions removed": actions,
    }


def _actions_removed(line: str) -> int:
    """'removed ecr:* (44 actions): replaced by the 8 of them ...' -> 36; one named action -> 1;
    '"*"' (every service) is counted in its ECR line already -> 0."""
    subject, _, reason = line.removeprefix("removed").strip().partition(": ")
    if subject == '"*"' or subject == "the whole repository policy":
        return 0
    if subject.endswith(" actions)"):
        total = int(subject.rsplit("(", 1)[1].split()[0])
        kept = int(reason.removeprefix("replaced by the ").split()[0])
        return total - kept
    return 1


if __name__ == "__main__":  # python -m tests.test_tighten: the corpus figures
    for name, count in corpus_figures().items():
        print(f"{name}: {count}")
