"""`check`'s rules, grouped by topic; `run_rules` applies those of the document's kind."""

from __future__ import annotations

from wizard.core.policy import Document, Kind
from wizard.core.rules import actions, grammar, intent, principals, reach  # noqa: F401 (they register rules)
from wizard.core.rules.base import ERROR, RULES, TOPICS, WARNING, Context, Finding, Rule

__all__ = ["ERROR", "RULES", "WARNING", "Finding", "Rule", "run_rules"]

_SEVERITY_ORDER = {ERROR: 0, WARNING: 1}


def run_rules(document: Document, json_problems=(), owner_account: str | None = None) -> list[Finding]:
    """Every finding for the document: policy-wide ones first, then statement by statement."""
    context = Context(document, json_problems, owner_account)
    findings: list[Finding] = []
    for registered in RULES:
        if document.kind in registered.kinds:
            findings.extend(registered.function(context))
    unique = list(dict.fromkeys(findings))
    return sorted(unique, key=lambda f: (f.statement or 0, _SEVERITY_ORDER[f.severity]))


def rules_table() -> str:
    """The rules as a Markdown table, by topic (the README's check section shows this table;
    a test keeps the two equal)."""
    kinds = list(Kind)
    header = "| codes | usual severity | what it finds | " + " | ".join(_SHORT_KIND[kind] for kind in kinds) + " |"
    lines = [header, "|" + "---|" * (3 + len(kinds))]
    for registered in sorted(RULES, key=lambda r: TOPICS.index(r.topic)):
        marks = " | ".join("✓" if kind in registered.kinds else "" for kind in kinds)
        codes = ", ".join(f"`{code}`" for code in registered.codes)
        lines.append(f"| {codes} | {registered.severity} | {registered.summary} | {marks} |")
    return "\n".join(lines) + "\n"


def known_codes() -> set[str]:
    return {code for registered in RULES for code in registered.codes}


_SHORT_KIND = {
    Kind.IDENTITY: "identity",
    Kind.REPOSITORY: "repository",
    Kind.REGISTRY: "registry",
    Kind.TRUST: "trust",
    Kind.PUBLIC_IDENTITY: "public identity",
    Kind.PUBLIC_REPOSITORY: "public repository",
}
