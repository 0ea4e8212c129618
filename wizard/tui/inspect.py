"""Checking an existing policy: its JSON beside each statement's explanation and findings."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from wizard.core.builder import render_json
from wizard.core.explain import blast_radius_rows, describe_resource, explain_action, reach_lines
from wizard.core.lint import Finding, check_policy, load_policy, summarize
from wizard.core.policy import document_from_json
from wizard.tui.dialogs import Dialog
from wizard.tui.widgets import PolicyView


def findings_content(findings: list[Finding]) -> Content:
    if not findings:
        return Content.from_markup("[$success]✓ No findings.[/]")
    parts = []
    for finding in findings:
        colour = "$error" if finding.severity == "error" else "$warning"
        parts.append(
            Content.from_markup(
                f"[{colour} b]$severity[/] $message\n  [b]Fix:[/] $fix",
                severity=finding.severity,
                message=finding.message,
                fix=finding.fix,
            )
        )
    return Content("\n").join(parts)


class InspectScreen(Screen[None]):
    """An existing policy, opened from a file or pasted: explanations and findings per statement."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back to the wizard")]
    DEFAULT_CSS = """
    InspectScreen #inspect-title { width: 1fr; padding: 0 1; background: $panel; text-wrap: nowrap; text-overflow: ellipsis; }
    InspectScreen #inspect-main { height: 1fr; }
    InspectScreen #inspect-left { width: 1fr; padding: 0 1; }
    InspectScreen #inspect-sections { height: auto; max-height: 10; border: none; padding: 0; background: $surface; }
    InspectScreen #inspect-detail-scroll { height: 1fr; margin-top: 1; scrollbar-size-vertical: 1; }
    InspectScreen #inspect-json { width: 46; height: 1fr; border-left: tall $panel; }
    .-wide InspectScreen #inspect-json { width: 1fr; }
    """

    def __init__(self, name: str, text: str) -> None:
        super().__init__()
        self._name = name
        self._text = text
        self.document, self.findings = load_policy(text)
        if self.document is not None:
            self.findings = check_policy(self.document)
        self._model = document_from_json(self.document) if self.document is not None else None
        self._statements = list(self._model.statements) if self._model is not None else []

    def compose(self) -> ComposeResult:
        yield Label(
            Content.from_markup("[b]Checking[/b] $name · $summary", name=self._name, summary=summarize(self.findings)),
            id="inspect-title",
        )
        with Horizontal(id="inspect-main"):
            with Vertical(id="inspect-left"):
                yield OptionList(*self._sections(), id="inspect-sections")
                with VerticalScroll(id="inspect-detail-scroll"):
                    yield Static(id="inspect-detail")
            yield PolicyView(id="inspect-json")
        yield Footer()

    def _sections(self) -> list[Option]:
        whole = [f for f in self.findings if f.statement is None]
        options = [Option(f"Whole policy ({len(whole)} finding{'s' if len(whole) != 1 else ''})", id="policy")]
        for statement in self._statements:
            mine = [f for f in self.findings if f.statement == statement.index]
            mark = f" · {len(mine)} finding{'s' if len(mine) != 1 else ''}" if mine else ""
            options.append(
                Option(
                    f"Statement {statement.index}{': ' + statement.sid if statement.sid else ''}{mark}",
                    id=f"statement-{statement.index}",
                )
            )
        if self.document is not None:
            options.append(Option("Blast radius", id="radius"))
        return options

    def on_mount(self) -> None:
        text = render_json(self.document) if self.document is not None else self._text
        self.query_one(PolicyView).show(text)
        self._show("policy")
        self.query_one("#inspect-sections", OptionList).focus()

    @on(OptionList.OptionHighlighted, "#inspect-sections")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show(event.option_id or "policy")

    def _show(self, section: str) -> None:
        detail = self.query_one("#inspect-detail", Static)
        view = self.query_one(PolicyView)
        if section == "policy":
            content = findings_content([f for f in self.findings if f.statement is None])
            if self._statements:
                content += Content("\n\n" + "\n".join(reach_lines(self._model)))
            view.show(view.json_text, None)
        elif section == "radius":
            rows = blast_radius_rows(self._model)
            lines = [
                f"{name}: {count} actions on {scope}" + (f"\n  leaves out: {left}" if left else "")
                for name, count, scope, left in rows
            ]
            content = Content.from_markup("[b]Blast radius[/b]\n") + Content("\n".join(lines))
            view.show(view.json_text, None)
        else:
            index = int(section.removeprefix("statement-"))
            statement = self._statements[index - 1]
            lines = [f"{'Allows' if statement.effect == 'Allow' else 'Denies'} on:"]
            lines += [f"  {describe_resource(resource)}" for resource in statement.resources or ["(no Resource)"]]
            lines += [f"• {explain_action(action)}" for action in statement.actions]
            content = (
                Content("\n".join(lines))
                + Content("\n\n")
                + findings_content([f for f in self.findings if f.statement == index])
            )
            view.show(view.json_text, index - 1)
        detail.update(content)


class OpenPolicyDialog(Dialog[tuple[str, str] | None]):
    """A file to open, or policy JSON pasted in; dismisses with (name, text)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    OpenPolicyDialog #paste { height: 10; }
    """

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Check an existing policy", classes="dialog-title")
            yield Static("A file name…", classes="hint")
            yield Input(placeholder="policy.json", id="open-path")
            yield Static("…or paste the JSON here:", classes="hint")
            yield TextArea(id="paste", soft_wrap=True, show_line_numbers=False)
            yield Static(id="open-message", classes="feedback")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Check", id="open-confirm", variant="primary", compact=True)
                yield Button("Cancel", id="open-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#open-path", Input).focus()

    @on(Input.Submitted, "#open-path")
    @on(Button.Pressed, "#open-confirm")
    def _open(self) -> None:
        path = self.query_one("#open-path", Input).value.strip()
        pasted = self.query_one("#paste", TextArea).text
        message = self.query_one("#open-message", Static)
        if path:
            try:
                text = Path(path).expanduser().read_text(encoding="utf-8")
            except UnicodeDecodeError:
                message.update(Content.from_markup("[$error]✗ $path is not UTF-8 text.[/]", path=path))
                return
            except OSError as error:
                message.update(
                    Content.from_markup(
                        "[$error]✗ Cannot read $path: $why.[/]", path=path, why=error.strerror or str(error)
                    )
                )
                return
            self.dismiss((path, text))
        elif pasted.strip():
            self.dismiss(("pasted policy", pasted))
        else:
            message.update(Content.from_markup("[$warning]! Give a file name or paste a policy.[/]"))

    @on(Button.Pressed, "#open-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
