"""Plain-text explanations of a generated policy, for terminals, screen readers and comments.

Every sentence comes from the catalog, the builder's statements and the role facts; this
module only lays them out.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

from wizard.core import names
from wizard.core.builder import GeneratedPolicy, Statement
from wizard.core.catalog import AUTH_ACTION, PULL_ACTIONS, PUSH_ACTIONS, lookup
from wizard.core.lint import ARN_PATTERN, parse_statements
from wizard.core.reference import baselines, expand_action, find_action
from wizard.core.regions import login_command
from wizard.core.request import Message
from wizard.core.roles import ROLES

WIDTH = 78


def _wrap(text: str, indent: str, hanging: str | None = None) -> list[str]:
    return textwrap.wrap(
        text,
        width=WIDTH,
        initial_indent=indent,
        subsequent_indent=hanging if hanging is not None else indent,
        break_on_hyphens=False,
        break_long_words=False,
    )


def statement_lines(number: int, statement: Statement) -> list[str]:
    """One statement: what it is for, each action's why and symptom, and its Resource."""
    lines = [f"Statement {number}: {statement.sid} ({statement.title})"]
    lines += _wrap(statement.summary, "  ")
    for action in statement.actions:
        lines.append(f"  - {action.name} ({action.access_level}; {action.step})")
        lines += _wrap(f"Why: {action.why}", "      ", "        ")
        lines += _wrap(f"Without it: {action.without}", "      ", "        ")
    lines += _wrap(f"Resource: {statement.scope_note}", "  ", "    ")
    return lines


def attach_lines(policy: GeneratedPolicy) -> list[str]:
    info = ROLES[policy.request.role]
    lines = [f"Where to attach it ({info.title})"]
    lines += _wrap(f"Who really pulls: {info.who_pulls}", "  ", "    ")
    lines += _wrap(f"Attach to: {info.attach_to}", "  ", "    ")
    if info.caveat:
        lines += _wrap(f"Caution: {info.caveat}", "  ", "    ")
    return lines


def login_lines(policy: GeneratedPolicy) -> list[str]:
    request = policy.request
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


# Existing policies ---------------------------------------------------------------------


def describe_resource(resource: str) -> str:
    """A Resource in words: which repositories, in which account and region."""
    if resource == "*":
        return 'every resource ("*"): for ECR, every repository in every region of the account'
    match = ARN_PATTERN.match(resource)
    if not match or match["service"] not in ("ecr", "ecr-public") or not match["resource"].startswith("repository/"):
        return f"{resource} (not an ECR repository ARN)"
    name = match["resource"].removeprefix("repository/")
    if match["service"] == "ecr-public":
        return f"public repository {name!r} of account {match['account']} (public.ecr.aws)"
    region = match["region"] or "any region"
    account = match["account"] or "any account"
    if names.is_pattern(name):
        what = f"repositories matching {name!r} ({names.describe_pattern(name)})"
    else:
        what = f"repository {name!r}"
    return f"{what} in account {account}, {region}"


def explain_action(action: str) -> str:
    """What one action entry does for docker pull/push, or that pull/push does not need it."""
    known = lookup(action)
    if known is not None:  # also the ECR Public and STS actions the catalog carries
        return f"{known.name} ({known.step}): {known.why}"
    expanded = expand_action(action)
    if not expanded:
        return f"{action}: not an ECR action this tool knows; IAM grants nothing for an unknown action."
    if len(expanded) > 1 or expanded[0].lower() != action.lower():
        essential = {AUTH_ACTION.name, *(a.name for a in PULL_ACTIONS), *(a.name for a in PUSH_ACTIONS)}
        needed = [name for name in expanded if name in essential]
        rest = len(expanded) - len(needed)
        return (
            f"{action}: a wildcard for {len(expanded)} actions; pull/push need {len(needed)} of them "
            f"({', '.join(n.split(':')[1] for n in needed) or 'none'}), the other {rest} they do not."
        )
    row = lookup(expanded[0])
    if row is not None:
        return f"{row.name} ({row.step}): {row.why}"
    reference = find_action(expanded[0])
    assert reference is not None
    return f"{reference.action}: not needed for docker pull or push; it lets the principal {reference.description}."


def reach_lines(statements) -> list[str]:
    """Which repositories the policy reaches, and whether it can log in, pull and push."""
    granted: dict[str, set[str]] = {}
    for statement in statements:
        if statement.effect == "Allow":
            for action in statement.actions:
                for name in expand_action(action):
                    granted.setdefault(name, set()).update(statement.resources)
    repository_resources = sorted({r for name, rs in granted.items() if name != AUTH_ACTION.name for r in rs})
    lines = ["Reach"]
    if not repository_resources:
        lines.append("  No repository is reachable.")
    for resource in repository_resources:
        lines += _wrap(f"- {describe_resource(resource)}", "  ", "    ")

    def able(actions) -> str:
        return "yes" if all(action.name in granted for action in actions) else "no"

    lines.append(
        f"  Login: {'yes' if '*' in granted.get(AUTH_ACTION.name, set()) else 'no'}   "
        f"Pull: {able(PULL_ACTIONS[1:])}   Push: {able((*PUSH_ACTIONS, PULL_ACTIONS[0]))}"
    )
    needed = {AUTH_ACTION.name, *(a.name for a in PULL_ACTIONS), *(a.name for a in PUSH_ACTIONS)}
    extra = sorted(name for name in granted if name not in needed)
    if extra:
        lines += _wrap(
            f"Beyond pull and push ({len(extra)}): {', '.join(n.split(':')[1] for n in extra)}", "  ", "    "
        )
    return lines


def blast_radius_rows(statements) -> list[tuple[str, str, str, str]]:
    """(policy, actions granted, repositories reached, what this policy leaves out) per baseline."""
    granted = {
        name for s in statements if s.effect == "Allow" for action in s.actions for name in expand_action(action)
    }
    resources = sorted({r for s in statements if s.effect == "Allow" for r in s.resources if r != "*"})
    every = any(
        "*" in s.resources
        for s in statements
        if s.effect == "Allow" and any(expand_action(a) != [AUTH_ACTION.name] for a in s.actions)
    )
    if every:
        mine = 'all ("*")'
    elif resources:
        shown = ", ".join(r.rsplit("repository/", 1)[-1] for r in resources[:3]) + (", …" if len(resources) > 3 else "")
        mine = f"{len(resources)} ({shown})"
    else:
        mine = "none"
    rows = [("this policy", str(len(granted)), mine, "")]
    for baseline in baselines():
        left_out = [name for name in baseline.actions if name not in granted]
        shown = ", ".join(name.split(":")[1] for name in left_out[:4]) + (
            f" +{len(left_out) - 4} more" if len(left_out) > 4 else ""
        )
        rows.append((baseline.name, str(len(baseline.actions)), baseline.scope, shown or "nothing"))
    return rows


def explain_document(document: dict) -> str:
    """An existing policy in plain words: statements, actions, reach and blast radius."""
    statements = parse_statements(document)
    blocks = []
    for statement in statements:
        title = f"Statement {statement.index}" + (f": {statement.sid}" if statement.sid else "")
        lines = [title]
        verb = (
            "Allows"
            if statement.effect == "Allow"
            else "Denies"
            if statement.effect == "Deny"
            else "Has an unknown Effect for"
        )
        count = len(statement.actions)
        lines += _wrap(f"{verb} {count} action{'' if count == 1 else 's'} on:", "  ")
        for resource in statement.resources or ["(no Resource)"]:
            lines += _wrap(f"- {describe_resource(resource)}", "    ", "      ")
        for action in statement.actions:
            lines += _wrap(f"- {explain_action(action)}", "  ", "    ")
        blocks.append(lines)
    blocks.append(reach_lines(statements))
    rows = blast_radius_rows(statements)
    width = max(len(row[0]) for row in rows)
    radius = ["Blast radius: actions granted x repositories reached", f"  {'policy':<{width}}  actions  repositories"]
    radius += [f"  {name:<{width}}  {count:>7}  {scope}" for name, count, scope, _ in rows]
    radius.append("  Compared with each, this policy leaves out:")
    for name, _, _, left_out in rows[1:]:
        radius += _wrap(f"{name}: {left_out}", "  - ", "      ")
    blocks.append(radius)
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"
