"""SVG snapshots of the teaching screens (issue 18): the projector view and the roles view at
64x20 (what a projector's font leaves) and 120x35, in both project themes.

Refresh after an intended change with `pytest tests/test_snapshots_teaching.py --snapshot-update`
and look at every new screen.
"""

from __future__ import annotations

import pytest

from tests.test_snapshots import THEMES, seeded, stable_environment  # noqa: F401  (autouse fixture)
from wizard.tui.app import PolicyWizardApp

SIZES = {"64x20": (64, 20), "120x35": (120, 35)}

SCREENS = {
    # The sixth slide: ecr:BatchCheckLayerAvailability, the longest name, with its calls.
    "projector-action": (seeded, ["alt+5", "f6", *["right"] * 5]),
    # The first slide: a statement's title and summary.
    "projector-statement": (seeded, ["alt+5", "f6"]),
    # EKS nodes: the longest entry (three sources, the add-on registry).
    "roles-eks-nodes": (lambda theme: PolicyWizardApp(theme=theme), ["f7", "down", "down", "down"]),
    # Save explanation: Markdown or HTML, over the review step.
    "save-explanation": (seeded, ["alt+5", "f5"]),
}


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", SCREENS)
def test_teaching_screen(snap_compare, screen, size, theme):
    make, keys = SCREENS[screen]
    assert snap_compare(make(theme), press=keys, terminal_size=SIZES[size])
