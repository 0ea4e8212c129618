"""The projector's step-through: a generated policy as slides, statement by statement and
action by action, each small enough to read from the back of a room at 64x20.

The words are the builder's and the catalog's (summary, why, without it, calls, source); this
module only cuts them into slides.
"""

from __future__ import annotations

from collections import namedtuple

from wizard.core.builder import GeneratedPolicy
from wizard.core.describe import call_map
from wizard.core.explain import login_lines, logs_in
from wizard.core.regions import PUBLIC_LOGIN_COMMAND, login_command
from wizard.core.roles import ROLES


class Slide(namedtuple("Slide", "place title lines source")):
    """place: where it is ("Statement 2 of 3 · action 1 of 3"); title: what it is about;
    lines: short paragraphs, each labelled ("Why: ..."); source: the page behind it ("" if none)."""

    __slots__ = ()


def repository_shown(policy: GeneratedPolicy) -> str:
    """The repository the call map names: the policy's only literal repository, else NAME."""
    names = policy.request.repositories
    return names[0] if len(names) == 1 and "*" not in names[0] and "?" not in names[0] else "NAME"


def slides_for(policy: GeneratedPolicy) -> list[Slide]:
    """Every statement, then each of its actions, then who really pulls, then the login."""
    slides = []
    count = len(policy.statements)
    repository = repository_shown(policy)
    for number, statement in enumerate(policy.statements, 1):
        place = f"Statement {number} of {count}"
        title = f"{statement.sid} · {statement.title}"
        slides.append(Slide(place, title, [statement.summary], ""))
        slides.append(Slide(f"{place} · its Resource", title, [statement.scope_note], statement.source))
        for index, action in enumerate(statement.actions, 1):
            calls = call_map(action.name, repository)
            lines = [f"Why: {action.why}", f"Without it: {action.without}"]
            if calls:
                lines.append("Calls: " + "; ".join(calls))
            where = f"{place} · action {index} of {len(statement.actions)}"
            slides.append(Slide(where, action.name, lines, action.source))
    info = ROLES[policy.request.role]
    slides.append(
        Slide("Where it goes", info.title, [f"Who: {info.who_pulls}", f"Attach to: {info.attach_to}"], info.source)
    )
    slides.append(Slide("Log in", "docker login", _login(policy), ""))
    return slides


def _login(policy: GeneratedPolicy) -> list[str]:
    request = policy.request
    if not logs_in(policy):
        return [" ".join(login_lines(policy))]
    if request.public:
        return [PUBLIC_LOGIN_COMMAND]
    return [login_command(request.account, request.region), "The password is valid for 12 hours."]
