"""Repository names and wildcard patterns, as ECR and IAM read them.

ECR's own model (botocore) defines a repository name as lowercase alphanumeric runs joined by
'.', '_', '__' or runs of '-', with '/' between namespaces, 2 to 256 characters. In an IAM
Resource ARN, '*' matches any run of characters (including '/') and '?' exactly one.
"""

from __future__ import annotations

import re

from wizard.core.glob import glob_match

NAME_MIN, NAME_MAX = 2, 256
_COMPONENT = r"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*"
NAME_PATTERN = re.compile(rf"^{_COMPONENT}(?:/{_COMPONENT})*$")
WILDCARDS = frozenset("*?")
_ALLOWED_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-/")
_SEPARATORS = frozenset("._-")


def is_pattern(text: str) -> bool:
    """True when the text uses IAM wildcards ('*' or '?')."""
    return "*" in text or "?" in text


def is_valid_name(text: str) -> bool:
    """True for a literal repository name ECR accepts."""
    return NAME_MIN <= len(text) <= NAME_MAX and NAME_PATTERN.match(text) is not None


def glob_matches(pattern: str, value: str) -> bool:
    """IAM wildcard matching: '*' any run of characters including '/', '?' exactly one."""
    return glob_match(pattern, value)


def name_problem(text: str) -> str | None:
    """Why `text` is not an acceptable repository name or pattern, or None when it is.

    The reasons are specific (upper case, a pasted image URI, a tag...) because "does not
    match the pattern" teaches nobody anything.
    """
    if is_valid_name(text):
        return None  # the common case, answered by one regular expression
    if not text:
        return "is empty"
    if any(char.isspace() for char in text):
        return "contains white space"
    if text.startswith("arn:"):
        suggestion = text.split(":repository/", 1)[1] if ":repository/" in text else None
        hint = f"; use {suggestion!r}" if suggestion else ""
        return f"is an ARN, not a repository name{hint}"
    if ".dkr.ecr." in text or text.startswith("public.ecr.aws"):
        path = text.split("/", 1)[1] if "/" in text else ""
        suggestion = re.split(r"[:@]", path, maxsplit=1)[0]
        hint = f"; use {suggestion!r}" if suggestion else ""
        return f"is an image URI, not a repository name{hint}"
    if ":" in text or "@" in text:
        suggestion = re.split(r"[:@]", text, maxsplit=1)[0]
        return (
            "includes an image tag or digest; IAM cannot restrict access by tag, so name the "
            f"repository only: {suggestion!r}"
        )
    if text != text.lower():
        return f"has upper-case letters; ECR names are lowercase: {text.lower()!r}"
    bad = sorted(set(text) - _ALLOWED_CHARS - WILDCARDS)
    if bad:
        listed = " ".join(repr(char) for char in bad)
        return f"has characters a repository name cannot contain: {listed}"
    if len(text) > NAME_MAX:
        return f"is {len(text)} characters long; the limit is {NAME_MAX}"
    if is_pattern(text):
        return _pattern_problem(text)
    if len(text) < NAME_MIN:
        return f"is {len(text)} character long; names have at least {NAME_MIN}"
    return _structure_problem(text)


def _structure_problem(name: str) -> str | None:
    if name.startswith("/") or name.endswith("/"):
        return "starts or ends with '/'; '/' only separates namespaces, as in 'team/app'"
    if "//" in name:
        return "has an empty namespace ('//')"
    for component in name.split("/"):
        if component[0] in _SEPARATORS or component[-1] in _SEPARATORS:
            return f"has a part {component!r} that starts or ends with '.', '_' or '-'"
    if NAME_PATTERN.match(name) is None:
        return "has separators in a row that ECR does not allow (only '__' and runs of '-' may repeat)"
    return None


def _pattern_problem(pattern: str) -> str | None:
    # A pattern is acceptable when some valid name matches it: give each wildcard the
    # plainest text it could stand for and check that name.
    if pattern.strip("*") == "":
        return None
    sample = pattern.replace("*", "a0").replace("?", "a")
    if is_valid_name(sample):
        return None
    if len(sample) < NAME_MIN:
        return f"matches only one-character names; names have at least {NAME_MIN}"
    return "can match no valid repository name (check the separators next to the wildcards)"


def describe_pattern(pattern: str) -> str:
    """What else a wildcard pattern reaches, in words, with example names."""
    if set(pattern) == {"*"}:
        return "matches every repository in the account and region"
    if pattern.endswith("/*") and not is_pattern(pattern[:-2]):
        namespace = pattern[:-2]
        return (
            f"matches every repository in the namespace '{namespace}/', nested ones too "
            f"(e.g. '{namespace}/any/depth'), including repositories created later"
        )
    examples = _examples(pattern)
    rules = []
    if "*" in pattern:
        rules.append("'*' matches any characters, '/' included")
    if "?" in pattern:
        rules.append("'?' matches exactly one character")
    shown = ", ".join(f"'{example}'" for example in examples)
    also = f"; it may also match names such as {shown}" if examples else ""
    return f"is a wildcard pattern ({' and '.join(rules)}){also}, including repositories created later"


def _examples(pattern: str) -> list[str]:
    """Two names the pattern also reaches: a longer one ("app*" -> "app-legacy") and one in
    another namespace, since '*' crosses '/'."""

    def fill(word: str, joiner: str) -> str:
        out = []
        for index, char in enumerate(pattern):
            if char == "*":
                before = joiner if index > 0 and pattern[index - 1].isalnum() else ""
                after = joiner if index + 1 < len(pattern) and pattern[index + 1].isalnum() else ""
                out.append(before + word + after)
            else:
                out.append("x" if char == "?" else char)
        return "".join(out)

    examples: list[str] = []
    for candidate in (fill("legacy", "-"), fill("team/api", "/")):
        if is_valid_name(candidate) and candidate not in examples:
            examples.append(candidate)
    return examples
