"""Issue 14: a newcomer's pass over the wizard. One test (or a few) per numbered item, driving
the real app with Pilot at the sizes a newcomer uses (80x24 first), reading what is on screen.
The CLI help (item 11) is in test_help.py, the plain-prompt items in test_plain.py, the
snapshots of every step and dialog in test_snapshots.py.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pyperclip
import pytest
from textual.color import Color
from textual.theme import BUILTIN_THEMES
from textual.widgets import Button, Input, OptionList, Static, TextArea
from textual.widgets._toast import Toast

from tests.tui_helpers import feed_terminal, preview_text, screen_lines, screen_text
from wizard.core.answers import Answers, Step
from wizard.core.request import Access, Role
from wizard.themes import MINIMUM_CONTRAST, contrast_ratio, load_themes, parse_hex
from wizard.tui.app import PolicyWizardApp, available_themes
from wizard.tui.dialogs import HelpScreen
from wizard.tui.inspect import InspectScreen, OpenPolicyDialog
from wizard.tui.preview import KINDS, PolicyView
from wizard.tui.widgets import StepBar

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
SMALL = (80, 24)
SEED_POLICY = Path(__file__).parent / "fixtures" / "seed_policy.json"


@pytest.fixture(autouse=True)
def no_aws_environment(monkeypatch):
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)


def seeded(**kwargs) -> PolicyWizardApp:
    return PolicyWizardApp(
        answers=Answers(repositories=["my-app"], region="us-east-1", account="123456789012"), **kwargs
    )


async def focus_on(pilot, selector: str) -> None:
    """Give a widget the focus, as Tab would, and let the step scroll it into view."""
    widget = pilot.app.query_one(selector)
    widget.focus()
    await pilot.pause()
    widget.scroll_visible(animate=False, immediate=True)
    await pilot.pause()


def footer(app: PolicyWizardApp) -> str:
    return screen_lines(app)[-1]


def status(app: PolicyWizardApp) -> str:
    """The status line's text, after checking it is drawn whole (not cut with "…")."""
    nav = app.query_one("#nav", Static)
    if nav.region.height:
        assert not screen_lines(app)[nav.region.y].rstrip().endswith("…"), screen_lines(app)[nav.region.y]
    return nav.content.plain


# Item 1: step jumps through what terminals really send ---------------------------------------


@pytest.mark.parametrize(
    "sequence, expected",
    [
        ("\x1b2", Step.REPOSITORIES),  # tmux, xterm with metaSendsEscape, most Linux terminals
        ("\x1b5", Step.REVIEW),
        ("\x1b[51;3u", Step.TARGET),  # kitty keyboard protocol: alt+3
        ("\x1b[52;3u", Step.SETUP),
    ],
    ids=["esc-2", "esc-5", "kitty-alt-3", "kitty-alt-4"],
)
async def test_alt_digit_jumps_arrive_as_terminals_send_them(sequence, expected):
    app = seeded()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        feed_terminal(pilot, sequence)
        await pilot.pause()
        assert app.step is expected


async def test_alt_digit_jumps_from_inside_a_text_field_and_digits_where_none_has_focus():
    app = seeded()
    async with app.run_test(size=SMALL) as pilot:
        feed_terminal(pilot, "3")  # the role list has focus: a plain digit jumps
        await pilot.pause()
        assert app.step is Step.TARGET
        assert app.query_one("#region-input", Input).has_focus
        feed_terminal(pilot, "4")  # in a text field a digit is text (over the selected value)...
        await pilot.pause()
        assert app.step is Step.TARGET and app.query_one("#region-input", Input).value == "4"
        feed_terminal(pilot, "\x1b1")  # ...and ESC 1 (alt+1) still jumps, typing nothing
        await pilot.pause()
        assert app.step is Step.ROLE and app.answers.region == "4"


async def test_step_jumps_are_not_taken_while_a_dialog_is_open():
    app = seeded()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("f1")
        feed_terminal(pilot, "\x1b3")
        await pilot.press("3")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen) and app.step is Step.ROLE


# Item 2: every syntax colour of every theme reads at 4.5:1 ---------------------------------


@pytest.mark.parametrize("data", load_themes(), ids=lambda data: data.name)
def test_our_themes_preview_colours_reach_wcag_aa_on_the_pane_and_on_the_highlight(data):
    surface = parse_hex(data.colours["surface"])
    highlight = parse_hex(data.syntax["highlight"])
    for kind in KINDS:
        colour = parse_hex(data.syntax[kind])
        for background in (surface, highlight):
            assert contrast_ratio(colour, background) >= MINIMUM_CONTRAST, (data.name, kind, background)


@pytest.mark.parametrize("theme", available_themes())
async def test_the_preview_draws_legible_colours_in_every_theme(theme):
    """Ours and every Textual theme: the colours the preview really draws, against the pane
    and the highlighted statement, computed from the rendered styles."""
    app = seeded(theme=theme)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("alt+5")
        view = app.query_one(PolicyView)
        styles = view._token_styles()
        backgrounds = [view.background_colors[1].rgb, Color.from_rich_color(styles["highlight"].bgcolor).rgb]
        for kind in KINDS:
            colour = Color.from_rich_color(styles[kind].color).rgb
            for background in backgrounds:
                assert contrast_ratio(colour, background) >= MINIMUM_CONTRAST, (theme, kind, colour, background)
    assert theme in BUILTIN_THEMES or theme.startswith("harbor-")


# Item 3: nothing a user needs is clipped at 80x24 ------------------------------------------


def _placeholders_fit(app: PolicyWizardApp) -> int:
    checked = 0
    for field in app.current_step_widget.query(Input):
        if field.region.width and field.placeholder:  # shown (a hidden group has no region)
            width = field.content_region.width
            assert len(field.placeholder) <= width, (app.step, field.id, field.placeholder, width)
            checked += 1
    return checked


async def test_every_placeholder_fits_its_field_at_80x24():
    app = seeded()
    async with app.run_test(size=SMALL) as pilot:
        checked = 0
        for step in Step:
            await pilot.press(f"alt+{step.value + 1}")
            checked += _placeholders_fit(app)
        await pilot.press("alt+4")
        for _ in range(4):  # every trust source, with its own fields (GitHub, GitLab, ...)
            await pilot.press("down")
            checked += _placeholders_fit(app)
        await pilot.press("up", "up", "up")  # GitHub: each kind of ref changes the ref's placeholder
        app.query_one("#github-ref-kind").focus()
        for _ in range(3):
            await pilot.press("down")
            checked += _placeholders_fit(app)
        assert checked >= 15


async def test_the_words_the_issue_found_cut_are_whole_at_80x24():
    app = PolicyWizardApp()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        assert "f1 Help" in footer(app)
        await pilot.press("enter", *"my-app", "enter", "enter")
        text = screen_text(app)
        for words in (
            "A code, or search by place:",
            "tokyo, frankfurt…",
            "12 digits: the account",
            "e.g. 123456789012",
        ):
            assert words in text, words
        await pilot.press(*"us-east-1", "enter", *"123456789012", "enter")
        assert app.step is Step.SETUP
        for selector, words in (("#role-name", "Role name"), ("#cross-account", "Pulled from another account?")):
            await focus_on(pilot, selector)
            assert words in screen_text(app), words
        await focus_on(pilot, "#trust-list")
        await pilot.press("down", "down", "down")  # AWS CodeBuild: a role to create, its default name shown whole
        assert app.query_one("#trust-list").value == "codebuild"
        hint = app.query_one("#role-name-hint", Static).content.plain
        assert "ecr-ci-push-my-app" in hint
        await focus_on(pilot, "#role-name")
        assert "ecr-ci-push-my-app" in screen_text(app)
        await focus_on(pilot, "#option-pull-through-cache")
        text = screen_text(app)
        assert "[ ] Pull-through cache" in text and "repositories (e.g." in text and "docker-hub/*)" in text
        await pilot.press("ctrl+n")
        await pilot.press("down")  # statement 2: ecr:BatchCheckLayerAvailability
        assert any(line.strip(" ▊▁▂▃▄▅▆▇█").startswith("ecr:BatchCheckLayerAvailability") for line in screen_lines(app))


async def test_options_show_a_tick_or_an_empty_box():
    app = seeded()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("alt+4")
        await focus_on(pilot, "#option-kms")
        assert "[ ] KMS-encrypted" in screen_text(app)
        await pilot.press("space")
        assert app.answers.kms and "[✓] KMS-encrypted" in screen_text(app)
        await pilot.press("enter")  # Enter is "next step" here too, not a second toggle
        assert app.answers.kms and app.step is Step.REVIEW


# Item 4: the ctrl+o dialog fits 80x24 ------------------------------------------------------


async def test_check_dialog_buttons_are_on_screen_and_reached_with_tab():
    app = PolicyWizardApp()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("ctrl+o")
        dialog = app.screen
        assert isinstance(dialog, OpenPolicyDialog)
        for button in dialog.query(Button):
            assert button.region.bottom <= SMALL[1] - 1 and button.region.height == 1, button.id
        await pilot.press("tab", "tab")
        assert dialog.query_one("#open-confirm", Button).has_focus
        assert "Check" in screen_lines(app)[dialog.query_one("#open-confirm").region.y]
        app.screen.query_one("#paste", TextArea).text = SEED_POLICY.read_text()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, InspectScreen)


# Item 5: Enter does the same kind of thing everywhere, and the hint says what ---------------


async def test_the_hint_says_what_enter_does_where_the_focus_is():
    app = PolicyWizardApp()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        assert "Enter next step: Repositories" in status(app)
        await pilot.press("enter")
        assert "Type a repository name, then Enter adds it" in status(app)
        await pilot.press(*"api")
        assert "Enter adds api" in status(app)
        await pilot.press("enter", *"web", "enter")
        assert "Enter next step: Region & account" in status(app)
        await pilot.press("tab")  # the list
        assert "Enter edits api" in status(app) and "Del removes it" in status(app)
        await pilot.press("enter")
        assert app.query_one("#repo-input", Input).value == "api", "Enter did edit it"
        await pilot.press("enter", "enter")
        assert app.step is Step.TARGET
        assert "Type a region code or a place" in status(app)
        await pilot.press(*"frank")
        assert "Enter picks eu-central-1 (Frankfurt)" in status(app)
        await pilot.press("enter")
        assert "Type the 12-digit account ID, then Enter" in status(app)
        await pilot.press(*"123456789012")
        assert "Enter next step: Trust & options" in status(app)
        await pilot.press("enter")
        assert app.step is Step.SETUP and "Enter next step: Review" in status(app)
        role_name = app.query_one("#role-name", Input)
        role_name.focus()
        await pilot.press(*"my-ci-role")
        assert "Enter next step: Review" in status(app)
        await pilot.press("enter")
        assert app.step is Step.REVIEW, "Enter in the role name field moves on like every other field"


async def test_enter_on_a_setup_step_with_a_missing_detail_says_what_is_missing():
    app = seeded()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("alt+4", "down")  # GitHub Actions
        await pilot.press("enter")
        assert app.step is Step.SETUP
        assert "GitHub repository" in status(app) and "is required" in status(app)


# Item 6: sentences name only what the user named, and "below" is there ----------------------


async def test_no_new_role_never_names_a_role_the_user_did_not_give():
    app = seeded()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("alt+5")
        sections = app.query_one("#sections", OptionList)
        sections.highlighted = next(i for i, option in enumerate(sections.options) if option.id == "attach")
        await pilot.pause()
        explanation = app.query_one("#explanation", Static).content.plain
        assert "attach to your existing role in account 123456789012." in explanation
        assert "ecr-ci-push-my-app" not in explanation
        await pilot.press("alt+4")
        app.query_one("#role-name", Input).value = "build-role"
        await pilot.press("alt+5")
        sections.highlighted = next(i for i, option in enumerate(sections.options) if option.id == "attach")
        await pilot.pause()
        explanation = app.query_one("#explanation", Static).content.plain
        assert "attach to the role build-role in account 123456789012 (an existing role)." in explanation


async def test_the_trust_policy_the_review_calls_below_is_shown_below():
    app = PolicyWizardApp(
        answers=Answers(
            role=Role.ECS, access=Access.PULL, repositories=["api"], region="eu-west-1", account="123456789012"
        )
    )
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("alt+5")
        sections = app.query_one("#sections", OptionList)
        sections.highlighted = next(i for i, option in enumerate(sections.options) if option.id == "attach")
        await pilot.pause()
        explanation = app.query_one("#explanation", Static).content.plain
        below = explanation.index("created here with the trust policy below")
        assert explanation.index('"Service": "ecs-tasks.amazonaws.com"') > below


# Item 7: copy feedback says the real cause, briefly ----------------------------------------


@pytest.fixture
def xclip_without_display(tmp_path, monkeypatch):
    """xclip installed (a stand-in on PATH), no X display: what SSH sessions look like."""
    tools = tmp_path / "bin"
    tools.mkdir()
    fake = tools / "xclip"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    for name in ("DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TMUX", "/tmp/tmux-0/default,1,0")  # the longer advice: still two lines


async def test_copy_without_a_display_names_the_cause_in_two_lines(xclip_without_display):
    app = seeded()
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await pilot.press("alt+5", "ctrl+y")
        await pilot.pause()
        assert app.clipboard == preview_text(app), "copied through the terminal (OSC 52)"
        (notification,) = app._notifications
        assert "xclip has no display (DISPLAY unset)" in notification.message
        assert "install xclip" not in notification.message
        assert notification.timeout <= 6
        await pilot.pause(0.1)  # the toast is mounted after the notification
        (toast,) = app.screen.query(Toast)
        assert toast.region.height <= 2, "one or two lines"
        nav = app.query_one("#nav")
        assert toast.region.bottom <= nav.region.y, "never over Copy and Save"
        assert status(app).endswith("Copied through the terminal (OSC 52).")


async def test_copy_to_the_system_clipboard_says_so_on_the_status_line_only(monkeypatch):
    copied = []
    monkeypatch.setattr(pyperclip, "determine_clipboard", lambda: (lambda text: copied.append(text), lambda: ""))
    app = seeded()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("alt+5", "ctrl+y")
        await pilot.pause()
        assert copied == [preview_text(app)]
        assert not app._notifications
        assert "Copied the policy to the clipboard" in status(app)


# Item 8: the inspect screen offers only keys that work there --------------------------------


async def test_the_inspect_screen_footer_offers_only_its_own_keys():
    app = seeded()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("ctrl+o")
        app.screen.query_one("#open-path", Input).value = str(SEED_POLICY)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, InspectScreen)
        keys = footer(app)
        assert "esc Back to the wizard" in keys
        for offered in ("^y", "^n", "^s", "^o"):
            assert offered not in keys, offered
        before = app.step
        await pilot.press("ctrl+n", "ctrl+y", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, InspectScreen) and app.step is before and app.clipboard == ""


# Item 9: the first frame ticks nothing ------------------------------------------------------


async def test_the_first_frame_ticks_no_step_and_ticks_follow_visits():
    app = PolicyWizardApp()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        bar = app.query_one(StepBar).content.plain
        assert "✓" not in bar
        await pilot.press("enter", *"my-app", "enter", "enter")
        bar = app.query_one(StepBar).content.plain
        assert "✓ 1" in bar and "✓ 2" in bar and "✓ 4" not in bar


# Item 10: words that fit the role, and the usual choice said --------------------------------


async def test_the_role_step_says_who_pushes_for_a_pushing_role():
    app = PolicyWizardApp()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        info = app.query_one("#role-info", Static).content.plain
        assert info.startswith("Who pushes and pulls")
        await pilot.press("down")  # ECS pulls only
        assert app.query_one("#role-info", Static).content.plain.startswith("Who really pulls")


async def test_who_assumes_the_role_says_which_choice_is_usual():
    app = seeded()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("alt+4")
        hint = app.query_one("#trust-hint", Static).content.plain
        assert "Keep the first choice" in hint and "usual" in hint


async def test_review_sub_choices_are_reached_with_enter_and_left_with_escape():
    app = seeded()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("alt+5", "up")  # the Output entry
        assert "Enter choose what to copy and save" in status(app)
        await pilot.press("enter")
        assert app.query_one("#output-list").has_focus
        assert "Enter or Esc: back" in status(app) and not status(app).endswith("…")
        await pilot.press("down")  # JSON -> Terraform (no trust or repository policy here)
        assert app.answers.output == "terraform"
        await pilot.press("escape")
        assert app.query_one("#sections").has_focus and app.step is Step.REVIEW
        await pilot.press("escape")
        assert app.step is Step.SETUP, "escape on the list itself still goes back a step"


# Item 12: the preview reads as the file it previews ----------------------------------------


def _string_tokens_whole(row: str) -> bool:
    quotes = row.replace('\\"', "").count('"')
    return quotes % 2 == 0


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (160, 45)], ids=["80x24", "100x30", "160x45"])
async def test_json_preview_never_splits_a_token(size):
    app = seeded()
    async with app.run_test(size=size) as pilot:
        await pilot.press("alt+5")
        view = app.query_one(PolicyView)
        rows = view.display_text.splitlines()
        assert all(_string_tokens_whole(row) for row in rows), rows
        arn = '"arn:aws:ecr:us-east-1:123456789012:repository/my-app"'
        assert any(arn in row for row in rows), "the ARN is one token on one row"
        if size[0] >= 100:
            assert arn in screen_text(app), "at 100 columns it is seen whole"
        else:
            assert any(line.rstrip(" ▁▂▃▄▅▆▇█▉▊▋▌▍▎▏").endswith("…") for line in screen_lines(app)), "cut is marked"


async def test_terraform_preview_keeps_the_comment_marker_on_wrapped_lines():
    app = seeded()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("alt+5")
        app.answers.output = "terraform"
        app.answers_changed()
        await pilot.pause()
        view = app.query_one(PolicyView)
        source = {line.strip() for line in view.json_text.splitlines()}
        rows = view.display_text.splitlines()
        continued = [row for row in rows if row.strip() and row.strip() not in source]
        assert continued, "some long comment lines were wrapped"
        assert all(row.lstrip().startswith("#") for row in continued), continued


# Item 15: keys and buttons that do nothing are hidden -------------------------------------


async def test_back_is_not_offered_on_the_first_step_nor_next_on_the_last():
    app = seeded()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        assert "Back" not in status(app) and "esc Back" not in footer(app)
        await pilot.press("escape")
        assert app.step is Step.ROLE
        await pilot.press("alt+5")
        assert "^n Next" not in footer(app) and "Next →" not in status(app)
        assert "esc Back" in footer(app) and "← Back" in status(app)


async def test_help_shows_its_own_keys_not_the_wizards():
    app = seeded()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("alt+2", "f1")
        assert isinstance(app.screen, HelpScreen)
        assert "esc Close" in footer(app) and "Back" not in footer(app)
        close = app.screen.query_one("#close", Button)
        assert close.region.bottom <= SMALL[1] - 1, "Close is on screen at 80x24"
        await pilot.press("escape")
        assert app.step is Step.REPOSITORIES and not isinstance(app.screen, HelpScreen)


# Item 16: placeholders never look like values ---------------------------------------------


async def test_placeholders_read_as_examples_or_defaults():
    app = seeded()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("alt+4")
        for trust in ("github", "gitlab", "codebuild"):
            await pilot.press("down")
            assert app.query_one("#trust-list").value == trust
            for field in app.current_step_widget.query(Input):
                if field.display and field.placeholder:
                    assert field.placeholder.startswith(("e.g. ", "default: ", "optional", "empty:", "branch;")), (
                        field.id,
                        field.placeholder,
                    )
        assert app.query_one("#github-repository", Input).placeholder == "e.g. my-org/my-app"


# Done when: a newcomer reaches the reference policy at 80x24, first try -----------------------


async def test_a_newcomer_reaches_the_reference_policy_at_80x24_following_the_hints(seed_policy, tmp_path, monkeypatch):
    """Only Enter and typing, doing what the status line says at each step."""
    monkeypatch.chdir(tmp_path)
    app = PolicyWizardApp()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        assert "Enter next step" in status(app)  # CI pipeline, push: preselected
        await pilot.press("enter")
        assert "Type a repository name, then Enter adds it" in status(app)
        await pilot.press(*"my-app", "enter")
        assert "Enter next step" in status(app)
        await pilot.press("enter")
        assert "Type a region code or a place" in status(app)
        await pilot.press(*"us-east-1", "enter")
        assert "Type the 12-digit account ID" in status(app)
        await pilot.press(*"123456789012", "enter")
        assert "Enter next step: Review" in status(app) and "Not sure? Keep the first" in screen_text(app)
        await pilot.press("enter")
        assert app.step is Step.REVIEW and "ctrl+s save" in status(app)
        assert json.loads(preview_text(app)) == seed_policy
        await pilot.press("ctrl+s", "enter")
        await pilot.pause()
    assert json.loads((tmp_path / "ci-push-my-app-ecr-policy.json").read_text()) == seed_policy


@pytest.mark.parametrize(
    "keys, repositories",
    [
        (["alt+5", "ctrl+s"], 1),  # save
        (["alt+5", "ctrl+q"], 1),  # quit confirmation
        (["f1"], 1),  # help
        (["ctrl+o"], 1),  # check a policy
        (["alt+5", "ctrl+s"], 300),  # over the size limit: split or compact
    ],
    ids=["save", "quit", "help", "check", "over-limit"],
)
async def test_every_dialog_keeps_its_buttons_on_an_80x24_screen(keys, repositories):
    """Item 4, for every dialog: nothing to click is below the screen."""
    names = ["my-app"] if repositories == 1 else [f"team-{i % 7}/service-{i}" for i in range(repositories)]
    app = PolicyWizardApp(answers=Answers(repositories=names, region="us-east-1", account="123456789012"))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press(*keys)
        await pilot.pause()
        buttons = list(app.screen.query(Button))
        assert buttons
        for button in buttons:
            assert 0 < button.region.bottom <= SMALL[1] - 1, (button.id, button.region)
            assert str(button.label) in screen_lines(app)[button.region.y], button.id
