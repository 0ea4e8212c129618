"""Start from an error message (issue 17 item 3): paste what AWS, docker, ECS, the kubelet or
Lambda printed, read the diagnosis (who was refused, what it tried, on what, why, which policy
must change, or what else is needed), and apply the fix: the wizard lands on the review step
pre-filled with it, or on the first step that asks what the message does not say.

The pasted text is outside text: it is held within MESSAGE_BYTES, control characters are
shown as escapes (PasteArea), and everything drawn from it goes through `plain`.
"""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Label, Static

from wizard.core.answers import STEP_ASKING, Step
from wizard.core.diagnose.prefill import Prefill
from wizard.core.limits import MESSAGE_BYTES
from wizard.tui.dialogs import Dialog
from wizard.tui.inspect import PasteArea
from wizard.tui.outside import plain, template

FIXED_LINES = 14
"""Lines of the dialog besides the diagnosis (frame, padding, title, hint, paste box, buttons)."""


class ErrorPasteArea(PasteArea):
    """The paste box for an error message: at most MESSAGE_BYTES."""

    LIMIT = MESSAGE_BYTES


class PasteErrorDialog(Dialog[Prefill | None]):
    """Paste an error, diagnose it (ctrl+r or the button), apply the fix; dismisses with the
    diagnosis and its fix (answers, and the step to land on), or None when cancelled."""

    BINDINGS = [
        Binding("ctrl+r", "diagnose", "Diagnose"),
        Binding("escape", "cancel", "Cancel"),
    ]
    DEFAULT_CSS = """
    PasteErrorDialog .dialog { width: 96; }
    PasteErrorDialog #error-text { height: 4; }
    PasteErrorDialog #diagnosis-scroll { height: auto; max-height: 6; scrollbar-size-vertical: 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._result: Prefill | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="paste-error"):
            yield Label("Start from an error message", classes="dialog-title")
            yield Static(
                "Paste the error as it was printed, then press ctrl+r to diagnose it.",
                classes="hint",
            )
            yield ErrorPasteArea(id="error-text", soft_wrap=True, show_line_numbers=False)
            with VerticalScroll(id="diagnosis-scroll"):
                yield Static(id="diagnosis", classes="feedback")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Diagnose", id="diagnose", variant="primary", compact=True)
                yield Button("Apply the fix", id="apply", variant="success", compact=True, disabled=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#error-text", ErrorPasteArea).focus()

    def on_resize(self, event: events.Resize) -> None:
        # The buttons stay on a 24-line screen: the diagnosis scrolls instead.
        room = int((event.size.height - 1) * 0.9)  # dialogs take 90% at most, above the keys line
        self.query_one("#diagnosis-scroll").styles.max_height = max(3, room - FIXED_LINES)

    @on(ErrorPasteArea.TooLarge)
    def _paste_refused(self) -> None:
        self._show_problem(
            f"Not pasted: the text would be larger than {MESSAGE_BYTES.describe()}, the limit for {MESSAGE_BYTES.what}."
        )

    @on(ErrorPasteArea.Changed)
    def _edited(self) -> None:
        """The diagnosis shown is for the text as it was: applying waits for a new one."""
        self._set_result(None)

    @on(Button.Pressed, "#diagnose")
    def action_diagnose(self) -> None:
        from wizard.core.diagnose import DiagnoseError
        from wizard.core.diagnose.prefill import prefill

        text = self.query_one("#error-text", ErrorPasteArea).text
        if not text.strip():
            self._show_problem("Paste the error message first (the whole text, as it was printed).")
            return
        if len(text.encode("utf-8", "surrogatepass")) > MESSAGE_BYTES.size:
            self._show_problem(
                f"The text is larger than {MESSAGE_BYTES.describe()}, the limit for {MESSAGE_BYTES.what}."
            )
            return
        try:
            result = prefill(text)
        except DiagnoseError as error:
            self._show_problem(f"{str(error)[0].upper()}{str(error)[1:]}.")
            return
        self._show(result)

    def _show(self, result: Prefill) -> None:
        verdict = (
            Content.from_markup("[$success b]A fix to apply:[/] the button below fills the wizard with it.\n")
            if result.answers is not None
            else Content.from_markup("[$warning b]No fix to apply here:[/] see why below.\n")
        )
        lines = [*result.lines, *_landing_lines(result)] if result.answers is not None else result.lines
        self.query_one("#diagnosis", Static).update(verdict + plain("\n".join(lines)))
        self.query_one("#diagnosis-scroll", VerticalScroll).scroll_home(animate=False)
        self._set_result(result if result.answers is not None else None)
        if result.answers is not None:
            self.query_one("#apply", Button).focus()

    def _show_problem(self, text: str) -> None:
        self.query_one("#diagnosis", Static).update(template("[$error]✗ $text[/]", text=text))
        self._set_result(None)

    def _set_result(self, result: Prefill | None) -> None:
        """The fix Apply would use (None: nothing to apply)."""
        self._result = result
        self.query_one("#apply", Button).disabled = result is None

    @on(Button.Pressed, "#apply")
    def _apply(self) -> None:
        if self._result is not None:
            self.dismiss(self._result)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def _landing_lines(result: Prefill) -> list[str]:
    """Where Apply lands when the message leaves something out, and where each missing answer
    is given in the wizard."""
    if result.landing is Step.REVIEW:
        return []
    lines = [f"next: Apply opens {result.landing.title}, to give what the message does not say"]
    later = [need for need in result.missing if STEP_ASKING[need.flag] is not result.landing]
    lines += [f"  then on {STEP_ASKING[need.flag].title}: {need.question}" for need in later]
    return lines
