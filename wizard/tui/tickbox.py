"""A checkbox that says ticked or not with a mark, not only a colour (step 4's options)."""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.widgets import Checkbox

from wizard.tui.outside import plain
from wizard.tui.widgets import wrap_words


class TickBox(Checkbox, inherit_bindings=False):
    """A checkbox that shows [✓] or [ ] (not an X either way, told apart by colour alone) and
    wraps a long label under itself. Space ticks it; Enter is left to the step (next step)."""

    BINDINGS = [Binding("space", "toggle_button", "Tick", show=False)]
    DEFAULT_CSS = """
    TickBox { border: none; padding: 0; height: auto; width: 1fr; background: transparent; }
    TickBox:focus { border: none; background-tint: $primary 8%; }
    TickBox:focus > .toggle--label { background: transparent; text-style: bold; }
    """

    @property
    def _button(self) -> Content:
        style = "b $success" if self.value else "$foreground-muted"
        return Content.from_markup(f"[{style}]$box[/]", box="[✓]" if self.value else "[ ]")

    def render(self) -> Content:
        label_style = self.get_visual_style("toggle--label")
        parts = wrap_words(self.label.plain, self.content_region.width - 4)
        lines = [self._button + Content(" ") + plain(parts[0]).stylize_before(label_style)]
        lines += [Content("    ") + plain(part).stylize_before(label_style) for part in parts[1:]]
        return Content("\n").join(lines)

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(wrap_words(self.label.plain, width - 4))

    def get_content_width(self, container, viewport) -> int:
        return 4 + len(self.label.plain)
