"""Walk an operation call by call and ask the one evaluator about each call.

IAM's order across the policies that apply (the IAM user guide's evaluation logic): an explicit
Deny in any of them refuses the call; within one account an Allow in the caller's identity
policy, or in the repository policy naming the caller itself, is enough; across accounts both
must allow. A repository policy that names an account as a whole delegates to that account:
its roles still need their own identity policy, even within the account. The login token is
granted by identity policies only (a repository policy cannot grant it).
"""

from __future__ import annotations

from collections import namedtuple

from wizard.core import sources
from wizard.core.policy import Document
from wizard.core.policy.evaluate import Caller, Decision, Effect, Request, evaluate, principal_matches
from wizard.core.simulate.image import Image
from wizard.core.simulate.operations import LAMBDA_SERVICE, LOGIN, OPERATIONS, Operation, StepSpec

ALLOWED = "allowed"
REFUSED = "refused"
UNCHECKED = "unchecked"
NOT_REACHED = "not reached"

# Why a call was refused (the clause AWS puts in its access-denied message).
NO_IDENTITY_ALLOW = "no identity-based policy allows it"
NO_RESOURCE_ALLOW = "no resource-based policy allows it"
IDENTITY_DENY = "an explicit deny in an identity-based policy"
RESOURCE_DENY = "an explicit deny in a resource-based policy"
SERVICE_NOT_ALLOWED = "the repository policy does not allow the Lambda service"

LAMBDA_SELF_SERVICE = ("ecr:GetRepositoryPolicy", "ecr:SetRepositoryPolicy")
"""With both, Lambda writes the lambda.amazonaws.com statement into the repository policy
itself (same account); sources.LAMBDA_IMAGES."""


class Verdict(namedtuple("Verdict", "outcome reason identity repository granted_by", defaults=(None, None, None, ()))):
    """outcome: ALLOWED, REFUSED, UNCHECKED (no IAM check) or NOT_REACHED; reason: why (one
    of the constants above for a refusal); identity, repository: the evaluator's Decision for
    each policy (None when not asked); granted_by: which policies allowed it ("identity",
    "repository", "lambda")."""

    __slots__ = ()

    @property
    def conditional(self) -> bool:
        """Allowed only if conditions the simulation cannot know hold."""
        decisions = [d for d in (self.identity, self.repository) if d is not None and d.allowed]
        return self.outcome == ALLOWED and any(d.conditional for d in decisions)

    @property
    def deciding(self) -> Decision | None:
        """The decision that settled the call: the Deny, or the Allow that granted it."""
        for decision in (self.identity, self.repository):
            if decision is not None and decision.effect is Effect.DENY:
                return decision
        if self.outcome == ALLOWED:
            first = self.granted_by[0] if self.granted_by else ""
            return self.repository if first == "repository" else self.identity
        return None


class StepResult(namedtuple("StepResult", "number spec action resource principal verdict")):
    """One call of the simulation: its number, its StepSpec, the action and resource ECR
    checks, the Caller it is checked as, and the Verdict."""

    __slots__ = ()


class Simulation(namedtuple("Simulation", "operation image caller identity repository function results")):
    """An operation simulated for one image: the Operation, the Image, the Caller (who runs
    it), the identity and repository Documents (None when not given), the Lambda function
    name, and one StepResult per call."""

    __slots__ = ()

    @property
    def refusal(self) -> StepResult | None:
        return next((result for result in self.results if result.verdict.outcome == REFUSED), None)

    @property
    def succeeded(self) -> bool:
        return self.refusal is None

    @property
    def conditional(self) -> bool:
        return any(result.verdict.conditional for result in self.results)

    @property
    def cross_account(self) -> bool:
        return self.caller.account != self.image.account


def default_caller(image: Image, account: str | None = None) -> Caller:
    """A role in the image's account (or the given one): the simulation needs no real name."""
    return Caller.role(f"arn:{image.partition}:iam::{account or image.account}:role/ROLE")


def function_arn(image: Image, caller: Caller, function: str) -> str:
    """The Lambda function's ARN: in the caller's (deployer's) account and the image's region."""
    return f"arn:{image.partition}:lambda:{image.region}:{caller.account}:function:{function}"


def simulate(
    operation: str | Operation,
    image: Image,
    identity: Document | None = None,
    repository: Document | None = None,
    caller: Caller | None = None,
    function: str = "FUNCTION",
) -> Simulation:
    """Walk `operation` for `image`, asking the evaluator about each call; the calls after the
    first refusal are not reached."""
    operation = OPERATIONS[operation] if isinstance(operation, str) else operation
    caller = caller or default_caller(image)
    results = []
    refused = False
    for number, spec in enumerate(operation.steps, 1):
        resource = "*" if spec.action == LOGIN else image.arn
        principal = Caller.service(LAMBDA_SERVICE) if spec.principal == LAMBDA_SERVICE else caller
        if refused:
            verdict = Verdict(NOT_REACHED)
        else:
            context = _context(image, caller, principal, function)
            verdict = _decide(spec, resource, identity, repository, caller, principal, image, context)
            refused = verdict.outcome == REFUSED
        results.append(StepResult(number, spec, spec.action, resource, principal, verdict))
    return Simulation(operation, image, caller, identity, repository, function, tuple(results))


def _context(image: Image, caller: Caller, principal: Caller, function: str) -> dict[str, tuple[str, ...]]:
    """The condition keys the simulation knows for a call (lower-cased, as the evaluator reads them)."""
    if principal.kind == "Service":
        return {
            "aws:sourcearn": (function_arn(image, caller, function),),
            "aws:sourceaccount": (caller.account,),
        }
    return {"aws:principalaccount": (caller.account,), "aws:principalarn": (caller.name,)}


def _decide(spec: StepSpec, resource, identity, repository, caller, principal, image, context) -> Verdict:
    if spec.action is None:
        return Verdict(UNCHECKED)
    if principal.kind == "Service":
        return _decide_for_service(spec.action, resource, identity, repository, caller, image, context)
    mine = evaluate(identity, Request(spec.action, resource, None, context)) if identity is not None else None
    theirs = None
    if repository is not None and spec.action != LOGIN:
        theirs = evaluate(repository, Request(spec.action, resource, principal, context))
    if mine is not None and mine.effect is Effect.DENY:
        return Verdict(REFUSED, IDENTITY_DENY, mine, theirs)
    if theirs is not None and theirs.effect is Effect.DENY:
        return Verdict(REFUSED, RESOURCE_DENY, mine, theirs)
    identity_allows = mine is not None and mine.allowed
    repository_allows = theirs is not None and theirs.allowed
    if spec.action == LOGIN or caller.account == image.account:
        granted = ("identity",) * identity_allows
        granted += ("repository",) * (repository_allows and _names_caller_itself(theirs, principal))
        if granted:
            return Verdict(ALLOWED, None, mine, theirs, granted)
        return Verdict(REFUSED, NO_IDENTITY_ALLOW, mine, theirs)
    if not identity_allows:
        return Verdict(REFUSED, NO_IDENTITY_ALLOW, mine, theirs)
    if not repository_allows:
        return Verdict(REFUSED, NO_RESOURCE_ALLOW, mine, theirs)
    return Verdict(ALLOWED, None, mine, theirs, ("identity", "repository"))


def _names_caller_itself(decision: Decision, caller: Caller) -> bool:
    """Does the Allow name the caller (or everyone), not only its account? An account principal
    delegates to the account's own IAM policies (sources.IAM_ACCOUNT_PRINCIPALS)."""
    principals = decision.statement.principals or () if decision.statement is not None else ()
    for principal in principals:
        if not principal_matches(principal, caller):
            continue
        account = principal.account
        if principal.is_everyone or not (account and (principal.value == account or principal.value.endswith(":root"))):
            return True
    return decision.statement is not None and decision.statement.not_principals is not None


def _decide_for_service(action, resource, identity, repository, caller, image, context) -> Verdict:
    """The Lambda service reads the image: only the repository policy can let it (or Lambda adds
    its own statement, when the deployer may read and set the repository policy)."""
    theirs = None
    if repository is not None:
        theirs = evaluate(repository, Request(action, resource, Caller.service(LAMBDA_SERVICE), context))
        if theirs.effect is Effect.DENY:
            return Verdict(REFUSED, RESOURCE_DENY, None, theirs)
        if theirs.allowed:
            return Verdict(ALLOWED, None, None, theirs, ("repository",))
    if caller.account == image.account and identity is not None and _lambda_can_add_statement(identity, resource):
        return Verdict(ALLOWED, None, None, theirs, ("lambda",))
    return Verdict(REFUSED, SERVICE_NOT_ALLOWED, None, theirs)


def _lambda_can_add_statement(identity: Document, resource: str) -> bool:
    return all(evaluate(identity, Request(action, resource)).allowed for action in LAMBDA_SELF_SERVICE)


EVALUATION_SOURCES = (
    sources.IAM_EVALUATION_LOGIC,
    sources.IAM_CROSS_ACCOUNT_EVALUATION,
    sources.IAM_ACCOUNT_PRINCIPALS,
)
"""The pages behind the rules above, for the output's sources."""
