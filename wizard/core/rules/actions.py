"""Actions: names that grant nothing, wildcards that grant more than meant, actions a kind of
document cannot grant, and grants outside ECR."""

from __future__ import annotations

from difflib import get_close_matches
from functools import lru_cache

from wizard.core.glob import has_wildcards
from wizard.core.policy import Kind, Statement
from wizard.core.reference import KNOWN_SERVICES, RISK_TITLES, expand_action, find_action, known_actions, service_of
from wizard.core.rules.base import (
    ALL_KINDS,
    ERROR,
    IDENTITY_KINDS,
    PERMISSION_KINDS,
    RESOURCE_KINDS,
    WARNING,
    Context,
    rule,
)
from wizard.core.text import quoted

SERVICE_REFERENCE = (
    "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html"
)
TOKEN_REJECTED = "cloudposse/terraform-aws-ecr#67 (ECR: 'Invalid repository policy provided')"
_SUGGESTIONS_PER_POLICY = 50
"""A policy of thousands of misspelt actions gets suggestions for the first ones only."""
_READ_VERBS = ("get", "describe", "list", "batchget", "batchcheck", "validate")


def _verb_class(short_name: str) -> str:
    lowered = short_name.lower()
    return "read" if lowered.startswith(_READ_VERBS) else "write"


@lru_cache(maxsize=512)
def suggest_action(name: str) -> str | None:
    """The known action a misspelt one most likely meant, keeping its kind of access:
    ecr:GetImage reads, so BatchGetImage (not PutImage)."""
    service, _, short = name.partition(":")
    candidates = [row.action for row in known_actions().values() if row.service == service.lower()]
    if not candidates:
        candidates = [row.action for row in known_actions().values() if row.service == "ecr"]
    by_short = {candidate.split(":", 1)[1].lower(): candidate for candidate in candidates}
    close = get_close_matches(short.lower(), list(by_short), n=6, cutoff=0.6)
    if not close:
        return None
    wanted = _verb_class(short)
    same_kind = [match for match in close if _verb_class(match) == wanted]
    return by_short[(same_kind or close)[0]]


def _named(statement: Statement) -> list[str]:
    return [*statement.actions, *statement.not_actions]


@rule(
    ("unknown-action", "wildcard-matches-nothing"),
    ALL_KINDS,
    ERROR,
    "actions that do not exist (IAM grants nothing for them)",
    SERVICE_REFERENCE,
)
def unknown_actions(context: Context):
    suggested = 0
    for statement in context.statements:
        for name in _named(statement):
            service = service_of(name)
            if name == "*" or service not in KNOWN_SERVICES:
                continue
            if has_wildcards(name):
                if not expand_action(name):
                    yield context.finding(
                        "wildcard-matches-nothing",
                        ERROR,
                        statement,
                        f"{quoted(name)} matches no {service} action; IAM grants nothing for it",
                        "name the actions you mean (see `ecr-policy explain` for the list)",
                    )
                continue
            if find_action(name) is None:
                hint = None
                if suggested < _SUGGESTIONS_PER_POLICY:
                    suggested += 1
                    hint = suggest_action(name)
                yield context.finding(
                    "unknown-action",
                    ERROR,
                    statement,
                    f"{quoted(name)} is not an action of {service}; IAM grants nothing for it",
                    f"did you mean {hint}?" if hint else "check the spelling against the ECR actions list",
                )


def _dangerous(names: list[str]) -> list[str]:
    return [name for name in names if (row := find_action(name)) and row.risk in ("permissions", "destructive")]


@rule(
    "action-wildcard",
    PERMISSION_KINDS,
    WARNING,
    "action wildcards that grant more than pull and push",
    SERVICE_REFERENCE,
)
def action_wildcards(context: Context):
    for statement in context.statements:
        if not statement.allows:
            continue
        for name in statement.actions:
            service = service_of(name)
            if name == "*" or service not in KNOWN_SERVICES or not has_wildcards(name):
                continue
            expanded = expand_action(name)
            if len(expanded) <= 1:
                continue
            dangerous = _dangerous(expanded)
            risky = f", including {', '.join(a.split(':')[1] for a in dangerous[:4])}" if dangerous else ""
            yield context.finding(
                "action-wildcard",
                WARNING,
                statement,
                f"{quoted(name)} grants {len(expanded)} actions{risky}; new actions AWS adds are granted too",
                "list the actions needed by name: the three pull actions, plus the four upload actions to push",
            )


@rule(
    ("not-action", "not-resource"),
    PERMISSION_KINDS,
    WARNING,
    "Allow with NotAction or NotResource",
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html",
)
def negations(context: Context):
    for statement in context.statements:
        if not statement.allows:
            continue
        if statement.not_actions:
            scope = "in every AWS service" if context.kind in IDENTITY_KINDS else "in ECR"
            yield context.finding(
                "not-action",
                WARNING,
                statement,
                f"Allow with NotAction grants every action except the {len(statement.not_actions)} listed, {scope}, "
                "including ones AWS adds later",
                "list the actions you grant in Action instead",
            )
        if statement.not_resources:
            yield context.finding(
                "not-resource",
                WARNING,
                statement,
                "Allow with NotResource applies to every resource except those listed, in every account it can reach",
                "list the resources in Resource instead",
            )


@rule(
    "token-scoped",
    IDENTITY_KINDS,
    ERROR,
    "GetAuthorizationToken limited to repository ARNs (never matches)",
    "https://docs.aws.amazon.com/AmazonECR/latest/userguide/security_iam_id-based-policy-examples.html",
)
def token_scope(context: Context):
    for login in ("ecr:GetAuthorizationToken", "ecr-public:GetAuthorizationToken"):
        if context.decide(login).allowed:
            continue  # granted on "*" somewhere: login works
        for statement in context.statements:
            named = any(name.lower() == login.lower() for name in statement.actions)
            if statement.allows and named and statement.resources and "*" not in statement.resources:
                yield context.finding(
                    "token-scoped",
                    ERROR,
                    statement,
                    f"{login} is limited to {'a repository' if len(statement.resources) == 1 else 'repositories'}: "
                    'IAM accepts the policy, but the action only ever matches "Resource": "*", so this grant never '
                    "applies and docker login fails",
                    f'move {login} to its own statement with "Resource": "*" (the token alone opens no repository)',
                )


@rule(
    ("token-in-resource-policy", "action-not-for-kind"),
    RESOURCE_KINDS,
    ERROR,
    "registry-level actions (GetAuthorizationToken...) in a repository policy",
    TOKEN_REJECTED,
)
def registry_level_in_repository(context: Context):
    if context.kind is Kind.REGISTRY:
        return
    for statement in context.statements:
        for name in statement.actions:
            row = find_action(name)
            if row is not None and row.action == "ecr:CreateRepository" and statement.allows:
                yield context.finding(
                    "action-not-for-kind",
                    WARNING,
                    statement,
                    "ecr:CreateRepository in a repository policy does nothing: the repository exists already, and "
                    "creating others is granted by identity or registry policies",
                    "remove it here; grant it in the identity policy (or the registry policy) that needs it",
                )
                continue
            if row is None or not row.needs_star:
                continue
            if row.risk == "login":
                message = (
                    f"{row.action} in a repository policy: ECR rejects the policy ('Invalid repository policy "
                    "provided'); login is granted by the caller's identity policy"
                )
            else:
                message = (
                    f"{row.action} is a registry-level action; a repository policy cannot grant it and ECR rejects it"
                )
            yield context.finding(
                "token-in-resource-policy" if row.risk == "login" else "action-not-for-kind",
                ERROR,
                statement,
                message,
                f"remove {row.action} here; grant it in the identity policy of whoever needs it",
            )


@rule(
    ("other-service", "admin-access", "action-not-for-kind"),
    PERMISSION_KINDS,
    WARNING,
    "grants outside ECR (all actions, IAM, other services)",
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
)
def other_services(context: Context):
    for statement in context.statements:
        if not statement.allows:
            continue
        names = statement.actions
        if "*" in names or any(service_of(name) == "iam" and has_wildcards(name) for name in names):
            shown = '"*"' if "*" in names else ", ".join(quoted(n) for n in names if service_of(n) == "iam")
            yield context.finding(
                "admin-access",
                ERROR,
                statement,
                f"{shown} grants administrator-level access (every action of every service, or all of IAM), "
                "far beyond pulling or pushing images",
                "grant only the ECR actions the workload needs",
            )
            continue
        if context.kind is Kind.PUBLIC_REPOSITORY and any(service_of(name) == "ecr" for name in names):
            private = [name for name in names if service_of(name) == "ecr"]
            yield context.finding(
                "action-not-for-kind",
                WARNING,
                statement,
                f"{', '.join(quoted(n) for n in private[:4])} in an ECR Public repository policy: private-registry "
                "actions authorise nothing here (ECR Public's are ecr-public:...), and pulling a public image needs "
                "no permission at all",
                "use ecr-public: actions for what must be granted (push), or remove the statement",
            )
            continue
        if context.kind in RESOURCE_KINDS:
            foreign = [name for name in names if service_of(name) not in (*KNOWN_SERVICES, "sts")]
            if foreign:
                yield context.finding(
                    "action-not-for-kind",
                    WARNING,
                    statement,
                    f"{', '.join(quoted(n) for n in foreign[:4])} in a {context.kind.title}: only ECR "
                    "actions apply here, and ECR may reject the policy",
                    "move these actions to the identity policy that needs them",
                )
            continue
        foreign = sorted({service_of(name) for name in names if service_of(name) not in (*KNOWN_SERVICES, "sts")})
        if foreign:
            listed = [name for name in names if service_of(name) in foreign]
            yield context.finding(
                "other-service",
                WARNING,
                statement,
                f"also grants {', '.join(quoted(n) for n in listed[:5])}"
                + (f" and {len(listed) - 5} more" if len(listed) > 5 else "")
                + f" ({', '.join(foreign)}): outside ECR, not checked here, and not needed to pull or push",
                "keep other services' permissions in a policy of their own, scoped to what the workload does",
            )


def risk_title(name: str) -> str:
    row = find_action(name)
    return RISK_TITLES[row.risk] if row else "unknown"
