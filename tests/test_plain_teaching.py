"""Plain mode's teaching choices (issue 18): "What if an action were missing?" and "Save the
explanation", through prompt_toolkit pipe input with the real questionary prompts."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from markdown_it import MarkdownIt

from tests.conftest import FIXTURES, run_cli
from tests.test_plain import (
    BACKSPACE,
    DONE,
    DOWN,
    ENTER,
    answers,
    clean_environment,  # noqa: F401  (autouse: no AWS_REGION, cwd in tmp_path)
    run_plain,
)
from wizard.core import Role, build_policy, make_request

WHAT_IF = DOWN * 3 + ENTER  # "What now?" -> What if an action were missing?
SAVE_EXPLANATION = DOWN * 4 + ENTER  # "What now?" -> Save the explanation
SEED_ACTIONS = [
    "ecr:GetAuthorizationToken",
    "ecr:BatchCheckLayerAvailability",
    "ecr:GetDownloadUrlForLayer",
    "ecr:BatchGetImage",
    "ecr:InitiateLayerUpload",
]


def seed_answers() -> str:
    return answers(Role.CI, ["my-app"], "us-east-1", "123456789012")


def test_what_if_prints_what_explain_without_prints():
    keys = seed_answers() + WHAT_IF + DOWN * SEED_ACTIONS.index("ecr:InitiateLayerUpload") + ENTER + DONE
    status, output = run_plain(keys)
    assert status == 0
    cli = run_cli("explain", str(FIXTURES / "seed_policy.json"), "--without", "ecr:InitiateLayerUpload")
    assert cli.returncode == 0
    assert cli.stdout.strip() in output, "the same simulation, word for word"
    assert "docker push: breaks at call 4, POST /v2/my-app/blobs/uploads/" in output
    # then the broken push call by call, with the verdicts, the deciding statements and the fix
    assert "Call by call, docker push without ecr:InitiateLayerUpload:" in output
    flat = " ".join(output.split())
    assert (
        "→ ecr:BatchCheckLayerAvailability on arn:aws:ecr:us-east-1:123456789012:repository/my-app: allowed by the identity policy, statement 2 (AllowECRPull)"
        in flat
    )
    assert "REFUSED, no identity-based policy allows it" in flat
    assert "Result: docker push fails at call 4 (ecr:InitiateLayerUpload)." in output
    assert "Fix: - Add ecr:InitiateLayerUpload to statement" in flat


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self._in_heading = False

    def handle_starttag(self, tag, attrs):
        self._in_heading = tag in {"h1", "h2", "h3"}
        if self._in_heading:
            self.headings.append("")

    def handle_endtag(self, tag):
        self._in_heading = False

    def handle_data(self, data):
        if self._in_heading:
            self.headings[-1] += data


def test_save_explanation_as_html_then_markdown(tmp_path: Path):
    keys = seed_answers()
    keys += SAVE_EXPLANATION + DOWN + ENTER + ENTER  # HTML, the suggested name
    keys += SAVE_EXPLANATION + ENTER + ENTER  # Markdown, the suggested name
    keys += SAVE_EXPLANATION + DOWN + ENTER + ENTER + "n"  # HTML again: the file exists, keep it
    status, output = run_plain(keys + DONE)
    assert status == 0
    html_file, markdown_file = tmp_path / "ecr-policy-explained.html", tmp_path / "ecr-policy-explained.md"
    assert f"Saved to {html_file}" in output and f"Saved to {markdown_file}" in output
    assert "Kept the existing file; nothing was written." in output
    policy = build_policy(make_request("ci", ["my-app"], "us-east-1", "123456789012").request)
    collector = Collector()
    collector.feed(html_file.read_text())
    for number, statement in enumerate(policy.statements, 1):
        assert f"Statement {number}: {statement.sid} ({statement.title})" in collector.headings
    tokens = MarkdownIt().parse(markdown_file.read_text())
    headings = [tokens[i + 1].content for i, token in enumerate(tokens) if token.type == "heading_open"]
    for number, statement in enumerate(policy.statements, 1):
        assert f"Statement {number}: {statement.sid} ({statement.title})" in headings


def test_save_explanation_into_a_missing_directory_says_why(tmp_path: Path):
    keys = seed_answers() + SAVE_EXPLANATION + ENTER + BACKSPACE * 40 + "nope/e.md" + ENTER + DONE
    status, output = run_plain(keys)
    assert status == 0 and "Not saved:" in output and "does not exist" in output
    assert not (tmp_path / "nope").exists()
