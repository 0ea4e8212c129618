"""The review step's words beside a CI or deployment file (issue 16): where it is saved, why
each line the trust policy depends on is what it is, and what to set up before it runs.

The text comes from wizard.core.ci (the file's own `trust:` comments and notes): the file and
its explanation never disagree. Values in it (repository names, branches) are outside text, so
every piece goes through `template`/`plain`.
"""

from __future__ import annotations

from textual.content import Content

from wizard.core.answers import Preview, output_title
from wizard.core.ci.common import trust_comments
from wizard.tui.outside import template


def ci_file_info(preview: Preview) -> Content:
    """What the chosen CI file is, where it goes, and why its trust lines say what they say."""
    made = preview.ci_file
    assert made is not None
    parts = [
        template(
            "[b]$title[/b]\nSaves to [b]$path[/b], where its CI or platform reads it (missing folders are made).",
            title=output_title(preview.chosen_output),
            path=made.path,
        )
    ]
    reasons = trust_comments(made.text)
    if reasons:
        parts.append(Content.from_markup("\n\n[b]Lines the trust policy depends on[/b] (marked trust: in the file)"))
        parts += [template("\n• $reason", reason=_sentence(reason)) for reason in reasons]
    if made.notes:
        parts.append(Content.from_markup("\n\n[b]Before it runs[/b]"))
        parts += [template("\n• $note", note=_sentence(note)) for note in made.notes]
    return Content("").join(parts)


def ci_refusal_lines(preview: Preview) -> list[str]:
    """Files that fit the role and trust but cannot be made, with why (as `generate` says)."""
    return [f"No {output_title(name)}: {why}." for name, why in preview.ci_refusals().items()]


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
