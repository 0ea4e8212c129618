"""Step 3: region (searchable, grouped by partition) and account."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from wizard.core.answers import Step
from wizard.core.regions import KNOWN_REGIONS, PARTITIONS, partition_for, search_regions
from wizard.core.request import check_account, check_region
from wizard.core.text import quoted
from wizard.tui.outside import template
from wizard.tui.steps.base import Advance, WizardStep, feedback, key_hint
from wizard.tui.steps.live_input import LiveInput
from wizard.tui.widgets import set_content


def _place(title: str) -> str:
    """ "Asia Pacific (Tokyo)" -> "Tokyo": short enough for a narrow list."""
    return title[title.find("(") + 1 : -1] if title.endswith(")") else title


def _region_options(search: str) -> list[Option]:
    """The regions matching `search` under their partition's heading."""
    matching = set(search_regions(search))
    options: list[Option] = []
    for partition in PARTITIONS:
        matches = [
            Option(Content(f"{code:<15}{_place(title)}"), id=code)
            for code, title in partition.regions.items()
            if code in matching
        ]
        if matches:
            options.append(Option(Content.from_markup("[b]$title[/b]", title=partition.title), disabled=True))
            options.extend(matches)
    return options


class TargetStep(WizardStep):
    step = Step.TARGET

    DEFAULT_CSS = """
    TargetStep #region-list { height: auto; max-height: 7; border: none; padding: 0; background: $surface; }
    TargetStep #region-list:focus { background-tint: $primary 8%; }
    """

    def compose(self) -> ComposeResult:
        yield Label("Region", classes="step-title")
        yield LiveInput(self._region_typed, placeholder="e.g. us-east-1", id="region-input", classes="first-focus")
        yield Static(id="region-feedback", classes="feedback")
        yield OptionList(*_region_options(""), id="region-list")
        yield Label("Account ID", classes="field-title")
        yield LiveInput(self._account_typed, placeholder="e.g. 123456789012", id="account-input")
        yield Static(id="account-feedback", classes="feedback")

    def on_mount(self) -> None:
        self.refresh_from_answers()

    def refresh_from_answers(self) -> None:
        for selector, value in (("#region-input", self.answers.region), ("#account-input", self.answers.account)):
            field = self.query_one(selector, Input)
            if field.value != value:
                field.value = value
        self._filter_regions()
        self._show_feedback(errors_too=False)

    def _filter_regions(self) -> None:
        typed = self.answers.region.strip()
        search = "" if typed.lower() in KNOWN_REGIONS else typed
        listing = self.query_one("#region-list", OptionList)
        listing.set_options(_region_options(search))
        if typed.lower() in KNOWN_REGIONS:
            listing.highlighted = listing.get_option_index(typed.lower())

    def _first_match(self) -> str | None:
        listing = self.query_one("#region-list", OptionList)
        return next((option.id for option in listing.options if not option.disabled), None)

    def _show_feedback(self, errors_too: bool) -> None:
        self._show_region_feedback(errors_too)
        self._show_account_feedback(errors_too)

    def _show_region_feedback(self, errors_too: bool) -> None:
        typed = self.answers.region.strip()
        check = check_region(typed)
        match = self._first_match()
        if check.ok and not check.warnings:
            assert check.value is not None
            message = template(
                "[$success]✓[/] $title (partition $partition)",
                title=KNOWN_REGIONS[check.value],
                partition=partition_for(check.value).name,
            )
        elif typed and not check.ok and match and not errors_too:
            # Still searching: say what Enter would pick rather than shouting an error.
            message = template("Enter picks [b]$code[/b], $title", code=match, title=KNOWN_REGIONS[match])
        elif not typed and not errors_too:
            message = Content.from_markup("[$foreground-muted]A code, or search by place: tokyo, frankfurt…[/]")
        else:
            message = feedback(check.error if (typed or errors_too) else None, check.warnings)
        set_content(self.query_one("#region-feedback", Static), message)

    def _show_account_feedback(self, errors_too: bool) -> None:
        typed = self.answers.account.strip()
        check = check_account(typed)
        if check.ok:
            message = template("[$success]✓[/] account $account", account=check.value or "")
        elif not typed and not errors_too:
            message = Content.from_markup("[$foreground-muted]12 digits: the account that owns the repositories[/]")
        else:
            message = feedback(check.error if (typed or errors_too) else None)
        set_content(self.query_one("#account-feedback", Static), message)

    def _region_typed(self, value: str) -> None:
        if value != self.answers.region and self.is_mounted:
            self.answers.region = value
            self._filter_regions()
            self._show_region_feedback(errors_too=False)
            self.changed()

    @on(Input.Submitted, "#region-input")
    def _region_submitted(self, event: Input.Submitted) -> None:
        # Enter on a search picks the first match; on a complete code, moves to the account.
        if not check_region(event.value).ok:
            match = self._first_match()
            if match is not None:
                self._choose_region(match)
                return
            self._show_region_feedback(errors_too=True)
            return
        self.query_one("#account-input", Input).focus()

    @on(OptionList.OptionSelected, "#region-list")
    def _region_picked(self, event: OptionList.OptionSelected) -> None:
        if event.option_id:
            self._choose_region(event.option_id)

    def _choose_region(self, code: str) -> None:
        self.answers.region = code
        self.query_one("#region-input", Input).value = code
        self._filter_regions()
        self._show_feedback(errors_too=False)
        self.query_one("#account-input", Input).focus()
        self.changed()

    def _account_typed(self, value: str) -> None:
        if value != self.answers.account and self.is_mounted:
            self.answers.account = value
            self._show_account_feedback(errors_too=False)
            self.changed()

    @on(Input.Submitted, "#account-input")
    def _account_submitted(self) -> None:
        self.post_message(Advance())

    def show_errors(self) -> None:
        self._show_feedback(errors_too=True)

    @on(OptionList.OptionHighlighted, "#region-list")
    def _region_highlighted(self) -> None:
        self.app.show_status()  # type: ignore[attr-defined]  # "Enter picks CODE"

    def status_hint(self, focused: Widget | None) -> Content:
        if focused is not None and focused.id == "region-list":
            listing = self.query_one("#region-list", OptionList)
            option = listing.highlighted_option
            if option is not None and option.id:
                return key_hint("[k]Enter[/k] picks $code · [k]Tab[/k] to the account", code=option.id)
        if focused is not None and focused.id == "region-input":
            return self._region_hint()
        if focused is not None and focused.id == "account-input" and not self.answers.account.strip():
            return key_hint("Type the 12-digit account ID, then [k]Enter[/k]")
        return super().status_hint(focused)

    def _region_hint(self) -> Content:
        typed = self.answers.region.strip()
        check = check_region(typed)
        if check.ok:
            return key_hint("[$success]✓[/] [k]Enter[/k] on to the account ID")
        match = self._first_match()
        if typed and match:
            return key_hint("[k]Enter[/k] picks $code ($place)", code=match, place=_place(KNOWN_REGIONS[match]))
        if typed:
            return key_hint("[$foreground-muted]To continue:[/] no region matches $typed", typed=quoted(typed, 30))
        return key_hint("Type a region code or a place; [k]Enter[/k] picks the first match")
