"""A simulation for people: call by call in text, as a sequence diagram (text for terminals,
Mermaid for handouts), and as JSON for machines.

Outside values (Sids, file names) are kept as written: front ends pass the text through their
output boundary (wizard.core.text.visible, html.escape), and Mermaid text is escaped here.
"""

from __future__ import annotations

from wizard.core.simulate import refusals
from wizard.core.simulate.engine import ALLOWED, NOT_REACHED, REFUSED, UNCHECKED, Simulation, StepResult
from wizard.core.text import WIDTH, visible, wrap

_SUCCESS_STATUS = {"HEAD": "200", "GET": "200", "POST": "202", "PATCH": "202", "PUT": "201"}
"""What the registry answers when a call is allowed (the OCI distribution spec's endpoint table)."""


def _wrap(text: str, indent: str, hanging: str | None = None, width: int = WIDTH) -> list[str]:
    """The shared wrapper; an empty text still gives its (empty) line."""
    return wrap(text, indent, hanging, width) or [indent.rstrip()]


def requests_of(result: StepResult, simulation: Simulation) -> list[str]:
    image = simulation.image
    return [call.render(image.repository, image.reference, image.api_host) for call in result.spec.calls()]


def command_of(result: StepResult, simulation: Simulation) -> str:
    image = simulation.image
    return result.spec.command.format(image=image, host=image.host, region=image.region)


def verdict_text(result: StepResult) -> str:
    """The evaluator's answer for one call, in words."""
    verdict = result.verdict
    if verdict.outcome == UNCHECKED:
        return "no IAM action: ECR checks the password"
    if verdict.outcome == NOT_REACHED:
        return "not reached"
    subject = f"{result.action} on {result.resource}"
    if result.principal.kind == "Service":
        subject += " for lambda.amazonaws.com"
    if verdict.outcome == REFUSED:
        return f"{subject}: REFUSED, {verdict.reason}"
    return f"{subject}: allowed by {granted_text(result)}" + (", if its conditions hold" if verdict.conditional else "")


def granted_text(result: StepResult) -> str:
    verdict = result.verdict
    parts = []
    for which in verdict.granted_by:
        if which == "lambda":
            parts.append("Lambda itself (it adds its statement to the repository policy: the deployer may set it)")
            continue
        decision = verdict.identity if which == "identity" else verdict.repository
        parts.append(f"the {which} policy, {decision.statement.where}")
    return " and ".join(parts)


def header_lines(simulation: Simulation, labels: dict[str, str], width: int = WIDTH) -> list[str]:
    """What was simulated: the operation, the image, the policies and the caller."""
    operation, image = simulation.operation, simulation.image
    lines = [f"Simulated: {operation.title}", f"  Image: {image}"]
    for which, document in (("identity", simulation.identity), ("repository", simulation.repository)):
        if document is None:
            lines.append(f"  {which.capitalize()} policy: none given")
        else:
            lines.append(f"  {which.capitalize()} policy: {labels.get(which, which)} (read as {document.kind.title})")
    who = operation.client.role_name
    lines += _wrap(f"Caller: {simulation.caller.name}, {who}", "  ", "    ", width)
    if simulation.cross_account:
        lines += _wrap(
            f"The caller's account ({simulation.caller.account}) is not the repository's ({image.account}): "
            "both the identity policy and the repository policy must allow each call.",
            "  ",
            "    ",
            width,
        )
    return lines


def step_lines(result: StepResult, simulation: Simulation, width: int = WIDTH) -> list[str]:
    number = f"{result.number}. "
    text = result.spec.text()
    said_by_itself = text.startswith("`") or text.lower().startswith(result.spec.actor.lower())
    lines = _wrap(text if said_by_itself else f"{result.spec.actor}: {text}", number, " " * len(number), width)
    pad = " " * len(number)
    command = command_of(result, simulation)
    if command:
        lines.append(f"{pad}$ {command}")
    lines += [f"{pad}{request}" for request in requests_of(result, simulation)]
    lines += _wrap(verdict_text(result), pad + "→ ", pad + "  ", width)
    return lines


def report_lines(simulation: Simulation, labels: dict[str, str] | None = None, width: int = WIDTH) -> list[str]:
    """The whole simulation: header, each call reached, the refusal's message and fix, the outcome."""
    lines = [*header_lines(simulation, labels or {}, width), ""]
    reached = [r for r in simulation.results if r.verdict.outcome != NOT_REACHED]
    skipped = [r for r in simulation.results if r.verdict.outcome == NOT_REACHED]
    for result in reached:
        lines += step_lines(result, simulation, width)
    if skipped:
        first, last = skipped[0].number, skipped[-1].number
        span = f"{first}." if first == last else f"{first}.-{last}."
        names = ", ".join(dict.fromkeys(r.action for r in skipped if r.action))
        lines += _wrap(f"not reached: {names}", f"{span} ", " " * (len(span) + 1), width)
    lines.append("")
    lines += outcome_lines(simulation, width)
    return lines


def outcome_lines(simulation: Simulation, width: int = WIDTH) -> list[str]:
    title = simulation.operation.title
    refusal = simulation.refusal
    if refusal is None:
        caveat = " if the conditions marked above hold" if simulation.conditional else ""
        return _wrap(f"Result: {title} would succeed{caveat}: every call is allowed.", "", width=width)
    said = refusals.wording(simulation)
    lines = [f"Result: {title} fails at call {refusal.number} ({refusal.action})."]
    how = "prints" if said.exact else "prints (composed from the two real messages below)"
    lines += _wrap(f"{said.who} {how}:", "", width=width)
    for line in said.text.splitlines():
        lines += _wrap(line, "  ", "    ", width)
    if said.note:
        lines += _wrap(said.note, "  ", width=width)
    lines += [f"  Seen in: {page}" for page in said.sources]
    lines.append("Fix:")
    for sentence in refusals.fix(simulation):
        lines += _wrap(sentence, "  - ", "    ", width)
    return lines


# -- the sequence diagram ----------------------------------------------------------------------


def diagram_lines(simulation: Simulation, width: int = WIDTH) -> list[str]:
    """A two-lane sequence diagram: the client on the left, ECR on the right, one exchange per call."""
    inner = width - 4
    client = simulation.operation.client.name
    ecr = f"ECR ({simulation.image.account}, {simulation.image.region})"
    lines = [f"{client}{' ' * max(1, width - len(client) - len(ecr))}{ecr}"]
    for result in simulation.results:
        if result.verdict.outcome == NOT_REACHED:
            lines.append(f"  │ {result.number}. {_step_name(result)}: not reached".ljust(width - 1) + "│")
            continue
        requests = requests_of(result, simulation) or [f"{result.spec.actor}: {result.action}"]
        for index, request in enumerate(requests):
            label = f"{result.number}. {request}" if index == 0 else f"   {request}"
            lines += [f"  │ {text}".ljust(width - 1) + "│" for text in _wrap(label, "", "   ", inner - 2)]
        lines.append("  ├" + "─" * (inner - 1) + "►│")
        lines += [
            f"  │ {text}".ljust(width - 1) + "│" for text in _wrap(_decision_label(result), "  ", "  ", inner - 2)
        ]
        status = _status(result, requests)
        lines.append("  │◄─ " + status + " " + "─" * max(1, inner - len(status) - 4) + "┤")
    return lines


def _step_name(result: StepResult) -> str:
    """The action a call is checked as, or what it is when no IAM action is checked (docker login)."""
    if result.action:
        return result.action
    requests = [call.method + " " + call.target for call in result.spec.calls()]
    return f"{result.spec.actor} ({requests[0]})" if requests else result.spec.actor


def _decision_label(result: StepResult) -> str:
    verdict = result.verdict
    if verdict.outcome == UNCHECKED:
        return "checks the password: no IAM action"
    if verdict.outcome == REFUSED:
        return f"{result.action}: refused ({verdict.reason})"
    return f"{result.action}: allowed ({granted_text(result)})"


def _status(result: StepResult, requests: list[str]) -> str:
    method, _, target = requests[0].partition(" ") if requests else ("", "", "")
    if target.startswith("https://"):  # the ECR API, not the registry
        return "400 AccessDeniedException" if result.verdict.outcome == REFUSED else "200"
    if result.verdict.outcome == REFUSED:
        return "403 Forbidden"
    return _SUCCESS_STATUS.get(method, "OK")


def mermaid(simulation: Simulation) -> str:
    """The same exchange as a Mermaid sequenceDiagram (for Markdown handouts)."""
    lines = [
        "sequenceDiagram",
        f"    participant C as {_mermaid_text(simulation.operation.client.name)}",
        f"    participant E as ECR {simulation.image.account} {simulation.image.region}",
    ]
    for result in simulation.results:
        if result.verdict.outcome == NOT_REACHED:
            lines.append(f"    Note over C,E: {result.number}. {_mermaid_text(_step_name(result))} not reached")
            continue
        requests = requests_of(result, simulation) or [f"{result.spec.actor}: {result.action}"]
        arrow = "-x" if result.verdict.outcome == REFUSED else "->>"
        lines.append(f"    C{arrow}E: {result.number}. {_mermaid_text(requests[0])}")
        lines.append(f"    Note right of E: {_mermaid_text(_decision_label(result))}")
        lines.append(f"    E-->>C: {_mermaid_text(_status(result, requests))}")
    return "\n".join(lines) + "\n"


_MERMAID_CODES = {char: f"#{ord(char)};" for char in "#;:<>`%{}\"'"} | {"\n": " ", "\r": " "}


def _mermaid_text(text: str) -> str:
    """Text Mermaid shows as written: its separators, directives and entity marks as entity codes."""
    return "".join(_MERMAID_CODES.get(char, char) for char in visible(text))


# -- for machines ------------------------------------------------------------------------------


def as_dict(simulation: Simulation) -> dict:
    said = refusals.wording(simulation)
    return {
        "operation": simulation.operation.key,
        "image": str(simulation.image),
        "caller": simulation.caller.name,
        "succeeded": simulation.succeeded,
        "conditional": simulation.conditional,
        "calls": [_call_dict(result, simulation) for result in simulation.results],
        "refused_at": simulation.refusal.number if simulation.refusal else None,
        "message": said.text if said else None,
        "message_sources": list(said.sources) if said else [],
        "fix": refusals.fix(simulation),
    }


def _call_dict(result: StepResult, simulation: Simulation) -> dict:
    deciding = result.verdict.deciding
    return {
        "number": result.number,
        "actor": result.spec.actor,
        "requests": requests_of(result, simulation),
        "action": result.action,
        "resource": result.resource if result.action else None,
        "principal": result.principal.name,
        "outcome": result.verdict.outcome,
        "reason": result.verdict.reason,
        "statement": deciding.statement.where if deciding is not None and deciding.statement is not None else None,
        "granted_by": list(result.verdict.granted_by),
    }


__all__ = ["ALLOWED", "as_dict", "diagram_lines", "mermaid", "report_lines"]


# -- what if an action were missing --------------------------------------------------------------


def what_if_lines(what_if, width: int = WIDTH) -> list[str]:
    """The what-if in words: for each operation, whether it breaks, where, and what the user sees."""
    where = ", ".join(statement.where for statement in what_if.listed) or "no statement"
    lines = _wrap(f"Without {what_if.action} (listed in {where})", "", width=width)
    origin = "an example repository: the policy names none" if what_if.example else "the policy's first repository"
    lines += _wrap(f"Simulated with {what_if.image} ({origin}).", "", width=width)
    for before, after in what_if.outcomes:
        lines.append("")
        lines += _outcome_summary(before, after, what_if.action, width)
    return lines


def _outcome_summary(before: Simulation, after: Simulation, action: str, width: int = WIDTH) -> list[str]:
    title = before.operation.title
    if title.startswith(("the ", "an ", "a ")):  # "docker push" stays a command
        title = title[:1].upper() + title[1:]
    if not before.succeeded:
        refusal = before.refusal
        return _wrap(
            f"{title}: does not work with the policy as it is either (call {refusal.number}, {refusal.action} "
            "is refused), so taking the action away changes nothing here.",
            "",
            "  ",
            width,
        )
    if after.succeeded:
        return _wrap(f"{title}: still works; none of its calls needs {action}.", "", "  ", width)
    refusal = after.refusal
    requests = requests_of(refusal, after)
    call = f", {requests[0]}" if requests else ""
    lines = _wrap(f"{title}: breaks at call {refusal.number}{call} ({refusal.action}).", "", "  ", width)
    said = refusals.wording(after)
    how = "prints" if said.exact else "prints (composed from real messages)"
    lines += _wrap(f"{said.who} {how}:", "  ", width=width)
    for line in said.text.splitlines():
        lines += _wrap(line, "    ", "      ", width)
    lines += [f"  Seen in: {page}" for page in said.sources]
    return lines
