"""The real Textual wizard, driven with Pilot: flows, validation, copy, save, quit."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path

import pyperclip
import pytest
from textual.widgets import Input, Label, OptionList, Static

from tests.tui_helpers import add_repositories, choose_role, preview_text, run_whole_flow, screen_text, type_text
from wizard.core import Access, Role, build_policy, make_request
from wizard.core.answers import Answers, Step
from wizard.core.size import policy_size, split_policy
from wizard.tui.app import PolicyWizardApp
from wizard.tui.dialogs import ConfirmDialog, HelpScreen, OverLimitDialog, SaveDialog
from wizard.tui.preview import PolicyView
from wizard.tui.widgets import StepBar

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
SIZE = (100, 30)


@pytest.fixture(autouse=True)
def no_aws_environment(monkeypatch):
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def core_json(role, repositories, region, account, access=None) -> str:
    return build_policy(make_request(role, repositories, region, account, access).request).to_json()


@pytest.mark.parametrize(
    "role, access, repositories, region, account",
    [
        (Role.CI, None, ["my-app"], "us-east-1", "123456789012"),
        (Role.ECS, None, ["api", "worker"], "eu-west-1", "066635153087"),
        (Role.EKS, "push", ["team-a/*"], "cn-north-1", "111122223333"),
        (Role.LAMBDA, None, ["fn-image"], "us-gov-west-1", "444455556666"),
        (Role.CI, "pull", ["base/python", "cache"], "ap-southeast-7", "777788889999"),
    ],
    ids=["ci", "ecs", "eks-push", "lambda", "ci-pull"],
)
async def test_whole_flow_preview_equals_the_core(role, access, repositories, region, account):
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await run_whole_flow(pilot, role, repositories, region, account, access)
        assert app.step is Step.REVIEW
        assert app.preview.complete
        assert preview_text(app) == core_json(role, repositories, region, account, access)
        expected_access = Access(access) if access else (Access.PUSH if role is Role.CI else Access.PULL)
        assert app.preview.policy.request.access is expected_access


async def test_seed_flow_with_the_keyboard_alone(seed_policy):
    app = PolicyWizardApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await run_whole_flow(pilot, Role.CI, ["my-app"], "us-east-1", "123456789012")
        assert json.loads(preview_text(app)) == seed_policy


async def test_preview_is_visible_from_the_first_step_and_follows_typing():
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first = preview_text(app)
        assert "<repository>" in first and "AllowECRPush" in first, "a draft with placeholders from step 1"
        await pilot.press("down")  # ECS: pull only
        assert "AllowECRPush" not in preview_text(app)
        await pilot.press("up", "ctrl+n")
        await type_text(pilot, "my-ap")
        assert 'repository/my-ap"' in preview_text(app), "the name being typed shows at once"
        await type_text(pilot, "p")
        assert 'repository/my-app"' in preview_text(app)


async def test_role_step_explains_who_pulls_and_preselects_access():
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        info = app.query_one("#role-info", Static)
        assert "pipeline's own IAM role" in str(info.content)
        await pilot.press("down")
        assert "task execution role" in str(info.content) and "task role" in str(info.content)
        assert app.answers.access is Access.PULL
        await pilot.press("down")
        assert "602401143452" in str(info.content), "the EKS add-on caveat"
        await pilot.press("down")
        assert "Lambda service pulls" in str(info.content)
        await pilot.press("tab", "down")
        assert app.answers.role is Role.LAMBDA and app.answers.access is Access.PUSH


async def test_invalid_repository_shows_why_inline_and_blocks_next():
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await type_text(pilot, "My-App")
        feedback = str(app.query_one("#repo-feedback", Static).content)
        assert "upper-case letters" in feedback and "'my-app'" in feedback
        await pilot.press("ctrl+n")
        assert app.step is Step.REPOSITORIES
        assert app.answers.repositories == []
        status = str(app.query_one("#nav", Static).content)
        assert "upper-case" in status
        # Fix it: the error goes and Next works.
        await pilot.press(*["backspace"] * 6)
        await type_text(pilot, "my-app")
        assert "✓" in str(app.query_one("#repo-feedback", Static).content)
        await pilot.press("ctrl+n")
        assert app.step is Step.TARGET and app.answers.repositories == ["my-app"]


async def test_wildcard_warning_and_empty_list_blocks():
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await pilot.press("enter")
        assert app.step is Step.REPOSITORIES, "Enter on an empty field with no repositories stays"
        await type_text(pilot, "team-a/*")
        assert "every repository in the namespace 'team-a/'" in str(app.query_one("#repo-feedback", Static).content)


async def test_repositories_can_be_added_several_at_once_edited_and_removed():
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await type_text(pilot, "api, web worker")
        await pilot.press("enter")
        assert app.answers.repositories == ["api", "web", "worker"]
        await type_text(pilot, "api")
        await pilot.press("enter")
        assert "already in the list" in str(app.query_one("#repo-feedback", Static).content)
        await pilot.press(*["backspace"] * 3)
        listing = app.query_one("#repo-list", OptionList)
        listing.focus()
        listing.highlighted = 1
        await pilot.press("delete")
        assert app.answers.repositories == ["api", "worker"]
        await pilot.press("enter")  # edit the highlighted one ("worker")
        field = app.query_one("#repo-input", Input)
        assert field.has_focus and field.value == "worker"
        await type_text(pilot, "s")
        await pilot.press("enter")
        assert app.answers.repositories == ["api", "workers"]


async def test_invalid_region_and_account_block_next_with_inline_errors():
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await choose_role(pilot, Role.CI)
        await add_repositories(pilot, ["my-app"])
        await type_text(pilot, "xx-nowhere-1")
        await pilot.press("tab", "tab")
        await type_text(pilot, "12345")
        region_feedback = str(app.query_one("#region-feedback", Static).content)
        assert "not in this tool's region list" in region_feedback, "well-formed unknown region: a warning"
        assert "Has 5 digits, not 12" in str(app.query_one("#account-feedback", Static).content)
        await pilot.press("ctrl+n")
        assert app.step is Step.TARGET
        await type_text(pilot, "6789012")
        await pilot.press("ctrl+n", "ctrl+n")
        assert app.step is Step.REVIEW
        assert preview_text(app) == core_json("ci", ["my-app"], "xx-nowhere-1", "123456789012")


async def test_region_search_picks_by_place_name_and_defaults_from_environment(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await choose_role(pilot, Role.ECS)
        await add_repositories(pilot, ["api"])
        field = app.query_one("#region-input", Input)
        assert field.value == "eu-central-1"
        field.value = ""
        await type_text(pilot, "tokyo")
        listing = app.query_one("#region-list", OptionList)
        assert [option.id for option in listing.options if not option.disabled] == ["ap-northeast-1"]
        await pilot.press("enter")
        assert app.answers.region == "ap-northeast-1"
        assert app.query_one("#account-input", Input).has_focus


async def test_back_and_jumping_keep_every_answer():
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await run_whole_flow(pilot, Role.EKS, ["a1", "b2"], "eu-west-2", "123456789012")
        assert app.step is Step.REVIEW
        before = preview_text(app)
        await pilot.press("escape", "escape", "escape", "escape")
        assert app.step is Step.ROLE
        await pilot.press("alt+5")
        assert app.step is Step.REVIEW and preview_text(app) == before
        await pilot.press("alt+2")
        assert app.query_one("#repo-list", OptionList).option_count == 2
        await pilot.press("alt+3")
        assert app.query_one("#region-input", Input).value == "eu-west-2"
        assert app.query_one("#account-input", Input).value == "123456789012"


async def test_jumping_ahead_over_an_incomplete_step_stops_there():
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("alt+5")
        assert app.step is Step.REPOSITORIES
        bar = app.query_one(StepBar)
        await pilot.click(bar, offset=(str(bar.content).index("1 Role"), 0))
        assert app.step is Step.ROLE


class RecordingClipboard:
    def __init__(self) -> None:
        self.copied: list[str] = []

    def copy_xclip(self, text: str) -> None:
        self.copied.append(text)


def seed_app(**kwargs) -> PolicyWizardApp:
    """The app with the seed answers already given (the keyboard flow has its own tests)."""
    answers = Answers(repositories=["my-app"], region="us-east-1", account="123456789012")
    return PolicyWizardApp(answers=answers, **kwargs)


async def _complete_seed(pilot) -> None:
    await pilot.press("alt+5")
    await pilot.pause()
    assert pilot.app.step is Step.REVIEW


async def test_copy_uses_the_system_clipboard_when_pyperclip_works(monkeypatch):
    clipboard = RecordingClipboard()
    monkeypatch.setattr(pyperclip, "determine_clipboard", lambda: (clipboard.copy_xclip, lambda: ""))
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        await _complete_seed(pilot)
        await pilot.press("ctrl+y")
        assert clipboard.copied == [preview_text(app)]
        assert app.last_outcome == "Copied the policy to the system clipboard (xclip)."
        assert "Copied the policy to the clipboard (xclip)." in str(app.query_one("#nav", Static).content)


async def test_copy_falls_back_to_the_terminal_when_pyperclip_has_no_mechanism(monkeypatch):
    def no_clipboard(text: str) -> None:
        raise pyperclip.PyperclipException("Pyperclip could not find a copy/paste mechanism for your system.")

    monkeypatch.setattr(pyperclip, "determine_clipboard", lambda: (no_clipboard, lambda: ""))
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        await _complete_seed(pilot)
        nav = app.query_one("#nav", Static)
        await pilot.click(nav, offset=(str(nav.content).index("Copy"), 0))  # the mouse way
        assert app.clipboard == preview_text(app), "OSC 52 copy recorded by Textual"
        assert "through the terminal (OSC 52)" in app.last_outcome


async def test_copy_before_the_policy_is_complete_explains_instead(monkeypatch):
    clipboard = RecordingClipboard()
    monkeypatch.setattr(pyperclip, "determine_clipboard", lambda: (clipboard.copy_xclip, lambda: ""))
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert clipboard.copied == []
        assert any("finish Repositories first" in str(n.message) for n in app._notifications)


async def test_save_a_new_file(in_tmp):
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        await _complete_seed(pilot)
        await pilot.press("ctrl+s")
        dialog = app.screen
        assert isinstance(dialog, SaveDialog)
        assert dialog.query_one("#save-path", Input).value == "ci-push-my-app-ecr-policy.json"
        await pilot.press("enter")
        await pilot.pause()
        saved = in_tmp / "ci-push-my-app-ecr-policy.json"
        assert saved.read_text() == preview_text(app)
        assert not isinstance(app.screen, SaveDialog)
        assert app.last_outcome == f"Saved {saved.name} in {saved.parent}"
        umask = os.umask(0)
        os.umask(umask)
        assert stat.S_IMODE(saved.stat().st_mode) == 0o666 & ~umask


async def test_save_over_an_existing_file_asks_first_and_keeps_it_by_default(in_tmp):
    """Issue 14 item 13: Enter, Enter must not replace a file; Replace is a deliberate choice."""
    existing = in_tmp / "policy.json"
    existing.write_text("keep me")
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        await _complete_seed(pilot)
        await pilot.press("ctrl+s")
        app.screen.query_one("#save-path", Input).value = "policy.json"
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmDialog)
        assert "policy.json already exists. Replace it?" in screen_text(app)
        assert app.screen.query_one("#no").has_focus, "the safe choice has the focus"
        await pilot.press("enter")  # the second Enter: keeps the file
        await pilot.pause()
        assert existing.read_text() == "keep me" and isinstance(app.screen, SaveDialog)
        assert "Kept" in str(app.screen.query_one("#save-message", Static).content)
        await pilot.press("enter", "enter")  # and again: still kept
        await pilot.pause()
        assert existing.read_text() == "keep me" and app.exported_json is None
        # Replace, chosen on purpose: tab to it (or click it).
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("tab", "enter")
        await pilot.pause()
        assert existing.read_text() == preview_text(app)
        assert app.exported_json == preview_text(app) and not isinstance(app.screen, SaveDialog)


def _unwritable_directory(tmp_path: Path) -> Path:
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        return locked
    # root ignores permission bits; sysfs still refuses new files.
    try:
        tempfile.NamedTemporaryFile(dir="/sys").close()
    except OSError:
        return Path("/sys")
    pytest.skip("no directory here refuses writes to this user")


async def test_save_into_an_unwritable_or_missing_directory_shows_the_error_in_the_dialog(tmp_path):
    locked = _unwritable_directory(tmp_path)
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        await _complete_seed(pilot)
        policy_before = preview_text(app)
        await pilot.press("ctrl+s")
        field = app.screen.query_one("#save-path", Input)
        field.value = str(locked / "policy.json")
        await pilot.press("enter")
        assert isinstance(app.screen, SaveDialog)
        assert "permission denied" in str(app.screen.query_one("#save-message", Static).content)
        field.value = str(tmp_path / "missing" / "policy.json")
        await pilot.press("enter")
        assert "does not exist" in str(app.screen.query_one("#save-message", Static).content)
        await pilot.press("escape")
        assert preview_text(app) == policy_before and app.step is Step.REVIEW
    assert not (locked / "policy.json").exists()


async def test_quit_asks_when_the_policy_was_neither_copied_nor_saved(in_tmp):
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        await _complete_seed(pilot)
        await pilot.press("ctrl+q")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")  # stay
        assert not isinstance(app.screen, ConfirmDialog) and app.is_running
        await pilot.press("ctrl+s", "enter")
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0 and not app.is_running


async def test_quit_confirmed_exits_and_quit_without_a_result_does_not_ask():
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        await _complete_seed(pilot)
        await pilot.press("ctrl+q")
        await pilot.click("#yes")
        await pilot.pause()
    assert not app.is_running
    fresh = PolicyWizardApp()
    async with fresh.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not isinstance(fresh.screen, ConfirmDialog)
    assert not fresh.is_running


async def test_help_lists_the_keys():
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("VerticalScroll Static", Static).content)
        for key in ("ctrl+n", "escape", "ctrl+y", "ctrl+s", "ctrl+p", "ctrl+q", "alt+1"):
            assert key in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_palette_offers_copy_save_steps_and_theme():
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for expected in ("Copy policy", "Save policy", "Go to step 3: Region & account", "Theme"):
            assert any(title.startswith(expected) for title in titles), (expected, titles)


async def test_review_highlights_the_statement_being_explained():
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        await _complete_seed(pilot)
        view = app.query_one(PolicyView)
        assert '"Sid": "AllowECRAuth"' in view.highlighted_text and "AllowECRPull" not in view.highlighted_text
        explanation = str(app.query_one("#explanation", Static).content)
        assert "ecr:GetAuthorizationToken" in explanation and 'only "Resource": "*"' in explanation
        await pilot.press("down", "down")
        assert '"Sid": "AllowECRPush"' in view.highlighted_text and '"ecr:PutImage"' in view.highlighted_text
        explanation = str(app.query_one("#explanation", Static).content)
        assert "ecr:PutImage" in explanation and "Without it:" in explanation
        await pilot.press("down")
        assert "Attach this policy to" in str(app.query_one("#explanation", Static).content)
        await pilot.press("down")
        assert (
            "aws ecr get-login-password --region us-east-1 | docker login --username AWS --password-stdin "
            "123456789012.dkr.ecr.us-east-1.amazonaws.com" in str(app.query_one("#explanation", Static).content)
        )


@pytest.mark.parametrize("theme", ["harbor-night", "harbor-day", "nord"])
async def test_themes_ours_and_builtin(theme):
    app = PolicyWizardApp(theme=theme)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == theme
        assert app.current_theme.dark is (theme != "harbor-day")


async def test_usable_at_80x24_and_survives_tiny_terminals():
    app = seed_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _complete_seed(pilot)
        for widget_id in ("#nav", "#preview-title", "#preview", "#sections", "#explanation-scroll"):
            region = app.query_one(widget_id).region
            assert region.width > 0 and region.height > 0, widget_id
            assert region.right <= 80 and region.bottom <= 24, widget_id
        nav = str(app.query_one("#nav", Static).content)
        assert "Back" in nav and "Copy" in nav and "Save" in nav and nav.index("Save") < 60
        await pilot.resize_terminal(40, 12)
        await pilot.pause()
        assert app.has_class("-narrow")
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert preview_text(app) == core_json("ci", ["my-app"], "us-east-1", "123456789012")


def _many(count: int) -> list[str]:
    return [f"team-{index % 7}/service-{index}" for index in range(count)]


async def test_over_limit_policy_asks_before_save_then_writes_numbered_files(in_tmp):
    app = PolicyWizardApp(answers=Answers(repositories=_many(300), region="us-east-1", account="123456789012"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("alt+5")
        await pilot.pause()
        assert "over the limit" in str(app.query_one("#preview-title", Label).content)
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, OverLimitDialog)
        text = " ".join(str(static.content) for static in app.screen.query(Static))
        assert "40,410 characters" in text and "6,144" in text and "team-0/*" in text
        await pilot.click("#split")
        await pilot.pause()
        assert isinstance(app.screen, SaveDialog)
        await pilot.press("enter")
        await pilot.pause()
    files = sorted(in_tmp.iterdir())
    assert len(files) == 8
    documents = [json.loads(path.read_text()) for path in sorted(files, key=lambda p: int(p.stem.rsplit("-", 1)[1]))]
    parts = split_policy(build_policy(make_request("ci", _many(300), "us-east-1", "123456789012").request))
    assert documents == [part.document for part in parts]


async def test_over_limit_copy_can_compact_and_cancel_leaves_nothing_copied(monkeypatch):
    copied = []
    monkeypatch.setattr(pyperclip, "determine_clipboard", lambda: (lambda text: copied.append(text), lambda: ""))
    app = PolicyWizardApp(answers=Answers(repositories=_many(300), region="us-east-1", account="123456789012"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("alt+5", "ctrl+y")
        assert isinstance(app.screen, OverLimitDialog)
        await pilot.press("escape")
        assert copied == [] and not isinstance(app.screen, OverLimitDialog)
        await pilot.press("ctrl+y")
        await pilot.click("#compact")
        await pilot.pause()
        assert len(copied) == 1
        document = json.loads(copied[0])
        assert policy_size(document) <= 6144
        assert "arn:aws:ecr:us-east-1:123456789012:repository/team-0/*" in document["Statement"][1]["Resource"]
        assert "(compacted)" in str(app.query_one("#preview-title", Label).content)


async def test_mouse_next_link_and_role_click():
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        roles = app.query_one("#role-list")
        await pilot.click(roles, offset=(2, 3))  # under the heading, the third role: Amazon EKS
        assert app.answers.role is Role.EKS
        nav = app.query_one("#nav", Static)
        await pilot.click(nav, offset=(str(nav.content).index("Next"), 0))
        assert app.step is Step.REPOSITORIES


async def test_what_if_shows_what_breaks_without_an_action():
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        await _complete_seed(pilot)
        sections = app.query_one("#sections", OptionList)
        sections.highlighted = next(i for i, o in enumerate(sections.options) if o.id == "whatif")
        await pilot.pause()
        result = app.query_one("#whatif-result", Static)
        assert "Without ecr:GetAuthorizationToken" in str(result.content)
        await pilot.press("tab", *["down"] * 6)  # to ecr:CompleteLayerUpload
        text = " ".join(str(result.content).split())
        assert "Without ecr:CompleteLayerUpload" in text and "docker push: breaks at call 6" in text
        assert "is granted but lacks ecr:CompleteLayerUpload; docker push fails" in text
        assert '"Sid": "AllowECRPush"' in app.query_one(PolicyView).highlighted_text
        assert app.policy_json == core_json("ci", ["my-app"], "us-east-1", "123456789012"), (
            "what-if never changes the policy"
        )


async def test_open_an_existing_policy_shows_findings_beside_each_statement(tmp_path):
    from tests.conftest import FIXTURES
    from wizard.tui.inspect import InspectScreen, OpenPolicyDialog

    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        assert isinstance(app.screen, OpenPolicyDialog)
        app.screen.query_one("#open-path", Input).value = str(tmp_path / "missing.json")
        await pilot.press("enter")
        assert "Cannot read" in str(app.screen.query_one("#open-message", Static).content)
        app.screen.query_one("#open-path", Input).value = str(FIXTURES / "bad" / "blog-post-combined.json")
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, InspectScreen)
        assert "9 findings (6 errors, 3 warnings)" in str(screen.query_one("#inspect-title", Label).content)
        await pilot.press("down", "down")  # statement 2
        detail = str(screen.query_one("#inspect-detail", Static).content)
        assert "is a registry URL" in detail and "Fix: use arn:aws:ecr:us-east-1:123456789012:repository/web" in detail
        assert '"Sid": "Upload"' in screen.query_one(PolicyView).highlighted_text
        await pilot.press("escape")
        assert not isinstance(app.screen, InspectScreen)


async def test_pasted_policy_is_checked_too(seed_policy):
    from textual.widgets import TextArea

    from wizard.tui.inspect import InspectScreen

    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        app.screen.query_one("#paste", TextArea).text = json.dumps(seed_policy)
        await pilot.click("#open-confirm")
        await pilot.pause()
        assert isinstance(app.screen, InspectScreen)
        assert "no findings" in str(app.screen.query_one("#inspect-title", Label).content)


async def test_trust_and_options_step_then_terraform_output_is_saved(in_tmp):
    app = seed_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("alt+4")
        assert app.step is Step.SETUP
        await pilot.press("down")  # GitHub Actions (OIDC)
        assert app.answers.trust == "github"
        await pilot.press("ctrl+n")
        assert app.step is Step.SETUP, "the GitHub repository is required"
        assert "GitHub repository" in str(app.query_one("#nav", Static).content)
        await pilot.press("tab")
        await type_text(pilot, "my-org/my-app")
        await pilot.press("tab", "down", "down", "tab")  # environment
        await type_text(pilot, "production")
        await pilot.press("ctrl+n")
        assert app.step is Step.REVIEW and app.preview.bundle.trust is not None
        sections = app.query_one("#sections", OptionList)
        sections.highlighted = 0  # Output
        await pilot.pause()
        await pilot.press("tab", "down", "down")  # JSON identity -> JSON trust -> Terraform
        assert app.answers.output == "terraform"
        assert 'resource "aws_iam_role" "ecr"' in app.policy_json
        await pilot.press("ctrl+s")
        assert app.screen.query_one("#save-path", Input).value == "ci-push-my-app-ecr-policy.tf"
        await pilot.press("enter")
        await pilot.pause()
    saved = (in_tmp / "ci-push-my-app-ecr-policy.tf").read_text()
    assert '"repo:my-org/my-app:environment:production"' in saved


async def test_options_and_lambda_cross_account_in_the_wizard():
    app = PolicyWizardApp(
        answers=Answers(
            role=Role.LAMBDA, access=Access.PULL, repositories=["fn"], region="eu-west-1", account="123456789012"
        )
    )
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("alt+4")
        app.query_one("#cross-account", Input).value = "210987654321"
        await pilot.pause()
        assert app.answers.function_account == "210987654321"
        app.query_one("#option-kms").value = True
        await pilot.pause()
        await pilot.press("alt+5")
        repository = app.preview.bundle.repository.document
        assert [s["Sid"] for s in repository["Statement"]] == ["LambdaFunctionAccount", "LambdaServicePull"]
        assert any("KMS" in note for note in app.preview.bundle.notes)
        app.answers.output = "json-repository"
        app.answers_changed()
        assert json.loads(app.policy_json) == repository
        assert app.preview.file_name() == "lambda-pull-fn-repository-policy.json"


async def test_conflicting_options_block_the_step():
    app = seed_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("alt+4")
        app.query_one("#option-public").value = True
        app.query_one("#option-pull-through-cache").value = True
        await pilot.pause()
        await pilot.press("ctrl+n")
        assert app.step is Step.SETUP
        assert "Cannot be combined" in str(app.query_one("#setup-feedback", Static).content)
