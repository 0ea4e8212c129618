"""Shared fixtures: the seed (reference) policy and helpers that run the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
PROJECT_ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="session")
def seed_policy() -> dict:
    """The policy from the document that started the project (../shared/seed/), verbatim."""
    return json.loads((FIXTURES / "seed_policy.json").read_text())


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None, stdin: str | None = None):
    """Run `python -m wizard ARGS` as a real subprocess, with a clean AWS environment."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "wizard", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        input=stdin,
        timeout=60,
    )
