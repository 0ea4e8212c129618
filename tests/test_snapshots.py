"""SVG snapshots of every step at 80x24 (pytest-textual-snapshot).

Baselines live in tests/__snapshots__/; after an intended visual change, look at the new
screens and refresh them with `pytest tests/test_snapshots.py --snapshot-update`.
Textual is pinned exactly in pyproject.toml so these stay comparable.
"""

from __future__ import annotations

import pytest

from wizard.core.answers import Answers
from wizard.tui.app import PolicyWizardApp

SEED = ["ctrl+n", *"my-app", "enter", "enter", *"us-east-1", "enter", *"123456789012", "enter", "ctrl+n"]


@pytest.fixture(autouse=True)
def stable_environment(monkeypatch):
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir("/")


class TestStepsAt80x24:
    def test_role_step(self, snap_compare):
        assert snap_compare(PolicyWizardApp(), press=["down", "down"])

    def test_repositories_step_with_a_wildcard_warning(self, snap_compare):
        assert snap_compare(PolicyWizardApp(), press=["ctrl+n", *"api", "enter", *"team-a/*"])

    def test_repositories_step_with_an_error(self, snap_compare):
        assert snap_compare(PolicyWizardApp(), press=["ctrl+n", *"My-App", "ctrl+n"])

    def test_region_and_account_step_searching(self, snap_compare):
        assert snap_compare(PolicyWizardApp(), press=["ctrl+n", *"my-app", "enter", "enter", *"frank"])

    def test_trust_and_options_step(self, snap_compare):
        assert snap_compare(PolicyWizardApp(), press=[*SEED[:-1], "down"])

    def test_review_step(self, snap_compare):
        assert snap_compare(PolicyWizardApp(), press=[*SEED, "down"])

    def test_review_step_light_theme(self, snap_compare):
        assert snap_compare(PolicyWizardApp(theme="harbor-day"), press=[*SEED, "down", "down"])


class TestDialogsAt80x24:
    def _seeded(self) -> PolicyWizardApp:
        return PolicyWizardApp(answers=Answers(repositories=["my-app"], region="us-east-1", account="123456789012"))

    def test_save_dialog(self, snap_compare):
        assert snap_compare(self._seeded(), press=["alt+5", "ctrl+s"])

    def test_quit_confirmation(self, snap_compare):
        assert snap_compare(self._seeded(), press=["alt+5", "ctrl+q"])

    def test_help(self, snap_compare):
        assert snap_compare(PolicyWizardApp(), press=["f1"])
