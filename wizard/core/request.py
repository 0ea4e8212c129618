"""The request model (what the user asked for) and its validation.

Every front end validates through these functions, so the CLI, the plain prompts and the TUI
show the same messages. A message names the field, the bad value and what is accepted.
"""

from __future__ import annotations

import re
from collections import namedtuple
from collections.abc import Iterable
from enum import Enum
from functools import lru_cache

from wizard.core import names, regions


class Role(str, Enum):
    """Who uses the policy."""

    CI = "ci"
    ECS = "ecs"
    EKS = "eks"
    LAMBDA = "lambda"


class Access(str, Enum):
    """What the principal does with images. Push includes everything pull grants."""

    PULL = "pull"
    PUSH = "push"


REPOSITORY_ACCEPTED = (
    "Accepted: 2-256 lowercase letters and digits joined by '.', '_' or '-', with '/' between "
    "namespaces (e.g. 'my-app', 'team-a/api'); '*' and '?' work as IAM wildcards."
)
REGION_ACCEPTED = "Accepted: a region code such as us-east-1, eu-west-2, cn-north-1 or us-gov-west-1."
ACCOUNT_ACCEPTED = "Accepted: exactly 12 digits, e.g. 123456789012 (leading zeros count)."


class Message(namedtuple("Message", "field value reason accepted", defaults=("",))):
    """An error or a warning about one field's value.

    field: in the words the user knows it by (repository, region, account...); reason: what
    is wrong or worth knowing ("has upper-case letters"); accepted: for errors, what the field
    accepts.
    """

    __slots__ = ()

    def __str__(self) -> str:
        subject = f"{self.field} {shown_value(self.value)}" if self.value else self.field
        text = f"{subject}: {self.reason}"
        return f"{text}. {self.accepted}" if self.accepted else text


def shown_value(value: str, limit: int = 60) -> str:
    """A value as messages quote it: repr (control characters escaped), long ones shortened."""
    if len(value) <= limit:
        return repr(value)
    return f"{value[:limit]!r}… ({len(value):,} characters)"


class FieldCheck(namedtuple("FieldCheck", "value error warnings", defaults=(None, ()))):
    """The outcome of checking one field: its normalised value, or an error; plus warnings."""

    __slots__ = ()

    @property
    def ok(self) -> bool:
        return self.error is None


class RequestError(ValueError):
    """The request cannot be built; `errors` says why, field by field."""

    def __init__(self, errors: Iterable[Message]):
        self.errors = tuple(errors)
        super().__init__("; ".join(str(error) for error in self.errors))


class PolicyRequest(
    namedtuple(
        "PolicyRequest",
        "role access repositories region account pull_through_cache cache_create public kms",
        defaults=(False, False, False, False),
    )
):
    """A validated request: everything the builder needs, nothing it has to check again.

    role: Role; access: Access; repositories: a tuple of names and patterns; region: a code;
    account: 12 digits, as a string. Options: pull_through_cache (the repositories are cache
    repositories, PREFIX/UPSTREAM), cache_create (pulls may create them), public (ECR Public
    repositories), kms (KMS-encrypted repositories: documented, adds no permission).
    """

    __slots__ = ()

    @property
    def partition(self) -> regions.Partition:
        return regions.partition_for(self.region)

    def repository_arn(self, repository: str) -> str:
        if self.public:
            return f"arn:aws:ecr-public::{self.account}:repository/{repository}"
        return f"arn:{self.partition.name}:ecr:{self.region}:{self.account}:repository/{repository}"

    @property
    def repository_arns(self) -> tuple[str, ...]:
        prefix = self.repository_arn("")  # the partition is looked up once, not once per name
        return tuple(prefix + name for name in self.repositories)


class ValidatedRequest(namedtuple("ValidatedRequest", "request warnings", defaults=((),))):
    """A request that passed validation, with the warnings worth showing the user."""

    __slots__ = ()


DEFAULT_ACCESS = {Role.CI: Access.PUSH, Role.ECS: Access.PULL, Role.EKS: Access.PULL, Role.LAMBDA: Access.PULL}


@lru_cache(maxsize=65536)
def check_repository(text: str) -> FieldCheck:
    """Check one repository name or wildcard pattern (cached: the wizard re-checks its whole
    list on every keystroke, and a list may hold thousands)."""
    value = text.strip()
    problem = names.name_problem(value)
    if problem:
        return FieldCheck(None, Message("repository", value, problem, REPOSITORY_ACCEPTED))
    warnings = ()
    if names.is_pattern(value):
        warnings = (Message("repository", value, names.describe_pattern(value)),)
    return FieldCheck(value, warnings=warnings)


_AVAILABILITY_ZONE = re.compile(r"^([a-z]{2,4}(?:-[a-z]+)+-[0-9]{1,2})[a-z]$")


def check_region(text: str) -> FieldCheck:
    """Check a region code; a well-formed code we do not know is accepted with a warning."""
    value = text.strip().lower()
    if not value:
        return FieldCheck(None, Message("region", value, "is empty", REGION_ACCEPTED))
    zone = _AVAILABILITY_ZONE.match(value)
    if zone and value not in regions.KNOWN_REGIONS:
        return FieldCheck(
            None,
            Message("region", value, f"is an availability zone; use its region {zone.group(1)!r}", REGION_ACCEPTED),
        )
    if not regions.REGION_SYNTAX.match(value):
        return FieldCheck(None, Message("region", value, "is not a region code", REGION_ACCEPTED))
    unsupported = regions.unsupported_partition(value)
    if unsupported:
        return FieldCheck(
            None,
            Message(
                "region",
                value,
                f"belongs to {unsupported}, which this tool does not cover",
                "Supported partitions: aws, aws-cn, aws-us-gov.",
            ),
        )
    if value not in regions.KNOWN_REGIONS:
        partition = regions.partition_for(value).name
        warning = Message(
            "region",
            value,
            f"is not in this tool's region list; it is well-formed, so it is used as given "
            f"(partition {partition}): check the spelling",
        )
        return FieldCheck(value, warnings=(warning,))
    return FieldCheck(value)


def check_account(text: str) -> FieldCheck:
    """Check a 12-digit account ID, kept as text. The console's 1234-5678-9012 form is accepted."""
    value = text.strip()
    compact = re.sub(r"[-\s]", "", value)
    if re.fullmatch(r"[0-9]{12}", compact):
        return FieldCheck(compact)
    if not value:
        reason = "is empty"
    elif value.startswith("arn:"):
        reason = "is an ARN; give only the 12-digit account ID it contains"
    elif not compact.isdigit() or not compact.isascii():
        reason = "must contain digits only"
    else:
        reason = f"has {len(compact)} digits, not 12"
    return FieldCheck(None, Message("account", value, reason, ACCOUNT_ACCEPTED))


def check_repositories(texts: Iterable[str]) -> tuple[list[str], list[Message], list[Message]]:
    """Check a list of repositories: (kept names in order, errors, warnings).

    Exact duplicates collapse into one; a name that a wildcard in the list already covers is
    kept but noted, since the wildcard alone would do.
    """
    kept, errors, warnings = _check_repository_list(tuple(texts))
    return list(kept), list(errors), list(warnings)


@lru_cache(maxsize=8)
def _check_repository_list(texts: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[Message, ...], tuple[Message, ...]]:
    """check_repositories, remembered: an interactive session checks the same list of thousands
    of names several times per keystroke (each step's errors, the draft, the preview)."""
    kept: dict[str, None] = {}  # ordered, with O(1) membership: lists run to thousands
    errors: list[Message] = []
    warnings: list[Message] = []
    for text in texts:
        check = check_repository(text)
        if check.error:
            errors.append(check.error)
            continue
        if check.value in kept:
            warnings.append(Message("repository", check.value, "is listed more than once; kept once"))
            continue
        kept[check.value] = None
        warnings.extend(check.warnings)
    patterns = [name for name in kept if names.is_pattern(name)]
    for name in kept if patterns else ():
        covering = next((other for other in patterns if other != name and names.glob_matches(other, name)), None)
        if covering:
            warnings.append(Message("repository", name, f"is already covered by the pattern {covering!r}"))
    if not kept and not errors:
        errors.append(Message("repositories", "", "none given; name at least one", REPOSITORY_ACCEPTED))
    return tuple(kept), tuple(errors), tuple(warnings)


def option_errors(pull_through_cache: bool, cache_create: bool, public: bool) -> list[Message]:
    errors = []
    if public and pull_through_cache:
        errors.append(
            Message(
                "options",
                "public + pull-through cache",
                "cannot be combined: a pull-through cache is a private repository",
                "Choose one.",
            )
        )
    if cache_create and not pull_through_cache:
        errors.append(
            Message(
                "options",
                "cache-create",
                "only applies to a pull-through cache",
                "Add the pull-through cache option too.",
            )
        )
    return errors


def parse_role(text: str | Role) -> Role:
    try:
        return Role(text)
    except ValueError:
        choices = ", ".join(role.value for role in Role)
        raise RequestError([Message("role", str(text), "is not a role", f"Accepted: {choices}.")]) from None


def parse_access(text: str | Access) -> Access:
    try:
        return Access(text)
    except ValueError:
        raise RequestError([Message("access", str(text), "is not an access level", "Accepted: pull, push.")]) from None


def make_request(
    role: str | Role,
    repositories: Iterable[str],
    region: str,
    account: str,
    access: str | Access | None = None,
    *,
    pull_through_cache: bool = False,
    cache_create: bool = False,
    public: bool = False,
    kms: bool = False,
) -> ValidatedRequest:
    """Validate raw answers into a PolicyRequest; raises RequestError listing every problem."""
    errors: list[Message] = []
    warnings: list[Message] = []
    parsed_role = parsed_access = None
    try:
        parsed_role = parse_role(role)
    except RequestError as error:
        errors.extend(error.errors)
    if access is not None:
        try:
            parsed_access = parse_access(access)
        except RequestError as error:
            errors.extend(error.errors)
    kept, repository_errors, repository_warnings = check_repositories(repositories)
    errors.extend(repository_errors)
    warnings.extend(repository_warnings)
    region_check = check_region(region)
    account_check = check_account(account)
    for check in (region_check, account_check):
        if check.error:
            errors.append(check.error)
        warnings.extend(check.warnings)
    errors.extend(option_errors(pull_through_cache, cache_create, public))
    region_value = region_check.value
    if public and region_value and not errors:
        if regions.partition_for(region_value).name != "aws":
            errors.append(
                Message(
                    "region",
                    region_value,
                    "is not in the aws partition; ECR Public exists only there",
                    "Accepted: us-east-1.",
                )
            )
        elif region_value != "us-east-1":
            warnings.append(
                Message("region", region_value, "is replaced by us-east-1: ECR Public and its login live there")
            )
            region_value = "us-east-1"
    if errors:
        raise RequestError(errors)
    assert parsed_role is not None and region_value and account_check.value
    request = PolicyRequest(
        role=parsed_role,
        access=parsed_access or DEFAULT_ACCESS[parsed_role],
        repositories=tuple(kept),
        region=region_value,
        account=account_check.value,
        pull_through_cache=pull_through_cache,
        cache_create=cache_create,
        public=public,
        kms=kms,
    )
    return ValidatedRequest(request, tuple(warnings))
