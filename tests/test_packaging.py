"""A plain, non-editable install carries everything the app needs (themes included)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{result.stderr}")
    return next(out.glob("ecr_policy_wizard-*.whl"))


def test_wheel_ships_themes_stylesheet_and_entry_point(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(archive.read(name).decode() for name in names if name.endswith("entry_points.txt"))
    theme_files = sorted(Path(name).name for name in names if name.startswith("wizard/themes/"))
    assert theme_files == sorted(path.name for path in (ROOT / "themes").glob("*.toml"))
    assert "wizard/tui/wizard.tcss" in names
    assert "ecr-policy = wizard.cli:main" in entry_points


def test_installed_wheel_finds_its_themes(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target), str(wheel)],
        check=True,
        timeout=300,
    )
    code = "import wizard.themes as t; print(t.themes_directory()); print(sorted(d.name for d in t.load_themes()))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(target)},
        timeout=60,
    )
    directory, names = result.stdout.splitlines()
    assert directory == str(target / "wizard" / "themes")
    assert names == "['harbor-day', 'harbor-night']"
