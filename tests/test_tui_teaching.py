"""The wizard's teaching keys (issue 18), driven with Pilot: what-if from the simulator, the
call map per action, Save explanation (F5), the projector view (F6) and the roles view (F7)."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from textual.widgets import Input, OptionList, Static

from tests.conftest import FIXTURES, run_cli
from tests.tui_helpers import screen_text
from wizard.core.answers import Answers, Step
from wizard.core.slides import slides_for
from wizard.core.workloads import WORKLOADS, roles_lines, workload_fields
from wizard.tui.app import PolicyWizardApp
from wizard.tui.dialogs import ConfirmDialog, SaveDialog
from wizard.tui.handout_dialog import HandoutFormatDialog
from wizard.tui.preview import PolicyView
from wizard.tui.projector import ProjectorScreen
from wizard.tui.roles_view import RolesScreen

SIZE = (100, 30)
SEED_ACTIONS = [
    "ecr:GetAuthorizationToken",
    "ecr:BatchCheckLayerAvailability",
    "ecr:GetDownloadUrlForLayer",
    "ecr:BatchGetImage",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:PutImage",
]


@pytest.fixture(autouse=True)
def no_aws_environment(monkeypatch):
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)


def seed_app() -> PolicyWizardApp:
    return PolicyWizardApp(answers=Answers(repositories=["my-app"], region="us-east-1", account="123456789012"))


def flat(text: str) -> str:
    """Text with its line breaks and indents folded: the TUI wraps to the panel's width."""
    return " ".join(text.split())


async def to_review(pilot) -> None:
    await pilot.press("alt+5")
    await pilot.pause()
    assert pilot.app.step is Step.REVIEW


async def highlight_section(pilot, section_id: str) -> None:
    sections = pilot.app.query_one("#sections", OptionList)
    sections.focus()
    sections.highlighted = next(i for i, o in enumerate(sections.options) if o.id == section_id)
    await pilot.pause()


# -- item 1: what-if and the call map -----------------------------------------------------------


async def test_what_if_is_the_simulation_explain_without_prints():
    cli = run_cli("explain", str(FIXTURES / "seed_policy.json"), "--without", "ecr:InitiateLayerUpload")
    assert cli.returncode == 0
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_review(pilot)
        await highlight_section(pilot, "whatif")
        await pilot.press("enter", *["down"] * SEED_ACTIONS.index("ecr:InitiateLayerUpload"))
        shown = str(app.query_one("#whatif-result", Static).content)
        assert flat(cli.stdout) in flat(shown), "word for word what `explain --without` prints"
        assert "docker push: breaks at call 4, POST /v2/my-app/blobs/uploads/" in flat(shown)
        # then the broken push call by call: each verdict, the deciding statement, the message, the fix
        assert (
            "→ ecr:BatchCheckLayerAvailability on arn:aws:ecr:us-east-1:123456789012:repository/my-app: "
            "allowed by the identity policy, statement 2 (AllowECRPull)"
        ) in flat(shown)
        assert "4. docker push opens an upload for each layer the repository lacks" in flat(shown)
        assert "REFUSED, no identity-based policy allows it" in flat(shown)
        assert "Fix: - Add ecr:InitiateLayerUpload to statement" in flat(shown)
        assert '"Sid": "AllowECRPush"' in app.query_one(PolicyView).highlighted_text
        await pilot.press("up")  # ecr:BatchGetImage: the pull breaks at its first call, the push does not
        shown = flat(str(app.query_one("#whatif-result", Static).content))
        assert "docker pull: breaks at call 3, HEAD /v2/my-app/manifests/latest (ecr:BatchGetImage)" in shown
        assert "docker push: still works; none of its calls needs ecr:BatchGetImage." in shown
        assert "Call by call, docker pull without ecr:BatchGetImage:" in shown
        assert "Call by call, docker push" not in shown


async def test_what_if_on_ecr_public_says_it_is_not_simulated_and_what_check_finds():
    answers = Answers(repositories=["my-app"], region="us-east-1", account="123456789012", public=True)
    app = PolicyWizardApp(answers=answers)
    async with app.run_test(size=SIZE) as pilot:
        await to_review(pilot)
        await highlight_section(pilot, "whatif")
        actions = [a.name for s in app.preview.policy.statements for a in s.actions]
        await pilot.press("enter", *["down"] * actions.index("ecr-public:PutImage"))
        shown = flat(str(app.query_one("#whatif-result", Static).content))
        assert shown.startswith("Without ecr-public:PutImage")
        assert "Pushes to ECR Public (public.ecr.aws) are not simulated" in shown
        assert "the policy without ecr-public:PutImage:" in shown


async def test_the_what_if_result_is_readable_at_80x24():
    app = seed_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await to_review(pilot)
        await highlight_section(pilot, "whatif")
        await pilot.press("enter", "down")
        result = app.query_one("#whatif-result-scroll")
        assert result.region.height >= 6, "the section list shrinks to leave the simulation room"
        await pilot.press("tab")
        assert app.focused is result
        assert "shift+tab" in str(app.query_one("#nav", Static).content)
        await pilot.press("down", "down", "down")
        assert result.scroll_y == 3
        await pilot.press("escape")
        assert app.focused is app.query_one("#sections") and app.step is Step.REVIEW


async def test_each_action_shows_the_call_it_serves_with_sources():
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_review(pilot)
        await highlight_section(pilot, "statement-1")  # AllowECRPull
        shown = flat(str(app.query_one("#explanation", Static).content))
        assert ("Client: docker push (and buildx) asks, layer by layer, whether the repository already has it") in shown
        assert (
            "Request: HEAD /v2/my-app/blobs/<digest> (source: https://github.com/opencontainers/distribution-spec/"
            "blob/main/spec.md#checking-if-content-exists-in-the-registry)"
        ) in shown
        assert "ECR API: BatchGetImage (source: https://docs.aws.amazon.com/AmazonECR/latest/APIReference/" in shown
        assert "Same call from the AWS CLI: aws ecr get-download-url-for-layer (source: https://docs.aws" in shown
        assert shown.count("The call it serves") == 3


# -- item 2: Save explanation ---------------------------------------------------------------------


class Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._open = False

    def handle_starttag(self, tag, attrs):
        self._open = tag in {"h1", "h2", "h3"}
        if self._open:
            self.found.append("")

    def handle_endtag(self, tag):
        self._open = False

    def handle_data(self, data):
        if self._open:
            self.found[-1] += data


async def test_save_explanation_writes_html_that_parses_back_and_never_overwrites(tmp_path: Path):
    target = tmp_path / "workshop.html"
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_review(pilot)
        await pilot.press("f5")
        assert isinstance(app.screen, HandoutFormatDialog)
        await pilot.press("tab", "enter")  # HTML
        assert isinstance(app.screen, SaveDialog)
        field = app.screen.query_one("#save-path", Input)
        assert field.value == "ecr-policy-explained.html"
        field.value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert app.step is Step.REVIEW and target in app.saved_paths
        assert "Saved the explanation workshop.html" in app.last_outcome
        page = target.read_text()
        headings = Headings()
        headings.feed(page)
        for number, statement in enumerate(app.preview.policy.statements, 1):
            assert f"Statement {number}: {statement.sid} ({statement.title})" in headings.found
        assert "What if an action were missing?" in headings.found
        # Saving again to the same name asks first, and "Keep it" (the default) keeps the file.
        target.write_text("the teacher's notes")
        await pilot.press("f5", "tab", "enter")
        app.screen.query_one("#save-path", Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")
        await pilot.pause()
        assert target.read_text() == "the teacher's notes"
        assert "Kept" in str(app.screen.query_one("#save-message", Static).content)


async def test_save_explanation_from_the_review_list_as_markdown(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_review(pilot)
        await highlight_section(pilot, "handout")
        assert "explain --format markdown|html" in flat(str(app.query_one("#explanation", Static).content))
        await pilot.press("enter")
        assert isinstance(app.screen, HandoutFormatDialog)
        await pilot.press("enter")  # Markdown, the default
        assert app.screen.query_one("#save-path", Input).value == "ecr-policy-explained.md"
        await pilot.press("enter")
        await pilot.pause()
    written = (tmp_path / "ecr-policy-explained.md").read_text()
    expected = run_cli("explain", str(FIXTURES / "seed_policy.json"), "--format", "markdown").stdout
    tokens = MarkdownIt().parse(written)
    headings = [tokens[i + 1].content for i, token in enumerate(tokens) if token.type == "heading_open"]
    for number, statement in enumerate(app.preview.policy.statements, 1):
        assert f"Statement {number}: {statement.sid} ({statement.title})" in headings
    fences = [token for token in tokens if token.type == "fence"]
    assert json.loads(fences[0].content) == json.loads(app.policy_json), "the policy itself, first"
    assert [f.info for f in fences].count("mermaid") == 2, "the push and the pull as sequence diagrams"
    # the same what-if table as `explain --format markdown` (the sections after the policy differ
    # only where the wizard knows more: the builder's words and the role)
    table = [line for line in expected.splitlines() if line.startswith("| ecr:")]
    assert table and all(line in written for line in table if "breaks" in line or "still works" in line)


async def test_save_explanation_waits_for_a_complete_policy():
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        assert app.screen is app.screen_stack[0]
        assert any("finish" in str(n.message) for n in app._notifications)


async def test_the_palette_offers_and_runs_the_teaching_commands():
    app = seed_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_review(pilot)
        commands = {command.title: command for command in app.get_system_commands(app.screen)}
        assert {"Save explanation", "Projector view", "Roles side by side"} <= set(commands)
        await pilot.press("ctrl+p", *"roles side", "enter")
        await pilot.pause()
        assert isinstance(app.screen, RolesScreen)
        await pilot.press("escape", "ctrl+p", *"projector", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ProjectorScreen)


# -- item 3: the projector -------------------------------------------------------------------------


async def test_projector_steps_through_every_statement_and_action():
    app = seed_app()
    async with app.run_test(size=(64, 20)) as pilot:
        await to_review(pilot)
        await pilot.press("f6")
        screen = app.screen
        assert isinstance(screen, ProjectorScreen)
        slides = slides_for(app.preview.policy)
        seen = []
        for _ in slides:
            seen.append(str(screen.query_one("#slide-title", Static).content))
            await pilot.press("right")
        assert seen == [slide.title for slide in slides]
        assert str(screen.query_one("#slide-title", Static).content) == slides[-1].title, "stays on the last"
        await pilot.press("p", "p")
        assert screen.index == len(slides) - 3
        await pilot.press("home", "n", "n")
        assert "ecr:GetAuthorizationToken" in screen_text(app)
        body = flat(str(screen.query_one("#slide-body", Static).content))
        assert body.startswith("Why: Returns the 12-hour registry password")
        assert "Without it:" in body and "Calls: POST https://api.ecr.us-east-1" not in body
        assert "Source: https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry_auth.html" in body
        await pilot.press("escape")
        assert not isinstance(app.screen, ProjectorScreen) and app.step is Step.REVIEW


async def test_projector_waits_for_a_complete_policy():
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        assert not isinstance(app.screen, ProjectorScreen)


# -- item 4: the roles view ----------------------------------------------------------------------


@pytest.mark.parametrize("size", [(64, 20), (120, 35)])
async def test_roles_view_shows_what_ecr_policy_roles_prints(size):
    cli = run_cli("roles")
    assert cli.returncode == 0
    app = PolicyWizardApp()
    async with app.run_test(size=size) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RolesScreen)
        for index, workload in enumerate(WORKLOADS):
            if index:
                await pilot.press("down")
                await pilot.pause()
            shown = flat(str(screen.query_one("#roles-detail", Static).content))
            printed = flat("\n".join(roles_lines((workload,))))
            assert printed in flat(cli.stdout)
            assert shown.startswith(workload.title)
            for label, values in workload_fields(workload):
                assert f"{label}:" in shown and f"{label}:" in printed
                for value in values:
                    assert f"• {flat(value)}" in shown and flat(value) in printed
            for page in workload.sources:
                assert f"Source: {page}" in shown and f"Source: {page}" in printed
        await pilot.press("escape")
        assert not isinstance(app.screen, RolesScreen)


# -- item 6: the keys are in the help ------------------------------------------------------------


async def test_help_lists_every_wizard_key_with_the_teaching_keys():
    from wizard.tui.dialogs import HelpScreen

    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text Static", Static).content)
        keys = [
            binding.key.split(",")[0]
            for binding in PolicyWizardApp.BINDINGS
            if binding.description and not binding.description.startswith("Go to")
        ]
        assert {"f5", "f6", "f7"} <= set(keys)
        for key in keys:
            assert f"\n  {key} " in text, f"{key} is not in the help"
        assert "projector view" in text and "roles side by side" in text and "Markdown or HTML" in text


@pytest.mark.parametrize(
    "role, options",
    [("ecs", {}), ("eks", {}), ("lambda", {}), ("ci", {"public": True})],
    ids=["ecs", "eks", "lambda", "public"],
)
async def test_projector_for_every_role_reaches_the_login_slide(role, options):
    from wizard.core.request import Role

    answers = Answers(role=Role(role), repositories=["my-app"], region="us-east-1", account="123456789012", **options)
    app = PolicyWizardApp(answers=answers)
    async with app.run_test(size=(64, 20)) as pilot:
        await to_review(pilot)
        await pilot.press("f6")
        screen = app.screen
        assert isinstance(screen, ProjectorScreen)
        await pilot.press("end")
        assert screen.slide.place == "Log in" and "docker login" in screen_text(app)
        await pilot.press("left")
        assert screen.slide.place == "Where it goes"
        assert flat(screen.slide.lines[0]) in flat(str(screen.query_one("#slide-body", Static).content))


async def test_the_what_if_list_keeps_the_chosen_action_on_screen_at_80x24():
    """Found by a fresh-eyes try: the 8th action was below the list's last row, and choosing it
    left no ● on screen. The list shows the rows around the chosen one and says what is cut."""
    app = seed_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await to_review(pilot)
        await highlight_section(pilot, "whatif")
        await pilot.press("enter", *["down"] * (len(SEED_ACTIONS) - 1))
        text = screen_text(app)
        assert f"● {SEED_ACTIONS[-1]}" in text, text
        assert "↑" in text and "more" in text
        assert f"Without {SEED_ACTIONS[-1]}" in flat(str(app.query_one("#whatif-result", Static).content))
        await pilot.press("home")
        text = screen_text(app)
        assert f"● {SEED_ACTIONS[0]}" in text and "↓" in text
