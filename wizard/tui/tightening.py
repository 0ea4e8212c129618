"""Tighten from the inspect screen: what an opened policy is for becomes the wizard's answers,
and the review lists every change from the opened policy to the one the wizard builds.

The inference and the changes are `ecr-policy tighten`'s (wizard.core.tighten), so the wizard
and the CLI say the same. Names and evidence come from outside: shown only as plain text.
"""

from __future__ import annotations

from typing import NamedTuple

from textual.app import App
from textual.content import Content

from wizard.core.answers import STEP_ASKING, Answers, Preview
from wizard.core.policy import Document
from wizard.core.tighten import (
    Intent,
    TightenError,
    change_lines,
    changes_for,
    infer_intent,
    intent_of_answers,
    output_for,
)
from wizard.tui.outside import notify, plain, template


class OpenedPolicy(NamedTuple):
    """The policy the wizard's answers were loaded from: its name, the parsed document and
    what it was inferred to be for."""

    name: str
    document: Document
    intent: Intent


def answers_for(intent: Intent, region_default: str) -> Answers:
    """The wizard's answers for the intent; a region the policy does not name falls back to
    the wizard's own default (the environment's), as for a new policy."""
    answers = Answers.from_intent(intent, output=output_for(intent), principal=intent.principal)
    if not answers.region:
        answers.region = region_default
    return answers


async def load_into_wizard(app: App, name: str, document: Document) -> None:
    """Infer what the document is for, put it in the wizard and show the first step left to
    answer (the review when nothing is)."""
    try:
        intent = infer_intent(document)
    except TightenError as error:
        notify(app, f"{error}.", title="Cannot tighten", severity="error")
        return
    answers = answers_for(intent, app.answers.region)  # type: ignore[attr-defined]
    app.answers = answers  # type: ignore[attr-defined]
    app.opened_policy = OpenedPolicy(name, document, intent)  # type: ignore[attr-defined]
    step = answers.landing_step(intent.missing)
    app.pop_screen()
    await app.show_loaded_answers(step)  # type: ignore[attr-defined]
    notify(app, _loaded_message(name, intent, answers), title="Tighten", timeout=20)


def _loaded_message(name: str, intent: Intent, answers: Answers) -> str:
    if not intent.missing:
        return f"Loaded from {name}: {intent_of_answers(intent, answers).describe()}. The review lists every change."
    questions = [
        f"• {need.question[0].upper()}{need.question[1:]} ({STEP_ASKING[need.flag].title})" for need in intent.missing
    ]
    return "\n".join([f"Loaded from {name}. Still to answer:", *questions])


def _without_flags(line: str) -> str:
    """Evidence and reasons as the wizard says them: the CLI's "(--role to say otherwise)" or
    "(--keep-other copies it here unchanged)" are the steps here, or not offered at all."""
    return line.split(" (--", 1)[0].split(" (given with --", 1)[0]


def _still_to_answer(opened: OpenedPolicy, answers: Answers) -> list[str]:
    """Questions the policy could not answer that the steps have not answered yet either (the
    principal is optional on its step: without it the setup is a same-account one)."""
    empty = {
        "--role": False,
        "--access": False,
        "--repo": not answers.repositories,
        "--region": not answers.region,
        "--account": not answers.account,
        "--principal": not answers.principal,
    }
    return [
        f"! Still to answer on {STEP_ASKING[need.flag].title}: {need.question}"
        for need in opened.intent.missing
        if empty.get(need.flag, False)
    ]


def changes_content(opened: OpenedPolicy, answers: Answers, preview: Preview, width: int = 0) -> Content:
    """The review's "Changes from …" section: what the opened policy was read as, what is still
    to answer, and every change to the policy the wizard builds from the answers as they stand."""
    intent = intent_of_answers(opened.intent, answers)
    heading = template("[b]Changes from $name[/b]", name=opened.name)
    lines = [f"Read as: {opened.document.kind.title}", f"For: {intent.describe()}"]
    lines += _still_to_answer(opened, answers)
    if preview.bundle is None:
        lines.append("Finish the steps first: the changes are listed once the policy is complete.")
        return heading + plain("\n" + "\n".join(lines))
    changes = [
        c._replace(reason=_without_flags(c.reason)) for c in changes_for(opened.document, preview.bundle, intent)
    ]
    lines += ["", *change_lines(changes, width or None)]
    lines += ["", "What the opened policy said:", *(f"  - {_without_flags(line)}" for line in opened.intent.evidence)]
    return heading + plain("\n" + "\n".join(lines))
