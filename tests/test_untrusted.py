"""Untrusted input stays inert (issue 11): policies, arguments and the environment are text
to show, never instructions to the terminal, never unbounded work, never a crash.

The CLI runs as a real subprocess where the terminal, the file system or the process state
matters; the many-examples property tests call `main()` in-process with captured streams.
"""

from __future__ import annotations

import fnmatch
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURES, run_cli
from wizard.cli import main
from wizard.core.glob import glob_covers, glob_match, globs_overlap
from wizard.core.text import visible

SEED_ARGS = ["generate", "--role", "ci", "--repo", "my-app", "--region", "us-east-1", "--account", "123456789012"]
FORBIDDEN = {chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0))} | {
    "\u202e",
    "\u202d",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200f",
    "\u061c",
}
OSC52 = "\u001b]52;c;cHduZWQ=\u0007"


def _terminal_safe(text: str) -> bool:
    return not (set(text) & FORBIDDEN)


def _policy_with_sid(sid: str, action: str = "ecr:BatchGetImage") -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": sid, "Effect": "Allow", "Action": action, "Resource": "arn:aws:ecr:us-east-1:1:repository/x"}
            ],
        }
    )


def run_main(arguments: list[str], stdin: str = "") -> tuple[int, str, str]:
    """`main()` in-process, with stdin, stdout and stderr captured as text."""
    old = sys.stdin, sys.stdout, sys.stderr
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8", "surrogatepass")), encoding="utf-8")
    sys.stdout, sys.stderr = io.StringIO(), io.StringIO()
    try:
        status = main(arguments)
        return status, sys.stdout.getvalue(), sys.stderr.getvalue()
    finally:
        sys.stdin, sys.stdout, sys.stderr = old


# 2. Terminal escapes ------------------------------------------------------------------------


def test_an_osc52_sid_cannot_write_the_clipboard_through_check(tmp_path):
    path = tmp_path / "policy.json"
    path.write_text(_policy_with_sid(f"Pull{OSC52}"))
    result = run_cli("check", str(path))
    assert result.returncode == 1
    assert _terminal_safe(result.stdout + result.stderr)
    assert "Pull\\x1b]52;c;cHduZWQ=\\x07" in result.stdout, "the Sid is shown, escaped"


def test_window_title_and_screen_clear_are_shown_not_obeyed_in_explain(tmp_path):
    path = tmp_path / "policy.json"
    path.write_text(_policy_with_sid("T\u001b]0;owned\u0007", action="ecr:Batch\u001b[2JGetImage"))
    result = run_cli("explain", str(path))
    assert result.returncode == 0 and _terminal_safe(result.stdout + result.stderr)
    assert "T\\x1b]0;owned\\x07" in result.stdout and "ecr:Batch\\x1b[2JGetImage" in result.stdout


def test_registry_url_fix_and_resources_are_escaped(tmp_path):
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "ecr:BatchGetImage",
                "Resource": "1.dkr.ecr.us-east-1.amazonaws.com/a\u001b[31m\u202eb",
            }
        ],
    }
    for command in ("check", "explain"):
        result = run_cli(command, "-", stdin=json.dumps(document))
        assert _terminal_safe(result.stdout + result.stderr), command
        assert "\\x1b[31m\\u202eb" in result.stdout, command


def test_arguments_and_environment_are_escaped_in_error_messages():
    result = run_cli(
        "generate",
        "--role",
        "ci",
        "--repo",
        "x\u001b]52;c;AAAA\u0007",
        "--account",
        "123456789012",
        env={"AWS_REGION": "eu-west-1\u001b[2J"},
    )
    assert result.returncode == 2 and _terminal_safe(result.stderr)
    assert "\\x1b]52;c;AAAA\\x07" in result.stderr


HOSTILE_PIECES = [
    *"ab[]/:* ",
    "[@click=app.quit]",
    "[bold red]",
    "[link=file:///etc/passwd]x",
    *"\n\t\x1b\x07\x9b\x85\u202e\u2066\u200f\x00\x7fé✓",
    "\x1b]52;c;AA\x07",
]
hostile_text = st.lists(st.sampled_from(HOSTILE_PIECES), max_size=12).map("".join)


@settings(max_examples=60, deadline=None)
@given(sid=hostile_text, action=hostile_text, resource=hostile_text)
def test_no_control_character_reaches_the_terminal_from_check_or_explain(sid, action, resource):
    document = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Sid": sid, "Effect": "Allow", "Action": action, "Resource": resource}],
        }
    )
    for arguments in (["check", "-"], ["check", "--format", "json", "-"], ["explain", "-"]):
        status, out, err = run_main(arguments, stdin=document)
        assert status in (0, 1), (arguments, err)
        assert _terminal_safe(out + err), arguments
        if arguments == ["explain", "-"] and sid:
            assert visible(sid) in out, "what was there is still shown"


@settings(max_examples=40, deadline=None)
@given(value=hostile_text)
def test_no_control_character_reaches_the_terminal_from_argument_errors(value):
    status, out, err = run_main(
        ["generate", "--role", "ci", "--repo", value or "\u001b", "--region", value or "x", "--account", value or "1"]
    )
    assert status == 2 and out == ""
    assert _terminal_safe(err)


# 3. ReDoS: linear matching ----------------------------------------------------------------


def test_star_runs_in_an_action_do_not_hang_check():
    document = '{"Statement":[{"Effect":"Allow","Action":"' + "*" * 5000 + '!","Resource":"*"}]}'
    result = run_cli("check", "-", stdin=document)  # exponential before: 8 stars took 28 s
    assert result.returncode == 1 and "wildcard-matches-nothing" not in result.stdout
    assert "matches no" in result.stdout or "not an action" in result.stdout or result.stdout


def test_star_patterns_against_long_names_do_not_hang_generate():
    result = run_cli(
        "generate",
        "--role",
        "ci",
        "--repo",
        "a*" * 60 + "b",
        "--repo",
        "a" * 200,
        "--region",
        "us-east-1",
        "--account",
        "123456789012",
    )
    assert result.returncode == 0


patterns = st.text(alphabet="ab*?", max_size=8)
words = st.text(alphabet="ab", max_size=8)


@settings(max_examples=500, deadline=None)
@given(pattern=patterns, word=words)
def test_linear_glob_agrees_with_fnmatch(pattern, word):
    # fnmatch implements the same two wildcards ('*' any run, '?' one character) with a regex.
    assert glob_match(pattern, word) == fnmatch.fnmatchcase(word, pattern)


@settings(max_examples=300, deadline=None)
@given(outer=patterns, inner=patterns, word=words)
def test_glob_cover_is_sound_and_overlap_has_witnesses(outer, inner, word):
    if glob_covers(outer, inner) and glob_match(inner, word):
        assert glob_match(outer, word)
    if glob_match(outer, word) and glob_match(inner, word):
        assert globs_overlap(outer, inner)


# 4. Unbounded reads --------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["check", "explain"])
def test_reading_dev_zero_stops_at_the_stated_limit(command):
    result = run_cli(command, "/dev/zero")
    assert result.returncode == 2 and result.stdout == ""
    assert "is larger than 262,144 bytes, the limit for a policy document" in result.stderr


def test_an_endless_repository_list_on_stdin_stops_at_the_limit():
    yes = subprocess.Popen(["yes", "my-app"], stdout=subprocess.PIPE)
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "wizard",
                *SEED_ARGS[:3],
                "--region",
                "us-east-1",
                "--account",
                "123456789012",
                "--repo-file",
                "-",
            ],
            stdin=yes.stdout,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        yes.kill()
    assert result.returncode == 2 and result.stdout == ""
    assert "the limit for a repository list" in result.stderr


def test_a_repository_list_over_the_name_limit_is_refused(tmp_path):
    path = tmp_path / "repos.txt"
    path.write_text("\n".join(f"r{i:06d}" for i in range(100_001)))
    result = run_cli(
        "generate", "--role", "ci", "--region", "us-east-1", "--account", "123456789012", "--repo-file", str(path)
    )
    assert result.returncode == 2 and "more than 100,000 names" in result.stderr


# 6. Crash reports --------------------------------------------------------------------------

CRASH = (
    "import sys, wizard.cli as cli, wizard.cli.generate as generate\n"
    "def boom(request): raise RuntimeError('simulated bug')\n"
    "generate.build_policy = boom\n"
    f"sys.exit(cli.main({SEED_ARGS!r}))\n"
)


def test_crash_reports_are_private_files_in_a_private_directory(tmp_path):
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = subprocess.run([sys.executable, "-c", CRASH], capture_output=True, text=True, env=environment, timeout=60)
    assert result.returncode == 70
    directory = tmp_path / "cache" / "ecr-policy"
    (report,) = directory.iterdir()
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE(report.stat().st_mode) == 0o600


def test_crash_reports_stop_at_the_limit(tmp_path):
    """A crash that repeats (or a `serve` visitor crashing a session on purpose) fills no disk."""
    from wizard.crash import MAX_REPORTS

    directory = tmp_path / "cache" / "ecr-policy"
    directory.mkdir(parents=True, mode=0o700)
    for number in range(MAX_REPORTS):
        (directory / f"crash-old-{number}.txt").write_text("old")
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    result = subprocess.run([sys.executable, "-c", CRASH], capture_output=True, text=True, env=environment, timeout=60)
    assert result.returncode == 70 and f"{MAX_REPORTS} reports there already" in result.stderr
    assert len(list(directory.iterdir())) == MAX_REPORTS and not list((tmp_path / "tmp").rglob("crash-*"))


def test_a_planted_symlink_is_never_followed_by_the_fallback_report(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    shared_tmp = tmp_path / "tmp"
    shared_tmp.mkdir()
    (shared_tmp / f"ecr-policy-{os.getuid()}").symlink_to(tmp_path)  # an attacker's link to a directory
    unwritable = tmp_path / "no-cache"
    unwritable.write_text("a file, so the cache directory cannot be created")
    environment = {**os.environ, "XDG_CACHE_HOME": str(unwritable), "TMPDIR": str(shared_tmp)}
    result = subprocess.run([sys.executable, "-c", CRASH], capture_output=True, text=True, env=environment, timeout=60)
    assert result.returncode == 70 and "No report could be written" in result.stderr
    assert victim.read_text() == "precious" and not list(tmp_path.glob("crash-*"))


# 7. Bad input is status 2 or a finding, never 70 ---------------------------------------------


def test_deep_nesting_and_huge_numbers_are_findings():
    deep = run_cli("check", "-", stdin="[" * 100_000)
    assert deep.returncode == 1 and "nests deeper than 64 levels" in deep.stdout
    number = run_cli("check", "-", stdin='{"Statement": ' + "9" * 5000 + "}")
    assert number.returncode == 1 and "5,000 digits" in number.stdout


@pytest.mark.parametrize("extra", [[], ["--split"]])
def test_an_overlong_output_name_is_a_usage_error(tmp_path, extra):
    result = run_cli(*SEED_ARGS, *extra, "-o", str(tmp_path / ("p" * 300 + ".json")))
    assert result.returncode == 2 and "file names are limited to 255 bytes" in result.stderr
    assert not list(tmp_path.iterdir())


def test_closed_stdout_is_a_usage_error():
    result = subprocess.run(
        [sys.executable, "-m", "wizard", *SEED_ARGS],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        close_fds=True,
        preexec_fn=lambda: os.close(1),
        timeout=60,
    )
    assert result.returncode == 2 and "standard output is closed" in result.stderr


def test_an_ascii_terminal_gets_escapes_instead_of_a_crash():
    result = run_cli("explain", str(FIXTURES / "seed_policy.json"), env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 0 and "Traceback" not in result.stderr


# 8. Diagnostics never reach stdout -----------------------------------------------------------


def test_with_stderr_closed_warnings_do_not_corrupt_the_output(tmp_path):
    arguments = ["generate", "--role", "ci", "--repo", "team/*", "--region", "us-east-1", "--account", "123456789012"]
    for extra, check in (([], json.loads), (["--format", "aws-cli"], None)):
        result = subprocess.run(
            [sys.executable, "-m", "wizard", *arguments, *extra],
            capture_output=True,
            text=True,
            preexec_fn=lambda: os.close(2),
            timeout=60,
        )
        assert result.returncode == 0
        assert "warning" not in result.stdout
        if check:
            check(result.stdout)
        else:
            assert subprocess.run(["bash", "-n"], input=result.stdout, text=True).returncode == 0


def test_stderr_on_a_full_device_does_not_fail_the_command():
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "wizard",
                "generate",
                "--role",
                "ci",
                "--repo",
                "team/*",
                "--region",
                "us-east-1",
                "--account",
                "123456789012",
            ],
            stdout=subprocess.PIPE,
            stderr=full,
            text=True,
            timeout=60,
        )
    assert result.returncode == 0 and json.loads(result.stdout)


# 9. Files ----------------------------------------------------------------------------------


def test_every_target_is_checked_before_any_is_written(tmp_path):
    (tmp_path / "s.trust.json").write_text("stale")
    result = run_cli(
        "generate",
        "--role",
        "ecs",
        "--repo",
        "api",
        "--region",
        "us-east-1",
        "--account",
        "123456789012",
        "-o",
        str(tmp_path / "s.json"),
    )
    assert result.returncode == 2 and "s.trust.json already exists" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.trust.json"], "s.json was not written"


def test_a_failure_part_way_through_leaves_no_part_behind(tmp_path, monkeypatch):
    from wizard.core import files

    real = files._write_temporary
    calls = []

    def full_disk_on_the_third(destination, text):
        calls.append(destination)
        if len(calls) == 3:
            raise files.SaveError(files._describe(OSError(28, "No space left on device"), destination))
        return real(destination, text)

    monkeypatch.setattr(files, "_write_temporary", full_disk_on_the_third)
    items = [(tmp_path / f"p-{n}.json", "{}") for n in range(1, 6)]
    with pytest.raises(files.SaveError, match=r"disk .* is full"):
        files.save_all(items)
    assert list(tmp_path.iterdir()) == [], "neither parts nor temporary files remain"


def _split_args(count: int, tmp_path: Path) -> list[str]:
    names = tmp_path / f"repos-{count}.txt"
    names.write_text("\n".join(f"team-{i % 7}/service-{i}" for i in range(count)))
    return [
        "generate",
        "--role",
        "ci",
        "--region",
        "us-east-1",
        "--account",
        "123456789012",
        "--repo-file",
        str(names),
        "--split",
        "-o",
        str(tmp_path / "out" / "pol.json"),
    ]


def test_parts_left_by_a_larger_split_are_named_and_replaced_only_with_force(tmp_path):
    (tmp_path / "out").mkdir()
    assert run_cli(*_split_args(300, tmp_path)).returncode == 0
    before = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(before) > 2
    refused = run_cli(*_split_args(20, tmp_path))
    assert refused.returncode == 2 and "from an earlier split would be left behind" in refused.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == before
    forced = run_cli(*_split_args(20, tmp_path), "--force")
    assert forced.returncode == 0 and "left from an earlier split" in forced.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["pol-1.json"]


def test_dash_output_means_stdout_and_an_empty_name_is_refused(tmp_path):
    dash = run_cli(*SEED_ARGS, "-o", "-", cwd=tmp_path)
    assert dash.returncode == 0 and json.loads(dash.stdout) and list(tmp_path.iterdir()) == []
    empty = run_cli(*SEED_ARGS, "-o", "")
    assert empty.returncode == 2 and "--output needs a file name" in empty.stderr


# 10. Input quirks --------------------------------------------------------------------------


def test_duplicate_keys_are_reported_and_both_copies_checked():
    text = (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],'
        ' "Statement": [{"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}]}'
    )
    result = run_cli("check", "-", stdin=text)
    assert result.returncode == 1
    assert "'Statement' appears twice" in result.stdout
    assert "administrator-level access" in result.stdout, "the hidden first Statement is checked too"


def test_nan_is_not_json_and_a_bom_is_fine(tmp_path):
    nan = run_cli("check", "-", stdin='{"Version": NaN, "Statement": []}')
    assert nan.returncode == 1 and "NaN is not JSON" in nan.stdout
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + (FIXTURES / "seed_policy.json").read_bytes())
    clean = run_cli("check", str(bom))
    assert clean.returncode == 0, clean.stdout
