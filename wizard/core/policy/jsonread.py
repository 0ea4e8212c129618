"""Strict, bounded JSON for policy documents: where hostile input stops.

Python's json module silently keeps the last of two duplicate keys (a first "Statement"
granting "*" vanishes from view), accepts NaN and Infinity (not JSON), recurses once per
nesting level (100,000 `[` overflow the stack) and parses integers of any length (quadratic).
`read_json` refuses or reports each of these with a line and column, before anything trusts
the value.
"""

from __future__ import annotations

import json
from collections import namedtuple

from wizard.core.limits import JSON_DEPTH, JSON_NUMBER_DIGITS
from wizard.core.text import quoted


class JsonProblem(namedtuple("JsonProblem", "code message fix fatal")):
    """code: a finding code; fatal: the text cannot be read as a document at all."""

    __slots__ = ()


class JsonRead(namedtuple("JsonRead", "value problems shadowed")):
    """value: the parsed JSON, or None when a problem is fatal; shadowed: the values of an
    earlier duplicate top-level "Statement" key, which the parser dropped and which some AWS
    parsers may read instead (they are checked too)."""

    __slots__ = ()


class _Stop(Exception):
    def __init__(self, problem: JsonProblem):
        self.problem = problem


def _position(text: str, index: int) -> str:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"line {line}, column {column}"


def _depth_problem(text: str) -> JsonProblem | None:
    """Nesting deeper than JSON_DEPTH, found by one linear scan outside strings."""
    depth = 0
    in_string = escaped = False
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > JSON_DEPTH:
                return JsonProblem(
                    "too-deep",
                    f"the JSON nests deeper than {JSON_DEPTH} levels (at {_position(text, index)}); no policy does",
                    "this is not a policy document; check that the right file was given",
                    True,
                )
        elif char in "]}":
            depth -= 1
    return None


def _number(text: str):
    if len(text.lstrip("-")) > JSON_NUMBER_DIGITS:
        raise _Stop(
            JsonProblem(
                "not-a-policy",
                f"a number has {len(text):,} digits; IAM policies hold no such number",
                "remove it: policy values are strings",
                True,
            )
        )
    return int(text)


def _constant(name: str):
    raise _Stop(
        JsonProblem(
            "not-standard-json",
            f"{name} is not JSON (Python accepts it, IAM does not)",
            "write the value as a string or remove it",
            True,
        )
    )


def read_json(text: str) -> JsonRead:
    """The parsed value and the problems found; the value is None when a problem is fatal."""
    text = text.removeprefix("\ufeff")
    problem = _depth_problem(text)
    if problem:
        return JsonRead(None, [problem], [])
    duplicates: list[JsonProblem] = []
    dropped: list[tuple[int, str, object]] = []  # (id of the object, key, the value dropped)

    def pairs(items: list[tuple[str, object]]) -> dict:
        result: dict = {}
        for key, value in items:
            if key in result:
                duplicates.append(
                    JsonProblem(
                        "duplicate-key",
                        f"the key {quoted(key)} appears twice in one object; JSON parsers disagree on which "
                        "one counts, so the policy may not mean what it shows (both are checked here)",
                        f"keep one {quoted(key)} and merge what the other held",
                        False,
                    )
                )
                dropped.append((id(result), key, result[key]))
            result[key] = value
        return result

    try:
        value = json.loads(text, object_pairs_hook=pairs, parse_int=_number, parse_constant=_constant)
    except _Stop as stop:
        return JsonRead(None, [stop.problem], [])
    except json.JSONDecodeError as error:
        return JsonRead(
            None,
            [
                JsonProblem(
                    "invalid-json",
                    f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}",
                    "fix the JSON syntax there (a missing comma or quote, or a trailing comma, is the usual cause)",
                    True,
                )
            ],
            [],
        )
    except RecursionError:  # the depth scan makes this unreachable; kept as a last guard
        problem = JsonProblem("too-deep", "the JSON nests too deeply", "check that the right file was given", True)
        return JsonRead(None, [problem], [])
    shadowed = [old for owner, key, old in dropped if owner == id(value) and key == "Statement"]
    return JsonRead(value, duplicates, shadowed)
