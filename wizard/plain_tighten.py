"""`--plain`: tighten a policy just checked or explained, as `ecr-policy tighten` does.

What the policy cannot tell (a "*" names no repository) is asked, not guessed; the answers
become the wizard's (wizard.core.answers.Answers.from_intent), so the policy printed, copied
or saved is the one the TUI and `generate` give for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from questionary import Choice

from wizard.core.answers import Answers, Step
from wizard.core.policy import Document
from wizard.core.request import Role
from wizard.core.tighten import (
    SUPPORTED,
    Intent,
    change_lines,
    changes_for,
    infer_intent,
    intent_lines,
    intent_of_answers,
    output_for,
    with_answers,
)

if TYPE_CHECKING:
    from wizard.plain import PlainWizard


def offer_tighten(wizard: PlainWizard, document: Document) -> None:
    """Ask whether to tighten; if so, ask what the policy cannot tell and show the result."""
    if document.kind not in SUPPORTED:
        return
    wizard.say()
    wanted = wizard._select(
        "Tighten it?",
        [
            Choice("No, done", value=False),
            Choice("Yes: write the least-privilege policy for what it is for, every change explained", value=True),
        ],
    )
    if not wanted:
        return
    intent = infer_intent(document)
    for line in intent_lines(intent._replace(missing=())):
        wizard.say(line)
    intent = _ask_missing(wizard, intent)
    answers = Answers.from_intent(intent, output=output_for(intent), principal=intent.principal)
    _until_complete(wizard, answers)
    preview = answers.preview()
    wizard.say()
    for line in change_lines(changes_for(document, preview.bundle, intent_of_answers(intent, answers))):
        wizard.say(line)
    wizard.say()
    wizard.say(preview.text().rstrip("\n"))
    wizard.say()
    wizard._finish(preview)


def _until_complete(wizard: PlainWizard, answers: Answers) -> None:
    """An answer taken from the policy (or given) that the wizard refuses, e.g. a repository
    name with upper-case letters or "*" as who pulls, is said and asked again."""
    while not answers.preview().complete:
        steps = [step for step in Step if answers.step_errors(step)]
        for step in steps:
            for problem in answers.step_errors(step):
                wizard.note(f"Not usable as it is: {problem}")
        step = steps[0]
        if step is Step.REPOSITORIES:
            answers.repositories = wizard._ask_repositories()
        elif step is Step.TARGET:
            answers.region = wizard._ask_region()
            answers.account = wizard._ask_account()
        elif step is Step.SETUP:
            answers.principal = wizard.ask_principal()
        else:
            answers.choose_role(wizard.ask_role("Who uses it?"))


def _ask_missing(wizard: PlainWizard, intent: Intent) -> Intent:
    """Each answer the policy could not give, asked in the order tighten lists them."""
    given = wizard.ask_missing(intent.missing, "The policy", "Who uses it?")
    if intent.role is None and "role" not in given:
        given["role"] = Role.CI
    return with_answers(intent, **given)
