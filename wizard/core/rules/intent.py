"""What the policy seems meant for, against what it grants; its size against AWS's limit;
and trust policies' OIDC conditions."""

from __future__ import annotations

import re

from wizard.core.policy import Kind
from wizard.core.reference import expand_action, find_action
from wizard.core.rules.base import ERROR, PERMISSION_KINDS, WARNING, Context, rule
from wizard.core.size import policy_size
from wizard.core.text import quoted

_CACHE_WORDS = re.compile(r"pull.?through|cache|import", re.IGNORECASE)


def _risks(statement) -> set[str]:
    return {row.risk for pattern in statement.actions for name in expand_action(pattern) if (row := find_action(name))}


@rule(
    ("sid-intent-mismatch", "cache-incomplete"),
    PERMISSION_KINDS,
    WARNING,
    "a statement named for push, pull or cache that does not grant it",
)
def intent(context: Context):
    for statement in context.statements:
        sid = statement.sid or ""
        if not statement.allows or not statement.actions:
            continue
        risks = _risks(statement)
        names = _names(statement)
        # Capabilities count when the policy grants them on these resources in any statement:
        # a generated policy puts CreateRepository in a statement of its own.
        reachable = names | _allowed_here(context, statement)
        if sid and risks:
            mismatch = _sid_mismatch(sid, risks, names, reachable)
            if mismatch:
                yield context.finding(
                    "sid-intent-mismatch",
                    WARNING,
                    statement,
                    f"the Sid {quoted(sid)} {mismatch}",
                    "grant what the name says, or rename the statement",
                )
        missing = [name for name in ("ecr:BatchImportUpstreamImage", "ecr:CreateRepository") if name not in reachable]
        if _about_cache(context, statement, names) and missing:
            yield context.finding(
                "cache-incomplete",
                WARNING,
                statement,
                f"a pull-through cache statement without {' and '.join(n.split(':')[1] for n in missing)}: the first "
                "pull of an upstream image that was never cached fails (it can neither be imported nor get its "
                "cache repository created)",
                f"add {' and '.join(missing)} on the cache namespace (PREFIX/*)",
            )


_SID_WANTS = (
    (
        re.compile(r"read.?only|pull.?only", re.IGNORECASE),
        None,
        "says read or pull only, but the statement also grants {extra}",
    ),
    (re.compile(r"push|write|upload", re.IGNORECASE), "push", "says push, but the statement grants no push action"),
    (
        re.compile(r"pull(?!.?through)|read|download", re.IGNORECASE),
        "pull",
        "says pull, but the statement grants no pull action",
    ),
    (
        re.compile(r"create", re.IGNORECASE),
        "ecr:CreateRepository",
        "says create, but the statement grants no CreateRepository",
    ),
    (
        re.compile(r"import|cache", re.IGNORECASE),
        "cache",
        "says cache or import, but the statement grants no BatchImportUpstreamImage",
    ),
)


def _sid_mismatch(sid: str, risks: set[str], names: set[str], reachable: set[str]) -> str | None:
    for pattern, wanted, message in _SID_WANTS:
        if not pattern.search(sid):
            continue
        if wanted is None:
            extra = risks & {"push", "destructive", "permissions"}
            if extra:
                return message.format(extra=", ".join(sorted(extra)))
            return None  # "ReadOnly": the other words (read, pull) are satisfied
        if wanted == "cache":
            satisfied = "ecr:BatchImportUpstreamImage" in reachable
        elif wanted.startswith("ecr:"):
            satisfied = wanted in reachable
        else:
            satisfied = wanted in risks
        if not satisfied:
            return message
    return None


def _allowed_here(context: Context, statement) -> set[str]:
    """What the whole document allows on the resources this statement names."""
    from wizard.core.rules.reach import EXAMPLE_REPOSITORY

    resources = [r for r in statement.resources if r != "*"] or [EXAMPLE_REPOSITORY]
    return {name for resource in resources for name in context.action_map.allowed(resource)}


def _about_cache(context: Context, statement, names: set[str]) -> bool:
    """A statement about the pull-through cache: it says so, or it imports upstream images in
    a registry policy (where the cache's cross-account grants live)."""
    if _CACHE_WORDS.search(statement.sid or ""):
        return True
    return context.kind is Kind.REGISTRY and "ecr:BatchImportUpstreamImage" in names


def _names(statement) -> set[str]:
    return {name for pattern in statement.actions for name in expand_action(pattern)}


_LIMITS = {
    Kind.IDENTITY: (6144, "a managed policy", 10240, "all inline policies of a role together"),
    Kind.PUBLIC_IDENTITY: (6144, "a managed policy", 10240, "all inline policies of a role together"),
    Kind.REPOSITORY: (10240, "a repository policy", None, ""),
    Kind.PUBLIC_REPOSITORY: (10240, "a repository policy", None, ""),
    Kind.TRUST: (2048, "a trust policy (the default quota; it can be raised to 4,096)", 4096, "a trust policy at most"),
}
SIZE_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"


@rule("too-large", tuple(_LIMITS), ERROR, "over the size limit of its kind (white space not counted)", SIZE_PAGE)
def size(context: Context):
    limit, what, hard, hard_what = _LIMITS[context.kind]
    chars = policy_size(context.document.raw)
    if chars <= limit:
        return
    over_hard = hard is None or chars > hard
    detail = f"; {hard_what} may hold {hard:,}" if hard and not over_hard else ""
    yield context.finding(
        "too-large",
        ERROR if over_hard or context.kind is not Kind.TRUST else WARNING,
        None,
        f"the policy is {chars:,} characters without white space; AWS's limit for {what} is {limit:,}{detail}",
        "split it into several policies, or use namespace wildcards (ecr-policy generate --split / --compact)",
    )


_OIDC = {"token.actions.githubusercontent.com": ("GitHub", "repo:"), "gitlab": ("GitLab", "project_path:")}
OIDC_PAGE = "https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services"


def _provider(value: str) -> tuple[str, str, str] | None:
    host = value.split("oidc-provider/", 1)[-1]
    for marker, (name, prefix) in _OIDC.items():
        if marker in host:
            return host, name, prefix
    return None


@rule(
    ("oidc-subject-missing", "oidc-subject-too-broad", "oidc-audience-missing"),
    (Kind.TRUST,),
    ERROR,
    "GitHub/GitLab OIDC trust without a sub condition that pins an owner",
    OIDC_PAGE,
)
def oidc_subjects(context: Context):
    for statement in context.statements:
        for principal in statement.principals or ():
            found = _provider(principal.value) if principal.type == "Federated" else None
            if not statement.allows or not found:
                continue
            host, name, prefix = found
            yield from _check_oidc(context, statement, host, name, prefix)


def _check_oidc(context: Context, statement, host: str, name: str, prefix: str):
    subjects = [c for c in statement.conditions if c.key.lower() == f"{host}:sub".lower()]
    audiences = [c for c in statement.conditions if c.key.lower() == f"{host}:aud".lower()]
    if not subjects:
        yield context.finding(
            "oidc-subject-missing",
            ERROR,
            statement,
            f"no condition on {host}:sub: every {name} repository or project in the world can assume this role",
            f'add "StringLike": {{"{host}:sub": "{prefix}OWNER/NAME:*"}} naming yours',
        )
    for condition in subjects:
        for value in condition.values:
            owner = value.removeprefix(prefix).split("/", 1)[0] if value.startswith(prefix) else ""
            if not value.startswith(prefix) or not owner or "*" in owner or "?" in owner:
                yield context.finding(
                    "oidc-subject-too-broad",
                    ERROR,
                    statement,
                    f"the sub condition {quoted(value)} pins no owner: {name} workflows of any owner can assume this role",
                    f"write {prefix}OWNER/NAME:... with your owner and repository",
                )
    if not audiences:
        yield context.finding(
            "oidc-audience-missing",
            WARNING,
            statement,
            f"no condition on {host}:aud: tokens minted for other audiences are accepted",
            f'add "StringEquals": {{"{host}:aud": "sts.amazonaws.com"}}'
            if name == "GitHub"
            else f'add "StringEquals": {{"{host}:aud": "https://{host}"}}',
        )
