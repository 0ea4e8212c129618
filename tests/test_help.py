"""Issue 14 item 11: the command line's help reads as `gh`, `aws` and `docker` users expect.

Run as a subprocess at the widths people have (80 columns, and a wide 200), and read as text.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import run_cli

SEED_EXAMPLE = "ecr-policy generate --role ci --repo my-app --region us-east-1 --account 123456789012"


def help_text(*args: str, columns: int = 80) -> str:
    result = run_cli(*args, "--help", env={"COLUMNS": str(columns), "LINES": "24"})
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def examples(text: str) -> list[str]:
    """The lines under "Examples:", as printed."""
    block = text.split("Examples:\n", 1)[1].split("\n\n", 1)[0]
    return block.splitlines()


def prose(text: str) -> list[str]:
    """Every line but the usage and the verbatim examples."""
    body = text.split("\n\n", 1)[1]
    return [line for line in body.splitlines() if line not in examples(text)]


@pytest.mark.parametrize(
    "command", [(), ("generate",), ("check",), ("explain",)], ids=["main", "generate", "check", "explain"]
)
@pytest.mark.parametrize("columns", [80, 200])
def test_examples_are_whole_commands_and_prose_fits_the_width(command, columns):
    text = help_text(*command, columns=columns)
    for line in examples(text):
        assert line.startswith("  "), line
        assert line.strip().startswith(("ecr-policy", "--")), line
    for line in prose(text):
        assert len(line) <= min(columns, 100), line
    assert not re.search(r"[A-Za-z]-\n", text), "a word or an option name split at a hyphen"


def test_main_help_keeps_the_example_and_the_theme_names_whole():
    text = help_text()
    assert f"  {SEED_EXAMPLE}" in examples(text)
    assert "harbor-night (default), harbor-day" in " ".join(text.split())
    assert "harbor-\n" not in text
    titles = re.findall(r"^([A-Z][A-Za-z ]+):$", text, re.MULTILINE)
    assert titles == ["Commands", "Wizard options", "General options", "Examples"]


def test_generate_help_groups_options_by_purpose_and_says_what_it_writes():
    text = help_text("generate")
    titles = re.findall(r"^([A-Z][A-Za-z ]+):$", text, re.MULTILINE)
    assert titles == [
        "What to grant",
        "Output",
        "The role and its trust policy",
        "Repository options",
        "Size limits",
        "General options",
        "Examples",
    ]
    assert len(titles) == len(set(titles)), "no two sections share a title"
    description = " ".join(text.split("\n\n")[1].split())
    assert "Terraform, CloudFormation or an AWS CLI script" in description
    assert "the identity policy as JSON (the default)" in description


def test_generate_usage_shows_required_options_as_required():
    usage = help_text("generate").split("\n\n", 1)[0]
    assert "--role ROLE --account ID --repo NAME..." in usage
    assert "[--repo" not in usage and "[--role" not in usage and "[--account" not in usage
    assert "--repo-file FILE" in usage


def test_every_option_of_generate_is_documented_once_under_its_group():
    text = help_text("generate", columns=200)
    for option in (
        "--role",
        "--repo",
        "--repo-file",
        "--region",
        "--account",
        "--access",
        "--format",
        "--document",
        "--output",
        "--force",
        "--trust",
        "--github-repo",
        "--role-name",
        "--principal",
        "--pull-through-cache",
        "--cache-create-repositories",
        "--public",
        "--kms",
        "--limit",
        "--split",
        "--compact",
        "--debug",
    ):
        assert len(re.findall(rf"^  (?:-o, )?{re.escape(option)}(?=[ ,]|$)", text, re.MULTILINE)) == 1, option


def test_without_a_terminal_the_hint_is_generate_not_plain():
    result = run_cli(stdin="")
    assert result.returncode == 2
    assert "generate --role ci --repo my-app --region us-east-1 --account 123456789012" in result.stderr
    assert "--plain" not in result.stderr
    result = run_cli("--plain", stdin="")
    assert result.returncode == 2 and "plain prompts need a terminal too" in result.stderr
    assert "ecr-policy generate" in result.stderr


def test_a_mistyped_command_says_where_help_is():
    result = run_cli("genrate")
    assert result.returncode == 2
    first, second = result.stderr.splitlines()
    assert first.startswith("error: argument COMMAND: invalid choice: 'genrate' (choose from 'generate', 'explain',")
    assert second == "(run 'ecr-policy --help' for usage)"


def test_f1_lists_every_key_the_wizard_shows():
    """The F1 keys list names each key a footer offers: the app's, and each step's own
    (ctrl+e on the first step starts from an error message)."""
    from wizard.tui.app import PolicyWizardApp
    from wizard.tui.dialogs import HELP
    from wizard.tui.steps.review import ReviewStep
    from wizard.tui.steps.role import RoleStep

    shown = [binding for binding in PolicyWizardApp.BINDINGS if binding.show]
    shown += [*RoleStep.BINDINGS, *ReviewStep.BINDINGS]
    for binding in shown:
        key = binding.key.split(",")[0]
        assert f"[b $accent]{key}[/]" in HELP, f"{key} ({binding.description}) is not in the F1 list"
    assert "start from an error message" in HELP
