"""`tighten`: from an existing broad policy to the least-privilege one for what it is for.

Three steps, each explained: infer the intent (who pulls or pushes, which repositories,
where) from what the policy allows, with the evidence; ask for what cannot be inferred (a
"*" resource names no repository) instead of guessing; build the policy for that intent
through the same builder as `generate`, and list every change: removed, narrowed, added,
and statements outside ECR (left out, or kept unchanged on request).
"""

from __future__ import annotations

import re
from collections import namedtuple

from wizard.core.builder import GeneratedPolicy
from wizard.core.deploy import Bundle, build_bundle, make_deployment
from wizard.core.glob import has_wildcards
from wizard.core.policy import Document, Kind, Statement
from wizard.core.policy.evaluate import ActionMap, Effect, Request, evaluate
from wizard.core.reference import RISK_TITLES, expand_action, find_action, service_of
from wizard.core.request import Access, Message, RequestError, Role, ValidatedRequest, make_request
from wizard.core.rules.reach import ARN, EXAMPLE_REPOSITORY, granted_names, representative_resources
from wizard.core.sources import MANAGED_PULL_ONLY
from wizard.core.text import quoted, wrap

PUSH = ("ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage")
PULL = ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
SUPPORTED = (Kind.IDENTITY, Kind.PUBLIC_IDENTITY, Kind.REPOSITORY, Kind.PUBLIC_REPOSITORY)
_ROLE_WORDS = (
    (Role.LAMBDA, re.compile(r"lambda|function", re.IGNORECASE)),
    (Role.ECS, re.compile(r"\becs|ecs[^a-z]|task|fargate", re.IGNORECASE)),
    (Role.EKS, re.compile(r"eks|kube|k8s|node|worker|minion", re.IGNORECASE)),
    (Role.CI, re.compile(r"github|gitlab|codebuild|jenkins|pipeline|\bci\b|build|deploy|push", re.IGNORECASE)),
)


class Missing(namedtuple("Missing", "flag question")):
    """An answer the policy cannot give: the flag that gives it, and the question it answers."""

    __slots__ = ()


class Intent(
    namedtuple(
        "Intent",
        "kind role access repositories region account principal pull_through_cache cache_create public evidence missing",
    )
):
    """What a policy is for. repositories: names and patterns, or () when unknown; principal:
    for repository policies, the account or role that pulls; evidence: why each answer was
    given (sentences); missing: Missing records for what must be asked."""

    __slots__ = ()

    def describe(self) -> str:
        who = {Role.CI: "a CI pipeline", Role.ECS: "ECS tasks", Role.EKS: "EKS nodes", Role.LAMBDA: "Lambda"}
        role = who.get(self.role, "someone (which workload: --role)")
        verb = "pushing to (and pulling from)" if self.access is Access.PUSH else "pulling from"
        shown = list(self.repositories[:3]) + (
            [f"{len(self.repositories) - 3:,} more"] if len(self.repositories) > 3 else []
        )
        where = ", ".join(shown) or "repositories not named by the policy"
        place = (
            f" in account {self.account or '?'}, {self.region or '?'}"
            if not self.public
            else f" (ECR Public, account {self.account or '?'})"
        )
        return f"{role} {verb} {where}{place}"


class Change(namedtuple("Change", "kind subject reason")):
    """One line of the explained diff: kind is removed, narrowed, added, left-out or kept."""

    __slots__ = ()


class Tightened(namedtuple("Tightened", "intent validated bundle changes others keep_other")):
    """The result: the intent, the validated request, everything generate would build for it,
    the explained changes, the statements outside ECR (raw JSON), and whether they are kept
    in the output."""

    __slots__ = ()

    @property
    def policy(self) -> GeneratedPolicy:
        return self.bundle.identity

    @property
    def output_document(self) -> dict | None:
        """The document that replaces the input: the identity policy, or for a repository
        policy the repository policy (None when the setup needs none)."""
        if self.intent.kind in (Kind.REPOSITORY, Kind.PUBLIC_REPOSITORY):
            return self.bundle.repository.document if self.bundle.repository else None
        if self.keep_other and self.others:
            return {**self.policy.document, "Statement": [*self.policy.document["Statement"], *self.others]}
        return self.policy.document


class TightenError(ValueError):
    """The document cannot be tightened (its kind, or what it grants)."""


# Inferring the intent ---------------------------------------------------------------------


def infer_intent(document: Document) -> Intent:
    if document.kind not in SUPPORTED:
        raise TightenError(
            f"a {document.kind.title} cannot be tightened here: tighten reads identity, repository and ECR Public policies"
        )
    if document.kind in (Kind.REPOSITORY, Kind.PUBLIC_REPOSITORY):
        return _infer_repository_intent(document)
    return _infer_identity_intent(document)


def _grants(document: Document) -> dict[str, frozenset[str]]:
    actions = ActionMap(document)
    return {resource: actions.allowed(resource) for resource in representative_resources(document.real_statements)}


def _infer_identity_intent(document: Document) -> Intent:
    grants = _grants(document)
    evidence, missing = [], []
    used = {
        resource: allowed for resource, allowed in grants.items() if allowed & {*PUSH, *PULL, "ecr-public:PutImage"}
    }
    public = any(service_of(name) == "ecr-public" for allowed in used.values() for name in allowed) or (
        not used and any(service_of(n) == "ecr-public" for s in document.real_statements for n in s.actions)
    )
    access = _access(used, evidence)
    role = _role(document, access, evidence, missing)
    repositories, region, account = _scope(used, public, evidence, missing)
    # Only a grant by name says the policy is for a pull-through cache: ecr:* grants it too.
    named = {name.lower() for statement in document.real_statements if statement.allows for name in statement.actions}
    cache = "ecr:batchimportupstreamimage" in named
    create = cache and "ecr:createrepository" in named
    if cache:
        evidence.append(
            "pull-through cache: the policy grants BatchImportUpstreamImage"
            + (" and CreateRepository" if create else "")
        )
    return Intent(
        document.kind,
        role,
        access,
        tuple(repositories),
        region,
        account,
        None,
        cache,
        create,
        public,
        tuple(evidence),
        tuple(missing),
    )


def _access(used: dict[str, frozenset[str]], evidence: list[str]) -> Access:
    pushes = sorted(
        {n for allowed in used.values() for n in allowed if n.split(":")[1] in {p.split(":")[1] for p in PUSH}}
    )
    if pushes:
        evidence.append(f"push: it grants {', '.join(n.split(':')[1] for n in pushes[:4])}")
        return Access.PUSH
    evidence.append("pull: it grants pulling and no upload action")
    return Access.PULL


def _role(
    document: Document, access: Access, evidence: list[str], missing: list[Missing], words: str = ""
) -> Role | None:
    text = " ".join([words, *(s.sid or "" for s in document.real_statements)])
    for role, pattern in _ROLE_WORDS:
        found = pattern.search(text)
        if found:
            evidence.append(f"role {role.value}: the policy says {quoted(found.group(0))}")
            return role
    if access is Access.PUSH:
        evidence.append("role ci: pushing images is a build pipeline's job (--role to say otherwise)")
        return Role.CI
    missing.append(Missing("--role", "who pulls: ecs (task execution role), eks (node role), lambda, or ci?"))
    return None


def _scope(used: dict[str, frozenset[str]], public: bool, evidence: list[str], missing: list[Missing]):
    """Repositories, region and account, each read from the ARN fields that name one: a
    wildcard account does not hide the repository name next to it."""
    names, regions, accounts, unnamed = [], set(), set(), []
    for resource in used:
        match = ARN.match(resource)
        if resource == EXAMPLE_REPOSITORY or not match or not match["resource"].startswith("repository/"):
            unnamed.append('"*"' if resource == EXAMPLE_REPOSITORY else resource)
            continue
        name = match["resource"].removeprefix("repository/")
        if name.strip("*") == "":
            unnamed.append(resource)
        else:
            names.append(name)
        regions.add(match["region"])
        accounts.add(match["account"])
    if unnamed or not names:
        shown = ", ".join(unnamed[:2]) or "no repository"
        missing.append(Missing("--repo", f"which repositories: the policy grants {shown}, which names none"))
        names = []
    else:
        evidence.append(
            f"repositories: {', '.join(names[:5])}" + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        )
    region = _one(regions, "region", "--region", evidence, missing, optional=public)
    account = _one(accounts, "account", "--account", evidence, missing)
    return names, region if not public else "us-east-1", account


def _one(values: set[str], what: str, flag: str, evidence: list[str], missing: list[Missing], optional: bool = False):
    concrete = {v for v in values if v and not has_wildcards(v)}
    if len(concrete) == 1:
        value = concrete.pop()
        evidence.append(f"{what}: {value}")
        return value
    if not optional:
        reason = (
            f"it names several ({', '.join(sorted(concrete))})"
            if concrete
            else "the policy allows any (a wildcard)"
            if values - {""}
            else "the policy does not name one"
        )
        missing.append(Missing(flag, f"which {what}: {reason}"))
    return None


def _infer_repository_intent(document: Document) -> Intent:
    evidence, missing = [], []
    grantees = []
    for statement in document.real_statements:
        if statement.allows and set(granted_names(statement)) & {*PUSH, *PULL}:
            grantees.extend(statement.principals or ())
    services = {p.value.lower() for p in grantees if p.type == "Service"}
    accounts = [p for p in grantees if p.type == "AWS" and not p.is_everyone]
    access = (
        Access.PUSH
        if any(set(granted_names(s)) & set(PUSH) for s in document.real_statements if s.allows)
        else Access.PULL
    )
    evidence.append(f"{access.value}: the statements grant {'upload' if access is Access.PUSH else 'pull'} actions")
    principal = None
    if "lambda.amazonaws.com" in services:
        role = Role.LAMBDA
        evidence.append("role lambda: the Lambda service is allowed to pull")
    else:
        role = _role(document, access, evidence, missing, " ".join(p.value for p in accounts))
    if accounts:
        principal = accounts[0].value
        evidence.append(
            f"principal: {principal}"
            + (f" (of {len(accounts)} named; --principal to choose)" if len(accounts) > 1 else "")
        )
    elif role is not Role.LAMBDA:
        missing.append(
            Missing("--principal", "who pulls: the policy lets in everyone or no account; name the account or role")
        )
    missing.append(Missing("--repo", "which repository the policy is set on (a repository policy does not name it)"))
    missing.append(Missing("--region", "the repository's region"))
    missing.append(Missing("--account", "the account that owns the repository"))
    public = document.kind is Kind.PUBLIC_REPOSITORY
    return Intent(
        document.kind, role, access, (), None, None, principal, False, False, public, tuple(evidence), tuple(missing)
    )


_EVIDENCE_PREFIXES = {
    "role": ("role ",),
    "access": ("push:", "pull:"),
    "repositories": ("repositories:",),
    "region": ("region:",),
    "account": ("account:",),
    "principal": ("principal:",),
}


def with_answers(intent: Intent, **answers) -> Intent:
    """The intent with the user's answers (flags or prompts) in place of guesses and gaps."""
    given = {key: value for key, value in answers.items() if value not in (None, (), [])}
    flags = {
        "role": "--role",
        "repositories": "--repo",
        "region": "--region",
        "account": "--account",
        "principal": "--principal",
    }
    answered = {flags[key] for key in given if key in flags}
    replaced = tuple(_EVIDENCE_PREFIXES[key] for key in given if key in _EVIDENCE_PREFIXES)
    evidence = [line for line in intent.evidence if not line.startswith(sum(replaced, ()))]
    for key, value in given.items():
        shown = ", ".join(value) if isinstance(value, (list, tuple)) else getattr(value, "value", value)
        evidence.append(f"{key}: {shown} (given with {flags.get(key, '--' + key)})")
    updated = intent._replace(**dict(given.items()), evidence=tuple(evidence))
    return updated._replace(missing=tuple(m for m in intent.missing if m.flag not in answered))


# Building and explaining --------------------------------------------------------------------


def tighten(document: Document, intent: Intent, keep_other: bool = False) -> Tightened:
    """The least-privilege setup for the intent, and every change from the document.

    keep_other: copy statements outside ECR into the output unchanged (else they are left out,
    and the changes say so)."""
    principal = intent.principal if intent.kind in (Kind.REPOSITORY, Kind.PUBLIC_REPOSITORY) else None
    validated, bundle = build_intent(intent, principal=principal)
    others = _other_statements(document)
    changes = _changes(document, bundle, intent, others, keep_other)
    return Tightened(intent, validated, bundle, tuple(changes), tuple(others), keep_other)


def build_intent(intent: Intent, **deployment) -> tuple[ValidatedRequest, Bundle]:
    """Validate a complete intent and build everything `generate` builds for it (the same
    builder), for an existing role ("none": no trust policy). deployment: make_deployment's
    answers (principal, role_name, function_account). Raises RequestError naming each flag
    still missing, or each invalid answer."""
    if intent.missing:
        raise RequestError(
            [
                Message(m.flag.removeprefix("--"), "", f"is needed: {m.question}", f"Give {m.flag}.")
                for m in intent.missing
            ]
        )
    validated = make_request(
        role=intent.role,
        repositories=list(intent.repositories),
        region=intent.region or "us-east-1",
        account=intent.account,
        access=intent.access,
        pull_through_cache=intent.pull_through_cache,
        cache_create=intent.cache_create,
        public=intent.public,
    )
    built, _ = make_deployment(validated.request, "none", **deployment)
    return validated, build_bundle(validated.request, built)


def changes_for(document: Document, bundle: Bundle, intent: Intent, keep_other: bool = False) -> list[Change]:
    """Every change from the document to what the bundle builds for the intent: the wizard
    asks this again after each answer the user changes."""
    return _changes(document, bundle, intent, _other_statements(document), keep_other)


def intent_of_answers(intent: Intent, answers) -> Intent:
    """The inferred intent as the user has since answered it in the wizard (an Answers)."""
    return intent._replace(
        role=answers.role,
        access=answers.access,
        repositories=tuple(answers.effective_repositories()),
        region=answers.region or None,
        account=answers.account or None,
        principal=answers.principal or intent.principal,
        public=answers.public,
        pull_through_cache=answers.pull_through_cache,
        cache_create=answers.cache_create,
        missing=(),
    )


def output_for(intent: Intent) -> str:
    """What the wizard shows for the tightened policy: the document that replaces the input."""
    return "json-repository" if intent.kind in (Kind.REPOSITORY, Kind.PUBLIC_REPOSITORY) else "json"


def intent_lines(intent: Intent) -> list[str]:
    """The intent in words (as `tighten` prints it), with the evidence for each answer and what is still to be given."""
    lines = [f"intent: {intent.describe()}", *(f"  - {line}" for line in intent.evidence)]
    lines += [f"  ? {m.question} ({m.flag})" for m in intent.missing]
    return lines


def change_lines(changes: list[Change] | tuple[Change, ...], width: int | None = None) -> list[str]:
    """The explained diff, a line per change: kind, what, why; with `width`, each change is
    wrapped to it under a hanging indent (a narrow pane), else one line each (a terminal's
    stderr, where lines are grepped)."""
    if not changes:
        return ["changes: none: the policy is already least-privilege for this intent"]
    column = max(len(change.kind) for change in changes)
    lines = ["changes:"]
    for change in changes:
        if width is None:
            lines.append(f"  {change.kind:<{column}}  {change.subject}: {change.reason}")
        else:
            lines += wrap(f"{change.kind} {change.subject}: {change.reason}", "  ", "    ", width)
    return lines


def _other_statements(document: Document) -> list[dict]:
    """Statements (or the parts of them) that grant actions outside ECR, as JSON to keep."""
    kept = []
    for statement in document.real_statements:
        names = statement.actions
        foreign = [
            n for n in names if service_of(n) not in ("ecr", "ecr-public") and n.lower() != "sts:getservicebearertoken"
        ]
        if not foreign or "*" in names:
            continue
        raw = dict(statement.raw)
        raw["Action"] = foreign[0] if len(foreign) == 1 else foreign
        kept.append(raw)
    return kept


def _changes(document: Document, bundle: Bundle, intent: Intent, others: list[dict], keep_other: bool) -> list[Change]:
    new_document = _new_model(bundle, intent)
    if new_document is None:
        return [
            Change(
                "removed",
                "the whole repository policy",
                "the principal is in the repository's own account: its identity policy is enough",
            )
        ]
    new_actions = ActionMap(new_document)
    old_actions = ActionMap(document)
    new_resources = representative_resources(new_document.real_statements) or ["*"]
    kept_names = {n for r in [*new_resources, "*"] for n in new_actions.allowed(r)}
    changes = list(_removed(document, kept_names, intent))
    changes += _narrowed(document, bundle, intent)
    for resource in [*new_resources, "*"]:
        for name in sorted(new_actions.allowed(resource) - old_actions.allowed(resource)):
            where = "" if resource == "*" else f" on {resource.rsplit(':', 1)[-1]}"
            changes.append(Change("added", f"{name}{where}", _added_reason(name, intent.access)))
    for raw in others:
        actions = ", ".join(raw["Action"] if isinstance(raw["Action"], list) else [raw["Action"]])
        if keep_other:
            changes.append(Change("kept", actions, "outside ECR: copied unchanged (not checked by this tool)"))
        else:
            changes.append(
                Change(
                    "left-out",
                    actions,
                    "outside ECR: keep it in a policy of its own (--keep-other copies it here unchanged)",
                )
            )
    if any(s.allows and "*" in s.actions for s in document.real_statements):
        changes.append(Change("removed", '"*"', "every action of every service: far beyond pulling or pushing images"))
    return changes


def _new_model(bundle: Bundle, intent: Intent) -> Document | None:
    from wizard.core.policy import document_from_json

    if intent.kind in (Kind.REPOSITORY, Kind.PUBLIC_REPOSITORY):
        return document_from_json(bundle.repository.document, intent.kind) if bundle.repository else None
    return document_from_json(bundle.identity.document, intent.kind)


def _removed(document: Document, kept_names: set[str], intent: Intent):
    purpose = "push" if intent.access is Access.PUSH else "pull"
    seen = set()
    for statement in document.real_statements:
        if not statement.allows:
            continue
        for entry in statement.actions or statement.not_actions:
            expanded = expand_action(entry)
            dropped = [n for n in expanded if n not in kept_names and n not in seen]
            if has_wildcards(entry) or statement.not_actions:
                if dropped:
                    kept = len(expanded) - len(dropped)
                    yield Change(
                        "removed",
                        f"{entry} ({len(expanded)} actions)",
                        f"replaced by the {kept} of them {purpose} needs, by name",
                    )
                    seen.update(dropped)
                continue
            for name in dropped:
                yield Change("removed", name, _removed_reason(name, purpose))
                seen.add(name)


def _narrowed(document: Document, bundle: Bundle, intent: Intent):
    if intent.kind in (Kind.REPOSITORY, Kind.PUBLIC_REPOSITORY):
        new = bundle.repository.document["Statement"] if bundle.repository else []
        who = "; ".join(_principal_words(s["Principal"]) for s in new)
        for statement in document.real_statements:
            if statement.allows and statement.principals is not None:
                old = ", ".join(f"{p.type}: {p.value}" for p in statement.principals)
                yield Change("narrowed", f"Principal {old} -> {who}", "only who pulls (or pushes) for this workload")
        return
    targets = bundle.request.repository_arns
    shown = ", ".join(targets)
    for statement in document.real_statements:
        if not statement.allows:
            continue
        repository_level = any((row := find_action(n)) and not row.needs_star for n in granted_names(statement))
        if not repository_level:
            continue
        for resource in statement.resources:
            if resource not in targets:
                yield Change("narrowed", f"{resource} -> {shown}", "only the repositories the workload uses")
        if statement.not_resources:
            yield Change(
                "narrowed",
                f"NotResource {', '.join(statement.not_resources)} -> {shown}",
                "only the repositories the workload uses",
            )


def _principal_words(principal) -> str:
    """A Principal element as people read it: "AWS: arn:aws:iam::123456789012:root"."""
    if not isinstance(principal, dict):
        return str(principal)
    return ", ".join(
        f"{kind}: {value if isinstance(value, str) else ', '.join(value)}" for kind, value in principal.items()
    )


def _removed_reason(name: str, purpose: str) -> str:
    row = find_action(name)
    if row is None:
        return "not an ECR action"
    if name == "ecr:BatchCheckLayerAvailability":
        # A pull-risk action that a pull-only role does not need (issue 13 item 12).
        return (
            "only docker push asks which layers exist; a pull never calls it "
            f"(AWS's PullOnly policy leaves it out: {MANAGED_PULL_ONLY})"
        )
    return f"{RISK_TITLES[row.risk]}, not needed to {purpose}"


def _added_reason(name: str, access: Access) -> str:
    row = find_action(name)
    if row and row.risk == "login":
        return 'docker login needs it, on "*" (the token alone opens no repository)'
    if name == "ecr:BatchCheckLayerAvailability":
        return "docker push asks which layers exist first; without it the push fails"
    if row and row.risk == "pull" and access is Access.PUSH:
        return "pulling (the push set includes it: builds pull base and cache images)"
    if row and row.risk == "pull":
        return "docker pull needs it here"
    return f"{RISK_TITLES[row.risk] if row else 'needed'}: part of what the workload does"


def verify(original: Document, tightened: Tightened) -> list[str]:
    """Actions the new document allows that the original did not, other than the listed
    additions: should be empty (the tests also check this with moto's evaluator)."""
    new_document = _new_model(tightened.bundle, tightened.intent)
    if new_document is None:
        return []
    added = {change.subject.split(" ")[0] for change in tightened.changes if change.kind == "added"}
    problems = []
    for resource in [*representative_resources(new_document.real_statements), "*"]:
        for name in ActionMap(new_document).allowed(resource):
            if name in added:
                continue
            if evaluate(original, Request(name, resource)).effect is not Effect.ALLOW:
                problems.append(f"{name} on {resource}")
    return problems


def original_statement_count(document: Document) -> int:
    return len([s for s in document.real_statements if isinstance(s, Statement)])
