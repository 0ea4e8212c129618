"""wizard.core.jsontext writes exactly what json.dumps(indent=2, ensure_ascii=False) writes."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from wizard.core import build_policy, make_request
from wizard.core.jsontext import indented

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text()
documents = st.recursive(
    scalars,
    lambda children: st.lists(children) | st.dictionaries(st.text(), children) | st.lists(st.text(), min_size=1),
    max_leaves=40,
)


@settings(max_examples=400)
@given(documents)
def test_same_text_as_json_dumps_for_any_json(value):
    assert indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


@given(st.dictionaries(st.integers() | st.booleans() | st.none(), st.text(), min_size=1))
def test_keys_that_are_not_strings_fall_back_to_json_dumps(value):
    assert indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_a_policy_with_thousands_of_repositories():
    names = [f"team-{index % 9}/service-{index}" for index in range(5000)]
    document = build_policy(make_request("ci", names, "us-east-1", "123456789012").request).document
    assert indented(document) == json.dumps(document, indent=2, ensure_ascii=False)
    assert indented(("a", "\u202e", "\x1b")) == json.dumps(("a", "\u202e", "\x1b"), indent=2, ensure_ascii=False)
