"""`ecr-policy check` and `explain`: existing policies, read as untrusted text."""

from __future__ import annotations

import argparse
import json

from wizard.cli.common import EXIT_FINDINGS, EXIT_OK, read_input, say, write_stdout


def register(commands, parents) -> None:
    explain = commands.add_parser(
        "explain",
        parents=parents,
        help="explain an existing policy: each statement and action, its reach, its blast radius",
        description=(
            "Explain an ECR identity policy in plain words: what each statement allows, what each "
            "action does in docker pull/push (or that they do not need it), which repositories it "
            "reaches, and how it compares with AWS's managed policies."
        ),
    )
    explain.add_argument("file", metavar="FILE", help="the policy JSON, or - for stdin")
    explain.set_defaults(handler=run_explain)

    check = commands.add_parser(
        "check",
        parents=parents,
        help="lint an existing policy: findings with where they are and how to fix them",
        description=(
            "Check an ECR identity policy for mistakes that break docker pull/push or grant too much. "
            "Exit status: 0 no findings, 1 findings, 2 the input cannot be read."
        ),
    )
    check.add_argument("file", metavar="FILE", help="the policy JSON, or - for stdin")
    check.add_argument(
        "--format", choices=["text", "json"], default="text", help="text for people (default), json for machines"
    )
    check.set_defaults(handler=run_check)


def run_check(args: argparse.Namespace) -> int:
    from wizard.core.lint import check_text, report_text, summarize
    from wizard.core.text import visible

    text = read_input(args.file)
    findings = check_text(text)
    name = "stdin" if args.file == "-" else args.file
    if args.format == "json":
        report = {"file": name, "summary": summarize(findings), "findings": [finding.as_dict() for finding in findings]}
        write_stdout(json.dumps(report, indent=2) + "\n")
    else:
        write_stdout(visible(report_text(findings, name), keep_newlines=True))
    return EXIT_FINDINGS if findings else EXIT_OK


def run_explain(args: argparse.Namespace) -> int:
    from wizard.core.explain import explain_document
    from wizard.core.lint import check_policy, load_policy, summarize
    from wizard.core.text import visible

    text = read_input(args.file)
    document, problems = load_policy(text)
    if document is None:
        for finding in problems:
            say(f"error: {finding.message}; {finding.fix}")
        return EXIT_FINDINGS
    write_stdout(visible(explain_document(document), keep_newlines=True))
    findings = check_policy(document)
    name = "-" if args.file == "-" else args.file
    hint = f"; `ecr-policy check {name}` lists them with fixes" if findings else ""
    write_stdout(visible(f"\nCheck: {summarize(findings)}{hint}\n", keep_newlines=True))
    return EXIT_OK
