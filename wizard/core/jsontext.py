"""JSON with a 2-space indent, exactly as `json.dumps(value, indent=2, ensure_ascii=False)`
writes it, but fast for what policies hold: long lists of strings (ARNs).

With an indent, Python's json module encodes in pure Python, item by item; a policy listing
5,000 repositories took about 3.5 ms, on every keystroke in the wizard (benchmarks/run.py).
Here a list of strings is encoded and joined in C. Anything this does not know (a dict key
that is not a string) falls back to json.dumps itself, so the output never differs.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # the C version when available, as json.dumps uses


class _NotPlain(Exception):
    """A value json.dumps would write in a way this module does not reproduce."""


def indented(value) -> str:
    """`value` as json.dumps(value, indent=2, ensure_ascii=False) writes it."""
    pieces: list[str] = []
    try:
        _write(value, "\n", pieces)
    except _NotPlain:
        return json.dumps(value, indent=2, ensure_ascii=False)
    return "".join(pieces)


def _write(value, newline: str, pieces: list[str]) -> None:
    """Append `value`'s text to `pieces` (one join at the end: no big string is copied twice)."""
    if isinstance(value, str):
        pieces.append(encode_basestring(value))
        return
    inner = newline + "  "
    if isinstance(value, dict) and value:
        opening = "{"
        for key, item in value.items():
            if not isinstance(key, str):
                raise _NotPlain
            pieces += (opening, inner, encode_basestring(key), ": ")
            _write(item, inner, pieces)
            opening = ","
        pieces += (newline, "}")
    elif isinstance(value, list | tuple) and value:
        if set(map(type, value)) == {str}:  # the common case, a list of ARNs or actions: in C
            pieces += ("[", inner, ("," + inner).join(map(encode_basestring, value)), newline, "]")
            return
        opening = "["
        for item in value:
            pieces += (opening, inner)
            _write(item, inner, pieces)
            opening = ","
        pieces += (newline, "]")
    else:
        pieces.append(json.dumps(value, ensure_ascii=False))  # numbers, true, false, null, {} and []
