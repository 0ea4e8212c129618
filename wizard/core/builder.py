"""Request -> IAM identity policy, with an explanation kept beside each statement.

The statement list is the single model: the JSON document and the explanations are both
derived from it, so they cannot disagree. For a CI pipeline pushing to one repository the
output is exactly the project's reference (seed) policy.
"""

from __future__ import annotations

import json
from collections import namedtuple

from wizard.core.catalog import (
    AUTH_ACTION,
    CACHE_CREATE_ACTION,
    CACHE_IMPORT_ACTION,
    PUBLIC_LOGIN_ACTIONS,
    PUBLIC_PUSH_ACTIONS,
    PULL_ACTIONS,
    PUSH_ACTIONS,
    WHY_AUTH_IS_ON_STAR,
)
from wizard.core.request import Access, PolicyRequest

POLICY_VERSION = "2012-10-17"


class Statement(namedtuple("Statement", "sid title summary actions resources scope_note", defaults=("",))):
    """One Allow statement and what it is for.

    sid: stable and alphanumeric (IAM accepts [0-9A-Za-z]* only); summary: why the statement
    exists; actions: catalog rows; resources: ARNs or "*"; scope_note: why the Resource is
    what it is.
    """

    __slots__ = ()

    def to_json(self) -> dict:
        """The IAM statement; one action or resource is written as a string, several as a list."""
        action_names = [action.name for action in self.actions]
        return {
            "Sid": self.sid,
            "Effect": "Allow",
            "Action": action_names[0] if len(action_names) == 1 else action_names,
            "Resource": self.resources[0] if len(self.resources) == 1 else list(self.resources),
        }


class GeneratedPolicy(namedtuple("GeneratedPolicy", "request statements")):
    """A generated identity policy: the request, its statements, and derived renderings."""

    __slots__ = ()

    @property
    def document(self) -> dict:
        return {"Version": POLICY_VERSION, "Statement": [statement.to_json() for statement in self.statements]}

    def to_json(self) -> str:
        return render_json(self.document)


def suggested_file_name(request: PolicyRequest, extension: str = "json") -> str:
    """A file name that says what the policy is for, e.g. ci-push-my-app-ecr-policy.json."""
    first = request.repositories[0]
    readable = first.replace("/", "-").replace("*", "all").replace("?", "x").strip("-.") or "repository"
    more = f"-and-{len(request.repositories) - 1}-more" if len(request.repositories) > 1 else ""
    return f"{request.role.value}-{request.access.value}-{readable}{more}-ecr-policy.{extension}"


def render_json(document: dict | list) -> str:
    """A policy (or a list of them) as people paste it: 2-space indent, key order kept, final newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _describe_repositories(request: PolicyRequest) -> str:
    listed = ", ".join(request.repositories)
    noun = "repository" if len(request.repositories) == 1 else "repositories"
    if request.public:
        return f"public {noun} {listed} of account {request.account}"
    return f"{noun} {listed} in account {request.account}, {request.region}"


KMS_NOTE = (
    "KMS-encrypted repositories: AWS documents that ECR creates a KMS grant when the repository "
    "is created, so the creator needs kms:CreateGrant, kms:RetireGrant and kms:DescribeKey; pulls "
    "and pushes use ECR's grant. This policy adds no KMS permission. If your key policy denies "
    "use through ECR, fix the key policy rather than adding kms:* here (not verified by this tool)."
)
PUBLIC_PULL_NOTE = (
    "Pulling public images needs no permission: anyone can pull from public.ecr.aws. Logging in "
    "only raises your pull rate limit, which is all this policy allows."
)


def build_policy(request: PolicyRequest) -> GeneratedPolicy:
    """Build the least-privilege identity policy for a validated request."""
    if request.public:
        return _build_public_policy(request)
    repository_arns = request.repository_arns
    where = _describe_repositories(request)
    pull_actions = (*PULL_ACTIONS, CACHE_IMPORT_ACTION) if request.pull_through_cache else PULL_ACTIONS
    cache_note = (
        " and, on a first pull, import them from the upstream registry (pull-through cache)"
        if request.pull_through_cache
        else ""
    )
    statements = [
        Statement(
            sid="AllowECRAuth",
            title="Registry login",
            summary=(
                "Lets the principal get the registry login token used by `docker login`. "
                "Every pull and push starts here."
            ),
            actions=(AUTH_ACTION,),
            resources=("*",),
            scope_note=WHY_AUTH_IS_ON_STAR,
        ),
        Statement(
            sid="AllowECRPull",
            title="Pull images",
            summary=f"Lets the principal read image manifests and download layers from the {where}{cache_note}.",
            actions=pull_actions,
            resources=repository_arns,
            scope_note="Scoped to the named repositories: nothing else in the registry can be read.",
        ),
    ]
    if request.cache_create:
        statements.append(
            Statement(
                sid="AllowECRCacheCreate",
                title="Create cache repositories",
                summary=(
                    "Lets a first pull through the pull-through cache create the cache repository "
                    f"(PREFIX/UPSTREAM-REPO) for the {where}."
                ),
                actions=(CACHE_CREATE_ACTION,),
                resources=repository_arns,
                scope_note="Scoped to the cache names: the principal cannot create repositories elsewhere.",
            )
        )
    if request.access is Access.PUSH:
        statements.append(
            Statement(
                sid="AllowECRPush",
                title="Push images",
                summary=(
                    f"Lets the principal upload layers and write image manifests and tags to the "
                    f"{where}. Pushing also relies on the pull statement (layer checks)."
                ),
                actions=PUSH_ACTIONS,
                resources=repository_arns,
                scope_note="Scoped to the same repositories as pull: the principal cannot push anywhere else.",
            )
        )
    return GeneratedPolicy(request=request, statements=tuple(statements))


def _build_public_policy(request: PolicyRequest) -> GeneratedPolicy:
    statements = [
        Statement(
            sid="AllowECRPublicAuth",
            title="ECR Public login",
            summary=(
                "Lets the principal log in to public.ecr.aws (`aws ecr-public get-login-password`)."
                + ("" if request.access is Access.PUSH else " " + PUBLIC_PULL_NOTE)
            ),
            actions=PUBLIC_LOGIN_ACTIONS,
            resources=("*",),
            scope_note='Both login actions are account-level: IAM accepts only "Resource": "*" for them.',
        )
    ]
    if request.access is Access.PUSH:
        statements.append(
            Statement(
                sid="AllowECRPublicPush",
                title="Push public images",
                summary=f"Lets the principal upload layers and write manifests and tags to the {_describe_repositories(request)}.",
                actions=PUBLIC_PUSH_ACTIONS,
                resources=request.repository_arns,
                scope_note="Scoped to the named public repositories.",
            )
        )
    return GeneratedPolicy(request=request, statements=tuple(statements))
