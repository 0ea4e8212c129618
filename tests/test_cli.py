"""The real command line, run as a subprocess."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli
from wizard import __version__

SEED_ARGS = ("generate", "--role", "ci", "--repo", "my-app", "--region", "us-east-1", "--account", "123456789012")


def test_generate_prints_the_seed_policy(seed_policy):
    result = run_cli(*SEED_ARGS)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == seed_policy
    assert result.stdout.startswith('{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Sid"')
    assert result.stderr == ""


def test_region_defaults_to_aws_region_then_aws_default_region():
    base = ("generate", "--role", "ecs", "--repo", "api", "--account", "123456789012")
    first = run_cli(*base, env={"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "ap-south-1"})
    assert "arn:aws:ecr:eu-west-1:" in first.stdout
    second = run_cli(*base, env={"AWS_DEFAULT_REGION": "ap-south-1"})
    assert "arn:aws:ecr:ap-south-1:" in second.stdout
    explicit = run_cli(*base, "--region", "cn-north-1", env={"AWS_REGION": "eu-west-1"})
    assert "arn:aws-cn:ecr:cn-north-1:" in explicit.stdout
    missing = run_cli(*base)
    assert missing.returncode == 2 and missing.stdout == ""
    assert missing.stderr.startswith("error: no region: give --region")


def test_several_repositories_and_pull_access():
    result = run_cli(
        "generate",
        "--role",
        "ci",
        "--access",
        "pull",
        "--repo",
        "api",
        "--repo",
        "web,jobs",
        "--region",
        "us-east-2",
        "--account",
        "123456789012",
    )
    document = json.loads(result.stdout)
    assert [statement["Sid"] for statement in document["Statement"]] == ["AllowECRAuth", "AllowECRPull"]
    assert document["Statement"][1]["Resource"] == [
        f"arn:aws:ecr:us-east-2:123456789012:repository/{name}" for name in ("api", "web", "jobs")
    ]


def test_warnings_go_to_stderr_and_do_not_change_the_exit_status():
    result = run_cli(
        "generate",
        "--role",
        "eks",
        "--repo",
        "team/*",
        "--repo",
        "api",
        "--repo",
        "api",
        "--region",
        "xx-west-7",
        "--account",
        "123456789012",
    )
    assert result.returncode == 0
    json.loads(result.stdout)
    lines = result.stderr.splitlines()
    assert any(
        line.startswith("warning: repository 'team/*': matches every repository in the namespace 'team/'")
        for line in lines
    )
    assert any(line.startswith("warning: repository 'api': is listed more than once") for line in lines)
    assert any(line.startswith("warning: region 'xx-west-7': is not in this tool's region list") for line in lines)


@pytest.mark.parametrize(
    "args, expected",
    [
        (
            ("generate", "--role", "ci", "--repo", "My-App", "--region", "us-east-1", "--account", "123456789012"),
            "error: repository 'My-App': has upper-case letters",
        ),
        (
            ("generate", "--role", "ci", "--repo", "app", "--region", "mars-1", "--account", "123456789012"),
            "error: region 'mars-1': is not a region code",
        ),
        (
            ("generate", "--role", "ci", "--repo", "app", "--region", "us-east-1", "--account", "12"),
            "error: account '12': has 2 digits, not 12",
        ),
        (
            ("generate", "--role", "robot", "--repo", "app", "--account", "123456789012"),
            "error: argument --role: invalid choice: 'robot'",
        ),
        (("generate", "--repo", "app"), "error: the following arguments are required: --role, --account"),
        (
            (
                "generate",
                "--role",
                "ci",
                "--repo",
                "app",
                "--region",
                "us-east-1",
                "--account",
                "123456789012",
                "--force",
            ),
            "error: --force only applies with --output FILE",
        ),
        (
            ("generate", "--role", "ci", "--repo", "", "--region", "us-east-1", "--account", "123456789012"),
            "error: repository: is empty",
        ),
        (("frobnicate",), "error: argument COMMAND: invalid choice: 'frobnicate'"),
    ],
)
def test_bad_input_exits_2_with_an_error_line_and_nothing_on_stdout(args, expected):
    result = run_cli(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(expected), result.stderr
    assert "Traceback" not in result.stderr


def test_every_problem_is_reported_at_once():
    result = run_cli(
        "generate", "--role", "ci", "--repo", "Bad", "--repo", "x", "--region", "nowhere", "--account", "1"
    )
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert [line.split("'")[0] for line in errors] == [
        "error: repository ",
        "error: repository ",
        "error: region ",
        "error: account ",
    ]


def test_output_writes_the_file_and_refuses_to_replace_it_without_force(tmp_path, seed_policy):
    target = tmp_path / "policy.json"
    first = run_cli(*SEED_ARGS, "--output", str(target))
    assert first.returncode == 0 and first.stdout == ""
    assert f"wrote 3 statements to {target}" in first.stderr
    assert json.loads(target.read_text()) == seed_policy
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~_umask()

    target.write_text("precious")
    refused = run_cli(*SEED_ARGS, "--output", str(target))
    assert refused.returncode == 2 and refused.stdout == ""
    assert "already exists; add --force to replace it" in refused.stderr
    assert target.read_text() == "precious"

    forced = run_cli(*SEED_ARGS, "--output", str(target), "--force")
    assert forced.returncode == 0
    assert json.loads(target.read_text()) == seed_policy
    assert sorted(path.name for path in tmp_path.iterdir()) == ["policy.json"], "no temporary files left behind"


def test_output_into_a_missing_directory_is_a_clear_error(tmp_path):
    result = run_cli(*SEED_ARGS, "--output", str(tmp_path / "nope" / "policy.json"))
    assert result.returncode == 2
    assert "does not exist" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "nope").exists()


def test_version_and_help():
    version = run_cli("--version")
    assert version.returncode == 0 and version.stdout.strip() == f"ecr-policy {__version__}"
    help_text = run_cli("generate", "--help").stdout
    for flag in ("--role", "--repo", "--region", "--account", "--access", "--output", "--force", "AWS_REGION"):
        assert flag in help_text


def test_console_script_is_installed_next_to_python():
    script = Path(sys.executable).parent / "ecr-policy"
    if not script.exists():
        pytest.skip("the project is not installed in this interpreter's environment")
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == f"ecr-policy {__version__}"


def test_generate_does_not_import_the_user_interfaces():
    code = (
        "import sys; from wizard.cli import main; "
        "main(['generate','--role','ci','--repo','app','--region','us-east-1','--account','123456789012']); "
        "loaded = sorted(m for m in ('textual','questionary','prompt_toolkit','pyperclip','rich') if m in sys.modules); "
        "print(loaded, file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stderr.strip() == "[]"


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def test_no_command_without_a_terminal_explains_instead_of_starting_the_wizard():
    result = run_cli(stdin="")
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: the wizard needs a terminal")
    assert "generate" in lines[0] and "--plain" not in lines[0], "plain prompts need a terminal too (issue 14)"


def test_unknown_theme_is_refused_with_the_list():
    result = run_cli("--theme", "neon", stdin="")
    assert result.returncode == 2
    assert result.stderr.startswith(
        "error: theme 'neon' is not known. Available: harbor-day, harbor-night, textual-dark"
    )


def test_plain_mode_without_a_terminal_points_to_generate():
    result = run_cli("--plain", stdin="")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("error: plain prompts need a terminal")
    assert "Traceback" not in result.stderr
