"""Which kind of document a policy is, read from its content (`--kind` can say otherwise)."""

from __future__ import annotations

from wizard.core.policy.model import Kind, Statement

_TRUST_PREFIX = "sts:assumerole"
_TRUST_ALSO = {"sts:tagsession", "sts:setsourceidentity", "sts:setcontext"}
_REGISTRY_ACTIONS = {
    "ecr:replicateimage",
    "ecr:createrepository",
    "ecr:batchimportupstreamimage",
    "ecr:createpullthroughcacherule",
    "ecr:updatepullthroughcacherule",
}
_PUBLIC_LOGIN_HELPER = "sts:getservicebearertoken"


def _names(statement: Statement) -> list[str]:
    return [name.lower() for name in (*statement.actions, *statement.not_actions)]


def _names_principal(statement: Statement) -> bool:
    return statement.principals is not None or statement.not_principals is not None


def detect_kind(statements: tuple[Statement, ...]) -> tuple[Kind, str]:
    """(kind, why) for a document's statements."""
    real = [statement for statement in statements if isinstance(statement.raw, dict)]
    with_principal = [statement for statement in real if _names_principal(statement)]
    names = [name for statement in real for name in _names(statement)]
    public = any(name.startswith("ecr-public:") for name in names) and not any(
        name.startswith("ecr:") for name in names
    )
    if not with_principal or _looks_like_identity(real, with_principal, names):
        if public:
            return Kind.PUBLIC_IDENTITY, "no statement names a Principal, and the actions are ECR Public's"
        return (
            Kind.IDENTITY,
            "no statement names a Principal" if not with_principal else "most statements name no Principal",
        )
    principal_names = [name for statement in with_principal for name in _names(statement)]
    if any(name.startswith(_TRUST_PREFIX) or name in _TRUST_ALSO for name in principal_names):
        return Kind.TRUST, "its statements name a Principal and allow sts:AssumeRole*"
    if public or any(name.startswith("ecr-public:") for name in principal_names):
        return Kind.PUBLIC_REPOSITORY, "its statements name a Principal, and the actions are ECR Public's"
    with_resource = [statement for statement in with_principal if statement.has("Resource")]
    if with_resource and any(_registry_like(statement) for statement in with_resource):
        return (
            Kind.REGISTRY,
            "its statements name a Principal and a Resource, with registry-level actions "
            "(ReplicateImage, CreateRepository or BatchImportUpstreamImage)",
        )
    return Kind.REPOSITORY, "its statements name a Principal" + ("" if with_resource else " and no Resource")


def _looks_like_identity(real: list[Statement], with_principal: list[Statement], names: list[str]) -> bool:
    """Some statements name a Principal, some do not: weigh what each kind would have (no
    Principal, a Resource everywhere, the login token) against the other (a Principal, no
    Resource). A tie goes to the resource-based reading only when every statement names one."""
    if len(with_principal) == len(real):
        return False
    identity = sum(1 for s in real if s not in with_principal) + sum(1 for s in real if s.has("Resource"))
    identity += any(name.endswith(":getauthorizationtoken") for name in names)
    resource = len(with_principal) + sum(1 for s in real if not s.has("Resource") and not s.has("NotResource"))
    return identity >= resource


def _registry_like(statement: Statement) -> bool:
    """A statement with a Principal and a Resource reads as a registry policy's when it names
    a registry-level action, or grants one through a wildcard on a registry-wide Resource
    (repository/*, or an ARN without a repository part)."""
    from wizard.core.reference import expand_action

    names = _names(statement)
    if any(name in _REGISTRY_ACTIONS for name in names):
        return True
    expanded = {action.lower() for name in names if "*" in name for action in expand_action(name)}
    wide = any(r != "*" and (r.endswith(":repository/*") or ":repository/" not in r) for r in statement.resources)
    return wide and bool(expanded & _REGISTRY_ACTIONS)
