"""The project's colour themes, kept as data in TOML files and shared by every front end.

In a source checkout they live in the top-level `themes/` folder; an installed wheel carries
them inside the package (`wizard/themes/`, see pyproject.toml). This module only reads them:
the TUI turns them into Textual themes, the plain mode into a questionary style.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_THEME = "harbor-night"
COLOUR_KEYS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "success",
    "warning",
    "error",
)


@dataclass(frozen=True)
class ThemeData:
    """One theme file's contents."""

    name: str
    description: str
    dark: bool
    colours: dict[str, str]
    variables: dict[str, str] = field(default_factory=dict)
    source: Path | None = None


class ThemeFileError(Exception):
    """A theme file that cannot be used; the message names the file and the problem."""


def themes_directory() -> Path:
    """Where the theme files are: inside the installed package, else the source checkout."""
    packaged = Path(__file__).parent / "themes"
    if packaged.is_dir():
        return packaged
    return Path(__file__).parent.parent / "themes"


def load_theme_file(path: Path) -> ThemeData:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ThemeFileError(f"theme file {path}: {error}") from None
    missing = [key for key in ("name", "primary") if not isinstance(data.get(key), str)]
    if missing:
        raise ThemeFileError(f"theme file {path}: missing {', '.join(missing)}")
    return ThemeData(
        name=data["name"],
        description=str(data.get("description", "")),
        dark=bool(data.get("dark", True)),
        colours={key: str(data[key]) for key in COLOUR_KEYS if key in data},
        variables={str(key): str(value) for key, value in dict(data.get("variables", {})).items()},
        source=path,
    )


def load_themes(directory: Path | None = None) -> list[ThemeData]:
    """Every theme in the folder, sorted by name."""
    folder = directory or themes_directory()
    return [load_theme_file(path) for path in sorted(folder.glob("*.toml"))]
