"""Driving the real wizard with Textual's Pilot, the way a keyboard user would."""

from __future__ import annotations

from textual.pilot import Pilot

from wizard.core.answers import Step
from wizard.core.request import Role
from wizard.tui.app import PolicyWizardApp
from wizard.tui.preview import PolicyView

ROLE_ORDER = [Role.CI, Role.ECS, Role.EKS, Role.LAMBDA]


async def type_text(pilot: Pilot, text: str) -> None:
    await pilot.press(*text)


async def choose_role(pilot: Pilot, role: Role, access: str | None = None) -> None:
    """On the Role step: move the cursor to the role (choosing it), optionally pick access."""
    for _ in range(ROLE_ORDER.index(role)):
        await pilot.press("down")
    if access is not None:
        await pilot.press("tab", "up" if access == "pull" else "down")
    await pilot.press("ctrl+n")


async def add_repositories(pilot: Pilot, names: list[str]) -> None:
    for name in names:
        await type_text(pilot, name)
        await pilot.press("enter")
    await pilot.press("enter")  # empty field: next step


async def fill_target(pilot: Pilot, region: str, account: str) -> None:
    await type_text(pilot, region)
    await pilot.press("enter")  # picks the region, focus moves to the account
    await type_text(pilot, account)
    await pilot.press("enter")  # next step


async def run_whole_flow(
    pilot: Pilot, role: Role, repositories: list[str], region: str, account: str, access: str | None = None
) -> None:
    await choose_role(pilot, role, access)
    await add_repositories(pilot, repositories)
    await fill_target(pilot, region, account)
    await pilot.press("ctrl+n")  # Trust & options: the role's defaults
    await pilot.pause()


def preview_text(app: PolicyWizardApp) -> str:
    return app.query_one(PolicyView).json_text


def current_step(app: PolicyWizardApp) -> Step:
    return app.step


def feed_terminal(pilot: Pilot, data: str) -> None:
    """Send raw terminal input (escape sequences, bracketed pastes) through Textual's own parser,
    as the driver does with what a real terminal writes: pilot.press() would skip the parsing."""
    from textual._xterm_parser import XTermParser

    driver = pilot.app._driver
    assert driver is not None
    for event in XTermParser().feed(data):
        driver.process_message(event)


def screen_lines(app: PolicyWizardApp) -> list[str]:
    """The characters on screen, row by row: exactly the text Textual writes to the terminal
    (screens below a dialog included), without the colour and cursor escapes it adds."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return ["".join(segment.text for strip in row for segment in strip) for row in update.strips]


def screen_text(app: PolicyWizardApp) -> str:
    return "\n".join(screen_lines(app))
