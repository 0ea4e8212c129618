"""Who a resource-based policy lets in: the public, other accounts, services that never pull,
principals that cannot be right (placeholders, another partition)."""

from __future__ import annotations

import re

from wizard.core.policy import Kind, Principal, Statement
from wizard.core.rules.base import ERROR, RESOURCE_KINDS, WARNING, Context, rule
from wizard.core.text import quoted

PRINCIPAL_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"
LAMBDA_PAGE = "https://docs.aws.amazon.com/lambda/latest/dg/images-create.html#configuration-images-permissions"

NARROWING_KEYS = {
    "aws:principalorgid": "the caller's AWS Organization is {values}",
    "aws:principalorgpaths": "the caller's organization path is {values}",
    "aws:principalaccount": "the caller's account is {values}",
    "aws:sourceaccount": "the request comes on behalf of account {values}",
    "aws:sourcearn": "the request comes on behalf of {values}",
    "aws:sourceorgid": "the request comes on behalf of organization {values}",
    "aws:principalarn": "the caller is {values}",
    "aws:sourcevpce": "the request comes through VPC endpoint {values}",
    "aws:sourcevpc": "the request comes from VPC {values}",
}
WEAK_KEYS = {"aws:sourceip": "the caller's IP address is in {values}", "aws:useragent": "the user agent is {values}"}
"""Keys that narrow where a request comes from, not who makes it: anyone there with any AWS
account still gets in."""

# Service principals that never pull images through a repository policy: the workloads they
# run pull with an IAM role of their own (node role, task execution role, pod execution role).
NOT_PULLERS = {
    "ec2.amazonaws.com": "EC2 instances and EKS nodes pull with their instance role (name the role instead)",
    "ecs-tasks.amazonaws.com": "ECS tasks pull with their task execution role (name the role instead)",
    "ecs.amazonaws.com": "ECS pulls with the task execution role (name the role instead)",
    "eks.amazonaws.com": "EKS nodes pull with the node role (name the role instead)",
    "eks-fargate-pods.amazonaws.com": "Fargate pods pull with the pod execution role (name the role instead)",
    "pods.eks.amazonaws.com": "the kubelet pulls with the node role, never with a Pod Identity role",
}
_ACCOUNT = re.compile(r"^\d{12}$")
_ARN_PRINCIPAL = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):(iam|sts)::(\d{12}|aws|\*):\S+$")
_SERVICE = re.compile(r"^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$")
_PLACEHOLDER = re.compile(r"<[^>]*>|\$\{|ACCOUNT|REPLACE|XXXX|1234567890\b", re.IGNORECASE)
_PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")
_LAMBDA_ROLE = re.compile(r"lambda", re.IGNORECASE)


def narrowing(statement: Statement) -> tuple[list[str], list[str]]:
    """(conditions that narrow who gets in, conditions that only narrow where from), in words."""
    strong, weak = [], []
    for condition in statement.conditions:
        key = condition.key.lower()
        values = ", ".join(condition.values) or "(nothing)"
        if key in NARROWING_KEYS:
            strong.append(NARROWING_KEYS[key].format(values=values))
        elif key in WEAK_KEYS:
            weak.append(WEAK_KEYS[key].format(values=values))
    return strong, weak


def is_public(statement: Statement) -> bool:
    """Everyone can use this statement (before conditions): "*" principals or NotPrincipal."""
    if statement.not_principals is not None:
        return True
    return any(principal.is_everyone for principal in statement.principals or ())


def _principal_problem(principal: Principal) -> str | None:
    value = principal.value
    if principal.type == "" and value:
        return f'{quoted(value)} is a bare string; only "*" may be written that way'
    if principal.type not in ("*", *_PRINCIPAL_TYPES):
        return f"{quoted(principal.type)} is not a principal type (AWS, Service, Federated, CanonicalUser)"
    if principal.type in ("*", "CanonicalUser") or value == "*":
        return None
    if _PLACEHOLDER.search(value) and not _ACCOUNT.match(value):
        return f"{quoted(value)} looks like a placeholder, not a real principal"
    if principal.type == "AWS" and not (_ACCOUNT.match(value) or _ARN_PRINCIPAL.match(value)):
        return f"{quoted(value)} is neither a 12-digit account nor an IAM ARN"
    if principal.type == "Federated" and value.startswith("arn:") and not _ARN_PRINCIPAL.match(value):
        return f"{quoted(value)} is not a valid identity provider ARN (the account must be 12 digits)"
    if principal.type == "Service" and not _SERVICE.match(value):
        return f"{quoted(value)} is not a service principal (they look like lambda.amazonaws.com)"
    return None


@rule(
    "invalid-principal",
    (*RESOURCE_KINDS, Kind.TRUST),
    ERROR,
    "principals AWS rejects or that cannot be right (placeholders, bare strings)",
    PRINCIPAL_PAGE,
)
def invalid_principals(context: Context):
    for statement in context.statements:
        problems = [
            problem
            for principal in (*(statement.principals or ()), *(statement.not_principals or ()))
            if (problem := _principal_problem(principal))
        ]
        if problems:
            shown = "; ".join(problems[:3]) + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
            yield context.finding(
                "invalid-principal",
                ERROR,
                statement,
                f"{shown}: AWS rejects the policy or the statement never applies",
                'name the principal as {"AWS": "arn:aws:iam::ACCOUNT:role/NAME"}, {"AWS": "ACCOUNT"} or '
                '{"Service": "lambda.amazonaws.com"}',
            )


@rule(
    "public-principal",
    (*RESOURCE_KINDS, Kind.TRUST),
    ERROR,
    'everyone ("*", any account) can use the statement, with no condition narrowing who',
    "https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policy-examples.html",
)
def public_principals(context: Context):
    for statement in context.statements:
        if not statement.allows or not is_public(statement) or _only_login(statement):
            continue
        if context.kind is Kind.PUBLIC_REPOSITORY and not _public_repository_writes(statement):
            continue  # anyone may pull a public image anyway
        strong, weak = narrowing(statement)
        if strong:
            continue  # e.g. aws:PrincipalOrgID: explained by `explain`, not a problem
        where = f" ({'; '.join(weak)}: that narrows where from, not who)" if weak else ""
        yield context.finding(
            "public-principal",
            ERROR,
            statement,
            f"anyone with an AWS account can use this statement{where}",
            "name the accounts or roles that need access, or add a condition such as "
            '"StringEquals": {"aws:PrincipalOrgID": "o-..."}',
        )


@rule(
    "wrong-puller",
    (Kind.REPOSITORY,),
    WARNING,
    "service principals that never pull through a repository policy",
    "https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html",
)
def wrong_pullers(context: Context):
    names_lambda = any(
        p.type == "Service" and p.value.lower() == "lambda.amazonaws.com"
        for s in context.statements
        for p in s.principals or ()
    )
    for statement in context.statements:
        for principal in statement.principals or ():
            role = principal.value.split(":role/", 1)[-1] if ":role/" in principal.value else ""
            if statement.allows and not names_lambda and _LAMBDA_ROLE.search(role):
                yield context.finding(
                    "wrong-puller",
                    WARNING,
                    statement,
                    f"{quoted(principal.value)} looks like a Lambda function's role, but the Lambda service pulls "
                    "function images, not the function's execution role",
                    'allow {"Service": "lambda.amazonaws.com"} with an aws:SourceArn condition for your functions',
                )
            reason = NOT_PULLERS.get(principal.value.lower()) if principal.type == "Service" else None
            if statement.allows and reason:
                yield context.finding(
                    "wrong-puller",
                    WARNING,
                    statement,
                    f"{quoted(principal.value)} is named, but it never pulls through a repository policy: {reason}",
                    "replace it with the IAM role that really pulls",
                )


SERVICE_PULLS = {
    "lambda.amazonaws.com": ({"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}, LAMBDA_PAGE),
    "codebuild.amazonaws.com": (
        {"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"},
        "https://docs.aws.amazon.com/codebuild/latest/userguide/sample-ecr.html",
    ),
}
"""Service principals that pull through a repository policy, and the actions they call."""


@rule(
    ("lambda-without-source", "service-without-source", "excess-service-actions"),
    (Kind.REPOSITORY,),
    WARNING,
    "service principals without an aws:SourceArn/SourceAccount condition, or granted more than they call",
    LAMBDA_PAGE,
)
def service_principals(context: Context):
    from wizard.core.reference import expand_action, find_action

    for statement in context.statements:
        if not statement.allows:
            continue
        for principal in statement.principals or ():
            service = principal.value.lower() if principal.type == "Service" else ""
            if service not in SERVICE_PULLS:
                continue
            used, _ = SERVICE_PULLS[service]
            keys = {condition.key.lower() for condition in statement.conditions}
            if not keys & {"aws:sourcearn", "aws:sourceaccount"}:
                code = "lambda-without-source" if service == "lambda.amazonaws.com" else "service-without-source"
                yield context.finding(
                    code,
                    WARNING,
                    statement,
                    f"{service} may pull with no condition on whose request it is (aws:SourceArn or "
                    "aws:SourceAccount): the service acting for other accounts can use this image too",
                    'add "StringLike": {"aws:SourceArn": "arn:aws:lambda:REGION:ACCOUNT:function:*"} (or the '
                    'CodeBuild project ARN) and "StringEquals": {"aws:SourceAccount": "ACCOUNT"}',
                )
            granted = {n for pattern in statement.actions for n in expand_action(pattern) if n.startswith("ecr:")}
            # Dangerous extras have findings of their own; read-only extras are not worth one.
            extra = sorted(
                n for n in granted - used if find_action(n).risk not in ("read", "permissions", "destructive")
            )
            if extra:
                yield context.finding(
                    "excess-service-actions",
                    WARNING,
                    statement,
                    f"{service} only calls {', '.join(sorted(n.split(':')[1] for n in used))}; it is also granted "
                    f"{', '.join(n.split(':')[1] for n in extra[:5])}"
                    + (f" and {len(extra) - 5} more" if len(extra) > 5 else ""),
                    f"grant {service} only the actions it calls",
                )


def _accounts_named(context: Context) -> set[str]:
    return {
        principal.account
        for statement in context.statements
        for principal in statement.principals or ()
        if principal.account and statement.allows
    }


@rule(
    "other-partition-principal",
    (*RESOURCE_KINDS, Kind.TRUST),
    ERROR,
    "principals of another partition (aws, aws-cn, aws-us-gov never mix)",
    "https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html",
)
def partitions(context: Context):
    own = _document_partition(context)
    if own is None:
        return
    for statement in context.statements:
        for principal in statement.principals or ():
            if principal.partition and principal.partition != own:
                yield context.finding(
                    "other-partition-principal",
                    ERROR,
                    statement,
                    f"{quoted(principal.value)} is in partition {principal.partition}, the policy's resources in {own}: "
                    "roles and resource policies never reach across partitions",
                    f"use a principal of the {own} partition",
                )


def _document_partition(context: Context) -> str | None:
    partitions = {
        resource.split(":")[1]
        for statement in context.statements
        for resource in (*statement.resources, *statement.not_resources)
        if resource.startswith("arn:") and resource.count(":") >= 5
    }
    for statement in context.statements:
        for condition in statement.conditions:
            partitions.update(v.split(":")[1] for v in condition.values if v.startswith("arn:") and v.count(":") >= 5)
    return partitions.pop() if len(partitions) == 1 else None


def _only_login(statement: Statement) -> bool:
    from wizard.core.reference import expand_action, find_action

    names = [n for pattern in statement.actions for n in expand_action(pattern)]
    return bool(names) and all((row := find_action(n)) is not None and row.needs_star for n in names)


OIDC_KEYS_PAGE = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif"
)
_OIDC_CLAIM_KEYS = {"aud", "sub", "amr", "oaud", "azp"}
"""The claims of a web identity token IAM makes condition keys of; others are never in the request."""
_CONDITION_PLACEHOLDER = re.compile(
    r"<[^>]+>|\$\{(?!aws:|[a-z0-9.-]+:)[^}]*\}|ACCOUNT_ID|ACCOUNT_NUMBER|account-id|\bxxxx+\b", re.IGNORECASE
)
_ARN_PLACEHOLDER_SEGMENTS = {3: {"region", "aws-region"}, 4: {"account", "account-id", "accountid", "account_id"}}


def _value_placeholder(value: str) -> str | None:
    found = _CONDITION_PLACEHOLDER.search(value)
    if found:
        return found.group(0)
    if value.startswith("arn:"):
        parts = value.split(":")
        for index, words in _ARN_PLACEHOLDER_SEGMENTS.items():
            if len(parts) > index and parts[index].lower() in words:
                return parts[index]
    return None


@rule(
    "condition-never-matches",
    (*RESOURCE_KINDS, Kind.TRUST, Kind.IDENTITY),
    ERROR,
    "conditions that no real request can meet (placeholders, OIDC claims IAM does not supply)",
    OIDC_KEYS_PAGE,
)
def conditions_never_met(context: Context):
    for statement in context.statements:
        if not statement.allows:
            continue
        for condition in statement.conditions:
            problem = _never_met(condition)
            if problem:
                yield context.finding(
                    "condition-never-matches",
                    ERROR,
                    statement,
                    f"the condition on {quoted(condition.key)} {problem}: AWS accepts the policy, but the statement "
                    "never applies, so the access it is meant to give is refused",
                    "put the real value in the condition (or test a claim IAM supplies: aud or sub)",
                )


def _never_met(condition) -> str | None:
    provider, _, claim = condition.key.rpartition(":")
    # a web identity provider's key, e.g. token.actions.githubusercontent.com:actor
    web_identity = provider and "." in provider and "/" not in provider and ":" not in provider
    if web_identity and claim.lower() not in _OIDC_CLAIM_KEYS and not condition.if_exists:
        return f"tests the token claim {quoted(claim)}, which IAM does not make a condition key (only aud, sub and amr)"
    for value in condition.values:
        placeholder = _value_placeholder(value)
        if placeholder and not condition.base.startswith(("StringNot", "ArnNot")):
            return f"holds the placeholder {quoted(placeholder)} in {quoted(value)}"
    return None


def _public_repository_writes(statement: Statement) -> bool:
    """The statement grants an ECR Public action beyond pulling (push, delete, policy)."""
    from wizard.core.reference import expand_action, find_action

    names = [n for pattern in statement.actions for n in expand_action(pattern) if n.startswith("ecr-public:")]
    return any((row := find_action(n)) is not None and row.risk not in ("read", "pull", "login") for n in names)
