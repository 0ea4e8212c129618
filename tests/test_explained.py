"""The wizard's and --plain's teaching texts (wizard.core.explained) for every kind of setup:
what-if for every action, the call map with its sources, and the handout in both formats."""

from __future__ import annotations

import pytest

from tests.test_handouts import SETUPS, bundle_for
from wizard.core.catalog import lookup
from wizard.core.explained import HANDOUT_FORMATS, call_map_lines, explanation_text, generated_what_if_lines
from wizard.core.simulate.whatif import what_if_generated


@pytest.mark.parametrize("name", sorted(SETUPS))
def test_what_if_for_every_action_of_every_setup(name):
    bundle = bundle_for(name)
    policy = bundle.identity
    for statement in policy.statements:
        for action in statement.actions:
            lines = generated_what_if_lines(policy, bundle, action.name, width=40)  # the wizard's panel
            assert lines[0].startswith(f"Without {action.name}")
            text = "\n".join(lines)
            assert f"the policy without {action.name}:" in text, "what check reports on what is left"
            what_if = what_if_generated(policy, bundle, action.name)
            if what_if is None:
                assert policy.request.public and "are not simulated" in text
                continue
            assert len(lines[0]) <= 40, "the simulator's lines wrap to the width given"
            assert text.count("Call by call,") == len(what_if.broken)
            assert text.count("\nFix:\n") == len(what_if.broken)
            wide = generated_what_if_lines(policy, bundle, action.name)
            assert " ".join(text.split()) == " ".join("\n".join(wide).split()), "the width moves line breaks only"


def test_the_call_map_names_a_source_for_every_part():
    for name in ("ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:PutImage"):
        row = lookup(name)
        lines = call_map_lines(name, "my-app")
        assert lines[0] == f"Client: {row.calls.client}"
        requests = [line for line in lines if line.startswith("Request: ")]
        assert len(requests) == len(row.calls.requests)
        assert all("(source: https://" in line for line in lines[1:])
    assert "Request: GET /v2/my-app/manifests/TAG" in " ".join(call_map_lines("ecr:BatchGetImage", "my-app"))
    assert call_map_lines("ecr:DescribeRepositories") == []


@pytest.mark.parametrize("format_key", HANDOUT_FORMATS)
def test_the_explanation_is_the_generated_handout(format_key):
    from wizard.core.handout import to_html, to_markdown
    from wizard.core.handout_builder import generated_handout

    bundle = bundle_for("ci")
    render = to_html if format_key == "html" else to_markdown
    assert explanation_text(bundle.identity, bundle, (), format_key) == render(
        generated_handout(bundle.identity, bundle)
    )
    assert HANDOUT_FORMATS[format_key].file_name.startswith("ecr-policy-explained.")
