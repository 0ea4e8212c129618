"""Modal dialogs: save (with its own errors and overwrite confirmation), confirm, help."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, ScreenResultType
from textual.widgets import Button, Footer, Input, Label, Static
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
from wizard.tui.outside import notify, plain, template


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
    Dialog #help VerticalScroll { height: auto; }
    Dialog #compaction-preview { height: auto; max-height: 16; }
    """

    def on_mount(self) -> None:
        # The dialog's own keys at the bottom, over the wizard's (which do not apply here).
        # Textual calls this and each subclass's on_mount.
        self.mount(Footer(compact=True))


class SaveDialog(Dialog[list[Path] | None]):
    """Ask for a file name and save; problems are shown here and the policy stays in the app.

    Several texts (a split policy) go to numbered files beside the name: NAME-1.json, ...
    Replacing a file asks first, with "Keep it" as the default (Enter twice never replaces).
    Dismisses with the paths written, or None when cancelled. With `create_directories` (a CI
    file's usual place, .github/workflows/...), missing folders are made.
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self, texts: list[str], default_name: str, what: str = "policy", create_directories: bool = False
    ) -> None:
        super().__init__()
        self._texts = texts
        self._create_directories = create_directories
        self._default_name = default_name
        self._what = what if len(texts) == 1 else f"{len(texts)} policies (numbered files)"

    def compose(self) -> ComposeResult:
        from wizard.tui.served import is_served

        if is_served(self.app):  # in a browser: no server path is shown or taken (on_mount downloads)
            return
        with Vertical(id="dialog", classes="dialog"):
            yield Label(f"Save the {self._what}", classes="dialog-title")
            hint = "File name (relative to [b]$cwd[/b]" + (
                "; missing folders are made)" if self._create_directories else ")"
            )
            yield Static(template(hint, cwd=_working_directory()), classes="hint")
            yield Input(self._default_name, id="save-path")
            yield Static(id="save-message", classes="feedback")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", id="save-confirm", variant="primary", compact=True)
                yield Button("Cancel", id="save-cancel", compact=True)

    def on_mount(self) -> None:
        from wizard.tui import served

        if served.is_served(self.app):
            # Whatever asked for a save, a browser gets a download (the wizard's own Save does not
            # come here; a dialog added later is safe by default). Nothing was written: None.
            names = served.download(self.app, self._texts, self._default_name)
            notify(self.app, served.download_message(names), timeout=6)
            self.dismiss(None)
            return
        self._select_stem()

    def _select_stem(self) -> None:
        """Focus the name with its stem selected, so typing a new name keeps the extension."""
        field = self.query_one("#save-path", Input)
        field.focus()
        stem_end = len(field.value) - len(Path(field.value).suffix)
        field.selection = Selection(0, stem_end)

    @on(Input.Changed, "#save-path")
    def _path_edited(self) -> None:
        self.query_one("#save-message", Static).update("")

    @on(Input.Submitted, "#save-path")
    @on(Button.Pressed, "#save-confirm")
    def _save(self) -> None:
        typed = self.query_one("#save-path", Input).value.strip()
        paths = [Path(typed)] if len(self._texts) == 1 or not typed else numbered_paths(typed, len(self._texts))
        try:
            targets = [inspect_target(path, create_directories=self._create_directories) for path in paths]
            existing = [target for target in targets if target.exists]
        except (SaveError, OSError) as error:
            self._say("[$error]✗ Not saved: $text.[/]", _why(error))
            return
        if existing:
            self._confirm_replace(paths, existing)
            return
        self._write(paths, overwrite=False)

    def _confirm_replace(self, paths: list[Path], existing: list) -> None:
        first = existing[0]
        where = f" (a link to {first.link_target})" if first.link_target else ""
        more = f" and {len(existing) - 1} more" if len(existing) > 1 else ""

        def answered(replace: bool | None) -> None:
            if replace:
                self._write(paths, overwrite=True)
            else:
                self._say("[$warning]! Kept $text. Give another name, or Save again to choose.[/]", str(first.path))
                self._select_stem()

        self.app.push_screen(
            ConfirmDialog(f"{first.path}{where}{more} already exists. Replace it?", yes="Replace", no="Keep it"),
            answered,
        )

    def _write(self, paths: list[Path], *, overwrite: bool) -> None:
        try:
            written = [
                save_text(path, text, overwrite=overwrite, create_directories=self._create_directories)
                for path, text in zip(paths, self._texts, strict=False)
            ]
        except FileExistsSaveError as error:
            self._say("[$warning]! $text[/]", str(error))
            return
        except (SaveError, OSError) as error:
            self._say("[$error]✗ Not saved: $text.[/]", _why(error))
            return
        self.dismiss([Path(os.path.abspath(path)) for path in written])

    def _say(self, markup: str, text: str) -> None:
        self.query_one("#save-message", Static).update(template(markup, text=text))

    @on(Button.Pressed, "#save-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def _working_directory() -> str:
    try:
        return os.getcwd()
    except OSError:  # the directory was removed under us
        return "the current directory (it no longer exists)"


def _why(error: Exception) -> str:
    """A save problem in words: ours say it already; the system's name its cause."""
    if isinstance(error, SaveError):
        return str(error)
    if isinstance(error, OSError) and error.errno == errno.ENAMETOOLONG:
        return "the file name is too long for the file system; choose a shorter one"
    return getattr(error, "strerror", None) or str(error)


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
            with VerticalScroll(id="compaction-preview"):
                yield Static(plain(message[0].upper() + message[1:] + ".\n"))
                yield Static(self._compaction_text())
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"Split into {parts}", id="split", variant="primary", compact=True)
                yield Button("Compact", id="compact", compact=True, disabled=not self._can_compact)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#split", Button).focus()

    def on_resize(self, event) -> None:
        # The buttons stay on screen: the explanation scrolls instead (the frame around it
        # takes 10 lines, and dialogs 90% of the height at most).
        self.query_one("#compaction-preview").styles.max_height = max(3, int(event.size.height * 0.9) - 10)

    def _compaction_text(self) -> Content:
        try:
            compaction = compact_policy(self._policy, PolicyKind.MANAGED)
        except SizeError as error:
            self._can_compact = False
            return template("[$foreground-muted]Compact cannot help: $why.[/]", why=str(error))
        self._can_compact = True
        lines = [Content.from_markup("[b]Compact would use these wildcards:[/b]")]
        for wildcard in compaction.wildcards:
            lines.append(
                template(
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
            yield Static(plain(self._question), classes="dialog-title")
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
The line above the keys always says what Enter does where you are.

[b]Moving around[/b]
  [b $accent]enter[/]          in a list: next step; in a field: add the name or
                 pick the region it holds, else next step
  [b $accent]ctrl+n[/]         next step
  [b $accent]escape[/]         previous step; every answer is kept
  [b $accent]alt+1[/] … [b $accent]alt+5[/]  go to a step (or click it in the top bar)
  [b $accent]1[/] … [b $accent]5[/]          the same, where no text field has focus
  [b $accent]tab[/], [b $accent]shift+tab[/] next, previous field
  [b $accent]↑ ↓[/]            choose in a list

[b]Role (the first step)[/b]
  [b $accent]ctrl+e[/]         start from an error message: paste it, read the
                 diagnosis, apply the fix (also in the palette)

[b]Repositories[/b]
  [b $accent]enter[/]          add what you typed (commas or spaces: several)
  [b $accent]tab[/] then [b $accent]del[/]    remove the highlighted repository
  [b $accent]tab[/] then [b $accent]enter[/]  edit it

[b]Trust & options[/b]
  [b $accent]↑ ↓[/]            who assumes the role; its details appear below
  [b $accent]space[/]          tick an option (pull-through cache, KMS, ...)

[b]Review[/b]
  [b $accent]↑ ↓[/]            statements; the policy highlights each one
  [b $accent]enter[/]          on "Output" or "What if": choose inside them;
                 on "Save this explanation": Markdown or HTML
  [b $accent]escape[/]         back from those choices to the list
  [b $accent]ctrl+y[/]         copy (system clipboard, else the terminal's)
  [b $accent]ctrl+s[/]         save to a file (asks before replacing one)

[b]Teaching[/b]
  [b $accent]f5[/]             save the explanation as Markdown or HTML (a handout)
  [b $accent]f6[/]             projector view: statement by statement, action by
                 action; [b $accent]→[/] or [b $accent]n[/] next, [b $accent]←[/] or [b $accent]p[/] back, [b $accent]escape[/] leaves
  [b $accent]f7[/]             roles side by side: who pulls or pushes for CI, ECS,
                 EKS and Lambda

[b]Everything else[/b]
  [b $accent]ctrl+o[/]         check and explain a policy (a file, or pasted);
                 [b $accent]t[/] there tightens it: the wizard fills in what it is
                 for, and the review lists every change
  [b $accent]ctrl+p[/]         command palette: copy, save, a step, the theme
  [b $accent]f1[/]             this help
  [b $accent]ctrl+q[/]         quit (asks first if nothing was copied or saved)
"""


class HelpScreen(Dialog[None]):
    """The keys, on F1."""

    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="help"):
            yield Label("Keys", classes="dialog-title")
            with VerticalScroll(id="help-text"):
                yield Static(Content.from_markup(self._keys()))
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close", id="close", variant="primary", compact=True)

    def _keys(self) -> str:
        from wizard.tui.served import browser_help, is_served

        return browser_help(HELP) if is_served(self.app) else HELP

    def on_mount(self) -> None:
        self.query_one("#help-text").focus()  # ↑ ↓ scroll it

    def on_resize(self, event) -> None:
        # The Close button stays on screen: the text scrolls instead (the frame around it takes
        # 10 lines, and dialogs 90% of the height at most).
        self.query_one("#help-text").styles.max_height = max(3, int(event.size.height * 0.9) - 10)

    def on_button_pressed(self) -> None:
        self.dismiss(None)
