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
    if intent.role is None:
        intent = intent._replace(role=Role.CI)
    return Answers.from_intent(intent, **plan.deployment)


class Prefill(namedtuple("Prefill", "diagnosis fix answers missing landing")):
    """What the wizard shows for a pasted message and what applying it does. diagnosis: the
    diagnosis in words; fix: the fix in words, or why there is none (diagnose's own lines);
    answers: the wizard's answers for the fix, or None when no policy of ours fixes it;
    missing: tighten.Missing records the user must still give (flag, question); landing: the
    step applying opens (review, or the first one that asks what the message does not say)."""

    __slots__ = ()

    @property
    def lines(self) -> list[str]:
        return [*self.diagnosis, *self.fix]


WORKFLOW_NOTE = (
    "The wizard writes the workload's whole policy (login, pull{push}); `ecr-policy diagnose` writes "
    "the refused call alone."
)


def prefill(text: str, **corrections) -> Prefill:
    """Diagnose a pasted message (within limits.MESSAGE_BYTES) and plan the fix as `diagnose`
    does, with the user's `corrections` (plan_fix's role, access, repositories, region, account,
    principal). Raises DiagnoseError when the text is no error this tool knows."""
    diagnosis = diagnose(text)
    said = diagnosis_lines(diagnosis)
    try:
        plan = plan_fix(diagnosis, **corrections)
    except FixError as error:
        return Prefill(said, [f"no fix to apply: {error}", *source_lines(diagnosis)], None, (), None)
    lines = plan_lines(plan)
    missing = tuple(plan.intent.missing)
    answers: Answers | None = answers_for(plan)
    if missing:
        lines.append("still needed (asked next):")
        lines += [f"  - {need.question}" for need in missing]
    else:
        answers = _checked(diagnosis, plan, lines, answers)
    landing = None
    if answers is not None:
        if plan.scope != "workflow":
            lines.append(f"note: {WORKFLOW_NOTE.format(push=', push' if plan.intent.access is Access.PUSH else '')}")
        landing = answers.landing_step(missing)
    return Prefill(said, [*lines, *source_lines(diagnosis)], answers, missing, landing)


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
