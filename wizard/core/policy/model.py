"""One parsed model of any ECR-related policy document, built once from untrusted JSON.

Statements keep every element in normalised form (lists of strings, principals and
conditions as records) beside the raw JSON they came from, so the grammar rules can say
exactly what was written while the evaluator and the other rules work on clean values.
"""

from __future__ import annotations

from collections import namedtuple
from enum import Enum


class Kind(str, Enum):
    """The kinds of document this tool reads. The value is what `--kind` accepts."""

    IDENTITY = "identity"
    REPOSITORY = "repository"
    REGISTRY = "registry"
    TRUST = "trust"
    PUBLIC_IDENTITY = "public-identity"
    PUBLIC_REPOSITORY = "public-repository"

    @property
    def title(self) -> str:
        """A short name: "repository policy"."""
        return _TITLES[self][0]

    @property
    def placement(self) -> str:
        """Where such a document lives: "set on an ECR repository with set-repository-policy"."""
        return _TITLES[self][1]

    @property
    def resource_based(self) -> bool:
        """Attached to a resource (names a Principal) rather than to an IAM identity."""
        return self in (Kind.REPOSITORY, Kind.REGISTRY, Kind.TRUST, Kind.PUBLIC_REPOSITORY)


_TITLES = {
    Kind.IDENTITY: ("identity policy", "attached to a role, user or group"),
    Kind.REPOSITORY: ("repository policy", "set on an ECR private repository with set-repository-policy"),
    Kind.REGISTRY: ("registry policy", "set on an ECR private registry with put-registry-policy"),
    Kind.TRUST: ("trust policy", "the role's trust relationship: who may assume it"),
    Kind.PUBLIC_IDENTITY: ("ECR Public identity policy", "attached to a role, user or group"),
    Kind.PUBLIC_REPOSITORY: ("ECR Public repository policy", "set on an ECR Public repository"),
}


class Principal(namedtuple("Principal", "type value")):
    """One entry of a Principal element: type is "*" (the bare `"Principal": "*"`), "AWS",
    "Service", "Federated" or "CanonicalUser"; value is the string as written."""

    __slots__ = ()

    @property
    def is_everyone(self) -> bool:
        """Anyone at all: "*", {"AWS": "*"}, or an account wildcard such as arn:aws:iam::*:root."""
        if self.type == "*" or (self.type in ("AWS", "CanonicalUser") and self.value == "*"):
            return True
        return self.type == "AWS" and self.value.startswith("arn:") and self.arn_account == "*"

    @property
    def arn_account(self) -> str | None:
        parts = self.value.split(":")
        return parts[4] if self.value.startswith("arn:") and len(parts) >= 6 else None

    @property
    def account(self) -> str | None:
        """The 12-digit account an AWS principal belongs to (or delegates to), when it names one."""
        if self.type != "AWS":
            return None
        if self.value.isdigit() and len(self.value) == 12:
            return self.value
        account = self.arn_account
        return account if account and account.isdigit() and len(account) == 12 else None

    @property
    def partition(self) -> str | None:
        return self.value.split(":")[1] if self.value.startswith("arn:") and self.value.count(":") >= 5 else None


class Condition(namedtuple("Condition", "operator key values")):
    """One condition test: operator as written (e.g. "ForAnyValue:StringLikeIfExists"), the
    context key, and its values as strings."""

    __slots__ = ()

    @property
    def qualifier(self) -> str:
        return self.operator.split(":", 1)[0] if ":" in self.operator else ""

    @property
    def base(self) -> str:
        """The operator without set qualifier and IfExists, e.g. "StringLike"."""
        return self.operator.split(":", 1)[-1].removesuffix("IfExists")

    @property
    def if_exists(self) -> bool:
        return self.operator.endswith("IfExists")


class Patterns(namedtuple("Patterns", "literals wildcards")):
    """One Action/Resource list split for fast matching: the entries without wildcards as a
    set (looked up in one step), the few with wildcards kept for glob matching."""

    __slots__ = ()

    @classmethod
    def of(cls, values: tuple[str, ...], lower: bool = False) -> Patterns:
        literals, wildcards = set(), []
        for value in values:
            value = value.lower() if lower else value
            (wildcards.append(value) if ("*" in value or "?" in value) else literals.add(value))
        return cls(frozenset(literals), tuple(wildcards))


class Statement(
    namedtuple(
        "Statement",
        "index sid effect actions not_actions resources not_resources principals not_principals conditions raw shadowed "
        "matchers",
        defaults=(None,),
    )
):
    """One statement. index counts from 1; sid is None when absent; actions, resources...:
    tuples of strings; principals / not_principals: tuples of Principal, or None when the
    element is absent; conditions: tuple of Condition; raw: the JSON value as read; shadowed:
    the statement came from an earlier duplicate "Statement" key; matchers: the four lists as
    Patterns (actions lower-cased), for the evaluator."""

    __slots__ = ()

    def has(self, element: str) -> bool:
        return isinstance(self.raw, dict) and element in self.raw

    @property
    def where(self) -> str:
        name = f" ({self.sid})" if self.sid else ""
        return f"statement {self.index}{name}"

    @property
    def allows(self) -> bool:
        return self.effect == "Allow"


class Document(namedtuple("Document", "kind kind_reason kind_forced version statements raw")):
    """A policy document. kind: a Kind; kind_reason: why it was taken for that kind (or that
    the user said so); version: the Version string or None; raw: the JSON object."""

    __slots__ = ()

    @property
    def real_statements(self) -> tuple[Statement, ...]:
        return tuple(statement for statement in self.statements if isinstance(statement.raw, dict))


def as_strings(value) -> tuple[str, ...]:
    """A JSON string or list as a tuple of its strings (anything else is left to grammar rules)."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(item for item in value if isinstance(item, str))
    return ()


def read_principals(value) -> tuple[Principal, ...] | None:
    if value is None:
        return None
    if value == "*":
        return (Principal("*", "*"),)
    if isinstance(value, str):
        return (Principal("", value),)  # not a valid form; the grammar rules say so
    if not isinstance(value, dict):
        return ()
    return tuple(Principal(str(kind), item) for kind, items in value.items() for item in as_strings(items))


def read_conditions(value) -> tuple[Condition, ...]:
    if not isinstance(value, dict):
        return ()
    conditions = []
    for operator, tests in value.items():
        if not isinstance(tests, dict):
            continue
        for key, values in tests.items():
            conditions.append(Condition(str(operator), str(key), _condition_values(values)))
    return tuple(conditions)


def _condition_values(values) -> tuple[str, ...]:
    items = values if isinstance(values, list) else [values]
    shown = []
    for item in items:
        if isinstance(item, bool):
            shown.append("true" if item else "false")
        elif isinstance(item, (str, int, float)):
            shown.append(str(item))
    return tuple(shown)


def read_statement(index: int, raw, shadowed: bool = False) -> Statement:
    if not isinstance(raw, dict):
        return Statement(index, None, None, (), (), (), (), None, None, (), raw, shadowed, _matchers((), (), (), ()))
    sid = raw.get("Sid") if isinstance(raw.get("Sid"), str) else None
    actions, not_actions = as_strings(raw.get("Action")), as_strings(raw.get("NotAction"))
    resources, not_resources = as_strings(raw.get("Resource")), as_strings(raw.get("NotResource"))
    return Statement(
        index=index,
        sid=sid or None,
        effect=raw.get("Effect") if isinstance(raw.get("Effect"), str) else None,
        actions=actions,
        not_actions=not_actions,
        resources=resources,
        not_resources=not_resources,
        principals=read_principals(raw.get("Principal")),
        not_principals=read_principals(raw.get("NotPrincipal")),
        conditions=read_conditions(raw.get("Condition")),
        raw=raw,
        shadowed=shadowed,
        matchers=_matchers(actions, not_actions, resources, not_resources),
    )


def _matchers(actions, not_actions, resources, not_resources) -> tuple[Patterns, Patterns, Patterns, Patterns]:
    return (
        Patterns.of(actions, lower=True),
        Patterns.of(not_actions, lower=True),
        Patterns.of(resources),
        Patterns.of(not_resources),
    )


def statement_list(value) -> list:
    """The Statement element as a list (IAM accepts one statement object without a list)."""
    if isinstance(value, list):
        return value
    return [value] if isinstance(value, dict) else []
