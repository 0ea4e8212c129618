"""Issue 16: the CI configuration that uses the role matches the trust policy exactly.

For every trust choice the generated file is validated by tools made for the job
(check-jsonschema's vendored SchemaStore schemas vendor.github-workflows and vendor.gitlab-ci,
zizmor offline with its pedantic persona, shellcheck, botocore's service models), and the
claims its job would present, computed from the file and the CI system's documented claim
format (tests/ci_helpers.py), are evaluated against the generated trust policy: allowed for
the generated job, refused for a near miss (another branch, another repository, an
environment that is not trusted, a missing aud).

Who judges: moto's IAM evaluator wherever the trust policy uses StringEquals only (exact sub,
aud, aws:SourceAccount); it ignores StringLike and ArnLike and never checks a Federated or
Service principal, so for wildcard subs, Fargate's ArnLike and principals our evaluator
(wizard/core/policy/evaluate.py) alone decides. `assert_trust` applies both where both can.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import namedtuple
from pathlib import Path

import pytest
import yaml

from tests.ci_helpers import (
    ACCOUNT,
    OTHER,
    PULL_ACTIONS,
    PUSH_ACTIONS,
    GitHubRun,
    assert_trust,
    fake_tools,
    github_audience,
    github_job_runs_in,
    github_provider,
    github_trigger_admits,
    gitlab_rules_admit,
    gitlab_sub,
    identity_allows,
    load_yaml,
    make_bundle,
    moto_can_judge,
    repository_arn,
    run_shell,
    single_job,
)
from wizard.core.ci import CI_FORMATS, CIError, ci_formats, render_ci, unfit_reason
from wizard.core.ci.actions import PINNED_ACTIONS
from wizard.core.policy.evaluate import Caller

TOOLS = Path(sys.executable).parent
ASSUME_WEB = "sts:AssumeRoleWithWebIdentity"


def tool(name: str) -> str:
    path = shutil.which(name, path=str(TOOLS)) or shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (it comes with the test extra)")
    return path


# -- the GitHub matrix ---------------------------------------------------------------------


class GitHubCase(
    namedtuple(
        "GitHubCase", "request deployment run other_ref other_environment", defaults=("refs/heads/dev", "staging")
    )
):
    """request/deployment: make_bundle's arguments; run: a run the trust admits; other_ref: a
    ref whose run the trust refuses, other_environment: an environment it refuses (None when
    the trust admits every ref or environment)."""

    __slots__ = ()


GITHUB = {
    "branch-main": GitHubCase(
        {}, dict(github_repository="my-org/my-app"), GitHubRun("my-org/my-app", "push", "refs/heads/main")
    ),
    "branch-special-characters": GitHubCase(
        {},
        dict(github_repository="my-org/my-app", github_branch="release/v1+hot[fix]!"),
        GitHubRun("my-org/my-app", "push", "refs/heads/release/v1+hot[fix]!"),
        "refs/heads/release/v11hotfix",
    ),
    "tag-pattern": GitHubCase(
        {},
        dict(github_repository="my-org/my-app", github_tag="v*"),
        GitHubRun("my-org/my-app", "push", "refs/tags/v1.2.3"),
        "refs/heads/main",
    ),
    "environment": GitHubCase(
        {},
        dict(github_repository="my-org/my-app", github_environment="production"),
        GitHubRun("my-org/my-app", "push", "refs/heads/main", "production"),
        None,
    ),
    "exact-sub-pull-request": GitHubCase(
        {},
        dict(github_sub="repo:my-org/my-app:pull_request"),
        GitHubRun("my-org/my-app", "pull_request", "refs/pull/7/merge"),
        None,
    ),
    "organisation": GitHubCase(
        {},
        dict(github_sub="repo:my-org/*"),
        GitHubRun("my-org/another-app", "push", "refs/heads/feature/x"),
        None,
        None,
    ),
    "pull-only": GitHubCase(
        dict(access="pull"),
        dict(github_repository="my-org/my-app"),
        GitHubRun("my-org/my-app", "push", "refs/heads/main"),
    ),
    "two-repositories": GitHubCase(
        dict(repositories=("my-app", "team-a/api", "team-a/*")),
        dict(github_repository="my-org/my-app"),
        GitHubRun("my-org/my-app", "push", "refs/heads/main"),
    ),
    "china": GitHubCase(
        dict(region="cn-north-1"),
        dict(github_repository="my-org/my-app"),
        GitHubRun("my-org/my-app", "push", "refs/heads/main"),
    ),
    "govcloud": GitHubCase(
        dict(region="us-gov-west-1"),
        dict(github_repository="my-org/my-app"),
        GitHubRun("my-org/my-app", "push", "refs/heads/main"),
    ),
    "cross-account-role": GitHubCase(
        {},
        dict(github_repository="my-org/my-app", principal=f"arn:aws:iam::{OTHER}:role/ci/pusher"),
        GitHubRun("my-org/my-app", "push", "refs/heads/main"),
    ),
    "ecr-public": GitHubCase(
        dict(options=dict(public=True)),
        dict(github_repository="my-org/my-app"),
        GitHubRun("my-org/my-app", "push", "refs/heads/main"),
    ),
}


def github_bundle(case: GitHubCase):
    return make_bundle("ci", trust="github", **case.request, **case.deployment)


@pytest.fixture(scope="module")
def github_workflows(tmp_path_factory) -> dict[str, Path]:
    """Every GitHub case's workflow, written under one .github/workflows/ as a repository would hold them."""
    root = tmp_path_factory.mktemp("repository")
    folder = root / ".github" / "workflows"
    folder.mkdir(parents=True)
    paths = {}
    for name, case in GITHUB.items():
        made = render_ci(github_bundle(case), "github-actions")
        assert made.path in (".github/workflows/ecr-push.yml", ".github/workflows/ecr-pull.yml")
        paths[name] = folder / f"{name}.yml"
        paths[name].write_text(made.text)
    return paths


def test_every_workflow_validates_against_the_github_workflow_schema(github_workflows):
    checker = tool("check-jsonschema")
    result = subprocess.run(
        [checker, "--builtin-schema", "vendor.github-workflows", *map(str, github_workflows.values())],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing_above_informational_even_pedantic(github_workflows):
    zizmor = tool("zizmor")
    folder = next(iter(github_workflows.values())).parent
    result = subprocess.run(
        [zizmor, "--offline", "--persona=pedantic", "--format", "json", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    findings = json.loads(result.stdout)
    serious = [
        (finding["ident"], finding["determinations"]["severity"], finding["locations"][0]["symbolic"]["key"])
        for finding in findings
        if finding["determinations"]["severity"] not in ("Informational", "Unknown")
    ]
    assert serious == [], serious
    assert len(list(folder.glob("*.yml"))) == len(GITHUB)  # zizmor saw every workflow


def test_a_deliberately_bad_workflow_is_caught_by_both_tools(tmp_path):
    """The checks above can fail: a tag-pinned action with a template injection is flagged."""
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / "bad.yml").write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
        "      - run: echo ${{ github.event.head_commit.message }}\n"
    )
    findings = json.loads(
        subprocess.run(
            [tool("zizmor"), "--offline", "--format", "json", str(folder)], capture_output=True, text=True
        ).stdout
    )
    assert {"unpinned-uses", "template-injection"} <= {finding["ident"] for finding in findings}
    (folder / "schema.yml").write_text("on: push\njobs:\n  a:\n    steps: []\n")
    checked = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(folder / "schema.yml")],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 1


@pytest.mark.parametrize("name", sorted(GITHUB))
def test_github_job_claims_satisfy_the_trust_and_near_misses_do_not(name):
    case = GITHUB[name]
    bundle = github_bundle(case)
    trust = bundle.trust.document
    workflow = load_yaml(render_ci(bundle, "github-actions").text)
    job = single_job(workflow)
    run = case.run
    provider = Caller("Federated", github_provider(bundle.request.partition.name, bundle.role_account), None)

    def claims(run: GitHubRun, audience: str | None = None) -> dict[str, str]:
        return {
            "token.actions.githubusercontent.com:sub": run.sub(),
            "token.actions.githubusercontent.com:aud": audience or github_audience(job),
        }

    # The generated job: triggered, not skipped, its environment as written, its token accepted.
    assert github_trigger_admits(workflow, run.event, run.ref)
    assert github_job_runs_in(job, run.repository)
    assert job.get("environment") == run.environment
    assert job["permissions"] == {"id-token": "write", "contents": "read"}
    assert_trust(trust, provider, ASSUME_WEB, claims(run), True, "the generated job")

    # A run on another ref: the workflow does not trigger, and the trust would refuse its token.
    if case.other_ref is not None:
        other = run._replace(ref=case.other_ref)
        assert not github_trigger_admits(workflow, other.event, other.ref)
        assert_trust(trust, provider, ASSUME_WEB, claims(other), False, "a run on another ref")
    # The same workflow in another owner's repository (a fork, a copy): skipped, and refused.
    fork = run._replace(repository="evil-org/" + run.repository.split("/")[1])
    assert not github_job_runs_in(job, fork.repository)
    assert_trust(trust, provider, ASSUME_WEB, claims(fork), False, "a run in another repository")
    # A job that uses an environment the trust does not name presents another sub.
    if case.other_environment is not None:
        assert_trust(
            trust, provider, ASSUME_WEB, claims(run._replace(environment="staging")), False, "an untrusted environment"
        )
    # Another audience (e.g. the action's default in aws-cn) is refused.
    wrong_audience = "sts.amazonaws.com" if bundle.request.partition.name == "aws-cn" else "sts.amazonaws.com.cn"
    assert_trust(trust, provider, ASSUME_WEB, claims(run, wrong_audience), False, "another audience")


def test_moto_judges_the_exact_subs_and_only_ours_the_wildcards():
    """Say which evaluator decided: the matrix holds both kinds of trust policy."""
    judged = {name: moto_can_judge(github_bundle(case).trust.document) for name, case in GITHUB.items()}
    assert judged["branch-main"] and judged["environment"] and judged["china"]
    assert not judged["tag-pattern"] and not judged["organisation"]


def test_china_needs_the_audience_line():
    """Without its audience line, the aws-cn workflow's job would present sts.amazonaws.com: refused."""
    bundle = github_bundle(GITHUB["china"])
    job = single_job(load_yaml(render_ci(bundle, "github-actions").text))
    assert github_audience(job) == "sts.amazonaws.com.cn"
    (step,) = [step for step in job["steps"] if "configure-aws-credentials" in step.get("uses", "")]
    del step["with"]["audience"]
    run = GITHUB["china"].run
    provider = Caller("Federated", github_provider("aws-cn", ACCOUNT), None)
    claims = {
        "token.actions.githubusercontent.com:sub": run.sub(),
        "token.actions.githubusercontent.com:aud": github_audience(job),
    }
    assert_trust(bundle.trust.document, provider, ASSUME_WEB, claims, False, "the action's default audience in aws-cn")


def test_every_action_is_pinned_to_a_recorded_full_sha():
    text = render_ci(github_bundle(GITHUB["branch-main"]), "github-actions").text
    job = single_job(load_yaml(text))
    pinned = {action.repository: action for action in PINNED_ACTIONS}
    uses = [step["uses"] for step in job["steps"] if "uses" in step]
    assert len(uses) == 3
    for reference in uses:
        repository, _, sha = reference.partition("@")
        action = pinned[repository]
        assert len(sha) == 40 and all(char in "0123456789abcdef" for char in sha)
        assert sha == action.sha
        assert f"uses: {reference} # {action.version}" in text  # the version comment scanners expect
        assert action.source in text and action.sha in action.source  # where the SHA comes from


@pytest.mark.parametrize("name", sorted(GITHUB))
def test_github_steps_pass_shellcheck_and_push_exactly_what_the_policy_grants(name, tmp_path):
    case = GITHUB[name]
    bundle = github_bundle(case)
    job = single_job(load_yaml(render_ci(bundle, "github-actions").text))
    environment = {key: str(value) for key, value in job["env"].items()}
    environment["IMAGE_TAG"] = "0123abc"  # ${{ github.sha }}
    if bundle.request.public:
        environment["ECR_PUBLIC_ALIAS"] = "my-alias"  # ${{ vars.ECR_PUBLIC_ALIAS }}
    env = fake_tools(tmp_path) | environment
    calls = []
    for step in job["steps"]:
        if "run" in step:
            if shutil.which("shellcheck"):
                checked = subprocess.run(
                    ["shellcheck", "-s", "bash", "-"], input=step["run"], capture_output=True, text=True
                )
                assert checked.returncode == 0, checked.stdout
            calls = run_shell(["bash", "--noprofile", "--norc", "-eo", "pipefail"], step["run"], env, tmp_path)
    images = [call.split()[-1] for call in calls if call.startswith("docker push")]
    pulled = [call.split()[-1] for call in calls if call.startswith("docker pull")]
    named = [name for name in bundle.request.repositories if "*" not in name]
    registry = "public.ecr.aws/my-alias" if bundle.request.public else job["env"]["REGISTRY"]
    expected = [f"{registry}/{repository}:0123abc" for repository in named]
    assert (images if bundle.request.access.value == "push" else pulled) == expected
    if not bundle.request.public:
        actions = PUSH_ACTIONS + PULL_ACTIONS if images else PULL_ACTIONS
        for image in expected:
            for action in actions:
                assert identity_allows(bundle.identity.document, action, repository_arn(image)), (action, image)


def test_the_public_workflow_stops_without_its_registry_alias(tmp_path):
    job = single_job(load_yaml(render_ci(github_bundle(GITHUB["ecr-public"]), "github-actions").text))
    step = next(step for step in job["steps"] if "run" in step)
    env = fake_tools(tmp_path) | {"REGISTRY": "public.ecr.aws", "IMAGE_TAG": "1", "ECR_PUBLIC_ALIAS": ""}
    result = subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "ECR_PUBLIC_ALIAS" in result.stderr
    assert (tmp_path / "calls.log").read_text() == ""  # nothing built or pushed


def test_cross_account_login_names_the_repositories_account():
    job = single_job(load_yaml(render_ci(github_bundle(GITHUB["cross-account-role"]), "github-actions").text))
    login = next(step for step in job["steps"] if "amazon-ecr-login" in step.get("uses", ""))
    assert login["with"] == {"registries": ACCOUNT}
    assume = next(step for step in job["steps"] if "configure-aws-credentials" in step.get("uses", ""))
    assert assume["with"]["role-to-assume"] == f"arn:aws:iam::{OTHER}:role/ci/pusher"


# -- GitLab --------------------------------------------------------------------------------


class GitLabCase(namedtuple("GitLabCase", "request deployment project kind ref other_ref")):
    __slots__ = ()


GITLAB = {
    "gitlab.com-main": GitLabCase(
        {}, dict(gitlab_project="my-group/my-app"), "my-group/my-app", "branch", "main", "dev"
    ),
    "self-hosted-branch": GitLabCase(
        {},
        dict(gitlab_url="https://gitlab.example.com", gitlab_project="platform/sub/app", gitlab_branch="release/1.x"),
        "platform/sub/app",
        "branch",
        "release/1.x",
        "release/1-x",
    ),
    "tag-pattern-sub": GitLabCase(
        {}, dict(gitlab_sub="project_path:my-group/my-app:ref_type:tag:ref:v*"), "my-group/my-app", "tag", "v2.0", "2.0"
    ),
    "group-wide": GitLabCase({}, dict(gitlab_sub="project_path:my-group/*"), "my-group/other", "branch", "any", None),
    "pull-only": GitLabCase(
        dict(access="pull"), dict(gitlab_project="my-group/my-app"), "my-group/my-app", "branch", "main", "dev"
    ),
}


def gitlab_bundle(case: GitLabCase):
    return make_bundle("ci", trust="gitlab", **case.request, **case.deployment)


def test_every_gitlab_job_validates_against_the_gitlab_ci_schema(tmp_path):
    paths = []
    for name, case in GITLAB.items():
        path = tmp_path / f"{name}.gitlab-ci.yml"
        path.write_text(render_ci(gitlab_bundle(case), "gitlab-ci").text)
        paths.append(str(path))
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", *paths],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", sorted(GITLAB))
def test_gitlab_job_claims_satisfy_the_trust_and_near_misses_do_not(name):
    case = GITLAB[name]
    bundle = gitlab_bundle(case)
    host = bundle.deployment.gitlab_host
    (job,) = [value for key, value in load_yaml(render_ci(bundle, "gitlab-ci").text).items() if isinstance(value, dict)]
    (token,) = job["id_tokens"].values()
    provider = Caller("Federated", f"arn:aws:iam::{ACCOUNT}:oidc-provider/{host}", None)

    def claims(project: str, ref: str, audience: str = token["aud"]) -> dict[str, str]:
        return {f"{host}:sub": gitlab_sub(project, case.kind, ref), f"{host}:aud": audience}

    assert gitlab_rules_admit(job, case.kind, case.ref)
    assert_trust(bundle.trust.document, provider, ASSUME_WEB, claims(case.project, case.ref), True, "the generated job")
    if case.other_ref is not None:
        assert not gitlab_rules_admit(job, case.kind, case.other_ref)
        assert_trust(
            bundle.trust.document, provider, ASSUME_WEB, claims(case.project, case.other_ref), False, "another ref"
        )
    assert_trust(
        bundle.trust.document, provider, ASSUME_WEB, claims("evil-group/my-app", case.ref), False, "another project"
    )
    other_audience = "https://gitlab.com" if host != "gitlab.com" else "https://gitlab.example.com"
    assert_trust(
        bundle.trust.document,
        provider,
        ASSUME_WEB,
        claims(case.project, case.ref, other_audience),
        False,
        "another aud",
    )


@pytest.mark.parametrize("name", sorted(GITLAB))
def test_gitlab_script_passes_shellcheck_and_logs_in_with_the_assumed_role(name, tmp_path):
    bundle = gitlab_bundle(GITLAB[name])
    (job,) = [value for value in load_yaml(render_ci(bundle, "gitlab-ci").text).values() if isinstance(value, dict)]
    script = "\n".join(job["script"]) + "\n"
    if shutil.which("shellcheck"):
        checked = subprocess.run(["shellcheck", "-s", "sh", "-"], input=script, capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout
    variables = {key: value.replace("$CI_COMMIT_SHA", "0123abc") for key, value in job["variables"].items()}
    env = fake_tools(tmp_path) | variables | {"AWS_ID_TOKEN": "jwt", "CI_PROJECT_ID": "1", "CI_JOB_ID": "2"}
    calls = run_shell(["sh", "-e"], script, env, tmp_path)
    assume, login = calls[0], calls[1]
    assert assume.startswith("aws sts assume-role-with-web-identity")
    assert f"--role-arn {bundle.trust and variables['ROLE_ARN']}" in assume and "--web-identity-token jwt" in assume
    assert variables["ROLE_ARN"] == f"arn:aws:iam::{ACCOUNT}:role/{bundle.deployment.role_name}"
    assert login.startswith("aws ecr get-login-password") and login.endswith(
        "key=AKIAEXAMPLE"
    )  # the role's credentials
    assert calls[2] == f"docker login --username AWS --password-stdin {variables['REGISTRY']} | password=fake-token"
    images = [call.split()[-1] for call in calls if call.startswith(("docker push", "docker pull"))]
    tag = "0123abc" if bundle.request.access.value == "push" else "latest"
    assert images == [f"{variables['REGISTRY']}/my-app:{tag}"]


# -- CodeBuild, EC2 and the runtime fragments ----------------------------------------------

BUILDSPEC_PHASES = ("install", "pre_build", "build", "post_build")
"""The phases of a buildspec, version 0.2 (CodeBuild's build specification reference)."""


@pytest.mark.parametrize("access", ["push", "pull"])
def test_buildspec_follows_the_reference_and_runs_its_phases_in_order(access, tmp_path):
    bundle = make_bundle("ci", repositories=("my-app", "team-a/api"), access=access, trust="codebuild")
    spec = load_yaml(render_ci(bundle, "buildspec").text)
    assert spec["version"] == 0.2 and set(spec) == {"version", "env", "phases"}
    assert set(spec["phases"]) <= set(BUILDSPEC_PHASES)
    assert all(isinstance(value, str) for value in spec["env"]["variables"].values())
    commands = [command for phase in BUILDSPEC_PHASES for command in spec["phases"].get(phase, {}).get("commands", [])]
    script = "\n".join(commands) + "\n"
    if shutil.which("shellcheck"):
        checked = subprocess.run(["shellcheck", "-s", "sh", "-"], input=script, capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout
    built = {"CODEBUILD_RESOLVED_SOURCE_VERSION": "0123abc", "CODEBUILD_BUILD_SUCCEEDING": "1"}
    env = fake_tools(tmp_path) | spec["env"]["variables"] | built
    calls = run_shell(["sh", "-e"], script, env, tmp_path)
    registry = spec["env"]["variables"]["REGISTRY"]
    assert calls[0] == "aws ecr get-login-password --region us-east-1 | key="
    assert calls[1] == f"docker login --username AWS --password-stdin {registry} | password=fake-token"
    if access == "push":
        assert [call.split()[1] for call in calls[2:]] == ["build", "build", "push", "push"]
        assert calls[-1] == f"docker push {registry}/team-a/api:0123abc"
    else:
        assert calls[2:] == [f"docker pull {registry}/my-app:latest", f"docker pull {registry}/team-a/api:latest"]


def test_buildspec_pushes_nothing_after_a_failed_build(tmp_path):
    spec = load_yaml(render_ci(make_bundle("ci", trust="codebuild"), "buildspec").text)
    env = fake_tools(tmp_path) | spec["env"]["variables"] | {"CODEBUILD_BUILD_SUCCEEDING": "0"}
    script = "\n".join(spec["phases"]["post_build"]["commands"])
    assert subprocess.run(["sh", "-e", "-c", script], env=env).returncode != 0
    assert "docker push" not in (tmp_path / "calls.log").read_text()


@pytest.mark.parametrize("region", ["us-east-1", "cn-northwest-1"])
def test_codebuild_trust_admits_projects_of_the_role_account_only(region):
    bundle = make_bundle("ci", region=region, trust="codebuild")
    text = render_ci(bundle, "buildspec").text
    assert f"account {bundle.role_account}" in text  # the comment that says where the project must be
    codebuild = Caller.service("codebuild.amazonaws.com")
    assert_trust(
        bundle.trust.document,
        codebuild,
        "sts:AssumeRole",
        {"aws:SourceAccount": ACCOUNT},
        True,
        "a project in the account",
    )
    assert_trust(
        bundle.trust.document,
        codebuild,
        "sts:AssumeRole",
        {"aws:SourceAccount": OTHER},
        False,
        "another account's project",
    )
    other_service = Caller.service("lambda.amazonaws.com")
    assert_trust(
        bundle.trust.document,
        other_service,
        "sts:AssumeRole",
        {"aws:SourceAccount": ACCOUNT},
        False,
        "another service",
        by_principal=True,
    )


@pytest.mark.parametrize("trust", ["ec2", "none"])
def test_ci_script_for_ec2_passes_shellcheck_and_pushes(trust, tmp_path):
    bundle = make_bundle("ci", trust=trust)
    made = render_ci(bundle, "ci-script")
    assert made.path == "ecr-push.sh"
    if shutil.which("shellcheck"):
        checked = subprocess.run(["shellcheck", "-"], input=made.text, capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout
    calls = run_shell(["bash"], made.text, fake_tools(tmp_path) | {"IMAGE_TAG": "v1"}, tmp_path)
    registry = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"
    assert calls[-2:] == [f"docker build --tag {registry}/my-app:v1 .", f"docker push {registry}/my-app:v1"]
    if trust == "ec2":
        ec2 = Caller.service("ec2.amazonaws.com")
        assert_trust(bundle.trust.document, ec2, "sts:AssumeRole", {}, True, "the instance profile")
        assert_trust(
            bundle.trust.document,
            Caller.service("lambda.amazonaws.com"),
            "sts:AssumeRole",
            {},
            False,
            "another service",
            by_principal=True,
        )
        assert f"instance profile {bundle.deployment.role_name}" in made.text


ECS_SETUPS = {
    "fargate": dict(),
    "ec2-launch-type": dict(trust="ec2"),
    "existing-role": dict(trust="none", role_name="my-execution-role"),
    "cross-account": dict(principal=f"arn:aws:iam::{OTHER}:role/ecs/exec"),
}


@pytest.mark.parametrize("name", sorted(ECS_SETUPS))
def test_ecs_task_definition_is_valid_input_for_register_task_definition(name):
    from botocore.session import get_session
    from botocore.validate import ParamValidator

    bundle = make_bundle("ecs", repositories=("my-app", "team-a/api"), **ECS_SETUPS[name])
    definition = json.loads(render_ci(bundle, "ecs-task-definition").text)
    shape = get_session().get_service_model("ecs").operation_model("RegisterTaskDefinition").input_shape
    report = ParamValidator().validate(definition, shape)
    assert not report.has_errors(), report.generate_report()
    for container in definition["containerDefinitions"]:
        for action in PULL_ACTIONS:
            assert identity_allows(bundle.identity.document, action, repository_arn(container["image"]))
    role = definition.get("executionRoleArn")
    if bundle.deployment.trust is None or bundle.deployment.trust.value == "ec2":
        assert role is None if bundle.deployment.trust else role.endswith(":role/my-execution-role")
        return
    account = role.split(":")[4]  # the tasks run in the execution role's account
    tasks = Caller.service("ecs-tasks.amazonaws.com")
    assert_trust(
        bundle.trust.document, tasks, "sts:AssumeRole", {"aws:SourceAccount": account}, True, "tasks of the account"
    )
    wrong = OTHER if account == ACCOUNT else ACCOUNT
    assert_trust(
        bundle.trust.document, tasks, "sts:AssumeRole", {"aws:SourceAccount": wrong}, False, "another account's tasks"
    )


EKS_SETUPS = {
    "node": dict(),
    "fargate": dict(trust="eks-fargate", cluster="prod"),
    "pod-identity": dict(trust="eks-pod-identity"),
}


@pytest.mark.parametrize("name", sorted(EKS_SETUPS))
def test_eks_manifest_is_valid_kubernetes_and_names_the_role_the_trust_admits(name):
    bundle = make_bundle("eks", repositories=("my-app", "team_a/api.v2"), **EKS_SETUPS[name])
    text = render_ci(bundle, "eks-manifest").text
    documents = [document for document in yaml.safe_load_all(text) if document]
    dns_label = r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"  # Kubernetes object names (RFC 1123 labels)
    arn = f"arn:aws:iam::{ACCOUNT}:role/{bundle.deployment.role_name}"
    assert arn in text
    if name == "pod-identity":
        assert [document["kind"] for document in documents] == ["ServiceAccount"]
        assert f"--service-account {documents[0]['metadata']['name']} --role-arn {arn}" in text
        assert_trust(
            bundle.trust.document, Caller.service("pods.eks.amazonaws.com"), "sts:TagSession", {}, True, "pod identity"
        )
        return
    for document in documents:
        assert document["apiVersion"] == "apps/v1" and document["kind"] == "Deployment"
        assert re.fullmatch(dns_label, document["metadata"]["name"])
        template = document["spec"]["template"]
        assert document["spec"]["selector"]["matchLabels"].items() <= template["metadata"]["labels"].items()
        (container,) = template["spec"]["containers"]
        for action in PULL_ACTIONS:
            assert identity_allows(bundle.identity.document, action, repository_arn(container["image"]))
    if name == "fargate":
        pods = Caller.service("eks-fargate-pods.amazonaws.com")
        profile = f"arn:aws:eks:us-east-1:{ACCOUNT}:fargateprofile/prod/ecr-pods/0123"
        assert "--cluster-name prod --fargate-profile-name ecr-pods" in text  # the profile the comment creates
        assert_trust(bundle.trust.document, pods, "sts:AssumeRole", {"aws:SourceArn": profile}, True, "the profile")
        other = profile.replace("/prod/", "/staging/")
        assert_trust(bundle.trust.document, pods, "sts:AssumeRole", {"aws:SourceArn": other}, False, "another cluster")
    else:
        assert_trust(
            bundle.trust.document, Caller.service("ec2.amazonaws.com"), "sts:AssumeRole", {}, True, "the nodes"
        )


@pytest.mark.parametrize("function_account", [None, OTHER])
def test_lambda_deploy_script_calls_create_function_as_the_cli_reference_says(function_account, tmp_path):
    from botocore.session import get_session
    from botocore.validate import ParamValidator

    bundle = make_bundle("lambda", repositories=("my-app", "team-a/api"), function_account=function_account)
    made = render_ci(bundle, "lambda-deploy")
    if shutil.which("shellcheck"):
        checked = subprocess.run(["shellcheck", "-"], input=made.text, capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout
    role = f"arn:aws:iam::{function_account or ACCOUNT}:role/my-function"
    env = fake_tools(tmp_path) | {"EXECUTION_ROLE_ARN": role}
    calls = [call for call in run_shell(["bash"], made.text, env, tmp_path) if "create-function" in call]
    assert len(calls) == 2
    model = get_session().get_service_model("lambda").operation_model("CreateFunction").input_shape
    for call, repository in zip(calls, ("my-app", "team-a/api"), strict=True):
        words = call.split(" | ")[0].split()[3:]  # after "aws lambda create-function"
        flags = dict(zip(words[::2], words[1::2], strict=True))
        code_key, _, image = flags["--code"].partition("=")  # shorthand syntax: Key=Value
        params = {
            "FunctionName": flags["--function-name"],
            "PackageType": flags["--package-type"],
            "Code": {code_key: image},
            "Role": flags["--role"],
        }
        assert params["Role"] == role
        report = ParamValidator().validate(params, model)
        assert not report.has_errors(), report.generate_report()
        assert image == f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/{repository}:latest"
        for action in PULL_ACTIONS:  # the deployer names the image: Lambda checks it may read it
            assert identity_allows(bundle.identity.document, action, repository_arn(image))


def test_lambda_deploy_script_stops_without_an_execution_role(tmp_path):
    made = render_ci(make_bundle("lambda"), "lambda-deploy")
    result = subprocess.run(["bash", "-c", made.text], env=fake_tools(tmp_path), capture_output=True, text=True)
    assert result.returncode != 0 and "EXECUTION_ROLE_ARN" in result.stderr
    assert (tmp_path / "calls.log").read_text() == ""


# -- which format fits which setup ---------------------------------------------------------

FITTING = {
    ("ci", "github"): ["github-actions"],
    ("ci", "gitlab"): ["gitlab-ci"],
    ("ci", "codebuild"): ["buildspec"],
    ("ci", "ec2"): ["ci-script"],
    ("ci", "none"): ["ci-script"],
    ("ecs", "ecs-tasks"): ["ecs-task-definition"],
    ("eks", "eks-node"): ["eks-manifest"],
    ("lambda", None): ["lambda-deploy"],
}
TRUST_DETAILS = {"github": dict(github_repository="o/r"), "gitlab": dict(gitlab_project="g/p")}


@pytest.mark.parametrize(("role", "trust"), sorted(FITTING, key=str))
def test_each_setup_has_its_format_and_the_others_say_which_to_use(role, trust):
    bundle = make_bundle(role, trust=trust, **TRUST_DETAILS.get(trust, {}))
    assert ci_formats(bundle) == FITTING[(role, trust)]
    for other in set(CI_FORMATS) - set(FITTING[(role, trust)]):
        reason = unfit_reason(bundle, other)
        assert reason and f"--format {FITTING[(role, trust)][0]}" in reason
        with pytest.raises(CIError):
            render_ci(bundle, other)


def test_a_pipeline_needs_a_named_repository():
    bundle = make_bundle("ci", repositories=("team-a/*",), trust="github", github_repository="o/r")
    with pytest.raises(CIError, match="name at least one"):
        render_ci(bundle, "github-actions")


def test_customised_and_unreadable_subs_are_refused_with_the_reason():
    bundle = make_bundle("ci", trust="github", github_sub="repository_owner_id:1234:repository_id:5678")
    with pytest.raises(CIError, match="customised"):
        render_ci(bundle, "github-actions")
    bundle = make_bundle("ci", trust="github", github_sub="repo:o/r:environment:prod-*")
    with pytest.raises(CIError, match="pin the environment"):
        render_ci(bundle, "github-actions")


# -- explanations and sources --------------------------------------------------------------

TRUST_LINES = {
    "github-actions": ("if: github.", "environment:", "id-token: write", "role-to-assume:", "audience:"),
    "gitlab-ci": ("aud:", "- if:", "ROLE_ARN:"),
}
"""Lines on which the trust depends; GitHub's branch and tag filter items are found by their key."""


def _explained(lines: list[str], index: int) -> bool:
    """The line itself, or the comment block right above it, says `trust:`."""
    if "# trust:" in lines[index]:
        return True
    above = index - 1
    while above >= 0 and lines[above].lstrip().startswith("#"):
        if "trust:" in lines[above]:
            return True
        above -= 1
    return False


def _filter_items(lines: list[str]) -> list[int]:
    """The list items under `branches:` and `tags:` (comments skipped)."""
    items, inside = [], False
    for index, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped in ("branches:", "tags:"):
            inside = True
        elif inside and stripped.startswith("- "):
            items.append(index)
        elif inside and not stripped.startswith("#"):
            inside = False
    return items


@pytest.mark.parametrize(
    ("fmt", "bundle"),
    [
        *(
            ("github-actions", github_bundle(case))
            for case in (GITHUB["tag-pattern"], GITHUB["environment"], GITHUB["china"])
        ),
        *(("gitlab-ci", gitlab_bundle(case)) for case in GITLAB.values()),
    ],
)
def test_every_line_that_matters_for_the_trust_says_why(fmt, bundle):
    lines = render_ci(bundle, fmt).text.splitlines()
    critical = [index for index, line in enumerate(lines) if line.lstrip().startswith(TRUST_LINES[fmt])]
    if fmt == "github-actions" and ":ref:" in bundle.deployment.subject:
        critical += _filter_items(lines)  # with an environment trust, the branch is the workflow's choice
    assert len(critical) >= 2
    for index in critical:
        assert _explained(lines, index), lines[index]


ALLOWED_SOURCES = (
    "https://docs.aws.amazon.com/",
    "https://docs.github.com/",
    "https://docs.gitlab.com/",
    "https://github.com/",
)


@pytest.mark.parametrize(
    ("fmt", "bundle"),
    [
        ("github-actions", github_bundle(GITHUB["branch-main"])),
        ("gitlab-ci", gitlab_bundle(GITLAB["gitlab.com-main"])),
        ("buildspec", make_bundle("ci", trust="codebuild")),
        ("ci-script", make_bundle("ci", trust="ec2")),
        ("eks-manifest", make_bundle("eks")),
        ("lambda-deploy", make_bundle("lambda")),
        ("ecs-task-definition", make_bundle("ecs")),
    ],
)
def test_every_file_names_the_pages_its_facts_come_from(fmt, bundle):
    made = render_ci(bundle, fmt)
    text = made.text if fmt != "ecs-task-definition" else "\n".join(made.notes)
    pages = [page for cited in re.findall(r"Sources?: (.*)", text) for page in cited.split()]
    assert pages, "no source named"
    assert all(page.startswith(ALLOWED_SOURCES) for page in pages), pages
