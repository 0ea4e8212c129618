"""The wizard's five steps, one module each; `load_step` imports a step when first shown."""

from __future__ import annotations

from importlib import import_module

from wizard.core.answers import Step
from wizard.tui.steps.base import WizardStep

_MODULES = {
    Step.ROLE: ("wizard.tui.steps.role", "RoleStep"),
    Step.REPOSITORIES: ("wizard.tui.steps.repositories", "RepositoriesStep"),
    Step.TARGET: ("wizard.tui.steps.target", "TargetStep"),
    Step.SETUP: ("wizard.tui.steps.setup", "SetupStep"),
    Step.REVIEW: ("wizard.tui.steps.review", "ReviewStep"),
}


def load_step(step: Step) -> type[WizardStep]:
    """The widget class for a step, importing its module on first use."""
    module, name = _MODULES[step]
    return getattr(import_module(module), name)
