"""Regenerate the screenshots in this folder by driving the real app.

    python screenshots/generate.py            # every step in harbor-night, review in each theme

Each screenshot is an SVG at 100x30 (80x24 for the "-80x24" ones) made with Textual's own
`save_screenshot`, after typing the answers a user would type for the seed policy (a CI
pipeline pushing to my-app in us-east-1, account 123456789012). Nothing is staged: the screens
are what users see.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from textual import events  # noqa: E402

from wizard.core.answers import Answers, Step  # noqa: E402
from wizard.themes import load_themes  # noqa: E402
from wizard.tui.app import PolicyWizardApp  # noqa: E402

SEED = ["enter", *"my-app", "enter", "enter", *"us-east-1", "enter", *"123456789012", "enter"]
"""The seed policy typed as the status line guides a newcomer (Enter moves on); ends on step 4."""

SEED_KEYS = {
    Step.ROLE: [],
    Step.REPOSITORIES: ["enter", *"my-app", "enter", *"team-a/*"],
    Step.TARGET: ["enter", *"my-app", "enter", "enter", *"frankf"],
    Step.SETUP: [*SEED, "down"],  # GitHub Actions chosen: its fields, still to fill in
    Step.REVIEW: [*SEED, "enter", "down"],
}


async def shoot(step: Step, theme: str, size: tuple[int, int], name: str) -> Path:
    app = PolicyWizardApp(theme=theme)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for key in SEED_KEYS[step]:
            await pilot.press(key)
        await pilot.pause()
        path = app.save_screenshot(filename=name, path=str(HERE))
    return Path(path)


PUSH_DENIED = (
    HERE.parent / "tests/fixtures/real/errors/ci-github-actions-moj-7245-initiatelayerupload-no-identity-policy.txt"
)
"""A real AccessDenied message (https://github.com/ministryofjustice/cloud-platform/issues/7245)."""


async def shoot_paste_error(name: str) -> Path:
    """ctrl+e on the first step, the message pasted (the event a terminal's paste makes), ctrl+r."""
    app = PolicyWizardApp(theme="harbor-night")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+e")
        await pilot.pause()
        app.screen.query_one("#error-text").post_message(events.Paste(PUSH_DENIED.read_text()))
        await pilot.press("ctrl+r")
        await pilot.pause()
        path = app.save_screenshot(filename=name, path=str(HERE))
    return Path(path)


async def shoot_github_workflow(name: str) -> Path:
    """The review step with the GitHub Actions workflow chosen as the output (Home, Enter, ↓)."""
    answers = Answers(repositories=["my-app"], region="us-east-1", account="123456789012", trust="github")
    answers.github_repository = "my-org/my-app"
    app = PolicyWizardApp(theme="harbor-night", answers=answers)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("alt+5")
        await pilot.pause()
        await pilot.press("home", "enter", "end", "enter")
        await pilot.pause()
        path = app.save_screenshot(filename=name, path=str(HERE))
    return Path(path)


async def main() -> None:
    themes = [data.name for data in load_themes()]
    made = []
    for step in Step:
        made.append(await shoot(step, "harbor-night", (100, 30), f"step-{step.value + 1}-{step.name.lower()}.svg"))
        made.append(await shoot(step, "harbor-night", (80, 24), f"step-{step.value + 1}-{step.name.lower()}-80x24.svg"))
    for theme in themes:
        made.append(await shoot(Step.REVIEW, theme, (100, 30), f"review-{theme}.svg"))
    made.append(await shoot_paste_error("paste-an-error.svg"))
    made.append(await shoot_github_workflow("review-github-actions.svg"))
    for path in made:
        print(path.relative_to(HERE.parent))


if __name__ == "__main__":
    asyncio.run(main())
