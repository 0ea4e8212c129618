"""Issue 16 item 5: the CI configuration and deployment files in the wizard's review step and in
`--plain`: offered only where `generate` makes them, shown live with the trust lines explained,
copied and saved to the path their CI or platform reads (folders made).

The real app through Pilot, --plain through prompt_toolkit pipe input; the saved workflow is
checked with check-jsonschema's vendored GitHub workflow schema (a tool nobody here wrote).
"""

from __future__ import annotations

import json
import subprocess

import pyperclip
import pytest
import yaml

from tests.test_ci_config import tool
from tests.test_plain import DONE, DOWN, ENTER, run_plain
from tests.tui_helpers import preview_text, screen_text
from wizard.core.answers import Answers, output_noun, output_title
from wizard.core.ci import CI_FORMATS, render_ci, unfit_reason
from wizard.core.ci.common import trust_comments
from wizard.core.ci.paths import DEFAULT_PATHS
from wizard.core.request import Role
from wizard.tui.app import PolicyWizardApp
from wizard.tui.dialogs import OverLimitDialog
from wizard.tui.widgets import ChoiceList

SMALL = (80, 24)


@pytest.fixture(autouse=True)
def in_tmp(monkeypatch, tmp_path):
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def github_answers(**changes) -> Answers:
    answers = Answers(
        repositories=["my-app"],
        region="us-east-1",
        account="123456789012",
        trust="github",
        github_repository="my-org/my-app",
    )
    for name, value in changes.items():
        setattr(answers, name, value)
    return answers


async def choose_output(pilot, app: PolicyWizardApp, output: str) -> None:
    """On the review step, as a keyboard user: Home to "Output", Enter, arrows to `output`, Enter."""
    await pilot.press("alt+5")
    await pilot.pause()
    await pilot.press("home", "enter")
    choices = app.screen.query_one("#output-list", ChoiceList)
    offered = [value for value, _ in choices._choices]
    for _ in range(offered.index(output) - offered.index(choices.value)):
        await pilot.press("down")
    await pilot.press("enter")
    await pilot.pause()


def offered_outputs(app: PolicyWizardApp) -> list[str]:
    return [value for value, _ in app.screen.query_one("#output-list", ChoiceList)._choices]


async def test_the_github_workflow_is_previewed_explained_and_saved_where_github_reads_it(tmp_path):
    app = PolicyWizardApp(answers=github_answers())
    async with app.run_test(size=(120, 40)) as pilot:
        await choose_output(pilot, app, "github-actions")
        expected = render_ci(app.preview.bundle, "github-actions")
        assert preview_text(app) == expected.text, "the preview is the file generate writes"
        shown = screen_text(app)
        assert "GitHub Actions workflow" in shown and ".github/workflows/ecr-push.yml" in shown
        info = " ".join(str(app.screen.query_one("#output-info").render()).split()).lower()
        reasons = trust_comments(expected.text)
        assert len(reasons) >= 4  # branch, repository, environment, id-token, role
        for reason in reasons:
            assert f"• {reason.lower()}" in info, reason
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen.query_one("#save-path").value == ".github/workflows/ecr-push.yml"
        await pilot.press("enter")
        await pilot.pause()
        assert "Saved ecr-push.yml" in app.last_outcome
    saved = tmp_path / ".github" / "workflows" / "ecr-push.yml"
    assert saved.read_text() == expected.text
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(saved)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    workflow = yaml.safe_load(saved.read_text())
    step = next(s for s in workflow["jobs"]["push"]["steps"] if "role-to-assume" in s.get("with", {}))
    assert step["with"]["role-to-assume"] == "arn:aws:iam::123456789012:role/ecr-ci-push-my-app"


async def test_copy_takes_the_workflow_and_names_it(monkeypatch):
    copied = []
    monkeypatch.setattr(pyperclip, "determine_clipboard", lambda: (copied.append, lambda: ""))
    app = PolicyWizardApp(answers=github_answers())
    async with app.run_test(size=SMALL) as pilot:
        await choose_output(pilot, app, "github-actions")
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert "GitHub Actions workflow" in app.last_outcome
    assert copied and copied[-1] == render_ci(app.preview.bundle, "github-actions").text


SETUPS = [
    (Role.CI, "github", {"github_repository": "my-org/my-app"}),
    (Role.CI, "gitlab", {"gitlab_project": "group/project"}),
    (Role.CI, "codebuild", {}),
    (Role.CI, "ec2", {}),
    (Role.CI, "none", {}),
    (Role.ECS, "", {}),
    (Role.ECS, "ec2", {}),
    (Role.EKS, "", {}),
    (Role.EKS, "eks-pod-identity", {}),
    (Role.LAMBDA, "", {}),
]


@pytest.mark.parametrize("role, trust, details", SETUPS, ids=[f"{r.value}-{t or 'default'}" for r, t, _ in SETUPS])
async def test_only_the_files_generate_makes_for_the_setup_are_offered(role, trust, details):
    answers = Answers(repositories=["my-app"], region="eu-west-1", account="123456789012")
    answers.choose_role(role)
    answers.trust = trust
    for name, value in details.items():
        setattr(answers, name, value)
    app = PolicyWizardApp(answers=answers)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("alt+5")
        await pilot.pause()
        await pilot.press("up", "enter")
        offered = [output for output in offered_outputs(app) if output in CI_FORMATS]
    accepted = [name for name in CI_FORMATS if unfit_reason(app.preview.bundle, name) is None]
    assert offered == accepted and offered, "the formats `generate --format` accepts for these answers"


def test_generate_refuses_what_the_wizard_does_not_offer():
    """The other side of the mirror, through the real CLI: ECS is offered the task definition only."""
    from tests.conftest import run_cli

    common = ["generate", "--role", "ecs", "--repo", "my-app", "--region", "eu-west-1", "--account", "123456789012"]
    refused = run_cli(*common, "--format", "github-actions")
    assert refused.returncode == 2 and "use --format ecs-task-definition" in refused.stderr
    accepted = run_cli(*common, "--format", "ecs-task-definition")
    assert accepted.returncode == 0, accepted.stderr
    offered = Answers(repositories=["my-app"], region="eu-west-1", account="123456789012", role=Role.ECS)
    assert [o for o in offered.preview().available_outputs() if o in CI_FORMATS] == ["ecs-task-definition"]


async def test_the_ecs_task_definition_lists_what_to_set_up_and_saves_as_json(tmp_path):
    answers = Answers(repositories=["api"], region="eu-west-1", account="123456789012")
    answers.choose_role(Role.ECS)
    app = PolicyWizardApp(answers=answers)
    async with app.run_test(size=(120, 40)) as pilot:
        await choose_output(pilot, app, "ecs-task-definition")
        made = app.preview.ci_file
        info = " ".join(str(app.screen.query_one("#output-info").render()).split())
        assert "Before it runs" in info and "register-task-definition" in info
        await pilot.press("ctrl+s", "enter")
        await pilot.pause()
    definition = json.loads((tmp_path / DEFAULT_PATHS["ecs-task-definition"]).read_text())
    assert definition == json.loads(made.text)
    assert definition["executionRoleArn"] == "arn:aws:iam::123456789012:role/ecr-ecs-pull-api"


async def test_a_file_in_the_way_of_the_folders_is_an_inline_error(tmp_path):
    (tmp_path / ".github").write_text("not a folder")
    app = PolicyWizardApp(answers=github_answers())
    async with app.run_test(size=SMALL) as pilot:
        await choose_output(pilot, app, "github-actions")
        await pilot.press("ctrl+s", "enter")
        await pilot.pause()
        message = str(app.screen.query_one("#save-message").render())
        assert "Not saved" in message and "is not a directory" in message
    assert (tmp_path / ".github").read_text() == "not a folder"


async def test_switching_to_a_ci_file_starts_the_preview_at_its_first_line():
    app = PolicyWizardApp(answers=github_answers())
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("alt+5", "down")  # statement 2: the JSON scrolls down to it
        await pilot.pause()
        await choose_output(pilot, app, "github-actions")
        assert app.query_one("#preview").scroll_offset.y == 0


def test_a_pattern_only_setup_says_why_there_is_no_file():
    answers = Answers(repositories=["team-a/*"], region="us-east-1", account="123456789012", trust="none")
    preview = answers.preview()
    assert not [o for o in preview.available_outputs() if o in CI_FORMATS]
    assert "every repository is a pattern" in preview.ci_refusals()["ci-script"]


def test_titles_and_nouns_come_from_the_ci_table():
    assert output_title("gitlab-ci") == CI_FORMATS["gitlab-ci"].title
    assert output_noun("ci-script") == "the push script for a CI on EC2"
    assert output_noun("github-actions") == "the GitHub Actions workflow"


def test_trust_comments_join_wrapped_lines_and_stop_at_the_next_sentence():
    text = (
        "# trust: make the role the service role of a project: its trust policy admits\n"
        "# CodeBuild only.\n"
        "# Docker builds need privileged mode.\n"
        "    # trust: no environment here. A job presents NAME\n"
        "    # as its sub.\n"
        "      id-token: write  # trust: lets the job request the token\n"
        "      # unrelated\n"
    )
    assert trust_comments(text) == [
        "make the role the service role of a project: its trust policy admits CodeBuild only.",
        "no environment here. A job presents NAME as its sub.",
        "lets the job request the token",
    ]


# --plain ------------------------------------------------------------------------------------

GITHUB_PLAIN = (
    ENTER  # CI pipeline
    + ENTER  # push
    + "my-app" + ENTER + ENTER
    + "us-east-1" + ENTER
    + "123456789012" + ENTER
    + ENTER  # no options
    + DOWN + ENTER  # trust: GitHub Actions
    + "my-org/my-app" + ENTER
    + ENTER  # a branch
    + "main" + ENTER
    + ENTER  # role name: the suggested one
    + ENTER  # same account
)  # fmt: skip


def test_plain_offers_the_workflow_explains_it_and_saves_it_where_github_reads_it(tmp_path):
    outputs = github_answers().preview().available_outputs()
    choose = DOWN * 2 + ENTER + DOWN * outputs.index("github-actions") + ENTER
    save = DOWN + ENTER + ENTER  # "Save it to a file", the suggested name
    status, output = run_plain(GITHUB_PLAIN + choose + save + DONE)
    assert status == 0, output
    saved = tmp_path / ".github" / "workflows" / "ecr-push.yml"
    expected = render_ci(github_answers().preview().bundle, "github-actions").text
    assert saved.read_text() == expected
    assert expected.rstrip("\n") in output, "the workflow is printed"
    assert "Lines the trust policy depends on" in output
    flat = " ".join(output.split())
    assert "- the role admits runs on the branch 'main' only" in flat
    assert f"Saved to {saved}" in output


async def _github_output(pilot) -> None:
    await choose_output(pilot, pilot.app, "github-actions")


def test_snapshot_review_with_the_workflow(snap_compare, monkeypatch):
    """80x24: the workflow in the preview, its explanation beside the choices."""
    monkeypatch.chdir("/")
    assert snap_compare(
        PolicyWizardApp(theme="harbor-night", answers=github_answers()), run_before=_github_output, terminal_size=SMALL
    )


async def test_a_ci_file_is_copied_without_asking_how_to_fit_the_policy(monkeypatch):
    """The file holds no policy: IAM's size limit is the policy's business, not the pipeline's."""
    copied = []
    monkeypatch.setattr(pyperclip, "determine_clipboard", lambda: (copied.append, lambda: ""))
    names = [f"team-{index % 7}/service-{index}" for index in range(300)]
    app = PolicyWizardApp(answers=Answers(repositories=names, region="us-east-1", account="123456789012"))
    async with app.run_test(size=SMALL) as pilot:
        assert app.preview.over_limit
        await choose_output(pilot, app, "ci-script")
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert not isinstance(app.screen, OverLimitDialog)
    assert copied == [render_ci(app.preview.bundle, "ci-script").text]


async def test_the_workflow_follows_the_trust_answers_as_they_are_typed():
    """Live: typing another branch on Trust & options changes the trigger the preview shows."""
    app = PolicyWizardApp(answers=github_answers())
    async with app.run_test(size=(120, 40)) as pilot:
        await choose_output(pilot, app, "github-actions")
        assert '      - "main"' in preview_text(app)
        await pilot.press("alt+4")
        await pilot.pause()
        await pilot.click("#github-ref")
        await pilot.press(*"release")
        await pilot.pause()
        shown = preview_text(app)
        assert '      - "release"' in shown and '      - "main"' not in shown
        assert shown == render_ci(app.preview.bundle, "github-actions").text
        assert "repo:my-org/my-app:ref:refs/heads/release" in json.dumps(app.preview.bundle.trust.document)


def test_a_policy_output_renders_no_ci_file(monkeypatch):
    """Each keystroke builds a preview: CI files are rendered only when one is the chosen output
    (with thousands of repositories a push script lists every image)."""
    import wizard.core.ci

    def refuse(*arguments):
        raise AssertionError("a CI file was rendered for a policy output")

    monkeypatch.setattr(wizard.core.ci, "render_ci", refuse)
    preview = github_answers().preview()
    assert preview.text() == preview.fitted.text() and preview.ci_file is None
    assert preview.file_name() == "ci-push-my-app-ecr-policy.json" and preview.chosen_output == "json"
