"""A diagnosis as the wizard's answers: pasting an error lands on the review step with the fix
(or on the first step the message could not answer). The wizard builds whole workflows, so a
login-only or single-action fix lands there as the workload's whole policy; the diagnosis says
what the refused call alone needs.
"""

from __future__ import annotations

from wizard.core.answers import Answers
from wizard.core.diagnose.fix import Plan
from wizard.core.request import Role


def answers_for(plan: Plan) -> Answers:
    """The wizard's answers for a planned fix: the refused role is an existing one (no trust
    policy is created), across accounts the principal makes the repository policy."""
    intent = plan.intent
    if intent.role is None:
        intent = intent._replace(role=Role.CI)
    return Answers.from_intent(intent, **plan.deployment)
