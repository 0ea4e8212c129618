"""Checking an existing policy: its JSON beside each statement's explanation and findings.

Everything here comes from outside (a file or a paste) and is shown as plain text only
(wizard.tui.outside): a Sid such as `[@click=app.quit]` is drawn as those characters and does
nothing, and control characters appear as escapes such as `\\x1b`.
"""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from wizard.core.builder import render_json
from wizard.core.describe import blast_radius_rows, kind_line, reach_lines, statement_block
from wizard.core.limits import POLICY_BYTES, InputError, read_path_limited
from wizard.core.lint import Finding, check_text, summarize
from wizard.core.policy import Kind
from wizard.core.policy.evaluate import ActionMap
from wizard.core.text import visible, wrap
from wizard.tui.dialogs import Dialog
from wizard.tui.outside import plain, template
from wizard.tui.preview import PolicyView


def findings_content(findings: list[Finding]) -> Content:
    if not findings:
        return Content.from_markup("[$success]✓ No findings.[/]")
    parts = []
    for finding in findings:
        colour = "$error" if finding.severity == "error" else "$warning"
        parts.append(
            template(
                f"[{colour} b]$severity[/] $message\n  [b]Fix:[/] $fix",
                severity=finding.severity,
                message=finding.message,
                fix=finding.fix,
            )
        )
    return Content("\n").join(parts)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


class InspectScreen(Screen[None]):
    """An existing policy of any ECR-related kind, opened from a file or pasted: what kind it
    was read as, each statement in words beside its findings, and who can do what with it.

    The same parse and rules as `ecr-policy check` and `explain` (wizard.core.lint.check_text,
    wizard.core.describe), so the screen and the CLI never disagree.
    """

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back to the wizard"),
        Binding("t", "tighten", "Tighten"),
    ]
    DEFAULT_CSS = """
    InspectScreen #inspect-title { width: 1fr; padding: 0 1; background: $panel; text-wrap: nowrap; text-overflow: ellipsis; }
    InspectScreen #inspect-main { height: 1fr; }
    InspectScreen #inspect-left { width: 34%; min-width: 34; max-width: 76; padding: 0 1; }
    InspectScreen #inspect-sections { height: auto; max-height: 10; border: none; padding: 0; background: $surface; }
    InspectScreen #inspect-detail-scroll { height: 1fr; margin-top: 1; scrollbar-size-vertical: 1; }
    InspectScreen #inspect-json { width: 1fr; height: 1fr; border-left: tall $panel; }
    """

    def __init__(self, name: str, text: str) -> None:
        super().__init__()
        self._name = name
        self._text = text
        self.model, self.findings = check_text(text)
        """model: the parsed Document (None when the text is not a policy); findings: check's."""
        self.document = self.model.raw if self.model is not None else None
        self._statements = list(self.model.statements) if self.model is not None else []

    def compose(self) -> ComposeResult:
        # The verdict first: a long path is what the width cuts, never the count.
        kind = f" · {self.model.kind.title}" if self.model is not None else ""
        yield Label(
            template(
                "[b]Checking:[/b] $summary$kind · $name", name=self._name, kind=kind, summary=summarize(self.findings)
            ),
            id="inspect-title",
        )
        with Horizontal(id="inspect-main"):
            with Vertical(id="inspect-left"):
                yield OptionList(*self._sections(), id="inspect-sections")
                with VerticalScroll(id="inspect-detail-scroll"):
                    yield Static(id="inspect-detail")
            yield PolicyView(id="inspect-json")
        yield Footer(compact=True)

    def _sections(self) -> list[Option]:
        options = [Option(template("Whole policy · $count", count=_count(len(self.findings), "finding")), id="policy")]
        for statement in self._statements:
            mine = [f for f in self.findings if f.statement == statement.index]
            options.append(
                Option(
                    template(
                        "Statement $index$sid$mark",
                        index=str(statement.index),
                        sid=f": {statement.sid}" if statement.sid else "",
                        mark=f" · {_count(len(mine), 'finding')}" if mine else "",
                    ),
                    id=f"statement-{statement.index}",
                )
            )
        if self.model is not None and self.model.kind in (Kind.IDENTITY, Kind.PUBLIC_IDENTITY):
            options.append(Option("Blast radius", id="radius"))
        return options

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "tighten":
            from wizard.core.tighten import SUPPORTED

            return self.model is not None and self.model.kind in SUPPORTED
        return True

    async def action_tighten(self) -> None:
        """Load what the policy is for into the wizard (wizard.tui.tightening)."""
        from wizard.tui.tightening import load_into_wizard

        await load_into_wizard(self.app, self._name, self.model)

    def on_mount(self) -> None:
        text = render_json(self.document) if self.document is not None else self._text
        self.query_one(PolicyView).show(text)  # the view shows control characters as escapes
        self._show("policy")
        self.query_one("#inspect-sections", OptionList).focus()

    def on_resize(self) -> None:
        option = self.query_one("#inspect-sections", OptionList).highlighted_option
        if option is not None and option.id:
            self._show(option.id)  # statements are wrapped to the pane's new width

    @on(OptionList.OptionHighlighted, "#inspect-sections")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show(event.option_id or "policy")

    def _show(self, section: str) -> None:
        view = self.query_one(PolicyView)
        highlight = None
        if section == "policy":
            content = self._whole_policy()
        elif section == "radius":
            content = self._blast_radius()
        else:
            index = int(section.removeprefix("statement-"))
            content = self._statement(index)
            highlight = index - 1
        view.show(view.json_text, highlight)
        self.query_one("#inspect-detail", Static).update(content)

    def _whole_policy(self) -> Content:
        whole = [f for f in self.findings if f.statement is None]
        content = findings_content(whole) if whole or not self.findings else self._findings_elsewhere()
        if self.model is None:
            return content
        # Wrapped to the pane, less a column for its scrollbar.
        width = (self.query_one("#inspect-detail", Static).content_region.width or 40) - 1
        lines = wrap(kind_line(self.model), "", "  ", width)
        if self._statements:
            lines += ["", *reach_lines(self.model, ActionMap(self.model), width)]
        if self.check_action("tighten", ()):
            lines += [
                "",
                "Press t to tighten it: the wizard opens with what it is for, and the review lists the changes.",
            ]
        return plain("\n".join(lines)) + Content("\n\n") + content

    def _findings_elsewhere(self) -> Content:
        """No policy-wide finding, but some in statements: say where, never a bare ✓."""
        where = sorted({f.statement for f in self.findings if f.statement is not None})
        return template(
            "[$warning]![/] $summary, all in statements $where: none about the policy as a whole.",
            summary=summarize(self.findings),
            where=", ".join(map(str, where)),
        )

    def _blast_radius(self) -> Content:
        lines = [
            f"{name}: {count} actions on {scope}" + (f"\n  leaves out: {left}" if left else "")
            for name, count, scope, left in blast_radius_rows(self.model)
        ]
        return Content.from_markup("[b]Blast radius[/b]\n") + plain("\n".join(lines))

    def _statement(self, index: int) -> Content:
        statement = self._statements[index - 1]
        # Wrapped to the pane, less a column for its scrollbar, plus the indent taken off below;
        # the title is the section's name.
        width = self.query_one("#inspect-detail", Static).content_region.width or 40
        block = statement_block(statement, self.model.kind, width + 1)[1:]
        findings = findings_content([f for f in self.findings if f.statement == index])
        # Findings first: with 14 actions explained, they would be 100 lines down.
        return findings + Content("\n\n") + plain("\n".join(line.removeprefix("  ") for line in block))


class PasteArea(TextArea):
    """The paste box: holds at most a policy's worth of text (POLICY_BYTES), and shows control
    characters in pasted text as escapes (raw, they would reach the terminal)."""

    LIMIT = POLICY_BYTES
    """The most text the box holds (a subclass for another kind of text sets its own)."""

    class TooLarge(Message):
        """A paste was refused: it would make the text larger than the limit."""

    async def _on_paste(self, event: events.Paste) -> None:
        # Textual calls TextArea's own _on_paste after ours unless the default is prevented.
        event.prevent_default()
        event.stop()
        if self.read_only:
            return
        pasted = visible(event.text, keep_newlines=True)
        if _size(self.text) + _size(pasted) > self.LIMIT.size:
            self.post_message(self.TooLarge())
            return
        result = self.replace(pasted, *self.selection)
        self.move_cursor(result.end_location)


def _size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


class OpenPolicyDialog(Dialog[tuple[str, str] | None]):
    """A file to open, or policy JSON pasted in; dismisses with (name, text).

    Files are read within POLICY_BYTES and only when they are regular files: /dev/zero, a FIFO
    or a huge file gives an inline message instead of freezing the wizard. With `files=False`
    (a browser session, wizard/tui/served.py) there is no file name field and no file is read.
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    OpenPolicyDialog #paste { height: 12; }
    OpenPolicyDialog #paste-hint { margin-top: 1; }
    """

    def __init__(self, files: bool = True) -> None:
        super().__init__()
        self.files = files
        """Whether a file name may be given (never in a browser: the files are the server's)."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Check an existing policy", classes="dialog-title")
            if self.files:
                yield Static("A file name…", classes="hint")
                yield Input(placeholder="e.g. policy.json", id="open-path", compact=True)
                yield Static("…or paste the JSON here:", classes="hint", id="paste-hint")
            else:
                yield Static(
                    "Paste the policy JSON here (open the file on your computer, copy it, then ctrl+v):",
                    classes="hint",
                    id="paste-hint",
                )
            yield PasteArea(id="paste", soft_wrap=True, show_line_numbers=False)
            yield Static(id="open-message", classes="feedback")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Check", id="open-confirm", variant="primary", compact=True)
                yield Button("Cancel", id="open-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#open-path" if self.files else "#paste").focus()

    def on_resize(self, event: events.Resize) -> None:
        # Everything, the buttons included, stays on a 24-line screen: the paste box gives way
        # (the rest of the dialog takes 16 lines, and dialogs 90% of the height at most).
        self.query_one("#paste", PasteArea).styles.height = max(3, min(12, int(event.size.height * 0.9) - 15))

    def on_paste(self, event: events.Paste) -> None:
        """In a browser, a paste that lands outside the box (the page's upload button while the
        focus is on Check) goes into it: there is nowhere else it could be meant for."""
        if self.files:
            return
        event.stop()
        area = self.query_one("#paste", PasteArea)
        area.focus()
        area.post_message(events.Paste(event.text))

    @on(PasteArea.TooLarge)
    def _paste_refused(self) -> None:
        self._say_error(
            f"Not pasted: the text would be larger than {POLICY_BYTES.describe()}, the limit for {POLICY_BYTES.what}."
        )

    @on(Input.Submitted, "#open-path")
    @on(Button.Pressed, "#open-confirm")
    def _open(self) -> None:
        path = self.query_one("#open-path", Input).value.strip() if self.files else ""
        pasted = self.query_one("#paste", PasteArea).text
        if path:
            try:
                text = read_path_limited(path, POLICY_BYTES, repr(path), regular_only=True)
            except InputError as error:
                self._say_error(f"{str(error)[0].upper()}{str(error)[1:]}.")
                return
            self.dismiss((path, text))
        elif pasted.strip():
            if _size(pasted) > POLICY_BYTES.size:
                self._say_error(
                    f"The text is larger than {POLICY_BYTES.describe()}, the limit for {POLICY_BYTES.what}."
                )
                return
            self.dismiss(("pasted policy", pasted))
        else:
            self.query_one("#open-message", Static).update(
                Content.from_markup(
                    "[$warning]! Give a file name or paste a policy.[/]"
                    if self.files
                    else "[$warning]! Paste a policy first.[/]"
                )
            )

    def _say_error(self, text: str) -> None:
        self.query_one("#open-message", Static).update(template("[$error]✗ $text[/]", text=text))

    @on(Button.Pressed, "#open-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
