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
    syntax: dict[str, str] = field(default_factory=dict)
    """Colours of the policy preview (key, string, punct, placeholder, comment, highlight):
    chosen to read at WCAG AA (4.5:1) on `surface` and on the highlight (a test checks)."""
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
        syntax={str(key): str(value) for key, value in dict(data.get("syntax", {})).items()},
        source=path,
    )


def load_themes(directory: Path | None = None) -> list[ThemeData]:
    """Every theme in the folder, sorted by name."""
    folder = directory or themes_directory()
    return [load_theme_file(path) for path in sorted(folder.glob("*.toml"))]


# Legibility ---------------------------------------------------------------------------------

MINIMUM_CONTRAST = 4.5
"""WCAG 2.x level AA for normal text: every colour we draw text in must reach it against the
background it is drawn on (https://www.w3.org/TR/WCAG21/#contrast-minimum)."""

RGB = tuple[int, int, int]


def parse_hex(colour: str) -> RGB:
    """'#0B6E99' -> (11, 110, 153)."""
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def relative_luminance(colour: RGB) -> float:
    """WCAG's relative luminance (https://www.w3.org/TR/WCAG21/#dfn-relative-luminance)."""

    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: RGB, second: RGB) -> float:
    """WCAG's contrast ratio, from 1 (same colour) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def legible(colour: RGB, backgrounds: list[RGB], minimum: float = MINIMUM_CONTRAST) -> RGB:
    """`colour`, or the nearest shade of it (towards black or white, whichever the backgrounds
    contrast with more) that reaches `minimum` against every background.

    A theme's accent colours are chosen for looks; text drawn in them must still be readable,
    whatever theme (ours or Textual's) is in use.
    """
    if min(contrast_ratio(colour, background) for background in backgrounds) >= minimum:
        return colour
    darkest = min(relative_luminance(background) for background in backgrounds)
    brightest = max(relative_luminance(background) for background in backgrounds)
    black_contrast, white_contrast = (brightest + 0.05) / 0.05, 1.05 / (darkest + 0.05)
    target = (0, 0, 0) if black_contrast >= white_contrast else (255, 255, 255)
    for step in range(1, 21):
        shade = _mix(colour, target, step / 20)
        if min(contrast_ratio(shade, background) for background in backgrounds) >= minimum:
            return shade
    return target


def _mix(colour: RGB, target: RGB, amount: float) -> RGB:
    red, green, blue = (round(own + (other - own) * amount) for own, other in zip(colour, target, strict=True))
    return red, green, blue
