"""The policy preview: the chosen output, coloured by the theme, read as the file it previews.

Lines are wrapped only where the file itself could break: JSON between tokens (after a key),
comments at word boundaries with their comment marker repeated. A token that does not fit
is never split: the line runs past the edge, marked with "…", and the view scrolls sideways
(← → when it has focus, or shift and the mouse wheel).
"""

from __future__ import annotations

import re
import textwrap
from bisect import bisect_right
from functools import lru_cache
from itertools import accumulate, compress, repeat
from operator import and_

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.color import Color
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from wizard.core.text import has_control_characters, visible
from wizard.themes import legible

_TOKEN = re.compile(r'(?P<key>"(?:[^"\\]|\\.)*")(?=:)|(?P<string>"(?:[^"\\]|\\.)*")|(?P<punct>[{}\[\],:])')
_PLACEHOLDER = re.compile(r"<[a-z]+>")
_COMMENT = re.compile(r"(?P<lead>\s*(?:#|//)\s*)(?P<text>.*)")
KINDS = ("key", "string", "punct", "placeholder", "comment")
"""What a piece of a line is, for its colour."""
Piece = tuple[str, str]
DisplayLine = tuple[Piece, ...]
"""A line as shown: (text, kind) pieces; kind is one of KINDS, or plain."""
OVERFLOW_MARK = "…"


LANGUAGES_BY_SUFFIX = {".json": "json", ".yml": "yaml", ".yaml": "yaml", ".sh": "shell", ".tf": "hcl"}


def language_of(file_name: str) -> str:
    """How the preview reads a file, from its name (a CI file: YAML, a script, JSON)."""
    suffix = file_name[file_name.rfind(".") :] if "." in file_name else ""
    return LANGUAGES_BY_SUFFIX.get(suffix, "shell")


def statement_line_ranges(policy_json: str) -> list[range]:
    """Line ranges of each statement in a policy rendered by wizard.core (2-space indent).

    Found with str.find and str.count (loops in C) rather than a Python loop over every line:
    a policy may list thousands of ARNs, and this runs on every keystroke."""
    ranges: list[range] = []
    text = "\n" + policy_json
    position, line = 0, -1
    while (opening := text.find("\n    {\n", position)) >= 0:
        closing = text.find("\n    }", opening + 1)
        if closing < 0:
            break
        line += text.count("\n", position, opening + 1)
        end_line = line + text.count("\n", opening + 1, closing + 1)
        ranges.append(range(line, end_line + 1))
        position, line = closing + 1, end_line
    return ranges


def _tokens(line: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) covering the whole line: JSON keys, strings and punctuation."""
    pieces: list[tuple[int, int, str]] = []
    position = 0
    for match in _TOKEN.finditer(line):
        if match.start() > position:
            pieces.append((position, match.start(), "plain"))
        kind = match.lastgroup or "punct"
        if kind == "string" and "<" in match.group():
            pieces.extend(_placeholder_pieces(match))
        else:
            pieces.append((match.start(), match.end(), kind))
        position = match.end()
    if position < len(line):
        pieces.append((position, len(line), "plain"))
    return pieces


def _placeholder_pieces(match: re.Match[str]) -> list[tuple[int, int, str]]:
    """A draft value such as "arn:aws:ecr:<region>:<account>:repository/<repository>"."""
    pieces = []
    inner = match.start()
    for found in _PLACEHOLDER.finditer(match.group()):
        begin, end = match.start() + found.start(), match.start() + found.end()
        if begin > inner:
            pieces.append((inner, begin, "string"))
        pieces.append((begin, end, "placeholder"))
        inner = end
    if inner < match.end():
        pieces.append((inner, match.end(), "string"))
    return pieces


def display_lines(line: str, width: int, language: str = "json") -> tuple[DisplayLine, ...]:
    """One source line as shown in a pane `width` cells wide (0: no wrapping).

    Control and invisible characters are shown as escapes (the text may come from a file).
    """
    return _laid_out(line, width, language)[0]


@lru_cache(maxsize=65536)
def _laid_out(line: str, width: int, language: str) -> tuple[tuple[DisplayLine, ...], int]:
    """display_lines, and the widest of them. Cached: an edit changes a few lines of a policy
    that may list thousands of ARNs, and every other line is looked up, not laid out again."""
    shown = visible(line)
    comment = _COMMENT.fullmatch(shown) if language != "json" else None
    if comment is not None:
        rows = _comment_lines(comment, width)
    else:
        tokens = _tokens(shown)
        rows = _cut(shown, tokens, _token_breaks(shown, tokens, width) if width and language == "json" else [])
    return rows, max(sum(len(text) for text, _ in row) for row in rows)


def _token_breaks(line: str, tokens: list[tuple[int, int, str]], width: int) -> list[int]:
    """Where to break a JSON line: only at spaces between tokens, never inside one."""
    indent = len(line) - len(line.lstrip(" ")) + 2
    spaces = [
        position + 1
        for start, stop, kind in tokens
        if kind == "plain" and start > indent - 2
        for position in range(start, stop)
        if line[position] == " "
    ]
    breaks: list[int] = []
    start, limit = 0, width
    while len(line) - start > limit:
        fitting = [position for position in spaces if start < position <= start + limit]
        if not fitting:
            break  # one token longer than the pane: it overflows rather than splits
        start = fitting[-1]
        breaks.append(start)
        limit = width - indent
    return breaks


def _cut(line: str, tokens: list[tuple[int, int, str]], breaks: list[int]) -> tuple[DisplayLine, ...]:
    indent = " " * (len(line) - len(line.lstrip(" ")) + 2)
    bounds = [0, *breaks, len(line)]
    result = []
    for number in range(len(bounds) - 1):
        begin, end = bounds[number], bounds[number + 1]
        pieces = [(indent, "plain")] if number else []
        pieces.extend(
            (line[max(start, begin) : min(stop, end)], kind)
            for start, stop, kind in tokens
            if start < end and stop > begin
        )
        result.append(tuple(pieces))
    return tuple(result)


def _comment_lines(comment: re.Match[str], width: int) -> tuple[DisplayLine, ...]:
    """A comment wrapped at word boundaries; every continuation keeps the comment marker."""
    lead, text = comment.group("lead"), comment.group("text")
    hanging = lead + "  "
    if not width or len(lead) + len(text) <= width or width - len(hanging) < 12:
        return (((lead + text, "comment"),),)
    wrapped = textwrap.wrap(
        text,
        width=width - len(lead),
        subsequent_indent=" " * (len(hanging) - len(lead)),
        break_long_words=False,
        break_on_hyphens=False,
    )
    return tuple(((lead + part, "comment"),) for part in wrapped)


_PRINTABLE_ASCII = bytes(range(0x20, 0x7F)) + b"\n"


def _shown_differently(text: str) -> bool:
    """True when some line of `text` is shown with escapes (so longer than it is): a tab, a
    control or invisible character. Checked in C: most texts are ASCII (then bytes.translate
    finds them in a fraction of a millisecond), the rest go through the one pattern."""
    if text.isascii():
        return bool(text.encode("ascii").translate(None, _PRINTABLE_ASCII))
    return has_control_characters(text.replace("\n", ""))


class PolicyView(ScrollView, can_focus=True):
    """The policy (or the chosen output), coloured by the theme, one statement highlighted.

    A line-API widget: each frame renders only the visible lines, so a policy listing
    thousands of repositories costs little more per keystroke than one listing a single one.
    """

    COMPONENT_CLASSES = {f"policy-view--{kind}" for kind in (*KINDS, "highlight")}
    DEFAULT_CSS = """
    PolicyView { padding: 0 0 0 1; background: $surface; scrollbar-size-vertical: 1; scrollbar-size-horizontal: 1; }
    PolicyView > .policy-view--key { color: $primary; text-style: bold; }
    PolicyView > .policy-view--string { color: $success; }
    PolicyView > .policy-view--punct { color: $text-muted; }
    PolicyView > .policy-view--comment { color: $text-muted; }
    PolicyView > .policy-view--placeholder { color: $warning; text-style: bold italic; }
    PolicyView > .policy-view--highlight { background: $accent 20%; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._json = ""
        self._language = "json"
        self._source_lines: list[str] = []
        self._row_starts: list[int] | None = None
        """The first display row of each source line, or None when no line wraps (row n is
        line n: the usual case, which then costs nothing per line)."""
        self._row_count = 0
        self._statement_rows: list[range] = []
        self._highlight: int | None = None
        self._width = 0
        self._style_by_kind: dict[str, RichStyle] | None = None

    @property
    def json_text(self) -> str:
        """The text shown (JSON, or the chosen output), as given."""
        return self._json

    @property
    def display_text(self) -> str:
        """What the pane holds, line by line as laid out (for tests and screen readers)."""
        return "\n".join(self._row_text(row) for row in range(self._row_count))

    @property
    def highlighted_text(self) -> str:
        """The text of the highlighted statement (empty when none is)."""
        if self._highlight is None or self._highlight >= len(self._statement_rows):
            return ""
        return "\n".join(self._row_text(row) for row in self._statement_rows[self._highlight])

    def show(self, text: str, highlight: int | None = None, language: str = "json") -> None:
        """Show `text`; `highlight` is the index of the JSON statement to mark, if any."""
        if language != self._language:
            self.scroll_to(0, 0, animate=False, immediate=True)  # another output: from its first line
        if text != self._json or language != self._language:
            self._json, self._language = text, language
            self._source_lines = text.rstrip("\n").split("\n")
            self._layout_lines()
        moved = highlight != self._highlight
        self._highlight = highlight
        if moved:
            self.refresh()
            if highlight is not None and highlight < len(self._statement_rows):
                self.scroll_to(x=0, y=self._statement_rows[highlight].start, animate=False, immediate=True)

    def _layout_lines(self) -> None:
        """Count the display rows for the current width and note where statements sit.

        Runs on every keystroke over policies that may hold thousands of lines: only lines
        longer than the pane are laid out here (the rest are one row each, coloured when
        drawn), and the loops over all lines run in C (map, compress, accumulate)."""
        width, language, lines = self._width, self._language, self._source_lines
        lengths = list(map(len, lines))
        if _shown_differently(self._json):
            candidates = range(len(lines))  # escapes change lengths: lay out every line
        elif width:
            # Only a long line with somewhere to break can wrap: after a JSON key, or a comment.
            breakable = map(str.__contains__, lines, repeat('": ' if language == "json" else "#"))
            candidates = compress(range(len(lines)), map(and_, map(width.__lt__, lengths), breakable))
        else:
            candidates = range(0)
        counts: dict[int, int] = {}
        for number in candidates:
            rows, lengths[number] = _laid_out(lines[number], width, language)
            counts[number] = len(rows)
        widest = max(lengths, default=0)
        statements = statement_line_ranges(self._json) if language == "json" else []
        if all(count == 1 for count in counts.values()):
            self._row_starts, self._row_count = None, len(lines)
            self._statement_rows = statements
        else:
            per_line = [1] * len(lines)
            for number, count in counts.items():
                per_line[number] = count
            self._row_starts = list(accumulate(per_line, initial=0))
            self._row_count = self._row_starts[-1]
            self._statement_rows = [
                range(self._row_starts[part.start], self._row_starts[part.stop]) for part in statements
            ]
        self.virtual_size = Size(widest, self._row_count)
        self.refresh()

    def _row(self, row: int) -> DisplayLine:
        """Display row `row`: a line of the text, or a part of a wrapped one, in coloured pieces."""
        if self._row_starts is None:
            number, part = row, 0
        else:
            number = bisect_right(self._row_starts, row) - 1
            part = row - self._row_starts[number]
        return _laid_out(self._source_lines[number], self._width, self._language)[0][part]

    def _row_text(self, row: int) -> str:
        return "".join(text for text, _ in self._row(row))

    def on_resize(self) -> None:
        width = self.scrollable_content_region.width
        if width != self._width:
            self._width = width
            if self._json:
                self._layout_lines()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._style_by_kind = None  # the theme changed: fetch the component styles again

    def _token_styles(self) -> dict[str, RichStyle]:
        if self._style_by_kind is None:
            self._style_by_kind = self._legible_styles()
        return self._style_by_kind

    def _legible_styles(self) -> dict[str, RichStyle]:
        """A Rich style per kind, each readable (WCAG AA) on the pane and on the highlight.

        Colours come from the theme's syntax colours when it has them (ours do, see themes/),
        else from the component classes above, blended over the pane's background by hand
        (a Rich style has no alpha) and darkened or lightened until they reach 4.5:1.
        """
        background = self.background_colors[1]
        syntax = {kind: self.app.theme_variables.get(f"syntax-{kind}") for kind in (*KINDS, "highlight")}
        highlight_colour = (
            syntax["highlight"] or (background + self.get_component_styles("policy-view--highlight").background).hex
        )
        highlight = Color.parse(highlight_colour)
        backgrounds = [background.rgb, highlight.rgb]
        styles = {"highlight": RichStyle(bgcolor=highlight.rich_color), "plain": RichStyle()}
        for kind in KINDS:
            component = self.get_component_styles(f"policy-view--{kind}")
            if syntax[kind]:
                colour = Color.parse(syntax[kind])
            elif component.auto_color:
                colour = background.get_contrast_text(component.color.a)
            else:
                colour = background + component.color
            red, green, blue = legible(colour.rgb, backgrounds)
            style = self.get_component_rich_style(f"policy-view--{kind}", partial=True)
            styles[kind] = style + RichStyle(color=Color(red, green, blue).rich_color)
        return styles

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if row >= self._row_count:
            return Strip.blank(width, base)
        styles = self._token_styles()
        strip = Strip([Segment(text, styles[kind]) for text, kind in self._row(row)])
        highlighted = (
            self._highlight is not None
            and self._highlight < len(self._statement_rows)
            and row in self._statement_rows[self._highlight]
        )
        line_style = base + styles["highlight"] if highlighted else base
        shown = strip.crop(scroll_x, scroll_x + width)
        if strip.cell_length > scroll_x + width and width > 1:
            shown = Strip.join([shown.crop(0, width - 1), Strip([Segment(OVERFLOW_MARK, styles["punct"])])])
        return shown.apply_style(line_style).extend_cell_length(width, line_style)
