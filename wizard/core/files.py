"""Saving a policy without ever leaving a half-written file or silently replacing one.

The text goes to a temporary file in the target's own directory, is flushed to disk, then
moved into place in one step, so a reader sees either the old file or the whole new one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path


class SaveError(Exception):
    """The file could not be written; the message says why and what to do."""


class FileExistsSaveError(SaveError):
    """The target exists and replacing it was not confirmed (`paths`: the existing ones)."""

    paths: list[str] = []


@dataclass(frozen=True)
class SaveTarget:
    """Where a save would go, looked at before writing so a front end can ask first."""

    path: Path
    """The path as the user typed it (expanded)."""
    exists: bool
    link_target: Path | None = None
    """When `path` is a symbolic link: the file it points to, which is what gets replaced."""


NAME_MAX_BYTES = 255
"""The longest file name (one path component) common file systems take."""


def inspect_target(path: str | os.PathLike[str], *, create_directories: bool = False) -> SaveTarget:
    """Look at a save destination; raises SaveError when it can never be written.
    With `create_directories`, missing directories are fine (save_text makes them)."""
    if not os.fspath(path).strip():
        raise SaveError("no file name given")
    target = Path(os.path.expanduser(os.fspath(path)))
    too_long = next(
        (part for part in target.parts if len(part.encode("utf-8", "surrogateescape")) > NAME_MAX_BYTES), None
    )
    if too_long is not None:
        raise SaveError(
            f"the name {too_long[:40]!r}… is {len(too_long):,} characters long; file names are limited to "
            f"{NAME_MAX_BYTES} bytes: choose a shorter one"
        )
    try:
        return _inspect(target, create_directories)
    except OSError as error:
        raise SaveError(_describe(error, target)) from None


def _inspect(target: Path, create_directories: bool = False) -> SaveTarget:
    link_target = None
    if target.is_symlink():
        link_target = Path(os.path.realpath(target))
    real = link_target or target
    if real.is_dir():
        raise SaveError(f"{str(target)!r} is a directory; give a file name inside it")
    directory = real.parent
    if not directory.exists() and create_directories:
        _check_creatable(directory)
        return SaveTarget(path=target, exists=False)
    if not directory.exists():
        raise SaveError(f"the directory {str(directory)!r} does not exist; create it first or choose another")
    if not directory.is_dir():
        raise SaveError(f"{str(directory)!r} is not a directory")
    if real.exists() and not stat.S_ISREG(real.stat().st_mode):
        raise SaveError(f"{str(target)!r} is not a regular file (a device or a pipe); choose a file name")
    if real.exists() and not stat.S_IMODE(real.stat().st_mode) & 0o222:
        # Read-only for everyone: somebody protected it; never replace it, even when asked to.
        raise SaveError(f"{str(target)!r} is read-only; make it writable first (chmod u+w) or choose another name")
    return SaveTarget(path=target, exists=real.exists() or target.is_symlink(), link_target=link_target)


def _check_creatable(directory: Path) -> None:
    """A missing directory can be made when the nearest existing ancestor is a directory."""
    ancestor = next(parent for parent in directory.parents if parent.exists() or parent == parent.parent)
    if ancestor.exists() and not ancestor.is_dir():
        raise SaveError(f"{str(ancestor)!r} is not a directory")


def numbered_paths(path: str | os.PathLike[str], count: int) -> list[Path]:
    """policy.json -> policy-1.json, policy-2.json, ... beside it (for split policies)."""
    base = Path(os.path.expanduser(os.fspath(path)))
    suffix = base.suffix or ".json"
    return [base.with_name(f"{base.stem}-{number}{suffix}") for number in range(1, count + 1)]


def save_text(
    path: str | os.PathLike[str], text: str, *, overwrite: bool = False, create_directories: bool = False
) -> Path:
    """Write `text` to `path` atomically and return the file written.

    Refuses (FileExistsSaveError) to replace an existing file unless `overwrite`. A symbolic
    link is followed only with `overwrite`: the file it points to is replaced and the link
    kept. A new file gets the usual permissions (0666 less the umask); a replaced one keeps its own.
    With `create_directories`, missing directories on the way are made (.github/workflows/).
    """
    target = inspect_target(path, create_directories=create_directories)
    if target.exists and not overwrite:
        where = f" (a link to {str(target.link_target)!r})" if target.link_target else ""
        raise FileExistsSaveError(f"{str(target.path)!r}{where} already exists; confirm to replace it")
    destination = target.link_target or target.path
    data = text.encode("utf-8")
    mode = _mode_for(destination)
    try:
        if create_directories:
            os.makedirs(destination.parent, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".tmp", dir=destination.parent)
    except OSError as error:
        raise SaveError(_describe(error, destination)) from None
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        if overwrite:
            os.replace(temporary, destination)
        else:
            _move_without_replacing(temporary, destination)
    except FileExistsError:
        _remove_quietly(temporary)
        raise FileExistsSaveError(f"{str(destination)!r} appeared while saving; confirm to replace it") from None
    except OSError as error:
        _remove_quietly(temporary)
        raise SaveError(_describe(error, destination)) from None
    except BaseException:
        _remove_quietly(temporary)
        raise
    return destination


def _mode_for(destination: Path) -> int:
    try:
        return stat.S_IMODE(destination.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _move_without_replacing(temporary: str, destination: Path) -> None:
    # A hard link fails if the destination appeared since we looked: no window for a race.
    try:
        os.link(temporary, destination)
    except FileExistsError:
        raise
    except OSError:
        # Some file systems have no hard links; fall back to a checked rename.
        if destination.exists():
            raise FileExistsError(destination) from None
        os.replace(temporary, destination)
        return
    os.unlink(temporary)


def _remove_quietly(temporary: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(temporary)


def stale_parts(path: str | os.PathLike[str], count: int) -> list[Path]:
    """Numbered files beyond `count` left by an earlier, larger split (policy-7.json, ...):
    they still grant what the old split granted."""
    found = []
    for path_n in numbered_paths(path, count + 1000)[count:]:
        try:
            if not path_n.exists():
                break
        except OSError:  # e.g. a name too long: there is nothing there
            break
        found.append(path_n)
    return found


def save_all(items: list[tuple[str | os.PathLike[str], str]], *, overwrite: bool = False) -> list[Path]:
    """Write several files as one step: every target is checked before anything is written,
    every text reaches a temporary file before any target is touched, and a failure part of
    the way removes what this call created. Returns the files written."""
    targets = [inspect_target(path) for path, _ in items]
    existing = [str(target.path) for target in targets if target.exists]
    if existing and not overwrite:
        shown = ", ".join(existing[:5]) + (f" and {len(existing) - 5} more" if len(existing) > 5 else "")
        error = FileExistsSaveError(f"{shown} already exist{'s' if len(existing) == 1 else ''}")
        error.paths = existing
        raise error
    staged: list[tuple[str, Path, bool]] = []  # (temporary, destination, existed before)
    try:
        for target, (_, text) in zip(targets, items, strict=True):
            destination = target.link_target or target.path
            staged.append((_write_temporary(destination, text), destination, target.exists))
    except BaseException:
        for temporary, _, _ in staged:
            _remove_quietly(temporary)
        raise
    return _move_all(staged, overwrite)


def _write_temporary(destination: Path, text: str) -> str:
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".tmp", dir=destination.parent)
    except OSError as error:
        raise SaveError(_describe(error, destination)) from None
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(text.encode("utf-8"))
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, _mode_for(destination))
    except OSError as error:
        _remove_quietly(temporary)
        raise SaveError(_describe(error, destination)) from None
    return temporary


def _move_all(staged: list[tuple[str, Path, bool]], overwrite: bool) -> list[Path]:
    moved: list[tuple[Path, bool]] = []
    try:
        for temporary, destination, existed in staged:
            if overwrite:
                os.replace(temporary, destination)
            else:
                _move_without_replacing(temporary, destination)
            moved.append((destination, existed))
    except OSError as error:
        for temporary, _, _ in staged[len(moved) :]:
            _remove_quietly(temporary)
        for destination, existed in moved:
            if not existed:
                _remove_quietly(str(destination))
        raise SaveError(_describe(error, staged[len(moved)][1]) + "; the files this run created were removed") from None
    return [destination for destination, _ in moved]


def _describe(error: OSError, destination: Path) -> str:
    where = repr(str(destination.parent))
    if error.errno in (errno.EACCES, errno.EPERM):
        return f"permission denied writing in {where}; choose a directory you can write to"
    if error.errno == errno.ENOSPC:
        return f"the disk holding {where} is full; free some space or save elsewhere"
    if error.errno == errno.EROFS:
        return f"{where} is on a read-only file system; save elsewhere"
    if error.errno == errno.ENAMETOOLONG:
        return f"the file name {str(destination)[:60]!r}… is too long for the file system; choose a shorter one"
    if error.errno == errno.EDQUOT:
        return f"your disk quota on {where} is used up; free some space or save elsewhere"
    return f"could not write {str(destination)!r}: {error.strerror or error}"
