"""The wizard's teaching keys: save the explanation as a handout (F5), the projector view (F6)
and the roles side by side (F7), with their command-palette entries.

A mixin for PolicyWizardApp, so the app module only lists the keys. Screens and dialogs are
imported when first used (start-up time is measured).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual.app import SystemCommand
from textual.binding import Binding

from wizard.tui.outside import notify

TEACHING_BINDINGS = [
    Binding("f5", "save_explanation", "Save explanation", show=False),
    Binding("f6", "projector", "Projector", show=False),
    Binding("f7", "roles", "Roles", show=False),
]
TEACHING_ACTIONS = frozenset({"save_explanation", "projector", "roles"})


class TeachingActions:
    """Actions of PolicyWizardApp (a mixin: `self` is the app)."""

    def _policy_ready(self, what: str) -> bool:
        if self.preview.complete:  # type: ignore[attr-defined]
            return True
        blocking = self.answers.first_incomplete_step()  # type: ignore[attr-defined]
        step = blocking.title if blocking is not None else "the steps"
        notify(self, f"The policy is not complete yet: finish {step} first.", title=what, severity="warning", timeout=5)  # type: ignore[arg-type]
        return False

    def action_save_explanation(self) -> None:
        """Markdown or HTML, then the save dialog every save uses (asks before replacing a file)."""
        if not self._policy_ready("Nothing to explain yet"):
            return
        from wizard.core.explained import HANDOUT_FORMATS, explanation_text
        from wizard.tui.dialogs import SaveDialog
        from wizard.tui.handout_dialog import HandoutFormatDialog

        preview = self.preview  # type: ignore[attr-defined]

        def chosen(format_key: str | None) -> None:
            if format_key is None:
                return
            text = explanation_text(preview.policy, preview.bundle, preview.warnings, format_key)
            handout = HANDOUT_FORMATS[format_key]
            what = f"explanation ({handout.title.split(' (')[0]})"
            self.push_screen(SaveDialog([text], handout.file_name, what=what), self._explanation_saved)  # type: ignore[attr-defined]

        self.push_screen(HandoutFormatDialog(), chosen)  # type: ignore[attr-defined]

    def _explanation_saved(self, paths: list[Path] | None) -> None:
        if not paths:
            return
        self.saved_paths.extend(paths)  # type: ignore[attr-defined]
        self.last_outcome = f"Saved the explanation {paths[0].name} in {paths[0].parent}"  # type: ignore[attr-defined]
        self._outcome_line = f"Saved {paths[0].name} in {paths[0].parent}"
        self.show_status()  # type: ignore[attr-defined]

    def action_projector(self) -> None:
        if not self._policy_ready("Nothing to project yet"):
            return
        from wizard.tui.projector import ProjectorScreen

        self.push_screen(ProjectorScreen(self.preview.policy))  # type: ignore[attr-defined]

    def action_roles(self) -> None:
        from wizard.tui.roles_view import RolesScreen

        self.push_screen(RolesScreen())  # type: ignore[attr-defined]


def teaching_commands(app) -> Iterable[SystemCommand]:
    yield SystemCommand(
        "Save explanation",
        "Save the policy explained, statement by statement, as Markdown or HTML (F5)",
        app.action_save_explanation,
    )
    yield SystemCommand(
        "Projector view", "Step through the policy, large, statement by statement (F6)", app.action_projector
    )
    yield SystemCommand("Roles side by side", "Who pulls or pushes for CI, ECS, EKS and Lambda (F7)", app.action_roles)
