"""Existing policies: parsed once into one model (`parse_policy`), read by one evaluator.

check, explain, tighten, diagnose and simulate all start here; nothing after this package
looks at raw JSON text again.
"""

from __future__ import annotations

from collections import namedtuple

from wizard.core.policy.jsonread import JsonProblem, read_json
from wizard.core.policy.kinds import detect_kind
from wizard.core.policy.model import Condition, Document, Kind, Principal, Statement, read_statement, statement_list

__all__ = [
    "Condition",
    "Document",
    "JsonProblem",
    "Kind",
    "Parsed",
    "Principal",
    "Statement",
    "document_from_json",
    "parse_policy",
]


class Parsed(namedtuple("Parsed", "document problems")):
    """document: a Document, or None when the text is not a policy at all; problems: what
    was wrong with the JSON itself (JsonProblem records)."""

    __slots__ = ()


BARE_STATEMENT_KEYS = {"Effect", "Action", "NotAction"}


def is_bare_statement(value: dict) -> bool:
    """A statement pasted without its policy around it (no Statement, but Effect/Action)."""
    return "Statement" not in value and bool(BARE_STATEMENT_KEYS & set(value))


def document_from_json(value: dict, kind: Kind | None = None, shadowed: list | None = None) -> Document:
    """A Document from a parsed JSON object (generated documents come in this way too). A
    bare statement is read as the only statement of a policy (and reported as such)."""
    raws = [value] if is_bare_statement(value) else statement_list(value.get("Statement"))
    statements = [read_statement(index, raw) for index, raw in enumerate(raws, 1)]
    for earlier in shadowed or ():
        for raw in statement_list(earlier):
            statements.append(read_statement(len(statements) + 1, raw, shadowed=True))
    statements = tuple(statements)
    if kind is None:
        kind, reason = detect_kind(statements)
        forced = False
    else:
        reason, forced = "as requested (--kind)", True
    version = value.get("Version") if isinstance(value.get("Version"), str) else None
    return Document(kind, reason, forced, version, statements, value)


def parse_policy(text: str, kind: Kind | None = None) -> Parsed:
    """Parse policy text (already within the size limit) into a Document."""
    read = read_json(text)
    if read.value is None:
        return Parsed(None, read.problems)
    if not isinstance(read.value, dict):
        problem = JsonProblem(
            "not-a-policy",
            "the JSON is not an object with a Statement",
            'write {"Version": "2012-10-17", "Statement": [...]}',
            True,
        )
        return Parsed(None, [*read.problems, problem])
    return Parsed(document_from_json(read.value, kind, read.shadowed), read.problems)
