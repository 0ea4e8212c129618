"""`check` judged on real-world policies nobody here wrote (tests/fixtures/real/policies),
with the expected findings written down before the tool ran; parliament, the anchor, is run
on the same files and scored the same way (generously: by code, on any statement).
"""

from __future__ import annotations

import json

import pytest

from tests.corpus.score import corpus_paths, parliament_policy, score_policy, totals
from wizard.core.lint import check_text
from wizard.core.rules import known_codes

PATHS = corpus_paths()
CORRECT = [path for path in PATHS if json.loads(path.with_name(path.stem + ".meta.json").read_text())["correct"]]
NEEDS_KIND = {
    # Content alone cannot tell an ECR Public repository policy written with ecr: actions from a
    # private one; with --kind public-repository check names it (tested below).
    "public-repository-awscli-example-ecr-actions",
    "public-repository-pulumi-docs-new-policy-ecr-actions",
}


def test_the_corpus_is_real_and_sourced():
    assert len(PATHS) >= 40
    for path in PATHS:
        meta = json.loads(path.with_name(path.stem + ".meta.json").read_text())
        assert meta["source"].startswith("https://"), path.name
        assert meta["correct"] == (meta["expected"] == []), path.name


@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.stem)
def test_no_error_or_warning_on_a_correct_policy(path):
    assert check_text(path.read_text()).findings == []


def test_names_at_least_90_percent_of_the_real_problems():
    figures = totals()
    assert figures["ecr-policy named"] / figures["expected problems"] >= 0.90, figures
    assert figures["ecr-policy findings on correct policies"] == 0


def test_well_ahead_of_parliament_on_the_same_files():
    figures = totals()
    assert figures["ecr-policy named"] >= 3 * figures["parliament named"], figures
    assert figures["parliament findings on correct policies"] > figures["ecr-policy findings on correct policies"]


def test_every_expectation_has_a_rule_and_every_finding_a_registered_code():
    for path in PATHS:
        score = score_policy(path)
        for entry in score.expected:
            assert entry["code"] in known_codes() | {"public-principal-narrowed"}, (path.name, entry["code"])
        for finding in check_text(path.read_text()).findings:
            assert finding.code in known_codes(), (path.name, finding.code)


@pytest.mark.parametrize("path", [p for p in PATHS if p.stem in NEEDS_KIND], ids=lambda p: p.stem)
def test_ecr_actions_in_a_public_repository_policy_with_kind(path):
    from wizard.core.policy import Kind

    codes = {f.code for f in check_text(path.read_text(), Kind.PUBLIC_REPOSITORY).findings}
    assert "action-not-for-kind" in codes


def test_parliament_runs_on_every_file():
    # A sanity check of the comparison itself: parliament is really asked (it finds something).
    assert sum(len(parliament_policy(path).findings) for path in PATHS) > 0


def test_the_readme_lists_the_rules_as_they_are():
    from pathlib import Path

    from wizard.core.rules import rules_table

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    assert rules_table() in readme, "regenerate the README's rules table from wizard.core.rules.rules_table()"
