"""The fix for a diagnosis: the policy (and the repository policy across accounts) that makes
the refused operation work, built through the same builder as `generate`, and checked with
the one evaluator before anyone sees it.

Three scopes: the whole workflow of the workload (login + pull, or + push), the login alone
(a refused GetAuthorizationToken names no repository), or one ECR action outside docker pull
and push (DescribeImages...), as one statement scoped to the refused resource.
"""

from __future__ import annotations

from collections import namedtuple

from wizard.core.answers import PLACEHOLDER_ACCOUNT, PLACEHOLDER_REGION, PLACEHOLDER_REPOSITORY
from wizard.core.builder import GeneratedPolicy, Statement
from wizard.core.catalog import EcrAction, ResourceType, lookup
from wizard.core.deploy import build_bundle, make_deployment
from wizard.core.diagnose import reasons as R
from wizard.core.diagnose.diagnosis import LOGIN_ACTIONS, PULL_ACTIONS, PUSH_ACTIONS, Diagnosis
from wizard.core.glob import glob_match, has_wildcards
from wizard.core.policy import Kind, document_from_json
from wizard.core.policy.evaluate import Caller, Request, evaluate
from wizard.core.reference import find_action
from wizard.core.request import (
    DEFAULT_ACCESS,
    Access,
    Message,
    PolicyRequest,
    Role,
    check_account,
    check_region,
    check_repository,
)
from wizard.core.text import quoted
from wizard.core.tighten import Intent, Missing, build_intent, with_answers

WORKFLOW, LOGIN, ACTION = "workflow", "login", "action"
NO_ALLOW_HELPS = (
    "explicit-deny-identity",
    "explicit-deny-resource",
    "explicit-deny",
    "permissions-boundary",
    "session-policy",
    "scp",
    "rcp",
    "vpc-endpoint-policy",
    "token-expired",
    "network",
    "throttled",
    "tag-immutable",
)
"""Reasons no added Allow can fix: --side cannot turn them into a policy."""


class Plan(namedtuple("Plan", "intent scope side deployment formats_need caller action")):
    """What will be built. intent: tighten's Intent (what the workload does, with evidence and
    the flags still missing); scope: workflow, login or action; side: identity, repository or
    both; deployment: make_deployment's answers (principal, role_name, function_account);
    formats_need: Missing records the IaC formats need beyond the JSON document; caller: the
    refused principal as the message names it (a message.Principal, or None); action: the
    refused action, or None."""

    __slots__ = ()


class Check(namedtuple("Check", "document action resource caller allowed refused")):
    """One question to the evaluator: does the fix's `document` allow `action` on `resource`
    (for `caller`, a resource policy's)? refused: this is the call the message reports."""

    __slots__ = ()

    def describe(self) -> str:
        who = f" for {self.caller.name}" if self.caller else ""
        verdict = "allows" if self.allowed else "does NOT allow"
        return f"the {self.document} policy {verdict} {self.action} on {self.resource}{who}"


class Fix(namedtuple("Fix", "plan bundle checks draft")):
    """The built fix: bundle (identity policy narrowed to the scope, and the repository policy
    when the side needs it); checks: Check records; draft: the request has placeholders (a
    login-only fix), so only its JSON document is complete."""

    __slots__ = ()

    @property
    def identity(self) -> GeneratedPolicy:
        return self.bundle.identity

    @property
    def documents(self) -> tuple[str, ...]:
        """The documents the fix changes, in the order to apply them."""
        return {R.IDENTITY: ("identity",), R.REPOSITORY: ("repository",), R.BOTH: ("identity", "repository")}[
            self.plan.side
        ]

    @property
    def problems(self) -> list[Check]:
        """Checks of the workflow that fail: the fix would not work (never emitted then)."""
        return [check for check in self.checks if not check.allowed and not check.refused]

    @property
    def misses_refused_call(self) -> list[Check]:
        """The refused call is not allowed (a --repo or --access that names something else)."""
        return [check for check in self.checks if not check.allowed and check.refused]


class FixError(ValueError):
    """No policy of ours fixes this diagnosis, or the answers contradict it."""


# Planning ------------------------------------------------------------------------------------


def plan_fix(
    diagnosis: Diagnosis,
    *,
    role: Role | None = None,
    access: Access | None = None,
    repositories: tuple[str, ...] = (),
    region: str | None = None,
    account: str | None = None,
    principal: str | None = None,
    side: str | None = None,
) -> Plan:
    """What to build for a diagnosis and the user's corrections (flags or prompts)."""
    side = _side(diagnosis, side)
    if diagnosis.action and not (_ecr_action(diagnosis.action) or repositories):
        raise FixError(f"{quoted(diagnosis.action)} is not an ECR action: this tool writes ECR policies (see above)")
    scope = _scope(diagnosis, repositories, access)
    evidence: list[str] = []
    missing: list[Missing] = []
    formats_need: list[Missing] = []
    guessed_role = _role(diagnosis, scope, evidence, missing, formats_need)
    guessed_access = _access(diagnosis, guessed_role, evidence)
    names = _repositories(diagnosis, scope, evidence, missing, formats_need)
    found_region = _region(diagnosis, scope, evidence, missing, formats_need)
    found_account = _account(diagnosis, scope, evidence, missing, formats_need)
    caller = _caller(diagnosis, side, guessed_role, evidence, missing)
    kind = Kind.REPOSITORY if side == R.REPOSITORY else Kind.IDENTITY
    intent = Intent(
        kind,
        guessed_role,
        guessed_access,
        names,
        found_region,
        found_account,
        caller,
        diagnosis.action == "ecr:BatchImportUpstreamImage",
        False,
        diagnosis.public,
        tuple(evidence),
        tuple(missing),
    )
    given = dict(
        role=role, access=access, repositories=tuple(repositories), region=region, account=account, principal=principal
    )
    intent = with_answers(intent, **given)
    formats_need = [m for m in formats_need if not _known(intent, m.flag)]
    deployment = _deployment(diagnosis, intent, side)
    return Plan(intent, scope, side, deployment, tuple(formats_need), diagnosis.principal, diagnosis.action)


def _side(diagnosis: Diagnosis, given: str | None) -> str:
    if given is None:
        if diagnosis.side not in (R.IDENTITY, R.REPOSITORY, R.BOTH):
            raise FixError(_no_fix_reason(diagnosis))
        return diagnosis.side
    if diagnosis.reason in NO_ALLOW_HELPS or diagnosis.side == R.TRUST:
        raise FixError(
            f"--side cannot change this diagnosis: {R.REASONS[diagnosis.reason].why.format(action=diagnosis.action)}"
        )
    return given


def _ecr_action(action: str) -> bool:
    return action.split(":", 1)[0].lower() in ("ecr", "ecr-public") or action in LOGIN_ACTIONS


def _no_fix_reason(diagnosis: Diagnosis) -> str:
    if diagnosis.side in (R.NONE_OF_OURS, R.TRUST) or diagnosis.reason in NO_ALLOW_HELPS:
        return "no identity or repository policy of yours fixes this: see what to do above"
    return (
        "the message is not enough to know which policy to change: confirm a cause, then give --side identity, "
        "repository or both (and what else is missing) to build its fix"
    )


def _scope(diagnosis: Diagnosis, repositories, access) -> str:
    if repositories or access:
        return WORKFLOW
    if diagnosis.action in LOGIN_ACTIONS:
        return LOGIN
    if diagnosis.action and diagnosis.action not in (*PULL_ACTIONS, *PUSH_ACTIONS) and find_action(diagnosis.action):
        return ACTION
    return WORKFLOW


def _role(diagnosis: Diagnosis, scope: str, evidence: list[str], missing: list, later: list) -> Role | None:
    if diagnosis.workload:
        evidence.append(f"role {diagnosis.workload.value}: {_workload_reason(diagnosis)}")
        return diagnosis.workload
    if diagnosis.access_needed == "push":
        evidence.append("role ci: pushing images is a build pipeline's job (--role to say otherwise)")
        return Role.CI
    question = "who is refused: ci (a pipeline), ecs (task execution role), eks (node role) or lambda (deployer)?"
    (missing if scope == WORKFLOW else later).append(Missing("--role", question))
    return None


def _workload_reason(diagnosis: Diagnosis) -> str:
    line = next((e for e in diagnosis.evidence if e.startswith("workload ")), "")
    return line.split(": ", 1)[1] if ": " in line else "the message says so"


def _access(diagnosis: Diagnosis, role: Role | None, evidence: list[str]) -> Access:
    if diagnosis.access_needed in ("pull", "push"):
        evidence.append(
            f"{diagnosis.access_needed}: {diagnosis.action or 'the message'} is part of a {diagnosis.access_needed}"
        )
        return Access(diagnosis.access_needed)
    chosen = DEFAULT_ACCESS[role] if role else Access.PULL
    evidence.append(f"{chosen.value}: what a {role.value if role else 'puller'} usually does (--access to change)")
    return chosen


def _repositories(diagnosis: Diagnosis, scope: str, evidence: list[str], missing: list, later: list) -> tuple:
    name = diagnosis.repository
    if name and check_repository(name).ok and not has_wildcards(name):
        evidence.append(f"repositories: {name}")
        return (name,)
    question = (
        f"which repository: the message names it only as {quoted(name)}, which is not a repository name"
        if name
        else "which repository: the message does not name one"
    )
    (missing if scope != LOGIN else later).append(Missing("--repo", question))
    return ()


def _region(diagnosis: Diagnosis, scope: str, evidence: list[str], missing: list, later: list) -> str | None:
    if diagnosis.public:
        return "us-east-1"
    if diagnosis.region and check_region(diagnosis.region).ok:
        evidence.append(f"region: {diagnosis.region}")
        return diagnosis.region
    (missing if scope != LOGIN else later).append(
        Missing("--region", "the repository's region: the message does not say")
    )
    return None


def _account(diagnosis: Diagnosis, scope: str, evidence: list[str], missing: list, later: list) -> str | None:
    value = diagnosis.resource_account
    if not value and diagnosis.resource in (None, "*") and diagnosis.principal_account:
        value = diagnosis.principal_account
        evidence.append(f"account: {value} (the caller's own; --account if the repositories are elsewhere)")
        if check_account(value).ok:
            return value
    if value and check_account(value).ok:
        evidence.append(f"account: {value}")
        return value
    shown = f"the message gives {quoted(value)}, not a 12-digit account ID" if value else "the message redacts it"
    (missing if scope != LOGIN else later).append(
        Missing("--account", f"the account that owns the repository: {shown}")
    )
    return None


def _caller(diagnosis: Diagnosis, side: str, role: Role | None, evidence: list[str], missing: list) -> str | None:
    """Who the repository policy must let in (cross-account): the role, or the caller's account."""
    if side not in (R.REPOSITORY, R.BOTH):
        return None
    principal = diagnosis.principal
    account = principal.account if principal else None
    if not account or not check_account(account).ok:
        if role is Role.LAMBDA and side == R.REPOSITORY:
            return None  # the Lambda service pulls; the function's account defaults to the repository's
        missing.append(
            Missing(
                "--principal", "who is refused: the caller's account is not in the message (an account ID or role ARN)"
            )
        )
        return None
    if principal.kind in ("assumed-role", "role") and principal.name and role is not Role.LAMBDA:
        arn = f"arn:{principal.partition or 'aws'}:iam::{account}:role/{principal.name}"
        evidence.append(
            f"principal: {arn} (the role the message names; a role with a path needs its full ARN, --principal)"
        )
        return arn
    evidence.append(f"principal: {account} (the caller's account)")
    return account


def _known(intent: Intent, flag: str) -> bool:
    values = {
        "--role": intent.role,
        "--repo": intent.repositories,
        "--region": intent.region,
        "--account": intent.account,
    }
    return bool(values.get(flag))


def _deployment(diagnosis: Diagnosis, intent: Intent, side: str) -> dict:
    """make_deployment's answers: the existing role gets the policy; across accounts the
    principal (or Lambda's function account) makes the repository policy."""
    deployment: dict = {}
    principal = diagnosis.principal
    if principal and principal.kind in ("assumed-role", "role") and principal.name:
        name = principal.name.rsplit("/", 1)[-1]
        if _role_name_ok(name):
            deployment["role_name"] = name
    caller = intent.principal
    if side in (R.REPOSITORY, R.BOTH) and caller:
        if intent.role is Role.LAMBDA:
            deployment["function_account"] = caller.split(":")[4] if caller.startswith("arn:") else caller
        else:
            deployment["principal"] = caller
    return deployment


def _role_name_ok(name: str) -> bool:
    return 0 < len(name) <= 64 and all(c.isascii() and (c.isalnum() or c in "+=,.@_-") for c in name)


# Building ------------------------------------------------------------------------------------


def build_fix(diagnosis: Diagnosis, plan: Plan) -> Fix:
    """Build the planned fix through the generate builder and check it with the evaluator.
    Raises RequestError naming every flag still missing or answer that is invalid."""
    if plan.scope == LOGIN:
        bundle, draft = _login_bundle(plan), True
    else:
        # One action outside pull and push is the same statement for every workload: the role
        # only names things in the IaC outputs, which ask for it (formats_need).
        intent = plan.intent if plan.intent.role or plan.scope != ACTION else plan.intent._replace(role=Role.CI)
        _, bundle = build_intent(intent, **plan.deployment)
        draft = False
        if plan.scope == ACTION:
            bundle = bundle._replace(identity=_single_action_policy(bundle.request, diagnosis.action))
    if R.REPOSITORY in _sides(plan.side) and bundle.repository is None:
        raise FixError(
            "no repository policy is needed: the caller is in the repository's own account (give --side identity)"
        )
    return Fix(plan, bundle, tuple(_checks(diagnosis, plan, bundle)), draft)


def _sides(side: str) -> tuple[str, ...]:
    return (R.IDENTITY, R.REPOSITORY) if side == R.BOTH else (side,)


def _login_bundle(plan: Plan):
    """The login statement alone: the builder's, for a draft request (the statement names no
    repository, region or account, so none is needed to write it)."""
    intent = plan.intent
    role = intent.role or Role.CI
    request = PolicyRequest(
        role=role,
        access=intent.access,
        repositories=tuple(intent.repositories) or (PLACEHOLDER_REPOSITORY,),
        region=intent.region or PLACEHOLDER_REGION,
        account=intent.account or PLACEHOLDER_ACCOUNT,
        public=intent.public,
    )
    deployment, _ = make_deployment(request, "none", role_name=plan.deployment.get("role_name"))
    bundle = build_bundle(request, deployment)
    login = tuple(s for s in bundle.identity.statements if all(_account_level(row) for row in s.actions))
    if not login:
        raise FixError(f"the {role.value} workload's policy has no login statement: log in with another identity")
    return bundle._replace(identity=bundle.identity._replace(statements=login))


def _account_level(row) -> bool:
    return getattr(row, "resource_type", None) is ResourceType.ANY


def _single_action_policy(request: PolicyRequest, action: str) -> GeneratedPolicy:
    """One statement for an ECR action outside pull and push, from the reference's row."""
    row = lookup(action) or _reference_row(action)
    resources = ("*",) if row.resource_type is ResourceType.ANY else request.repository_arns
    statement = Statement(
        sid="Allow" + "".join(c for c in row.name.split(":", 1)[1] if c.isalnum()),
        title=row.name.split(":", 1)[1],
        summary=f"Lets the principal call {row.name} ({row.why}). Not part of docker pull or push: "
        "only what the refused call needs.",
        actions=(row,),
        resources=resources,
        scope_note="Scoped to the refused resource.",
    )
    return GeneratedPolicy(request, (statement,))


def _reference_row(action: str) -> EcrAction:
    """A catalog-shaped row for an action the catalog does not describe (from the reference)."""
    reference = find_action(action)
    values = {
        "name": reference.action,
        "access_level": reference.access_level,
        "resource_type": ResourceType.ANY if reference.needs_star else ResourceType.REPOSITORY,
        "step": "called directly, not by docker pull or push",
        "why": reference.description,
        "without": "the call fails with AccessDeniedException",
    }
    return EcrAction(**{field: values.get(field, ()) for field in EcrAction._fields})


# Checking ------------------------------------------------------------------------------------


def _checks(diagnosis: Diagnosis, plan: Plan, bundle) -> list[Check]:
    """Ask the evaluator whether each document of the fix allows the refused call and every
    call of the workflow it was built for."""
    checks = []
    for side in _sides(plan.side):
        document = bundle.identity.document if side == R.IDENTITY else bundle.repository.document
        model = document_from_json(document, Kind.IDENTITY if side == R.IDENTITY else Kind.REPOSITORY)
        callers = _callers_of(plan, bundle) if side == R.REPOSITORY else (None,)
        for action, resource, refused in _questions(diagnosis, plan, bundle, side):
            for caller in callers:
                allowed = evaluate(model, Request(action, resource, caller)).allowed
                if side == R.REPOSITORY and resource != "*":
                    allowed = allowed and _set_on(bundle, resource)
                checks.append(Check(side, action, resource, caller, allowed, refused))
    return checks


def _set_on(bundle, resource: str) -> bool:
    """A repository policy governs only the repositories it is set on."""
    return any(glob_match(arn, resource) for arn in bundle.request.repository_arns)


def _questions(diagnosis: Diagnosis, plan: Plan, bundle, side: str):
    target = bundle.request.repository_arns[0] if not bundle.request.repositories[0].startswith("<") else "*"
    workflow = _workflow_actions(plan, bundle, side)
    refused = diagnosis.action
    if refused and (refused in workflow or plan.scope == ACTION):
        resource = (
            diagnosis.resource if _concrete_arn(diagnosis.resource) else ("*" if _needs_star(refused) else target)
        )
        yield refused, resource, True
    for action in workflow:
        yield action, "*" if _needs_star(action) else target, False


def _workflow_actions(plan: Plan, bundle, side: str) -> tuple[str, ...]:
    if plan.scope == LOGIN:
        return tuple(name for s in bundle.identity.statements for name in _names(s))
    if plan.scope == ACTION:
        return ()
    pull = ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
    if bundle.request.public:
        pull = ()
    push = PUSH_ACTIONS[5:] if bundle.request.public else PUSH_ACTIONS[:5]
    needed = pull + (push if plan.intent.access is Access.PUSH else ())
    if side == R.IDENTITY:
        granted = {name for s in bundle.identity.statements for name in _names(s)}
        needed += tuple(name for name in LOGIN_ACTIONS if name in granted)
    return needed


def _names(statement) -> list[str]:
    return [row.name for row in statement.actions]


def _needs_star(action: str) -> bool:
    row = find_action(action)
    return bool(row and row.needs_star)


def _concrete_arn(resource: str | None) -> bool:
    if not resource or not resource.startswith("arn:") or has_wildcards(resource):
        return False
    fields = resource.split(":", 5)
    return len(fields) == 6 and check_region(fields[3]).ok and check_account(fields[4]).ok


def _callers_of(plan: Plan, bundle) -> tuple[Caller, ...]:
    """Who the repository policy must let in: the Lambda service (and, across accounts, the
    functions' account, whose deployer Lambda checks), or the refused role or account."""
    partition = bundle.request.partition.name
    if plan.intent.role is Role.LAMBDA:
        functions = bundle.deployment.function_account
        service = Caller.service("lambda.amazonaws.com")
        if functions and functions != bundle.request.account:
            return (service, Caller.account_principal(functions, partition))
        return (service,)
    principal = bundle.deployment.principal or bundle.request.account
    if principal.startswith("arn:"):
        return (Caller.role(principal),)
    return (Caller.account_principal(principal, partition),)


def missing_messages(plan: Plan, iac: bool) -> list[Message]:
    """What the user must still give, as request messages (the CLI shows them as errors)."""
    needed = list(plan.intent.missing) + (list(plan.formats_need) if iac else [])
    return [Message(m.flag.removeprefix("--"), "", f"is needed: {m.question}", f"Give {m.flag}.") for m in needed]
