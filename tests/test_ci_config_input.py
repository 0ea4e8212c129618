"""Issue 16: every value a user typed reaches the CI file quoted, and means there what it
means in the trust policy.

Branch, tag, environment and project names are arbitrary printable text. For any of them the
workflow and the GitLab job parse (PyYAML), keep their structure (no value turns into keys or
comments), and run exactly where the trust policy admits: the workflow's trigger filter
matches the branch itself and not a near miss (GitHub's filter syntax, tests/ci_helpers.py),
GitLab's rule matches it and nothing else. Values GitHub or GitLab would read as code are
refused with the reason.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ci_helpers import (
    github_filter_matches,
    github_trigger_admits,
    gitlab_rules_admit,
    load_yaml,
    make_bundle,
    single_job,
)
from wizard.core import RequestError
from wizard.core.ci import CIError, render_ci
from wizard.core.ci.emit import yaml_quoted, yaml_string
from wizard.core.text import has_control_characters

# Printable text as people type it into a branch name: letters, digits, punctuation, symbols,
# spaces, accents and emoji, and everything YAML or a shell treats specially.
printable = st.text(
    st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")),
    min_size=1,
    max_size=40,
).filter(lambda text: not has_control_characters(text) and text.strip() == text)
literal = printable.filter(lambda text: not set(text) & set("*?"))
TRICKY = [
    "main: x #not a comment",
    "'single' \"double\"",
    "{flow}, [list], &anchor *alias",
    "- dash | pipe > fold",
    "%directive @at `tick`",
    "back\\slash",
    "ünïcødé/ブランチ/🚀",
    "release/v1+hot[fix]!",
    "${{ github.token }}",
    "$HOME;rm -rf /",
]


@given(value=printable)
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_any_text_is_a_yaml_scalar_that_reads_back_exactly(value):
    assert load_yaml(f"key: {yaml_string(value)}\n") == {"key": value}
    assert load_yaml(f"key: {yaml_quoted(value)}\n") == {"key": value}


def _workflow(**deployment):
    return load_yaml(
        render_ci(
            make_bundle("ci", trust="github", github_repository="my-org/my-app", **deployment), "github-actions"
        ).text
    )


@given(branch=literal)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_workflow_runs_on_exactly_the_trusted_branch(branch):
    try:
        workflow = _workflow(github_branch=branch)
    except (RequestError, CIError):
        return  # refused with a message (tested below for the cases that must be refused)
    assert set(workflow) == {"name", "on", "permissions", "concurrency", "jobs"}
    (pattern,) = workflow["on"]["push"]["branches"]
    assert github_filter_matches(pattern, branch)
    for near in (branch + "x", "x" + branch, branch[:-1] or "other"):
        if near != branch:
            assert not github_filter_matches(pattern, near), (pattern, near)


@pytest.mark.parametrize("branch", TRICKY)
def test_tricky_branches_trigger_exactly_themselves(branch):
    workflow = _workflow(github_branch=branch)
    assert github_trigger_admits(workflow, "push", f"refs/heads/{branch}")
    assert not github_trigger_admits(workflow, "push", "refs/heads/main")


@pytest.mark.parametrize("environment", [name for name in TRICKY if not set(name) & set("*?") and "${{" not in name])
def test_tricky_environments_are_named_exactly(environment):
    job = single_job(_workflow(github_environment=environment))
    assert job["environment"] == environment


def test_an_environment_github_would_evaluate_is_refused():
    with pytest.raises(CIError, match="expression"):
        _workflow(github_environment="${{ github.token }}")


def test_a_tag_pattern_becomes_the_filter_that_matches_what_iam_matches():
    (pattern,) = _workflow(github_tag="v*")["on"]["push"]["tags"]
    assert pattern == "v**"  # IAM's * crosses '/', GitHub's * does not: ** does
    assert github_filter_matches(pattern, "v1.2.3") and github_filter_matches(pattern, "v1/rc")
    assert not github_filter_matches(pattern, "1.2.3")


def test_a_question_mark_pattern_is_broader_and_says_so():
    bundle = make_bundle("ci", trust="github", github_repository="o/r", github_tag="v?")
    made = render_ci(bundle, "github-actions")
    assert any("broader" in note for note in made.notes)
    assert "no equivalent in GitHub's filters" in made.text


def _gitlab_job(**deployment):
    bundle = make_bundle("ci", trust="gitlab", gitlab_project="my-group/my-app", **deployment)
    (job,) = [value for value in load_yaml(render_ci(bundle, "gitlab-ci").text).values() if isinstance(value, dict)]
    return job


@given(branch=literal)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_gitlab_job_runs_on_exactly_the_trusted_branch(branch):
    try:
        job = _gitlab_job(gitlab_branch=branch)
    except (RequestError, CIError) as error:
        assert "$" in branch or isinstance(error, RequestError), error
        return
    assert gitlab_rules_admit(job, "branch", branch)
    for near in (branch + "x", "x" + branch):
        assert not gitlab_rules_admit(job, "branch", near)
    assert not gitlab_rules_admit(job, "tag", branch)


def test_a_dollar_in_a_gitlab_branch_is_refused_with_the_reason():
    with pytest.raises(CIError, match="variable"):
        _gitlab_job(gitlab_branch="release-$VERSION")


def test_a_gitlab_branch_pattern_becomes_an_anchored_expression():
    job = _gitlab_job(gitlab_sub="project_path:my-group/my-app:ref_type:branch:ref:release/*")
    assert gitlab_rules_admit(job, "branch", "release/1.x") and gitlab_rules_admit(job, "branch", "release/a/b")
    assert not gitlab_rules_admit(job, "branch", "pre-release/1") and not gitlab_rules_admit(job, "branch", "main")
