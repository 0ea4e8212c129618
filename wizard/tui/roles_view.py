"""The roles view (F7): who pulls or pushes for CI, ECS, EKS (nodes, Fargate, Pod Identity) and
Lambda, the same content as `ecr-policy roles` (wizard.core.workloads builds both).

The workloads are listed on the left (above the details on narrow terminals); the chosen one's
fields fill the rest, wrapped to the width there is.
"""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Label, OptionList, Static
from textual.widgets.option_list import Option

from wizard.core.workloads import WORKLOADS, Workload, roles_lines
from wizard.tui.outside import plain, template

FIELD_LABEL_WIDTH = 21
"""roles_lines indents each field's text by this much (two spaces and a 19-column label)."""


class RolesScreen(Screen[None]):
    """The workloads side by side: pick one with ↑ ↓, read its fields; Esc leaves."""

    BINDINGS = [Binding("escape,q,f7", "app.pop_screen", "Back to the wizard")]
    WIDE = 100
    """From this width the list stands beside the details instead of above them."""
    DEFAULT_CSS = """
    RolesScreen { layout: vertical; }
    RolesScreen #roles-title { width: 1fr; padding: 0 1; background: $panel; text-style: bold; }
    RolesScreen #roles-main { height: 1fr; layout: vertical; }
    RolesScreen.-wide #roles-main { layout: horizontal; }
    RolesScreen #roles-list { height: auto; max-height: 7; border: none; padding: 0; background: $surface; }
    RolesScreen.-wide #roles-list { width: 46; height: 1fr; max-height: 100%; }
    RolesScreen #roles-scroll { height: 1fr; padding: 0 1; scrollbar-size-vertical: 1; }
    RolesScreen.-wide #roles-scroll { border-left: tall $panel; }
    """

    def compose(self) -> ComposeResult:
        yield Label("Who pulls or pushes, workload by workload (ecr-policy roles)", id="roles-title")
        with Horizontal(id="roles-main"):
            yield OptionList(*(Option(plain(w.title), id=w.key) for w in WORKLOADS), id="roles-list")
            with VerticalScroll(id="roles-scroll"):
                yield Static(id="roles-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#roles-list", OptionList).focus()
        self.query_one("#roles-list", OptionList).highlighted = 0

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width >= self.WIDE, "-wide")
        self.call_after_refresh(self._show)

    @on(OptionList.OptionHighlighted, "#roles-list")
    def _highlighted(self) -> None:
        self._show()

    @property
    def workload(self) -> Workload:
        index = self.query_one("#roles-list", OptionList).highlighted or 0
        return WORKLOADS[index]

    def _show(self) -> None:
        detail = self.query_one("#roles-detail", Static)
        width = detail.content_region.width or 60
        detail.update(workload_content(self.workload, max(width, FIELD_LABEL_WIDTH + 20)))
        self.query_one("#roles-scroll", VerticalScroll).scroll_home(animate=False)


def workload_content(workload: Workload, width: int) -> Content:
    """`ecr-policy roles WORKLOAD`'s lines, the title bold and each field's label in the accent
    colour; continuation lines keep their indent."""
    first, *fields = roles_lines((workload,), width)
    parts = [template("[b]$title[/b]", title=first)]
    for line in fields:
        label, text = line[:FIELD_LABEL_WIDTH], line[FIELD_LABEL_WIDTH:]
        if line.startswith("  Source: "):
            parts.append(template("[$foreground-muted]$line[/]", line=line))
        elif label.strip():
            parts.append(template("[b $accent]$label[/]$text", label=label, text=text))
        else:
            parts.append(plain(line))
    return Content("\n").join(parts)
