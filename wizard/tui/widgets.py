"""Small widgets the wizard is built from: the step bar, a choice list, the policy view."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from functools import lru_cache

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from wizard.core.answers import Step


def set_content(widget: Static, content: Content | str, *, fixed_size: bool = False) -> None:
    """Update a Static only when its content really changed (text or styles).

    Every update with a layout pass re-arranges the whole screen, which is most of the cost of
    a keystroke; `fixed_size` widgets (one-line, full-width) skip it.
    """
    new = content if isinstance(content, Content) else Content(content)
    old = widget.content
    if isinstance(old, Content) and old.plain == new.plain and old.spans == new.spans:
        return
    widget.update(new, layout=not fixed_size)


class StepBar(Static):
    """The steps as one clickable line: done ones ticked, the current one highlighted.

    One widget with click links rather than a label per step: it is on the first frame, and
    every widget there costs start-up time.
    """

    DEFAULT_CSS = """
    StepBar { height: 1; width: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    _shown: tuple[Step, frozenset[Step]] | None = None

    def on_resize(self) -> None:
        if self._shown is not None:
            self.show(*self._shown)  # short or long labels, and the app's name, follow the width

    def show(self, current: Step, incomplete: set[Step]) -> None:
        """Mark the current step, the complete ones and those still blocked."""
        self._shown = (current, frozenset(incomplete))
        parts = []
        full = sum(len(step.title) + 6 for step in Step)
        short = self.size.width and self.size.width < full
        for step in Step:
            done = step not in incomplete and step is not Step.REVIEW and step is not current
            if step is current:
                style = "b $text on $primary"
            elif done:
                style = "$success"
            elif step in incomplete and step < current:
                style = "$warning"
            else:
                style = "$text-muted"
            label = f"{'✓ ' if done else ''}{step.value + 1} {step.short_title if short and step is not current else step.title}"
            parts.append(Content.from_markup(f"[{style} @click=app.go({step.value})] $label [/]", label=label))
        title = Content.from_markup("[b $accent] ECR Policy Wizard [/]") if self.app.has_class("-wide") else Content("")
        set_content(self, title + Content.from_markup("[$text-disabled]›[/]").join(parts), fixed_size=True)


class ChoiceList(Static, can_focus=True):
    """A one-of-many list where moving the cursor chooses (the preview follows at once).

    Up/down (or a click) choose; Enter posts `Confirmed`, which the wizard treats as "next
    step". Drawn as one Static: it is on the first frame, where every widget costs start-up
    time, and it needs none of OptionList's scrolling machinery for four entries.
    """

    BINDINGS = [
        Binding("up,k", "move(-1)", "Previous", show=False),
        Binding("down,j", "move(1)", "Next", show=False),
        Binding("home", "move_to(0)", show=False),
        Binding("end", "move_to(-1)", show=False),
        Binding("enter,space", "confirm", "Choose", show=False),
    ]
    DEFAULT_CSS = """
    ChoiceList { height: auto; width: 1fr; background: $surface; margin-bottom: 1; }
    ChoiceList:focus { background-tint: $primary 8%; }
    """

    class Chosen(Message):
        def __init__(self, choice_list: ChoiceList, value: str) -> None:
            super().__init__()
            self.choice_list = choice_list
            self.value = value

        @property
        def control(self) -> ChoiceList:
            return self.choice_list

    class Confirmed(Chosen):
        """Enter was pressed on the chosen value."""

    def __init__(self, choices: Sequence[tuple[str, str]], value: str, heading: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self._choices = list(choices)
        self._value = value
        self._heading = heading
        """Drawn as the first line (a Label less on the first frame)."""

    @property
    def value(self) -> str:
        return self._value

    def on_mount(self) -> None:
        self._draw()

    def on_focus(self) -> None:
        self._draw()

    def on_blur(self) -> None:
        self._draw()

    def _draw(self) -> None:
        lines = [Content.from_markup("[b $primary]$heading[/]", heading=self._heading)] if self._heading else []
        for key, title in self._choices:
            chosen = key == self._value
            style = (
                ("b $block-cursor-foreground on $block-cursor-background" if self.has_focus else "b $primary")
                if chosen
                else "$foreground"
            )
            lines.append(Content.from_markup(f"[{style}]$marker $title[/]", marker="●" if chosen else "○", title=title))
        set_content(self, Content("\n").join(lines))

    def set_choices(self, choices: Sequence[tuple[str, str]], value: str) -> None:
        """Replace the choices (and the chosen value) without posting Chosen."""
        self._choices, self._value = list(choices), value
        self._draw()

    def set_value(self, value: str) -> None:
        """Choose `value` without posting Chosen (used when the model changed it)."""
        if value != self._value:
            self._value = value
            self._draw()

    def _choose(self, value: str) -> None:
        if value != self._value:
            self._value = value
            self._draw()
            self.post_message(self.Chosen(self, value))

    def _index(self) -> int:
        return next((index for index, (key, _) in enumerate(self._choices) if key == self._value), 0)

    def action_move(self, delta: int) -> None:
        if not self._choices:
            return
        self._choose(self._choices[max(0, min(len(self._choices) - 1, self._index() + delta))][0])

    def action_move_to(self, index: int) -> None:
        self._choose(self._choices[index][0])

    def action_confirm(self) -> None:
        self.post_message(self.Confirmed(self, self._value))

    def on_click(self, event: events.Click) -> None:
        row = event.y - (1 if self._heading else 0)
        if 0 <= row < len(self._choices):
            self._choose(self._choices[row][0])
            if event.chain > 1:  # a double click chooses and moves on
                self.action_confirm()


_TOKEN = re.compile(r'(?P<key>"(?:[^"\\]|\\.)*")(?=:)|(?P<string>"(?:[^"\\]|\\.)*")|(?P<punct>[{}\[\],:])')
_PLACEHOLDER = re.compile(r"<[a-z]+>")
DisplayLine = tuple[tuple[str, str], ...]
"""A line as shown: (text, kind) pieces; kind is key, string, punct, placeholder or plain."""


def statement_line_ranges(policy_json: str) -> list[range]:
    """Line ranges of each statement in a policy rendered by wizard.core (2-space indent)."""
    ranges: list[range] = []
    start = None
    for number, line in enumerate(policy_json.splitlines()):
        if line == "    {":
            start = number
        elif start is not None and line in ("    }", "    },"):
            ranges.append(range(start, number + 1))
            start = None
    return ranges


def _tokens(line: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) covering the whole line."""
    pieces: list[tuple[int, int, str]] = []
    position = 0
    for match in _TOKEN.finditer(line):
        if match.start() > position:
            pieces.append((position, match.start(), "plain"))
        kind = match.lastgroup or "punct"
        if kind == "string" and "<" in match.group():
            # A draft value such as "arn:aws:ecr:<region>:<account>:repository/<repository>".
            inner = match.start()
            for found in _PLACEHOLDER.finditer(match.group()):
                begin, end = match.start() + found.start(), match.start() + found.end()
                if begin > inner:
                    pieces.append((inner, begin, "string"))
                pieces.append((begin, end, "placeholder"))
                inner = end
            if inner < match.end():
                pieces.append((inner, match.end(), "string"))
        else:
            pieces.append((match.start(), match.end(), kind))
        position = match.end()
    if position < len(line):
        pieces.append((position, len(line), "plain"))
    return pieces


@lru_cache(maxsize=16384)
def display_lines(line: str, width: int) -> tuple[DisplayLine, ...]:
    """One JSON line, coloured by token and wrapped to `width` (0: no wrapping).

    Long lines break at ':' '/' ',' or spaces where possible and their continuations are
    indented, so an ARN stays readable in a narrow pane. Cached: an edit changes a few lines
    of a policy that may list a thousand ARNs.
    """
    tokens = _tokens(line)
    offsets = _wrap_offsets(line, width) if width else []
    bounds = [0, *offsets, len(line)]
    indent = " " * (len(line) - len(line.lstrip(" ")) + 2)
    result = []
    for number, (begin, end) in enumerate(itertools.pairwise(bounds)):
        pieces = [(indent, "plain")] if number else []
        pieces.extend(
            (line[max(start, begin) : min(stop, end)], kind)
            for start, stop, kind in tokens
            if start < end and stop > begin
        )
        result.append(tuple(pieces))
    return tuple(result)


def _wrap_offsets(line: str, width: int) -> list[int]:
    """Where to break `line` so that it and its indented continuations fit `width`."""
    indent = len(line) - len(line.lstrip(" ")) + 2
    if width < indent + 12:
        return []
    offsets: list[int] = []
    start, limit = 0, width
    while len(line) - start > limit:
        window = line[start : start + limit]
        # Prefer the space after a key, then an ARN's '/', then its ':'.
        cut = next(
            (found + 1 for separator in " /:," if (found := window.rfind(separator)) + 1 >= limit // 3),
            limit,
        )
        start += cut
        offsets.append(start)
        limit = width - indent
    return offsets


class PolicyView(ScrollView, can_focus=True):
    """The policy JSON, coloured by the theme, wrapped to the pane, one statement highlighted.

    A line-API widget: each frame renders only the visible lines, so a policy listing a
    thousand repositories costs no more per keystroke than one listing a single repository.
    """

    COMPONENT_CLASSES = {
        "policy-view--key",
        "policy-view--string",
        "policy-view--punct",
        "policy-view--placeholder",
        "policy-view--highlight",
    }
    DEFAULT_CSS = """
    PolicyView { padding: 0 1; background: $surface; scrollbar-size-vertical: 1; }
    PolicyView > .policy-view--key { color: $primary; text-style: bold; }
    PolicyView > .policy-view--string { color: $success; }
    PolicyView > .policy-view--punct { color: $text-muted; }
    PolicyView > .policy-view--placeholder { color: $warning; text-style: bold italic; }
    PolicyView > .policy-view--highlight { background: $accent 20%; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._json = ""
        self._source_lines: list[str] = []
        self._lines: list[DisplayLine] = []
        self._statement_rows: list[range] = []
        self._highlight: int | None = None
        self._width = 0
        self._style_by_kind: dict[str, RichStyle] | None = None

    @property
    def json_text(self) -> str:
        return self._json

    @property
    def highlighted_text(self) -> str:
        """The text of the highlighted statement (empty when none is)."""
        if self._highlight is None or self._highlight >= len(self._statement_rows):
            return ""
        rows = self._statement_rows[self._highlight]
        return "\n".join("".join(text for text, _ in self._lines[row]) for row in rows)

    def show(self, policy_json: str, highlight: int | None = None) -> None:
        """Show the policy; `highlight` is the index of the statement to mark, if any."""
        if policy_json != self._json:
            self._json = policy_json
            self._source_lines = policy_json.rstrip("\n").split("\n")
            self._layout_lines()
        moved = highlight != self._highlight
        self._highlight = highlight
        if moved:
            self.refresh()
            if highlight is not None and highlight < len(self._statement_rows):
                self.scroll_to(y=self._statement_rows[highlight].start, animate=False, immediate=True)

    def _layout_lines(self) -> None:
        """Wrap and colour the source lines for the current width; note where statements sit."""
        width = self._width
        statements = statement_line_ranges(self._json)
        starts = {statement.start: statement for statement in statements}
        lines: list[DisplayLine] = []
        rows: list[range] = []
        pending: tuple[int, range] | None = None
        for number, line in enumerate(self._source_lines):
            if number in starts:
                pending = (len(lines), starts[number])
            lines.extend(display_lines(line, width))
            if pending is not None and number == pending[1].stop - 1:
                rows.append(range(pending[0], len(lines)))
                pending = None
        self._lines, self._statement_rows = lines, rows
        widest = max((sum(len(text) for text, _ in line) for line in lines), default=0)
        self.virtual_size = Size(widest, len(lines))
        self.refresh()

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
            self._style_by_kind = {
                kind: self.get_component_rich_style(f"policy-view--{kind}", partial=True)
                for kind in ("key", "string", "punct", "placeholder")
            }
            # A translucent background (accent 20%) must be blended with ours by hand: a Rich
            # style has no alpha.
            tint = self.get_component_styles("policy-view--highlight").background
            self._style_by_kind["highlight"] = RichStyle(bgcolor=(self.background_colors[1] + tint).rich_color)
            self._style_by_kind["plain"] = RichStyle()
        return self._style_by_kind

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if row >= len(self._lines):
            return Strip.blank(width, base)
        styles = self._token_styles()
        strip = Strip([Segment(text, styles[kind]) for text, kind in self._lines[row]])
        highlighted = (
            self._highlight is not None
            and self._highlight < len(self._statement_rows)
            and row in self._statement_rows[self._highlight]
        )
        line_style = base + styles["highlight"] if highlighted else base
        return strip.apply_style(line_style).crop_extend(scroll_x, scroll_x + width, line_style)
