"""The GitHub Actions a generated workflow uses, each pinned by its full commit SHA.

A tag can be moved to other code; a commit SHA cannot, which is why security scanners (zizmor's
unpinned-uses, OpenSSF Scorecard's pinned-dependencies) want `uses: OWNER/REPO@SHA # vX.Y.Z`.
Nothing here reaches the network: each SHA is the commit that the release tag points to, read
from a stored snapshot of the action's public repository (the snapshot's newest commit is
`snapshot_of`). The source is the commit's page, where GitHub shows the tags that contain it.
Update the three together, and the tests' expectations with them.
"""

from __future__ import annotations

from collections import namedtuple


class PinnedAction(namedtuple("PinnedAction", "repository version sha source snapshot_of")):
    """One action: OWNER/REPO, the release tag, the commit it points to, where to check it."""

    __slots__ = ()

    @property
    def uses(self) -> str:
        return f"{self.repository}@{self.sha}"

    @property
    def provenance(self) -> str:
        return (
            f"{self.repository} {self.version} = commit {self.sha} (its tag {self.version} in the repository as "
            f"of {self.snapshot_of}): {self.source}"
        )


def _action(repository: str, version: str, sha: str, snapshot_of: str) -> PinnedAction:
    return PinnedAction(repository, version, sha, f"https://github.com/{repository}/commit/{sha}", snapshot_of)


CHECKOUT = _action("actions/checkout", "v7.0.1", "3d3c42e5aac5ba805825da76410c181273ba90b1", "2026-07-20")
CONFIGURE_AWS_CREDENTIALS = _action(
    "aws-actions/configure-aws-credentials", "v6.2.3", "e6de054238d6b7531b4efff3b6587d9aade6a06c", "2026-08-18"
)
"""Its `audience` input defaults to sts.amazonaws.com (action.yml of v6.2.3)."""
AMAZON_ECR_LOGIN = _action(
    "aws-actions/amazon-ecr-login", "v2.1.7", "03f1aad4c6c7ffd436567f42f9384779290529bd", "2026-08-19"
)
"""Inputs `registries` (account IDs) and `registry-type` (private or public), action.yml of v2.1.7."""

PINNED_ACTIONS = (CHECKOUT, CONFIGURE_AWS_CREDENTIALS, AMAZON_ECR_LOGIN)
