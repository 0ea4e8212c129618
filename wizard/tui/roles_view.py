"""The roles view (F7): who pulls or pushes for CI, ECS, EKS (nodes, Fargate, Pod Identity) and
Lambda, the same content as `ecr-policy roles` (wizard.core.workloads builds both).

The workloads are listed on the left (above the details on narrow terminals); the chosen one's
fields fill the rest.
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

from wizard.core.workloads import WORKLOADS, Workload, workload_fields
from wizard.tui.outside import plain, template


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

    @on(OptionList.OptionHighlighted, "#roles-list")
    def _highlighted(self) -> None:
        self._show()

    @property
    def workload(self) -> Workload:
        index = self.query_one("#roles-list", OptionList).highlighted or 0
        return WORKLOADS[index]

    def _show(self) -> None:
        detail = self.query_one("#roles-detail", Static)
        detail.update(workload_content(self.workload))
        self.query_one("#roles-scroll", VerticalScroll).scroll_home(animate=False)


def workload_content(workload: Workload) -> Content:
    """`ecr-policy roles WORKLOAD`'s fields: the title, then each label in the accent colour on
    its own line and its values under it (Textual wraps each value to the width there is)."""
    parts = [template("[b]$title[/b]", title=workload.title)]
    for label, values in workload_fields(workload):
        parts.append(template("[b $accent]$label:[/]", label=label))
        parts += [template("• $value", value=value) for value in values]
    parts += [template("[b $accent]Source:[/] $page", page=page) for page in workload.sources]
    return Content("\n").join(parts)
