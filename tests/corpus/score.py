"""Score `check` (and parliament) against the real-world corpus in tests/fixtures/real/policies.

    python -m tests.corpus.score            # the table, per policy and in total

Each policy's expected findings were written before any tool ran (see the directory's
README). A finding names an expected problem when it has the same code (or an agreed
synonym) on the same statement (or either is about the whole document).
"""

from __future__ import annotations

import json
from collections import namedtuple
from pathlib import Path

from wizard.core.lint import check_text

CORPUS = Path(__file__).parent.parent / "fixtures" / "real" / "policies"

SYNONYMS = {
    # the corpus's words -> the codes `check` reports for the same problem
    "public-principal-narrowed": {"public-principal"},
    "cross-account-write": {"cross-account-write"},
}


class Score(namedtuple("Score", "name kind detected expected named missed extra correct")):
    __slots__ = ()


def load(path: Path) -> tuple[str, dict]:
    return path.read_text(), json.loads(path.with_name(path.stem + ".meta.json").read_text())


def _matches(expected: dict, finding) -> bool:
    codes = {expected["code"], *SYNONYMS.get(expected["code"], ())}
    same_place = (
        expected.get("statement") is None or finding.statement is None or expected["statement"] == finding.statement
    )
    return finding.code in codes and same_place


def score_policy(path: Path) -> Score:
    text, meta = load(path)
    result = check_text(text)
    findings = list(result.findings)
    expected = meta["expected"]
    named, missed = [], []
    used: set[int] = set()
    for entry in expected:
        hit = next((i for i, f in enumerate(findings) if i not in used and _matches(entry, f)), None)
        if hit is None:
            missed.append(entry)
        else:
            used.add(hit)
            named.append(entry)
    extra = [f for i, f in enumerate(findings) if i not in used]
    detected = result.document.kind.value if result.document else None
    return Score(path.stem, meta["kind"], detected, expected, named, missed, extra, meta["correct"])


def corpus_paths() -> list[Path]:
    return sorted(p for p in CORPUS.glob("*.json") if not p.name.endswith(".meta.json"))


def main() -> None:
    scores = [score_policy(path) for path in corpus_paths()]
    total = sum(len(s.expected) for s in scores)
    named = sum(len(s.named) for s in scores)
    false_alarms = sum(len(s.extra) for s in scores if s.correct)
    extras = sum(len(s.extra) for s in scores if not s.correct)
    for s in scores:
        flag = "" if not s.missed and not (s.correct and s.extra) else "  <--"
        print(f"{s.name}: kind {s.kind}/{s.detected}, named {len(s.named)}/{len(s.expected)}{flag}")
        for entry in s.missed:
            print(f"    missed {entry['code']}@{entry.get('statement')}: {entry['why'][:110]}")
        for f in s.extra:
            print(f"    extra  {f.code}@{f.statement} {f.severity}: {f.message[:110]}")
    kinds_right = sum(1 for s in scores if s.kind == s.detected)
    print(
        f"\nnamed {named}/{total} ({named / total:.0%}); false alarms on correct policies: {false_alarms}; "
        f"other findings on incorrect ones: {extras}; kind detected right: {kinds_right}/{len(scores)}"
    )
    print()
    for key, value in totals().items():
        print(f"{key:<45}{value:>5}")


# parliament, the anchor ------------------------------------------------------------------

PARLIAMENT_MEANS = {
    # parliament issue -> the corpus codes it can be said to name (generously: by code, on any statement)
    "UNKNOWN_ACTION": {"unknown-action", "wildcard-matches-nothing"},
    "RESOURCE_STAR": {"repository-actions-on-star", "resource-wildcard"},
    "INVALID_SID": {"bad-sid"},
    "DUPLICATE_SID": {"duplicate-sid"},
    "UNKNOWN_PRINCIPAL": {"invalid-principal"},
    "INVALID_ARN": {"bad-resource", "registry-url-resource"},
    "MALFORMED": {"not-a-policy", "bad-statement", "unknown-element", "no-resource", "no-action", "bad-effect"},
    "PERMISSIONS_MANAGEMENT_ACTIONS": {"permission-management"},
    "RESOURCE_MISMATCH": {"token-scoped", "action-not-for-kind", "bad-resource"},
    "OLD_VERSION": {"version-variables"},
}


class ParliamentScore(namedtuple("ParliamentScore", "name expected named findings correct")):
    __slots__ = ()


def parliament_policy(path: Path) -> ParliamentScore:
    from parliament import analyze_policy_string

    text, meta = load(path)
    try:
        issues = [
            finding.issue
            for finding in analyze_policy_string(
                text, include_community_auditors=True, ignore_private_auditors=True
            ).findings
        ]
    except Exception as error:  # parliament raises on some documents it cannot read
        issues = [f"EXCEPTION:{type(error).__name__}"]
    meant = [PARLIAMENT_MEANS.get(issue, set()) for issue in issues]
    named, used = [], set()
    for entry in meta["expected"]:
        hit = next((i for i, codes in enumerate(meant) if i not in used and entry["code"] in codes), None)
        if hit is not None:
            used.add(hit)
            named.append(entry)
    return ParliamentScore(path.stem, meta["expected"], named, issues, meta["correct"])


def totals() -> dict[str, int]:
    ours = [score_policy(path) for path in corpus_paths()]
    theirs = [parliament_policy(path) for path in corpus_paths()]
    return {
        "policies": len(ours),
        "correct policies": sum(1 for s in ours if s.correct),
        "expected problems": sum(len(s.expected) for s in ours),
        "ecr-policy named": sum(len(s.named) for s in ours),
        "ecr-policy findings on correct policies": sum(len(s.extra) for s in ours if s.correct),
        "ecr-policy findings in all": sum(len(s.named) + len(s.extra) for s in ours),
        "parliament named": sum(len(s.named) for s in theirs),
        "parliament findings on correct policies": sum(len(s.findings) for s in theirs if s.correct),
        "parliament findings in all": sum(len(s.findings) for s in theirs),
    }


if __name__ == "__main__":
    main()
