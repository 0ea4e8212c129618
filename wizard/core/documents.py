"""What the trust, repository, registry and companion policies share: the Document and its parts."""

from __future__ import annotations

import re
from collections import namedtuple

from wizard.core.builder import POLICY_VERSION


class Document(
    namedtuple("Document", "kind document account placement explanation targets sources", defaults=((), ()))
):
    """A policy that goes with the identity policy.

    kind: trust, repository, registry or companion; document: the JSON; account: where it
    lives; placement: where it goes, as a sentence; explanation: why, line by line;
    targets: for a repository policy, the repositories it is set on; sources: the AWS pages
    the explanation follows.
    """

    __slots__ = ()

    @property
    def title(self) -> str:
        return DOCUMENT_TITLES[self.kind]


DOCUMENT_TITLES = {
    "trust": "Trust policy",
    "repository": "Repository policy",
    "registry": "Registry policy",
    "companion": "Companion policy",
}

ROLE_ARN = re.compile(r"arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role/((?:[\w+=,.@-]+/)*)([\w+=,.@-]{1,64})")
"""A role ARN: partition, account, path (without its leading /), name. Use with fullmatch."""


def policy(statements: list[dict]) -> dict:
    return {"Version": POLICY_VERSION, "Statement": statements}


def statement(sid: str, principal: dict, action, condition: dict | None = None, resource=None) -> dict:
    """An Allow statement of a resource or trust policy (they name a Principal)."""
    result = {"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": action}
    if resource is not None:
        result["Resource"] = resource
    if condition:
        result["Condition"] = condition
    return result


ACCOUNT_PRINCIPAL_WORDS = (
    "account {account} as a whole: any of its roles and users whose own IAM policies allow it "
    "(the account decides, not this policy)"
)
"""What an account principal (arn:PARTITION:iam::ACCOUNT:root, or the bare ID) means, in the words
`explain` and the generated explanations share (sources.IAM_ACCOUNT_PRINCIPALS)."""


def root_principal_note(arn: str) -> str:
    """The sentence that explains a :root principal in a generated repository policy."""
    account = arn.split(":")[4]
    return (
        f"{arn} is not the root user: it means {ACCOUNT_PRINCIPAL_WORDS.format(account=account)}. "
        "Name a role ARN instead to let that role alone in."
    )


def principal_account(principal: str | None) -> str | None:
    """The account of a principal given as an account ID or a role ARN."""
    if not principal:
        return None
    match = ROLE_ARN.fullmatch(principal)
    return match.group(2) if match else principal


def principal_arn(principal: str, partition: str) -> str:
    """A role ARN as given; an account ID as its root (any principal the account allows)."""
    return principal if ROLE_ARN.fullmatch(principal) else f"arn:{partition}:iam::{principal}:root"
