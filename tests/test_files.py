"""Saving: atomic, never a silent replacement, never a half-written file."""

from __future__ import annotations

import os
import stat

import pytest

from wizard.core.files import FileExistsSaveError, SaveError, inspect_target, save_text


def test_new_file_gets_ordinary_permissions_and_no_leftovers(tmp_path):
    target = tmp_path / "policy.json"
    written = save_text(target, "{}\n")
    assert written == target and target.read_text() == "{}\n"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert os.listdir(tmp_path) == ["policy.json"]


def test_existing_file_is_kept_unless_overwrite(tmp_path):
    target = tmp_path / "policy.json"
    target.write_text("old")
    os.chmod(target, 0o600)
    with pytest.raises(FileExistsSaveError, match="already exists"):
        save_text(target, "new")
    assert target.read_text() == "old"
    save_text(target, "new", overwrite=True)
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600, "a replaced file keeps its permissions"
    assert os.listdir(tmp_path) == ["policy.json"]


def test_a_symlink_is_followed_only_after_confirmation(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    target = inspect_target(link)
    assert target.exists and target.link_target == real
    with pytest.raises(FileExistsSaveError, match="a link to"):
        save_text(link, "new")
    assert real.read_text() == "old"
    save_text(link, "new", overwrite=True)
    assert link.is_symlink() and real.read_text() == "new"


@pytest.mark.parametrize(
    "make_path, reason",
    [
        (lambda tmp: tmp / "missing" / "p.json", "does not exist"),
        (lambda tmp: tmp, "is a directory"),
        (lambda tmp: "", "no file name"),
    ],
)
def test_impossible_targets_are_refused_before_writing(tmp_path, make_path, reason):
    with pytest.raises(SaveError, match=reason):
        save_text(make_path(tmp_path), "{}", overwrite=True)


def test_a_device_is_never_a_save_target():
    with pytest.raises(SaveError, match="not a regular file"):
        save_text("/dev/null", "{}", overwrite=True)
