"""The policy grammar AWS applies to each kind of document: what makes it reject a policy."""

from __future__ import annotations

import re

from wizard.core.policy import Kind, Statement, is_bare_statement
from wizard.core.policy.conditions import is_known_operator
from wizard.core.rules.base import ALL_KINDS, ERROR, IDENTITY_KINDS, REPOSITORY_KINDS, WARNING, Context, rule
from wizard.core.text import quoted

IAM_GRAMMAR = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html"
SID_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html"
VERSION_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html"
REPOSITORY_POLICY_PAGE = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policy-examples.html"
ECR_REJECTS_RESOURCE = "aws/aws-cdk#24314; awsdocs/amazon-ecr-user-guide#20 (ECR: 'Invalid repository policy provided')"

_SID = re.compile(r"[0-9A-Za-z]*")
_STATEMENT_ELEMENTS = {
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
}
_TOP_ELEMENTS = {"Version", "Id", "Statement"}
_PAIRS = (("Action", "NotAction"), ("Resource", "NotResource"), ("Principal", "NotPrincipal"))
# Kinds whose Sid follows IAM's grammar; ECR's resource policies accept other Sids (the
# console's old default was "new policy").
_IAM_SID_KINDS = (Kind.IDENTITY, Kind.PUBLIC_IDENTITY, Kind.TRUST)


@rule(
    ("duplicate-key", "not-standard-json", "too-deep", "invalid-json"),
    ALL_KINDS,
    ERROR,
    "JSON that is not a policy, not standard, too deep, or has duplicate keys",
)
def json_problems(context: Context):
    for problem in context.json_problems:
        yield context.finding(problem.code, ERROR, None, problem.message, problem.fix)


@rule("bad-version", ALL_KINDS, ERROR, "a Version IAM does not accept", VERSION_PAGE)
def bad_version(context: Context):
    version = context.document.raw.get("Version")
    if version is not None and version not in ("2012-10-17", "2008-10-17"):
        yield context.finding(
            "bad-version",
            ERROR,
            None,
            f"Version {quoted(str(version))} is not one AWS accepts; the policy is rejected",
            'use "Version": "2012-10-17"',
        )


@rule(
    "version-variables",
    ALL_KINDS,
    WARNING,
    "policy variables with Version 2008-10-17 (or none): read as plain text",
    VERSION_PAGE,
)
def version_variables(context: Context):
    version = context.document.version
    if version != "2012-10-17" and version in (None, "2008-10-17") and context.uses_variables:
        said = "no Version" if version is None else "Version 2008-10-17"
        yield context.finding(
            "version-variables",
            WARNING,
            None,
            f"the policy uses variables such as ${{aws:username}} but has {said}: AWS reads them as "
            "plain text, so the statements that use them match nothing",
            'set "Version": "2012-10-17"',
        )


@rule(
    ("no-statement", "unknown-element", "not-a-policy"),
    ALL_KINDS,
    ERROR,
    "no Statement, or unknown top-level elements",
    IAM_GRAMMAR,
)
def no_statement(context: Context):
    raw = context.document.raw
    if is_bare_statement(raw):
        yield context.finding(
            "not-a-policy",
            ERROR,
            None,
            "this is a bare statement, not a policy document: AWS rejects it as it is (it is checked here "
            "as the policy's only statement)",
            'wrap it: {"Version": "2012-10-17", "Statement": [ ...this statement... ]}',
        )
        return
    statements = raw.get("Statement")
    if not isinstance(statements, (list, dict)) or statements == []:
        yield context.finding(
            "no-statement", ERROR, None, "there is no Statement", "add a Statement list with at least one statement"
        )
    for key in raw:
        if key not in _TOP_ELEMENTS:
            close = _close_element(key, _TOP_ELEMENTS)
            yield context.finding(
                "unknown-element",
                ERROR,
                None,
                f"{quoted(key)} is not a policy element; AWS rejects the policy",
                f"rename it to {close!r}" if close else "remove it (a policy has Version, Id and Statement)",
            )


def _close_element(key: str, elements: set[str]) -> str | None:
    lowered = key.lower().rstrip("s")
    return next((name for name in elements if name.lower() == lowered or name.lower() == key.lower()), None)


@rule(
    "bad-statement", ALL_KINDS, ERROR, "statements that are not objects, unknown or conflicting elements", IAM_GRAMMAR
)
def statement_shape(context: Context):
    for statement in context.document.statements:
        if not isinstance(statement.raw, dict):
            yield context.finding(
                "bad-statement",
                ERROR,
                statement,
                "the statement is not a JSON object",
                'write it as {"Effect": ..., "Action": ..., "Resource": ...}',
            )
            continue
        for key in statement.raw:
            if key not in _STATEMENT_ELEMENTS:
                close = _close_element(key, _STATEMENT_ELEMENTS)
                yield context.finding(
                    "unknown-element",
                    ERROR,
                    statement,
                    f"{quoted(key)} is not a statement element; AWS rejects the policy",
                    f"rename it to {close!r}" if close else "remove it",
                )
        for first, second in _PAIRS:
            if first in statement.raw and second in statement.raw:
                yield context.finding(
                    "bad-statement",
                    ERROR,
                    statement,
                    f"the statement has both {first} and {second}; AWS rejects that",
                    f"keep one of {first} and {second}",
                )
        yield from _value_types(context, statement)


def _value_types(context: Context, statement: Statement):
    for element in ("Action", "NotAction", "Resource", "NotResource"):
        value = statement.raw.get(element)
        if value is None:
            continue
        items = value if isinstance(value, list) else [value]
        if not items or not all(isinstance(item, str) and item for item in items):
            yield context.finding(
                "bad-statement",
                ERROR,
                statement,
                f"{element} must be a non-empty string or a list of them",
                f'write "{element}": "..." or "{element}": ["...", "..."]',
            )


@rule("bad-effect", ALL_KINDS, ERROR, "an Effect other than Allow or Deny", IAM_GRAMMAR)
def bad_effect(context: Context):
    for statement in context.statements:
        if statement.effect not in ("Allow", "Deny"):
            shown = quoted(str(statement.raw.get("Effect"))) if "Effect" in statement.raw else "missing"
            yield context.finding(
                "bad-effect",
                ERROR,
                statement,
                f'Effect is {shown}; it must be "Allow" or "Deny"',
                'set "Effect": "Allow"',
            )


@rule(("bad-sid", "duplicate-sid"), ALL_KINDS, ERROR, "Sids IAM rejects, duplicate Sids", SID_PAGE)
def sids(context: Context):
    seen: dict[str, int] = {}
    for statement in context.statements:
        if "Sid" not in statement.raw:
            continue
        sid = statement.raw["Sid"]
        if not isinstance(sid, str):
            yield context.finding("bad-sid", ERROR, statement, "Sid must be a string", 'write "Sid": "Name"')
            continue
        if context.kind in _IAM_SID_KINDS and not _SID.fullmatch(sid):
            yield context.finding(
                "bad-sid",
                ERROR,
                statement,
                f"Sid {quoted(sid)} may only contain letters and digits in an {context.kind.title}; IAM rejects it",
                "remove spaces, dashes and other characters from the Sid",
            )
        elif sid and sid in seen:
            severity = ERROR if context.kind in _IAM_SID_KINDS else WARNING
            yield context.finding(
                "duplicate-sid",
                severity,
                statement,
                f"Sid {quoted(sid)} is also used by statement {seen[sid]}; Sids must be unique",
                "give each statement its own Sid",
            )
        elif sid:
            seen[sid] = statement.index


@rule("no-action", ALL_KINDS, ERROR, "a statement without Action or NotAction", IAM_GRAMMAR)
def no_action(context: Context):
    for statement in context.statements:
        if "Action" not in statement.raw and "NotAction" not in statement.raw:
            yield context.finding(
                "no-action", ERROR, statement, "the statement has no Action", "add the actions it grants"
            )


@rule(
    ("principal-in-identity-policy", "no-resource"),
    IDENTITY_KINDS,
    ERROR,
    "identity policies: a Principal (rejected) or no Resource (rejected)",
    IAM_GRAMMAR,
)
def identity_grammar(context: Context):
    for statement in context.statements:
        if statement.has("Principal") or statement.has("NotPrincipal"):
            yield context.finding(
                "principal-in-identity-policy",
                ERROR,
                statement,
                "an identity policy has no Principal; IAM rejects it (Principal belongs in a repository "
                "policy or a role's trust policy)",
                "remove Principal here, or put this statement in the repository policy (ecr set-repository-policy)",
            )
        if not statement.has("Resource") and not statement.has("NotResource"):
            yield context.finding(
                "no-resource",
                ERROR,
                statement,
                "the statement has no Resource; IAM rejects an identity policy statement without one",
                'add "Resource" with repository ARNs (or "*" for ecr:GetAuthorizationToken)',
            )


@rule(
    ("no-principal", "resource-in-repository-policy", "resource-in-trust-policy"),
    (*REPOSITORY_KINDS, Kind.REGISTRY, Kind.TRUST),
    ERROR,
    "resource-based and trust policies: no Principal, or a Resource where AWS rejects one",
    REPOSITORY_POLICY_PAGE,
)
def resource_grammar(context: Context):
    for statement in context.statements:
        if not statement.has("Principal") and not statement.has("NotPrincipal"):
            yield context.finding(
                "no-principal",
                ERROR,
                statement,
                f"a {context.kind.title} statement must name a Principal (who it applies to)",
                'add "Principal": {"AWS": "arn:aws:iam::ACCOUNT:role/NAME"} (or a service)',
            )
        has_resource = statement.has("Resource") or statement.has("NotResource")
        if has_resource and context.kind in REPOSITORY_KINDS:
            yield context.finding(
                "resource-in-repository-policy",
                ERROR,
                statement,
                "a repository policy statement has no Resource (it applies to its repository); ECR "
                "rejects the policy with 'Invalid repository policy provided'",
                "remove Resource; to cover several repositories, set the policy on each of them "
                "(or use a registry policy)",
            )
        if has_resource and context.kind is Kind.TRUST:
            yield context.finding(
                "resource-in-trust-policy",
                ERROR,
                statement,
                "a trust policy has no Resource (it applies to its role); IAM rejects it",
                "remove Resource",
            )


@rule("bad-condition", ALL_KINDS, ERROR, "malformed Condition blocks and unknown operators", IAM_GRAMMAR)
def conditions(context: Context):
    for statement in context.statements:
        block = statement.raw.get("Condition")
        if block is None:
            continue
        if not isinstance(block, dict) or not all(isinstance(tests, dict) for tests in block.values()):
            yield context.finding(
                "bad-condition",
                ERROR,
                statement,
                "Condition must map operators to {key: value} objects",
                'write "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}',
            )
            continue
        for operator in block:
            if not is_known_operator(operator):
                yield context.finding(
                    "bad-condition",
                    ERROR,
                    statement,
                    f"{quoted(operator)} is not an IAM condition operator; AWS rejects the policy",
                    "use an operator such as StringEquals, StringLike, ArnLike or Bool",
                )
