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


def glob_covers(outer: str, inner: str, *, ignore_case: bool = False) -> bool:
    """True when every text `inner` matches is also matched by `outer` (both IAM patterns).

    Sound, and exact for the patterns policies use: `outer`'s '*' may stand for any part of
    `inner` (its wildcards included), its '?' for one character or one '?' of `inner`, and
    a literal only for the same literal. A False may rarely be a cover it could not prove.
    Cost: len(outer) x len(inner) at most (dynamic programming, no backtracking).
    """
    if ignore_case:
        outer, inner = outer.lower(), inner.lower()
    if not has_wildcards(inner):
        return glob_match(outer, inner)
    width = len(inner) + 1
    reachable = [False] * width  # reachable[j]: outer[:i] can stand for inner[:j]
    reachable[0] = True
    for symbol in outer:
        following = [False] * width
        if symbol == "*":
            seen = False
            for j in range(width):
                seen = seen or reachable[j]
                following[j] = seen
        else:
            for j in range(1, width):
                if reachable[j - 1]:
                    char = inner[j - 1]
                    following[j] = char != "*" and (symbol == "?" or symbol == char)
        reachable = following
    return reachable[-1]


def globs_overlap(first: str, second: str, *, ignore_case: bool = False) -> bool:
    """True when some text matches both patterns (e.g. a Deny pattern and an Allow pattern)."""
    if ignore_case:
        first, second = first.lower(), second.lower()
    if not has_wildcards(first):
        return glob_match(second, first)
    if not has_wildcards(second):
        return glob_match(first, second)
    # States (i, j): first[:i] and second[:j] can produce the same text. Both advance on a
    # compatible pair of symbols; a '*' on either side may also stay while the other moves.
    states = {(0, 0)}
    frontier = [(0, 0)]
    while frontier:
        i, j = frontier.pop()
        moves = []
        a = first[i] if i < len(first) else None
        b = second[j] if j < len(second) else None
        if a == "*":
            moves.append((i + 1, j))
            if b is not None:
                moves.append((i, j + 1) if b != "*" else (i + 1, j))
        if b == "*":
            moves.append((i, j + 1))
            if a is not None and a != "*":
                moves.append((i + 1, j))
        if a is not None and b is not None and a != "*" and b != "*" and (a == "?" or b == "?" or a == b):
            moves.append((i + 1, j + 1))
        for move in moves:
            if move not in states:
                states.add(move)
                frontier.append(move)
    return (len(first), len(second)) in states
