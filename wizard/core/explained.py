"""The wizard's and `--plain`'s teaching texts for the policy being built: "What if an action
were missing?" (the same simulation and words as `explain --without`), each action's call map
with its sources, and "Save explanation" (the same handout as `explain --format`).

Outside text (Sids, file names) is kept as written: the front ends pass it through their
output boundary (wizard.core.text.visible, wizard.tui.outside.plain).
"""

from __future__ import annotations

from collections import namedtuple

from wizard.core.catalog import lookup
from wizard.core.handout import to_html, to_markdown
from wizard.core.handout_builder import generated_handout
from wizard.core.lint import check_document, check_policy, report_text, without_action
from wizard.core.policy import Document
from wizard.core.simulate.render import report_lines, what_if_lines
from wizard.core.simulate.whatif import WhatIf, what_if_generated, without
from wizard.core.text import WIDTH


class HandoutFormat(namedtuple("HandoutFormat", "key title file_name")):
    """key: as `explain --format` takes it; title: for menus; file_name: the suggested name."""

    __slots__ = ()


HANDOUT_FORMATS = {
    "markdown": HandoutFormat(
        "markdown", "Markdown (for a wiki, a repository or a slide tool)", "ecr-policy-explained.md"
    ),
    "html": HandoutFormat("html", "HTML (one self-contained file to print or share)", "ecr-policy-explained.html"),
}


def explanation_text(policy, bundle=None, warnings=(), format_key: str = "markdown") -> str:
    """The handout `explain --format markdown|html` writes, for the generated policy."""
    handout = generated_handout(policy, bundle, warnings)
    return to_html(handout) if format_key == "html" else to_markdown(handout)


def without_lines(what_if: WhatIf, document: Document, width: int = WIDTH) -> list[str]:
    """What `explain --without ACTION` prints: the simulation, then `check` on what is left."""
    reduced = check_document(without(document, what_if.action))
    return [
        *what_if_lines(what_if, width),
        "",
        "`ecr-policy check` on the policy without it:",
        report_text(reduced, "the policy without " + what_if.action).rstrip("\n"),
    ]


def call_by_call_lines(what_if: WhatIf, width: int = WIDTH) -> list[str]:
    """Each operation that breaks, call by call: every verdict, the statement that decided it,
    the message the user sees and the fix (what `ecr-policy simulate` prints)."""
    labels = {"identity": f"the policy without {what_if.action}", "repository": "the setup's repository policy"}
    lines = []
    for _, after in what_if.broken:
        lines += ["", f"Call by call, {after.operation.title} without {what_if.action}:", ""]
        lines += report_lines(after, labels, width)
    return lines


def generated_what_if_lines(policy, bundle, action: str, width: int = WIDTH) -> list[str]:
    """The wizard's "What if an action were missing?" for the generated policy."""
    from wizard.core.policy import Kind, document_from_json

    what_if = what_if_generated(policy, bundle, action)
    if what_if is None:
        return public_what_if_lines(policy, action)
    document = document_from_json(policy.document, Kind.IDENTITY)
    return without_lines(what_if, document, width) + call_by_call_lines(what_if, width)


def public_what_if_lines(policy, action: str) -> list[str]:
    """ECR Public is not simulated (anyone may pull public images): the catalog's symptom and
    what `check` reports on the policy without the action."""
    row = next((a for s in policy.statements for a in s.actions if a.name == action), None) or lookup(action)
    findings = check_policy(without_action(policy.document, action))
    lines = [f"Without {action}", row.without if row else ""]
    lines += [
        "",
        "Pushes to ECR Public (public.ecr.aws) are not simulated; `ecr-policy check` on the policy without it:",
    ]
    lines.append(report_text(findings, "the policy without " + action).rstrip("\n"))
    return lines


def call_map_lines(action: str, repository: str = "NAME") -> list[str]:
    """The client step, the requests and the `aws` command an action serves, each with its
    source (the catalog's call map); empty when the action serves no docker step."""
    row = lookup(action)
    if row is None or row.calls is None:
        return []
    calls = row.calls
    lines = [f"Client: {calls.client}"]
    lines += [f"Request: {call.render(repository)} (source: {call.source})" for call in calls.requests]
    if calls.api_source:
        lines.append(f"ECR API: {row.short_name} (source: {calls.api_source})")
    if calls.cli:
        lines.append(f"Same call from the AWS CLI: {calls.cli} (source: {calls.cli_source})")
    return lines
