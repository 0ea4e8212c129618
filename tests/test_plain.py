"""Plain prompt mode: whole flows through prompt_toolkit pipe input, the real questionary prompts."""

from __future__ import annotations

import asyncio
import base64
import io
import json

import pyperclip
import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from tests.conftest import FIXTURES, run_cli
from tests.tui_helpers import preview_text, run_whole_flow
from wizard.core import Role, build_policy, make_request
from wizard.plain import CANCELLED, PlainWizard
from wizard.tui.app import PolicyWizardApp

DOWN, ENTER, CTRL_C, CTRL_D, BACKSPACE = "\x1b[B", "\r", "\x03", "\x04", "\x7f"
ROLE_DOWNS = {Role.CI: 0, Role.ECS: 1, Role.EKS: 2, Role.LAMBDA: 3}
DONE = DOWN * 5 + ENTER  # "What now?" -> Done (the last choice)
SETUP = ENTER * 4  # options: none; trust: the role's default; role name: suggested; same account


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def run_plain(keys: str, task: str = ENTER) -> tuple[int, str]:
    """Answer the prompts with `keys`, after choosing the task ("Create a policy" by default)."""
    out = io.StringIO()
    with create_pipe_input() as pipe:
        pipe.send_text(task + keys)
        with create_app_session(input=pipe, output=DummyOutput()):
            status = PlainWizard(out=out).run()
    return status, out.getvalue()


def answers(role: Role, repositories: list[str], region: str, account: str, access_keys: str = ENTER) -> str:
    keys = DOWN * ROLE_DOWNS[role] + ENTER + access_keys
    keys += "".join(name + ENTER for name in repositories) + ENTER
    return keys + region + ENTER + account + ENTER + SETUP


def printed_policy(output: str) -> str:
    lines = output.splitlines()
    start = lines.index("{")
    end = lines.index("}", start)
    return "\n".join(lines[start : end + 1]) + "\n"


def core_json(role, repositories, region, account, access=None) -> str:
    return build_policy(make_request(role, repositories, region, account, access).request).to_json()


@pytest.mark.parametrize(
    "role, repositories, region, account",
    [
        (Role.CI, ["my-app"], "us-east-1", "123456789012"),
        (Role.ECS, ["api", "worker"], "eu-west-1", "066635153087"),
        (Role.EKS, ["team-a/*"], "cn-north-1", "111122223333"),
        (Role.LAMBDA, ["fn-image"], "us-gov-west-1", "444455556666"),
    ],
)
def test_whole_flow_for_each_role(role, repositories, region, account):
    status, output = run_plain(answers(role, repositories, region, account) + DONE)
    assert status == 0
    assert printed_policy(output) == core_json(role, repositories, region, account)
    first = build_policy(make_request(role, repositories, region, account).request).statements[0]
    assert f"Statement 1: {first.sid} ({first.title})" in output
    # A Lambda deployer never logs in: the Lambda service pulls the image.
    login = "No docker login" if role is Role.LAMBDA else "docker login --username AWS"
    assert "Where to attach it" in output and login in output


def test_seed_policy(seed_policy):
    status, output = run_plain(answers(Role.CI, ["my-app"], "us-east-1", "123456789012") + DONE)
    assert status == 0 and json.loads(printed_policy(output)) == seed_policy


def test_access_can_be_changed_from_the_role_default():
    keys = answers(Role.CI, ["my-app"], "us-east-1", "123456789012", access_keys="\x1b[A" + ENTER)
    _, output = run_plain(keys + DONE)
    assert printed_policy(output) == core_json("ci", ["my-app"], "us-east-1", "123456789012", "pull")


def test_invalid_answers_are_refused_then_fixed():
    keys = ENTER + ENTER
    keys += "My-App" + ENTER + BACKSPACE * 6 + "my-app" + ENTER + ENTER
    keys += "mars-1" + ENTER + BACKSPACE * 6 + "eu-west-3" + ENTER
    keys += "12345" + ENTER + "6789012" + ENTER + SETUP + DONE
    status, output = run_plain(keys)
    assert status == 0
    assert printed_policy(output) == core_json("ci", ["my-app"], "eu-west-3", "123456789012")


def test_empty_repository_list_is_refused_and_warnings_are_shown():
    keys = (
        ENTER + ENTER + ENTER + "team/*" + ENTER + ENTER + "xx-south-9" + ENTER + "123456789012" + ENTER + SETUP + DONE
    )
    status, output = run_plain(keys)
    assert status == 0
    assert "warning: repository 'team/*': matches every repository in the namespace 'team/'" in " ".join(output.split())
    assert "warning: region 'xx-south-9': is not in this tool's region list" in " ".join(output.split())
    assert printed_policy(output) == core_json("ci", ["team/*"], "xx-south-9", "123456789012")


def test_region_is_completed_from_a_place_name_and_defaults_from_the_environment(monkeypatch):
    monkeypatch.setenv("AWS_REGION", "sa-east-1")
    keys = ENTER + ENTER + "my-app" + ENTER + ENTER + ENTER + "123456789012" + ENTER + SETUP + DONE
    _, output = run_plain(keys)
    assert "arn:aws:ecr:sa-east-1:123456789012:repository/my-app" in output


@pytest.mark.parametrize("interrupt", [CTRL_C, CTRL_D], ids=["ctrl-c", "ctrl-d"])
@pytest.mark.parametrize("where", ["role", "repository", "account"])
def test_interrupt_at_any_prompt_cancels_cleanly(interrupt, where, tmp_path):
    before = {
        "role": "",
        "repository": ENTER + ENTER + "my-app" + ENTER,
        "account": ENTER + ENTER + "my-app" + ENTER + ENTER + "us-east-1" + ENTER + "1234",
    }[where]
    status, output = run_plain(before + interrupt)
    assert status == 130
    if where == "role":
        status, output = run_plain(interrupt, task="")  # at the very first prompt
        assert status == 130
    assert output.rstrip().endswith(CANCELLED)
    assert "{" not in output and list(tmp_path.iterdir()) == []


def test_save_over_an_existing_file_declined_then_accepted(tmp_path):
    target = tmp_path / "policy.json"
    target.write_text("keep me")
    save = DOWN + ENTER + BACKSPACE * 40 + "policy.json" + ENTER
    keys = answers(Role.CI, ["my-app"], "us-east-1", "123456789012")
    keys += save + "n"  # declined (confirm answers on the key, no Enter)
    keys += save + "y"  # accepted
    keys += DONE
    status, output = run_plain(keys)
    assert status == 0
    assert "Kept the existing file; nothing was written." in output
    assert f"Saved to {target}" in output
    assert target.read_text() == core_json("ci", ["my-app"], "us-east-1", "123456789012")


def test_save_new_file_with_the_suggested_name(tmp_path):
    keys = answers(Role.ECS, ["api"], "us-east-1", "123456789012") + DOWN + ENTER + ENTER + DONE
    status, _output = run_plain(keys)
    saved = tmp_path / "ecs-pull-api-ecr-policy.json"
    assert status == 0 and saved.read_text() == core_json("ecs", ["api"], "us-east-1", "123456789012")


def test_save_into_a_missing_directory_says_why_and_carries_on(tmp_path):
    keys = answers(Role.CI, ["my-app"], "us-east-1", "123456789012")
    keys += DOWN + ENTER + BACKSPACE * 40 + "nope/p.json" + ENTER + DONE
    status, output = run_plain(keys)
    assert status == 0
    assert "Not saved:" in output and "does not exist" in output


def test_copy_through_pyperclip_and_through_the_terminal(monkeypatch):
    copied = []

    def copy_xclip(text):
        copied.append(text)

    monkeypatch.setattr(pyperclip, "determine_clipboard", lambda: (copy_xclip, lambda: ""))
    keys = answers(Role.CI, ["my-app"], "us-east-1", "123456789012") + ENTER + DONE
    _, output = run_plain(keys)
    expected = core_json("ci", ["my-app"], "us-east-1", "123456789012")
    assert copied == [expected]
    assert "Copied the policy to the system clipboard (xclip)." in output

    def broken(text):
        raise pyperclip.PyperclipException("no mechanism")

    monkeypatch.setattr(pyperclip, "determine_clipboard", lambda: (broken, lambda: ""))
    _, output = run_plain(keys)
    assert "\x1b]52;c;" + base64.b64encode(expected.encode()).decode() + "\a" in output
    assert "through the terminal (OSC 52)" in output


def test_colours_come_from_the_default_theme_and_no_color_is_respected(monkeypatch):
    from wizard.plain import prompt_style
    from wizard.themes import load_themes

    night = next(data for data in load_themes() if data.name == "harbor-night")
    rules = dict(prompt_style().style_rules)
    assert night.colours["accent"] in rules["qmark"] and night.colours["primary"] in rules["answer"]
    monkeypatch.setenv("NO_COLOR", "1")
    assert prompt_style().style_rules == []


def test_three_front_ends_give_byte_identical_json():
    role, repositories, region, account = Role.EKS, ["team-a/*", "api"], "eu-north-1", "066635153087"
    _, output = run_plain(answers(role, repositories, region, account) + DONE)
    plain = printed_policy(output)
    cli = run_cli(
        "generate", "--role", "eks", "--repo", "team-a/*", "--repo", "api", "--region", region, "--account", account
    ).stdout

    async def drive_tui() -> str:
        app = PolicyWizardApp()
        async with app.run_test(size=(100, 30)) as pilot:
            await run_whole_flow(pilot, role, repositories, region, account)
            return preview_text(app)

    # questionary must not run inside an event loop, so this test is synchronous and
    # gives the TUI a loop of its own.
    tui = asyncio.run(drive_tui())
    assert plain == cli == tui


def test_over_limit_policy_offers_split_or_compact(tmp_path):
    names = [f"team-{index % 7}/service-{index}" for index in range(300)]
    keys = (
        ENTER
        + ENTER
        + "".join(name + ENTER for name in names)
        + ENTER
        + "us-east-1"
        + ENTER
        + "123456789012"
        + ENTER
        + SETUP
    )
    status, output = run_plain(keys + DOWN + ENTER + DONE)  # choose "Compact"
    assert status == 0
    flat = " ".join(output.split())
    assert "The policy is 40,410 characters" in flat and "Compact would use 'team-0/*' for 43 names" in flat
    document = json.loads(printed_policy(output))
    assert "arn:aws:ecr:us-east-1:123456789012:repository/team-6/*" in document["Statement"][1]["Resource"]

    status, output = run_plain(keys + ENTER + DOWN + ENTER + ENTER + DONE)  # split, then save
    assert status == 0
    assert (
        sorted(path.name for path in tmp_path.iterdir())[0] == "ci-push-team-0-service-0-and-299-more-ecr-policy-1.json"
    )
    assert len(list(tmp_path.iterdir())) == 8


def test_plain_mode_checks_and_explains_files(tmp_path):
    bad = FIXTURES / "bad" / "blog-post-combined.json"
    status, output = run_plain(
        DOWN + ENTER + "/nope.json" + ENTER + str(bad) + ENTER + ENTER, task=""
    )  # then: tighten? no
    assert status == 0
    assert "Cannot read /nope.json: No such file or directory; try another file." in output
    assert f"{bad}: 9 findings (6 errors, 3 warnings)" in output
    assert "fix: use arn:aws:ecr:us-east-1:123456789012:repository/web" in output
    status, output = run_plain(DOWN + DOWN + ENTER + str(FIXTURES / "seed_policy.json") + ENTER, task="")
    assert status == 0
    assert output.startswith((FIXTURES / "seed-explain.txt").read_text().split("\n\nCheck:")[0])
    assert output.endswith(run_cli("check", str(FIXTURES / "seed_policy.json")).stdout)


def test_trust_options_and_outputs_in_plain_mode(tmp_path):
    keys = ENTER + ENTER + "my-app" + ENTER + ENTER + "us-east-1" + ENTER + "123456789012" + ENTER
    keys += ENTER  # no options
    keys += DOWN + ENTER  # GitHub Actions
    keys += "my-org/my-app" + ENTER + DOWN * 2 + ENTER + "production" + ENTER  # environment
    keys += ENTER + ENTER  # suggested role name, same account
    keys += DOWN * 2 + ENTER + DOWN * 2 + ENTER  # change the output to Terraform
    keys += DOWN + ENTER + ENTER  # save it with the suggested name
    keys += DONE
    status, output = run_plain(keys)
    assert status == 0
    assert "Trust policy: the trust relationship of ecr-ci-push-my-app (GitHub Actions (OIDC))." in output
    saved = (tmp_path / "ci-push-my-app-ecr-policy.tf").read_text()
    assert '"repo:my-org/my-app:environment:production"' in saved and 'resource "aws_iam_role" "ecr"' in saved


def test_bad_trust_details_are_asked_again():
    keys = ENTER + ENTER + "my-app" + ENTER + ENTER + "us-east-1" + ENTER + "123456789012" + ENTER
    keys += ENTER + DOWN + ENTER + "not-a-repo" + ENTER + ENTER + ENTER + ENTER + ENTER  # GitHub, bad repository
    keys += ENTER + ENTER + ENTER  # then: no new role, suggested name, same account
    status, output = run_plain(keys + DONE)
    assert status == 0
    assert "GitHub repository 'not-a-repo': is missing or not OWNER/REPO" in " ".join(output.split())
    assert "Let's try that again." in output


# Issue 14 (plain prompts) and issue 11 (untrusted input), items as numbered there -----------


def test_region_search_enter_takes_the_first_match_like_the_wizard():
    """Issue 14 item 14: "frank" and Enter give eu-central-1 (Tab was needed before)."""
    keys = ENTER + ENTER + "my-app" + ENTER + ENTER + "frank" + ENTER + "123456789012" + ENTER + SETUP + DONE
    status, output = run_plain(keys)
    assert status == 0
    assert "arn:aws:ecr:eu-central-1:123456789012:repository/my-app" in output


def test_region_is_checked_on_enter_not_while_typing_a_search():
    question = PlainWizard(out=io.StringIO()).region_question()
    buffer = question.application.current_buffer
    assert not buffer.validate_while_typing(), "no 'is not a region code' while the search is typed"
    keys = ENTER + ENTER + "my-app" + ENTER + ENTER + "atlantis" + ENTER + BACKSPACE * 8 + "us-east-1" + ENTER
    status, output = run_plain(keys + "123456789012" + ENTER + SETUP + DONE)
    assert status == 0 and "arn:aws:ecr:us-east-1:123456789012:repository/my-app" in output


def test_replacing_a_file_defaults_to_no(tmp_path):
    """Issue 14 item 13: Enter at "Replace?" keeps the file."""
    existing = tmp_path / "ci-push-my-app-ecr-policy.json"
    existing.write_text("keep me")
    keys = answers(Role.CI, ["my-app"], "us-east-1", "123456789012")
    keys += DOWN + ENTER + ENTER + ENTER + DONE  # Save, the suggested name, then Enter at "Replace?"
    status, output = run_plain(keys)
    assert status == 0
    assert "Kept the existing file; nothing was written." in output
    assert existing.read_text() == "keep me"


def test_no_new_role_names_no_role_and_below_is_printed_below():
    """Issue 14 item 6: no invented role name; the trust policy "below" is there."""
    status, output = run_plain(answers(Role.CI, ["my-app"], "us-east-1", "123456789012") + DONE)
    assert status == 0
    flat = " ".join(output.split())
    assert "Identity policy: attach to your existing role in account 123456789012." in flat
    assert "ecr-ci-push-my-app" not in output
    keys = answers(Role.ECS, ["api"], "us-east-1", "123456789012") + DONE  # ECS: a role with a trust policy
    status, output = run_plain(keys)
    assert "(created here with the trust policy below)" in " ".join(output.split())
    after = output.split("Where each part goes", 1)[1]
    trust = after.split("Trust policy\n", 1)[1]
    document = json.loads(trust[trust.index("{") : trust.index("\n}\n") + 2])
    assert document["Statement"][0]["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}


def test_checking_a_file_shows_control_characters_as_escapes(tmp_path):
    """Issue 11 item 2 (plain): a Sid with OSC 52 / title escapes prints them visibly."""
    policy = tmp_path / "evil.json"
    sid = "T\x1b]52;c;aGVsbG8=\x07\x1b]0;PWNED\x07\x9b2J"
    policy.write_text(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Sid": sid, "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}],
            },
            ensure_ascii=False,
        )
    )
    for task in (DOWN + ENTER, DOWN + DOWN + ENTER):  # check, then explain
        status, output = run_plain(str(policy) + ENTER + ENTER, task=task)  # then: tighten? no
        assert status == 0
        assert not any(byte in output for byte in ("\x1b", "\x07", "\x9b")), repr(output)
        assert "\\x1b]52;c;aGVsbG8=\\x07" in output


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "huge"])
def test_checking_a_device_fifo_or_huge_file_says_why_and_asks_again(tmp_path, kind):
    """Issue 11 item 4 (plain): capped reads, no blocking; the prompt asks for another file."""
    import os

    if kind == "dev-zero":
        path, expected = "/dev/zero", "is not a regular file"
    elif kind == "fifo":
        path, expected = str(tmp_path / "pipe"), "is not a regular file"
        os.mkfifo(path)
    else:
        path, expected = str(tmp_path / "huge.json"), "is larger than 262,144 bytes"
        with open(path, "wb") as stream:
            stream.truncate(1024**3)
    seed = FIXTURES / "seed_policy.json"
    status, output = run_plain(path + ENTER + str(seed) + ENTER, task=DOWN + ENTER)
    assert status == 0
    flat = " ".join(output.split())
    assert expected in flat and "try another file" in flat
    assert output.endswith(run_cli("check", str(FIXTURES / "seed_policy.json")).stdout)
