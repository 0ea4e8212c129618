"""Issue 17 item 3: "paste an error" in the wizard and in --plain.

Real messages from the diagnose corpus (tests/fixtures/real/errors, each with the address it
came from) are pasted as a terminal pastes them; the wizard must land on the review step with
the same policy `ecr-policy diagnose` writes for that message (a subprocess of the real CLI),
whose fixes test_diagnose.py checks with moto's evaluator. Hostile pastes stay inert.
"""

from __future__ import annotations

import json

import pytest
from textual.widgets import Button, Static

from tests.conftest import FIXTURES, run_cli
from tests.test_plain import DONE, DOWN, ENTER, run_plain
from tests.tui_helpers import feed_terminal, preview_text, screen_lines, screen_text
from wizard.core.answers import Answers, Step
from wizard.core.limits import MESSAGE_BYTES
from wizard.core.request import Access, Role
from wizard.tui.app import PolicyWizardApp
from wizard.tui.paste_error import ErrorPasteArea, PasteErrorDialog

ERRORS = FIXTURES / "real" / "errors"
SMALL = (80, 24)
PUSH_DENIED = ERRORS / "ci-github-actions-moj-7245-initiatelayerupload-no-identity-policy.txt"
"""AccessDenied on ecr:InitiateLayerUpload from a GitHub Actions role
(https://github.com/ministryofjustice/cloud-platform/issues/7245)."""
REDACTED = ERRORS / "ci-rules-oci-648-crane-push-needs-batchgetimage.txt"
"""A refused crane push whose account and repository are redacted."""
BARE_403 = ERRORS / "ecs-codepipeline-cdk-29876-cannotpull-403.txt"
"""CannotPullContainerError with a bare 403: not enough to know which policy to change."""
FROM_ERROR = DOWN * 3 + ENTER  # the first --plain menu: "Start from an error message"
END_PASTE = "\x1b\r"  # Esc then Enter ends a multi-line questionary prompt


@pytest.fixture(autouse=True)
def in_tmp(monkeypatch, tmp_path):
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def diagnose_cli_policy(text: str) -> dict:
    result = run_cli("diagnose", text)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def paste(pilot, text: str) -> None:
    feed_terminal(pilot, f"\x1b[200~{text}\x1b[201~")


def diagnosis_text(app: PolicyWizardApp) -> str:
    return " ".join(str(app.screen.query_one("#diagnosis", Static).render()).split())


async def test_a_pasted_access_denied_lands_on_review_with_the_policy_diagnose_writes():
    text = PUSH_DENIED.read_text()
    app = PolicyWizardApp()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        assert "^e Paste error" in screen_lines(app)[-1], "the key is shown on the first step"
        await pilot.press("ctrl+e")
        assert isinstance(app.screen, PasteErrorDialog)
        paste(pilot, text)
        await pilot.press("ctrl+r")
        await pilot.pause()
        shown = diagnosis_text(app)
        assert "A fix to apply" in shown
        assert "who: role 'cloud-platform-ecr-e344de1fe05708ec-github'" in shown
        assert "tried: ecr:InitiateLayerUpload (push)" in shown
        assert "on: repository 'laa-pcuam/csv-converter' in account 754256621582, eu-west-2" in shown
        assert "change: the identity policy of role" in shown
        assert app.screen.focused.id == "apply"
        await pilot.press("enter")
        await pilot.pause()
        assert app.step is Step.REVIEW and app.preview.complete
        assert json.loads(preview_text(app)) == diagnose_cli_policy(text)
        assert app.answers.role is Role.CI and app.answers.access is Access.PUSH
        assert app.preview.bundle.trust is None, "the refused role exists: no trust policy is made"
        assert "Filled in with the fix" in screen_text(app)


async def test_the_palette_offers_it_on_every_step():
    app = PolicyWizardApp(answers=Answers(repositories=["my-app"]))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("alt+2", "ctrl+p")
        await pilot.pause()
        await pilot.press(*"error message")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PasteErrorDialog)
        await pilot.press("escape")
        assert app.step is Step.REPOSITORIES and app.answers.repositories == ["my-app"]


async def test_a_redacted_message_lands_on_the_first_step_it_could_not_answer():
    app = PolicyWizardApp()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("ctrl+e")
        paste(pilot, REDACTED.read_text())
        await pilot.press("ctrl+r")
        await pilot.pause()
        shown = diagnosis_text(app)
        assert "still needed (asked next):" in shown
        assert "the account that owns the repository: the message redacts it" in shown
        assert "next: Apply opens Repositories" in shown
        await pilot.press("enter")
        await pilot.pause()
        assert app.step is Step.REPOSITORIES
        assert app.answers.role is Role.CI and app.answers.access is Access.PUSH and app.answers.trust == "none"
        assert "Repositories needs more" in app.last_outcome


async def test_a_bare_403_gets_the_need_more_answer_and_nothing_to_apply():
    app = PolicyWizardApp()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("ctrl+e")
        paste(pilot, BARE_403.read_text())
        await pilot.press("ctrl+r")
        await pilot.pause()
        shown = diagnosis_text(app)
        assert "No fix to apply here" in shown
        assert "likely causes, most likely first: 1. the task execution role" in shown
        assert app.screen.query_one("#apply", Button).disabled
        await pilot.press("escape")
        assert app.step is Step.ROLE and app.answers == Answers()


async def test_editing_the_text_after_a_diagnosis_waits_for_a_new_one():
    app = PolicyWizardApp()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("ctrl+e")
        paste(pilot, PUSH_DENIED.read_text())
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert not app.screen.query_one("#apply", Button).disabled
        app.screen.query_one(ErrorPasteArea).focus()
        await pilot.press("x")
        await pilot.pause()
        assert app.screen.query_one("#apply", Button).disabled


HOSTILE = (
    "denied: User: arn:aws:sts::111122223333:assumed-role/[@click=app.quit]/GitHubActions is not authorized "
    "to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:eu-west-2:111122223333:repository/app "
    "because no identity-based policy allows the ecr:InitiateLayerUpload action \x1b]0;owned\x07\x1b[2J[b]bold[/b]"
)


async def test_a_hostile_paste_stays_inert():
    app = PolicyWizardApp()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+e")
        paste(pilot, HOSTILE)
        await pilot.pause()
        area = app.screen.query_one(ErrorPasteArea)
        assert "owned" in area.text and not {"\x1b", "\x07"} & set(area.text), "escapes shown, never sent"
        await pilot.press("ctrl+r")
        await pilot.pause()
        lines = screen_lines(app)
        row = next(number for number, line in enumerate(lines) if "[@click=app.quit]" in line)
        assert "\x1b" not in "".join(lines)
        await pilot.click(offset=(lines[row].index("[@click") + 3, row))  # where a link would be
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, PasteErrorDialog)
        assert "[b]bold[/b]" in area.text and "A fix to apply" in diagnosis_text(app)


async def test_text_that_is_no_error_gets_an_inline_message():
    app = PolicyWizardApp()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("ctrl+e")
        paste(pilot, "[@click=app.quit] hello")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert "✗ Nothing in this text looks like an error about ECR access" in diagnosis_text(app)
        assert app.screen.query_one("#apply", Button).disabled
        await pilot.press("ctrl+r")
        assert app.is_running


async def test_a_paste_over_the_limit_is_refused_and_says_so():
    app = PolicyWizardApp()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("ctrl+e")
        paste(pilot, "x" * (MESSAGE_BYTES.size + 1))
        await pilot.pause()
        assert app.screen.query_one(ErrorPasteArea).text == ""
        assert "larger than 65,536 bytes, the limit for an error message" in diagnosis_text(app)


async def test_the_dialog_keeps_its_buttons_on_an_80x24_screen():
    app = PolicyWizardApp()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("ctrl+e")
        paste(pilot, PUSH_DENIED.read_text())
        await pilot.press("ctrl+r")
        await pilot.pause()
        for button in app.screen.query(Button):
            assert 0 < button.region.bottom <= SMALL[1] - 1, (button.id, button.region)
            assert str(button.label) in screen_lines(app)[button.region.y], button.id


# Snapshots at 80x24 (open and read each SVG before accepting it) ---------------------------


def _snapshot_app() -> PolicyWizardApp:
    return PolicyWizardApp(theme="harbor-night")


async def _diagnosed(pilot) -> None:
    await pilot.press("ctrl+e")
    paste(pilot, PUSH_DENIED.read_text())
    await pilot.press("ctrl+r")
    await pilot.pause()


async def _need_more(pilot) -> None:
    await pilot.press("ctrl+e")
    paste(pilot, BARE_403.read_text())
    await pilot.press("ctrl+r")
    await pilot.pause()


def test_snapshot_empty_dialog(snap_compare, monkeypatch):
    monkeypatch.chdir("/")
    assert snap_compare(_snapshot_app(), press=["ctrl+e"], terminal_size=SMALL)


def test_snapshot_with_a_fix(snap_compare, monkeypatch):
    monkeypatch.chdir("/")
    assert snap_compare(_snapshot_app(), run_before=_diagnosed, terminal_size=SMALL)


def test_snapshot_need_more(snap_compare, monkeypatch):
    monkeypatch.chdir("/")
    assert snap_compare(_snapshot_app(), run_before=_need_more, terminal_size=SMALL)


# --plain ------------------------------------------------------------------------------------


def printed_policy(output: str) -> dict:
    lines = output.splitlines()
    start = lines.index("{")
    return json.loads("\n".join(lines[start : lines.index("}", start) + 1]))


def test_plain_starts_from_an_error_and_prints_the_policy_diagnose_writes():
    text = PUSH_DENIED.read_text()
    status, output = run_plain(text + END_PASTE + ENTER + DONE, task=FROM_ERROR)
    assert status == 0, output
    assert "tried:  ecr:InitiateLayerUpload (push)" in output
    assert printed_policy(output) == diagnose_cli_policy(text)
    assert "Where each part goes" in output


def test_plain_asks_what_a_redacted_message_does_not_say():
    answers = "my-app" + ENTER + ENTER + "us-east-1" + ENTER + "123456789012" + ENTER
    status, output = run_plain(REDACTED.read_text() + END_PASTE + ENTER + answers + DONE, task=FROM_ERROR)
    assert status == 0, output
    expected = run_cli(
        "diagnose", str(REDACTED), "--repo", "my-app", "--region", "us-east-1", "--account", "123456789012"
    )
    assert expected.returncode == 0, expected.stderr
    assert printed_policy(output) == json.loads(expected.stdout)


def test_plain_says_when_no_policy_of_ours_fixes_it():
    status, output = run_plain(BARE_403.read_text() + END_PASTE, task=FROM_ERROR)
    assert status == 0
    assert "likely causes, most likely first:" in output
    assert "No policy of yours fixes this one" in output and "{" not in output


def test_plain_shows_a_hostile_paste_inert():
    """Pasted as a terminal pastes (bracketed): escapes reach the diagnosis, never the terminal."""
    status, output = run_plain(f"\x1b[200~{HOSTILE}\x1b[201~" + END_PASTE + ENTER + DONE, task=FROM_ERROR)
    assert status == 0, output
    assert "who:    role '[@click=app.quit]' (session 'GitHubActions')" in output
    assert not {"\x1b", "\x07"} & set(output), "no raw escape or bell reaches the terminal"
    assert '"Resource": "arn:aws:ecr:eu-west-2:111122223333:repository/app"' in output


def test_plain_says_so_when_the_text_is_no_error_and_asks_again():
    status, output = run_plain("hello" + END_PASTE + "\x03", task=FROM_ERROR)
    assert status == 130
    assert "Nothing in this text looks like an error about ECR access" in output


async def test_applying_from_the_review_step_replaces_what_was_there():
    text = PUSH_DENIED.read_text()
    answers = Answers(repositories=["other"], region="us-east-1", account="123456789012")
    answers.choose_role(Role.ECS)
    app = PolicyWizardApp(answers=answers)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("alt+5")
        await pilot.pause()
        app.action_paste_error()
        await pilot.pause()
        paste(pilot, text)
        await pilot.press("ctrl+r")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.step is Step.REVIEW and app.answers.role is Role.CI
        assert json.loads(preview_text(app)) == diagnose_cli_policy(text)
        sections = str(app.screen.query_one("#sections").get_option_at_index(3).prompt)
        assert "Push images" in sections, "the review step shows the new policy's statements"


CROSS_ACCOUNT = ERRORS / "ci-github-runner-ecr-login-232-cross-account-no-resource-policy.txt"
"""A push refused by the repository policy, both account IDs redacted (A and B)."""


async def test_a_cross_account_message_says_where_the_missing_caller_is_asked():
    app = PolicyWizardApp()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("ctrl+e")
        paste(pilot, CROSS_ACCOUNT.read_text())
        await pilot.press("ctrl+r")
        await pilot.pause()
        shown = diagnosis_text(app)
        assert "next: Apply opens Region & account" in shown
        assert "then on Trust & options: who is refused: the caller's account is not in the message" in shown
        await pilot.press("enter")
        await pilot.pause()
        assert app.step is Step.TARGET and app.answers.repositories == ["runner-test"]


def test_plain_asks_the_owner_and_the_caller_and_builds_the_repository_policy():
    owner, caller = "210987654321", "123456789012"
    keys = CROSS_ACCOUNT.read_text() + END_PASTE + ENTER + owner + ENTER + caller + ENTER + DONE
    status, output = run_plain(keys, task=FROM_ERROR)
    assert status == 0, output
    expected = run_cli("diagnose", str(CROSS_ACCOUNT), "--account", owner, "--principal", caller)
    assert expected.returncode == 0, expected.stderr
    assert "Repository policy" in output
    repository = json.loads(expected.stdout)
    assert json.dumps(repository, indent=2) in output, "the repository policy diagnose writes is printed"
