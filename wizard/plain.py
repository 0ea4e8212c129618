"""Plain prompt mode (`ecr-policy --plain`): the wizard's questions as questionary prompts.

For screen readers, narrow SSH sessions, editor terminals and recorded demos. Same core, same
validation messages, same policy bytes as the TUI and `generate`. Every prompt is asked with
`unsafe_ask()`; Ctrl-C or Ctrl-D anywhere ends the session with one line and status 130.
"""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TextIO

import questionary
from prompt_toolkit.completion import Completer, Completion
from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
from questionary import Choice, Style

from wizard.clipboard import copy_text, osc52_sequence
from wizard.core.answers import Preview, Step, output_noun, output_title
from wizard.core.builder import GeneratedPolicy, render_json
from wizard.core.deploy import (
    GITHUB_REF_KINDS,
    OPTION_TITLES,
    Deployment,
    TrustSource,
    build_bundle,
    build_identity,
    default_role_name,
    github_ref_arguments,
    make_deployment,
    trust_choices,
)
from wizard.core.documents import ROLE_ARN
from wizard.core.explain import explain_document, explain_policy
from wizard.core.files import SaveError, inspect_target, numbered_paths, save_text
from wizard.core.limits import MESSAGE_BYTES, POLICY_BYTES, InputError, read_path_limited
from wizard.core.lint import check_text, report_text
from wizard.core.regions import KNOWN_REGIONS, region_from_environment, search_regions
from wizard.core.request import (
    DEFAULT_ACCESS,
    Access,
    Message,
    RequestError,
    Role,
    check_account,
    check_region,
    check_repository,
    make_request,
    option_errors,
)
from wizard.core.roles import ROLES
from wizard.core.size import (
    FittedPolicy,
    SizeError,
    Strategy,
    compact_policy,
    fit_policy,
    over_limit_message,
    split_policy,
)
from wizard.core.text import visible
from wizard.plain_tighten import offer_tighten
from wizard.themes import DEFAULT_THEME, load_themes

CANCELLED = "Cancelled; nothing was written."
EXIT_CANCELLED = 130


def prompt_style() -> Style:
    """questionary colours from the default theme's palette; none at all under NO_COLOR."""
    if os.environ.get("NO_COLOR"):
        return Style([])
    palette = next((data.colours for data in load_themes() if data.name == DEFAULT_THEME), {})
    primary, accent = palette.get("primary", "ansiblue"), palette.get("accent", "ansiyellow")
    success, error = palette.get("success", "ansigreen"), palette.get("error", "ansired")
    return Style(
        [
            ("qmark", f"fg:{accent} bold"),
            ("question", "bold"),
            ("answer", f"fg:{primary} bold"),
            ("pointer", f"fg:{accent} bold"),
            ("highlighted", f"fg:{primary} bold"),
            ("selected", f"fg:{success}"),
            ("instruction", "italic"),
            ("validation-toolbar", f"fg:{error} bold"),
        ]
    )


class _RegionCompleter(Completer):
    """Completes region codes from a code or a place name ("tokyo" -> ap-northeast-1)."""

    def get_completions(self, document, complete_event) -> Iterable[Completion]:
        for code in search_regions(document.text_before_cursor):
            yield Completion(code, start_position=-len(document.text_before_cursor), display_meta=KNOWN_REGIONS[code])


def _enter_picks_first_region() -> KeyBindings:
    """Enter on a search takes the highlighted completion, else the first match, then submits."""
    bindings = KeyBindings()

    @bindings.add("enter", eager=True)
    def _(event) -> None:
        buffer = event.current_buffer
        state = buffer.complete_state
        if state is not None and state.current_completion is not None:
            buffer.apply_completion(state.current_completion)
        elif not check_region(buffer.text).ok:
            matches = search_regions(buffer.text) if buffer.text.strip() else []
            if matches:
                buffer.text = matches[0]
        buffer.validate_and_handle()

    return bindings


def _cancel_on_ctrl_d() -> KeyBindings:
    # select() prompts bind Ctrl-C only; Ctrl-D should cancel them too.
    bindings = KeyBindings()

    @bindings.add("c-d", eager=True)
    def _(event) -> None:
        event.app.exit(exception=KeyboardInterrupt, style="class:aborting")

    return bindings


class PlainWizard:
    """One plain-prompt session; `run()` returns the exit status."""

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self.style = prompt_style()

    def say(self, text: str = "") -> None:
        """Print a line; outside text in it (Sids, file names, errors) shows control
        characters as escapes, so a hostile policy cannot drive the terminal."""
        print(visible(text, keep_newlines=True), file=self.out, flush=True)

    def note(self, text: str) -> None:
        """An indented, wrapped remark under the last answer."""
        self.say(textwrap.fill(text, width=78, initial_indent="  ", subsequent_indent="    ", break_on_hyphens=False))

    def run(self) -> int:
        try:
            self._run()
        except (KeyboardInterrupt, EOFError):
            self.say(CANCELLED)
            return EXIT_CANCELLED
        return 0  # any other exception reaches the CLI's crash handler

    @staticmethod
    def _ask(question: questionary.Question):
        """Ask, with Ctrl-D cancelling like Ctrl-C (prompt_toolkit only ends on an empty line)."""
        question.application.key_bindings = _with_ctrl_d(question.application.key_bindings)
        return question.unsafe_ask()

    def _select(self, message: str, choices: list[Choice], default=None):
        return self._ask(questionary.select(message, choices=choices, default=default, style=self.style))

    def _run(self) -> None:
        task = self._select(
            "What would you like to do?",
            [
                Choice("Create a policy", value="create"),
                Choice("Check an existing policy file (findings and fixes)", value="check"),
                Choice("Explain an existing policy file (each statement, reach, blast radius)", value="explain"),
                Choice("Start from an error message (AccessDenied, docker, ECS, kubelet...)", value="error"),
            ],
        )
        if task == "create":
            self._create()
        elif task == "error":
            self._from_error()
        else:
            self._inspect(task)

    def _inspect(self, task: str) -> None:
        """Check or explain a policy file: the same reports as `ecr-policy check` / `explain`."""
        while True:
            path = self._ask(questionary.path("Policy file:", style=self.style))
            try:
                text = read_path_limited(path, POLICY_BYTES, path, regular_only=True)
            except InputError as error:
                self.note(f"{str(error)[0].upper()}{str(error)[1:]}; try another file.")
                continue
            break
        document, findings = check_text(text)
        if task == "explain" and document is not None:
            self.say(explain_document(document).rstrip("\n"))
            self.say()
        self.say(report_text(findings, path, document).rstrip("\n"))
        if document is not None and findings:
            offer_tighten(self, document)

    def _create(self) -> None:
        role = self._select(
            "Who pulls or pushes the images?",
            [Choice(f"{info.title}: {info.in_short}", value=info.role) for info in ROLES.values()],
        )
        info = ROLES[role]
        for line in (
            info.who_pulls,
            f"Attach the policy to {info.attach_to}",
            info.caveat and f"Caution: {info.caveat}",
        ):
            if line:
                self.note(line)
        access = self._select(
            "Access?",
            [Choice("Pull only", value=Access.PULL), Choice("Push (includes pull)", value=Access.PUSH)],
            default=DEFAULT_ACCESS[role],
        )
        repositories = self._ask_repositories()
        region = self._ask_region()
        for warning in check_region(region).warnings:
            self.note(f"warning: {warning}")
        account = self._ask_account()

        options = self._ask_options()
        validated = make_request(role, repositories, region, account, access, **options)
        for warning in validated.warnings:
            if warning.field == "region":
                self.note(f"warning: {warning}")
        deployment = self._ask_setup(validated.request)
        policy = build_identity(validated.request, deployment)
        fitted = self._fit(policy)
        bundle = build_bundle(validated.request, deployment, identity=policy)
        preview = Preview(policy, complete=True, warnings=validated.warnings, fitted=fitted, bundle=bundle)
        self._present(preview)

    def _present(self, preview: Preview) -> None:
        """The policy, its explanation, where each part goes, then copy or save."""
        bundle = preview.bundle
        assert preview.fitted is not None and bundle is not None
        self.say()
        self.say(preview.fitted.text().rstrip("\n"))
        self.say()
        self.say(explain_policy(preview.policy, preview.warnings).rstrip("\n"))
        self.say()
        self.say("Where each part goes")
        for line in bundle.placement():
            self.note(line)
        for note in bundle.notes:
            self.note(f"Note: {note}")
        self._say_other_documents(bundle)
        self.say()
        self._finish(preview)

    def _from_error(self) -> None:
        """Paste an error: its diagnosis, then the policy that fixes it (what the message does not
        say is asked), presented as a created one is."""
        from wizard.core.diagnose import DiagnoseError
        from wizard.core.diagnose.prefill import prefill

        while True:
            text = self._ask(
                questionary.text(
                    "Paste the error message:",
                    multiline=True,
                    validate=_message_problem,
                    style=self.style,
                )
            )
            try:
                result = prefill(text)
            except DiagnoseError as error:
                self.note(f"{str(error)[0].upper()}{str(error)[1:]}.")
                continue
            break
        self.say()
        for line in result.lines:
            self.say(line)
        self.say()
        if result.answers is None:
            self.say("No policy of yours fixes this one: see what to do above.")
            return
        if not self._ask(questionary.confirm("Build the policy that fixes it?", default=True, style=self.style)):
            return
        if result.missing:  # asked, then planned again as `diagnose --repo ... --account ...` does
            result = prefill(text, **self.ask_missing(result.missing, "The message", "Who was refused?"))
            for line in result.fix:
                self.say(line)
            self.say()
            if result.answers is None:
                return
        answers = result.answers
        if answers.step_errors(Step.REPOSITORIES):  # a refused login names no repository
            answers.repositories = self._ask_repositories()
        preview = answers.preview()
        if preview.over_limit:
            preview = replace(preview, fitted=self._fit(preview.policy))
        self._present(preview)

    def ask_missing(self, missing, source: str, who: str) -> dict:
        """What a message or a policy did not say (tighten.Missing records), asked as the CLI's
        flags would give it: the answers by name (role, repositories, region, account,
        principal). source: what did not say it ("The message"); who: the role question."""
        given: dict = {}
        for need in missing:
            self.note(f"{source} does not say {need.question}.")
            if need.flag == "--role":
                given["role"] = self.ask_role(who)
            elif need.flag == "--repo":
                given["repositories"] = tuple(self._ask_repositories())
            elif need.flag == "--region":
                given["region"] = self._ask_region()
            elif need.flag == "--account":
                given["account"] = self._ask_account()
            elif need.flag == "--principal":
                given["principal"] = self.ask_principal()
        return given

    def ask_role(self, question: str) -> Role:
        return self._select(
            question, [Choice(f"{info.title}: {info.in_short}", value=info.role) for info in ROLES.values()]
        )

    def ask_principal(self) -> str:
        return self._ask(
            questionary.text(
                "The account ID or role ARN that pulls (or was refused):",
                validate=_principal_problem,
                style=self.style,
            )
        ).strip()

    def _ask_account(self) -> str:
        return self._ask(
            questionary.text(
                "Account ID (12 digits, owner of the repositories):",
                validate=lambda text: _problem(check_account(text).error),
                style=self.style,
            )
        )

    def _ask_region(self) -> str:
        return self._ask(self.region_question())

    def region_question(self) -> questionary.Question:
        """A region code, or a search ("frank") whose first match Enter picks, as in the wizard;
        the answer is checked on Enter, not while typing a search."""
        question = questionary.autocomplete(
            "Region (type a code or a place, e.g. tokyo; Enter picks the first match):",
            choices=list(KNOWN_REGIONS),
            default=visible(region_from_environment() or ""),
            completer=_RegionCompleter(),
            validate=lambda text: _problem(check_region(text).error),
            validate_while_typing=False,
            style=self.style,
        )
        question.application.key_bindings = merge_key_bindings(
            [question.application.key_bindings, _enter_picks_first_region()]
        )
        return question

    def _say_other_documents(self, bundle) -> None:
        """The trust, companion, repository and registry policies that "below" in the lines
        above refers to."""
        for document in bundle.documents():
            self.say()
            self.say(document.title)
            for line in document.explanation:
                self.note(line)
            self.say(render_json(document.document).rstrip("\n"))

    def _ask_options(self) -> dict:
        """The options checkbox, until the combination makes sense."""
        while True:
            chosen = self._ask(
                questionary.checkbox(
                    "Options (space selects, Enter when done; none is the usual case):",
                    choices=[Choice(title, value=key) for key, title in OPTION_TITLES.items()],
                    style=self.style,
                )
            )
            options = {key: key in chosen for key in OPTION_TITLES}
            problems = option_errors(options["pull_through_cache"], options["cache_create"], options["public"])
            if not problems:
                return options
            for problem in problems:
                self.note(f"{problem}")

    def _ask_setup(self, request) -> Deployment:
        """Who assumes the role, its details, the role name and cross-account use."""
        choices = [Choice(title, value=value) for value, title in trust_choices(request.role)]
        while True:
            trust = self._select("Who assumes the role (its trust policy)?", choices)
            details: dict = {}
            if trust == TrustSource.GITHUB.value:
                details["github_repository"] = (
                    self._ask(questionary.text("GitHub repository (OWNER/REPO):", style=self.style)) or None
                )
                kind = self._select(
                    "Which workflow runs may assume it?",
                    [Choice(title, value=kind) for kind, (title, _) in GITHUB_REF_KINDS.items()],
                )
                title, example = GITHUB_REF_KINDS[kind]
                value = self._ask(questionary.text(f"{title} (e.g. {example}):", style=self.style)).strip()
                details.update(github_ref_arguments(kind, value))
            elif trust == TrustSource.GITLAB.value:
                details["gitlab_url"] = self._ask(
                    questionary.text("GitLab instance URL:", default="https://gitlab.com", style=self.style)
                )
                details["gitlab_project"] = (
                    self._ask(questionary.text("GitLab project (GROUP/PROJECT):", style=self.style)) or None
                )
                details["gitlab_branch"] = (
                    self._ask(questionary.text("Branch (default main):", style=self.style)) or None
                )
            elif trust == TrustSource.EKS_FARGATE.value:
                details["cluster"] = (
                    self._ask(questionary.text("EKS cluster of the Fargate profiles:", style=self.style)) or None
                )
            details["role_name"] = self._ask_role_name(request, creates_role=trust != "none") or None
            if request.role is Role.LAMBDA:
                details["function_account"] = (
                    self._ask(
                        questionary.text(
                            "Functions in another account? Its ID, or Enter for the same account:", style=self.style
                        )
                    )
                    or None
                )
            else:
                details["principal"] = (
                    self._ask(
                        questionary.text(
                            "Pulled from another account? Its ID or role ARN, or Enter for the same account:",
                            style=self.style,
                        )
                    )
                    or None
                )
            try:
                deployment, warnings = make_deployment(request, trust, **details)
            except RequestError as error:
                for message in error.errors:
                    self.note(str(message))
                self.note("Let's try that again.")
                continue
            for warning in warnings:
                self.note(f"warning: {warning}")
            return deployment

    def _ask_role_name(self, request, creates_role: bool) -> str:
        if creates_role:
            message, default = "Role name (Enter for the suggested one):", default_role_name(request)
        else:
            message, default = "Your existing role's name (optional; Enter to skip):", ""
        return self._ask(questionary.text(message, default=default, style=self.style)).strip()

    def _fit(self, policy: GeneratedPolicy) -> FittedPolicy:
        """Under the managed-policy limit, or the user's choice of split or compact."""
        fitted = fit_policy(policy)
        if not fitted.over_limit:
            return fitted
        message = over_limit_message(fitted, "split", "compact")
        self.note(message[0].upper() + message[1:] + ".")
        choices = [Choice(f"Split into {len(split_policy(policy))} policies", value=Strategy.SPLIT)]
        try:
            compaction = compact_policy(policy)
        except SizeError as error:
            self.note(f"Compacting cannot help: {error}.")
        else:
            for wildcard in compaction.wildcards:
                self.note(
                    f"Compact would use {wildcard.pattern!r} for {len(wildcard.replaces)} names; it {wildcard.also_matches}."
                )
            choices.append(Choice("Compact with those wildcards", value=Strategy.COMPACT))
        choices.append(Choice("Cancel (nothing is written)", value=None))
        strategy = self._select("The policy is too big. How should it fit?", choices)
        if strategy is None:
            raise KeyboardInterrupt
        return fit_policy(policy, strategy=strategy)

    def _ask_repositories(self) -> list[str]:
        repositories: list[str] = []

        def validate(text: str) -> bool | str:
            names = text.replace(",", " ").split()
            if not names:
                return True if repositories else "Name at least one repository."
            for name in names:
                check = check_repository(name)
                if check.error:
                    return _problem(check.error)
                if check.value in repositories:
                    return f"repository {check.value!r} is already in the list."
            return True

        while True:
            message = (
                "Repository (lowercase name, or a pattern with * or ?):"
                if not repositories
                else "Another repository (Enter when done):"
            )
            answer = self._ask(questionary.text(message, validate=validate, style=self.style))
            names = answer.replace(",", " ").split()
            if not names:
                return repositories
            for name in names:
                check = check_repository(name)
                assert check.value is not None
                repositories.append(check.value)
                for warning in check.warnings:
                    self.note(f"warning: {warning}")

    def _finish(self, preview: Preview) -> None:
        while True:
            title = output_title(preview.chosen_output)
            choice = self._select(
                "What now?",
                [
                    Choice(f"Copy it to the clipboard ({title})", value="copy"),
                    Choice(f"Save it to a file ({title})", value="save"),
                    Choice("Change what to copy or save (Terraform, a script, the CI file...)", value="output"),
                    Choice("What if an action were missing? (simulated call by call)", value="whatif"),
                    Choice("Save the explanation (Markdown or HTML handout)", value="handout"),
                    Choice("Done (the policy is printed above)", value="done"),
                ],
            )
            if choice == "copy":
                outcome = copy_text(preview.text(), self._terminal_copy, what=output_noun(preview.chosen_output))
                self.note(outcome.message)
            elif choice == "save":
                self._save(preview.texts_to_save(), preview.file_name(), create_directories=preview.ci_file is not None)
            elif choice == "output":
                output = self._select(
                    "Copy and save as:",
                    [Choice(output_title(output), value=output) for output in preview.available_outputs()],
                    default=preview.chosen_output,
                )
                preview = replace(preview, output=output)
                self.say(preview.text().rstrip("\n"))
                self._say_ci_file(preview)
            elif choice == "whatif":
                self._what_if(preview)
            elif choice == "handout":
                self._save_explanation(preview)
            else:
                return

    def _what_if(self, preview: Preview) -> None:
        """Take one action away: the same simulation and words as `ecr-policy explain --without`."""
        from wizard.core.explained import generated_what_if_lines

        actions = [action.name for statement in preview.policy.statements for action in statement.actions]
        action = self._select("Take away which action?", [Choice(name, value=name) for name in actions])
        self.say()
        self.say("\n".join(generated_what_if_lines(preview.policy, preview.bundle, action)))
        self.say()

    def _save_explanation(self, preview: Preview) -> None:
        """The handout `explain --format markdown|html` writes, for this policy."""
        from wizard.core.explained import HANDOUT_FORMATS, explanation_text

        format_key = self._select(
            "Save the explanation as:", [Choice(f.title, value=key) for key, f in HANDOUT_FORMATS.items()]
        )
        text = explanation_text(preview.policy, preview.bundle, preview.warnings, format_key)
        self._save([text], HANDOUT_FORMATS[format_key].file_name)

    def _say_ci_file(self, preview: Preview) -> None:
        """Beside a CI file: where it goes, why its trust lines are what they are, what to set up."""
        from wizard.core.ci.common import trust_comments

        made = preview.ci_file
        if made is None:
            return
        self.say()
        self.note(f"Save it as {made.path} (missing folders are made): the place its CI or platform reads it from.")
        reasons = trust_comments(made.text)
        if reasons:
            self.say("Lines the trust policy depends on (marked trust: in the file)")
            for reason in reasons:
                self.note(f"- {reason}")
        if made.notes:
            self.say("Before it runs")
            for note in made.notes:
                self.note(f"- {note}")

    def _terminal_copy(self, text: str) -> None:
        self.out.write(osc52_sequence(text))
        self.out.flush()

    def _save(self, texts: list[str], default_name: str, create_directories: bool = False) -> None:
        """Save one file, or numbered files for a split policy; ask before replacing any. A CI
        file goes where its CI reads it: missing folders (.github/workflows) are made."""
        message = "File name:" if len(texts) == 1 else f"File name ({len(texts)} numbered files are written beside it):"
        name = self._ask(questionary.text(message, default=default_name, style=self.style))
        paths = [Path(name)] if len(texts) == 1 else numbered_paths(name, len(texts))
        try:
            targets = [inspect_target(path, create_directories=create_directories) for path in paths]
            existing = [target for target in targets if target.exists]
            overwrite = False
            if existing:
                first = existing[0]
                where = f" (a link to {first.link_target})" if first.link_target else ""
                more = f" and {len(existing) - 1} more" if len(existing) > 1 else ""
                overwrite = self._ask(
                    questionary.confirm(
                        visible(f"{first.path}{where}{more} already exists. Replace?"), default=False, style=self.style
                    )
                )
                if not overwrite:
                    self.note("Kept the existing file; nothing was written.")
                    return
            written = [
                save_text(path, text, overwrite=overwrite, create_directories=create_directories)
                for path, text in zip(paths, texts, strict=False)
            ]
        except SaveError as error:
            self.note(f"Not saved: {error}.")
            return
        except OSError as error:  # e.g. a name too long for the file system
            self.note(f"Not saved: {error.strerror or error}.")
            return
        for path in written:
            self.say(f"  Saved to {Path(os.path.abspath(path))}")


def _message_problem(text: str) -> bool | str:
    if not text.strip():
        return "Paste the error message (the whole text, as it was printed)."
    if len(text.encode("utf-8", "surrogatepass")) > MESSAGE_BYTES.size:
        return f"The text is larger than {MESSAGE_BYTES.describe()}, the limit for {MESSAGE_BYTES.what}."
    return True


def _with_ctrl_d(bindings):
    return merge_key_bindings([bindings, _cancel_on_ctrl_d()]) if bindings else _cancel_on_ctrl_d()


def _principal_problem(text: str) -> bool | str:
    """An account ID or a role ARN, checked as the wizard's step and `--principal` check it."""
    text = text.strip()
    if check_account(text).ok or ROLE_ARN.fullmatch(text):
        return True
    return "Give a 12-digit account ID or a role ARN (arn:aws:iam::ACCOUNT:role/NAME)."


def _problem(error: Message | None) -> bool | str:
    """A validation answer for questionary: True, or the core's message without the
    'Accepted: ...' tail (the prompt's own text says what is accepted; the toolbar is one line)."""
    if error is None:
        return True
    return str(Message(error.field, error.value, error.reason))


def run_plain() -> int:
    return PlainWizard().run()
