"""`check`'s rules, grouped by topic; `run_rules` applies those of the document's kind."""

from __future__ import annotations

from wizard.core.policy import Document
from wizard.core.rules import actions, grammar, intent, principals, reach  # noqa: F401 (they register rules)
from wizard.core.rules.base import ERROR, RULES, WARNING, Context, Finding, Rule

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
