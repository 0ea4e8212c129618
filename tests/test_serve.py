"""`ecr-policy serve`: the wizard in a browser, and nothing on the server's disk within a visitor's reach.

The CLI's refusals run as subprocesses; served mode is driven with Pilot under a driver that
says it is the web one; the session limit is tried against a real server with aiohttp's
client; and one test drives the whole thing in Chromium (Debian's, through playwright).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.drivers.headless_driver import HeadlessDriver
from textual.widgets import Input, TextArea

from tests.conftest import PROJECT_ROOT, run_cli
from tests.tui_helpers import screen_text
from wizard.core.answers import Answers, Step
from wizard.tui.app import PolicyWizardApp
from wizard.tui.inspect import InspectScreen, OpenPolicyDialog

SEED = ["--role", "ci", "--repo", "my-app", "--region", "us-east-1", "--account", "123456789012"]
CHROMIUM = os.environ.get("ECR_POLICY_CHROMIUM", "/usr/bin/chromium")
CANARY_SID = "ServerSecretCanary7Q"
"""A Sid that only a policy file on the server holds: no browser may ever receive it."""

# CLI ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host, who",
    [
        ("0.0.0.0", "every network interface: anyone who can reach this machine on port 8000"),
        ("192.168.1.20", "anyone who can reach 192.168.1.20 on port 8000"),
        ("workshop.example", "anyone who can reach the host name 'workshop.example' on port 8000"),
    ],
)
def test_a_non_loopback_host_needs_public_and_says_who_could_reach_it(host, who):
    result = run_cli("serve", "--host", host)
    assert result.returncode == 2
    assert who in result.stderr
    assert "add --public to confirm" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args, message",
    [
        (["--port", "abc"], "error: --port must be a whole number from 1 to 65535, not 'abc'"),
        (["--port", "0"], "error: --port must be a whole number from 1 to 65535, not '0'"),
        (["--port", "65536"], "error: --port must be a whole number from 1 to 65535, not '65536'"),
        (["--max-sessions", "0"], "error: --max-sessions must be a whole number from 1 to 500, not '0'"),
        (
            ["--theme", "no-such-theme"],
            "error: theme 'no-such-theme' is not known. Available: harbor-day, harbor-night, textual-dark",
        ),
    ],
)
def test_bad_options_are_refused_before_anything_listens(args, message):
    result = run_cli("serve", *args)
    assert result.returncode == 2
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.stderr


def test_a_port_in_use_is_a_clear_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--port", str(port))
    assert result.returncode == 2
    assert f"error: cannot listen on 127.0.0.1 port {port}: " in result.stderr
    assert "Traceback" not in result.stderr


def test_help_states_the_session_limit_and_the_defaults():
    result = run_cli("serve", "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "browsers served at once (default 30; at most 500)" in text
    assert "(default 127.0.0.1: this machine only)" in text
    assert "(default 8000)" in text


def test_each_session_runs_this_python_and_this_wizard_with_the_chosen_theme():
    import shlex

    from wizard.cli.serve import app_command

    command = app_command("harbor-day")
    assert command.startswith("exec "), "no shell stays behind each session"
    # -P: the teacher's working directory is not on the import path (see the planted-package test).
    assert shlex.split(command.removeprefix("exec ")) == [
        *(sys.executable, "-P", "-m", "wizard", "--theme", "harbor-day")
    ]
    assert shlex.split(app_command(None, debug=True).removeprefix("exec ")) == [
        *(sys.executable, "-P", "-m", "wizard", "--debug")
    ]


def test_the_wizard_starts_under_the_web_driver_without_a_terminal():
    """textual-serve gives the app pipes, not a terminal: the check must let it through (and
    the app must speak the web driver's protocol, whose first line is __GANGLION__)."""
    environment = {
        **os.environ,
        "TEXTUAL_DRIVER": "textual.drivers.web_driver:WebDriver",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "wizard"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
    )
    try:
        first_line = process.stdout.readline()
    finally:
        process.kill()
        process.communicate(timeout=10)
    assert first_line == b"__GANGLION__\n"


def test_without_the_web_driver_the_terminal_check_still_refuses():
    result = run_cli()
    assert result.returncode == 2
    assert "the wizard needs a terminal" in result.stderr


# Served mode, with Pilot ---------------------------------------------------------------------


@pytest.fixture
def as_browser(monkeypatch) -> None:
    """Pilot's driver, claiming to be the web driver: the app decides served mode from that."""
    monkeypatch.setattr(HeadlessDriver, "is_web", property(lambda self: True))


def seed_app() -> PolicyWizardApp:
    return PolicyWizardApp(answers=Answers(repositories=["my-app"], region="us-east-1", account="123456789012"))


@pytest.fixture
def canary(tmp_path, monkeypatch) -> Path:
    """A policy file in the server's working directory that no visitor may read."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "secret.json"
    path.write_text(json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": CANARY_SID, "Effect": "Allow"}]}))
    return path


async def test_check_a_policy_in_a_browser_takes_a_paste_and_has_no_file_name_field(as_browser, canary):
    app = seed_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+o")
        dialog = app.screen
        assert isinstance(dialog, OpenPolicyDialog)
        assert not dialog.query(Input), "no field takes a server path"
        assert isinstance(app.focused, TextArea), "the paste box has the focus"
        # A visitor who types a server path only pastes those characters as "policy JSON".
        await pilot.press(*str(canary), "tab", "enter")
        await pilot.pause()
        assert isinstance(app.screen, InspectScreen)
        text = screen_text(app)
        assert "· pasted policy" in text.splitlines()[0], "the title names a paste, not a file"
        assert CANARY_SID not in text


async def test_an_upload_while_check_has_the_focus_still_lands_in_the_paste_box(as_browser, seed_policy):
    from tests.tui_helpers import feed_terminal

    app = seed_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+o", "tab")
        assert app.focused is not None and app.focused.id == "open-confirm"
        feed_terminal(pilot, "\x1b[200~" + json.dumps(seed_policy) + "\x1b[201~")
        await pilot.pause()
        await pilot.pause()
        assert json.loads(app.screen.query_one("#paste", TextArea).text) == seed_policy
        assert isinstance(app.focused, TextArea)


async def test_in_a_terminal_the_dialog_still_opens_files(canary):
    app = seed_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+o", *canary.name, "enter")
        await pilot.pause()
        assert isinstance(app.screen, InspectScreen)
        assert CANARY_SID in screen_text(app)


async def test_an_empty_paste_says_what_to_do(as_browser):
    app = seed_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+o", "tab", "enter")
        await pilot.pause()
        assert isinstance(app.screen, OpenPolicyDialog)
        assert "Paste a policy first." in screen_text(app)


def _record_deliveries(app: PolicyWizardApp) -> list[tuple[str, str, str]]:
    delivered: list[tuple[str, str, str]] = []

    def deliver_text(file, *, save_filename, mime_type, encoding, **_):
        delivered.append((save_filename, file.read(), mime_type))
        return "key"

    app.deliver_text = deliver_text
    return delivered


async def test_save_in_a_browser_is_a_download_of_what_generate_writes(as_browser, canary):
    expected = run_cli("generate", *SEED).stdout
    app = seed_app()
    delivered = _record_deliveries(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("alt+5")
        await pilot.pause()
        assert app.step is Step.REVIEW
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert delivered == [("ci-push-my-app-ecr-policy.json", expected, "application/json")]
        assert len(app.screen_stack) == 1, "no save dialog: nothing asks for a server path"
        assert app.last_outcome == "Downloading ci-push-my-app-ecr-policy.json in your browser."
        assert not app.has_unexported_result, "quitting after the download does not ask again"
    assert sorted(path.name for path in canary.parent.iterdir()) == ["secret.json"], "no file written"


async def test_any_save_dialog_in_a_browser_becomes_a_download(as_browser, canary):
    """A save added later (an explanation, a handout) that reuses SaveDialog is safe as it is."""
    from wizard.tui.dialogs import SaveDialog

    app = seed_app()
    delivered = _record_deliveries(app)
    results = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(SaveDialog(["# notes\n"], "notes.md", what="explanation"), results.append)
        await pilot.pause()
        await pilot.pause()
        assert len(app.screen_stack) == 1
        assert str(canary.parent) not in screen_text(app), "the server's directory is not shown"
    assert delivered == [("notes.md", "# notes\n", "text/markdown")]
    assert results == [None], "nothing was written on the server"
    assert [n.message for n in app._notifications] == ["Downloading notes.md in your browser."]
    assert sorted(path.name for path in canary.parent.iterdir()) == ["secret.json"]


async def test_the_explanation_in_a_browser_is_a_download_too(as_browser, canary):
    app = seed_app()
    delivered = _record_deliveries(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("alt+5")
        await pilot.pause()
        await pilot.press("f5")  # Save explanation: Markdown is the first choice
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert len(app.screen_stack) == 1
    assert [(name, mime) for name, _, mime in delivered] == [("ecr-policy-explained.md", "text/markdown")]
    assert "AllowECRPush" in delivered[0][1]
    assert app.saved_paths == []
    assert sorted(path.name for path in canary.parent.iterdir()) == ["secret.json"]


async def test_a_split_policy_downloads_as_numbered_files(as_browser):
    from wizard.core.size import Strategy

    names = [f"service-{number:04d}-with-a-long-name" for number in range(700)]
    answers = Answers(repositories=names, region="us-east-1", account="123456789012", size_strategy=Strategy.SPLIT)
    app = PolicyWizardApp(answers=answers)
    delivered = _record_deliveries(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("alt+5")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
    files = [name for name, _, _ in delivered]
    assert len(files) >= 2
    assert files == [
        f"ci-push-service-0000-with-a-long-name-and-699-more-ecr-policy-{n}.json" for n in range(1, len(files) + 1)
    ]
    assert [text for _, text, _ in delivered] == app.preview.texts_to_save()


async def test_copy_in_a_browser_goes_to_the_browsers_clipboard_never_the_servers(as_browser, monkeypatch):
    import pyperclip

    def server_clipboard():
        raise AssertionError("the server's clipboard was used")

    monkeypatch.setattr(pyperclip, "determine_clipboard", server_clipboard)
    app = seed_app()
    written: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        monkeypatch.setattr(app._driver, "write", written.append)
        await pilot.press("alt+5")
        await pilot.pause()
        await pilot.press("ctrl+y")
        await pilot.pause()
        policy = app.policy_json
    import base64

    assert f"\x1b]52;c;{base64.b64encode(policy.encode()).decode()}\a" in written, "OSC 52 to the browser"
    assert app.last_outcome == "Copied the policy (browser clipboard)."
    said = [notification.message for notification in app._notifications]
    assert said == ["Copied the policy to your browser's clipboard. Nothing to paste? Use Save: it downloads the file."]


def test_a_session_inherits_no_aws_credentials(monkeypatch):
    from wizard.workshop import WorkshopAppService

    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "teacher-secret")
    monkeypatch.setenv("AWS_PROFILE", "admin")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")

    async def nothing(*_):
        return None

    service = WorkshopAppService("true", write_bytes=nothing, write_str=nothing, close=nothing, download_manager=None)
    environment = service._build_environment(100, 30)
    assert "AWS_SECRET_ACCESS_KEY" not in environment and "AWS_PROFILE" not in environment
    assert environment["AWS_REGION"] == "eu-west-1", "the wizard's default region still comes from it"
    assert environment["TEXTUAL_DRIVER"] == "textual.drivers.web_driver:WebDriver"
    assert (environment["COLUMNS"], environment["ROWS"]) == ("100", "30")


def test_a_browser_cannot_ask_for_a_huge_terminal():
    from wizard.workshop import MAX_COLUMNS, MAX_ROWS, _bounded

    assert _bounded(10**9, 10**9) == (MAX_COLUMNS, MAX_ROWS)
    assert _bounded(-5, 0) == (10, 5)
    assert _bounded(120, 40) == (120, 40)
    assert _bounded("120", None) == (80, 24)


# A real server ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serving(cwd: Path, *args: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """`ecr-policy serve` on a free local port, in `cwd`; yields its address and process."""
    import urllib.error
    import urllib.request

    port = _free_port()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    environment["PYTHONPATH"] = str(PROJECT_ROOT)
    environment["COLUMNS"] = "200"
    server = subprocess.Popen(
        [sys.executable, "-m", "wizard", "serve", "--port", str(port), *args],
        cwd=cwd,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    address = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(address, timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the server did not start: {server.stdout.read()}") from None
                time.sleep(0.2)
        yield address, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.mark.slow
def test_one_browser_more_than_max_sessions_is_told_the_workshop_is_full(tmp_path):
    import aiohttp

    async def visit(address: str) -> None:
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(f"{address.replace('http', 'ws')}/ws?width=80&height=24") as first:
                prelude = await asyncio.wait_for(first.receive(), 20)  # the app's first frame
                assert prelude.type == aiohttp.WSMsgType.BINARY
                async with session.get(address) as page:
                    assert page.status == 503
                    assert "The workshop is full" in await page.text()
                async with session.ws_connect(f"{address.replace('http', 'ws')}/ws") as second:
                    message = await asyncio.wait_for(second.receive(), 10)
                    assert message.type == aiohttp.WSMsgType.CLOSE
                    assert second.close_code == 1013
            # The first visitor left: there is room again.
            for _ in range(50):
                async with session.get(address) as page:
                    if page.status == 200:
                        return
                await asyncio.sleep(0.2)
            raise AssertionError("the session that ended was never released")

    with serving(tmp_path, "--max-sessions", "1") as (address, _server):
        asyncio.run(visit(address))


# In a browser ------------------------------------------------------------------------------

ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[()][0-9A-Za-z]|[=>78])")


class BrowserScreen:
    """What the server sent one browser tab, as text: every websocket frame, escapes removed.
    (The page draws with WebGL, so the frames are the only text there is to read.)"""

    def __init__(self, page) -> None:
        self.frames: list[bytes] = []
        self._seen = 0
        page.on("websocket", lambda socket: socket.on("framereceived", self._received))

    def _received(self, payload) -> None:
        self.frames.append(payload if isinstance(payload, bytes) else payload.encode())

    @property
    def text(self) -> str:
        return ESCAPES.sub("", b"".join(self.frames).decode("utf-8", "replace"))

    @property
    def since_last_wait(self) -> str:
        return ESCAPES.sub("", b"".join(self.frames[self._seen :]).decode("utf-8", "replace"))

    def wait_for(self, page, needle: str, timeout: float = 20) -> None:
        """Wait until `needle` arrives in a frame received after the last wait."""
        deadline = time.monotonic() + timeout
        while needle not in self.since_last_wait:
            if time.monotonic() > deadline:
                raise AssertionError(f"{needle!r} never reached the browser; the last of it: {self.text[-1500:]!r}")
            page.wait_for_timeout(100)
        self._seen = len(self.frames)


def _need_chromium() -> None:
    if not shutil.which(CHROMIUM):
        pytest.skip(f"the browser test needs Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)")


@pytest.mark.slow
def test_a_visitor_builds_the_seed_policy_in_chromium_and_downloads_it(tmp_path, canary):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
    _need_chromium()
    expected = run_cli("generate", *SEED).stdout
    screenshots = PROJECT_ROOT / "screenshots"
    with serving(tmp_path) as (address, _server), sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        context = browser.new_context(
            viewport={"width": 1280, "height": 800},
            accept_downloads=True,
            permissions=["clipboard-read", "clipboard-write"],
        )
        page = context.new_page()
        screen = BrowserScreen(page)
        page.goto(address)
        page.wait_for_selector("body.-first-byte", timeout=30_000)
        screen.wait_for(page, "Who pulls or pushes")
        terminal = page.locator(".xterm-helper-textarea")
        terminal.focus()

        # The seed answers, with the keys a student would press (Enter moves on; ctrl+n is
        # the browser's "new window" on a real desktop).
        page.keyboard.press("Enter")  # role: CI, the first in the list
        screen.wait_for(page, "Which repositories?")
        page.keyboard.type("my-app")
        page.keyboard.press("Enter")
        screen.wait_for(page, "Added (1)")
        page.keyboard.press("Enter")
        screen.wait_for(page, "Account ID")
        page.keyboard.type("us-east-1")
        page.keyboard.press("Enter")
        page.wait_for_timeout(300)
        page.keyboard.type("123456789012")
        page.keyboard.press("Enter")
        screen.wait_for(page, "Options (none is the usual case)")
        page.keyboard.press("Enter")  # the role's trust and options as they are
        screen.wait_for(page, "Review each statement")
        page.wait_for_timeout(500)
        screenshots.mkdir(exist_ok=True)
        page.screenshot(path=str(screenshots / "serve-review.png"))

        # textual-serve's page opens the download address in a new tab; the download is the page's.
        with page.expect_download(timeout=20_000) as started:
            page.keyboard.press("Control+s")
        download = started.value
        screen.wait_for(page, "Downloading ci-push-my-app-ecr-policy.json in your browser.")
        assert download.suggested_filename == "ci-push-my-app-ecr-policy.json"
        assert Path(download.path()).read_bytes() == expected.encode("utf-8")

        # Copy reaches this browser's clipboard (textual-serve's page takes OSC 52 there).
        page.keyboard.press("Control+y")
        screen.wait_for(page, "browser clipboard")
        assert json.loads(page.evaluate("navigator.clipboard.readText()")) == json.loads(expected)

        # A server path typed into "check a policy" is only text: the file is never read.
        page.keyboard.press("Control+o")
        screen.wait_for(page, "Paste the policy JSON here")
        page.keyboard.type(str(canary))
        page.keyboard.press("Tab")  # to Check: a person's pause, so Enter reaches the button
        page.wait_for_timeout(300)
        page.keyboard.press("Enter")
        screen.wait_for(page, "pasted policy")
        assert CANARY_SID not in screen.text

        # What works instead: the policy pasted from the visitor's own clipboard.
        page.keyboard.press("Escape")
        page.wait_for_timeout(400)  # a lone ESC is told from the start of a sequence by a pause
        page.evaluate("text => navigator.clipboard.writeText(text)", expected)
        page.keyboard.press("Control+o")
        screen.wait_for(page, "Paste the policy JSON here")
        page.keyboard.press("Control+v")
        screen.wait_for(page, "repository/my-app")  # the pasted text, drawn in the paste box
        page.keyboard.press("Tab")  # to Check: a person's pause, so Enter reaches the button
        page.wait_for_timeout(300)
        page.keyboard.press("Enter")
        screen.wait_for(page, "Statement 3: AllowECRPush")

        # Or uploaded from the visitor's computer with the page's button: it arrives as a paste.
        page.keyboard.press("Escape")
        page.wait_for_timeout(400)
        uploaded = expected.replace("AllowECRPush", "UploadedPush")
        page.set_input_files(
            "#ecr-upload input", files=[{"name": "p.json", "mimeType": "application/json", "buffer": uploaded.encode()}]
        )
        screen.wait_for(page, "Paste the policy JSON here")
        screen.wait_for(page, "repository/my-app")  # the end of the file, drawn in the paste box
        page.keyboard.press("Tab")
        page.wait_for_timeout(300)
        page.keyboard.press("Enter")
        screen.wait_for(page, "Statement 3: UploadedPush")
        browser.close()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["secret.json"], "the server wrote no file"


async def test_what_a_session_writes_on_stderr_stays_on_the_server(capsys):
    """A crash's paragraph (and report path) goes to the app's stderr: textual-serve copies that
    to the server's console; the browser's websocket gets none of it and then closes."""
    import aiohttp
    from aiohttp import web

    from wizard.workshop import WorkshopServer

    crash = "import sys; print('__GANGLION__', flush=True); sys.stderr.write('report at /home/teacher/crash.txt'); sys.exit(70)"
    server = WorkshopServer(f'{sys.executable} -c "{crash}"', "127.0.0.1", 0, max_sessions=2)
    runner = web.AppRunner(await server._make_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    received: list[bytes] = []
    try:
        async with aiohttp.ClientSession() as session, session.ws_connect(f"ws://127.0.0.1:{port}/ws") as socket_:
            async for message in socket_:
                received.append(message.data if isinstance(message.data, bytes) else str(message.data).encode())
        for _ in range(50):
            if server.sessions == 0:
                break
            await asyncio.sleep(0.1)
    finally:
        await runner.cleanup()
    assert not any(b"crash.txt" in data for data in received)
    assert "report at /home/teacher/crash.txt" in capsys.readouterr().out
    assert server.sessions == 0


async def test_the_keys_help_in_a_browser_says_what_the_keys_do_there(as_browser):
    from wizard.tui.dialogs import HELP
    from wizard.tui.served import BROWSER_KEYS

    app = seed_app()
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        text = str(app.screen.query_one("#help-text Static").render())
    assert all(terminal in HELP for terminal in BROWSER_KEYS), "each replaced line is still in the help"
    assert "download the file in your browser" in text
    assert "download the explanation as Markdown or HTML" in text
    assert "copy to your browser's clipboard" in text
    assert "check a policy you paste (or upload: the page's button)" in text
    assert "window: then use enter, or click Next" in text
    assert "save to a file" not in text and "a file, or pasted" not in text


@pytest.mark.slow
def test_ctrl_c_stops_the_server_and_every_session_at_once(tmp_path):
    import signal

    import aiohttp
    import psutil

    async def visit_then_stop(address: str, server: subprocess.Popen) -> tuple[int | None, float, list]:
        url = f"{address.replace('http', 'ws')}/ws"
        async with aiohttp.ClientSession() as session, session.ws_connect(url) as websocket:
            await asyncio.wait_for(websocket.receive(), 20)
            apps = psutil.Process(server.pid).children(recursive=True)
            assert len(apps) == 1, "one process per session (no shell left waiting)"
            started = time.monotonic()
            server.send_signal(signal.SIGINT)
            async for _ in websocket:
                pass
            while server.poll() is None and time.monotonic() - started < 10:
                await asyncio.sleep(0.1)
            return websocket.close_code, time.monotonic() - started, apps

    with serving(tmp_path) as (address, server):
        code, seconds, apps = asyncio.run(visit_then_stop(address, server))
        assert server.returncode == 0
    assert code == 1001, "the browser is told the server went away"
    assert seconds < 5
    assert not [app for app in apps if app.is_running() and app.status() != psutil.STATUS_ZOMBIE]


async def test_a_ci_file_downloads_under_its_own_name_and_makes_no_folders(as_browser, canary):
    from tests.test_ci_config_tui import choose_output, github_answers

    app = PolicyWizardApp(answers=github_answers())
    delivered = _record_deliveries(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await choose_output(pilot, app, "github-actions")
        await pilot.press("ctrl+s")
        await pilot.pause()
        workflow = app.policy_json
    assert [(name, text) for name, text, _ in delivered] == [("ecr-push.yml", workflow)]
    assert sorted(path.name for path in canary.parent.iterdir()) == ["secret.json"], "no .github folder"


# Found by an attacker's try: seats, floods, other sites, planted code, double Enter ---------


def _ws(address: str) -> str:
    return f"{address.replace('http', 'ws')}/ws?width=80&height=24"


def _sessions_of(server: subprocess.Popen) -> list:
    import psutil

    return [
        child for child in psutil.Process(server.pid).children(recursive=True) if "wizard" in " ".join(child.cmdline())
    ]


@pytest.mark.slow
def test_a_websocket_from_another_sites_page_is_refused(tmp_path):
    import aiohttp

    async def visit(address: str) -> None:
        async with aiohttp.ClientSession() as session:
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(_ws(address), headers={"Origin": "http://evil.example"})
            assert refused.value.status == 403
            async with session.ws_connect(_ws(address), headers={"Origin": address}) as own:
                assert (await asyncio.wait_for(own.receive(), 20)).type == aiohttp.WSMsgType.BINARY

    with serving(tmp_path) as (address, _server):
        asyncio.run(visit(address))


@pytest.mark.slow
def test_a_flood_of_typing_ends_that_session_and_its_process(tmp_path):
    """Megabytes typed in one message end the session (1009), its process is gone and its seat
    is free again: a visitor cannot keep a CPU busy after leaving or outlast --max-sessions."""
    import aiohttp

    async def flood(address: str, server: subprocess.Popen) -> None:
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(_ws(address)) as visitor:
                await asyncio.wait_for(visitor.receive(), 20)
                assert len(_sessions_of(server)) == 1
                await visitor.send_str(json.dumps(["stdin", "a" * 1_300_000]))
                while (await asyncio.wait_for(visitor.receive(), 20)).type != aiohttp.WSMsgType.CLOSE:
                    pass
                assert visitor.close_code == 1009
            for _ in range(50):
                async with session.get(address) as page:
                    if page.status == 200 and not _sessions_of(server):
                        return
                await asyncio.sleep(0.2)
            raise AssertionError(f"the flooded session was not ended: {_sessions_of(server)}")

    with serving(tmp_path, "--max-sessions", "1") as (address, server):
        asyncio.run(flood(address, server))


@pytest.mark.slow
def test_a_wizard_package_in_the_teachers_folder_is_never_run(tmp_path):
    """Sessions start with `python -P`: a `wizard/` planted in the folder the teacher serves
    from is not imported (it would run as the teacher)."""
    import aiohttp

    console_script = Path(sys.executable).with_name("ecr-policy")
    if not console_script.exists():
        pytest.skip(f"no installed console script at {console_script}")
    planted = tmp_path / "wizard"
    planted.mkdir()
    (planted / "__init__.py").write_text("")
    (planted / "__main__.py").write_text(f"open({str(tmp_path / 'PWNED')!r}, 'w').write('ran')\n")
    port = _free_port()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    server = subprocess.Popen(
        [str(console_script), "serve", "--port", str(port)],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    async def visit() -> None:
        address = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as session:
            for _ in range(100):
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.ws_connect(_ws(address)) as visitor:
                        first = await asyncio.wait_for(visitor.receive(), 20)
                        assert first.type == aiohttp.WSMsgType.BINARY, "the real wizard answered"
                        return
                await asyncio.sleep(0.2)
            raise AssertionError("the server did not start")

    try:
        asyncio.run(visit())
    finally:
        server.terminate()
        server.wait(timeout=15)
    assert not (tmp_path / "PWNED").exists()


async def test_two_enters_in_one_read_on_the_palette_never_end_the_app():
    """A browser sends keys in one packet: ctrl+p, "q", Enter (Quit), Enter. Textual's palette
    dismissed itself twice and the second pop crashed the app with ScreenStackError (status 70
    and a report file) instead of quitting."""
    from tests.tui_helpers import feed_terminal

    app = PolicyWizardApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        feed_terminal(pilot, "\x10q\r\r")
        for _ in range(10):
            await pilot.pause()
    assert app.return_code == 0, "quit, as chosen: no crash"
