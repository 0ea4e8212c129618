"""`check`: findings about an existing ECR identity policy, each with where it is and a fix.

The rules come from the same sources as the generator: the action catalog (what pull and
push need), the ECR reference (every action and its resource type), IAM's policy grammar and
size limits. A policy this tool generates always checks clean (tested).
"""

from __future__ import annotations

import json
import re
from collections import namedtuple
from difflib import get_close_matches

from wizard.core.catalog import AUTH_ACTION, PUSH_ACTIONS
from wizard.core.reference import ecr_actions, expand_action, find_action
from wizard.core.size import PolicyKind, policy_size

SID_PATTERN = re.compile(r"^[0-9A-Za-z]*$")
ARN_PATTERN = re.compile(
    r"^arn:(?P<partition>[^:]+):(?P<service>[^:]+):(?P<region>[^:]*):(?P<account>[^:]*):(?P<resource>.+)$"
)
ERROR, WARNING = "error", "warning"


class Finding(namedtuple("Finding", "code severity statement sid message fix")):
    """One problem: a stable code, error or warning, where (statement index from 1, Sid), what, the fix."""

    __slots__ = ()

    @property
    def where(self) -> str:
        if self.statement is None:
            return "policy"
        return f"statement {self.statement}" + (f" ({self.sid})" if self.sid else "")

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "statement": self.statement,
            "sid": self.sid,
            "message": self.message,
            "fix": self.fix,
        }


class ParsedStatement(
    namedtuple("ParsedStatement", "index sid effect actions not_action resources not_resource principal raw")
):
    """A statement with Action and Resource as lists, whatever form the JSON used."""

    __slots__ = ()


def as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def parse_statements(document: dict) -> list[ParsedStatement]:
    raw = document.get("Statement")
    items = raw if isinstance(raw, list) else [raw] if isinstance(raw, dict) else []
    parsed = []
    for index, item in enumerate(items, 1):
        if not isinstance(item, dict):
            parsed.append(ParsedStatement(index, None, None, [], [], [], [], None, item))
            continue
        sid = item.get("Sid") if isinstance(item.get("Sid"), str) else None
        parsed.append(
            ParsedStatement(
                index,
                sid,
                item.get("Effect"),
                [a for a in as_list(item.get("Action")) if isinstance(a, str)],
                [a for a in as_list(item.get("NotAction")) if isinstance(a, str)],
                [r for r in as_list(item.get("Resource")) if isinstance(r, str)],
                [r for r in as_list(item.get("NotResource")) if isinstance(r, str)],
                item.get("Principal", item.get("NotPrincipal")),
                item,
            )
        )
    return parsed


def load_policy(text: str) -> tuple[dict | None, list[Finding]]:
    """Parse JSON text; invalid JSON becomes a finding with its line and column."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        return None, [
            Finding(
                "invalid-json",
                ERROR,
                None,
                None,
                f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}",
                "fix the JSON syntax there (a missing comma or quote, or a trailing comma, is the usual cause)",
            )
        ]
    if not isinstance(document, dict):
        return None, [
            Finding(
                "not-a-policy",
                ERROR,
                None,
                None,
                "the JSON is not an object with a Statement",
                'write {"Version": "2012-10-17", "Statement": [...]}',
            )
        ]
    return document, []


def check_text(text: str) -> list[Finding]:
    document, findings = load_policy(text)
    return findings if document is None else check_policy(document)


def check_policy(document: dict) -> list[Finding]:
    findings = _check_document(document)
    statements = parse_statements(document)
    seen_sids: dict[str, int] = {}
    for statement in statements:
        findings.extend(_check_statement(statement, seen_sids))
    token_everywhere = any(
        s.effect == "Allow" and "*" in s.resources and any(AUTH_ACTION.name in expand_action(a) for a in s.actions)
        for s in statements
    )
    for statement in statements:
        findings.extend(_check_token_scope(statement, token_everywhere))
    if not any(finding.code == "token-scoped" for finding in findings):
        findings.extend(_check_workflows(statements))
    else:
        findings.extend(f for f in _check_workflows(statements) if f.code != "no-login")
    size = policy_size(document)
    if size > PolicyKind.MANAGED.limit:
        findings.append(
            Finding(
                "too-large",
                ERROR,
                None,
                None,
                f"the policy is {size:,} characters without white space; IAM's limit for a managed policy is {PolicyKind.MANAGED.limit:,}",
                "split it into several policies, or use namespace wildcards (ecr-policy generate --split / --compact)",
            )
        )
    # Policy-wide findings first, then statement by statement.
    return sorted(findings, key=lambda finding: finding.statement or 0)


def _check_document(document: dict) -> list[Finding]:
    findings = []
    version = document.get("Version")
    if version is None:
        findings.append(
            Finding(
                "missing-version",
                WARNING,
                None,
                None,
                "no Version: IAM falls back to 2008-10-17, where policy variables such as ${aws:username} are plain text",
                'add "Version": "2012-10-17" at the top',
            )
        )
    elif version not in ("2012-10-17", "2008-10-17"):
        findings.append(
            Finding(
                "bad-version",
                ERROR,
                None,
                None,
                f"Version {version!r} is not one IAM accepts; the policy is rejected",
                'use "Version": "2012-10-17"',
            )
        )
    elif version == "2008-10-17":
        findings.append(
            Finding(
                "old-version",
                WARNING,
                None,
                None,
                "Version 2008-10-17 is the old policy language",
                'use "Version": "2012-10-17"',
            )
        )
    statement = document.get("Statement")
    if not isinstance(statement, (list, dict)) or statement == []:
        findings.append(
            Finding(
                "no-statement",
                ERROR,
                None,
                None,
                "there is no Statement",
                "add a Statement list with at least one statement",
            )
        )
    return findings


def _check_statement(statement: ParsedStatement, seen_sids: dict[str, int]) -> list[Finding]:
    index, sid = statement.index, statement.sid
    findings: list[Finding] = []

    def add(code: str, severity: str, message: str, fix: str) -> None:
        findings.append(Finding(code, severity, index, sid, message, fix))

    if not isinstance(statement.raw, dict):
        add(
            "bad-statement",
            ERROR,
            "the statement is not a JSON object",
            'write it as {"Effect": ..., "Action": ..., "Resource": ...}',
        )
        return findings
    raw_sid = statement.raw.get("Sid")
    if raw_sid is not None:
        if not isinstance(raw_sid, str) or not SID_PATTERN.match(raw_sid):
            add(
                "bad-sid",
                ERROR,
                f"Sid {raw_sid!r} may only contain letters and digits (IAM rejects it)",
                "remove spaces, dashes and other characters from the Sid",
            )
        elif raw_sid in seen_sids:
            add(
                "duplicate-sid",
                ERROR,
                f"Sid {raw_sid!r} is also used by statement {seen_sids[raw_sid]}; Sids must be unique",
                "give each statement its own Sid",
            )
        else:
            seen_sids[raw_sid] = index
    if statement.effect not in ("Allow", "Deny"):
        add("bad-effect", ERROR, f'Effect {statement.effect!r} must be "Allow" or "Deny"', 'set "Effect": "Allow"')
    if statement.principal is not None:
        add(
            "principal-in-identity-policy",
            ERROR,
            "an identity policy has no Principal; IAM rejects it (Principal belongs in a repository policy or a role's trust policy)",
            "remove Principal here, or put this statement in the repository policy (ecr set-repository-policy) instead",
        )
    if statement.not_action:
        add(
            "not-action",
            WARNING,
            "NotAction grants everything except the listed actions, in every AWS service",
            "list the actions you grant in Action instead",
        )
    if statement.not_resource:
        add(
            "not-resource",
            WARNING,
            "NotResource applies the statement to every resource except those listed",
            "list the resources in Resource instead",
        )
    if not statement.actions and not statement.not_action:
        add("no-action", ERROR, "the statement has no Action", "add the actions it grants")
    if not statement.resources and not statement.not_resource:
        add(
            "no-resource",
            ERROR,
            "the statement has no Resource; IAM rejects an identity policy statement without one",
            'add "Resource" with repository ARNs (or "*" for ecr:GetAuthorizationToken)',
        )

    granted: list[str] = []
    for action in statement.actions:
        findings.extend(_check_action(action, index, sid))
        granted.extend(expand_action(action))
    for resource in statement.resources:
        findings.extend(_check_resource(resource, index, sid))

    if statement.effect == "Allow":
        lowered = {action.lower() for action in granted}
        repository_actions = sorted(
            {row.action for name in lowered if (row := find_action(name)) and row.resource == "repository"}
        )
        if "*" in statement.resources and repository_actions:
            shown = ", ".join(repository_actions[:6]) + (
                f" and {len(repository_actions) - 6} more" if len(repository_actions) > 6 else ""
            )
            add(
                "repository-actions-on-star",
                WARNING,
                f'{shown} {"applies" if len(repository_actions) == 1 else "apply"} to "Resource": "*": '
                "every repository in every region of the account",
                "scope them to repository ARNs (arn:aws:ecr:REGION:ACCOUNT:repository/NAME) in a statement of their own",
            )
    return findings


def _check_token_scope(statement: ParsedStatement, token_everywhere: bool) -> list[Finding]:
    """GetAuthorizationToken named in a statement scoped to repositories: it has no effect there."""
    named = any(action.lower() == AUTH_ACTION.name.lower() for action in statement.actions)
    if statement.effect != "Allow" or not named or not statement.resources or "*" in statement.resources:
        return []
    if token_everywhere:
        return [
            Finding(
                "token-scoped",
                WARNING,
                statement.index,
                statement.sid,
                'ecr:GetAuthorizationToken is listed with repository ARNs, where it has no effect (another statement grants it on "*")',
                "remove it from this statement",
            )
        ]
    return [
        Finding(
            "token-scoped",
            ERROR,
            statement.index,
            statement.sid,
            'ecr:GetAuthorizationToken is scoped to a repository; it only works with "Resource": "*", so docker login will fail',
            'move ecr:GetAuthorizationToken to its own statement with "Resource": "*" (the token alone opens no repository)',
        )
    ]


def _check_action(action: str, index: int, sid: str | None) -> list[Finding]:
    findings = []
    service, _, name = action.partition(":")
    if action == "*" or action.lower() == "ecr:*":
        expanded = expand_action("ecr:*")
        scope = "every action of every AWS service" if action == "*" else f"all {len(expanded)} ECR actions"
        findings.append(
            Finding(
                "action-wildcard",
                WARNING,
                index,
                sid,
                f"{action!r} grants {scope}, including DeleteRepository, SetRepositoryPolicy and PutLifecyclePolicy",
                "list only the actions needed: the three pull actions, plus the four upload actions to push",
            )
        )
    elif service.lower() == "ecr" and ("*" in name or "?" in name):
        expanded = expand_action(action)
        findings.append(
            Finding(
                "action-wildcard",
                WARNING,
                index,
                sid,
                f"{action!r} expands to {len(expanded)} actions: {', '.join(a.split(':')[1] for a in expanded) or 'none'}",
                "list the actions you need by name, so a new ECR action is not granted silently",
            )
        )
    elif service.lower() == "ecr" and find_action(action) is None:
        names = [row.action for row in ecr_actions().values()]
        close = get_close_matches(action, names, n=1, cutoff=0.7) or get_close_matches(
            action.lower(), [n.lower() for n in names], n=1, cutoff=0.7
        )
        hint = (
            f"did you mean {next((n for n in names if n.lower() == close[0].lower()), close[0])}?"
            if close
            else "check the spelling against the ECR actions list"
        )
        findings.append(
            Finding(
                "unknown-action", ERROR, index, sid, f"{action!r} is not an ECR action; IAM grants nothing for it", hint
            )
        )
    return findings


def _check_resource(resource: str, index: int, sid: str | None) -> list[Finding]:
    if resource == "*":
        return []
    if ".dkr.ecr." in resource or resource.startswith("public.ecr.aws"):
        host, _, path = resource.partition("/")
        name = re.split(r"[:@]", path, maxsplit=1)[0]
        parts = host.split(".")
        fix = (
            f"use arn:aws:ecr:{parts[3]}:{parts[0]}:repository/{name or 'NAME'}"
            if len(parts) > 4 and parts[1:3] == ["dkr", "ecr"]
            else "use the repository ARN: arn:aws:ecr:REGION:ACCOUNT:repository/NAME"
        )
        return [
            Finding(
                "registry-url-resource",
                ERROR,
                index,
                sid,
                f"{resource!r} is a registry URL, not an ARN; IAM rejects it",
                fix,
            )
        ]
    match = ARN_PATTERN.match(resource)
    if not match:
        return [
            Finding(
                "bad-resource",
                ERROR,
                index,
                sid,
                f'Resource {resource!r} is neither an ARN nor "*"; IAM rejects it',
                "use arn:aws:ecr:REGION:ACCOUNT:repository/NAME",
            )
        ]
    if match["service"] == "ecr" and not match["resource"].startswith("repository/"):
        return [
            Finding(
                "bad-resource",
                ERROR,
                index,
                sid,
                f"{resource!r} names no repository (ECR ARNs end in repository/NAME)",
                "end the ARN with repository/NAME, or repository/NAMESPACE/* for a namespace",
            )
        ]
    return []


def _check_workflows(statements: list[ParsedStatement]) -> list[Finding]:
    """What a working docker pull or push needs that the policy lacks (Allow statements only)."""
    allowed: dict[str, set[str]] = {}
    for statement in statements:
        if statement.effect != "Allow":
            continue
        for action in statement.actions:
            for name in expand_action(action):
                allowed.setdefault(name, set()).update(statement.resources)
    findings = []
    push = [action.name for action in PUSH_ACTIONS]
    pushes = any(name in allowed for name in push)
    pulls = any(name in allowed for name in ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"))
    if pushes:
        missing = [name for name in [*push, "ecr:BatchCheckLayerAvailability"] if name not in allowed]
        if missing:
            findings.append(
                Finding(
                    "incomplete-push",
                    ERROR,
                    None,
                    None,
                    f"push is granted but lacks {', '.join(missing)}; docker push will fail"
                    + (
                        " (GitHub Actions reports 'unexpected end of JSON input')"
                        if "ecr:BatchCheckLayerAvailability" in missing
                        else ""
                    ),
                    f"add {', '.join(missing)} on the same repositories as the other upload actions",
                )
            )
    if pulls:
        missing = [name for name in ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer") if name not in allowed]
        if missing:
            findings.append(
                Finding(
                    "incomplete-pull",
                    ERROR,
                    None,
                    None,
                    f"pull is granted but lacks {', '.join(missing)}; docker pull will fail",
                    f"add {', '.join(missing)} on the same repositories",
                )
            )
        elif "ecr:BatchCheckLayerAvailability" not in allowed and not pushes:
            findings.append(
                Finding(
                    "pull-without-layer-check",
                    WARNING,
                    None,
                    None,
                    "pull lacks ecr:BatchCheckLayerAvailability; docker pull works without it, but some clients check layers first",
                    "add ecr:BatchCheckLayerAvailability with the pull actions (AWS's examples and CDK's grantPull do)",
                )
            )
    if (pulls or pushes) and "*" not in allowed.get(AUTH_ACTION.name, set()):
        findings.append(
            Finding(
                "no-login",
                WARNING,
                None,
                None,
                'pull or push is granted but not ecr:GetAuthorizationToken on "*"; docker login fails unless another policy grants it',
                'add a statement allowing ecr:GetAuthorizationToken on "Resource": "*"',
            )
        )
    return findings


def summarize(findings: list[Finding]) -> str:
    """'3 findings (2 errors, 1 warning)', or 'no findings'."""
    if not findings:
        return "no findings"
    errors = sum(1 for finding in findings if finding.severity == ERROR)
    warnings = len(findings) - errors
    parts = [f"{errors} error{'s' if errors != 1 else ''}"] * bool(errors)
    parts += [f"{warnings} warning{'s' if warnings != 1 else ''}"] * bool(warnings)
    return f"{len(findings)} finding{'s' if len(findings) != 1 else ''} ({', '.join(parts)})"


def report_text(findings: list[Finding], name: str) -> str:
    """The `check` report people read: a summary line, then each finding and its fix."""
    lines = [f"{name}: {summarize(findings)}"]
    for finding in findings:
        lines.append(f"{finding.severity:<9}{finding.where}: {finding.message}")
        lines.append(f"{'':<9}fix: {finding.fix}")
    return "\n".join(lines) + "\n"


def without_action(document: dict, action: str) -> dict:
    """A copy of the policy with one action removed (statements left empty are dropped)."""
    statements = []
    for statement in parse_statements(document):
        raw = dict(statement.raw) if isinstance(statement.raw, dict) else statement.raw
        if isinstance(raw, dict) and "Action" in raw:
            kept = [a for a in as_list(raw["Action"]) if a != action]
            if not kept:
                continue
            raw["Action"] = kept[0] if len(kept) == 1 else kept
        statements.append(raw)
    return {**document, "Statement": statements}
