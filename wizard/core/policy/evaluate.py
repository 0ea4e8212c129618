"""The one evaluator: does this document allow this action on this resource for this caller?

IAM's order within one policy: an explicit Deny wins, then an Allow, else the request is
implicitly denied. Action, NotAction, Resource, NotResource, Principal, NotPrincipal and
Condition are all honoured, with wildcards matched in linear time. check, explain, tighten,
diagnose and simulate ask this function; tests compare it with moto's evaluator.
"""

from __future__ import annotations

from collections import namedtuple
from enum import Enum

from wizard.core.glob import glob_match
from wizard.core.policy.conditions import test_condition
from wizard.core.policy.model import Document, Patterns, Principal, Statement


class Effect(str, Enum):
    ALLOW = "allow"
    DENY = "deny"
    NONE = "none"
    """No statement applies: implicitly denied by this policy (another policy may allow)."""


class Caller(namedtuple("Caller", "kind name account")):
    """Who makes a request, as a resource-based policy sees it.

    kind: "AWS" (a role, user or account), "Service" (e.g. lambda.amazonaws.com),
    "Federated" (an OIDC/SAML provider) or "Anonymous"; name: the ARN or service name;
    account: the caller's 12-digit account, when known.
    """

    __slots__ = ()

    @classmethod
    def role(cls, arn: str) -> Caller:
        return cls("AWS", arn, arn.split(":")[4] if arn.count(":") >= 5 else None)

    @classmethod
    def account_principal(cls, account: str, partition: str = "aws") -> Caller:
        return cls("AWS", f"arn:{partition}:iam::{account}:root", account)

    @classmethod
    def service(cls, name: str) -> Caller:
        return cls("Service", name, None)


class Request(namedtuple("Request", "action resource caller context complete", defaults=("*", None, None, False))):
    """action: a full action name; resource: an ARN, or "*" for actions that take none;
    caller: a Caller (resource-based policies); context: condition keys (lower-cased) to
    tuples of values; complete: the context holds every key the request has (missing keys
    are then absent, not unknown)."""

    __slots__ = ()


class Decision(namedtuple("Decision", "effect statement conditional")):
    """effect: an Effect; statement: the Statement that decided, or None; conditional: the
    decision holds only if conditions we could not evaluate hold."""

    __slots__ = ()

    @property
    def allowed(self) -> bool:
        return self.effect is Effect.ALLOW


def _matches(patterns: Patterns, value: str) -> bool:
    return value in patterns.literals or any(glob_match(pattern, value) for pattern in patterns.wildcards)


def _action_applies(statement: Statement, action: str) -> bool:
    actions, not_actions, _, _ = statement.matchers
    if statement.actions:
        return _matches(actions, action.lower())
    if statement.not_actions:
        return not _matches(not_actions, action.lower())
    return False


def _resource_applies(statement: Statement, resource: str, implicit: bool) -> bool:
    _, _, resources, not_resources = statement.matchers
    if statement.resources:
        return _matches(resources, resource)
    if statement.not_resources:
        return not _matches(not_resources, resource)
    # No Resource element: in a repository or trust policy the statement is about the
    # resource it is attached to; in an identity policy it is invalid and matches nothing.
    return implicit


def principal_matches(principal: Principal, caller: Caller) -> bool:
    """One Principal entry against a caller."""
    if principal.is_everyone:
        return True
    if principal.type == "Service":
        return caller.kind == "Service" and principal.value.lower() == caller.name.lower()
    if principal.type == "Federated":
        return caller.kind == "Federated" and principal.value == caller.name
    if principal.type != "AWS" or caller.kind != "AWS":
        return False
    named_account = principal.account
    if named_account and (principal.value == named_account or principal.value.endswith(":root")):
        return caller.account == named_account  # the account delegates to its own IAM policies
    return glob_match(principal.value, caller.name)


def _principal_applies(statement: Statement, caller: Caller | None) -> bool:
    if statement.principals is None and statement.not_principals is None:
        return True  # identity policy: the caller is whoever the policy is attached to
    if caller is None:
        return True  # no caller asked about: "someone named here"
    if statement.principals is not None:
        return any(principal_matches(principal, caller) for principal in statement.principals)
    return not any(principal_matches(principal, caller) for principal in statement.not_principals)


def _conditions_hold(statement: Statement, request: Request) -> bool | None:
    """True, False, or None when some condition cannot be evaluated (and none is False)."""
    unknown = False
    for condition in statement.conditions:
        outcome = test_condition(condition, request.context, request.complete)
        if outcome is False:
            return False
        unknown = unknown or outcome is None
    return None if unknown else True


def statement_applies(statement: Statement, request: Request, implicit_resource: bool) -> bool | None:
    """Whether a statement applies to a request: True, False, or None (depends on conditions)."""
    if statement.effect not in ("Allow", "Deny") or not isinstance(statement.raw, dict):
        return False
    if not _action_applies(statement, request.action):
        return False
    if not _resource_applies(statement, request.resource, implicit_resource):
        return False
    if not _principal_applies(statement, request.caller):
        return False
    return _conditions_hold(statement, request)


def evaluate(document: Document, request: Request) -> Decision:
    """IAM's decision for one request against one document.

    Conditions that cannot be evaluated count as met for an Allow (the decision is marked
    conditional) and as not met for a Deny, so the answer is what the policy can possibly
    allow; a Deny that might apply is reported through `conditional` on the Allow.
    """
    implicit = document.kind.resource_based
    allow = None
    maybe_denied = False
    for statement in document.statements:
        applies = statement_applies(statement, request, implicit)
        if applies is False:
            continue
        if statement.effect == "Deny":
            if applies:
                return Decision(Effect.DENY, statement, False)
            maybe_denied = True
        elif allow is None or (allow.conditional and applies):
            allow = Decision(Effect.ALLOW, statement, not applies)
    if allow is None:
        return Decision(Effect.NONE, None, False)
    return allow._replace(conditional=allow.conditional or maybe_denied)


def _expanded(statement: Statement) -> frozenset[str]:
    """The known actions a statement's Action (or NotAction) element covers."""
    from wizard.core.reference import expand_action, known_actions

    if statement.actions:
        return frozenset(name for pattern in statement.actions for name in expand_action(pattern))
    if statement.not_actions:
        excluded = {name.lower() for pattern in statement.not_actions for name in expand_action(pattern)}
        return frozenset(row.action for key, row in known_actions().items() if key not in excluded)
    return frozenset()


class ActionMap:
    """Which known (ECR, ECR Public) actions a document allows, resource by resource, in one
    pass per resource: the same answers as `evaluate` for each action (a test checks), at a
    fraction of the cost when a policy names thousands of repositories."""

    def __init__(self, document: Document, caller: Caller | None = None):
        self.document = document
        self.caller = caller
        self._statements = [(statement, _expanded(statement)) for statement in document.statements]
        self._cache: dict[str, frozenset[str]] = {}

    def allowed(self, resource: str) -> frozenset[str]:
        if resource not in self._cache:
            self._cache[resource] = self._compute(resource)
        return self._cache[resource]

    def _compute(self, resource: str) -> frozenset[str]:
        implicit = self.document.kind.resource_based
        allowed: set[str] = set()
        denied: set[str] = set()
        probe = Request("", resource, self.caller)
        for statement, names in self._statements:
            if statement.effect not in ("Allow", "Deny") or not names:
                continue
            if not _resource_applies(statement, resource, implicit) or not _principal_applies(statement, self.caller):
                continue
            holds = _conditions_hold(statement, probe)
            if statement.effect == "Deny":
                if holds:
                    denied |= names
            elif holds is not False:
                allowed |= names
        return frozenset(allowed - denied)
