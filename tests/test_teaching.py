"""Teaching (issue 18): the lesson (item 6), the roles side by side (item 5) and the sentences a
teacher flagged (item 7)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from markdown_it import MarkdownIt

from tests.conftest import FIXTURES, run_cli
from tests.test_formats import run_script
from tests.test_untrusted import _terminal_safe, hostile_text, run_main
from wizard.core import build_policy, make_request
from wizard.core.catalog import CATALOG
from wizard.core.deploy import build_bundle, make_deployment
from wizard.core.describe import describe_principal
from wizard.core.documents import ACCOUNT_PRINCIPAL_WORDS
from wizard.core.lesson import TASKS, check_answer
from wizard.core.policy import Principal
from wizard.core.trust import TrustSource
from wizard.core.workloads import WORKLOADS, identity_summary, trust_principals

# -- item 6: the lesson ---------------------------------------------------------------------


def task(key: str):
    return next(t for t in TASKS if t.key == key)


def judged(key: str, answer: dict) -> tuple[bool, str]:
    passed, lines = check_answer(task(key), answer)
    return passed, "\n".join(lines)


def test_there_are_five_tasks_and_every_answer_passes():
    assert [t.number for t in TASKS] == [1, 2, 3, 4, 5]
    for each in TASKS:
        passed, text = judged(each.key, each.answer)
        assert passed, text
        assert "NOT YET" not in text and text.count("PASS") == len(each.goals)


@pytest.mark.parametrize(
    "key, explanation",
    [
        (
            "fix-push",
            [
                'error parsing HTTP 403 response body: unexpected end of JSON input: ""',
                "Add ecr:BatchCheckLayerAvailability to statement 2 (Pull)",
            ],
        ),
        (
            "narrow-star",
            ["other-app: it succeeds, but it must not", "delete images or repositories", "change who has access"],
        ),
        (
            "login",
            [
                "Cannot perform an interactive login from a non TTY device",
                "which never matches",
                "limited to a repository",
            ],
        ),
        (
            "cross-account",
            [
                "403 Forbidden",
                "does not allow the caller",
                '"Principal": {"AWS": "arn:aws:iam::210987654321:role/eks-node"}',
            ],
        ),
        ("lambda", ["read the image for any account's functions", "aws:sourceARN"]),
    ],
)
def test_every_starting_policy_fails_with_the_right_explanation(key, explanation):
    passed, text = judged(key, task(key).start)
    assert not passed and "NOT YET" in text
    for words in explanation:
        assert words in text, (words, text)


SEED_PUSH = json.loads((FIXTURES / "seed_policy.json").read_text())


@pytest.mark.parametrize(
    "key, answer, explanation",
    [
        # everything on the one repository: the push works, but far more is granted
        (
            "fix-push",
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
                    {
                        "Effect": "Allow",
                        "Action": "ecr:*",
                        "Resource": "arn:aws:ecr:us-east-1:123456789012:repository/my-app",
                    },
                ],
            },
            ["PASS  docker push of my-app works", "NOT YET  What the policy grants", "delete images or repositories"],
        ),
        # the right actions on every repository
        (
            "narrow-star",
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                        "Resource": "*",
                    }
                ],
            },
            ["PASS  An ECS task starting with my-app works", "NOT YET  An ECS task starting with other-app is refused"],
        ),
        # the token fixed, the layer download forgotten
        (
            "login",
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
                    {
                        "Effect": "Allow",
                        "Action": "ecr:BatchGetImage",
                        "Resource": "arn:aws:ecr:us-east-1:123456789012:repository/my-app",
                    },
                ],
            },
            ["fails at call 4 (ecr:GetDownloadUrlForLayer)", "error pulling image configuration"],
        ),
        # everyone may pull
        (
            "cross-account",
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}
                ],
            },
            [
                "PASS  The nodes of account 210987654321 pulling my-app works",
                "NOT YET  Nodes of account 111122223333 pulling my-app is refused",
            ],
        ),
        # the right account, but push too
        (
            "cross-account",
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"}, "Action": "ecr:*"}
                ],
            },
            ["NOT YET  What the repository policy grants", "push images"],
        ),
        # a condition naming the wrong account: even this account's function cannot be created
        (
            "lambda",
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                        "Condition": {
                            "StringLike": {"aws:sourceARN": "arn:aws:lambda:us-east-1:210987654321:function:*"}
                        },
                    }
                ],
            },
            ["NOT YET  CreateFunction from my-app works", "Lambda does not have permission to access the ECR image"],
        ),
    ],
)
def test_wrong_answers_fail_with_the_right_explanation(key, answer, explanation):
    passed, text = judged(key, answer)
    assert not passed
    for words in explanation:
        assert words in text, (words, text)


def test_the_lesson_from_the_command_line(tmp_path: Path):
    overview = run_cli("lesson")
    assert overview.returncode == 0 and all(f"{t.number}. {t.title}" in overview.stdout for t in TASKS)
    assert '"Statement"' not in overview.stdout, "no answers in the overview"
    reading = run_cli("lesson", "narrow-star")
    assert reading.returncode == 0 and '"Action": "ecr:*"' in reading.stdout
    assert "ecr:GetDownloadUrlForLayer" not in reading.stdout, "reading a task shows no answer"
    start = tmp_path / "task1.json"
    assert run_cli("lesson", "1", "--start", str(start)).returncode == 0
    assert run_cli("lesson", "1", "--start", str(start)).returncode == 2, "an edited file is never overwritten"
    first = run_cli("lesson", "1", "--check", str(start))
    assert first.returncode == 1 and "unexpected end of JSON input" in first.stdout and "Not yet" in first.stdout
    for each in TASKS:
        answer = run_cli("lesson", str(each.number), "--answer")
        assert answer.returncode == 0
        policy = answer.stdout.split("\n\n", 1)[1].rsplit("\n\n", 1)[0]
        checked = run_cli("lesson", str(each.number), "--check", "-", stdin=policy)
        assert checked.returncode == 0, checked.stdout
        assert "Every goal is met" in checked.stdout
    assert run_cli("lesson", "9").returncode == 2
    assert run_cli("lesson", "--answer").returncode == 2
    not_json = run_cli("lesson", "2", "--check", "-", stdin="{nope")
    assert not_json.returncode == 2 and not_json.stderr.startswith("error: stdin is not a policy")


# -- item 5: roles side by side -------------------------------------------------------------


def test_roles_show_every_workload_with_the_principals_generate_trusts():
    result = run_cli("roles")
    assert result.returncode == 0
    for workload in WORKLOADS:
        assert workload.title in result.stdout
    for principal in (
        "token.actions.githubusercontent.com",
        "codebuild.amazonaws.com",
        "ecs-tasks.amazonaws.com",
        "eks-fargate-pods.amazonaws.com",
        "pods.eks.amazonaws.com",
        "ec2.amazonaws.com",
    ):
        assert principal in result.stdout
    assert all(len(line) <= 78 or line.lstrip().startswith("Source: https://") for line in result.stdout.splitlines())


@pytest.mark.parametrize("workload", WORKLOADS, ids=lambda w: w.key)
def test_each_roles_row_is_what_generate_writes(workload):
    request = make_request(workload.role, ["my-app"], "us-east-1", "123456789012").request
    source = workload.trusts[0] if workload.trusts else None
    extra = {}
    if source is TrustSource.GITHUB:
        extra = {"github_repository": "my-org/my-app"}
    if source is TrustSource.GITLAB:
        extra = {"gitlab_project": "my-group/my-app"}
    if source is TrustSource.EKS_FARGATE:
        extra = {"cluster": "my-cluster"}
    deployment, _ = make_deployment(request, source.value if source else None, **extra)
    bundle = build_bundle(request, deployment)
    summary = identity_summary(workload)
    assert [line.split(":")[0] for line in summary] == [s.sid for s in bundle.identity.statements]
    for line, statement in zip(summary, bundle.identity.statements, strict=True):
        assert all(action.short_name in line for action in statement.actions)
    if bundle.trust is not None:
        (principal,) = bundle.trust.document["Statement"][0]["Principal"].values()
        assert principal.split("oidc-provider/")[-1] in trust_principals(workload)[0]
    else:
        assert workload.key == "lambda"
    assert (bundle.repository is not None) == (workload.key == "lambda"), "same account: only Lambda needs one"


def test_roles_as_a_markdown_table():
    result = run_cli("roles", "lambda", "eks-node", "--format", "markdown")
    assert result.returncode == 0
    tokens = MarkdownIt("commonmark").enable("table").parse(result.stdout)
    rows = [t for t in tokens if t.type == "tr_open"]
    assert len(rows) == 3
    assert run_cli("roles", "kubernetes").returncode == 2


# -- item 7: the sentences --------------------------------------------------------------------


def test_unexpected_end_of_json_is_dockers_message_wherever_docker_runs():
    without = CATALOG["ecr:BatchCheckLayerAvailability"].without
    assert "unexpected end of JSON input" in without and "docker's own" in without
    assert "GitHub Actions reports" not in without
    for row in CATALOG.values():
        assert "GitHub Actions reports" not in row.without


def test_root_principals_are_explained_the_same_way_everywhere():
    words = ACCOUNT_PRINCIPAL_WORDS.format(account="210987654321")
    assert describe_principal(Principal("AWS", "arn:aws:iam::210987654321:root")) == words
    request = make_request("eks", ["api"], "eu-west-1", "123456789012").request
    deployment, _ = make_deployment(request, principal="210987654321")
    explanation = " ".join(build_bundle(request, deployment).repository.explanation)
    assert "arn:aws:iam::210987654321:root is not the root user" in explanation and words in explanation
    lambda_request = make_request("lambda", ["fn"], "eu-west-1", "123456789012").request
    lambda_deployment, _ = make_deployment(lambda_request, function_account="210987654321")
    assert words in " ".join(build_bundle(lambda_request, lambda_deployment).repository.explanation)


CROSS = (
    "generate",
    "--role",
    "eks",
    "--repo",
    "api",
    "--region",
    "eu-west-1",
    "--account",
    "123456789012",
    "--principal",
    "210987654321",
)


def test_outputs_that_set_a_repository_policy_warn_that_it_replaces_the_one_in_place(tmp_path: Path):
    json_document = run_cli(*CROSS, "--document", "repository")
    assert json_document.returncode == 0 and "replaces the one in place" in json_document.stderr
    written = run_cli(*CROSS, "--output", str(tmp_path / "p.json"))
    assert "replaces the one in place" in written.stderr
    for output in ("terraform", "aws-cli"):
        text = run_cli(*CROSS, "--format", output).stdout
        assert "replaces the one in place" in text and "which replaces its current policy" in text
    owner = run_cli(*CROSS, "--format", "cloudformation", "--document", "repository").stdout
    assert "replaces" in owner
    same_account = run_cli(
        "generate",
        "--role",
        "lambda",
        "--repo",
        "fn",
        "--region",
        "eu-west-1",
        "--account",
        "123456789012",
        "--format",
        "cloudformation",
    )
    assert "replaces the one in place" in same_account.stdout
    pulls_only = run_cli(
        "generate", "--role", "ci", "--repo", "my-app", "--region", "us-east-1", "--account", "123456789012"
    )
    assert "replaces" not in pulls_only.stderr, "no repository policy, no warning"


def test_the_script_stops_rather_than_replace_a_repository_policy_in_place(tmp_path: Path):
    script = run_cli(*CROSS, "--format", "aws-cli").stdout
    calls = run_script(script, tmp_path, expect_status=1, REPOSITORY_POLICY_IN_PLACE="1")
    assert [call for call in calls if "set-repository-policy" in call] == []
    assert any("get-repository-policy" in call for call in calls)
    replaced = run_script(script, tmp_path, REPOSITORY_POLICY_IN_PLACE="1", REPLACE_REPOSITORY_POLICY="yes")
    assert any("set-repository-policy" in call for call in replaced)


def test_generated_policies_pass_their_own_simulation():
    """What generate writes for the seed request is what simulate says works (one evaluator)."""
    from wizard.core.policy import document_from_json
    from wizard.core.simulate.engine import simulate
    from wizard.core.simulate.image import parse_image

    policy = build_policy(make_request("ci", ["my-app"], "us-east-1", "123456789012").request)
    assert policy.document == SEED_PUSH
    image = parse_image("123456789012.dkr.ecr.us-east-1.amazonaws.com/my-app:v1")
    assert all(simulate(op, image, document_from_json(policy.document)).succeeded for op in ("push", "pull"))


def test_the_readme_teaching_section_shows_real_output():
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme.split("## Teaching with ecr-policy", 1)[1].split("\n## ", 1)[0]
    example = section.split("```text\n", 1)[1].split("```", 1)[0]
    command, ellipsis, *shown = example.splitlines()
    assert command.startswith("$ ecr-policy simulate policy.json push ") and ellipsis == "..."
    image = command.split()[-1]
    result = run_cli("simulate", str(FIXTURES / "bad" / "push-without-layer-check.json"), "push", image)
    assert result.returncode == 1
    assert "\n".join(shown) in result.stdout
    for command in (
        "ecr-policy roles",
        "ecr-policy lesson",
        "--format html -o handout.html",
        "--without ecr:BatchCheckLayerAvailability",
    ):
        assert command in section


def test_the_roles_help_names_every_workload():
    from wizard.cli.roles import WORKLOAD_KEYS

    assert WORKLOAD_KEYS.split(", ") == [workload.key for workload in WORKLOADS]


def test_a_hostile_answer_is_judged_and_shown_inert(tmp_path: Path):
    answer = task("fix-push").start
    hostile = json.loads(json.dumps(answer))
    hostile["Statement"][1]["Sid"] = "Pull\x1b]52;c;aGk=\x07\u202e"
    path = tmp_path / "answer.json"
    path.write_text(json.dumps(hostile))
    result = run_cli("lesson", "1", "--check", str(path))
    assert result.returncode == 1
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert "(Pull\\x1b]52;c;aGk=\\x07\\u202e)" in result.stdout


# -- hostile input through every new command ---------------------------------------------------

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-app:v1"


@settings(max_examples=40, deadline=None)
@given(sid=hostile_text, action=hostile_text, resource=hostile_text)
def test_no_control_character_reaches_the_terminal_from_the_teaching_commands(sid, action, resource):
    document = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": sid, "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
                {"Sid": sid, "Effect": "Allow", "Action": [action, "ecr:BatchGetImage"], "Resource": resource},
            ],
        }
    )
    for arguments, statuses in (
        (["simulate", "-", "pull", IMAGE], (0, 1)),
        (["simulate", "-", "pull", IMAGE, "--diagram", "--format", "json"], (0, 1)),
        (["explain", "-", "--without", "ecr:BatchGetImage"], (0, 2)),
        (["explain", "-", "--format", "markdown"], (0,)),
        (["lesson", "3", "--check", "-"], (1,)),
    ):
        status, out, err = run_main(arguments, stdin=document)
        assert status in statuses, (arguments, status, err)
        assert _terminal_safe(out + err), arguments


@pytest.mark.parametrize(
    "arguments", [["simulate", "/dev/zero", "pull", IMAGE], ["lesson", "1", "--check", "/dev/zero"]]
)
def test_reading_dev_zero_stops_at_the_stated_limit_in_the_teaching_commands(arguments):
    result = run_cli(*arguments)
    assert result.returncode == 2 and result.stdout == ""
    assert "the limit for a policy document" in result.stderr


def test_hostile_image_and_principal_arguments_are_shown_escaped():
    status, out, err = run_main(["simulate", "-", "pull", "x\x1b]52;c;AA\x07", "--as", "y\u202e"], stdin="{}")
    assert status == 2 and out == "" and _terminal_safe(err) and "\\x1b]52" in err
