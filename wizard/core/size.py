"""IAM's size limits, counted the way IAM counts, and the two ways under them.

IAM ignores white space when it measures a policy. A managed policy may hold 6,144 characters;
all inline policies of a role together 10,240. A policy for many repositories passes these
quickly (each repository ARN is listed once per statement), so an over-limit policy is never
emitted silently: the user chooses to split it into several managed policies, or to compact
it into namespace or prefix wildcards, seeing exactly which names each wildcard replaces.
"""

from __future__ import annotations

import json
import os
from collections import namedtuple
from enum import Enum

from wizard.core.builder import GeneratedPolicy, render_json
from wizard.core.names import describe_pattern, is_pattern


class PolicyKind(str, Enum):
    """Where the policy will live, which decides its size limit."""

    MANAGED = "managed"
    INLINE = "inline"

    @property
    def limit(self) -> int:
        return SIZE_LIMITS[self]

    @property
    def title(self) -> str:
        return "a managed policy" if self is PolicyKind.MANAGED else "a role's inline policies (all together)"


SIZE_LIMITS = {PolicyKind.MANAGED: 6144, PolicyKind.INLINE: 10240}
MANAGED_POLICIES_PER_ROLE = 10
"""IAM's default quota of managed policies attached to one role (it can be raised to 20)."""


def policy_size(document: dict) -> int:
    """The size IAM counts: the JSON without any white space outside strings."""
    return len(json.dumps(document, separators=(",", ":"), ensure_ascii=False))


class SizeCheck(namedtuple("SizeCheck", "size kind")):
    """A policy's size as IAM counts it, against the limit for its kind."""

    __slots__ = ()

    @property
    def limit(self) -> int:
        return self.kind.limit

    @property
    def fits(self) -> bool:
        return self.size <= self.limit

    def describe(self) -> str:
        return (
            f"the policy is {self.size:,} characters (white space not counted); IAM's limit for "
            f"{self.kind.title} is {self.limit:,}"
        )


def check_size(policy: GeneratedPolicy, kind: PolicyKind = PolicyKind.MANAGED) -> SizeCheck:
    return SizeCheck(policy_size(policy.document), kind)


class SizeError(ValueError):
    """Neither splitting nor compacting can bring the policy under the limit."""


def split_policy(policy: GeneratedPolicy, kind: PolicyKind = PolicyKind.MANAGED) -> list[GeneratedPolicy]:
    """Split over the repositories into policies that each fit the limit.

    Every part is a complete policy (login, pull, and push when asked) for its share of the
    repositories, so the parts can be attached in any order. Inline policies share one
    limit per role, so splitting cannot help them.
    """
    if kind is PolicyKind.INLINE:
        raise SizeError(
            "splitting cannot help: a role's inline policies count together against that one limit; "
            "split into managed policies instead, or compact"
        )
    request = policy.request
    if check_size(policy, kind).fits:
        return [policy]
    # Only the Resource lists depend on the names, so a part's size is a fixed overhead plus,
    # per repository-scoped statement, a JSON list of ARNs: count it instead of rebuilding.
    arns = set(request.repository_arns)
    scoped = sum(1 for statement in policy.statements if arns.intersection(statement.resources))
    one = policy.rebuilt(("x",))
    empty = policy_size(one.document) - scoped * len(json.dumps(request.repository_arn("x")))
    parts: list[GeneratedPolicy] = []
    chunk: list[str] = []
    listed = 0  # characters of '"arn",' entries in the current chunk
    for name in request.repositories:
        entry = len(json.dumps(request.repository_arn(name), ensure_ascii=False)) + 1
        grown = empty + scoped * (listed + entry + 1)  # + '[' ']' - the last ','
        if chunk and grown > kind.limit:
            parts.append(policy.rebuilt(chunk))
            chunk, listed = [], 0
        chunk.append(name)
        listed += entry
    parts.append(policy.rebuilt(chunk))
    for part in parts:
        if not check_size(part, kind).fits:
            raise SizeError(f"the repository {part.request.repositories[-1]!r} alone does not fit in {kind.title}")
    return parts


class Wildcard(namedtuple("Wildcard", "pattern replaces")):
    """One wildcard a compaction introduced, the names it replaces, and what else it reaches."""

    __slots__ = ()

    @property
    def also_matches(self) -> str:
        return describe_pattern(self.pattern)


class Compaction(namedtuple("Compaction", "policy wildcards")):
    """A policy that fits thanks to wildcards, and the wildcards it uses."""

    __slots__ = ()


def compact_policy(policy: GeneratedPolicy, kind: PolicyKind = PolicyKind.MANAGED) -> Compaction:
    """Replace groups of names with wildcards until the policy fits.

    First names sharing a namespace become 'namespace/*'; if that is not enough, names sharing
    a prefix become 'prefix*', longest prefixes first (the fewest surprises). Names already
    written as patterns are kept as they are.
    """
    request = policy.request
    if check_size(policy, kind).fits:
        return Compaction(policy, ())
    for grouping in (_group_by_namespace, *(_prefix_grouper(length) for length in (12, 8, 5, 3, 1))):
        names, wildcards = _apply_grouping(request.repositories, grouping)
        candidate = policy.rebuilt(names)
        if check_size(candidate, kind).fits:
            return Compaction(candidate, tuple(wildcards))
    raise SizeError("even grouping every name under a shared prefix leaves the policy over the limit; use --split")


def _apply_grouping(original, grouping) -> tuple[list[str], list[Wildcard]]:
    groups = grouping([name for name in original if not is_pattern(name)])
    replaced = {name: pattern for pattern, members in groups.items() for name in members}
    result: dict[str, None] = {}  # ordered, with O(1) membership: lists run to tens of thousands
    for name in original:
        result.setdefault(replaced.get(name, name), None)
    wildcards = [Wildcard(pattern, tuple(members)) for pattern, members in groups.items()]
    return list(result), wildcards


def _group_by_namespace(names: list[str]) -> dict[str, list[str]]:
    by_namespace: dict[str, list[str]] = {}
    for name in names:
        if "/" in name:
            by_namespace.setdefault(name.split("/", 1)[0] + "/*", []).append(name)
    return {pattern: members for pattern, members in by_namespace.items() if len(members) > 1}


def _prefix_grouper(length: int):
    """Group by namespace, then group what is left (single names, and the namespaces
    themselves) by their first `length` characters: 'team-1/*' and 'team-2/*' become 'team-*'."""

    def group(names: list[str]) -> dict[str, list[str]]:
        units: dict[str, list[str]] = {pattern[:-1]: members for pattern, members in _group_by_namespace(names).items()}
        grouped = {name for members in units.values() for name in members}
        units.update((name, [name]) for name in names if name not in grouped)
        by_prefix: dict[str, list[str]] = {}
        for unit in units:
            if len(unit) > length:
                by_prefix.setdefault(unit[:length], []).append(unit)
        groups: dict[str, list[str]] = {}
        for unit_list in by_prefix.values():
            if len(unit_list) > 1:
                prefix = os.path.commonprefix(unit_list)  # noqa: RUF071 (a string prefix, on purpose)
                groups[prefix + "*"] = [name for unit in unit_list for name in units[unit]]
        for unit, members in units.items():
            if unit.endswith("/") and not any(
                unit in unit_list for unit_list in by_prefix.values() if len(unit_list) > 1
            ):
                groups[unit + "*"] = members
        return groups

    return group


class Strategy(str, Enum):
    """How the user chose to bring an over-limit policy under the limit."""

    SPLIT = "split"
    COMPACT = "compact"


class FittedPolicy(namedtuple("FittedPolicy", "policy parts wildcards strategy size")):
    """What to emit for a policy, given the limit and the user's choice.

    policy: as built; parts: the policies to emit (one, or several when split); wildcards:
    those a compaction introduced; strategy: a Strategy or None; size: the SizeCheck of the
    policy as built.
    """

    __slots__ = ()

    @property
    def over_limit(self) -> bool:
        """Too big, and the user has not chosen a way out yet: nothing may be emitted."""
        return self.strategy is None and not self.size.fits

    @property
    def documents(self) -> list[dict]:
        return [part.document for part in self.parts]

    def text(self) -> str:
        """The JSON to copy, print or save: one policy, or an array of them when split."""
        if self.strategy is Strategy.SPLIT:
            return render_json(self.documents)
        return self.parts[0].to_json()


def fit_policy(
    policy: GeneratedPolicy, kind: PolicyKind = PolicyKind.MANAGED, strategy: Strategy | None = None
) -> FittedPolicy:
    """Apply the chosen way under the limit (raises SizeError when it cannot work)."""
    size = check_size(policy, kind)
    if strategy is Strategy.SPLIT:
        return FittedPolicy(policy, tuple(split_policy(policy, kind)), (), strategy, size)
    if strategy is Strategy.COMPACT:
        compaction = compact_policy(policy, kind)
        return FittedPolicy(policy, (compaction.policy,), compaction.wildcards, strategy, size)
    return FittedPolicy(policy, (policy,), (), None, size)


def over_limit_message(fitted: FittedPolicy, split_flag: str = "split", compact_flag: str = "compact") -> str:
    """Size, limit and the two ways out, in one sentence (flag names differ per front end)."""
    parts = len(split_policy(fitted.policy, PolicyKind.MANAGED))
    return (
        f"{fitted.size.describe()}. Two ways out: {split_flag} ({parts} managed policies, each under "
        f"{PolicyKind.MANAGED.limit:,}), or {compact_flag} (namespace or prefix wildcards; each is "
        "listed with the names it replaces and what else it matches)"
    )
