"""`check`: findings about an existing policy of any ECR-related kind, each with where it is
and a fix.

The text is parsed once (wizard.core.policy), the rules (wizard.core.rules) read the model and
ask the one evaluator. A policy this tool generates always checks clean (tested).
"""

from __future__ import annotations

from collections import namedtuple

from wizard.core.policy import Document, Kind, document_from_json, parse_policy
from wizard.core.policy.model import as_strings
from wizard.core.rules import ERROR, WARNING, Finding, run_rules

__all__ = [
    "ERROR",
    "WARNING",
    "CheckResult",
    "Finding",
    "check_document",
    "check_policy",
    "check_text",
    "load_policy",
    "parse_statements",
    "report_text",
    "summarize",
    "without_action",
]


class CheckResult(namedtuple("CheckResult", "document findings")):
    """document: the parsed Document (None when the text is not a policy); findings."""

    __slots__ = ()


def check_text(text: str, kind: Kind | None = None, account: str | None = None) -> CheckResult:
    """Parse and check policy text (already within the size limit)."""
    parsed = parse_policy(text, kind)
    if parsed.document is None:
        return CheckResult(None, [Finding(p.code, ERROR, None, None, p.message, p.fix) for p in parsed.problems])
    return CheckResult(parsed.document, run_rules(parsed.document, parsed.problems, account))


def check_document(document: Document, account: str | None = None) -> list[Finding]:
    return run_rules(document, (), account)


def check_policy(document: dict, kind: Kind | None = None, account: str | None = None) -> list[Finding]:
    """Check a policy given as a JSON object (e.g. one this tool generated)."""
    return run_rules(document_from_json(document, kind), (), account)


def load_policy(text: str) -> tuple[dict | None, list[Finding]]:
    """The JSON object of policy text, or None and the findings that say why not."""
    parsed = parse_policy(text)
    if parsed.document is None:
        return None, [Finding(p.code, ERROR, None, None, p.message, p.fix) for p in parsed.problems]
    return parsed.document.raw, []


def parse_statements(document: dict):
    return document_from_json(document).statements


def summarize(findings: list[Finding]) -> str:
    """'3 findings (2 errors, 1 warning)', or 'no findings'."""
    if not findings:
        return "no findings"
    errors = sum(1 for finding in findings if finding.severity == ERROR)
    warnings = len(findings) - errors
    parts = [f"{errors} error{'s' if errors != 1 else ''}"] * bool(errors)
    parts += [f"{warnings} warning{'s' if warnings != 1 else ''}"] * bool(warnings)
    return f"{len(findings)} finding{'s' if len(findings) != 1 else ''} ({', '.join(parts)})"


def describe_kind(document: Document) -> str:
    how = "as requested" if document.kind_forced else f"detected: {document.kind_reason}"
    return f"{document.kind.title} ({how})"


def report_text(findings: list[Finding], name: str, document: Document | None = None) -> str:
    """The `check` report people read: what was read, a summary line, each finding and its fix.
    (Outside text in it is made visible by the caller's output boundary.)"""
    lines = [f"{name}: {summarize(findings)}"]
    if document is not None:
        lines.append(f"read as: {describe_kind(document)}; --kind overrides")
    for finding in findings:
        lines.append(f"{finding.severity:<9}{finding.where}: {finding.message}")
        lines.append(f"{'':<9}fix: {finding.fix}")
    return "\n".join(lines) + "\n"


def without_action(document: dict, action: str) -> dict:
    """A copy of the policy with one action removed (statements left empty are dropped)."""
    statements = []
    for statement in document_from_json(document).statements:
        raw = dict(statement.raw) if isinstance(statement.raw, dict) else statement.raw
        if isinstance(raw, dict) and "Action" in raw:
            kept = [name for name in as_strings(raw["Action"]) if name != action]
            if not kept:
                continue
            raw["Action"] = kept[0] if len(kept) == 1 else kept
        statements.append(raw)
    return {**document, "Statement": statements}
