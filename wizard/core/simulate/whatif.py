"""What if an action were missing? The policy without it, simulated: which operations that
worked stop working, at which call, with which message, and what `check` then reports.

The wizard's review step, `--plain`, `explain --without ACTION` and the handouts' what-if
table all ask this module, so they agree with `simulate`.
"""

from __future__ import annotations

from collections import namedtuple

from wizard.core import names
from wizard.core.policy import Document, document_from_json
from wizard.core.policy.evaluate import Caller
from wizard.core.policy.model import as_strings
from wizard.core.simulate.engine import Simulation, simulate
from wizard.core.simulate.image import Image, image_for_arn

DOCKER_OPERATIONS = ("push", "pull")
EXAMPLE_IMAGE = Image("123456789012", "us-east-1", "example", "latest")
"""Used when a policy names no repository (only "*"): any repository would do."""


class WhatIf(namedtuple("WhatIf", "action listed image example outcomes")):
    """action: the action taken away; listed: the statements that listed it (Statement
    records); image: the Image simulated; example: the image was made up (the policy names
    no literal repository); outcomes: one (before, after) pair of Simulations per operation."""

    __slots__ = ()

    @property
    def broken(self) -> list[tuple[Simulation, Simulation]]:
        """The operations that worked with the action and fail without it."""
        return [(before, after) for before, after in self.outcomes if before.succeeded and not after.succeeded]

    @property
    def unaffected(self) -> list[tuple[Simulation, Simulation]]:
        return [(before, after) for before, after in self.outcomes if before.succeeded and after.succeeded]

    @property
    def never_worked(self) -> list[tuple[Simulation, Simulation]]:
        return [(before, after) for before, after in self.outcomes if not before.succeeded]


def listed_actions(document: Document) -> list[str]:
    """The actions the policy lists by name in Allow statements (what --without can take away)."""
    found = [name for s in document.real_statements if s.allows for name in s.actions]
    return list(dict.fromkeys(found))


def without(document: Document, action: str) -> Document:
    """The document with `action` taken out of every Allow statement's Action (IAM compares
    action names without regard to case); statements left with no action are dropped."""
    statements = []
    for statement in document.real_statements:
        raw = dict(statement.raw)
        if statement.allows and "Action" in raw:
            kept = [name for name in as_strings(raw["Action"]) if name.lower() != action.lower()]
            if not kept:
                continue
            raw["Action"] = kept[0] if len(kept) == 1 else kept
        statements.append(raw)
    return document_from_json({**document.raw, "Statement": statements}, document.kind)


def example_image(document: Document) -> tuple[Image, bool]:
    """An image in the first repository the policy allows by name; wildcards are filled in with
    "example" (True when the image had to be made up)."""
    for statement in document.real_statements:
        if not statement.allows:
            continue
        for resource in statement.resources:
            image = image_for_arn(resource)
            if image is not None:
                return image, False
            filled = _filled(resource)
            if filled is not None:
                return filled, True
    return EXAMPLE_IMAGE, True


def _filled(resource: str) -> Image | None:
    parts = resource.split(":", 5)
    if len(parts) != 6 or parts[2] != "ecr" or not parts[5].startswith("repository/"):
        return None
    account = parts[4] if parts[4] not in ("", "*") else EXAMPLE_IMAGE.account
    region = parts[3] if parts[3] not in ("", "*") else EXAMPLE_IMAGE.region
    name = parts[5].removeprefix("repository/").replace("*", "example").replace("?", "x")
    if not names.is_valid_name(name):
        name = EXAMPLE_IMAGE.repository
    return image_for_arn(f"arn:{parts[1]}:ecr:{region}:{account}:repository/{name}")


def what_if_without(
    document: Document,
    action: str,
    operations: tuple[str, ...] = DOCKER_OPERATIONS,
    image: Image | None = None,
    repository: Document | None = None,
    caller: Caller | None = None,
) -> WhatIf:
    """Simulate each operation with the identity policy as it is and without `action`."""
    example = False
    if image is None:
        image, example = example_image(document)
    reduced = without(document, action)
    outcomes = tuple(
        (
            simulate(operation, image, document, repository, caller),
            simulate(operation, image, reduced, repository, caller),
        )
        for operation in operations
    )
    listed = tuple(
        s for s in document.real_statements if s.allows and any(n.lower() == action.lower() for n in s.actions)
    )
    return WhatIf(action, listed, image, example, outcomes)


def operations_for(request) -> tuple[str, ...]:
    """What the role's principal does, as `simulate` operations: the pipeline pushes and pulls,
    the ECS task execution role starts tasks, the EKS node role pulls, the deployer creates
    Lambda functions (and any role with push access also pushes)."""
    from wizard.core.request import Access, Role

    by_role = {
        Role.CI: ("push", "pull"),
        Role.ECS: ("ecs-task",),
        Role.EKS: ("eks-pull",),
        Role.LAMBDA: ("lambda-create",),
    }
    operations = by_role[request.role]
    if request.role is Role.CI and request.access is Access.PULL:
        return ("pull",)
    if request.access is Access.PUSH and "push" not in operations:
        return (*operations, "push")
    return operations


def what_if_generated(policy, bundle, action: str) -> WhatIf | None:
    """The what-if of a generated policy, as the role's own operations with the setup's repository
    policy and the role's account (None for ECR Public: simulate covers private registries)."""
    from wizard.core.policy import Kind
    from wizard.core.simulate.engine import default_caller

    request = policy.request
    if request.public:
        return None
    document = document_from_json(policy.document, Kind.IDENTITY)
    image, _ = example_image(document)
    repository = None
    if bundle is not None and bundle.repository is not None:
        repository = document_from_json(bundle.repository.document, Kind.REPOSITORY)
    account = bundle.role_account if bundle is not None else request.account
    what_if = what_if_without(
        document, action, operations_for(request), image, repository, default_caller(image, account)
    )
    return what_if._replace(example=not any(name in image.repository for name in request.repositories))
