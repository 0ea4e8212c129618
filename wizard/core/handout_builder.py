"""The content of a handout for an existing policy (`explain FILE --format markdown|html`).

Everything comes from the functions `explain`, `check` and `simulate` use: the statements in
words, each action's why, symptom, calls and source from the catalog, the what-if table from
the simulator, the push and pull as sequence diagrams, the roles side by side, the sources.
"""

from __future__ import annotations

from collections import namedtuple

from wizard.core import sources
from wizard.core.catalog import lookup
from wizard.core.describe import (
    action_classes,
    call_map,
    describe_condition,
    describe_principal,
    describe_resource,
    explain_action,
    kind_line,
    reach_lines,
    source_pages,
)
from wizard.core.glob import glob_match
from wizard.core.handout import Bullets, Code, Diagram, Handout, Links, Paragraph, Section, Table, policy_json
from wizard.core.lint import check_document
from wizard.core.policy import Document, Kind, Statement, document_from_json
from wizard.core.regions import login_command
from wizard.core.resource_policies import SET_REPOSITORY_POLICY_REPLACES
from wizard.core.rules.reach import only_account_level
from wizard.core.simulate import refusals
from wizard.core.simulate.engine import EVALUATION_SOURCES, simulate
from wizard.core.simulate.image import Image
from wizard.core.simulate.operations import OPERATIONS
from wizard.core.simulate.render import diagram_lines, mermaid, requests_of
from wizard.core.simulate.whatif import DOCKER_OPERATIONS, example_image, listed_actions, what_if_without
from wizard.core.workloads import roles_table

IDENTITY_KINDS = (Kind.IDENTITY, Kind.PUBLIC_IDENTITY)


def explain_handout(document: Document, name: str, image: Image | None = None) -> Handout:
    """The handout for a policy read from `name` (a file name, or "stdin")."""
    identity = document.kind is Kind.IDENTITY  # simulate covers private registries, not ECR Public
    scenario = docker_scenario(document, image) if identity else None
    intro = [
        Paragraph(f"{name}: {kind_line(document)}"),
        Paragraph(
            "Made offline by ecr-policy explain. Every statement is explained action by action; the push and "
            "pull are simulated call by call against the policy; every fact names its source at the end."
        ),
    ]
    sections = [Section("The policy", [Code("json", policy_json(document.raw))])]
    sections += statement_sections(document)
    if identity:
        sections += identity_sections(document, scenario)
    sections.append(placement_section(document))
    reach = reach_lines(document)
    if reach:
        sections.append(Section(reach[0], [Code("text", "\n".join(line[2:] for line in reach[1:]))]))
    sections.append(check_section(document))
    sections.append(sources_section(document, scenario))
    return Handout(f"ECR policy handout: {name}", intro, sections)


# -- statements ----------------------------------------------------------------------------


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def statement_sections(document: Document) -> list[Section]:
    result = [
        Section("Statement by statement", [Paragraph(f"{_count(len(document.statements), 'statement')}, in order.")])
    ]
    for statement in document.statements:
        title = f"Statement {statement.index}" + (f": {statement.sid}" if statement.sid else "")
        if not isinstance(statement.raw, dict):
            result.append(Section(title, [Paragraph("Not a statement object: AWS rejects the policy.")], 3))
            continue
        blocks = [Bullets(statement_facts(statement, document.kind))]
        rows = [action_row(action, statement) for action in statement.actions]
        if rows:
            blocks.append(Table(["action", "used by", "why", "without it", "calls", "source"], rows))
        result.append(Section(title, blocks, 3))
    return result


def statement_facts(statement: Statement, kind: Kind) -> list[str]:
    verb = {"Allow": "Allows", "Deny": "Denies"}.get(statement.effect or "", "Has an unknown Effect for")
    facts = []
    if statement.principals is not None:
        facts.append("Who: " + ("; ".join(describe_principal(p) for p in statement.principals) or "nobody"))
    if statement.not_principals is not None:
        facts.append("Who: everyone except " + "; ".join(describe_principal(p) for p in statement.not_principals))
    what = (
        ", ".join(statement.actions) if statement.actions else "every action except " + ", ".join(statement.not_actions)
    )
    classes = action_classes(statement)
    facts.append(f"What: {verb.lower()} {what}" + (f" ({classes})" if classes else ""))
    facts.append("Where: " + where_text(statement, kind))
    facts += [f"Only when: {describe_condition(c.key, c.operator, c.values)}" for c in statement.conditions]
    return facts


def where_text(statement: Statement, kind: Kind) -> str:
    if statement.not_resources:
        return "every resource except " + "; ".join(describe_resource(r) for r in statement.not_resources)
    if statement.resources:
        account_level = only_account_level(statement)
        return "; ".join(describe_resource(r, account_level) for r in statement.resources)
    if kind.resource_based:
        return "the repository this policy is set on" if kind is not Kind.TRUST else "the role it belongs to"
    return "no Resource (an identity policy statement without one matches nothing)"


def action_row(action: str, statement: Statement) -> list[str]:
    row = lookup(action)
    repository = _single_repository(statement)
    calls = "; ".join(call_map(action, repository))
    if row is None:
        return [action, "", explain_action(action), "", calls, ""]
    return [row.name, row.step, row.why, row.without, calls, row.source]


def _single_repository(statement: Statement) -> str:
    found = {r.split(":repository/", 1)[1] for r in statement.resources if ":repository/" in r}
    return next(iter(found)) if len(found) == 1 and "*" not in next(iter(found)) else "NAME"


# -- what if, the calls, the commands ------------------------------------------------------------


class Scenario(namedtuple("Scenario", "image example operations repository caller")):
    """What the handout simulates: the image (made up or not), the operations, the repository
    policy that goes with the identity policy (or None), and the caller (None: a role of the
    image's account)."""

    __slots__ = ()

    def about(self) -> Paragraph:
        origin = "an example repository (the policy names none)" if self.example else "the policy's first repository"
        account = self.caller.account if self.caller is not None else self.image.account
        return Paragraph(f"Simulated with {self.image}, in {origin}, as a role of account {account}.")


def docker_scenario(document: Document, image: Image | None) -> Scenario:
    example = False
    if image is None:
        image, example = example_image(document)
    return Scenario(image, example, DOCKER_OPERATIONS, None, None)


def identity_sections(
    document: Document, scenario: Scenario, commands: list[str] | None = None, note: str = ""
) -> list[Section]:
    sections = [Section("What if an action were missing?", [scenario.about(), what_if_table(document, scenario)])]
    diagrams = [scenario.about()]
    for operation in scenario.operations:
        simulation = simulate(operation, scenario.image, document, scenario.repository, scenario.caller)
        outcome = "succeeds" if simulation.succeeded else f"fails at call {simulation.refusal.number}"
        diagrams.append(Paragraph(f"{simulation.operation.title} {outcome}:"))
        diagrams.append(Diagram(mermaid(simulation), "\n".join(diagram_lines(simulation))))
    sections.append(Section("Call by call", diagrams))
    image = scenario.image
    if commands is None:
        commands = [login_command(image.account, image.region), f"docker push {image}", f"docker pull {image}"]
    blocks = ([Code("sh", "\n".join(commands))] if commands else []) + ([Paragraph(note)] if note else [])
    sections.append(Section("Commands", blocks))
    return sections


WHAT_IF_ROWS = 24
"""A handout is for people: past this many actions that the operations call, the rest are counted."""


def called_entries(document: Document, operations: tuple[str, ...] = DOCKER_OPERATIONS) -> tuple[list[str], list[str]]:
    """The listed actions (or patterns) that cover a call of the operations, and the others: taking
    one of the others away cannot change any operation, so it is not simulated."""
    called_actions = sorted(
        {step.action.lower() for key in operations for step in OPERATIONS[key].steps if step.action}
    )
    called, other = [], []
    for name in listed_actions(document):
        covers = any(glob_match(name.lower(), action) for action in called_actions)
        (called if covers else other).append(name)
    return called, other


def what_if_table(document: Document, scenario: Scenario) -> Table:
    called, other = called_entries(document, scenario.operations)
    titles = [OPERATIONS[key].title for key in scenario.operations]
    rows = []
    for action in called[:WHAT_IF_ROWS]:
        what_if = what_if_without(
            document, action, scenario.operations, scenario.image, scenario.repository, scenario.caller
        )
        rows.append([action, *(what_if_cell(before, after) for before, after in what_if.outcomes)])
    if len(called) > WHAT_IF_ROWS:
        more = f"{len(called) - WHAT_IF_ROWS} more"
        rows.append([more, *(["simulate each with ecr-policy explain FILE --without ACTION"] * len(titles))])
    if other:
        shown = ", ".join(other[:6]) + (f" and {len(other) - 6} more" if len(other) > 6 else "")
        rows.append([shown, *(["still works: none of its calls needs it"] * len(titles))])
    return Table(["taken away", *titles], rows)


def what_if_cell(before, after) -> str:
    if not before.succeeded:
        return f"does not work with the policy either (call {before.refusal.number} is refused)"
    if after.succeeded:
        return "still works"
    refusal = after.refusal
    requests = requests_of(refusal, after)
    said = refusals.wording(after)
    first = said.text.splitlines()[0]
    return (
        f"breaks at call {refusal.number} ({requests[0] if requests else refusal.action}): {said.who} prints: {first}"
    )


# -- where it goes, check, sources ---------------------------------------------------------------


def placement_section(document: Document) -> Section:
    title = document.kind.title
    blocks = [Paragraph(f"{'An' if title[0] in 'aeiouAEIOU' else 'A'} {title} is {document.kind.placement}.")]
    if document.kind in IDENTITY_KINDS:
        blocks.append(
            Paragraph(
                "Attach it to the role that makes the ECR calls, which is not always the one you expect: "
                "the roles side by side (ecr-policy roles)."
            )
        )
        headers, rows = roles_table()
        blocks.append(Table(headers, rows))
    if document.kind is Kind.REPOSITORY:
        blocks.append(Paragraph(SET_REPOSITORY_POLICY_REPLACES))
    return Section("Where it goes", blocks)


def check_section(document: Document) -> Section:
    findings = check_document(document)
    if not findings:
        return Section("Check", [Paragraph("ecr-policy check finds nothing to report.")])
    items = [f"{f.severity} in {f.where}: {f.message} Fix: {f.fix}" for f in findings]
    return Section("Check", [Paragraph(f"ecr-policy check reports {len(findings)}:"), Bullets(items)])


def sources_section(document: Document, scenario: Scenario | None, extra: tuple[str, ...] = ()) -> Section:
    pages = {page: ", ".join(a.split(":", 1)[-1] for a in actions) for page, actions in source_pages(document).items()}
    for page in extra:
        pages.setdefault(page, "where it goes and why")
    if scenario is not None:
        for page in (*EVALUATION_SOURCES, sources.IAM_ACCESS_DENIED, sources.OCI_API_VERSION_CHECK):
            pages.setdefault(page, "how the calls are decided and reported")
        for page in _wording_pages(document, scenario):
            pages.setdefault(page, "a client's message, as users got it")
    return Section("Sources", [Links(list(pages.items()))])


def _wording_pages(document: Document, scenario: Scenario) -> list[str]:
    found: list[str] = []
    for action in called_entries(document, scenario.operations)[0][:WHAT_IF_ROWS]:
        what_if = what_if_without(
            document, action, scenario.operations, scenario.image, scenario.repository, scenario.caller
        )
        for _, after in what_if.outcomes:
            said = refusals.wording(after)
            found += [page for page in (said.sources if said else ()) if page not in found]
    return found


# -- a generated policy (the wizard's and --plain's "Save explanation") ------------------------------


def generated_handout(policy, bundle=None, warnings=()) -> Handout:
    """The handout for the policy the wizard or `--plain` built: the same sections as `explain`'s,
    with the statements in the builder's own words, the role's operations simulated with the
    setup's repository policy, and where each part goes for this role."""
    from wizard.core.builder import suggested_file_name
    from wizard.core.explain import login_lines, logs_in
    from wizard.core.roles import ROLES
    from wizard.core.simulate.engine import default_caller
    from wizard.core.simulate.whatif import operations_for

    request = policy.request
    document = document_from_json(policy.document, Kind.IDENTITY)
    info = ROLES[request.role]
    intro = [
        Paragraph(f"{info.title}, {request.access.value} access: {info.in_short}."),
        Paragraph(
            "Made offline by ecr-policy. Every statement is explained action by action; what the role does is "
            "simulated call by call against the policy; every fact names its source at the end."
        ),
    ]
    sections = [Section("The policy", [Code("json", policy_json(policy.document))])]
    sections += generated_statement_sections(policy)
    scenario = None
    if not request.public:
        image, example = example_image(document)
        repository = None
        if bundle is not None and bundle.repository is not None:
            repository = document_from_json(bundle.repository.document, Kind.REPOSITORY)
        account = bundle.role_account if bundle is not None else request.account
        scenario = Scenario(image, example, operations_for(request), repository, default_caller(image, account))
        commands = [login_command(image.account, image.region)] if logs_in(policy) else []
        commands += [f"docker {op} {image}" for op in ("push", "pull") if op in scenario.operations]
        note = "" if logs_in(policy) else " ".join(login_lines(policy))
        sections += identity_sections(document, scenario, commands, note)
    sections.append(_generated_placement(bundle, info))
    if warnings:
        sections.append(Section("Warnings", [Bullets([str(warning) for warning in warnings])]))
    sections.append(check_section(document))
    pages = (info.source, *(page for doc in (bundle.documents() if bundle else ()) for page in doc.sources))
    sections.append(sources_section(document, scenario, pages))
    return Handout(f"ECR policy handout: {suggested_file_name(request, 'json')}", intro, sections)


def generated_statement_sections(policy) -> list[Section]:
    count = len(policy.statements)
    result = [Section("Statement by statement", [Paragraph(f"{_count(count, 'statement')}, in order.")])]
    for number, statement in enumerate(policy.statements, 1):
        rows = []
        for action in statement.actions:
            repository = _single_repository(document_from_json({"Statement": [statement.to_json()]}).statements[0])
            rows.append(
                [
                    action.name,
                    action.step,
                    action.why,
                    action.without,
                    "; ".join(call_map(action.name, repository)),
                    action.source,
                ]
            )
        blocks = [
            Paragraph(statement.summary),
            Paragraph(
                f"Resource: {statement.scope_note}" + (f" (source: {statement.source})" if statement.source else "")
            ),
            Table(["action", "used by", "why", "without it", "calls", "source"], rows),
        ]
        result.append(Section(f"Statement {number}: {statement.sid} ({statement.title})", blocks, 3))
    return result


def _generated_placement(bundle, info) -> Section:
    facts = [f"Who really pulls: {info.who_pulls}", f"Attach to: {info.attach_to}"]
    facts += [f"Caution: {info.caveat}"] if info.caveat else []
    blocks = [Bullets(facts)]
    if bundle is not None:
        blocks.append(Bullets(bundle.placement()))
        for document in bundle.documents():
            blocks.append(Paragraph(f"{document.title}: {' '.join(document.explanation)}"))
            blocks.append(Code("json", policy_json(document.document)))
        blocks += [Paragraph(f"Note: {note}") for note in bundle.notes]
    headers, rows = roles_table()
    blocks += [Paragraph("The roles side by side (ecr-policy roles):"), Table(headers, rows)]
    return Section("Where it goes", blocks)
