"""`ecr-policy diagnose` (issue 17): the fix each real message gets, checked by tools nobody
here wrote (moto's IAM evaluator for identity policies, python-hcl2, cfn-lint, bash), equal to
what `generate` writes for the same answers; the answers when no policy of ours is the fix;
and hostile text staying inert and cheap.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import time
from pathlib import Path

import hcl2
import pytest
import yaml
from cfnlint.api import lint
from moto.iam.access_control import IAMPolicy, PermissionResult

from tests.conftest import FIXTURES, PROJECT_ROOT, run_cli
from tests.test_formats import _unquote, hcl_documents, normalize
from tests.test_untrusted import _terminal_safe
from wizard.core.catalog import CATALOG, action_for_registry_call
from wizard.core.diagnose import DiagnoseError, diagnose
from wizard.core.diagnose.fix import build_fix, plan_fix
from wizard.core.diagnose.message import MAX_ANCHORS, normalise, read_message
from wizard.core.limits import MESSAGE_BYTES
from wizard.core.policy import Kind, parse_policy
from wizard.core.policy.evaluate import Caller, Request, evaluate
from wizard.core.reference import known_actions

ERRORS = FIXTURES / "real" / "errors"
SEED = json.loads((FIXTURES / "seed_policy.json").read_text())
PULL = set(SEED["Statement"][1]["Action"])
PUSH = PULL | set(SEED["Statement"][2]["Action"])
LOGIN = "ecr:GetAuthorizationToken"
ALL_ECR = sorted(row.action for row in known_actions().values() if row.service == "ecr")
OWNER, CALLER = "210987654321", "123456789012"
ISSUE_EXAMPLE = (
    "denied: User: arn:aws:sts::111122223333:assumed-role/gha-deploy/GitHubActions is not authorized to perform: "
    "ecr:InitiateLayerUpload on resource: arn:aws:ecr:eu-west-2:111122223333:repository/app because no "
    "identity-based policy allows the ecr:InitiateLayerUpload action"
)


def _path(stem: str) -> Path:
    return next(ERRORS.glob(f"{stem}*.txt"))


def _meta(path: Path) -> dict:
    return json.loads(path.with_name(path.stem + ".meta.json").read_text())


# The fix for every message that names an action and a resource -----------------------------

REDACTED = {
    "ci-convox-1578": ["--account", OWNER],
    "ci-github-runner-ecr-login-232": ["--account", OWNER, "--principal", CALLER],
    "ci-jenkins-pipeline-aws-217": ["--account", OWNER, "--principal", CALLER],
    "lambda-ack-controller-1641": ["--account", OWNER, "--principal", CALLER],
    "ci-rules-oci-648": ["--repo", "my-app", "--region", "us-east-1", "--account", OWNER],
    "lambda-bedrock-gateway-127": ["--repo", "bedrock-proxy-api", "--region", "eu-north-1", "--account", OWNER],
}
"""What a user gives for what the message redacts (the flags the tool asks for)."""
CONFIRMED = {
    "ecs-codepipeline-cdk-29876": ["--side", "identity"],
    "ecs-fargate-bedrock-gateway-127": ["--side", "both", "--principal", CALLER],
    "eks-appmesh-eks-charts-1044": ["--side", "identity"],
    "eks-efs-csi-245": ["--side", "identity"],
    "eks-lbc-1736": ["--side", "identity"],
    "push-buildx-cht-core-9175": ["--side", "identity"],
}
"""Need-more messages with the side a user confirms after checking the first likely cause."""
FIXED = sorted(
    p
    for p in ERRORS.glob("*.txt")
    if _meta(p)["expected"]["side"] in ("identity", "repository", "both")
    or any(p.stem.startswith(key) for key in CONFIRMED)
)
"""Every message whose fix is a policy of ours (by its sidecar), and those a user confirms a side for."""


def _flags(path: Path) -> list[str]:
    return next((flags for key, flags in {**REDACTED, **CONFIRMED}.items() if path.stem.startswith(key)), [])


def _plan(path: Path, flags: list[str]):
    values = dict(zip(flags[::2], flags[1::2], strict=True))
    diagnosis = diagnose(path.read_text())
    answers = {
        "repositories": (values["--repo"],) if "--repo" in values else (),
        "region": values.get("--region"),
        "account": values.get("--account"),
        "principal": values.get("--principal"),
        "side": values.get("--side"),
    }
    return diagnosis, plan_fix(diagnosis, **answers)


@pytest.mark.parametrize("path", FIXED, ids=lambda p: p.stem)
def test_the_fix_allows_the_refused_call_and_nothing_beyond_the_workflow(path, tmp_path):
    flags = _flags(path)
    result = run_cli("diagnose", str(path), *flags, "--output", str(tmp_path / "fix.json"))
    assert result.returncode == 0, result.stderr
    assert "check: " in result.stderr and "does NOT allow" not in result.stderr
    diagnosis, plan = _plan(path, flags)
    assert _meta(path)["expected"]["side"] in ("identity", "repository", "both") or "--side" in flags
    texts = {
        document: (tmp_path / ("fix.json" if i == 0 else f"fix.{document}.json")).read_text()
        for i, document in enumerate(build_fix(diagnosis, plan).documents)
    }
    written = {document: json.loads(text) for document, text in texts.items()}
    needed = _needed(diagnosis, plan)
    if "identity" in written:
        _judge_identity_with_moto(written["identity"], diagnosis, plan, needed)
    if "repository" in written:
        _judge_repository_policy(written["repository"], diagnosis, plan, needed - {LOGIN})
    if plan.scope == "workflow":
        _equals_generate(texts, plan)


def _needed(diagnosis, plan) -> set[str]:
    if plan.scope == "login":
        return {LOGIN}
    if plan.scope == "action":
        return {diagnosis.action}
    return (PUSH if plan.intent.access.value == "push" else PULL) | {LOGIN}


def _target(diagnosis, plan) -> str:
    if diagnosis.resource and diagnosis.resource.startswith("arn:") and plan.intent.account in diagnosis.resource:
        return diagnosis.resource
    if plan.scope == "login":
        return f"arn:aws:ecr:us-east-1:{CALLER}:repository/any"
    return f"arn:aws:ecr:{plan.intent.region}:{plan.intent.account}:repository/{plan.intent.repositories[0]}"


def _judge_identity_with_moto(document: dict, diagnosis, plan, needed: set[str]) -> None:
    policy = IAMPolicy(json.dumps(document))
    target = _target(diagnosis, plan)
    permitted = {
        (action, resource)
        for resource in (target, "*")
        for action in ALL_ECR
        if policy.is_action_permitted(action, resource) is PermissionResult.PERMITTED
    }
    if diagnosis.action:
        refused = "*" if diagnosis.action == LOGIN else target
        assert (diagnosis.action, refused) in permitted, "the refused call is allowed"
    assert {action for action, _ in permitted} <= needed, "nothing beyond the workflow"
    assert {action for action, resource in permitted if resource == "*"} <= {LOGIN}
    if plan.scope == "workflow":
        workflow = PUSH if plan.intent.access.value == "push" else {"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}
        assert workflow <= {action for action, resource in permitted if resource == target}


def _judge_repository_policy(document: dict, diagnosis, plan, needed: set[str]) -> None:
    model = parse_policy(json.dumps(document), Kind.REPOSITORY).document
    if plan.intent.role.value == "lambda":
        caller = Caller.service("lambda.amazonaws.com")
    elif plan.intent.principal.startswith("arn:"):
        caller = Caller.role(plan.intent.principal)
    else:
        caller = Caller.account_principal(plan.intent.principal)
    allowed = {action for action in ALL_ECR if evaluate(model, Request(action, caller=caller)).allowed}
    assert allowed <= needed
    if diagnosis.action and diagnosis.action != LOGIN:
        assert diagnosis.action in allowed
    stranger = Caller.account_principal("999999999999")
    assert not any(evaluate(model, Request(action, caller=stranger)).allowed for action in ALL_ECR)


def _equals_generate(texts: dict, plan) -> None:
    """Byte for byte what `generate` writes for the same answers: the same builder."""
    intent = plan.intent
    flags = ["--role", intent.role.value, "--access", intent.access.value, "--region", intent.region]
    flags += ["--account", intent.account, *(f for name in intent.repositories for f in ("--repo", name))]
    if "principal" in plan.deployment:
        flags += ["--principal", plan.deployment["principal"]]
    if "function_account" in plan.deployment:
        flags += ["--function-account", plan.deployment["function_account"]]
    for document, text in texts.items():
        generated = run_cli("generate", *flags, "--document", document)
        assert generated.returncode == 0, generated.stderr
        assert generated.stdout == text


def test_the_issue_example_gives_the_reference_policy_on_stdout_and_the_diagnosis_on_stderr():
    result = run_cli("diagnose", ISSUE_EXAMPLE)
    assert result.returncode == 0
    seed = json.loads((FIXTURES / "seed_policy.json").read_text())
    expected = json.loads(
        json.dumps(seed).replace("us-east-1:123456789012:repository/my-app", "eu-west-2:111122223333:repository/app")
    )
    assert json.loads(result.stdout) == expected
    for line in (
        "who:    role 'gha-deploy' (session 'GitHubActions') in account 111122223333: looks like a CI pipeline",
        "on:     repository 'app' in account 111122223333, eu-west-2",
        "change: the identity policy of role 'gha-deploy' in account 111122223333",
        "where: Identity policy: attach to the role gha-deploy in account 111122223333 (an existing role).",
    ):
        assert line in result.stderr
    assert "check: the identity policy allows ecr:InitiateLayerUpload on " in result.stderr


def test_login_failures_get_the_login_statement_alone_and_repo_gives_the_whole_policy():
    path = _path("ci-buildkite-166")
    login = run_cli("diagnose", str(path))
    assert login.returncode == 0
    assert json.loads(login.stdout)["Statement"] == [SEED["Statement"][0]]
    whole = run_cli("diagnose", str(path), "--repo", "app", "--region", "us-east-1")
    assert whole.returncode == 0
    assert [s["Sid"] for s in json.loads(whole.stdout)["Statement"]] == ["AllowECRAuth", "AllowECRPull", "AllowECRPush"]
    iac = run_cli("diagnose", str(path), "--format", "terraform")
    assert iac.returncode == 2 and "error: --repo is needed" in iac.stderr and iac.stdout == ""


def test_an_action_outside_pull_and_push_gets_one_statement_on_the_refused_repository():
    result = run_cli("diagnose", str(_path("ci-github-actions-moj-10067")))
    assert result.returncode == 0
    (statement,) = json.loads(result.stdout)["Statement"]
    assert statement["Action"] == "ecr:DescribeImages"
    assert statement["Resource"].endswith(
        ":repository/moj-analytical-services/analytical-platform-airflow-python-example"
    )


# When no policy of ours is the fix ----------------------------------------------------------


@pytest.mark.parametrize(
    "stem, says",
    [
        ("scp-repost", "Ask the AWS Organizations administrators"),
        ("boundary-nebari", "Ask whoever manages IAM"),
        ("session-aws-sdk", "Whoever creates the session passes the session policy"),
        ("push-token-expired-ecs-bg", "Log in again just before the pull or push"),
        ("pull-token-expired-buildkite", "Log in again just before the pull or push"),
        ("docker-credential-helper-83", "docker has no credentials for"),
        ("eks-kops-16762", "the pause (sandbox) image"),
        ("push-starter-workflows-2647", "is an image URI, not a repository name: give the name alone ('myrepo')"),
        ("lambda-terraform-moj-2419", "Lambda needs the full image URI"),
        ("oidc-github-configure-aws-credentials", "the role's trust policy"),
    ],
)
def test_no_policy_of_ours_exits_1_and_says_what_to_do_or_whom_to_ask(stem, says):
    result = run_cli("diagnose", str(_path(stem)))
    assert result.returncode == 1 and result.stdout == ""
    assert says in result.stderr and "no fix written" in result.stderr


@pytest.mark.parametrize(
    "path", [p for p in sorted(ERRORS.glob("*.txt")) if _meta(p)["expected"]["need_more"]], ids=lambda p: p.stem
)
def test_need_more_never_writes_a_policy(path):
    result = run_cli("diagnose", str(path))
    assert result.stdout == ""
    assert result.returncode in (1, 2)
    assert "not enough to be sure" in result.stderr or "error: --" in result.stderr
    assert "likely causes, most likely first:\n  1. " in result.stderr


def test_side_cannot_turn_an_explicit_deny_into_an_allow():
    result = run_cli("diagnose", str(_path("login-aws-cli-5592")), "--side", "identity")
    assert result.returncode == 1 and result.stdout == ""
    assert "--side cannot change this diagnosis: an explicit Deny matches ecr:GetAuthorizationToken" in result.stderr


def test_a_message_that_is_not_about_ecr_is_refused_with_a_reason():
    result = run_cli("diagnose", "hello world")
    assert result.returncode == 2 and "nothing in this text looks like an error about ECR access" in result.stderr


def test_answers_that_point_elsewhere_are_built_but_flagged():
    result = run_cli("diagnose", ISSUE_EXAMPLE, "--repo", "other")
    assert result.returncode == 0
    assert "warning: the identity policy does NOT allow ecr:InitiateLayerUpload" in result.stderr
    assert "point elsewhere than the refused call" in result.stderr


# Every output format -------------------------------------------------------------------------


def test_every_format_for_an_identity_fix(tmp_path):
    example = _path("ci-github-actions-moj-7245")
    policy = json.loads(run_cli("diagnose", str(example)).stdout)
    terraform = run_cli("diagnose", str(example), "--format", "terraform")
    assert terraform.returncode == 0
    assert normalize(hcl_documents(terraform.stdout)["ecr_access"]) == normalize(policy)
    resources = {k: v for block in _unquote(hcl2.loads(terraform.stdout))["resource"] for k, v in block.items()}
    assert "aws_iam_role" not in resources, "the refused role exists: the fix attaches to it"
    cloudformation = run_cli("diagnose", str(example), "--format", "cloudformation")
    assert [m for m in lint(cloudformation.stdout) if m.rule.id.startswith("E")] == []
    template = yaml.safe_load(cloudformation.stdout)
    assert template["Parameters"]["RoleName"]["Default"] == "cloud-platform-ecr-e344de1fe05708ec-github"
    script = run_cli("diagnose", str(example), "--format", "aws-cli")
    assert subprocess.run(["bash", "-n"], input=script.stdout, text=True).returncode == 0
    assert 'ROLE_NAME="${ROLE_NAME:-cloud-platform-ecr-e344de1fe05708ec-github}"' in script.stdout
    pipeline = run_cli("diagnose", str(example), "--format", "ci-script")
    assert pipeline.returncode == 0 and "docker push" in pipeline.stdout
    assert subprocess.run(["bash", "-n"], input=pipeline.stdout, text=True).returncode == 0
    oidc = run_cli("diagnose", str(example), "--format", "github-actions")
    assert oidc.returncode == 2 and oidc.stdout == ""
    assert "needs --role ci with --trust github" in oidc.stderr and "use --format ci-script" in oidc.stderr


def test_every_format_for_a_cross_account_repository_fix(tmp_path):
    example = _path("ci-pytorch-137361")
    repository = json.loads(run_cli("diagnose", str(example)).stdout)
    assert repository["Statement"][0]["Principal"] == {
        "AWS": "arn:aws:iam::391835788720:role/ghci-lf-github-action-runners-runner-role"
    }
    identity = run_cli("diagnose", str(example), "--document", "identity")
    assert identity.returncode == 0 and json.loads(identity.stdout)["Statement"][0]["Sid"] == "AllowECRAuth"
    terraform = run_cli("diagnose", str(example), "--format", "terraform")
    assert normalize(hcl_documents(terraform.stdout)["repository"]) == normalize(repository)
    owner = run_cli("diagnose", str(example), "--format", "cloudformation", "--document", "repository")
    assert owner.returncode == 0 and [m for m in lint(owner.stdout) if m.rule.id.startswith("E")] == []
    script = run_cli("diagnose", str(example), "--format", "aws-cli")
    assert subprocess.run(["bash", "-n"], input=script.stdout, text=True).returncode == 0
    assert "set-repository-policy" in script.stdout


def test_both_sides_write_both_documents_and_stdout_names_the_second(tmp_path):
    example = _path("lambda-ack-controller-1641")
    flags = ["--account", OWNER, "--principal", CALLER]
    printed = run_cli("diagnose", str(example), *flags)
    assert printed.returncode == 0
    assert "note: the fix also needs the repository policy: --document repository prints it" in printed.stderr
    written = run_cli("diagnose", str(example), *flags, "-o", str(tmp_path / "fix.json"))
    assert written.returncode == 0
    repository = json.loads((tmp_path / "fix.repository.json").read_text())
    principals = [s["Principal"] for s in repository["Statement"]]
    assert {"AWS": f"arn:aws:iam::{CALLER}:root"} in principals and {"Service": "lambda.amazonaws.com"} in principals
    again = run_cli("diagnose", str(example), *flags, "-o", str(tmp_path / "fix.json"))
    assert again.returncode == 2 and "--force" in again.stderr


def test_iam_users_get_json_only():
    result = run_cli("diagnose", str(_path("ci-convox-1578")), "--account", OWNER, "--format", "terraform")
    assert result.returncode == 2 and "attach the policy to the user" in result.stderr
    placed = run_cli("diagnose", str(_path("ci-convox-1578")), "--account", OWNER)
    assert "attach to the IAM user 'convox/demo-somerackuser-KernelUser-3K3D5TRH7QYW'" in placed.stderr


# Reading the message -------------------------------------------------------------------------


def test_registry_requests_are_read_with_the_catalogs_call_map():
    for method, endpoint, name in (
        ("HEAD", "manifests", "ecr:BatchGetImage"),
        ("GET", "manifests", "ecr:BatchGetImage"),
        ("PUT", "manifests", "ecr:PutImage"),
        ("HEAD", "blobs", "ecr:BatchCheckLayerAvailability"),
        ("GET", "blobs", "ecr:GetDownloadUrlForLayer"),
        ("POST", "uploads", "ecr:InitiateLayerUpload"),
        ("PATCH", "uploads", "ecr:UploadLayerPart"),
        ("PUT", "uploads", "ecr:CompleteLayerUpload"),
    ):
        row = action_for_registry_call(method, endpoint)
        assert row.name == name
        assert any(call.method == method for call in CATALOG[name].calls.requests)
    assert action_for_registry_call("DELETE", "manifests") is None


SIMULATED_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-app:v1"
EVERY_ACTION = (LOGIN, *sorted(PUSH))


def _simulated_refusals():
    """What each client prints when one action is missing (the simulator's wordings, from the
    real corpus): the catalog's symptoms forwards, for diagnose to read backwards."""
    from wizard.core.simulate.engine import simulate
    from wizard.core.simulate.image import parse_image
    from wizard.core.simulate.operations import OPERATIONS
    from wizard.core.simulate.refusals import wording

    image = parse_image(SIMULATED_IMAGE)
    lambda_pulls = parse_policy(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                    }
                ],
            }
        ),
        Kind.REPOSITORY,
    ).document
    for operation in OPERATIONS:
        for missing in EVERY_ACTION:
            granted = [action for action in EVERY_ACTION if action not in (missing, LOGIN)]
            statements = [{"Effect": "Allow", "Action": granted, "Resource": image.arn}]
            if missing != LOGIN:
                statements.append({"Effect": "Allow", "Action": LOGIN, "Resource": "*"})
            identity = parse_policy(json.dumps({"Version": "2012-10-17", "Statement": statements})).document
            simulation = simulate(operation, image, identity, lambda_pulls)
            said = wording(simulation)
            if said is not None:
                yield operation, simulation.refusal.action, said.text


@pytest.mark.parametrize("operation, refused, text", list(_simulated_refusals()), ids=lambda v: str(v)[:40])
def test_every_refusal_the_simulator_words_is_read_back_to_its_action(operation, refused, text):
    diagnosis = diagnose(text)
    if diagnosis.action == refused:
        assert diagnosis.side in ("identity", "unknown")
    else:
        assert diagnosis.need_more and refused in diagnosis.likely_causes[0], (diagnosis.action, diagnosis.reason)


def test_every_catalog_symptom_is_one_a_real_message_shows():
    texts = " ".join(normalise(p.read_text()).lower() for p in ERRORS.glob("*.txt"))
    for row in CATALOG.values():
        for fragment in row.seen_as:
            assert fragment in texts, (row.name, fragment)


def test_messages_in_logs_read_the_same_as_bare_ones():
    coloured = f"\x1b[31m##[error]{ISSUE_EXAMPLE}\x1b[0m"
    escaped = json.dumps({"log": ISSUE_EXAMPLE.replace("because", "\nbecause")})
    wrapped = ISSUE_EXAMPLE.replace(" on resource: ", "\n   on resource: ")
    bare = diagnose(ISSUE_EXAMPLE)
    for text in (coloured, escaped, wrapped):
        other = diagnose(text)
        assert (other.principal_arn, other.action, other.resource, other.reason, other.side) == (
            bare.principal_arn,
            bare.action,
            bare.resource,
            bare.reason,
            bare.side,
        )


@pytest.mark.parametrize(
    "text, reason, side",
    [
        (
            "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: ecr:PutImage on resource: "
            "arn:aws:ecr:us-east-1:123456789012:repository/app with an explicit deny in an identity-based policy",
            "explicit-deny-identity",
            "identity",
        ),
        (
            "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: ecr:PutImage on resource: "
            "arn:aws:ecr:us-east-1:210987654321:repository/app with an explicit deny in a resource-based policy",
            "explicit-deny-resource",
            "repository",
        ),
        (
            "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: ecr:BatchGetImage on resource: "
            "arn:aws:ecr:us-east-1:123456789012:repository/app because no VPC endpoint policy allows the "
            "ecr:BatchGetImage action",
            "vpc-endpoint-policy",
            "none-of-ours",
        ),
        (
            "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: ecr:BatchGetImage on resource: "
            "arn:aws:ecr:us-east-1:210987654321:repository/app with an explicit deny in a resource control policy",
            "rcp",
            "none-of-ours",
        ),
        (
            "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: ecr:BatchGetImage on resource: "
            "arn:aws:ecr:us-east-1:210987654321:repository/app because no identity-based policy allows the "
            "ecr:BatchGetImage action",
            "no-identity-policy",
            "both",
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval "
            "failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): RequestError: "
            'send request failed caused by: Post "https://api.ecr.us-east-1.amazonaws.com/": dial tcp '
            "52.46.150.1:443: i/o timeout",
            "network",
            "none-of-ours",
        ),
        (
            "tag invalid: The image tag 'latest' already exists in the 'app' repository and cannot be overwritten "
            "because the repository is immutable.",
            "tag-immutable",
            "none-of-ours",
        ),
        ("toomanyrequests: Rate exceeded", "throttled", "none-of-ours"),
        ("denied: requested access to the resource is denied", "unknown", "unknown"),
        (
            "User: arn:aws:sts::111111111111:assumed-role/X/Y is not authorized to perform: sts:AssumeRole on "
            "resource: arn:aws:iam::222222222222:role/Z",
            "unknown",
            "trust",
        ),
    ],
)
def test_the_whole_grammar_of_refusals(text, reason, side):
    diagnosis = diagnose(text)
    assert (diagnosis.reason, diagnosis.side) == (reason, side)


def test_a_layer_403_points_at_the_layer_bucket_too():
    diagnosis = diagnose(
        "CannotPullContainerError: ref pull has been retried 1 time(s): failed to copy: httpReadSeeker: failed "
        "open: unexpected status code https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/app/blobs/sha256:"
        "abc: 403 Forbidden"
    )
    assert diagnosis.action == "ecr:GetDownloadUrlForLayer" and diagnosis.workload.value == "ecs"
    assert any("prod-REGION-starport-layer-bucket" in cause for cause in diagnosis.likely_causes)


# Hostile text ---------------------------------------------------------------------------------

OSC52 = "\x1b]52;c;cHduZWQ=\x07\x1b[2J"
HOSTILE_NAME = "\u202eevil[bold]x\u2066"


def test_hostile_values_reach_the_terminal_escaped():
    """Control sequences are dropped while reading; bidi characters and markup in a value are
    shown as escapes and as text."""
    text = OSC52 + ISSUE_EXAMPLE.replace("gha-deploy", f"gha-{HOSTILE_NAME}") + OSC52
    result = run_cli("diagnose", text)
    assert result.returncode == 0
    assert _terminal_safe(result.stderr + result.stdout), result.stderr
    assert "role 'gha-\\u202eevil[bold]x\\u2066' (session 'GitHubActions')" in result.stderr
    unknown = run_cli("diagnose", ISSUE_EXAMPLE.replace("repository/app", f"repository/{HOSTILE_NAME}"))
    assert _terminal_safe(unknown.stderr) and "\\u202e" in unknown.stderr
    assert unknown.returncode == 2 and "error: --repo is needed" in unknown.stderr


ADVERSARIAL = {
    "no spaces": "x" * MESSAGE_BYTES.size,
    "anchors": "User: a is not authorized to perform: ecr:X on resource: " * 1200,
    "hosts": "1.dkr.ecr." * 6500,
    "paths": "/v2/a/manifests/b " * 3600,
    "near misses": ("not authorized to perfor " + "arn:" * 8) * 1600,
    "deep escapes": "\\" * MESSAGE_BYTES.size,
    "brackets": ("User: " + "(" * 2040 + " is not authorized to perform: " + ")" * 2040 + " on resource: ") * 16,
    "quotes": ("User: " + "\"'<" * 680 + " is not authorized to perform: x:y on resource: arn:" + ">" * 2040) * 16,
}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_64_kib_of_adversarial_text_is_read_in_bounded_time(name):
    text = ADVERSARIAL[name][: MESSAGE_BYTES.size]
    started = time.perf_counter()
    clues = read_message(text)
    with contextlib.suppress(DiagnoseError):
        diagnose(text)
    # Generous: a catastrophic backtrack or a quadratic scan takes minutes here.
    assert time.perf_counter() - started < 5
    assert len(clues.denials) <= MAX_ANCHORS


def test_input_limits_and_unreadable_input(tmp_path):
    too_big = run_cli("diagnose", "-", stdin="x" * (MESSAGE_BYTES.size + 1))
    assert too_big.returncode == 2 and "larger than 65,536 bytes, the limit for an error message" in too_big.stderr
    binary = tmp_path / "error.bin"
    binary.write_bytes(b"\xff\xfe denied")
    unreadable = run_cli("diagnose", str(binary))
    assert unreadable.returncode == 2 and "is not UTF-8 text" in unreadable.stderr
    empty = run_cli("diagnose", "-", stdin=" \n")
    assert empty.returncode == 2 and "the message is empty" in empty.stderr
    unnamed = run_cli("diagnose", ISSUE_EXAMPLE, "-o", "")
    assert unnamed.returncode == 2 and "--output needs a file name" in unnamed.stderr and unnamed.stdout == ""
    piped = run_cli("diagnose", "-", stdin=ISSUE_EXAMPLE)
    assert piped.returncode == 0 and json.loads(piped.stdout)["Statement"][2]["Sid"] == "AllowECRPush"


# The README's example is the real output -----------------------------------------------------


def test_the_readme_diagnosis_is_what_the_tool_prints():
    readme = (PROJECT_ROOT / "README.md").read_text()
    section = readme.split("## Diagnosing an error message", 1)[1].split("\n## ", 1)[0]
    shown = section.split("```text\n", 1)[1].split("```", 1)[0]
    command, _, output = shown.partition("\n")
    assert command.startswith("$ ecr-policy diagnose ")
    result = run_cli("diagnose", ISSUE_EXAMPLE)
    assert output == result.stderr + result.stdout


# Real messages beyond the corpus (found after the tool was written) --------------------------

BEYOND = [
    (
        # https://github.com/OvertureMaps/overture-tiles/pull/20 (AWS Batch, message cut by the poster)
        "CannotPullECRContainerError: AccessDeniedException: User: arn:aws:sts::...:assumed-role/"
        "OvertureTilesCdkStack-OvertureTilesContainer... is not authorized to perform: ecr:GetAuthorizationToken on r",
        {"action": "ecr:GetAuthorizationToken", "side": "identity", "access_needed": "login", "workload": "ecs"},
    ),
    (
        # https://github.com/aws-amplify/amplify-category-api/issues/1255 (placeholders by the poster)
        "error pulling image configuration: download failed after attempts=1: \ndenied: User: "
        "arn:aws:sts::<accountId>:assumed-role/<role>/<session> is not authorized to perform: \n"
        "ecr:GetDownloadUrlForLayer on resource: \narn:aws:ecr:<region>:<account>:repository/<repoName> \n"
        "because no identity-based policy allows the ecr:GetDownloadUrlForLayer action",
        {"action": "ecr:GetDownloadUrlForLayer", "side": "identity", "access_needed": "pull", "resource": None},
    ),
    (
        # https://github.com/buildkite/elastic-ci-stack-for-aws/issues/193
        "An error occurred (AccessDeniedException) when calling the GetAuthorizationToken operation: User: "
        "arn:aws:sts::sdfsdfsd:assumed-role/buildkite-docker-builders-Role/i-sdfsdf is not authorized to perform: "
        "ecr:GetAuthorizationToken on resource: *",
        {"reason": "no-identity-policy", "side": "identity", "workload": "ci", "access_needed": "login"},
    ),
    (
        # https://github.com/coreos/coreos-kubernetes/issues/461
        'Error syncing pod, skipping: failed to "StartContainer" for "zre" with ErrImagePull: "API error (500): '
        "Get https://<account number>.dkr.ecr.eu-west-1.amazonaws.com/v2/zre/manifests/latest:\n no basic auth "
        'credentials\\n"',
        {"reason": "not-authenticated", "side": "unknown", "workload": "eks", "repository": "zre"},
    ),
]


@pytest.mark.parametrize("text, expected", BEYOND, ids=["batch", "amplify", "buildkite-193", "coreos-461"])
def test_real_messages_beyond_the_corpus(text, expected):
    diagnosis = diagnose(text)
    shown = {key: getattr(diagnosis, key) for key in expected}
    if "workload" in shown:
        shown["workload"] = diagnosis.workload.value if diagnosis.workload else "unknown"
    assert shown == expected


WORKFLOW_FIXES = [path for path in FIXED if _plan(path, _flags(path))[1].scope == "workflow"]
"""The wizard builds whole workflows; login-only and one-action fixes are the CLI's."""


@pytest.mark.parametrize("path", WORKFLOW_FIXES, ids=lambda p: p.stem)
def test_the_wizard_answers_for_a_fix_build_the_same_documents(path):
    """What the wizard is pre-filled with (item 3) builds the fix's documents, on the review step."""
    from wizard.core.diagnose.prefill import answers_for

    diagnosis, plan = _plan(path, _flags(path))
    fix = build_fix(diagnosis, plan)
    answers = answers_for(plan)
    preview = answers.preview()
    assert answers.first_incomplete_step() is None and preview.complete
    assert preview.bundle.identity.document == fix.identity.document
    repository = preview.bundle.repository.document if preview.bundle.repository else None
    assert repository == (fix.bundle.repository.document if fix.bundle.repository else None)
    assert preview.bundle.trust is None, "the refused role exists: no trust policy is created"


def test_a_dangerous_refused_action_is_granted_alone_and_with_a_caution():
    text = ISSUE_EXAMPLE.replace("ecr:InitiateLayerUpload", "ecr:DeleteRepository")
    result = run_cli("diagnose", text)
    assert result.returncode == 0
    assert [s["Action"] for s in json.loads(result.stdout)["Statement"]] == ["ecr:DeleteRepository"]
    assert "caution: ecr:DeleteRepository can delete images or repositories" in result.stderr
