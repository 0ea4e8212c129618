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
from wizard.core.policy.model import Document, Principal, Statement


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


def _action_applies(statement: Statement, action: str) -> bool:
    if statement.actions:
        return any(glob_match(pattern, action, ignore_case=True) for pattern in statement.actions)
    if statement.not_actions:
        return not any(glob_match(pattern, action, ignore_case=True) for pattern in statement.not_actions)
    return False


def _resource_applies(statement: Statement, resource: str, implicit: bool) -> bool:
    if statement.resources:
        return any(glob_match(pattern, resource) for pattern in statement.resources)
    if statement.not_resources:
        return not any(glob_match(pattern, resource) for pattern in statement.not_resources)
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
