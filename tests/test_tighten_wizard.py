"""Issue 15 item 4 and issue 12 (the wizard's ctrl+o): checking any kind of policy on the
inspect screen, and Tighten from there, in the wizard and in `--plain`.

The wizard and `--plain` must say what `ecr-policy check` and `ecr-policy tighten` say: the
expected texts come from the real CLI, run as a subprocess on the same file.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from textual.widgets import Input, Label, OptionList, Static

from tests.conftest import run_cli
from tests.test_plain import DONE
from tests.tui_helpers import fill_target, screen_lines, type_text
from wizard.core.answers import Step
from wizard.plain import PlainWizard
from wizard.tui.app import PolicyWizardApp
from wizard.tui.inspect import InspectScreen
from wizard.tui.preview import PolicyView

REAL = Path(__file__).parent / "fixtures" / "real"
POWER_USER = REAL / "broad" / "broad-managed-AmazonEC2ContainerRegistryPowerUser-v3.json"
LAMBDA_REPOSITORY = REAL / "broad" / "broad-repository-terraformer-wilsonify-lambda-transcode.json"
CROSS_ACCOUNT_REPOSITORY = REAL / "policies" / "repository-readme-bdwyertech-ecr-proxy-cross-account.json"
TRUST = REAL / "policies" / "trust-cfn-awssamples-gitlab-project.json"
SIZE = (100, 32)
DOWN, ENTER = "\x1b[B", "\r"


@pytest.fixture(autouse=True)
def no_aws_environment(monkeypatch, tmp_path):
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def cli_tighten(path: Path, *flags: str) -> tuple[str, list[str]]:
    """What `ecr-policy tighten` prints: the policy, and the explained changes (stderr)."""
    result = run_cli("tighten", str(path), *flags)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    return result.stdout, lines[lines.index("changes:") :]


async def open_policy(pilot, path: Path) -> InspectScreen:
    await pilot.press("ctrl+o")
    pilot.app.screen.query_one("#open-path", Input).value = str(path)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, InspectScreen)
    return pilot.app.screen


def words(lines) -> str:
    """Text as words: the wizard wraps to its pane what the CLI prints a line each."""
    return " ".join(" ".join(lines).split())


def changes_block(text: str) -> str:
    """The "changes:" block of the review's section, as words."""
    body = text.split("\nchanges:\n", 1)[1].split("\n\n", 1)[0]
    return words(["changes:", body])


def detail(screen: InspectScreen) -> str:
    return screen.query_one("#inspect-detail", Static).content.plain


async def show_section(pilot, section: str) -> str:
    sections = pilot.app.query_one("#sections", OptionList)
    ids = [sections.get_option_at_index(i).id for i in range(sections.option_count)]
    assert section in ids, ids
    sections.highlighted = ids.index(section)
    await pilot.pause()
    return pilot.app.query_one("#explanation", Static).content.plain


# Issue 12: the inspect screen reads every kind as `check` does ------------------------------


async def test_inspect_reads_a_repository_policy_as_one_and_says_who_can_do_what():
    checked = run_cli("check", str(CROSS_ACCOUNT_REPOSITORY))
    summary = checked.stdout.splitlines()[0].split(": ", 1)[1]
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_policy(pilot, CROSS_ACCOUNT_REPOSITORY)
        title = screen.query_one("#inspect-title", Label).content.plain
        assert "repository policy" in title and summary in title, (title, summary)
        whole = detail(screen)
        assert "Kind: repository policy" in whole and "who can do what" in whole
        assert "identity policy has no Principal" not in whole
        options = screen.query_one("#inspect-sections", OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert "radius" not in ids, "the identity-policy blast radius table is not offered for a repository policy"
        await pilot.press("down")
        statement = detail(screen)
        assert statement.startswith("Who: ") or "\nWho: " in statement, statement
        assert "no Resource" not in statement


async def test_inspect_statement_text_is_explain_s():
    """The statement pane says what `ecr-policy explain` says (wrapped to the pane instead)."""
    blocks = run_cli("explain", str(CROSS_ACCOUNT_REPOSITORY)).stdout.split("\n\n")
    first = next(block for block in blocks if block.startswith("Statement 1"))
    expected = " ".join(first.split("\n", 1)[1].split())
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_policy(pilot, CROSS_ACCOUNT_REPOSITORY)
        await pilot.press("down")
        shown = detail(screen).split("\n\n", 1)[1]  # after the findings
        assert " ".join(shown.split()) == expected


# Issue 15 item 4: Tighten in the wizard ------------------------------------------------------


async def test_tighten_the_power_user_policy_in_the_wizard_gives_what_the_cli_gives():
    expected_policy, expected_changes = cli_tighten(
        POWER_USER, "--repo", "my-app", "--region", "us-east-1", "--account", "123456789012"
    )
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_policy(pilot, POWER_USER)
        assert "Press t to tighten it" in detail(screen)
        assert "t Tighten" in screen_lines(app)[-1]
        await pilot.press("t")
        await pilot.pause()
        assert not isinstance(app.screen, InspectScreen)
        assert app.step is Step.REPOSITORIES, "the policy names no repository: that is asked first"
        toast = " ".join(str(n.message) for n in app._notifications)
        assert "Still to answer:\n• Which repositories" in toast and "(Repositories)" in toast
        assert app.answers.access.value == "push" and app.answers.trust == "none"
        await type_text(pilot, "my-app")
        await pilot.press("enter", "enter")
        assert app.step is Step.TARGET
        await fill_target(pilot, "us-east-1", "123456789012")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.step is Step.REVIEW
        assert app.query_one(PolicyView).json_text == expected_policy
        changes = await show_section(pilot, "changes")
        assert changes.startswith(f"Changes from {POWER_USER}")
        assert changes_block(changes) == words(expected_changes)
        assert "ecr:DescribeRepositories: read metadata, not needed to push" in words([changes])


async def test_changes_follow_the_answers_the_user_changes():
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await open_policy(pilot, POWER_USER)
        await pilot.press("t")
        await type_text(pilot, "my-app")
        await pilot.press("enter", "enter")
        await fill_target(pilot, "us-east-1", "123456789012")
        await pilot.press("ctrl+n")
        await pilot.pause()
        app.answers.access = app.answers.access.__class__("pull")
        app.answers_changed()
        await pilot.pause()
        _, pull_changes = cli_tighten(
            POWER_USER, "--access", "pull", "--repo", "my-app", "--region", "us-east-1", "--account", "123456789012"
        )
        changes = await show_section(pilot, "changes")
        assert changes_block(changes) == words(pull_changes)
        assert "ecr:PutImage: push images, not needed to pull" in words([changes])


async def test_tighten_a_repository_policy_shows_the_repository_policy():
    expected_policy, expected_changes = cli_tighten(
        LAMBDA_REPOSITORY, "--repo", "transcode", "--region", "us-east-1", "--account", "064592191516"
    )
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await open_policy(pilot, LAMBDA_REPOSITORY)
        await pilot.press("t")
        await pilot.pause()
        assert app.answers.role.value == "lambda" and app.answers.output == "json-repository"
        await type_text(pilot, "transcode")
        await pilot.press("enter", "enter")
        await fill_target(pilot, "us-east-1", "064592191516")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.step is Step.REVIEW
        assert app.query_one(PolicyView).json_text == expected_policy
        assert changes_block(await show_section(pilot, "changes")) == words(expected_changes)


async def test_a_trust_policy_cannot_be_tightened_and_t_is_not_offered():
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_policy(pilot, TRUST)
        assert "trust policy" in screen.query_one("#inspect-title", Label).content.plain
        assert "Tighten" not in screen_lines(app)[-1]
        assert "Press t" not in detail(screen)
        await pilot.press("t")
        await pilot.pause()
        assert app.screen is screen and app.opened_policy is None


async def test_a_hostile_sid_stays_plain_through_tighten(tmp_path):
    hostile = tmp_path / "[@click=app.quit]x.json"
    hostile.write_text(
        '{"Version":"2012-10-17","Statement":[{"Sid":"[b]x[/b]\\u001b]0;PWNED\\u0007","Effect":"Allow",'
        '"Action":"ecr:*","Resource":"arn:aws:ecr:us-east-1:123456789012:repository/web"}]}'
    )
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await open_policy(pilot, hostile)
        await pilot.press("t")
        await pilot.pause()
        assert app.step is Step.REVIEW, "role, repository, region and account all come from the policy"
        changes = await show_section(pilot, "changes")
        assert f"Changes from {hostile}" in changes
        assert "\x1b" not in "".join(screen_lines(app))
        assert app.is_running


# Issue 15 item 4: Tighten in --plain ---------------------------------------------------------


def run_plain(keys: str) -> str:
    out = io.StringIO()
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        with create_app_session(input=pipe, output=DummyOutput()):
            status = PlainWizard(out=out).run()
    assert status == 0, out.getvalue()
    return out.getvalue()


def test_plain_check_then_tighten_gives_what_the_cli_gives():
    expected_policy, expected_changes = cli_tighten(
        POWER_USER, "--repo", "my-app", "--region", "us-east-1", "--account", "123456789012"
    )
    keys = DOWN + ENTER + str(POWER_USER) + ENTER  # check a file
    keys += DOWN + ENTER  # Tighten it? yes
    keys += "my-app" + ENTER + ENTER + "us-east-1" + ENTER + "123456789012" + ENTER
    keys += DONE
    output = run_plain(keys)
    assert "intent: a CI pipeline pushing to (and pulling from) repositories not named by the policy" in output
    assert "The policy does not say which repositories" in output
    lines = output.splitlines()
    start = lines.index("changes:")
    assert lines[start : start + len(expected_changes)] == expected_changes
    begin = lines.index("{", start)
    end = lines.index("}", begin)
    assert "\n".join(lines[begin : end + 1]) + "\n" == expected_policy


def test_plain_offers_no_tighten_for_a_clean_policy():
    seed = Path(__file__).parent / "fixtures" / "seed_policy.json"
    output = run_plain(DOWN + ENTER + str(seed) + ENTER)
    assert output == run_cli("check", str(seed)).stdout, "the same report as `ecr-policy check`, and no question"
    assert "intent:" not in output


# Issue 15: the README's example is what the CLI prints ---------------------------------------


def test_readme_tighten_example_is_the_real_output():
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme.split("## Tightening a broad policy", 1)[1]
    block = section.split("```console\n", 1)[1].split("```", 1)[0]
    command, shown = block.split("\n", 1)
    arguments = command.removeprefix("$ ecr-policy ").split()
    result = run_cli(*arguments)
    assert result.returncode == 0, result.stderr
    assert shown == result.stdout + result.stderr


# Found by a fresh-eyes try: a verdict never hidden, nothing asked silently skipped ------------

EVERYONE = REAL / "broad" / "broad-repository-pulumi-docs-new-policy-everyone.json"
ECS_PULL = REAL / "broad" / "broad-tpl-bichard7-ecs-task-pull-extras.json"


async def test_a_policy_with_findings_only_in_statements_never_shows_a_bare_tick():
    app = PolicyWizardApp()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_policy(pilot, EVERYONE)
        title = screen_lines(app)[0]
        assert title.strip().startswith("Checking: 4 findings (4 errors)"), title
        whole = detail(screen)
        assert "No findings" not in whole and "4 findings (4 errors), all in statements 1" in whole
        await pilot.press("down")
        assert detail(screen).startswith("error anyone with an AWS account can use this statement"), detail(screen)


async def test_tightening_a_repository_policy_says_who_pulls_is_still_to_answer():
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await open_policy(pilot, EVERYONE)
        await pilot.press("t")
        await pilot.pause()
        toast = "\n".join(str(n.message) for n in app._notifications)
        assert "Still to answer:\n• Who uses it" in toast or "Still to answer:\n• Who pulls" in toast, toast
        app.answers.repositories = ["my-app"]
        app.answers.region, app.answers.account = "us-east-1", "123456789012"
        app.answers_changed()
        await pilot.press("alt+5")
        await pilot.pause()
        assert app.step is Step.REVIEW
        changes = await show_section(pilot, "changes")
        assert "! Still to answer on Trust & options: who pulls" in changes
        app.answers.principal = "210987654321"
        app.answers_changed()
        await pilot.pause()
        expected, lines = cli_tighten(
            EVERYONE,
            *("--role", app.answers.role.value, "--repo", "my-app", "--region", "us-east-1"),
            *("--account", "123456789012", "--principal", "210987654321"),
        )
        changes = await show_section(pilot, "changes")
        assert "Still to answer" not in changes
        assert changes_block(changes) == words(lines)
        assert "narrowed Principal *: * -> AWS: arn:aws:iam::210987654321:root" in words([changes])
        assert app.query_one(PolicyView).json_text == expected
        assert "(--" not in changes, "the wizard's own steps, not CLI flags"


def test_a_pull_only_tighten_says_why_the_layer_check_goes_and_why_pull_actions_are_added():
    _, changes = cli_tighten(ECS_PULL, "--role", "ecs", "--account", "123456789012")
    text = "\n".join(changes)
    assert "ecr:BatchCheckLayerAvailability: only docker push asks which layers exist" in text
    assert "the push set includes it" not in text and "docker pull needs it here" in text


def test_plain_asks_again_for_what_the_wizard_refuses():
    """`*` as who pulls is refused at its prompt; an upper-case repository name read from the
    policy is said and asked again: never "Cannot tighten" and status 0 with the answers lost."""
    keys = DOWN + ENTER + str(EVERYONE) + ENTER + DOWN + ENTER  # check, tighten: yes
    keys += ENTER  # who uses it: a CI pipeline
    keys += "*" + ENTER + "\x7f" + "210987654321" + ENTER  # who pulls: refused, then an account
    keys += "my-app" + ENTER + ENTER + "us-east-1" + ENTER + "123456789012" + ENTER + DONE
    output = run_plain(keys)
    assert "Give a 12-digit account ID or a role ARN" not in output  # shown in the prompt's toolbar only
    assert "Cannot tighten" not in output
    assert "narrowed  Principal *: * -> AWS: arn:aws:iam::210987654321:root" in output


def test_plain_asks_again_for_a_repository_name_the_wizard_refuses(tmp_path):
    policy = tmp_path / "upper.json"
    policy.write_text(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:*",'
        '"Resource":"arn:aws:ecr:us-east-1:123456789012:repository/MyApp"}]}'
    )
    keys = DOWN + ENTER + str(policy) + ENTER + DOWN + ENTER  # check, tighten: yes
    keys += "my-app" + ENTER + ENTER + DONE  # the name the policy gives is refused: asked again
    output = run_plain(keys)
    assert "Not usable as it is: repository 'MyApp'" in output
    assert '"Resource": "arn:aws:ecr:us-east-1:123456789012:repository/my-app"' in output


async def test_the_wizard_names_no_cli_flag_it_does_not_have(tmp_path):
    """A statement outside ECR is left out; the CLI's hint (--keep-other) is no choice in the
    wizard, so the review says what happens without it."""
    mixed = tmp_path / "mixed.json"
    mixed.write_text(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr:*","s3:GetObject"],'
        '"Resource":"arn:aws:ecr:us-east-1:123456789012:repository/web"}]}'
    )
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await open_policy(pilot, mixed)
        await pilot.press("t")
        await pilot.pause()
        changes = words([await show_section(pilot, "changes")])
        assert "left-out s3:GetObject: outside ECR: keep it in a policy of its own" in changes
        assert "--" not in changes
