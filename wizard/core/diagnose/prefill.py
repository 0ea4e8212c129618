"""A diagnosis as the wizard's answers: pasting an error lands on the review step with the fix
(or on the first step the message could not answer). The wizard builds whole workflows, so a
login-only or single-action fix lands there as the workload's whole policy; the diagnosis says
what the refused call alone needs.
"""

from __future__ import annotations

from collections import namedtuple

from wizard.core.answers import Answers
from wizard.core.diagnose.diagnosis import diagnose
from wizard.core.diagnose.fix import FixError, Plan, build_fix, plan_fix
from wizard.core.diagnose.report import diagnosis_lines, fix_lines, plan_lines, source_lines
from wizard.core.request import Access, RequestError, Role


def answers_for(plan: Plan) -> Answers:
    """The wizard's answers for a planned fix: the refused role is an existing one (no trust
    policy is created), across accounts the principal makes the repository policy."""
    intent = plan.intent
    answers = Answers()
    answers.choose_role(intent.role or Role.CI)
    answers.access = intent.access
    answers.repositories = list(intent.repositories)
    answers.region = intent.region or ""
    answers.account = intent.account or ""
    answers.trust = "none"
    answers.role_name = plan.deployment.get("role_name", "")
    answers.principal = plan.deployment.get("principal", "")
    answers.function_account = plan.deployment.get("function_account", "")
    answers.public = intent.public
    answers.pull_through_cache = intent.pull_through_cache
    return answers


class Prefill(namedtuple("Prefill", "lines answers missing")):
    """What the wizard shows for a pasted message and what applying it does. lines: the
    diagnosis and the fix in words (diagnose's own lines); answers: the wizard's answers for the
    fix, or None when no policy of ours fixes it; missing: what the user must still give (the
    wizard lands on the step that asks it), as questions."""

    __slots__ = ()


WORKFLOW_NOTE = (
    "The wizard writes the workload's whole policy (login, pull{push}); `ecr-policy diagnose` writes "
    "the refused call alone."
)


def prefill(text: str) -> Prefill:
    """Diagnose a pasted message (within limits.MESSAGE_BYTES) and plan the fix as `diagnose`
    does without corrections. Raises DiagnoseError when the text is no error this tool knows."""
    diagnosis = diagnose(text)
    lines = diagnosis_lines(diagnosis)
    try:
        plan = plan_fix(diagnosis)
    except FixError as error:
        return Prefill([*lines, f"no fix to apply: {error}", *source_lines(diagnosis)], None, ())
    lines += plan_lines(plan)
    missing = tuple(need.question for need in plan.intent.missing)
    answers: Answers | None = answers_for(plan)
    if missing:
        lines += ["still needed (the wizard asks for it):", *(f"  - {question}" for question in missing)]
    else:
        answers = _checked(diagnosis, plan, lines, answers)
    if answers is not None and plan.scope != "workflow":
        lines.append(f"note: {WORKFLOW_NOTE.format(push=', push' if plan.intent.access is Access.PUSH else '')}")
    if answers is not None and answers.first_incomplete_step() is not None:
        step = answers.first_incomplete_step()
        lines.append(f"next: applying opens {step.title}, to give what the message does not say")
    return Prefill([*lines, *source_lines(diagnosis)], answers, missing)


def _checked(diagnosis, plan: Plan, lines: list[str], answers: Answers) -> Answers | None:
    """Build the fix as `diagnose` does and add its evaluator checks to `lines`; None when the
    fix would not allow the refused operation's workflow (diagnose refuses to write it then)."""
    try:
        fix = build_fix(diagnosis, plan)
    except (RequestError, FixError) as error:
        reasons = [str(m) for m in error.errors] if isinstance(error, RequestError) else [str(error)]
        lines += [f"no fix to apply: {reason}" for reason in reasons]
        return None
    lines += fix_lines(fix)
    if fix.problems:
        lines.append("no fix to apply: it would not allow the refused operation's workflow")
        return None
    return answers
