"""Existing policies in plain words: who, what, where, under which conditions, and how far
they reach compared with AWS's managed policies. Used by `explain`, the wizard's inspect
screen and `--plain`; every verdict comes from the one evaluator.

The text holds outside values (Sids, ARNs, principals) as they were written: front ends pass
it through their output boundary (wizard.core.text.visible) before showing it.
"""

from __future__ import annotations

from collections.abc import Iterable

from wizard.core import names
from wizard.core.catalog import AUTH_ACTION, PULL_ACTIONS, PUSH_ACTIONS, lookup
from wizard.core.documents import ACCOUNT_PRINCIPAL_WORDS
from wizard.core.policy import Document, Kind, Principal, Statement, document_from_json
from wizard.core.policy.evaluate import ActionMap, Effect, Request, evaluate
from wizard.core.reference import RISK_TITLES, baselines, expand_action, find_action, service_of
from wizard.core.rules.principals import NARROWING_KEYS, WEAK_KEYS, is_public
from wizard.core.rules.reach import ARN, EXAMPLE_REPOSITORY, granted_names, only_account_level, representative_resources
from wizard.core.text import WIDTH, visible
from wizard.core.text import wrap as _wrap

SERVICE_ROLES = {
    "lambda.amazonaws.com": "Lambda, which pulls the image of container functions",
    "codebuild.amazonaws.com": "CodeBuild, which pulls build images with its own credentials",
    "ec2.amazonaws.com": "EC2 (instances pull with their instance role, not as this service)",
    "ecs-tasks.amazonaws.com": "ECS tasks (they pull with the task execution role, not as this service)",
    "pods.eks.amazonaws.com": "EKS Pod Identity",
    "eks-fargate-pods.amazonaws.com": "EKS Fargate pods",
    "sagemaker.amazonaws.com": "SageMaker",
}
_OPERATOR_WORDS = {
    "StringEquals": "is",
    "StringNotEquals": "is not",
    "StringLike": "matches",
    "StringNotLike": "does not match",
    "StringEqualsIgnoreCase": "is (any case)",
    "ArnEquals": "is",
    "ArnLike": "matches",
    "ArnNotEquals": "is not",
    "ArnNotLike": "does not match",
    "Bool": "is",
    "IpAddress": "is in",
    "NotIpAddress": "is not in",
    "Null": "is absent:",
}
_ESSENTIAL = {AUTH_ACTION.name, *(a.name for a in PULL_ACTIONS), *(a.name for a in PUSH_ACTIONS)}


# Principals, conditions, resources, actions ------------------------------------------------


def describe_principal(principal: Principal) -> str:
    """A principal in words, e.g. "every IAM principal of account 123456789012 (…)"."""
    value = visible(principal.value)
    if principal.is_everyone:
        return "everyone: any AWS account's principals (and anonymous callers)"
    if principal.type == "Service":
        role = SERVICE_ROLES.get(value.lower())
        return f"the service {value}" + (f" ({role})" if role else "")
    if principal.type == "Federated":
        provider = value.split("oidc-provider/", 1)[-1]
        known = (
            " (GitHub Actions)" if "githubusercontent" in provider else " (GitLab CI)" if "gitlab" in provider else ""
        )
        return f"web identities from {provider}{known}"
    if principal.type != "AWS":
        return f"{principal.type or 'a bare principal'} {value}"
    account = principal.account
    if account and (value == account or value.endswith(":root")):
        return ACCOUNT_PRINCIPAL_WORDS.format(account=account)
    kind, _, name = value.split(":", 5)[-1].partition("/")
    words = {"role": "the role", "user": "the user", "assumed-role": "sessions of the role", "group": "the group"}
    return f"{words.get(kind, kind)} {name or value} in account {account or '?'}"


def describe_condition(key: str, operator: str, values: Iterable[str]) -> str:
    key, operator = visible(key), visible(operator)
    shown = ", ".join(visible(value) for value in values) or "(nothing)"
    lowered = key.lower()
    if lowered in NARROWING_KEYS and operator.startswith(("String", "Arn")) and "Not" not in operator:
        return NARROWING_KEYS[lowered].format(values=shown)
    if lowered in WEAK_KEYS and operator in ("IpAddress", "StringEquals", "StringLike"):
        return WEAK_KEYS[lowered].format(values=shown)
    base = operator.split(":", 1)[-1].removesuffix("IfExists")
    words = _OPERATOR_WORDS.get(base, operator)
    qualifier = " (if present)" if operator.endswith("IfExists") else ""
    return f"{key} {words} {shown}{qualifier}"


def describe_resource(resource: str, only_account_level: bool = False) -> str:
    """A Resource in words: which repositories, in which account and region."""
    resource = visible(resource)
    if resource == "*":
        if only_account_level:
            return '"*": the only Resource these account-level actions take (no repository is opened by it)'
        return 'every resource ("*"): for ECR, every repository in every region of the account'
    match = ARN.match(resource)
    if not match or match["service"] not in ("ecr", "ecr-public") or not match["resource"].startswith("repository/"):
        if match and match["service"] == "ecr" and match["resource"] == "*":
            return f"every repository in account {match['account'] or 'any'}, {match['region'] or 'any region'}"
        return f"{resource} (not an ECR repository ARN)"
    name = match["resource"].removeprefix("repository/")
    if match["service"] == "ecr-public":
        return f"public repository {name!r} of account {match['account']} (public.ecr.aws)"
    region = "every region" if match["region"] in ("*", "") else match["region"]
    account = "any account" if match["account"] in ("*", "") else f"account {match['account']}"
    if names.is_pattern(name):
        what = f"repositories matching {name!r} ({names.describe_pattern(name)})"
    else:
        what = f"repository {name!r}"
    return f"{what} in {account}, {region}"


def explain_action(action: str) -> str:
    """What one Action entry does for docker pull/push, or that pull/push do not need it."""
    known = lookup(action)
    if known is not None:
        return f"{known.name} ({known.step}): {known.why}"
    if action == "*":
        return '"*": every action of every AWS service, not only ECR'
    shown = visible(action)
    expanded = expand_action(action)
    service = visible(service_of(action))
    if not expanded:
        if service in ("ecr", "ecr-public"):
            return f"{shown}: not an action {service} has; IAM grants nothing for it."
        return f"{shown}: an action of {service}, outside ECR (not explained here)."
    if len(expanded) > 1 or expanded[0].lower() != action.lower():
        needed = [name for name in expanded if name in _ESSENTIAL]
        rest = len(expanded) - len(needed)
        return (
            f"{shown}: a wildcard for {len(expanded)} actions; pull/push need {len(needed)} of them "
            f"({', '.join(n.split(':')[1] for n in needed) or 'none'}), the other {rest} they do not."
        )
    row = lookup(expanded[0])
    if row is not None:
        return f"{row.name} ({row.step}): {row.why}"
    reference = find_action(expanded[0])
    assert reference is not None
    return (
        f"{reference.action} ({RISK_TITLES[reference.risk]}): not needed for docker pull or push; it lets "
        f"the principal {reference.description}."
    )


RISK_SHORT = {
    "login": "login",
    "pull": "pull",
    "push": "push",
    "cache": "cache import",
    "read": "read metadata",
    "configure": "configure",
    "permissions": "change access",
    "destructive": "delete",
}


def action_classes(statement: Statement) -> str:
    """The statement's known actions grouped by risk, e.g. "3 pull, 4 push"."""
    counts: dict[str, int] = {}
    for name in granted_names(statement):
        row = find_action(name)
        if row:
            counts[row.risk] = counts.get(row.risk, 0) + 1
    order = list(RISK_TITLES)
    return ", ".join(f"{counts[risk]} {RISK_SHORT[risk]}" for risk in sorted(counts, key=order.index))


# Statements ----------------------------------------------------------------------------


def statement_block(statement: Statement, kind: Kind, width: int = WIDTH) -> list[str]:
    """A statement in words, wrapped to `width` (the terminal's 78, or a pane's width)."""
    title = f"Statement {statement.index}" + (f": {visible(statement.sid)}" if statement.sid else "")
    if statement.shadowed:
        title += ' (from an earlier duplicate "Statement" key)'
    lines = [title]
    if not isinstance(statement.raw, dict):
        return [*lines, "  Not a statement object: AWS rejects the policy."]
    verb = {"Allow": "Allows", "Deny": "Denies"}.get(statement.effect or "", "Has an unknown Effect for")
    if statement.principals is not None or statement.not_principals is not None:
        lines += _who_lines(statement, width)
    lines += _what_lines(statement, verb, width)
    lines += _where_lines(statement, kind, width)
    for condition in statement.conditions:
        lines += _wrap(
            f"Only when: {describe_condition(condition.key, condition.operator, condition.values)}", "  ", "    ", width
        )
    name = _single_repository(statement)
    for action in statement.actions:
        lines += _wrap(f"- {explain_action(action)}", "  ", "    ", width)
        calls = call_map(action, name)
        if calls:
            lines += _pack(["Calls:", *calls], "    ", "      ", width)
    return lines


def _pack(items: list[str], indent: str, hanging: str, width: int = WIDTH) -> list[str]:
    """Items on as few lines as fit, never splitting one (a request or command stays whole)."""
    lines, current = [], indent + items[0]
    for index, item in enumerate(items[1:], 1):
        joined = f"{current}{' ' if index == 1 else '; '}{item}"
        if len(joined) > width and current.strip():
            lines.append(current + ("" if index == 1 else ";"))
            current = hanging + item
        else:
            current = joined
    return [*lines, current]


def _single_repository(statement: Statement) -> str:
    """The repository a statement names, when it names exactly one literal repository."""
    found = {r.split(":repository/", 1)[1] for r in statement.resources if ":repository/" in r}
    name = next(iter(found)) if len(found) == 1 else "NAME"
    return name if names.is_valid_name(name) else "NAME"


def call_map(action: str, repository: str = "NAME") -> list[str]:
    """The requests and the `aws` command an action serves (the catalog's call map)."""
    row = lookup(action)
    if row is None or row.calls is None:
        return []
    parts = [call.render(repository) for call in row.calls.requests]
    return [*parts, row.calls.cli] if row.calls.cli else parts


def _who_lines(statement: Statement, width: int) -> list[str]:
    if statement.not_principals is not None:
        excluded = "; ".join(describe_principal(p) for p in statement.not_principals)
        return _wrap(f"Who: everyone except {excluded}", "  ", "    ", width)
    who = [describe_principal(p) for p in statement.principals or ()]
    if not who:
        return ["  Who: nobody (an empty Principal)"]
    if len(who) == 1:
        return _wrap(f"Who: {who[0]}", "  ", "    ", width)
    return ["  Who:", *(line for item in who for line in _wrap(f"- {item}", "    ", "      ", width))]


def _what_lines(statement: Statement, verb: str, width: int) -> list[str]:
    classes = action_classes(statement)
    if statement.not_actions:
        scope = "of every AWS service" if statement.principals is None else "the resource supports"
        shown = ", ".join(visible(name) for name in statement.not_actions)
        known = len(granted_names(statement))
        text = f"{verb} every action {scope} except {shown}: {known} ECR actions ({classes}), and more elsewhere"
        return _wrap(text, "  ", "    ", width)
    known = granted_names(statement)
    other = [name for name in statement.actions if not expand_action(name)]
    count = len(known) + len(other)
    text = f"{verb} {count} action{'' if count == 1 else 's'}"
    if classes:
        text += f" ({classes}" + (f"; {len(other)} outside ECR or unknown" if other else "") + ")"
    return _wrap(text, "  ", "    ", width)


def _where_lines(statement: Statement, kind: Kind, width: int) -> list[str]:
    if kind in (Kind.REPOSITORY, Kind.PUBLIC_REPOSITORY) and not statement.resources and not statement.not_resources:
        return ["  On: the repository this policy is set on"]
    if kind is Kind.TRUST and not statement.resources:
        return ["  On: the role this trust policy belongs to"]
    if statement.not_resources:
        excluded = [describe_resource(r) for r in statement.not_resources]
        return [
            "  On: every resource except:",
            *(line for r in excluded for line in _wrap(f"- {r}", "    ", "      ", width)),
        ]
    account_level = only_account_level(statement)
    shown = [describe_resource(r, account_level) for r in statement.resources] or ["(no Resource)"]
    return ["  On:", *(line for r in shown for line in _wrap(f"- {r}", "    ", "      ", width))]


# Reach and blast radius -------------------------------------------------------------------

_KNOWN_ECR = tuple(expand_action("ecr:*"))


def _can(actions: ActionMap, names: Iterable[str], resource: str) -> bool:
    allowed = actions.allowed(resource)
    return all(name in allowed for name in names)


def _representative_resources(document: Document) -> list[str]:
    return representative_resources(document.real_statements)


def reach_lines(document: Document, actions: ActionMap | None = None, width: int = WIDTH) -> list[str]:
    """Which repositories the policy reaches, and whether it can log in, pull and push there."""
    actions = actions or ActionMap(document)
    if document.kind in (Kind.REPOSITORY, Kind.PUBLIC_REPOSITORY, Kind.REGISTRY):
        return _who_can_lines(document, width)
    if document.kind is Kind.TRUST:
        return []
    lines = ["Reach"]
    resources = _representative_resources(document)
    login = evaluate(document, Request(AUTH_ACTION.name, "*")).effect is Effect.ALLOW
    if not resources:
        lines.append("  No repository is reachable.")
    pull = [a.name for a in PULL_ACTIONS[1:]]
    push = [a.name for a in (PULL_ACTIONS[0], *PUSH_ACTIONS)]
    for resource in resources:
        label = 'every repository ("*")' if resource == EXAMPLE_REPOSITORY else describe_resource(resource)
        lines += _wrap(f"- {label}", "  ", "    ", width)
        lines.append(
            f"    Pull: {'yes' if _can(actions, pull, resource) else 'no'}   "
            f"Push: {'yes' if _can(actions, push, resource) else 'no'}"
        )
    lines.append(f"  Login (docker login): {'yes' if login else 'no'}")
    extra = sorted({n for r in resources for n in _KNOWN_ECR if n not in _ESSENTIAL and _can(actions, [n], r)})
    extra += [n for n in _KNOWN_ECR if n not in _ESSENTIAL and n not in extra and _can(actions, [n], "*")]
    if extra:
        lines += _wrap(
            f"Beyond pull and push ({len(extra)}): {', '.join(n.split(':')[1] for n in extra)}", "  ", "    ", width
        )
    return lines


def _who_can_lines(document: Document, width: int = WIDTH) -> list[str]:
    lines = ["Blast radius: who can do what"]
    pull = [a.name for a in PULL_ACTIONS[1:]]
    push = [a.name for a in PUSH_ACTIONS]
    for statement in document.real_statements:
        if not statement.allows:
            continue
        granted = set(granted_names(statement))
        verbs = []
        if all(name in granted for name in pull):
            verbs.append("pull")
        if all(name in granted for name in push):
            verbs.append("push")
        risky = sorted(
            {
                RISK_TITLES[row.risk]
                for n in granted
                if (row := find_action(n)) and row.risk in ("permissions", "destructive")
            }
        )
        verbs += risky
        who = (
            "everyone" if is_public(statement) else "; ".join(describe_principal(p) for p in statement.principals or ())
        )
        narrowed = " (under conditions)" if statement.conditions else ""
        lines += _wrap(f"- {who}{narrowed}: {', '.join(verbs) or 'other actions only'}", "  ", "    ", width)
    if len(lines) == 1:
        lines.append("  Nobody: the policy allows nothing.")
    return lines


def blast_radius_rows(document: Document, actions: ActionMap | None = None) -> list[tuple[str, str, str, str]]:
    """(policy, ECR actions granted, repositories reached, what this policy leaves out) per baseline."""
    actions = actions or ActionMap(document)
    resources = _representative_resources(document) or [EXAMPLE_REPOSITORY]
    granted = {n for n in _KNOWN_ECR if any(_can(actions, [n], r) for r in [*resources, "*"])}
    repository_level = [
        r for r in resources if any(_can(actions, [n], r) for n in _KNOWN_ECR if not find_action(n).needs_star)
    ]
    if EXAMPLE_REPOSITORY in repository_level:
        mine = 'all ("*")'
    elif repository_level:
        shown = ", ".join(r.rsplit("repository/", 1)[-1] for r in repository_level[:3]) + (
            ", …" if len(repository_level) > 3 else ""
        )
        mine = f"{len(repository_level)} ({shown})"
    else:
        mine = "none"
    rows = [("this policy", str(len(granted)), mine, "")]
    for baseline in baselines():
        left_out = [name for name in baseline.actions if name not in granted]
        shown = ", ".join(name.split(":")[1] for name in left_out[:4]) + (
            f" +{len(left_out) - 4} more" if len(left_out) > 4 else ""
        )
        rows.append((baseline.name, str(len(baseline.actions)), baseline.scope, shown or "nothing"))
    return rows


def blast_radius_lines(document: Document, actions: ActionMap | None = None) -> list[str]:
    rows = blast_radius_rows(document, actions)
    width = max(len(row[0]) for row in rows)
    lines = [
        "Blast radius: ECR actions granted x repositories reached",
        f"  {'policy':<{width}}  actions  repositories",
    ]
    lines += [f"  {name:<{width}}  {count:>7}  {scope}" for name, count, scope, _ in rows]
    lines.append("  Compared with each, this policy leaves out:")
    for name, _, _, left_out in rows[1:]:
        lines += _wrap(f"{name}: {left_out}", "  - ", "      ")
    note = baselines()[-1].note
    lines += _wrap(f"The last row is {note}.", "  ", "  ")
    return lines


def kind_line(document: Document) -> str:
    how = "as requested with --kind" if document.kind_forced else f"detected: {document.kind_reason}"
    return f"Kind: {document.kind.title}, {document.kind.placement} ({how})"


def explain_document(document: Document | dict) -> str:
    """An existing policy in plain words: kind, statements, reach and blast radius."""
    if isinstance(document, dict):
        document = document_from_json(document)
    blocks = [_wrap(kind_line(document), "", "  ")]
    blocks += [statement_block(statement, document.kind) for statement in document.statements]
    actions = ActionMap(document)
    reach = reach_lines(document, actions)
    if reach:
        blocks.append(reach)
    if document.kind in (Kind.IDENTITY, Kind.PUBLIC_IDENTITY):
        blocks.append(blast_radius_lines(document, actions))
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


def _call_sources(row) -> tuple[str, ...]:
    """The pages behind an action's call map: the registry requests, the API, the CLI command."""
    calls = getattr(row, "calls", None)
    if calls is None:
        return ()
    return tuple(page for page in (*(c.source for c in calls.requests), calls.api_source, calls.cli_source) if page)


def source_pages(document: Document) -> dict[str, list[str]]:
    """The pages behind the facts about the document's actions: page -> the actions it backs."""
    seen: dict[str, list[str]] = {}
    for statement in document.real_statements:
        for name in granted_names(statement) if not statement.not_actions else ():
            row = lookup(name)
            source = getattr(row, "source", None) if row else None
            reference = find_action(name)
            for page in (source, reference.source if reference else None, *_call_sources(row)):
                if page:
                    seen.setdefault(page, [])
                    if name not in seen[page]:
                        seen[page].append(name)
    return seen


def sources_lines(document: Document) -> list[str]:
    """Where each fact about the actions comes from: the AWS pages, one line each."""
    lines = ["Sources"]
    for page, actions in source_pages(document).items():
        shown = ", ".join(a.split(":")[1] for a in actions[:6]) + (", …" if len(actions) > 6 else "")
        lines += _wrap(f"- {shown}:", "  ", "    ")
        lines.append(f"    {page}")
    return lines if len(lines) > 1 else []
