"""Which pipeline runs a trust policy admits, read back from the `sub` it pins.

The trust policy is the one source of truth: the workflow's trigger, its `environment:` and
GitLab's `rules:` are derived from the very `sub` string the trust policy holds (GitHub's
forms: repo:OWNER/REPO:ref:refs/heads/BRANCH, :ref:refs/tags/TAG, :environment:NAME,
:pull_request; GitLab's: project_path:GROUP/PROJECT:ref_type:branch|tag:ref:REF). A `sub`
in a customised form cannot be read back, and says so rather than guessing.
"""

from __future__ import annotations

import string
from collections import namedtuple

WILDCARDS = frozenset("*?")


class CIError(ValueError):
    """No CI configuration can be made for this setup; the message says why and what to do."""


class Runs(namedtuple("Runs", "who kind pattern")):
    """The runs a `sub` admits. who: OWNER/REPO (GitHub) or GROUP/PROJECT (GitLab), IAM
    wildcards allowed; kind: branch, tag, environment, pull_request or any; pattern: the
    branch, tag or environment name (IAM wildcards allowed), "" for pull_request and any."""

    __slots__ = ()

    @property
    def literal_who(self) -> bool:
        return not WILDCARDS.intersection(self.who)

    @property
    def literal_pattern(self) -> bool:
        return not WILDCARDS.intersection(self.pattern)


_GITHUB_REFS = (("ref:refs/heads/", "branch"), ("ref:refs/tags/", "tag"), ("environment:", "environment"))
_ANY_REF = ("", "*", "ref:*", "ref:refs/*")


def github_runs(subject: str) -> Runs:
    """The runs of a GitHub trust's sub; CIError for a customised sub format."""
    key, _, rest = subject.partition(":")
    who, _, ref = rest.partition(":")
    if key != "repo" or not who:
        raise CIError(
            f"the sub {subject!r} is in a customised format (GitHub's OIDC subject customisation), so this "
            "tool cannot tell which runs it admits: write the workflow's trigger yourself, or pin the "
            "repository with its branch, tag or environment"
        )
    if ref in _ANY_REF:
        return Runs(who, "any", "")
    if ref == "pull_request":
        return Runs(who, "pull_request", "")
    for prefix, kind in _GITHUB_REFS:
        if ref.startswith(prefix) and ref != prefix:
            return Runs(who, kind, ref.removeprefix(prefix))
    raise CIError(
        f"the sub {subject!r} names the runs {ref!r}, which is none of GitHub's ref:refs/heads/BRANCH, "
        "ref:refs/tags/TAG, environment:NAME or pull_request forms: pin a branch, tag or environment"
    )


def gitlab_runs(subject: str) -> Runs:
    """The runs of a GitLab trust's sub; CIError for a customised sub format."""
    key, _, rest = subject.partition(":")
    who, _, ref = rest.partition(":")
    if key != "project_path" or not who:
        raise CIError(f"the sub {subject!r} does not start with project_path:GROUP/PROJECT")
    if ref in ("", "*"):
        return Runs(who, "any", "")
    for ref_type in ("branch", "tag"):
        prefix = f"ref_type:{ref_type}:ref:"
        if ref.startswith(prefix) and ref != prefix:
            return Runs(who, ref_type, ref.removeprefix(prefix))
    raise CIError(
        f"the sub {subject!r} is not in GitLab's default form project_path:GROUP/PROJECT:ref_type:branch|tag:ref:REF "
        "(customised sub claims cannot be read back): write the job's rules yourself"
    )


# -- GitHub's filter patterns ----------------------------------------------------------------

_GITHUB_FILTER_SPECIAL = frozenset("*?+[]!\\")
"""Characters with a meaning in GitHub's branch and tag filters (its filter pattern cheat sheet);
a backslash makes them literal."""


def github_filter(pattern: str) -> tuple[str, bool]:
    """GitHub's filter for the names an IAM pattern matches, and whether it matches more.

    IAM's `*` is any run of characters, `/` included: GitHub's `**`. IAM's `?` is exactly one
    character, which no GitHub filter expresses: `**` again, so the filter is broader (True)."""
    parts: list[str] = []
    for char in pattern:
        if char in WILDCARDS:
            if not parts or parts[-1] != "**":
                parts.append("**")
        elif char in _GITHUB_FILTER_SPECIAL:
            parts.append("\\" + char)
        else:
            parts.append(char)
    return "".join(parts), "?" in pattern


# -- GitLab's rules ----------------------------------------------------------------------------

_GITLAB_PLAIN = frozenset(string.ascii_letters + string.digits + "._/-")
_GITLAB_VARIABLES = {"branch": "$CI_COMMIT_BRANCH", "tag": "$CI_COMMIT_TAG"}


def gitlab_rule(runs: Runs) -> str | None:
    """The `rules: - if:` expression that runs the job exactly for the admitted ref (None: every
    pipeline). A plain name is compared with ==; anything else becomes an anchored regular
    expression in which every punctuation character is escaped."""
    if runs.kind == "any":
        return None
    if "$" in runs.pattern:
        raise CIError(
            f"the {runs.kind} {runs.pattern!r} has a '$', which GitLab reads as a variable in rules: "
            "use a branch or tag name without it"
        )
    variable = _GITLAB_VARIABLES[runs.kind]
    if set(runs.pattern) <= _GITLAB_PLAIN:
        return f'{variable} == "{runs.pattern}"'
    return f"{variable} =~ /^{_gitlab_regex(runs.pattern)}$/"


def _gitlab_regex(pattern: str) -> str:
    out = []
    for char in pattern:
        if char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        elif char in string.punctuation:
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)
