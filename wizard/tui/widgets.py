"""Small widgets the wizard is built from: the step bar and a choice list."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from wizard.core.answers import Step
from wizard.tui.outside import plain, template


def set_content(widget: Static, content: Content | str, *, fixed_size: bool = False) -> None:
    """Update a Static only when its content really changed (text or styles).

    Every update with a layout pass re-arranges the whole screen, which is most of the cost of
    a keystroke; `fixed_size` widgets (one-line, full-width) skip it.
    """
    new = content if isinstance(content, Content) else plain(content)
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

    _shown: tuple[Step, frozenset[Step], frozenset[Step]] | None = None

    def on_resize(self) -> None:
        if self._shown is not None:
            self.show(*self._shown)  # short or long labels, and the app's name, follow the width

    def show(self, current: Step, incomplete: set[Step], visited: frozenset[Step] = frozenset()) -> None:
        """Mark the current step, the ones done (visited and complete) and those still blocked."""
        self._shown = (current, frozenset(incomplete), visited)
        parts = []
        full = sum(len(step.title) + 6 for step in Step)
        short = self.size.width and self.size.width < full
        for step in Step:
            done = step in visited and step not in incomplete and step is not Step.REVIEW and step is not current
            if step is current:
                style = "b $text on $primary"
            elif done:
                style = "$success"
            elif step in incomplete and step < current:
                style = "$warning"
            else:
                style = "$foreground-muted"
            label = f"{'✓ ' if done else ''}{step.value + 1} {step.short_title if short and step is not current else step.title}"
            parts.append(Content.from_markup(f"[{style} @click=app.go({step.value})] $label [/]", label=label))
        title = Content.from_markup("[b $accent] ECR Policy Wizard [/]") if self.app.has_class("-wide") else Content("")
        set_content(self, title + Content.from_markup("[$foreground-muted]›[/]").join(parts), fixed_size=True)


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
        self._row_choices: list[int | None] = []
        """For each drawn row, the index of the choice on it (None: the heading)."""

    @property
    def value(self) -> str:
        return self._value

    def on_mount(self) -> None:
        self._draw()

    def on_focus(self) -> None:
        self._draw()

    def on_blur(self) -> None:
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        """One choice per entry, long titles wrapped at word boundaries under their text."""
        width = self.content_region.width
        lines: list[Content] = []
        rows: list[int | None] = []
        if self._heading:
            for part in wrap_words(self._heading, width):
                lines.append(template("[b $primary]$heading[/]", heading=part))
                rows.append(None)
        for index, (key, title) in enumerate(self._choices):
            chosen = key == self._value
            style = (
                ("b $block-cursor-foreground on $block-cursor-background" if self.has_focus else "b $primary")
                if chosen
                else "$foreground"
            )
            for number, part in enumerate(wrap_words(title, width - 2)):
                marker = ("●" if chosen else "○") if number == 0 else " "
                lines.append(template(f"[{style}]$marker $title[/]", marker=marker, title=part))
                rows.append(index)
        lines, rows = self._window(lines, rows)
        self._row_choices = rows
        set_content(self, Content("\n").join(lines))

    def _window(self, lines: list[Content], rows: list[int | None]) -> tuple[list[Content], list[int | None]]:
        """Within a max-height, the rows around the chosen entry (a Static does not scroll), the
        rows cut off said as "↑ N more" / "↓ N more"."""
        limit = self.styles.max_height
        if limit is None or not limit.is_cells or len(lines) <= int(limit.value):
            return lines, rows
        heading = rows.count(None)
        room = max(3, int(limit.value) - heading)
        choice_lines, choice_rows = lines[heading:], rows[heading:]
        chosen = choice_rows.index(self._index()) if self._index() in choice_rows else 0
        start = max(0, min(chosen - room // 2, len(choice_lines) - room))
        end = start + room
        shown, shown_rows = choice_lines[start:end], choice_rows[start:end]
        if start > 0:
            shown[0], shown_rows[0] = template("[$text-muted]  ↑ $n more[/]", n=str(start)), None
        if end < len(choice_lines):
            shown[-1], shown_rows[-1] = template("[$text-muted]  ↓ $n more[/]", n=str(len(choice_lines) - end)), None
        return lines[:heading] + shown, rows[:heading] + shown_rows

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
        index = self._row_choices[event.y] if 0 <= event.y < len(self._row_choices) else None
        if index is not None:
            self._choose(self._choices[index][0])
            if event.chain > 1:  # a double click chooses and moves on
                self.action_confirm()


def wrap_words(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` cells, broken between words (0 or less: one line)."""
    if width <= 8 or len(text) <= width:
        return [text]
    # A word longer than the line is broken too: the rows drawn must be the rows counted (a
    # Static would wrap it anyway, one row more than the list knows about).
    return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [text]
