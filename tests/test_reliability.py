"""Hostile input and failure paths: clear messages, documented exit statuses, nothing lost.

Property-based tests (hypothesis) drive the core with arbitrary text, JSON and bytes; the
CLI is run as a real subprocess; the TUI is driven with Pilot while its clipboard and disk fail.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import string
import subprocess
import sys

import pyperclip
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from moto.iam.access_control import IAMPolicy, PermissionResult

from tests.conftest import run_cli
from wizard.core import RequestError, build_policy, make_request
from wizard.core.answers import Answers
from wizard.core.explain import explain_document
from wizard.core.files import SaveError, save_text
from wizard.core.lint import check_policy, check_text, load_policy
from wizard.core.names import NAME_PATTERN
from wizard.core.request import Role

SEED_ARGS = ["generate", "--role", "ci", "--repo", "my-app", "--region", "us-east-1", "--account", "123456789012"]
PULL_PUSH = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:GetDownloadUrlForLayer",
    "ecr:BatchGetImage",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:PutImage",
]

# -- property-based: the core ------------------------------------------------------------

names = st.one_of(
    st.text(max_size=40),
    st.from_regex(NAME_PATTERN, fullmatch=True).filter(lambda n: 2 <= len(n) <= 256),
    st.text(alphabet=string.ascii_lowercase + string.digits + "._-/*?", min_size=1, max_size=30),
)
regions = st.one_of(st.text(max_size=20), st.sampled_from(["us-east-1", "cn-north-1", "us-gov-west-1", "xx-new-9"]))
accounts = st.one_of(st.text(max_size=16), st.from_regex(r"[0-9]{12}", fullmatch=True))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    role=st.sampled_from(list(Role)),
    access=st.sampled_from(["pull", "push", None]),
    repository=names,
    region=regions,
    account=accounts,
)
def test_any_text_gives_a_valid_checked_policy_or_our_validation_error(role, access, repository, region, account):
    try:
        validated = make_request(role, [repository], region, account, access)
    except RequestError as error:
        assert error.errors and all(str(message) for message in error.errors)
        event("refused by validation")
        return
    event("accepted: policy built and checked")
    policy = build_policy(validated.request)
    document = json.loads(policy.to_json())
    assert document == policy.document
    # A Lambda deployer never logs in (the Lambda service pulls, not the deployer).
    deployer = validated.request.role is Role.LAMBDA and validated.request.access.value == "pull"
    assert [finding.code for finding in check_policy(document)] == []
    (name,) = validated.request.repositories
    arn = validated.request.repository_arn(name)
    if "?" in name:
        return  # moto cannot evaluate '?' (see test_oracle.py); fnmatch cases are covered there
    evaluator = IAMPolicy(json.dumps(document))
    needed = PULL_PUSH if validated.request.access.value == "push" else PULL_PUSH[1:3]
    for action in needed:
        assert evaluator.is_action_permitted(action, arn) == PermissionResult.PERMITTED
    assert evaluator.is_action_permitted("ecr:DeleteRepository", arn) == PermissionResult.NEUTRAL
    other_account = arn.replace(f":{validated.request.account}:", ":000000000000:")
    if validated.request.account != "000000000000":
        assert evaluator.is_action_permitted("ecr:BatchGetImage", other_account) == PermissionResult.NEUTRAL
    login = evaluator.is_action_permitted("ecr:GetAuthorizationToken", "*")
    assert login == (PermissionResult.NEUTRAL if deployer else PermissionResult.PERMITTED)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
policy_like = st.fixed_dictionaries(
    {},
    optional={
        "Version": st.sampled_from(["2012-10-17", "2008-10-17", "2020-01-01"]) | json_values,
        "Statement": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "Sid": st.text(max_size=10) | json_values,
                    "Effect": st.sampled_from(["Allow", "Deny", "allow"]) | json_values,
                    "Action": st.sampled_from(["ecr:*", "ecr:Get*", "ecr:PutImage", "*", "s3:GetObject"])
                    | st.lists(st.text(max_size=25), max_size=3)
                    | json_values,
                    "Resource": st.sampled_from(["*", "arn:aws:ecr:us-east-1:123456789012:repository/a*"])
                    | json_values,
                    "Principal": json_values,
                    "NotAction": json_values,
                },
            ),
            max_size=4,
        )
        | json_values,
    },
)


@settings(max_examples=500, deadline=None)
@given(document=st.one_of(policy_like, json_values))
def test_check_and_explain_handle_any_json(document):
    text = json.dumps(document)
    findings = check_text(text).findings
    assert all(finding.message and finding.fix for finding in findings)
    parsed, _ = load_policy(text)
    if parsed is not None:
        assert isinstance(explain_document(parsed), str)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=300))
def test_check_handles_any_bytes(data):
    findings = check_text(data.decode("utf-8", errors="replace")).findings
    assert all(finding.severity in ("error", "warning") for finding in findings)


# -- the CLI over hostile input ----------------------------------------------------------


@pytest.mark.parametrize(
    "flag, value, expected",
    [
        ("--repo", "", "error: repository: is empty"),
        ("--repo", "   ", "error: repository: is empty"),
        ("--region", " ", "error: region: is empty"),
        ("--account", "\t", "error: account: is empty"),
        (
            "--repo",
            "app\x1b[31mred",
            "error: repository 'app\\x1b[31mred': has characters a repository name cannot contain: '\\x1b' '['",
        ),
        ("--repo", "app\x00", "error: repository 'app\\x00': has characters a repository name cannot contain: '\\x00'"),
        ("--repo", "ａｐｐ", "error: repository 'ａｐｐ': has characters a repository name cannot contain"),
        ("--account", "١٢٣٤٥٦٧٨٩٠١٢", "error: account '١٢٣٤٥٦٧٨٩٠١٢': must contain digits only"),
        ("--repo", "a" * 100_000, "characters long; the limit is 256"),
    ],
    ids=["empty", "spaces", "blank-region", "tab-account", "escape", "nul", "fullwidth", "arabic-digits", "100KB"],
)
def test_hostile_values_get_a_clear_error_and_status_2(flag, value, expected):
    arguments = dict(zip(SEED_ARGS[1::2], SEED_ARGS[2::2], strict=False))
    arguments[flag] = value
    flat = ["generate", *[item for pair in arguments.items() for item in pair]]
    if "\x00" in value:
        # A NUL cannot travel in argv; it arrives through --repo-file.
        result = run_cli(*[a for a in flat if a != value and a != "--repo"], "--repo-file", "-", stdin=value)
    else:
        result = run_cli(*flat)
    assert result.returncode == 2 and result.stdout == ""
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr) < 2000, "a 100 KB value is not echoed back whole"
    assert "\x1b" not in result.stderr, "control characters are escaped, not sent to the terminal"


def test_output_into_a_missing_directory_onto_a_directory_and_a_device(tmp_path):
    for target, reason in [
        (tmp_path / "missing" / "p.json", "does not exist"),
        (tmp_path, "is a directory"),
        ("/dev/full", "not a regular file"),
    ]:
        result = run_cli(*SEED_ARGS, "--output", str(target))
        assert result.returncode == 2 and reason in result.stderr and "Traceback" not in result.stderr
    forced = run_cli(*SEED_ARGS, "--output", "/dev/full", "--force")
    assert forced.returncode == 2 and "not a regular file" in forced.stderr
    assert sorted(os.listdir(tmp_path)) == []


def test_output_onto_a_read_only_file_is_refused_even_with_force(tmp_path):
    target = tmp_path / "policy.json"
    target.write_text("protected")
    target.chmod(0o444)
    result = run_cli(*SEED_ARGS, "--output", str(target), "--force")
    assert result.returncode == 2 and "is read-only" in result.stderr
    assert target.read_text() == "protected" and os.listdir(tmp_path) == ["policy.json"]


def test_stdout_to_a_full_device_is_one_clear_error():
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "wizard", *SEED_ARGS], stdout=full, stderr=subprocess.PIPE, text=True, timeout=60
        )
    assert result.returncode == 2
    assert result.stderr.strip() == "error: cannot write to standard output: No space left on device"


def test_a_file_that_is_not_a_policy(tmp_path):
    for content, status in [("hello", 1), ("[1, 2]", 1), ("", 1)]:
        path = tmp_path / "x.json"
        path.write_text(content)
        result = run_cli("check", str(path))
        assert result.returncode == status and "Traceback" not in result.stderr
        assert "finding" in result.stdout


def test_an_internal_error_prints_a_short_message_and_writes_a_report(tmp_path):
    code = (
        "import sys, wizard.cli as cli, wizard.cli.generate as generate\n"
        "def boom(request, **options): raise RuntimeError('simulated bug')\n"
        "generate.build_policy = boom\n"
        f"sys.exit(cli.main({SEED_ARGS!r} + sys.argv[1:]))\n"
    )
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment, timeout=60)
    assert result.returncode == 70
    assert result.stderr.startswith("error: internal error (RuntimeError: simulated bug). This is a bug in ecr-policy")
    assert "Traceback" not in result.stderr and "--debug" in result.stderr
    (report,) = (tmp_path / "ecr-policy").iterdir()
    assert str(report) in result.stderr
    assert "RuntimeError: simulated bug" in report.read_text() and "Traceback" in report.read_text()
    debug = subprocess.run(
        [sys.executable, "-c", code, "--debug"], capture_output=True, text=True, env=environment, timeout=60
    )
    assert debug.returncode == 1 and "Traceback" in debug.stderr and "simulated bug" in debug.stderr


def test_a_crash_in_the_wizard_keeps_the_policy_in_the_report(tmp_path):
    code = (
        "from wizard.core.answers import Answers\n"
        "from wizard.tui.app import PolicyWizardApp\n"
        "class Broken(PolicyWizardApp):\n"
        "    def on_ready(self):\n"
        "        raise ValueError('simulated crash')\n"
        "app = Broken(answers=Answers(repositories=['my-app'], region='us-east-1', account='123456789012'))\n"
        "app.run(headless=True, size=(80, 24))\n"
        "raise SystemExit(app.return_code)\n"
    )
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment, timeout=60)
    assert result.returncode == 70
    assert "internal error (ValueError: simulated crash)" in result.stderr and "Traceback" not in result.stderr
    (report,) = (tmp_path / "ecr-policy").iterdir()
    assert '"Resource": "arn:aws:ecr:us-east-1:123456789012:repository/my-app"' in report.read_text()


# -- saving ------------------------------------------------------------------------------


def test_a_failing_disk_leaves_no_partial_file_and_keeps_the_old_one(tmp_path, monkeypatch):
    target = tmp_path / "policy.json"
    target.write_text("old")

    def full(descriptor):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(SaveError, match="is full"):
        save_text(target, "new" * 1000, overwrite=True)
    with pytest.raises(SaveError, match="is full"):
        save_text(tmp_path / "fresh.json", "new")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["policy.json"], "no temporary or zero-length file left behind"


def test_new_files_get_ordinary_permissions_whatever_the_umask(tmp_path):
    previous = os.umask(0o027)
    try:
        path = save_text(tmp_path / "p.json", "{}")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


# -- the TUI when things go wrong --------------------------------------------------------

SIZE = (100, 30)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)


async def test_pasting_a_thousand_names_at_once():
    from textual import events

    from wizard.tui.app import PolicyWizardApp

    names = [f"team-{index % 9}/service-{index}" for index in range(1000)]
    app = PolicyWizardApp(answers=Answers(region="us-east-1", account="123456789012"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("alt+2")
        field = app.query_one("#repo-input")
        field.post_message(events.Paste("\n".join(names) + "\nBad Name\n"))
        await pilot.pause()
        assert app.answers.repositories == names
        assert app.answers.pending_repository == ["Bad", "Name"][0] + " " + "Name"
        assert "over the limit" in str(app.query_one("#preview-title").content)


async def test_fast_key_repetition_loses_no_key():
    from textual import events

    from wizard.tui.app import PolicyWizardApp

    app = PolicyWizardApp(answers=Answers(region="us-east-1", account="123456789012"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("alt+2")
        field = app.query_one("#repo-input")
        typed = "service-" + "x" * 150
        for character in typed:
            field.post_message(events.Key(character if character != "-" else "minus", character))
        await pilot.pause()
        assert app.answers.pending_repository == typed
        assert f"repository/{typed}" in app.policy_json


async def test_resize_to_40x12_and_back_keeps_everything():
    from wizard.tui.app import PolicyWizardApp

    app = PolicyWizardApp(answers=Answers(repositories=["my-app"], region="us-east-1", account="123456789012"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("alt+5")
        before = app.policy_json
        for size in [(40, 12), (20, 6), (200, 60), (80, 24)]:
            await pilot.resize_terminal(*size)
            await pilot.pause()
        assert app.policy_json == before and app.step.name == "REVIEW"
        assert app.query_one("#nav").region.width == 80


async def test_copy_when_every_clipboard_fails_says_so_and_keeps_the_policy(monkeypatch):
    from wizard.tui.app import PolicyWizardApp

    def broken(text):
        raise pyperclip.PyperclipException("no mechanism")

    monkeypatch.setattr(pyperclip, "determine_clipboard", lambda: (broken, lambda: ""))
    app = PolicyWizardApp(answers=Answers(repositories=["my-app"], region="us-east-1", account="123456789012"))

    def terminal_broken(text):
        raise OSError(errno.EIO, "terminal went away")

    monkeypatch.setattr(app, "copy_to_clipboard", terminal_broken)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("alt+5", "ctrl+y")
        await pilot.pause()
        assert app.last_outcome.startswith("Could not copy") and "Save" in app.last_outcome
        assert app.exported_json is None and app.is_running


async def test_disk_failing_while_saving_is_shown_in_the_dialog(tmp_path, monkeypatch):
    from wizard.tui.app import PolicyWizardApp
    from wizard.tui.dialogs import SaveDialog

    monkeypatch.chdir(tmp_path)
    app = PolicyWizardApp(answers=Answers(repositories=["my-app"], region="us-east-1", account="123456789012"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("alt+5", "ctrl+s")

        def full(descriptor):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(os, "fsync", full)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SaveDialog)
        assert "is full" in str(app.screen.query_one("#save-message").content)
        monkeypatch.undo()
        monkeypatch.chdir(tmp_path)
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, SaveDialog)
    assert os.listdir(tmp_path) == ["ci-push-my-app-ecr-policy.json"]


async def test_saving_onto_a_read_only_file_is_refused_in_the_dialog(tmp_path, monkeypatch):
    from wizard.tui.app import PolicyWizardApp
    from wizard.tui.dialogs import SaveDialog

    monkeypatch.chdir(tmp_path)
    protected = tmp_path / "ci-push-my-app-ecr-policy.json"
    protected.write_text("protected")
    protected.chmod(0o444)
    app = PolicyWizardApp(answers=Answers(repositories=["my-app"], region="us-east-1", account="123456789012"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("alt+5", "ctrl+s", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SaveDialog)
        assert "is read-only" in str(app.screen.query_one("#save-message").content)
    assert protected.read_text() == "protected"
