"""Modal dialogs: save (with its own errors and overwrite confirmation), confirm, help."""

from __future__ import annotations

import os
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, ScreenResultType
from textual.widgets import Button, Input, Label, Static
from textual.widgets.input import Selection

from wizard.core.builder import GeneratedPolicy
from wizard.core.files import FileExistsSaveError, SaveError, inspect_target, numbered_paths, save_text
from wizard.core.size import (
    PolicyKind,
    SizeError,
    Strategy,
    compact_policy,
    fit_policy,
    over_limit_message,
    split_policy,
)


class Dialog(ModalScreen[ScreenResultType]):
    """A centred box over the dimmed wizard; the look every dialog shares."""

    DEFAULT_CSS = """
    Dialog { align: center middle; background: $background 60%; }
    Dialog .dialog {
        width: 76; max-width: 95%; height: auto; max-height: 90%;
        padding: 1 2; border: thick $primary; background: $surface;
    }
    Dialog .dialog-title { text-style: bold; color: $primary; margin-bottom: 1; }
    Dialog .dialog-buttons { height: auto; margin-top: 1; align-horizontal: right; }
    Dialog .dialog-buttons Button { margin-left: 1; }
    Dialog #help VerticalScroll { height: auto; max-height: 20; }
    Dialog #compaction-preview { height: auto; max-height: 10; margin-top: 1; }
    """


class SaveDialog(Dialog[list[Path] | None]):
    """Ask for a file name and save; problems are shown here and the policy stays in the app.

    Several texts (a split policy) go to numbered files beside the name: NAME-1.json, ...
    Dismisses with the paths written, or None when cancelled.
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, texts: list[str], default_name: str, what: str = "policy") -> None:
        super().__init__()
        self._texts = texts
        self._default_name = default_name
        self._what = what if len(texts) == 1 else f"{len(texts)} policies (numbered files)"
        self._confirmed: list[Path] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Label(f"Save the {self._what}", classes="dialog-title")
            yield Static(Content.from_markup("File name (relative to [b]$cwd[/b])", cwd=os.getcwd()), classes="hint")
            yield Input(self._default_name, id="save-path")
            yield Static(id="save-message", classes="feedback")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", id="save-confirm", variant="primary", compact=True)
                yield Button("Cancel", id="save-cancel", compact=True)

    def on_mount(self) -> None:
        field = self.query_one("#save-path", Input)
        field.focus()
        # Select the stem so typing a new name keeps the extension.
        stem_end = len(self._default_name) - len(Path(self._default_name).suffix)
        field.selection = Selection(0, stem_end)

    @on(Input.Changed, "#save-path")
    def _path_edited(self) -> None:
        self._confirmed = None
        self.query_one("#save-confirm", Button).label = "Save"
        self.query_one("#save-message", Static).update("")

    @on(Input.Submitted, "#save-path")
    @on(Button.Pressed, "#save-confirm")
    def _save(self) -> None:
        typed = self.query_one("#save-path", Input).value.strip()
        message = self.query_one("#save-message", Static)
        paths = [Path(typed)] if len(self._texts) == 1 or not typed else numbered_paths(typed, len(self._texts))
        try:
            targets = [inspect_target(path) for path in paths]
            existing = [target for target in targets if target.exists]
            overwrite = self._confirmed == paths
            if existing and not overwrite:
                self._confirmed = paths
                first = existing[0]
                where = f" (a link to {first.link_target})" if first.link_target else ""
                more = f" and {len(existing) - 1} more" if len(existing) > 1 else ""
                message.update(
                    Content.from_markup(
                        "[$warning]! $path$where$more already exists. Press Replace to overwrite, or change the name.[/]",
                        path=str(first.path),
                        where=where,
                        more=more,
                    )
                )
                self.query_one("#save-confirm", Button).label = "Replace"
                return
            written = [
                save_text(path, text, overwrite=overwrite) for path, text in zip(paths, self._texts, strict=False)
            ]
        except FileExistsSaveError as error:
            message.update(Content.from_markup("[$warning]! $text[/]", text=str(error)))
            return
        except SaveError as error:
            message.update(Content.from_markup("[$error]✗ Not saved: $text.[/]", text=str(error)))
            return
        self.dismiss([Path(os.path.abspath(path)) for path in written])

    @on(Button.Pressed, "#save-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class OverLimitDialog(Dialog[Strategy | None]):
    """The policy is over IAM's size limit: split it, or compact it (showing the wildcards)."""

    BINDINGS = [Binding("escape", "choose(None)", "Cancel")]

    def __init__(self, policy: GeneratedPolicy) -> None:
        super().__init__()
        self._policy = policy

    def compose(self) -> ComposeResult:
        fitted = fit_policy(self._policy, PolicyKind.MANAGED)
        parts = len(split_policy(self._policy, PolicyKind.MANAGED))
        with Vertical(classes="dialog", id="over-limit"):
            yield Label("Too big for one managed policy", classes="dialog-title")
            message = over_limit_message(fitted, "Split", "Compact")
            yield Static(message[0].upper() + message[1:] + ".")
            with VerticalScroll(id="compaction-preview"):
                yield Static(self._compaction_text())
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"Split into {parts}", id="split", variant="primary", compact=True)
                yield Button("Compact", id="compact", compact=True, disabled=not self._can_compact)
                yield Button("Cancel", id="cancel", compact=True)

    def _compaction_text(self) -> Content:
        try:
            compaction = compact_policy(self._policy, PolicyKind.MANAGED)
        except SizeError as error:
            self._can_compact = False
            return Content.from_markup("[$text-muted]Compact cannot help: $why.[/]", why=str(error))
        self._can_compact = True
        lines = [Content.from_markup("[b]Compact would use these wildcards:[/b]")]
        for wildcard in compaction.wildcards:
            lines.append(
                Content.from_markup(
                    "[b $accent]$pattern[/] replaces $count names ($sample); it $also.",
                    pattern=wildcard.pattern,
                    count=str(len(wildcard.replaces)),
                    sample=", ".join(wildcard.replaces[:3]) + (", …" if len(wildcard.replaces) > 3 else ""),
                    also=wildcard.also_matches,
                )
            )
        return Content("\n").join(lines)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss({"split": Strategy.SPLIT, "compact": Strategy.COMPACT}.get(event.button.id or ""))

    def action_choose(self, choice: None) -> None:
        self.dismiss(choice)


class ConfirmDialog(Dialog[bool]):
    """A yes/no question; Escape answers no."""

    BINDINGS = [Binding("escape", "answer(False)", "Cancel")]

    def __init__(self, question: str, yes: str, no: str) -> None:
        super().__init__()
        self._question, self._yes, self._no = question, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self._question, classes="dialog-title")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self._no, id="no", variant="primary", compact=True)
                yield Button(self._yes, id="yes", variant="error", compact=True)

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


HELP = """\
[b]Moving around[/b]
  [b $accent]ctrl+n[/]        next step (also Enter on a choice or an empty field)
  [b $accent]escape[/]        previous step; every answer is kept
  [b $accent]alt+1 … alt+5[/] go to a step (or click it in the top bar)
  [b $accent]tab[/] / [b $accent]shift+tab[/]  next / previous field
  [b $accent]↑ ↓[/]           choose in a list; in Review, move between statements

[b]Repositories[/b]
  [b $accent]enter[/]         add what you typed (commas or spaces add several)
  [b $accent]del[/]           remove the highlighted repository
  [b $accent]enter[/] on one  edit it

[b]Trust & options[/b]
  [b $accent]↑ ↓[/]           who assumes the role; its details appear below
  [b $accent]space[/]         tick an option (pull-through cache, ECR Public, KMS)

[b]Your policy[/b]
  [b $accent]ctrl+y[/]        copy it (system clipboard, else the terminal's)
  [b $accent]ctrl+s[/]        save it to a file
  [b $accent]ctrl+o[/]        check and explain an existing policy (a file, or pasted)
  Review step    "What if an action were missing?" shows what would break

[b]Everything else[/b]
  [b $accent]ctrl+p[/]        command palette: copy, save, go to a step, theme
  [b $accent]f1[/]            this help
  [b $accent]ctrl+q[/]        quit (asks first if the policy was not copied or saved)
"""


class HelpScreen(Dialog[None]):
    """The keys, on F1."""

    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="help"):
            yield Label("Keys", classes="dialog-title")
            with VerticalScroll():
                yield Static(Content.from_markup(HELP))
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close", id="close", variant="primary", compact=True)

    def on_button_pressed(self) -> None:
        self.dismiss(None)
