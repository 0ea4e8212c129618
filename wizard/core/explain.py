"""Plain-text explanations of a generated policy, for terminals, screen readers and comments.

Every sentence comes from the catalog, the builder's statements and the role facts; this
module only lays them out.
"""

from __future__ import annotations

from collections.abc import Iterable

from wizard.core.builder import GeneratedPolicy, Statement
from wizard.core.catalog import AUTH_ACTION
from wizard.core.regions import PUBLIC_LOGIN_COMMAND, login_command
from wizard.core.request import Message
from wizard.core.roles import ROLES
from wizard.core.text import wrap as _wrap


def source_line(page: str) -> str:
    """Where a fact comes from, as every explanation prints it (one line: addresses are not wrapped)."""
    return f"Source: {page}"


def statement_lines(number: int, statement: Statement) -> list[str]:
    """One statement: what it is for, each action's why, symptom and source, and its Resource."""
    lines = [f"Statement {number}: {statement.sid} ({statement.title})"]
    lines += _wrap(statement.summary, "  ")
    for action in statement.actions:
        lines.append(f"  - {action.name} ({action.access_level}; {action.step})")
        lines += _wrap(f"Why: {action.why}", "      ", "        ")
        lines += _wrap(f"Without it: {action.without}", "      ", "        ")
        lines.append(f"      {source_line(action.source)}")
    lines += _wrap(f"Resource: {statement.scope_note}", "  ", "    ")
    if statement.source:
        lines.append(f"    {source_line(statement.source)}")
    return lines


def attach_lines(policy: GeneratedPolicy) -> list[str]:
    info = ROLES[policy.request.role]
    lines = [f"Where to attach it ({info.title})"]
    lines += _wrap(f"Who really pulls: {info.who_pulls}", "  ", "    ")
    lines += _wrap(f"Attach to: {info.attach_to}", "  ", "    ")
    if info.caveat:
        lines += _wrap(f"Caution: {info.caveat}", "  ", "    ")
    lines.append(f"  {source_line(info.source)}")
    return lines


def logs_in(policy: GeneratedPolicy) -> bool:
    """Does the policy's holder run docker login? (A Lambda deployer never pulls, so never does.)"""
    return any(action.name.endswith(":GetAuthorizationToken") for s in policy.statements for action in s.actions)


def login_lines(policy: GeneratedPolicy) -> list[str]:
    request = policy.request
    if not logs_in(policy):
        actor = ROLES[request.role].actor
        return _wrap(
            f"No docker login: {actor} never pulls or pushes images itself, so it needs no {AUTH_ACTION.name}.", ""
        )
    if request.public:
        return ["Log in before docker push (uses ecr-public:GetAuthorizationToken)", f"  {PUBLIC_LOGIN_COMMAND}"]
    return [
        "Log in before docker pull or push (uses ecr:GetAuthorizationToken)",
        f"  {login_command(request.account, request.region)}",
    ]


def explain_policy(policy: GeneratedPolicy, warnings: Iterable[Message] = ()) -> str:
    """The whole explanation, in plain text wrapped at 78 columns."""
    blocks = [statement_lines(number, statement) for number, statement in enumerate(policy.statements, 1)]
    blocks.append(attach_lines(policy))
    blocks.append(login_lines(policy))
    warning_list = list(warnings)
    if warning_list:
        blocks.append(["Warnings", *(line for warning in warning_list for line in _wrap(f"- {warning}", "  ", "    "))])
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


# Existing policies: wizard.core.describe (kept importable from here for the front ends).
from wizard.core.describe import (  # noqa: E402
    blast_radius_rows,
    describe_resource,
    explain_action,
    explain_document,
    reach_lines,
)

__all__ = [
    "attach_lines",
    "blast_radius_rows",
    "describe_resource",
    "explain_action",
    "explain_document",
    "explain_policy",
    "login_lines",
    "reach_lines",
    "statement_lines",
]
