"""IAM wildcard matching in linear time: '*' matches any run of characters ('/' and ':'
included), '?' exactly one character.

Policies and arguments come from outside, so no regular expression is ever built from them:
a pattern such as `**********!` or `a*a*a*a*a*b` made Python's backtracking regex engine take
minutes. This is the classic two-pointer matcher: on a mismatch it resumes just after the last
'*', so its cost is at most len(pattern) x len(text) steps, never exponential.
"""

from __future__ import annotations


def glob_match(pattern: str, text: str, *, ignore_case: bool = False) -> bool:
    """True when `text` matches the IAM wildcard `pattern`."""
    if ignore_case:
        pattern, text = pattern.lower(), text.lower()
    if "*" not in pattern and "?" not in pattern:
        return pattern == text
    p = t = 0
    star = -1  # index in pattern just after the last '*' seen
    resume = 0  # index in text where that '*' stopped matching
    while t < len(text):
        if p < len(pattern) and (pattern[p] == "?" or pattern[p] == text[t]):
            p += 1
            t += 1
        elif p < len(pattern) and pattern[p] == "*":
            while p < len(pattern) and pattern[p] == "*":
                p += 1  # a run of stars is one star
            star, resume = p, t
        elif star >= 0:
            resume += 1  # let the last star swallow one more character
            p, t = star, resume
        else:
            return False
    while p < len(pattern) and pattern[p] == "*":
        p += 1
    return p == len(pattern)


def has_wildcards(text: str) -> bool:
    return "*" in text or "?" in text
