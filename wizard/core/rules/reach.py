"""What a policy can reach, asked of the evaluator: resources, workflows that cannot work,
repository actions on every repository, dangerous grants and who gets them."""

from __future__ import annotations

import re
from functools import cached_property

from wizard.core.policy import Kind, Statement
from wizard.core.reference import expand_action, find_action
from wizard.core.rules.base import ERROR, IDENTITY_KINDS, PERMISSION_KINDS, WARNING, Context, rule
from wizard.core.rules.principals import is_public, narrowing
from wizard.core.text import quoted

ARN = re.compile(r"^arn:(?P<partition>[^:]+):(?P<service>[^:]+):(?P<region>[^:]*):(?P<account>[^:]*):(?P<resource>.+)$")
EXAMPLE_REPOSITORY = "arn:aws:ecr:us-east-1:123456789012:repository/example"
PULL = ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
PUSH = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:PutImage",
)
PUBLIC_PUSH = tuple(name.replace("ecr:", "ecr-public:") for name in PUSH)
PUSH_PAGE = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push.html"
PULL_PAGE = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/docker-pull-ecr-image.html"
_PLACEHOLDER = re.compile(r"<[^>]*>|\$\{(?!aws:)|ACCOUNT_ID|ACCOUNT_NUMBER|AWS_ACCOUNT|REGION_NAME|XXXX", re.IGNORECASE)


class Reach:
    """The repositories (as written) each known action is allowed on, for identity policies."""

    def __init__(self, context: Context):
        self.context = context

    @cached_property
    def resources(self) -> list[str]:
        return representative_resources(self.context.statements)

    def allowed_on(self, resource: str) -> frozenset[str]:
        return self.context.action_map.allowed(resource)

    @cached_property
    def by_resource(self) -> dict[str, set[str]]:
        return {resource: self.allowed_on(resource) for resource in self.resources}


_ALL_KNOWN = tuple(expand_action("ecr:*") + expand_action("ecr-public:*"))


def granted_names(statement: Statement) -> list[str]:
    """The known actions a statement names (NotAction: every known action but those)."""
    if statement.not_actions:
        excluded = {n.lower() for pattern in statement.not_actions for n in expand_action(pattern)}
        return [n for n in expand_action("*") if n.lower() not in excluded]
    return list(dict.fromkeys(n for pattern in statement.actions for n in expand_action(pattern)))


def only_account_level(statement: Statement) -> bool:
    """Every action the statement grants takes only "Resource": "*" (the login token...)."""
    names = granted_names(statement)
    return (
        bool(statement.actions)
        and bool(names)
        and all((row := find_action(n)) is not None and row.needs_star for n in names)
    )


def representative_resources(statements) -> list[str]:
    """The ECR resources to ask the evaluator about: each one an Allow names (patterns as
    written, which a pattern matches), and an example repository when an Allow covers
    every resource with repository actions."""
    found: list[str] = []
    for statement in statements:
        if not statement.allows:
            continue
        if (statement.not_resources or "*" in statement.resources) and not only_account_level(statement):
            found.append(EXAMPLE_REPOSITORY)
        for resource in statement.resources:
            match = ARN.match(resource)
            if match and match["service"] in ("ecr", "ecr-public"):
                found.append(resource)
    return list(dict.fromkeys(found))


def _reach(context: Context) -> Reach:
    if not hasattr(context, "_reach"):
        context._reach = Reach(context)  # type: ignore[attr-defined]
    return context._reach  # type: ignore[attr-defined]


@rule(
    ("bad-resource", "registry-url-resource"),
    (*IDENTITY_KINDS, Kind.REGISTRY),
    ERROR,
    "Resources that are not ARNs or placeholders",
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html",
)
def bad_resources(context: Context):
    for statement in context.statements:
        for resource in (*statement.resources, *statement.not_resources):
            message = _resource_problem(resource)
            if message:
                code, text, fix = message
                yield context.finding(code, ERROR, statement, text, fix)


def _resource_problem(resource: str) -> tuple[str, str, str] | None:
    if resource == "*":
        return None
    if ".dkr.ecr." in resource or resource.startswith("public.ecr.aws"):
        host, _, path = resource.partition("/")
        name = re.split(r"[:@]", path, maxsplit=1)[0]
        parts = host.split(".")
        fix = (
            f"use arn:aws:ecr:{parts[3]}:{parts[0]}:repository/{name or 'NAME'}"
            if len(parts) > 4 and parts[1:3] == ["dkr", "ecr"]
            else "use the repository ARN: arn:aws:ecr:REGION:ACCOUNT:repository/NAME"
        )
        return "registry-url-resource", f"{quoted(resource)} is a registry URL, not an ARN; IAM rejects it", fix
    match = ARN.match(resource)
    if not match:
        return (
            "bad-resource",
            f'Resource {quoted(resource)} is neither an ARN nor "*"; IAM rejects it',
            "use arn:aws:ecr:REGION:ACCOUNT:repository/NAME",
        )
    if _PLACEHOLDER.search(resource):
        return (
            "bad-resource",
            f"{quoted(resource)} still holds a placeholder; it matches no real repository",
            "put the real account ID, region and repository name in the ARN",
        )
    if match["service"] in ("ecr", "ecr-public") and not match["account"]:
        return (
            "bad-resource",
            f"{quoted(resource)} has no account ID where the ARN needs one (arn:PARTITION:{match['service']}:REGION:ACCOUNT:...)",
            f"write arn:aws:{match['service']}:{'' if match['service'] == 'ecr-public' else 'REGION'}:ACCOUNT:repository/NAME",
        )
    kinds = ("repository/", "registry/") if match["service"] == "ecr-public" else ("repository/",)
    if match["service"] in ("ecr", "ecr-public") and not (
        match["resource"].startswith(kinds) or match["resource"] == "*"
    ):
        return (
            "bad-resource",
            f"{quoted(resource)} names no repository (ECR ARNs end in repository/NAME)",
            "end the ARN with repository/NAME, or repository/NAMESPACE/* for a namespace",
        )
    return None


@rule(
    "resource-wildcard",
    (*IDENTITY_KINDS,),
    WARNING,
    "ARNs with a wildcard account or region",
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html",
)
def resource_wildcards(context: Context):
    for statement in context.statements:
        if not statement.allows:
            continue
        for resource in statement.resources:
            match = ARN.match(resource)
            if not match or match["service"] != "ecr":
                continue
            loose = [field for field in ("account", "region") if "*" in match[field] or "?" in match[field]]
            if loose:
                yield context.finding(
                    "resource-wildcard",
                    WARNING,
                    statement,
                    f"{quoted(resource)} has a wildcard {' and '.join(loose)}: it reaches repositories in "
                    + ("every account that lets you in" if "account" in loose else "every region"),
                    "write the account ID and region of the repositories",
                )


@rule(
    "repository-actions-on-star",
    IDENTITY_KINDS,
    WARNING,
    'repository actions on "Resource": "*" (every repository, every region)',
    "https://docs.aws.amazon.com/AmazonECR/latest/userguide/security_iam_id-based-policy-examples.html",
)
def repository_actions_on_star(context: Context):
    for statement in context.statements:
        if not statement.allows or "*" not in statement.resources:
            continue
        granted = [
            name
            for pattern in statement.actions
            for name in expand_action(pattern)
            if (row := find_action(name)) and not row.needs_star
        ]
        granted = list(dict.fromkeys(granted))
        if not granted:
            continue
        shown = ", ".join(name.split(":")[1] for name in granted[:5]) + (
            f" and {len(granted) - 5} more" if len(granted) > 5 else ""
        )
        yield context.finding(
            "repository-actions-on-star",
            WARNING,
            statement,
            f'{shown} {"applies" if len(granted) == 1 else "apply"} to "Resource": "*": every repository '
            "in every region of the account (and other accounts' repositories that allow it)",
            "scope them to repository ARNs (arn:aws:ecr:REGION:ACCOUNT:repository/NAME) in a statement of their own",
        )


@rule(
    ("incomplete-push", "incomplete-pull"),
    IDENTITY_KINDS,
    ERROR,
    "push or pull granted without an action docker needs",
    PUSH_PAGE,
)
def incomplete_workflows(context: Context):
    reach = _reach(context)
    for resource, allowed in reach.by_resource.items():
        public = ":ecr-public:" in resource
        push = PUBLIC_PUSH if public else PUSH
        pushes = any(name in allowed for name in push[1:])
        if pushes:
            missing = [name for name in push if name not in allowed]
            if missing:
                label = "every repository" if resource == EXAMPLE_REPOSITORY else quoted(resource)
                extra = " (docker reports 'unexpected end of JSON input')" if push[0] in missing else ""
                yield context.finding(
                    "incomplete-push",
                    ERROR,
                    _statement_for(context, resource),
                    f"push to {label} is granted but lacks {', '.join(missing)}; docker push fails{extra}",
                    f"add {', '.join(missing)} on the same repositories as the other upload actions",
                )
        if public:
            continue
        pulls = any(name in allowed for name in PULL)
        missing_pull = [name for name in PULL if name not in allowed]
        if pulls and missing_pull and not pushes:
            label = "every repository" if resource == EXAMPLE_REPOSITORY else quoted(resource)
            yield context.finding(
                "incomplete-pull",
                ERROR,
                _statement_for(context, resource),
                f"pull from {label} is granted but lacks {', '.join(missing_pull)}; docker pull fails",
                f"add {', '.join(missing_pull)} on the same repositories",
            )


def _statement_for(context: Context, resource: str) -> Statement | None:
    for statement in context.statements:
        if statement.allows and (
            resource in statement.resources or (resource == EXAMPLE_REPOSITORY and "*" in statement.resources)
        ):
            return statement
    return None


def _lambda_deployer(context: Context, reach: Reach) -> bool:
    """A Lambda deployer's policy: it lets CreateFunction/UpdateFunctionCode read the image
    (BatchGetImage, GetDownloadUrlForLayer) and needs no docker login; the Lambda service pulls.
    Told by its name (a Sid about Lambda) and by granting nothing beyond those two actions."""
    named = any(re.search(r"lambda", s.sid or "", re.IGNORECASE) for s in context.statements if s.allows)
    granted = {n for allowed in reach.by_resource.values() for n in allowed if n.startswith("ecr:")}
    return named and bool(granted) and granted <= set(PULL)


@rule(
    "no-login",
    IDENTITY_KINDS,
    WARNING,
    "pull or push without the login token",
    "https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry_auth.html",
)
def login(context: Context):
    reach = _reach(context)
    private = any(
        any(name in allowed for name in (*PULL, *PUSH[1:]))
        for r, allowed in reach.by_resource.items()
        if ":ecr-public:" not in r
    )
    public = any(
        any(name in allowed for name in PUBLIC_PUSH[1:])
        for r, allowed in reach.by_resource.items()
        if ":ecr-public:" in r
    )
    scoped = any(
        statement.allows
        and any(n.lower() == "ecr:getauthorizationtoken" for n in statement.actions)
        and "*" not in statement.resources
        for statement in context.statements
    )
    if (
        private
        and not scoped
        and not _lambda_deployer(context, reach)
        and not context.decide("ecr:GetAuthorizationToken").allowed
    ):
        yield context.finding(
            "no-login",
            WARNING,
            None,
            'pull or push is granted but not ecr:GetAuthorizationToken on "*": docker login fails unless another '
            "policy of the same role grants it",
            'add a statement allowing ecr:GetAuthorizationToken on "Resource": "*"',
        )
    if public:
        missing = [
            name
            for name in ("ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken")
            if not context.decide(name).allowed
        ]
        if missing:
            yield context.finding(
                "no-login",
                WARNING,
                None,
                f'push to ECR Public is granted but not {" and ".join(missing)} on "*": docker login to public.ecr.aws fails',
                f'allow {" and ".join(missing)} on "Resource": "*"',
            )


# Dangerous grants --------------------------------------------------------------------------


def _grantee(statement: Statement, owner: str | None) -> tuple[str, str]:
    """(who gets the statement, in words; reach): reach is "public", "foreign" (another
    account, as far as the document or --account tells), "account" (an account as a whole,
    owner unknown), "named" (specific roles or users, or services) or "invalid"."""
    if is_public(statement):
        strong, _ = narrowing(statement)
        if strong:
            return f"any principal for which {'; '.join(strong)}", "named"
        return "anyone with an AWS account", "public"
    names, reach = [], "named"
    accounts = {p.account for p in statement.principals or () if p.account}
    for principal in statement.principals or ():
        if principal.type == "Service":
            names.append(f"the service {quoted(principal.value)}")
            continue
        if principal.type != "AWS":
            return "an invalid principal", "invalid"
        whole = principal.value == principal.account or principal.value.endswith(":root")
        names.append(f"account {principal.account}" if whole else quoted(principal.value))
        if principal.account and owner and principal.account != owner:
            reach = "foreign"
        elif whole and owner is None and reach != "foreign":
            reach = "account"
    if owner is None and len(accounts) > 1:
        reach = "foreign"  # several accounts: at least one of them is not the owner
    return ", ".join(names) or "the named principals", reach


@rule(
    ("permission-management", "destructive", "cross-account-write"),
    PERMISSION_KINDS,
    WARNING,
    "grants that change who has access, delete images or repositories, or let another account push "
    "(an error for other accounts and the public)",
    "https://docs.aws.amazon.com/AmazonECR/latest/userguide/security-iam-awsmanpol.html",
)
def dangerous_grants(context: Context):
    for statement in context.statements:
        if not statement.allows or not statement.actions:
            continue
        named = [name for pattern in statement.actions if not _is_wildcard(pattern) for name in expand_action(pattern)]
        every = [name for pattern in statement.actions for name in expand_action(pattern)]
        if context.kind is Kind.PUBLIC_REPOSITORY:  # private-registry actions authorise nothing there
            named = [name for name in named if name.startswith("ecr-public:")]
            every = [name for name in every if name.startswith("ecr-public:")]
        if context.kind in IDENTITY_KINDS:
            for code, names in _by_risk(named):
                yield _identity_danger(context, statement, code, names)
            continue
        who, reach = _grantee(statement, context.owner_account)
        if reach == "invalid":
            continue
        wide = reach in ("public", "foreign")
        for code, names in _by_risk(every if wide else named):
            yield _resource_danger(context, statement, code, names, who, reach)
        pushes = [
            n
            for n in every
            if (row := find_action(n)) and row.risk == "push" and n.endswith(("PutImage", "UploadLayerPart"))
        ]
        if pushes and reach in ("public", "foreign", "account"):
            yield _cross_account_push(context, statement, who, reach)


def _by_risk(names: list[str]):
    for risk, code in (("permissions", "permission-management"), ("destructive", "destructive")):
        found = list(dict.fromkeys(n for n in names if (row := find_action(n)) and row.risk == risk))
        if found:
            yield code, found


def _is_wildcard(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


def _shown(names: list[str]) -> str:
    return ", ".join(name.split(":")[1] for name in names[:4]) + (
        f" and {len(names) - 4} more" if len(names) > 4 else ""
    )


_WHAT = {"permission-management": "change who can use the repository", "destructive": "delete images or repositories"}


def _identity_danger(context: Context, statement: Statement, code: str, names: list[str]):
    return context.finding(
        code,
        WARNING,
        statement,
        f"grants {_shown(names)}: whoever holds this policy can {_WHAT[code]}",
        "drop them unless this role administers the registry",
    )


def _resource_danger(context: Context, statement: Statement, code: str, names: list[str], who: str, reach: str):
    severity = ERROR if reach in ("public", "foreign") else WARNING
    caveat = (
        " (an error if that is another account than the repository's: give --account to tell)"
        if reach == "account"
        else ""
    )
    return context.finding(
        code,
        severity,
        statement,
        f"{who} can {_WHAT[code]} ({_shown(names)}){caveat}",
        "grant only pull (and push where needed); keep these with the repository owner's administrators",
    )


def _cross_account_push(context: Context, statement: Statement, who: str, reach: str):
    if reach == "public":
        message = f"{who} can push: any AWS account can overwrite the images and tags people pull"
    elif reach == "foreign":
        message = f"{who} can push to this repository from another account, overwriting its images and tags"
    else:
        message = f"{who} can push; if that is another account than the repository's, it can overwrite its images"
    return context.finding(
        "cross-account-write",
        ERROR if reach == "public" else WARNING,
        statement,
        message,
        "let other accounts pull only; push from the owner's account (or a role it trusts)",
    )
