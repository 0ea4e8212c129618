"""What the policy seems meant for, against what it grants; its size against AWS's limit;
and trust policies' OIDC conditions."""

from __future__ import annotations

import re

from wizard.core.policy import Kind
from wizard.core.reference import expand_action, find_action
from wizard.core.rules.base import ERROR, PERMISSION_KINDS, WARNING, Context, rule
from wizard.core.size import policy_size
from wizard.core.text import quoted

_PUSH_WORDS = re.compile(r"push|write|upload", re.IGNORECASE)
_PULL_WORDS = re.compile(r"pull|read|download", re.IGNORECASE)
_CACHE_WORDS = re.compile(r"pull.?through|cache", re.IGNORECASE)
_READ_ONLY = re.compile(r"read.?only|pull.?only", re.IGNORECASE)


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
        if not statement.allows or not sid or not statement.actions:
            continue
        risks = _risks(statement)
        if not risks:
            continue
        if _READ_ONLY.search(sid) and risks & {"push", "destructive", "permissions"}:
            yield context.finding(
                "sid-intent-mismatch",
                WARNING,
                statement,
                f"the Sid {quoted(sid)} says read/pull only, but the statement also grants "
                + ", ".join(sorted(risks & {"push", "destructive", "permissions"})),
                "remove the actions beyond pulling, or rename the statement",
            )
        elif _PUSH_WORDS.search(sid) and "push" not in risks:
            yield context.finding(
                "sid-intent-mismatch",
                WARNING,
                statement,
                f"the Sid {quoted(sid)} says push, but the statement grants no push action",
                "add InitiateLayerUpload, UploadLayerPart, CompleteLayerUpload and PutImage (or rename it)",
            )
        elif _PULL_WORDS.search(sid) and not _PUSH_WORDS.search(sid) and not risks & {"pull", "cache"}:
            yield context.finding(
                "sid-intent-mismatch",
                WARNING,
                statement,
                f"the Sid {quoted(sid)} says pull, but the statement grants no pull action",
                "add BatchGetImage and GetDownloadUrlForLayer (or rename it)",
            )
        if _CACHE_WORDS.search(sid) and "cache" not in risks and "ecr:CreateRepository" not in _names(statement):
            yield context.finding(
                "cache-incomplete",
                WARNING,
                statement,
                f"the Sid {quoted(sid)} is about a pull-through cache, but the statement grants neither "
                "BatchImportUpstreamImage nor CreateRepository: the first pull of an upstream image fails",
                "add ecr:BatchImportUpstreamImage (and ecr:CreateRepository if the cache repositories are created on first pull)",
            )


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
