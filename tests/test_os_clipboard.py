"""The real OS clipboard path, once: a virtual X display, xclip, copy in the app, read back.

Needs Xvfb and xclip (.ci/run installs them where it can); skips with the reason elsewhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest

from wizard.core.answers import Answers
from wizard.tui.app import PolicyWizardApp

pytestmark = pytest.mark.skipif(
    shutil.which("Xvfb") is None or shutil.which("xclip") is None,
    reason="the real clipboard test needs Xvfb and xclip (apt-get install xvfb xclip)",
)


@pytest.fixture
def x_display(monkeypatch):
    number = 90 + os.getpid() % 100
    display = f":{number}"
    server = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", "640x480x24", "-nolisten", "tcp"], stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 10
        while not os.path.exists(f"/tmp/.X11-unix/X{number}"):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Xvfb did not start on {display}")
            time.sleep(0.05)
        monkeypatch.setenv("DISPLAY", display)
        monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
        yield display
    finally:
        server.terminate()
        server.wait(timeout=10)


async def test_copy_reaches_the_x_clipboard(x_display):
    answers = Answers(repositories=["my-app"], region="us-east-1", account="123456789012")
    app = PolicyWizardApp(answers=answers)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("alt+5", "ctrl+y")
        await pilot.pause()
        expected = app.policy_json
        assert app.last_outcome == "Copied the policy to the system clipboard (xclip)."
    pasted = subprocess.run(
        ["xclip", "-o", "-selection", "clipboard"],
        capture_output=True,
        text=True,
        timeout=10,
        env={**os.environ, "DISPLAY": x_display},
    )
    assert pasted.stdout == expected
