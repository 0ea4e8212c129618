"""`ecr-policy lesson`: five tasks a student does alone, each answer checked with the simulator.

`ecr-policy lesson` lists them; `lesson N` tells the story, the goals and the starting policy;
`lesson N --start FILE` writes the starting policy to edit; `lesson N --check FILE` judges it
(exit 0 every goal met, 1 not yet, 2 unreadable); `lesson N --answer` shows an answer.
"""

from __future__ import annotations

import argparse

from wizard.cli.common import EXIT_FINDINGS, EXIT_OK, UsageError, emit_one, read_input, write_stdout


def register(commands, parents) -> None:
    parser = commands.add_parser(
        "lesson",
        parents=parents,
        help="a short built-in lesson: five tasks, each answer checked with the simulator",
        description=(
            "Five tasks to do alone: fix a broken push, narrow an ecr:*, make login work, make a cross-account "
            "pull work, let Lambda use an image (and nobody else). Each answer is checked by simulating the "
            "calls; what is still wrong is explained. Answers are shown only with --answer."
        ),
        epilog="Start with: ecr-policy lesson 1 --start task1.json, edit it, then ecr-policy lesson 1 --check task1.json",
    )
    parser.add_argument("task", nargs="?", metavar="TASK", help="the task's number (1-5) or name")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--start", metavar="FILE", help="write the starting policy to FILE (- for stdout)")
    action.add_argument("--check", metavar="FILE", help="check your answer (a policy JSON file, or - for stdin)")
    action.add_argument("--answer", action="store_true", help="show an answer and why it works")
    parser.add_argument("--force", action="store_true", help="with --start: replace FILE if it exists")
    parser.set_defaults(handler=run_lesson)


def _wrap(text: str, indent: str = "", hanging: str | None = None) -> list[str]:
    from wizard.core.text import wrap

    return wrap(text, indent, hanging) or [""]


def _task(args: argparse.Namespace):
    from wizard.core.lesson import TASK_BY_KEY, TASKS
    from wizard.core.text import quoted

    if args.task is None:
        if args.start or args.check or args.answer:
            raise UsageError("name the task: ecr-policy lesson N --start/--check/--answer (N from 1 to 5)")
        return None
    task = TASK_BY_KEY.get(args.task)
    if task is None:
        names = ", ".join(f"{t.number} ({t.key})" for t in TASKS)
        raise UsageError(f"task {quoted(args.task)} is not one of: {names}")
    return task


def _overview() -> list[str]:
    from wizard.core.lesson import TASKS

    lines = ["ECR permissions, a lesson in five tasks. Each answer is checked by simulating the calls.", ""]
    for task in TASKS:
        lines += _wrap(f"{task.number}. {task.title} ({task.key}): {task.story}", "", "   ")
        lines.append("")
    lines += _wrap(
        "For each task: `ecr-policy lesson N` to read it, `ecr-policy lesson N --start taskN.json` to get the "
        "starting policy, edit it, `ecr-policy lesson N --check taskN.json` until every goal passes. "
        "`ecr-policy lesson N --answer` shows an answer (try first).",
        "",
    )
    return lines


def _describe(task) -> list[str]:
    from wizard.core.handout import policy_json

    what = "the repository policy of my-app" if task.slot == "repository" else "the identity policy"
    lines = [f"Task {task.number}: {task.title}", ""]
    lines += _wrap(task.story)
    lines += ["", f"You write: {what}.", "Goals:"]
    lines += [line for goal in task.goals for line in _wrap(f"- {goal.text}", "  ", "    ")]
    if task.given is not None:
        other = "identity policy" if task.slot == "repository" else "repository policy"
        lines += ["", f"Given (the {other}, which stays as it is):", policy_json(task.given)]
    lines += ["", "Starting policy:", policy_json(task.start), ""]
    lines += _wrap(
        f"Save it with `ecr-policy lesson {task.number} --start task{task.number}.json`, edit it, and check it "
        f"with `ecr-policy lesson {task.number} --check task{task.number}.json`.",
    )
    return lines


def _check(task, path: str) -> tuple[int, list[str]]:
    from wizard.core.lesson import check_answer
    from wizard.core.policy import parse_policy

    name = "stdin" if path == "-" else path
    parsed = parse_policy(read_input(path), task.kind)
    if parsed.document is None:
        problems = "; ".join(problem.message for problem in parsed.problems)
        raise UsageError(f"{name} is not a policy: {problems}")
    passed, results = check_answer(task, parsed.document.raw)
    lines = [f"Task {task.number}: {task.title}, checking {name}", ""]
    for line in results:
        lines += _wrap(line, "", " " * (len(line) - len(line.lstrip()) + 2))
    lines.append("")
    if passed:
        lines += _wrap(f"Every goal is met. Compare with `ecr-policy lesson {task.number} --answer` if you like.")
    else:
        lines += _wrap("Not yet: fix what is marked NOT YET and check again.")
    return (EXIT_OK if passed else EXIT_FINDINGS), lines


def _answer(task) -> list[str]:
    from wizard.core.handout import policy_json

    lines = [f"Task {task.number}: {task.title}, an answer", "", policy_json(task.answer), ""]
    for sentence in task.why:
        lines += _wrap(sentence)
    return lines


def run_lesson(args: argparse.Namespace) -> int:
    from wizard.core.handout import policy_json
    from wizard.core.text import visible

    task = _task(args)
    status = EXIT_OK
    if task is None:
        lines = _overview()
    elif args.start:
        path = None if args.start == "-" else args.start
        return emit_one(args, policy_json(task.start) + "\n", f"the starting policy of task {task.number}", path)
    elif args.check:
        status, lines = _check(task, args.check)
    elif args.answer:
        lines = _answer(task)
    else:
        lines = _describe(task)
    write_stdout(visible("\n".join(lines) + "\n", keep_newlines=True))
    return status
