"""IAM condition operators, evaluated against a request context.

Each test gives True, False or None (unknown: the context does not say, or the operator is
one we do not evaluate). Unknown is not false: analysis that has no real request (reach,
blast radius) treats a statement with unknown conditions as "allowed under conditions".
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from wizard.core.glob import glob_match
from wizard.core.policy.model import Condition


def _string_equals(pattern: str, value: str) -> bool:
    return pattern == value


def _string_equals_ignore_case(pattern: str, value: str) -> bool:
    return pattern.lower() == value.lower()


def _string_like(pattern: str, value: str) -> bool:
    return glob_match(pattern, value)


def _arn_like(pattern: str, value: str) -> bool:
    # ARN operators compare segment by segment; a '*' stays within its segment except in the
    # last (resource) one.
    pattern_parts, value_parts = pattern.split(":", 5), value.split(":", 5)
    if len(pattern_parts) != len(value_parts):
        return False
    return all(glob_match(p, v) for p, v in zip(pattern_parts, value_parts, strict=True))


def _bool(pattern: str, value: str) -> bool:
    return pattern.lower() == value.lower()


def _ip(pattern: str, value: str) -> bool:
    try:
        return ipaddress.ip_address(value) in ipaddress.ip_network(pattern, strict=False)
    except ValueError:
        return False


def _numeric(compare: Callable[[float, float], bool]) -> Callable[[str, str], bool]:
    def test(pattern: str, value: str) -> bool:
        try:
            return compare(float(value), float(pattern))
        except ValueError:
            return False

    return test


_POSITIVE: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": _string_equals,
    "StringEqualsIgnoreCase": _string_equals_ignore_case,
    "StringLike": _string_like,
    "ArnEquals": _arn_like,
    "ArnLike": _arn_like,
    "Bool": _bool,
    "IpAddress": _ip,
    "NumericEquals": _numeric(lambda a, b: a == b),
    "NumericLessThan": _numeric(lambda a, b: a < b),
    "NumericLessThanEquals": _numeric(lambda a, b: a <= b),
    "NumericGreaterThan": _numeric(lambda a, b: a > b),
    "NumericGreaterThanEquals": _numeric(lambda a, b: a >= b),
}
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
    "NotIpAddress": "IpAddress",
    "NumericNotEquals": "NumericEquals",
}
_DATE = {
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
}
KNOWN_OPERATORS = frozenset({*_POSITIVE, *_NEGATED, *_DATE, "Null", "BinaryEquals"})


def is_known_operator(operator: str) -> bool:
    qualifier, _, rest = operator.rpartition(":")
    if qualifier and qualifier not in ("ForAnyValue", "ForAllValues"):
        return False
    return rest.removesuffix("IfExists") in KNOWN_OPERATORS


def lookup(context: dict[str, tuple[str, ...]], key: str) -> tuple[str, ...] | None:
    """The context values of a key (condition keys are case-insensitive)."""
    return context.get(key.lower())


def test_condition(condition: Condition, context: dict[str, tuple[str, ...]] | None, complete: bool) -> bool | None:
    """One condition against the context; None when it cannot be told."""
    if context is None or not is_known_operator(condition.operator):
        return None
    base = condition.base
    values = lookup(context, condition.key)
    if base == "Null":
        wanted_absent = any(v.lower() == "true" for v in condition.values)
        if values is None and not complete:
            return None
        return (values is None) == wanted_absent
    if values is None:
        if not complete:
            return None
        # A missing key: IfExists passes; negated operators match (nothing equals); others fail.
        return condition.if_exists or base in _NEGATED
    if base in _DATE or base == "BinaryEquals":
        return None
    negated = base in _NEGATED
    test = _POSITIVE[_NEGATED.get(base, base)]

    def matches(value: str) -> bool:
        return any(test(pattern, value) for pattern in condition.values)

    if condition.qualifier == "ForAllValues":
        result = all(matches(value) for value in values)
    else:  # single-valued keys and ForAnyValue: any value matching is enough
        result = any(matches(value) for value in values)
    return not result if negated else result
