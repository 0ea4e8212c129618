"""The diagnosis and its fix in words, as lines every front end shows the same way (the CLI on
stderr, --plain after its prompts, the wizard beside the review step). Values from the message
are already quoted by diagnosis.py; front ends still pass each line through their boundary.
"""

from __future__ import annotations

from wizard.core.diagnose import reasons as R
from wizard.core.diagnose.diagnosis import PULLERS, Diagnosis, account_words, summary, who
from wizard.core.diagnose.fix import LOGIN, Fix, Plan
from wizard.core.reference import DANGEROUS_RISKS, RISK_TITLES, find_action
from wizard.core.text import quoted

_KINDS = {
    "named": "an AWS access-denied message",
    "operation": "an AWS SDK error",
    "registry call": "a registry error",
}


def diagnosis_lines(diagnosis: Diagnosis) -> list[str]:
    """Who, tried, on, why, change; how it was read; notes; what to do or what is missing."""
    lines = [f"{label + ':':<8}{text}" for label, text in summary(diagnosis)]
    if diagnosis.evidence:
        lines.append("how it was read:")
        lines += [f"  - {line}" for line in diagnosis.evidence]
    lines += [f"note: {note}" for note in diagnosis.notes]
    if diagnosis.todo:
        lines.append("what to do:")
        lines += [f"  - {line}" for line in diagnosis.todo]
    if diagnosis.need_more:
        lines.append(f"not enough to be sure: {diagnosis.need_more}")
    if diagnosis.likely_causes:
        lines.append("likely causes, most likely first:")
        lines += [f"  {number}. {cause}" for number, cause in enumerate(diagnosis.likely_causes, 1)]
    return lines


def source_lines(diagnosis: Diagnosis) -> list[str]:
    return [f"source: {source}" for source in diagnosis.sources]


def plan_lines(plan: Plan) -> list[str]:
    """What the fix is built for, with the evidence of each answer."""
    scope = {
        LOGIN: "the login statement alone (the refused call names no repository; --repo gives the whole policy)",
        "action": "one statement for the refused action (it is not part of docker pull or push)",
        "workflow": plan.intent.describe(),
    }[plan.scope]
    lines = [f"fix: {scope}"]
    lines += [f"  - {line}" for line in plan.intent.evidence]
    row = find_action(plan.action or "") if plan.scope == "action" else None
    if row and row.risk in DANGEROUS_RISKS:
        lines.append(
            f"  - caution: {row.action} can {RISK_TITLES[row.risk]}: grant it only to the identity that manages "
            "repositories, never to a pipeline or a workload that only pulls or pushes"
        )
    side = {
        R.IDENTITY: "the identity policy",
        R.REPOSITORY: "the repository policy",
        R.BOTH: "the identity policy and the repository policy",
    }[plan.side]
    lines.append(f"  - writes {side}")
    return lines


def placement(fix: Fix) -> list[str]:
    """Where each document of the fix goes: on the identity the message names (a role or a
    user), or, when it names none, on the one the workload pulls with."""
    lines = []
    if "identity" in fix.documents:
        lines.append(_identity_placement(fix))
    if fix.bundle.repository is not None and "repository" in fix.documents:
        lines += [line for line in fix.bundle.placement() if line.lower().startswith("repository policy")]
    return lines


def _identity_placement(fix: Fix) -> str:
    principal = fix.plan.caller
    if fix.draft and principal is not None and principal.name:
        return (
            f"Identity policy: attach to {who(principal, session=False)} (an existing {principal.kind or 'identity'})."
        )
    if principal is None or not principal.name:
        holder = PULLERS.get(fix.plan.intent.role, "the principal that was refused")
        return f"Identity policy: attach to {holder}: the message does not name it."
    if principal.kind == "user":
        return (
            f"Identity policy: attach to the IAM user {quoted(principal.name)} "
            f"(aws iam put-user-policy or attach-user-policy), in account {account_words(principal.account or '?')}."
        )
    return next(line for line in fix.bundle.placement() if line.startswith("Identity policy"))


def fix_lines(fix: Fix) -> list[str]:
    """Where each document goes, and what the evaluator says about it."""
    lines = [f"where: {line}" for line in placement(fix)]
    principal = fix.plan.intent.principal
    if fix.plan.deployment.get("principal", "").startswith("arn:") and principal:
        lines.append(
            "note: the repository policy names the role; if ECR refuses it as an unknown principal, the role has a "
            "path: give its full ARN with --principal (or the account ID)"
        )
    for check in fix.checks:
        if check.refused or not check.allowed:
            mark = "check" if check.allowed else "warning"
            lines.append(
                f"{mark}: {check.describe()} (the refused call; evaluated)"
                if check.refused
                else f"{mark}: {check.describe()} (evaluated)"
            )
    if fix.misses_refused_call:
        lines.append(
            "note: your corrections (--repo, --account, --region, --access) point elsewhere than the refused call, "
            "so this policy does not fix that call"
        )
    workflow = [check for check in fix.checks if not check.refused]
    for document in dict.fromkeys(check.document for check in workflow):
        mine = [check for check in workflow if check.document == document]
        if all(check.allowed for check in mine):
            names = ", ".join(dict.fromkeys(check.action.split(":", 1)[1] for check in mine))
            lines.append(f"check: the {document} policy allows every call of the workflow ({names}) (evaluated)")
    return lines
