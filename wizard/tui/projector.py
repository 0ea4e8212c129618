"""The projector view (F6): the policy as slides, statement by statement and action by action,
large and high-contrast, one slide filling the screen; readable at 64x20 (a projector's font).

The slides are core's (wizard.core.slides): the builder's and the catalog's words. This
screen only shows one at a time and steps through them.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from wizard.core.builder import GeneratedPolicy
from wizard.core.slides import Slide, slides_for
from wizard.tui.outside import plain, template

_LABELS = ("Why:", "Without it:", "Calls:", "Who:", "Attach to:", "Source:")
"""The labels core puts at the start of a slide's lines; drawn bold in the accent colour."""


class ProjectorScreen(Screen[None]):
    """One slide at a time; → / n / space next, ← / p back, Home / End, Esc leaves."""

    BINDINGS = [
        Binding("right,n,space,pagedown", "step(1)", "Next", key_display="→/n"),
        Binding("left,p,pageup", "step(-1)", "Back", key_display="←/p"),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
        Binding("escape,q,f6", "app.pop_screen", "Leave"),
    ]
    DEFAULT_CSS = """
    ProjectorScreen { background: $background; color: $foreground; layout: vertical; }
    ProjectorScreen #slide-place {
        height: 1; padding: 0 2; color: $foreground; background: $panel; text-style: bold;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    ProjectorScreen #slide-title {
        height: auto; padding: 0 1; margin: 1 1 0 1;
        background: $foreground; color: $background; text-style: bold;
    }
    ProjectorScreen #slide-scroll { height: 1fr; margin: 0 1; scrollbar-size-vertical: 1; }
    ProjectorScreen #slide-body { padding: 1 1 0 1; color: $foreground; }
    """

    def __init__(self, policy: GeneratedPolicy) -> None:
        super().__init__()
        self.slides: list[Slide] = slides_for(policy)
        self.index = 0

    def compose(self) -> ComposeResult:
        yield Static(id="slide-place")
        yield Static(id="slide-title")
        with VerticalScroll(id="slide-scroll"):
            yield Static(id="slide-body")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._show()
        self.query_one("#slide-scroll").focus()

    def action_step(self, delta: int) -> None:
        self.index = max(0, min(len(self.slides) - 1, self.index + delta))
        self._show()

    def action_jump(self, index: int) -> None:
        self.index = index % len(self.slides)
        self._show()

    @property
    def slide(self) -> Slide:
        return self.slides[self.index]

    def _show(self) -> None:
        slide = self.slide
        number, count = str(self.index + 1), str(len(self.slides))
        self.query_one("#slide-place", Static).update(
            template("$place  ·  slide $number of $count", place=slide.place, number=number, count=count)
        )
        self.query_one("#slide-title", Static).update(plain(slide.title))
        self.query_one("#slide-body", Static).update(slide_body(slide))
        self.query_one("#slide-scroll", VerticalScroll).scroll_home(animate=False)


def slide_body(slide: Slide) -> Content:
    """The slide's lines, a blank line apart, each label bold; the source last."""
    parts = []
    for line in [*slide.lines, *([f"Source: {slide.source}"] if slide.source else [])]:
        label = next((label for label in _LABELS if line.startswith(label + " ")), None)
        if label is None:
            parts.append(plain(line))
        else:
            parts.append(template("[b $accent]$label[/]$text", label=label + " ", text=line[len(label) + 1 :]))
    return Content("\n\n").join(parts)
