"""Small widgets the wizard is built from: the step bar, a choice list, the policy view."""

from __future__ import annotations

import re
from collections.abc import Sequence

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content, Span
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from wizard.core.answers import Step


class StepBar(Widget):
    """The steps as a clickable line: done ones ticked, the current one highlighted."""

    DEFAULT_CSS = """
    StepBar { layout: horizontal; height: 1; width: 1fr; }
    StepBar > .step { padding: 0 1; color: $text-muted; }
    StepBar > .step:hover { background: $boost; color: $text; }
    StepBar > .step.-current { background: $primary; color: $text; text-style: bold; }
    StepBar > .step.-done { color: $success; }
    StepBar > .step.-blocked { color: $warning; }
    StepBar > .arrow { color: $text-disabled; }
    """

    class Picked(Message):
        """The user clicked a step."""

        def __init__(self, step: Step) -> None:
            super().__init__()
            self.step = step

    current: reactive[Step] = reactive(Step.ROLE)

    def compose(self) -> ComposeResult:
        for step in Step:
            if step:
                yield Label("›", classes="arrow")
            yield Label(f"{step.value + 1} {step.title}", id=f"step-{step.value}", classes="step")

    def show(self, current: Step, incomplete: set[Step]) -> None:
        """Mark the current step, the complete ones and those still blocked."""
        for step in Step:
            label = self.query_one(f"#step-{step.value}", Label)
            done = step not in incomplete and step is not Step.REVIEW
            marker = "✓ " if done and step is not current else ""
            label.update(f"{marker}{step.value + 1} {step.title}")
            label.set_class(step is current, "-current")
            label.set_class(done and step is not current, "-done")
            label.set_class(step in incomplete and step < current, "-blocked")

    def on_click(self, event: events.Click) -> None:
        widget = event.widget
        if widget is not None and widget.id and widget.id.startswith("step-"):
            self.post_message(self.Picked(Step(int(widget.id.removeprefix("step-")))))


class ChoiceList(OptionList):
    """A one-of-many list where moving the cursor chooses (the preview follows at once).

    Enter on a choice posts `Confirmed`, which the wizard treats as "next step".
    """

    DEFAULT_CSS = """
    ChoiceList { height: auto; max-height: 8; }
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

    def __init__(self, choices: Sequence[tuple[str, str]], value: str, **kwargs) -> None:
        self._choices = list(choices)
        self._value = value
        super().__init__(*self._options(), **kwargs)

    @property
    def value(self) -> str:
        return self._value

    def _options(self) -> list[Option]:
        return [
            Option(f"{'●' if key == self._value else '○'} {title}", id=key) for key, title in self._choices
        ]

    def on_mount(self) -> None:
        self.highlighted = self._index_of(self._value)

    def _index_of(self, value: str) -> int:
        return next(index for index, (key, _) in enumerate(self._choices) if key == value)

    def set_value(self, value: str) -> None:
        """Choose `value` without posting Chosen (used when the model changed it)."""
        if value == self._value:
            return
        self._value = value
        self._refresh_markers()
        with self.prevent(OptionList.OptionHighlighted):
            self.highlighted = self._index_of(value)

    def _refresh_markers(self) -> None:
        for key, title in self._choices:
            self.replace_option_prompt(key, f"{'●' if key == self._value else '○'} {title}")

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option_id and event.option_id != self._value:
            self._value = event.option_id
            self._refresh_markers()
            self.post_message(self.Chosen(self, self._value))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_id:
            if event.option_id != self._value:
                self._value = event.option_id
                self._refresh_markers()
                self.post_message(self.Chosen(self, self._value))
            self.post_message(self.Confirmed(self, self._value))


_TOKEN = re.compile(r'(?P<key>"(?:[^"\\]|\\.)*")(?=:)|(?P<string>"(?:[^"\\]|\\.)*")|(?P<punct>[{}\[\],:])')
_PLACEHOLDER = re.compile(r"<[a-z]+>")
_STYLES = {"key": "b $primary", "string": "$success", "punct": "$text-muted", "placeholder": "b i $warning"}


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


def colour_json(text: str, width: int = 0) -> Content:
    """JSON coloured with theme variables (a theme change recolours it for free).

    With a `width`, long lines are wrapped at ':' '/' ',' or spaces where possible and their
    continuations indented, so an ARN stays readable in a narrow pane.
    """
    lines = []
    for line in text.split("\n"):
        coloured = _colour_line(line)
        offsets = _wrap_offsets(line, width) if width else []
        if not offsets:
            lines.append(coloured)
            continue
        indent = " " * (len(line) - len(line.lstrip(" ")) + 2)
        pieces = coloured.divide(offsets)
        lines.append(Content("\n").join([pieces[0], *(Content(indent) + piece for piece in pieces[1:])]))
    return Content("\n").join(lines)


def _colour_line(line: str) -> Content:
    spans = []
    for match in _TOKEN.finditer(line):
        kind = match.lastgroup or "punct"
        spans.append(Span(match.start(), match.end(), _STYLES[kind]))
        if kind == "string":
            spans.extend(
                Span(match.start() + found.start(), match.start() + found.end(), _STYLES["placeholder"])
                for found in _PLACEHOLDER.finditer(match.group())
            )
    return Content(line, spans)


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


class PolicyView(Vertical):
    """The policy JSON, one block per statement so a statement can be highlighted and
    scrolled into view, and so an edit re-renders only the blocks that changed."""

    DEFAULT_CSS = """
    PolicyView { height: auto; padding: 0 1; }
    PolicyView > Static { width: 1fr; text-wrap: nowrap; }
    PolicyView > .statement.-highlight { background: $accent 20%; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._json = ""
        self._blocks: list[str] = []
        self._width = 0
        self._highlight: int | None = None

    @property
    def json_text(self) -> str:
        return self._json

    def show(self, policy_json: str, highlight: int | None = None) -> None:
        """Show the policy; `highlight` is the index of the statement to mark, if any."""
        if policy_json != self._json:
            self._json = policy_json
            self._show_blocks(_split_blocks(policy_json))
        moved = highlight != self._highlight
        self._highlight = highlight
        self._mark_highlight(scroll=moved)

    def _mark_highlight(self, scroll: bool) -> None:
        statements = list(self.query(".statement"))
        for index, block in enumerate(statements):
            block.set_class(index == self._highlight, "-highlight")
        if scroll and self._highlight is not None and self._highlight < len(statements):
            statements[self._highlight].scroll_visible(animate=False, top=True)

    def on_resize(self) -> None:
        width = self.content_region.width
        if width != self._width:
            self._width = width
            blocks, self._blocks = self._blocks, []
            if blocks:
                self._show_blocks(blocks)
                self._mark_highlight(scroll=False)

    def _show_blocks(self, blocks: list[str]) -> None:
        width = self._width
        if len(blocks) != len(self._blocks):
            self.remove_children()
            self.mount_all(
                Static(colour_json(block, width), classes="statement" if 0 < index < len(blocks) - 1 else "frame")
                for index, block in enumerate(blocks)
            )
        else:
            for widget, old, new in zip(self.query(Static), self._blocks, blocks):
                if old != new:
                    widget.update(colour_json(new, width))
        self._blocks = blocks


def _split_blocks(policy_json: str) -> list[str]:
    """[text before the first statement, each statement, text after the last]."""
    lines = policy_json.rstrip("\n").split("\n")
    ranges = statement_line_ranges(policy_json)
    if not ranges:
        return ["\n".join(lines), ""]
    blocks = ["\n".join(lines[: ranges[0].start])]
    blocks.extend("\n".join(lines[r.start : r.stop]) for r in ranges)
    blocks.append("\n".join(lines[ranges[-1].stop :]))
    return blocks
