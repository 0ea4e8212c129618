"""Issue 16 through the command line: `generate --format github-actions|gitlab-ci|buildspec|...`.

Run as a subprocess like a user would: the README's walk-through (GitHub Actions pushing
my-app) end to end, the usual save paths, refusals with a reason and exit status 2, nothing
written or replaced on a refusal.
"""

from __future__ import annotations

import json

import pytest

from tests.ci_helpers import (
    ACCOUNT,
    GitHubRun,
    assert_trust,
    github_audience,
    github_job_runs_in,
    github_provider,
    github_trigger_admits,
    load_yaml,
    single_job,
)
from tests.conftest import run_cli
from wizard.core.policy.evaluate import Caller

README_ANSWERS = (
    "generate",
    "--role",
    "ci",
    "--repo",
    "my-app",
    "--region",
    "us-east-1",
    "--account",
    ACCOUNT,
    "--trust",
    "github",
    "--github-repo",
    "my-org/my-app",
)


def test_readme_walkthrough_github_actions_pushing_my_app(tmp_path):
    """The README's steps: the trust policy, then the workflow saved where GitHub looks for it;
    the workflow's job presents a token the trust policy accepts."""
    trust = run_cli(*README_ANSWERS, "--document", "trust")
    assert trust.returncode == 0, trust.stderr
    written = run_cli(*README_ANSWERS, "--format", "github-actions", "--output", str(tmp_path))
    assert written.returncode == 0, written.stderr
    path = tmp_path / ".github" / "workflows" / "ecr-push.yml"
    assert f"wrote the github-actions file to {path}" in written.stderr
    assert written.stdout == ""
    workflow = load_yaml(path.read_text())
    job = single_job(workflow)
    run = GitHubRun("my-org/my-app", "push", "refs/heads/main")
    assert github_trigger_admits(workflow, "push", run.ref) and github_job_runs_in(job, run.repository)
    claims = {
        "token.actions.githubusercontent.com:sub": run.sub(),
        "token.actions.githubusercontent.com:aud": github_audience(job),
    }
    provider = Caller("Federated", github_provider("aws", ACCOUNT), None)
    assert_trust(json.loads(trust.stdout), provider, "sts:AssumeRoleWithWebIdentity", claims, True, "the README's job")
    dev = run._replace(ref="refs/heads/dev")
    assert not github_trigger_admits(workflow, "push", dev.ref)
    claims["token.actions.githubusercontent.com:sub"] = dev.sub()
    assert_trust(json.loads(trust.stdout), provider, "sts:AssumeRoleWithWebIdentity", claims, False, "a run on dev")


def test_stdout_gets_the_file_and_stderr_says_where_it_goes():
    result = run_cli(*README_ANSWERS, "--format", "github-actions")
    assert result.returncode == 0, result.stderr
    assert load_yaml(result.stdout)["name"] == "Push to Amazon ECR"
    assert "note: save it as .github/workflows/ecr-push.yml" in result.stderr


def test_an_existing_workflow_is_not_replaced_without_force(tmp_path):
    path = tmp_path / ".github" / "workflows" / "ecr-push.yml"
    path.parent.mkdir(parents=True)
    path.write_text("mine\n")
    refused = run_cli(*README_ANSWERS, "--format", "github-actions", "--output", str(tmp_path))
    assert refused.returncode == 2 and "already exists" in refused.stderr and "--force" in refused.stderr
    assert path.read_text() == "mine\n"
    forced = run_cli(*README_ANSWERS, "--format", "github-actions", "--output", str(tmp_path), "--force")
    assert forced.returncode == 0 and path.read_text().startswith("# GitHub Actions workflow")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--format", "gitlab-ci"), "--format github-actions"),
        (("--format", "github-actions", "--document", "trust"), "--document applies to --format json"),
        (("--format", "github-actions", "--github-branch", "main\nrelease"), "control characters"),
        (("--format", "github-actions", "--github-environment", "${{ secrets.TOKEN }}"), "expression"),
    ],
)
def test_refusals_say_why_and_exit_2(arguments, message, tmp_path):
    result = run_cli(*README_ANSWERS, *arguments, "--output", str(tmp_path))
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("error:") >= 1 and message in result.stderr
    assert "Traceback" not in result.stderr
    assert not any(tmp_path.iterdir())  # nothing written


def test_a_pipeline_needs_a_named_repository(tmp_path):
    answers = [argument if argument != "my-app" else "team-a/*" for argument in README_ANSWERS]
    result = run_cli(*answers, "--format", "github-actions", "--output", str(tmp_path))
    assert result.returncode == 2 and "error: --format github-actions: every repository is a pattern" in result.stderr
    assert "name at least one" in result.stderr and not any(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("arguments", "fmt", "path"),
    [
        (("--trust", "gitlab", "--gitlab-project", "g/p"), "gitlab-ci", ".gitlab-ci.yml"),
        (("--trust", "codebuild"), "buildspec", "buildspec.yml"),
        (("--trust", "ec2"), "ci-script", "ecr-push.sh"),
    ],
)
def test_each_ci_system_has_its_usual_path(arguments, fmt, path, tmp_path):
    answers = [
        argument
        for argument in README_ANSWERS
        if argument not in ("--trust", "github", "--github-repo", "my-org/my-app")
    ]
    result = run_cli(*answers, *arguments, "--format", fmt, "--output", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / path).is_file()


def test_ecs_task_definition_on_stdout_with_its_explanation_on_stderr():
    result = run_cli(
        "generate",
        "--role",
        "ecs",
        "--repo",
        "api",
        "--region",
        "eu-west-1",
        "--account",
        ACCOUNT,
        "--format",
        "ecs-task-definition",
    )
    assert result.returncode == 0, result.stderr
    definition = json.loads(result.stdout)
    assert definition["containerDefinitions"][0]["image"] == f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/api:latest"
    assert f"note: executionRoleArn is {definition['executionRoleArn']}" in result.stderr
    assert "register-task-definition" in result.stderr
