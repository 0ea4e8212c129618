"""The core stays free of user-interface libraries (checked two independent ways)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def test_importing_the_core_loads_no_ui_library():
    code = (
        "import sys, wizard.core, wizard.core.files, wizard.core.regions, wizard.core.roles; "
        "print(sorted(m for m in ('textual','questionary','prompt_toolkit','pyperclip','rich') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.stdout.strip() == "[]", result.stderr


def test_import_linter_contracts_hold():
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint_imports is None:
        pytest.skip("import-linter is not installed (it comes with the test extra)")
    result = subprocess.run([lint_imports], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 1 kept, 0 broken" in result.stdout
