"""The Textual wizard: five steps on the left, the live policy on the right."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
import sys
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

from textual import events, on
from textual.app import App, ComposeResult, SystemCommand
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.theme import BUILTIN_THEMES, Theme
from textual.widgets import ContentSwitcher, Footer, Label, Static

from wizard.core.answers import Answers, Preview, Step, output_noun, output_title
from wizard.core.regions import region_from_environment
from wizard.core.size import Strategy, policy_size
from wizard.core.text import visible
from wizard.themes import DEFAULT_THEME, ThemeData, load_themes
from wizard.tui.outside import notify, plain, template
from wizard.tui.preview import PolicyView, language_of
from wizard.tui.steps import load_step
from wizard.tui.steps.base import Advance, WizardStep, short_problem
from wizard.tui.teaching import TEACHING_ACTIONS, TEACHING_BINDINGS, TeachingActions, teaching_commands
from wizard.tui.widgets import StepBar, set_content

EXIT_CANCELLED = 130
"""Status after SIGINT (kill -INT, or Ctrl-C where the terminal sends a signal), as the README says."""

ESC_DIGIT_KEYS = ("inverted_exclamation_mark", "trade_mark_sign", "pound_sign", "cent_sign", "infinity")
"""What alt+1 … alt+5 arrive as in tmux and every terminal that sends alt as ESC+key:
Textual 8.2.8 reads ESC 1 as "¡", ESC 2 as "™" and so on (macOS option-key characters)."""

GC_YOUNG_THRESHOLD = 20_000
"""Allocations between young-generation collections while the wizard runs (Python's default
is 700): with 5,000 repositories this takes garbage collection from about 5 ms per keystroke
to under 1 ms (measured with gc.callbacks; benchmarks/run.py shows the keystroke figures)."""

OUTPUT_LANGUAGES = {"terraform": "hcl", "cloudformation": "yaml", "aws-cli": "shell"}
"""How the preview reads each non-JSON output (comments start with #)."""


def textual_theme(data: ThemeData) -> Theme:
    """A project theme (data from themes/) as a Textual theme; its preview colours become
    the variables $syntax-key, $syntax-string, ..."""
    syntax = {f"syntax-{kind}": colour for kind, colour in data.syntax.items()}
    return Theme(name=data.name, dark=data.dark, variables={**data.variables, **syntax}, **data.colours)


def available_themes() -> list[str]:
    """Our themes first, then Textual's built-in ones."""
    ours = [data.name for data in load_themes()]
    return ours + [name for name in BUILTIN_THEMES if name not in ours]


def _step_bindings() -> list[Binding]:
    """alt+N (and what tmux sends for it) everywhere; the digit N where no text field has focus
    (a text field takes the digit as typed text first)."""
    jumps = []
    for step in Step:
        keys = f"alt+{step.value + 1},{ESC_DIGIT_KEYS[step.value]}"
        jumps.append(Binding(keys, f"go({step.value})", f"Go to {step.title}", show=False, priority=True))
        jumps.append(Binding(str(step.value + 1), f"go({step.value})", show=False))
    return jumps


class PolicyWizardApp(TeachingActions, App[None]):
    """Walks through role, repositories, region and account, trust; shows the policy as it grows.

    Dialogs and the clipboard are imported when first used: start-up time is measured
    (benchmarks/run.py) and what the first frame does not show should not delay it.
    """

    TITLE = "ECR Policy Wizard"
    CSS_PATH = Path(__file__).parent / "wizard.tcss"  # absolute, so subclasses elsewhere find it
    NARROW, WIDE = 70, 120
    """Widths where the layout changes: below NARROW the preview goes under the step; from
    WIDE on, the step bar also shows the app's name."""
    BINDINGS = [
        Binding("ctrl+n", "next", "Next"),
        Binding("escape", "back", "Back"),
        Binding("ctrl+y", "copy", "Copy"),
        Binding("ctrl+s", "save", "Save"),
        Binding("ctrl+o", "open_policy", "Check file"),
        Binding("f1", "help", "Help"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
        *TEACHING_BINDINGS,
        *_step_bindings(),
    ]
    WIZARD_ACTIONS = frozenset({"next", "back", "copy", "save", "go", "open_policy", *TEACHING_ACTIONS})
    """Actions on the wizard's own screen: not offered while a dialog or another screen is up."""

    def __init__(self, theme: str | None = None, answers: Answers | None = None, debug: bool = False) -> None:
        super().__init__()
        self.show_tracebacks = debug
        """Show Textual's traceback on a crash instead of a short message and a report file."""
        # The environment is outside text too: a region with control characters shows escaped.
        self.answers = answers or Answers(region=visible(region_from_environment() or ""))
        self.step = Step.ROLE
        self.visited: set[Step] = {Step.ROLE}
        """Steps shown so far (or passed by a jump): only those can be ticked as done."""
        self.exported_json: str | None = None
        """The last policy text copied or saved: quitting with another one asks first."""
        self.last_outcome: str = ""
        """The last copy or save message, for the status line and for tests."""
        self._outcome_line = ""
        """A shorter form of it for the status line, when it has one."""
        self.opened_policy = None
        """The policy the answers were loaded from by Tighten (a tightening.OpenedPolicy), if any."""
        self.saved_paths: list[Path] = []
        """Files written in this session (a SIGINT says so instead of "nothing was written")."""
        self._preview: Preview = self.answers.preview()
        self._text = self._preview.text()
        self._highlighted_statement: int | None = 0
        self._gc_thresholds = gc.get_threshold()
        """Restored when the app ends (it raises the young generation's while it runs)."""
        for data in load_themes():
            self.register_theme(textual_theme(data))
        self.theme = theme or DEFAULT_THEME

    # Layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StepBar(id="stepbar")
        with Horizontal(id="main"):
            with ContentSwitcher(initial="step-role", id="steps"):
                # The other steps are imported and mounted on first visit: a faster first frame.
                yield load_step(Step.ROLE)(id=_STEP_IDS[Step.ROLE])
            with Vertical(id="preview-pane"):
                yield Label(id="preview-title")
                yield PolicyView(id="preview")
        # Back/Next (Copy/Save on the review step) and the status, as one line of click links.
        yield Static(id="nav")
        yield Footer(compact=True)

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < self.NARROW, "-narrow")
        self.set_class(event.size.width >= self.WIDE, "-wide")

    def on_mount(self) -> None:
        self.refresh_view()
        self.current_step_widget.focus_first()
        self._catch_interrupts()
        # What exists after the first frame (widgets, styles, caches) lives as long as the app:
        # freezing it keeps the garbage collector from rescanning it, which otherwise shows
        # up as 20-40 ms pauses between keystrokes (measured in benchmarks/run.py).
        self.call_after_refresh(gc.freeze)
        # A keystroke with thousands of repositories allocates a few thousand containers (the
        # policy, its text, the preview's rows): with the default threshold (700) the young
        # generation is collected several times per key, each time walking those big lists.
        gc.set_threshold(GC_YOUNG_THRESHOLD, *self._gc_thresholds[1:])

    def on_unmount(self) -> None:
        gc.set_threshold(*self._gc_thresholds)

    @property
    def current_step_widget(self) -> WizardStep:
        return self.query_one(f"#{_STEP_IDS[self.step]}", WizardStep)

    @property
    def on_wizard_screen(self) -> bool:
        """True when the wizard itself is on top (no dialog, help or inspect screen)."""
        return len(self.screen_stack) <= 1

    @property
    def preview(self) -> Preview:
        """The policy as it stands (complete, or a draft with placeholders)."""
        return self._preview

    @property
    def policy_json(self) -> str:
        """The text shown, and copied or saved (JSON, split parts as an array, or the chosen
        output), rendered once per change: with thousands of repositories it is not cheap."""
        return self._text

    # Keys that do something here, and only those ------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide (and disable) keys that would do nothing where the user is."""
        pointless = {"next": Step.REVIEW, "back": Step.ROLE}  # no step after the last, or before the first
        if action in self.WIZARD_ACTIONS and not self.on_wizard_screen:
            return False
        return pointless.get(action) is not self.step

    def _catch_interrupts(self) -> None:
        """SIGINT (kill -INT) ends the session like Ctrl-C in the plain prompts: status 130.
        The handler goes with the event loop when the app ends."""
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGINT, self.exit, None, EXIT_CANCELLED)

    # Keeping the view in step with the answers ------------------------------------------

    def refresh_view(self) -> None:
        self._preview = self.answers.preview()
        self._text = self._preview.text()
        incomplete = {step for step in Step if self.answers.step_errors(step)}
        if self._preview.complete is False:
            incomplete.add(Step.REVIEW)
        self.query_one(StepBar).show(self.step, incomplete, frozenset(self.visited))
        self._show_policy()
        self.show_status()
        if self.step is Step.REVIEW and self._preview.complete:
            self.current_step_widget.show_preview(self._preview)  # type: ignore[attr-defined]

    def _show_policy(self) -> None:
        fitted = self._preview.fitted
        output = self._preview.chosen_output
        showing_policy = output == "json" and (fitted is None or fitted.strategy is not Strategy.SPLIT)
        highlight = self._highlighted_statement if self.step is Step.REVIEW and showing_policy else None
        ci_file = self._preview.ci_file
        language = language_of(ci_file.path) if ci_file is not None else OUTPUT_LANGUAGES.get(output, "json")
        self.query_one(PolicyView).show(self.policy_json, highlight, language)
        set_content(self.query_one("#preview-title", Label), self._preview_title(), fixed_size=True)

    def _preview_title(self) -> Content:
        fitted = self._preview.fitted
        if fitted is None:
            if "<" in self.policy_json:
                return Content.from_markup("[b]Draft[/b] · [$warning]<placeholders>[/] fill in as you answer")
            return Content.from_markup("[b]Policy[/b] · finish Trust & options to copy or save")
        size, limit = f"{fitted.size.size:,}", f"{fitted.size.limit:,}"
        if fitted.over_limit:
            markup = "[b]Policy[/b] · [$error b]$size/$limit chars: over the limit[/]"
        elif fitted.strategy is Strategy.SPLIT:
            markup = f"[b]{len(fitted.parts)} policies[/b] (split) · each under $limit chars"
        elif fitted.strategy is Strategy.COMPACT and fitted.wildcards:
            compacted = f"{policy_size(fitted.parts[0].document):,}"
            markup = f"[b]Policy[/b] (compacted) · {compacted}/$limit chars"
        else:
            markup = "[b]Policy[/b] · $size/$limit chars"
        if self._preview.chosen_output != "json":
            title = output_title(self._preview.chosen_output).split(" (")[0]
            markup = f"[b]{title}[/b] · " + markup.replace("[b]Policy[/b] · ", "policy ")
        return Content.from_markup(markup, size=size, limit=limit)

    def show_status(self, problem: Content | None = None) -> None:
        """The navigation links, then what Enter does where the focus is (or what just happened,
        or, given, the problem that stopped the user)."""
        if not self.is_mounted:
            return
        links = "" if self.step is Step.ROLE else "[b $foreground on $boost @click=app.back] ← Back [/] "
        if self.step is Step.REVIEW:
            links += "[b $text on $primary @click=app.copy] Copy [/] [b $text on $success @click=app.save] Save… [/] "
        else:
            links += "[b $text on $primary @click=app.next] Next → [/] "
        if problem is not None:
            status = problem
        elif self.last_outcome:
            status = plain(self._outcome_line or self.last_outcome, keep_newlines=False)
        else:
            status = self.current_step_widget.status_hint(self.screen.focused if self.on_wizard_screen else None)
        set_content(self.query_one("#nav", Static), Content.from_markup(links) + " " + status, fixed_size=True)

    def on_descendant_focus(self) -> None:
        if self.on_wizard_screen and not self.last_outcome:
            self.show_status()

    def answers_changed(self) -> None:
        """Called by the steps after they change an answer."""
        self.last_outcome = ""
        self.refresh_view()

    def on_review_step_section_highlighted(self, event) -> None:
        """The review step moved to another section (a ReviewStep.SectionHighlighted)."""
        if event.statement_index is not None:
            self._highlighted_statement = event.statement_index
        self._show_policy()
        self.show_status()

    @on(Advance)
    async def _advance(self) -> None:
        await self.action_next()

    # Moving between steps ---------------------------------------------------------------

    async def _show_step(self, step: Step) -> None:
        switcher = self.query_one(ContentSwitcher)
        widget_id = _STEP_IDS[step]
        if not switcher.query_children(f"#{widget_id}"):
            await switcher.add_content(load_step(step)(id=widget_id))
        self.step = step
        self.visited.update(earlier for earlier in Step if earlier <= step)
        self.last_outcome = ""
        switcher.current = widget_id
        self.refresh_view()
        self.current_step_widget.refresh_from_answers()
        self.current_step_widget.focus_first()
        self.refresh_bindings()

    def _leave_step_forward(self) -> bool:
        """Check the current step; show why when it blocks."""
        if self.step is Step.REPOSITORIES and self.answers.pending_repository.strip():
            # Typed but not added yet: Next adds it, as a person would expect.
            self.current_step_widget.add_names(self.answers.pending_repository)  # type: ignore[attr-defined]
        errors = self.answers.step_errors(self.step)
        if errors:
            self.current_step_widget.show_errors()
            self.bell()
            self.last_outcome = ""
            self.show_status(template("[$error]✗[/] $problem", problem=short_problem(errors[0])))
            return False
        return True

    async def action_next(self) -> None:
        if self.step is Step.REVIEW:
            return
        if self._leave_step_forward():
            await self._show_step(Step(self.step + 1))

    async def action_back(self) -> None:
        if self.step is not Step.ROLE:
            await self._show_step(Step(self.step - 1))

    async def show_loaded_answers(self, step: Step) -> None:
        """New answers were loaded (Tighten): every step up to `step` counts as visited, and
        each mounted step shows the new answers when it is shown."""
        self.visited.update(Step)
        await self._show_step(step)

    async def action_go(self, step_number: int) -> None:
        target = Step(step_number)
        if target == self.step:
            return
        if target < self.step:
            await self._show_step(target)
            return
        if not self._leave_step_forward():
            return
        blocking = self.answers.first_incomplete_step()
        if blocking is not None and blocking < target:
            await self._show_step(blocking)
            self.current_step_widget.show_errors()
            notify(self, f"Finish {blocking.title} first.", severity="warning", timeout=4)
            return
        await self._show_step(target)

    # Copy, save, quit -------------------------------------------------------------------

    def _complete_or_explain(self) -> bool:
        if self._preview.complete:
            return True
        blocking = self.answers.first_incomplete_step() or Step.REPOSITORIES
        notify(
            self,
            f"The policy is not complete yet: finish {blocking.title} first.",
            title="Nothing to copy or save",
            severity="warning",
            timeout=5,
        )
        return False

    def _fits_or_ask(self, then: Callable[[], None]) -> bool:
        """True when the policy may be emitted; else ask how to get under the limit, then retry."""
        if not self._preview.over_limit or self._preview.ci_file is not None:
            return True  # a CI file holds no policy: its size does not matter there

        def chosen(strategy: Strategy | None) -> None:
            if strategy is not None:
                self.answers.size_strategy = strategy
                self.refresh_view()
                then()

        from wizard.tui.dialogs import OverLimitDialog

        self.push_screen(OverLimitDialog(self._preview.policy), chosen)
        return False

    def action_copy(self) -> None:
        if not self._complete_or_explain() or not self._fits_or_ask(self.action_copy):
            return
        from wizard.clipboard import copy_text
        from wizard.tui import served

        text = self.policy_json
        what = output_noun(self._preview.chosen_output)
        if served.is_served(self):
            outcome = served.copy_in_browser(self, text, what)
        else:
            outcome = copy_text(text, self.copy_to_clipboard, what=what)
        if outcome.ok:
            self.exported_json = text
        self.last_outcome = outcome.message if outcome.via == "system" else outcome.short
        self._outcome_line = outcome.short
        if outcome.via != "system":  # the status line says enough when the system clipboard took it
            notify(self, outcome.message, severity="warning" if outcome.ok else "error", timeout=6)
        self.show_status()

    def action_save(self) -> None:
        if not self._complete_or_explain() or not self._fits_or_ask(self.action_save):
            return
        texts = self._preview.texts_to_save()
        name = self._preview.file_name()
        from wizard.tui import served

        if served.is_served(self):  # a browser download: no file on this machine
            self._downloaded(self.policy_json, served.download(self, texts, name))
            return
        from wizard.tui.dialogs import SaveDialog

        ci_file = self._preview.ci_file is not None  # saved where its CI reads it, folders made
        what = output_noun(self._preview.chosen_output).removeprefix("the ") if ci_file else "policy"
        dialog = SaveDialog(texts, name, what=what, create_directories=ci_file)
        self.push_screen(dialog, partial(self._saved, self.policy_json))

    def _saved(self, text: str, paths: list[Path] | None) -> None:
        if not paths:
            return
        self.exported_json = text
        self.saved_paths.extend(paths)
        # The file name first: on a narrow status line a long directory is what gets cut.
        names = paths[0].name if len(paths) == 1 else f"{len(paths)} files, {paths[0].name} … {paths[-1].name}"
        self.last_outcome = f"Saved {names} in {paths[0].parent}"
        self._outcome_line = ""
        self.show_status()

    def _downloaded(self, text: str, names: list[str]) -> None:
        from wizard.tui.served import download_message

        self.exported_json = text
        self.last_outcome = download_message(names)
        self._outcome_line = ""
        self.show_status()

    def pop_screen(self) -> AwaitComplete:
        """Never the wizard itself: Textual's command palette dismisses itself twice when two
        Enters arrive in one read (a browser sends keys in one packet, a fast typist types
        ahead), and the second pop would end the app with ScreenStackError."""
        if len(self.screen_stack) <= 1:
            return AwaitComplete.nothing()
        return super().pop_screen()

    def action_open_policy(self) -> None:
        """Check and explain an existing policy, from a file or pasted."""
        from wizard.tui.inspect import InspectScreen, OpenPolicyDialog

        def opened(result: tuple[str, str] | None) -> None:
            if result is not None:
                self.push_screen(InspectScreen(*result))

        from wizard.tui.served import is_served

        self.push_screen(OpenPolicyDialog(files=not is_served(self)), opened)

    def action_paste_error(self) -> None:
        """Start from an error message: diagnose it, then fill the wizard with the fix."""
        from wizard.tui.paste_error import PasteErrorDialog

        self.push_screen(PasteErrorDialog(), self._apply_fix)

    async def _apply_fix(self, result) -> None:
        """Land on the review step with the fix (a diagnose.prefill.Prefill), or on the first
        step that asks what the message left open."""
        if result is None:
            return
        self.answers = result.answers
        target = result.landing
        await self._show_step(target)
        if target is Step.REVIEW:
            self.last_outcome = "Filled in with the fix for the pasted error."
        else:
            self.current_step_widget.show_errors()
            self.last_outcome = f"Filled in from the error; {target.title} needs more."
        self._outcome_line = ""
        self.show_status()

    def action_help(self) -> None:
        from wizard.tui.dialogs import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    @property
    def has_unexported_result(self) -> bool:
        return self._preview.complete and self.exported_json != self.policy_json

    async def action_quit(self) -> None:
        from wizard.tui.dialogs import ConfirmDialog

        if not self.has_unexported_result:
            self.exit()
            return
        if isinstance(self.screen, ConfirmDialog):
            return

        def answered(quit_anyway: bool | None) -> None:
            if quit_anyway:
                self.exit()

        self.push_screen(
            ConfirmDialog("Quit without copying or saving the policy?", yes="Quit", no="Stay"),
            answered,
        )

    # When something goes wrong ------------------------------------------------------------

    def _print_error_renderables(self) -> None:
        # Textual prints a full traceback (with locals) when a handler raises. Unless --debug,
        # write it to a report, with the policy being worked on so nothing is lost, and show
        # one paragraph instead. (A private hook: Textual is pinned exactly.)
        error = self._exception
        if self.show_tracebacks or error is None:
            super()._print_error_renderables()
            return
        from wizard.crash import EXIT_INTERNAL_ERROR, crash_message, write_report

        self._exit_renderables.clear()
        try:
            context = self.policy_json
        except Exception:  # the crash may have come from building the policy itself
            context = repr(self.answers)
        print(crash_message(error, write_report(error, context)), file=sys.stderr)
        self._return_code = EXIT_INTERNAL_ERROR

    # Command palette --------------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Copy policy", "Copy the policy JSON to the clipboard", self.action_copy)
        yield SystemCommand("Save policy", "Save the policy JSON to a file", self.action_save)
        for step in Step:
            yield SystemCommand(
                f"Go to step {step.value + 1}: {step.title}",
                "Jump to this step; every answer is kept",
                partial(self.action_go, step.value),
            )
        yield SystemCommand(
            "Check an existing policy",
            "Open a policy file or paste one: explanations and findings; t there tightens it",
            self.action_open_policy,
        )
        yield from teaching_commands(self)
        yield SystemCommand(
            "Start from an error message",
            "Paste an AccessDenied, docker or kubelet error: its diagnosis, then the wizard filled with the fix",
            self.action_paste_error,
        )
        yield SystemCommand("Help: keys", "List the keys (F1)", self.action_help)


_STEP_IDS = {
    Step.ROLE: "step-role",
    Step.REPOSITORIES: "step-repositories",
    Step.TARGET: "step-target",
    Step.SETUP: "step-setup",
    Step.REVIEW: "step-review",
}
