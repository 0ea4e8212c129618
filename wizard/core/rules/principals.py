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
        for principal in (*(statement.principals or ()), *(statement.not_principals or ())):
            problem = _principal_problem(principal)
            if problem:
                yield context.finding(
                    "invalid-principal",
                    ERROR,
                    statement,
                    f"{problem}; AWS rejects the policy or the statement never applies",
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
        if not statement.allows or not is_public(statement):
            continue
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
    for statement in context.statements:
        for principal in statement.principals or ():
            reason = NOT_PULLERS.get(principal.value.lower()) if principal.type == "Service" else None
            if statement.allows and reason:
                yield context.finding(
                    "wrong-puller",
                    WARNING,
                    statement,
                    f"{quoted(principal.value)} is named, but it never pulls through a repository policy: {reason}",
                    "replace it with the IAM role that really pulls",
                )


@rule(
    "lambda-without-source",
    (Kind.REPOSITORY,),
    WARNING,
    "lambda.amazonaws.com with other accounts and no aws:sourceArn condition",
    LAMBDA_PAGE,
)
def lambda_without_source(context: Context):
    accounts = _accounts_named(context)
    for statement in context.statements:
        named = any(
            p.type == "Service" and p.value.lower() == "lambda.amazonaws.com" for p in statement.principals or ()
        )
        if not statement.allows or not named:
            continue
        keys = {condition.key.lower() for condition in statement.conditions}
        if keys & {"aws:sourcearn", "aws:sourceaccount"}:
            continue
        if len(accounts) >= 1:
            yield context.finding(
                "lambda-without-source",
                WARNING,
                statement,
                "lambda.amazonaws.com may pull without a condition on the function: with other accounts "
                f"named here ({', '.join(sorted(accounts))}), Lambda functions of those accounts can use the image",
                'add "StringLike": {"aws:sourceARN": "arn:aws:lambda:REGION:ACCOUNT:function:*"} for the accounts meant',
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
