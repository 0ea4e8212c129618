"""SVG snapshots of every step and every dialog, at 80x24 and 160x45, in both project themes
(pytest-textual-snapshot).

Baselines live in tests/__snapshots__/; after an intended visual change, look at each new
screen and refresh them with `pytest tests/test_snapshots.py --snapshot-update`.
Textual is pinned exactly in pyproject.toml so these stay comparable.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wizard.core.answers import Answers
from wizard.tui.app import PolicyWizardApp

SIZES = {"80x24": (80, 24), "160x45": (160, 45)}
THEMES = ("harbor-night", "harbor-day")
SEED = ["enter", *"my-app", "enter", "enter", *"us-east-1", "enter", *"123456789012", "enter"]
"""The seed policy, as the status line guides a newcomer: ends on Trust & options."""
FIXTURES = Path(__file__).parent / "fixtures"
REPLACE_DIRECTORY = Path("/tmp/ecr-policy-snapshots")
"""A fixed directory (the save dialog shows it) holding a file the policy's name would replace."""


@pytest.fixture(autouse=True)
def stable_environment(monkeypatch):
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "DISPLAY", "WAYLAND_DISPLAY", "TMUX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir("/")


def seeded(theme: str, repositories: list[str] | None = None) -> PolicyWizardApp:
    answers = Answers(repositories=repositories or ["my-app"], region="us-east-1", account="123456789012")
    return PolicyWizardApp(theme=theme, answers=answers)


STEPS = {
    "1-role": (lambda theme: PolicyWizardApp(theme=theme), ["down", "down"]),
    "2-repositories-warning": (lambda theme: PolicyWizardApp(theme=theme), ["enter", *"api", "enter", *"team-a/*"]),
    "2-repositories-error": (lambda theme: PolicyWizardApp(theme=theme), ["enter", *"My-App", "ctrl+n"]),
    "3-region-search": (lambda theme: PolicyWizardApp(theme=theme), ["enter", *"my-app", "enter", "enter", *"frank"]),
    "4-trust-and-options": (lambda theme: PolicyWizardApp(theme=theme), SEED),
    "4-trust-github": (lambda theme: PolicyWizardApp(theme=theme), [*SEED, "down"]),
    "5-review": (lambda theme: PolicyWizardApp(theme=theme), [*SEED, "enter", "down"]),
}


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("step", STEPS)
def test_step(snap_compare, step, size, theme):
    make, keys = STEPS[step]
    assert snap_compare(make(theme), press=keys, terminal_size=SIZES[size])


def _many() -> list[str]:
    return [f"team-{index % 7}/service-{index}" for index in range(300)]


async def _replace_setup(pilot) -> None:
    await pilot.press("alt+5", "ctrl+s", "enter")


async def _inspect_setup(pilot) -> None:
    await pilot.press("ctrl+o", *"bad/blog-post-combined.json", "enter")  # relative: the title shows it
    await pilot.pause()
    await pilot.press("down", "down")


DIALOGS = {
    "save": (seeded, ["alt+5", "ctrl+s"]),
    "quit-confirmation": (seeded, ["alt+5", "ctrl+q"]),
    "help": (lambda theme: PolicyWizardApp(theme=theme), ["f1"]),
    "check-a-policy": (lambda theme: PolicyWizardApp(theme=theme), ["ctrl+o"]),
    "over-limit": (lambda theme: seeded(theme, _many()), ["alt+5", "ctrl+s"]),
}


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("dialog", DIALOGS)
def test_dialog(snap_compare, dialog, size, theme):
    make, keys = DIALOGS[dialog]
    assert snap_compare(make(theme), press=keys, terminal_size=SIZES[size])


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES)
def test_replace_confirmation(snap_compare, size, theme, monkeypatch):
    REPLACE_DIRECTORY.mkdir(exist_ok=True)
    (REPLACE_DIRECTORY / "ci-push-my-app-ecr-policy.json").write_text("{}\n")
    monkeypatch.chdir(REPLACE_DIRECTORY)
    assert snap_compare(seeded(theme), run_before=_replace_setup, terminal_size=SIZES[size])


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES)
def test_inspect_screen(snap_compare, size, theme, monkeypatch):
    monkeypatch.chdir(FIXTURES)
    assert snap_compare(PolicyWizardApp(theme=theme), run_before=_inspect_setup, terminal_size=SIZES[size])
