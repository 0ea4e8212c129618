"""What a rule is, what it reports, and the context every rule reads.

A rule is a small function registered with `@rule(code, kinds, severity, summary, source)`.
It reads the parsed Document (and the evaluator through the Context) and yields findings.
The README's rule table and `ecr-policy check --rules` are generated from the registry.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterable
from functools import cached_property

from wizard.core.policy import Document, Kind, Statement
from wizard.core.policy.evaluate import ActionMap, Caller, Decision, Request, evaluate
from wizard.core.text import visible

ERROR, WARNING = "error", "warning"
ALL_KINDS = tuple(Kind)
IDENTITY_KINDS = (Kind.IDENTITY, Kind.PUBLIC_IDENTITY)
REPOSITORY_KINDS = (Kind.REPOSITORY, Kind.PUBLIC_REPOSITORY)
RESOURCE_KINDS = (Kind.REPOSITORY, Kind.REGISTRY, Kind.PUBLIC_REPOSITORY)
"""Resource-based ECR policies (trust policies are resource-based too, but about roles)."""
PERMISSION_KINDS = (Kind.IDENTITY, Kind.PUBLIC_IDENTITY, Kind.REPOSITORY, Kind.REGISTRY, Kind.PUBLIC_REPOSITORY)
"""Documents that grant ECR actions (all but trust policies)."""


class Finding(namedtuple("Finding", "code severity statement sid message fix")):
    """One problem: a stable code, error or warning, where (statement index from 1 and Sid,
    or None for the whole policy), what is wrong, and the fix."""

    __slots__ = ()

    @property
    def where(self) -> str:
        if self.statement is None:
            return "policy"
        return f"statement {self.statement}" + (f" ({visible(self.sid)})" if self.sid else "")

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "statement": self.statement,
            "sid": self.sid,
            "message": self.message,
            "fix": self.fix,
        }


class Rule(namedtuple("Rule", "codes kinds severity summary source topic function")):
    """A registered rule: the finding codes it reports, the document kinds it applies to, its
    usual severity (a finding may raise it: a destructive grant is an error when the public
    gets it, a warning within the account), a summary, the page it follows, its topic."""

    __slots__ = ()


RULES: list[Rule] = []
TOPICS = ("grammar", "actions", "principals", "reach", "intent")


def rule(codes: str | tuple[str, ...], kinds: Iterable[Kind], severity: str, summary: str, source: str = ""):
    """Register a rule function `(context) -> Iterable[Finding]` reporting `codes`."""

    def register(function: Callable[[Context], Iterable[Finding]]):
        topic = function.__module__.rsplit(".", 1)[-1]
        names = (codes,) if isinstance(codes, str) else tuple(codes)
        RULES.append(Rule(names, tuple(kinds), severity, summary, source, topic, function))
        return function

    return register


class Context:
    """The document being checked, and the questions rules ask about it (asked once)."""

    def __init__(self, document: Document, json_problems=(), owner_account: str | None = None):
        self.document = document
        self.json_problems = tuple(json_problems)
        self.owner_account = owner_account or self._inferred_owner()
        """The account that owns the repositories (or registry): given, or read from the ARNs."""

    def _inferred_owner(self) -> str | None:
        if self.document.kind not in (Kind.REGISTRY,):
            return None
        accounts = {
            resource.split(":")[4]
            for statement in self.document.real_statements
            for resource in statement.resources
            if resource.startswith("arn:") and resource.count(":") >= 5
        }
        accounts = {account for account in accounts if account.isdigit()}
        return accounts.pop() if len(accounts) == 1 else None

    @property
    def kind(self) -> Kind:
        return self.document.kind

    @property
    def statements(self) -> tuple[Statement, ...]:
        return self.document.real_statements

    def finding(self, code: str, severity: str, statement: Statement | None, message: str, fix: str) -> Finding:
        if statement is None:
            return Finding(code, severity, None, None, message, fix)
        return Finding(code, severity, statement.index, statement.sid, message, fix)

    def decide(self, action: str, resource: str = "*", caller: Caller | None = None) -> Decision:
        return evaluate(self.document, Request(action, resource, caller))

    @cached_property
    def action_map(self) -> ActionMap:
        """What the document allows, resource by resource (asked once per resource)."""
        return ActionMap(self.document)

    @cached_property
    def uses_variables(self) -> bool:
        return "${" in repr(self.document.raw)
