"""Issue 11 in the wizard: outside text stays inert (markup and terminal escapes), reads are
capped, pastes arrive once, long names do not end the session, SIGINT exits 130.

Driven as a user would: the real app with Pilot, real key and paste sequences through Textual's
terminal parser, a click on the injected option, and a real process in a pseudo-terminal.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from textual.widgets import Input, Label, OptionList, Static

from tests.tui_helpers import feed_terminal, screen_lines, screen_text
from wizard.core.answers import Answers, Step
from wizard.core.limits import POLICY_BYTES
from wizard.tui.app import PolicyWizardApp
from wizard.tui.dialogs import SaveDialog
from wizard.tui.inspect import InspectScreen, OpenPolicyDialog, PasteArea
from wizard.tui.preview import PolicyView

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
SIZE = (100, 30)
CONTROL_BYTES = ("\x1b", "\x07", "\x9b", "\x9d")
"""ESC, BEL and the C1 CSI and OSC introducers: none may reach the terminal from outside text."""


@pytest.fixture(autouse=True)
def no_aws_environment(monkeypatch):
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)


def policy_with_sid(sid: str) -> str:
    statement = {"Sid": sid, "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, ensure_ascii=False)


async def open_file(pilot, path: Path) -> None:
    """ctrl+o, type the file name, Enter: as a user opens a policy."""
    await pilot.press("ctrl+o")
    await pilot.press(*str(path))
    await pilot.press("enter")
    await pilot.pause()


def find_on_screen(app, text: str, within) -> tuple[int, int]:
    """Screen coordinates of `text` inside a region (where a user would click on it)."""
    for y, line in enumerate(screen_lines(app)):
        x = line.find(text, within.x, within.right)
        if within.y <= y < within.bottom and x >= 0:
            return x, y
    raise AssertionError(f"{text!r} is not on screen")


def statement_row(screen: InspectScreen) -> tuple[OptionList, int]:
    sections = screen.query_one("#inspect-sections", OptionList)
    return sections, 1  # "Whole policy" is row 0, statement 1 is row 1


# Item 1: markup injection ------------------------------------------------------------------


async def test_a_click_action_in_a_sid_is_shown_and_does_nothing_when_clicked(tmp_path):
    victim = tmp_path / "victim.txt"
    sid = f"[@click=app.screenshot('victim.txt','{tmp_path}')]ReadOnlyPull[/]"
    policy = tmp_path / "policy.json"
    policy.write_text(policy_with_sid(sid))
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await open_file(pilot, policy)
        screen = app.screen
        assert isinstance(screen, InspectScreen)
        sections, row = statement_row(screen)
        assert sections.get_option_at_index(row).prompt.plain.startswith(f"Statement 1: {sid}")
        assert "[@click=app.screenshot(" in screen_text(app), "the Sid is drawn as the characters it is"
        # Click where the would-be link text is drawn, twice (select, then a second click).
        x, y = find_on_screen(app, "ReadOnlyPull", within=sections.region)
        await pilot.click(offset=(x, y))
        await pilot.click(offset=(x, y))
        await pilot.pause()
        assert app.is_running
    assert not victim.exists(), "clicking the option must not run the Sid's action"


async def test_quit_action_link_and_style_markup_in_sids_are_inert(tmp_path):
    sids = ["[@click=app.quit]Quit[/]", "[link=file:///etc/passwd]x", "[bold red]Bold", "[/]unbalanced[/b]"]
    for number, sid in enumerate(sids):
        policy = tmp_path / f"policy-{number}.json"
        policy.write_text(policy_with_sid(sid))
        app = PolicyWizardApp()
        async with app.run_test(size=SIZE) as pilot:
            await open_file(pilot, policy)
            screen = app.screen
            assert isinstance(screen, InspectScreen), sid
            sections, row = statement_row(screen)
            prompt = sections.get_option_at_index(row).prompt
            assert prompt.plain.startswith(f"Statement 1: {sid}"), sid
            assert not prompt.spans, f"no style and no action from {sid!r}"
            assert '"Sid": ' + json.dumps(sid) in screen.query_one(PolicyView).display_text
            x, y = find_on_screen(app, sid[:8], within=sections.region)
            await pilot.click(offset=(x + 2, y))
            await pilot.click(offset=(x + 2, y))
            await pilot.pause()
            assert app.is_running, sid
            assert sid in screen_text(app), sid
        assert app.return_code in (None, 0), f"{sid!r} crashed the app"


async def test_findings_and_the_title_quote_outside_text_literally(tmp_path):
    name = tmp_path / "[b]bold" / "[@click=app.quit]x.json"
    name.parent.mkdir()
    name.write_text(
        '{"Version": "2012-10-17", "Statement": [{"Sid": "[i]a", "Effect": "Allow", '
        '"Action": "ecr:[red]Nope", "Resource": "[@click=app.quit]r"}]}'
    )
    app = PolicyWizardApp()
    async with app.run_test(size=(160, 45)) as pilot:
        await open_file(pilot, name)
        screen = app.screen
        assert isinstance(screen, InspectScreen)
        title = screen.query_one("#inspect-title", Label).content
        assert str(name) in title.plain and not any(span.style for span in title.spans if "click" in str(span.style))
        await pilot.press("down")
        detail = screen.query_one("#inspect-detail", Static).content
        assert "ecr:[red]Nope" in detail.plain and "[@click=app.quit]r" in detail.plain
        assert not [span for span in detail.spans if "@click" in str(span.style) or str(span.style) == "red"]
        assert app.is_running


async def test_errors_quoting_a_typed_file_name_stay_literal(tmp_path):
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await open_file(pilot, tmp_path / "[@click=app.quit]missing[/].json")
        message = app.screen.query_one("#open-message", Static).content
        assert "[@click=app.quit]missing[/].json" in message.plain
        await pilot.click("#open-message")
        assert app.is_running and isinstance(app.screen, OpenPolicyDialog)


async def test_a_region_from_the_environment_is_shown_escaped(monkeypatch):
    monkeypatch.setenv("AWS_REGION", "[@click=app.quit]x\x1b]0;title\x07")
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", *"my-app", "enter", "enter")
        assert app.step is Step.TARGET
        assert app.query_one("#region-input", Input).value == "[@click=app.quit]x\\x1b]0;title\\x07"
        assert not any(byte in screen_text(app) for byte in CONTROL_BYTES)
        status = app.query_one("#nav", Static).content
        assert "no region matches '[@click=app.quit]x\\x1b]0;title…'" in status.plain
        assert not [span for span in status.spans if "click=app.quit" in str(span.style)]


# Item 2: terminal escapes in the inspect pane -------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        policy_with_sid("T\x1b]52;c;aGVsbG8=\x07X"),  # OSC 52: overwrite the clipboard
        policy_with_sid("\x1b]0;PWNED\x07"),  # window title
        policy_with_sid("\x9b2J\u202eevil"),  # C1 CSI and a bidi override
        '{"Sid": "\x1b]0;RAW\x07", bad',  # not JSON: the raw text is shown as it is
    ],
    ids=["osc52", "title", "c1-bidi", "invalid-json"],
)
async def test_control_characters_in_a_policy_never_reach_the_terminal(tmp_path, text):
    policy = tmp_path / "policy.json"
    policy.write_text(text, encoding="utf-8")
    app = PolicyWizardApp()
    async with app.run_test(size=(160, 45)) as pilot:
        await open_file(pilot, policy)
        assert isinstance(app.screen, InspectScreen)
        for _ in range(3):
            shown = screen_text(app)
            assert not any(byte in shown for byte in CONTROL_BYTES), repr(shown)
            await pilot.press("down")
        view = app.screen.query_one(PolicyView).display_text
        assert "\\x1b" in view or "\\u001b" in view or "\\x9b" in view or "\\u009b" in view


async def test_pasted_text_with_control_characters_is_shown_escaped():
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o", "tab")
        feed_terminal(pilot, '\x1b[200~{"Sid": "a\x07b\x9d0;x"}\x1b[201~')
        await pilot.pause()
        pasted = app.screen.query_one("#paste", PasteArea).text
        assert "\\x07" in pasted and "\\x9d" in pasted and "\x07" not in pasted
        assert not any(byte in screen_text(app) for byte in CONTROL_BYTES)


# Item 4: reads are capped; nothing blocks -----------------------------------------------------


class _Hang(Exception):
    pass


@pytest.fixture
def hang_guard():
    """Turn a regression that blocks the event loop (a read on a FIFO) into a failure, not a
    frozen test run. Not a timing test: the bound is far beyond what any working read takes."""

    def hung(signum, frame):
        raise _Hang("the wizard blocked reading the file")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(30)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "huge", "directory", "not-utf8"])
async def test_opening_a_device_a_fifo_or_a_huge_file_says_why_inline(tmp_path, kind, hang_guard):
    if kind == "dev-zero":
        path, expected = Path("/dev/zero"), "is not a regular file"
    elif kind == "fifo":
        path, expected = tmp_path / "pipe", "is not a regular file"
        os.mkfifo(path)
    elif kind == "huge":
        path, expected = tmp_path / "huge.json", f"is larger than {POLICY_BYTES.describe()}"
        with path.open("wb") as stream:
            stream.truncate(2 * 1024**3)  # 2 GiB, sparse
    elif kind == "directory":
        path, expected = tmp_path, "is a directory"
    else:
        path, expected = tmp_path / "latin1.json", "is not UTF-8 text"
        path.write_bytes(b'{"Sid": "caf\xe9"}')
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await open_file(pilot, path)
        assert isinstance(app.screen, OpenPolicyDialog)
        message = app.screen.query_one("#open-message", Static).content.plain
        assert expected in message and message.startswith("✗")
        await pilot.press("escape")
        assert app.is_running


async def test_the_paste_area_refuses_more_than_a_policy_can_hold():
    big = " " * (POLICY_BYTES.size + 1)
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o", "tab")
        feed_terminal(pilot, "\x1b[200~" + big + "\x1b[201~")
        await pilot.pause()
        assert app.screen.query_one("#paste", PasteArea).text == ""
        message = app.screen.query_one("#open-message", Static).content.plain
        assert f"larger than {POLICY_BYTES.describe()}" in message


# Item 7: a long repository name does not end the session ------------------------------------


async def test_a_250_character_repository_name_saves_under_a_short_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    name = "a" * 250
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", *name, "enter", "enter", *"us-east-1", "enter", *"123456789012", "enter")
        await pilot.press("enter")  # Trust & options: no new role -> Review
        assert app.step is Step.REVIEW
        await pilot.press("ctrl+s")
        suggested = app.screen.query_one("#save-path", Input).value
        assert len(suggested.encode()) <= 120 and suggested.endswith("-ecr-policy.json")
        await pilot.press("enter")
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, SaveDialog)
    saved = list(tmp_path.iterdir())
    assert [path.name for path in saved] == [suggested]
    assert f"repository/{name}" in saved[0].read_text()


async def test_a_file_name_too_long_for_the_file_system_is_an_inline_error(tmp_path):
    app = PolicyWizardApp(answers=Answers(repositories=["my-app"], region="us-east-1", account="123456789012"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("alt+5", "ctrl+s")
        app.screen.query_one("#save-path", Input).value = str(tmp_path / ("p" * 300 + ".json"))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SaveDialog) and app.is_running
        message = app.screen.query_one("#save-message", Static).content.plain
        assert message.startswith("✗ Not saved:") and "limited to 255 bytes" in message
    assert list(tmp_path.iterdir()) == []


# Item 10: pastes arrive once, whatever the line endings --------------------------------------


@pytest.mark.parametrize(
    "pasted, added, field",
    [
        ("my-app", [], "my-app"),
        ("api\rweb\rworker\r", ["api", "web", "worker"], ""),
        ("api\r\nweb\r\n", ["api", "web"], ""),
        ("api\nweb", ["api", "web"], ""),
        ("api, web worker", ["api", "web", "worker"], ""),
    ],
    ids=["one-name", "cr", "crlf", "lf", "commas-and-spaces"],
)
async def test_a_bracketed_paste_in_the_repository_field(pasted, added, field):
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        assert app.step is Step.REPOSITORIES
        feed_terminal(pilot, f"\x1b[200~{pasted}\x1b[201~")
        await pilot.pause()
        assert app.answers.repositories == added
        assert app.query_one("#repo-input", Input).value == field


async def test_pasting_into_a_selection_replaces_it_once():
    app = PolicyWizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", *"old")
        field = app.query_one("#repo-input", Input)
        field.select_all()
        feed_terminal(pilot, "\x1b[200~new-name\x1b[201~")
        await pilot.pause()
        assert field.value == "new-name"


# Item 11: SIGINT -------------------------------------------------------------------------------


def _read_until(master: int, needle: bytes, deadline: float) -> bytes:
    seen = b""
    while needle not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                seen += os.read(master, 65536)
            except OSError:
                break
    return seen


@pytest.mark.slow
@pytest.mark.parametrize("saved_first", [False, True], ids=["nothing-saved", "saved-earlier"])
def test_sigint_exits_130_and_says_what_was_written(tmp_path, saved_first):
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))  # rows, columns
    environment = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    environment.update(TERM="xterm-256color")
    process = subprocess.Popen(
        [sys.executable, "-m", "wizard"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=tmp_path,
        env=environment,
        start_new_session=True,
    )
    os.close(slave)
    try:
        deadline = time.monotonic() + 30
        _read_until(master, b"Who pulls or pushes", deadline)
        if saved_first:
            for keys, shown in (
                ("\r", b"Which repositories?"),
                ("my-app\r", b"Added (1)"),
                ("\r", b"e.g. us-east-1"),
                ("us-east-1\r", b"(partition aws)"),
                ("123456789012\r", b"Who assumes the role?"),
                ("\r", b"Ready"),
            ):
                os.write(master, keys.encode())
                _read_until(master, shown, deadline)
            os.write(master, b"\x13")  # ctrl+s
            _read_until(master, b"Save the policy", deadline)
            time.sleep(0.5)  # the dialog's field takes the focus once mounted
            os.write(master, b"\r")
            _read_until(master, b"Saved ci-push-my-app-ecr-policy.json", deadline)
        process.send_signal(signal.SIGINT)
        output = _read_until(master, b"130-never", time.monotonic() + 10) if process.poll() is None else b""
        status = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)
    assert status == 130
    text = output.decode("utf-8", "replace")
    if saved_first:
        assert f"Cancelled; saved earlier: {tmp_path / 'ci-push-my-app-ecr-policy.json'}" in text
    else:
        assert "Cancelled; nothing was written." in text
        assert list(tmp_path.iterdir()) == []


# Keystroke cost with many repositories (item 12 is measured in benchmarks/run.py) -------------


async def test_typing_with_thousands_of_repositories_keeps_the_preview_right():
    names = [f"team-{index % 9}/service-{index}" for index in range(5000)]
    app = PolicyWizardApp(answers=Answers(repositories=list(names), region="us-east-1", account="123456789012"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("alt+2", *"extra")
        assert app.answers.pending_repository == "extra"
        assert '"arn:aws:ecr:us-east-1:123456789012:repository/extra"' in app.query_one(PolicyView).json_text
        assert len(screen_lines(app)) == SIZE[1]
