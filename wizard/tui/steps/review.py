"""Step 4: the explanation beside the JSON, statement by statement."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from wizard.core.answers import Preview, Step, output_title
from wizard.core.builder import render_json
from wizard.core.explain import login_lines, logs_in
from wizard.core.explained import call_map_lines, generated_what_if_lines
from wizard.core.regions import PUBLIC_LOGIN_COMMAND, login_command
from wizard.core.roles import ROLES
from wizard.core.size import Strategy
from wizard.core.slides import repository_shown
from wizard.tui.outside import plain, template
from wizard.tui.steps.base import WizardStep, key_hint
from wizard.tui.widgets import ChoiceList


class ReviewStep(WizardStep):
    """The explanation beside the JSON: one entry per statement, then where and how to use it."""

    step = Step.REVIEW

    DEFAULT_CSS = """
    ReviewStep { overflow-y: hidden; }
    ReviewStep #sections { height: auto; max-height: 8; border: none; padding: 0; background: $surface; }
    ReviewStep #sections:focus { background-tint: $primary 8%; }
    ReviewStep #explanation-scroll { height: 1fr; scrollbar-size-vertical: 1; }
    ReviewStep #whatif, ReviewStep #output-panel { display: none; height: 1fr; }
    ReviewStep.-whatif #whatif, ReviewStep.-output #output-panel { display: block; }
    ReviewStep.-whatif #explanation-scroll, ReviewStep.-output #explanation-scroll { display: none; }
    ReviewStep #whatif-actions { height: auto; max-height: 9; overflow-y: auto; }
    ReviewStep #whatif-result-scroll { height: 1fr; scrollbar-size-vertical: 1; }
    ReviewStep #whatif-result-scroll:focus { background-tint: $primary 8%; }
    /* The simulation runs long: on short terminals the section list gives it room. */
    ReviewStep.-short.-whatif #sections { max-height: 3; }
    /* A projector's 64x20 (the preview below the steps): the explanation gets the room. */
    ReviewStep.-tiny #sections { max-height: 4; }
    ReviewStep.-tiny #whatif-actions { max-height: 5; }
    ReviewStep #output-info-scroll { height: 1fr; min-height: 3; scrollbar-size-vertical: 1; }
    """

    class SectionHighlighted(Message):
        def __init__(self, statement_index: int | None) -> None:
            super().__init__()
            self.statement_index = statement_index

    BINDINGS = [Binding("escape", "leave_choices", "Back to the list")]
    SUB_LISTS = ("output-list", "whatif-actions", "whatif-result-scroll")
    """The choices inside a section: Enter on the section goes in, Enter or Escape comes back."""

    def compose(self) -> ComposeResult:
        yield Label("Review each statement (↑ ↓)", classes="step-title")
        yield OptionList(id="sections", classes="first-focus")
        with VerticalScroll(id="explanation-scroll"):
            yield Static(id="explanation", classes="info")
        with Vertical(id="output-panel"):
            yield ChoiceList([], "json", heading="Copy and save as (↑ ↓, then Enter):", id="output-list")
            with VerticalScroll(id="output-info-scroll"):  # a CI file's explanation is long
                yield Static(id="output-info", classes="info")
        with Vertical(id="whatif"):
            yield ChoiceList([], "", heading="Take away (↑ ↓, then Enter):", id="whatif-actions")
            with VerticalScroll(id="whatif-result-scroll"):
                yield Static(id="whatif-result", classes="info")

    @on(OptionList.OptionSelected, "#sections")
    def _enter_section(self, event: OptionList.OptionSelected) -> None:
        """Enter on "Output" or "What if" moves into its choices; on "Save this explanation"
        it asks where (the palette's "Save explanation" and F5 do the same)."""
        if event.option_id == "handout":
            self.app.action_save_explanation()  # type: ignore[attr-defined]
            return
        target = {"output": "#output-list", "whatif": "#whatif-actions"}.get(event.option_id or "")
        if target is not None:
            self.query_one(target, ChoiceList).focus()

    @on(ChoiceList.Confirmed)
    def _choice_confirmed(self, event: ChoiceList.Confirmed) -> None:
        event.stop()
        self.action_leave_choices()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "leave_choices":
            focused = self.screen.focused
            return focused is not None and focused.id in self.SUB_LISTS
        return True

    def action_leave_choices(self) -> None:
        self.query_one("#sections", OptionList).focus()

    def status_hint(self, focused: Widget | None) -> Content:
        if focused is not None and focused.id == "output-list":
            return key_hint("[k]↑ ↓[/k] what to copy and save · [k]Enter[/k] or [k]Esc[/k]: back")
        if focused is not None and focused.id == "whatif-actions":
            return key_hint("[k]↑ ↓[/k] take another away · [k]tab[/k] read it · [k]Esc[/k] back")
        if focused is not None and focused.id == "whatif-result-scroll":
            return key_hint("[k]↑ ↓[/k] read · [k]shift+tab[/k] choose another action")
        sections = self.query_one("#sections", OptionList)
        option = sections.highlighted_option
        if option is not None and option.id == "output":
            return key_hint("[k]Enter[/k] choose what to copy and save (JSON, Terraform…)")
        if option is not None and option.id == "whatif":
            return key_hint("[k]Enter[/k] choose an action to take away")
        if option is not None and option.id == "handout":
            return key_hint("[k]Enter[/k] save this explanation as Markdown or HTML")
        return key_hint("[$success]Ready.[/] [k]ctrl+y[/k] copy · [k]ctrl+s[/k] save · [k]↑ ↓[/k] explain")

    def show_preview(self, preview: Preview) -> None:
        """Rebuild the section list for a complete policy, keeping the highlighted entry."""
        self._preview = preview
        sections = self.query_one("#sections", OptionList)
        highlighted = sections.highlighted or 0
        entries = [Option(template("Output: $title", title=output_title(preview.chosen_output)), id="output")]
        entries += [
            Option(
                template("$number $title ($sid)", number=str(index + 1), title=statement.title, sid=statement.sid),
                id=f"statement-{index}",
            )
            for index, statement in enumerate(preview.policy.statements)
        ]
        opened = getattr(self.app, "opened_policy", None)
        if opened is not None:
            entries.append(Option(template("Changes from $name", name=opened.name), id="changes"))
        entries.append(Option("Where each part goes", id="attach"))
        entries.append(Option("Log in with docker", id="login"))
        fitted = preview.fitted
        if fitted is not None and (fitted.over_limit or fitted.strategy is not None):
            entries.append(Option("Size limit", id="size"))
        if preview.warnings:
            entries.append(Option(f"Warnings ({len(preview.warnings)})", id="warnings"))
        entries.append(Option("What if an action were missing?", id="whatif"))
        entries.append(Option("Save this explanation (Markdown or HTML)…", id="handout"))
        sections.set_options(entries)
        if not getattr(self, "_shown_once", False):
            highlighted, self._shown_once = 1, True  # start on the first statement
        sections.highlighted = min(highlighted, len(entries) - 1)
        self._explain(entries[sections.highlighted].id or "")

    def on_resize(self) -> None:
        self.set_class(self.size.height < 30, "-short")
        self.set_class(self.size.height < 16, "-tiny")
        option = self.query_one("#sections", OptionList).highlighted_option
        if option is not None and option.id:
            self._explain(option.id)  # long action names break to fit the new width

    @on(OptionList.OptionHighlighted, "#sections")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._explain(event.option_id or "")
        self.app.show_status()  # type: ignore[attr-defined]  # what Enter does on this section

    def _explain(self, section: str) -> None:
        preview: Preview | None = getattr(self, "_preview", None)
        if preview is None:
            return
        self.set_class(section == "whatif", "-whatif")
        self.set_class(section == "output", "-output")
        if section == "whatif":
            self._show_whatif(preview)
            return
        if section == "output":
            self._show_outputs(preview)
            return
        request = preview.policy.request
        statement_index = None
        if section.startswith("statement-"):
            statement_index = int(section.removeprefix("statement-"))
            content = explain_statement(preview, statement_index, self.query_one("#explanation").content_region.width)
        elif section == "changes":
            from wizard.tui.tightening import changes_content

            width = self.query_one("#explanation").content_region.width
            content = changes_content(self.app.opened_policy, self.answers, preview, width)  # type: ignore[attr-defined]
        elif section == "attach":
            content = _where_it_goes(preview)
        elif section == "login" and not logs_in(preview.policy):
            content = plain(" ".join(login_lines(preview.policy)))
        elif section == "login":
            public = request.public
            content = template(
                "[b]Log in before docker pull or push[/b]\n$command\n\nThis uses $action "
                "(statement 1). The password is valid for 12 hours.",
                command=PUBLIC_LOGIN_COMMAND if public else login_command(request.account, request.region),
                action="ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken"
                if public
                else "ecr:GetAuthorizationToken",
            )
        elif section == "size":
            content = explain_size(preview)
        elif section == "handout":
            content = Content.from_markup(
                "[b]Save this explanation[/b]\nThe policy, each statement and action (why, without it, the call "
                "it serves), what breaks without each action, where it goes and the sources: the same handout "
                "as [b]ecr-policy explain --format markdown|html[/b].\n\nPress [b]Enter[/b] (or [b]F5[/b] "
                "anywhere) to choose Markdown or HTML and a file name."
            )
        else:
            content = Content("\n").join(
                template("[$warning]![/] $text", text=str(warning)) for warning in preview.warnings
            )
        self.query_one("#explanation", Static).update(content)
        self.post_message(self.SectionHighlighted(statement_index))

    def _show_outputs(self, preview: Preview) -> None:
        choices = [(output, output_title(output)) for output in preview.available_outputs()]
        self.query_one("#output-list", ChoiceList).set_choices(choices, preview.chosen_output)
        self._show_output_info(preview)

    def _show_output_info(self, preview: Preview) -> None:
        from wizard.tui.ci_output import ci_file_info, ci_refusal_lines

        if preview.ci_file is not None:
            self.query_one("#output-info", Static).update(ci_file_info(preview))
            return
        lines = [f"Saving suggests {preview.file_name()}."]
        if preview.bundle is not None:
            lines += ["", *preview.bundle.placement(), *ci_refusal_lines(preview)]
        self.query_one("#output-info", Static).update(plain("\n".join(lines)))

    @on(ChoiceList.Chosen, "#output-list")
    def _output_chosen(self, event: ChoiceList.Chosen) -> None:
        self.answers.output = event.value
        self.changed()

    def _show_whatif(self, preview: Preview) -> None:
        actions = [action.name for statement in preview.policy.statements for action in statement.actions]
        choices = self.query_one("#whatif-actions", ChoiceList)
        current = choices.value if choices.value in actions else actions[0]
        choices.set_choices([(name, name) for name in actions], current)
        self._show_whatif_result(current)

    @on(ChoiceList.Chosen, "#whatif-actions")
    def _whatif_chosen(self, event: ChoiceList.Chosen) -> None:
        self._show_whatif_result(event.value)

    def _show_whatif_result(self, action: str) -> None:
        preview: Preview = self._preview
        result = self.query_one("#whatif-result", Static)
        result.update(what_if_without(preview, action, result.content_region.width))
        holder = next(
            index
            for index, statement in enumerate(preview.policy.statements)
            if any(a.name == action for a in statement.actions)
        )
        self.post_message(self.SectionHighlighted(holder))


def what_if_without(preview: Preview, action: str, width: int = 0) -> Content:
    """What breaks without one action: the same simulation and words as `ecr-policy explain
    --without`, then each broken operation call by call (verdicts, deciding statement, message, fix)."""
    lines = generated_what_if_lines(preview.policy, preview.bundle, action, *([width] if width > 20 else []))
    head, *rest = lines
    return template("[b]$head[/b]\n", head=head) + plain("\n".join(rest))


def explain_statement(preview: Preview, index: int, width: int = 0) -> Content:
    """What one statement does, action by action, and why its Resource is what it is."""
    statement = preview.policy.statements[index]
    parts = [
        template(
            "[b]$sid · $title[/b]\n$summary\n", sid=statement.sid, title=statement.title, summary=statement.summary
        )
    ]
    for action in statement.actions:
        parts.append(
            template(
                "\n[b $accent]$name[/]\n[$foreground-muted]$level access · used by $step[/]\n"
                "[b]Why:[/b] $why\n[b]Without it:[/b] $without\n[$foreground-muted]Source: $source[/]\n",
                name=_breakable(action.name, width),
                level=action.access_level,
                step=action.step,
                why=action.why,
                without=action.without,
                source=action.source,
            )
        )
        calls = call_map_lines(action.name, repository_shown(preview.policy))
        if calls:
            parts.append(template("[b]The call it serves[/b]\n$calls\n", calls="\n".join(calls)))
    parts.append(template("\n[b]Resource[/b] $note", note=statement.scope_note))
    return Content("").join(parts)


def explain_size(preview: Preview) -> Content:
    """Why the policy is split or compacted, and what each wildcard also reaches."""
    fitted = preview.fitted
    assert fitted is not None
    head = template("[b]Size limit[/b]\n$what.", what=fitted.size.describe().capitalize())
    if fitted.over_limit:
        return head + Content.from_markup("\n\nCopy or save asks how to fit it: split or compact.")
    if fitted.strategy is Strategy.SPLIT:
        return head + template(
            "\n\nSplit into $count managed policies, each a complete policy for its share of the "
            "repositories. Create one IAM policy per part (saving writes numbered files) and attach "
            "them all to the role; IAM allows 10 managed policies per role by default.",
            count=str(len(fitted.parts)),
        )
    lines = [head, Content("\n\nCompacted with these wildcards:")]
    for wildcard in fitted.wildcards:
        lines.append(
            template(
                "\n[b $accent]$pattern[/] replaces $names. It $also.",
                pattern=wildcard.pattern,
                names=", ".join(wildcard.replaces),
                also=wildcard.also_matches,
            )
        )
    return Content("").join(lines)


def _breakable(action: str, width: int) -> str:
    """An action name that fits `width`, broken after its service prefix if it must be
    ("ecr-public:" / "BatchCheckLayerAvailability"), never inside a word."""
    service, colon, name = action.partition(":")
    if not width or len(action) <= width or not colon:
        return action
    return f"{service}:\n{name}"


def _where_it_goes(preview: Preview) -> Content:
    """Who uses the policy, where each document goes, and the documents "below" refers to."""
    request = preview.policy.request
    info = ROLES[request.role]
    content = template(
        "[b]$title: $heading[/b]\n$who\n\n[b]Attach this policy to[/b]\n$attach",
        title=info.title,
        heading="who pushes and pulls" if request.access.value == "push" else "who really pulls",
        who=info.who_pulls,
        attach=info.attach_to,
    )
    if info.caveat:
        content += template("\n\n[$warning b]Caution[/] $caveat", caveat=info.caveat)
    content += template("\n[$foreground-muted]Source: $source[/]", source=info.source)
    bundle = preview.bundle
    if bundle is None:
        return content
    content += Content.from_markup("\n\n[b]Where each part goes[/b]\n") + plain("\n".join(bundle.placement()))
    for document in bundle.documents():
        content += template("\n\n[b]$title[/b]\n", title=document.title)
        content += plain("\n".join(document.explanation))
        content += plain("\n\n" + render_json(document.document).rstrip("\n"))
    for note in bundle.notes:
        content += template("\n\n[$warning b]Note[/] $note", note=note)
    return content
