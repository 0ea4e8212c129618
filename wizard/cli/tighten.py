"""`ecr-policy tighten`: an existing broad policy in, the least-privilege one out, explained."""

from __future__ import annotations

import argparse
import os

from wizard.cli.common import PROG, Output, UsageError, emit_all, intent_answers, read_input, say

FORMATS = ["json", "diff", "terraform", "cloudformation", "aws-cli"]


def register(commands, parents) -> None:
    tighten = commands.add_parser(
        "tighten",
        parents=parents,
        help="rewrite a broad policy as the least-privilege one for what it is for, with every change explained",
        description=(
            "Read an existing identity, repository or ECR Public policy (or an AWS managed policy by name), "
            "infer what it is for (who pulls or pushes which repositories, where), and write the "
            "least-privilege policy for that through the same builder as `generate`. stderr explains the "
            "intent and every change: removed, narrowed, added, left out. What the policy cannot tell (a "
            '"*" names no repository) must be given as a flag: exit 2 says which.'
        ),
        epilog=(
            "Examples:\n"
            f"  {PROG} tighten AmazonEC2ContainerRegistryPowerUser --repo my-app --region us-east-1 --account 123456789012\n"
            f"  {PROG} tighten ci-policy.json --format diff"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    tighten.add_argument(
        "file", metavar="FILE|-|MANAGED_POLICY", help="the policy JSON, - for stdin, or an AWS managed policy name"
    )
    tighten.add_argument(
        "--kind",
        choices=["identity", "repository", "public-identity", "public-repository"],
        help="what the document is (default: detected)",
    )
    answers = tighten.add_argument_group("answers the policy cannot give (each overrides a guess)")
    answers.add_argument("--role", choices=["ci", "ecs", "eks", "lambda"], help="who uses it")
    answers.add_argument("--access", choices=["pull", "push"], help="pull, or push (which includes pull)")
    answers.add_argument(
        "--repo", dest="repositories", action="append", metavar="NAME", help="repository name or pattern (repeatable)"
    )
    answers.add_argument("--region", help="the repositories' region")
    answers.add_argument("--account", metavar="ID", help="the 12-digit account that owns the repositories")
    answers.add_argument(
        "--principal", metavar="ACCOUNT|ROLE_ARN", help="repository policies: the account or role that pulls"
    )
    output = tighten.add_argument_group("output")
    output.add_argument(
        "--format",
        choices=FORMATS,
        default="json",
        help="json (default), diff (a unified diff of the JSON), or everything to apply",
    )
    output.add_argument(
        "--keep-other", action="store_true", help="copy statements outside ECR into the output unchanged"
    )
    output.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    output.add_argument("--force", action="store_true", help="with --output: replace FILE if it exists")
    tighten.set_defaults(handler=run)


def _load(args: argparse.Namespace):
    """The document to tighten: a file, stdin, or an AWS managed policy named instead."""
    from wizard.core.policy import Kind, document_from_json, parse_policy
    from wizard.core.reference import find_managed_policy

    kind = Kind(args.kind) if args.kind else None
    managed = find_managed_policy(args.file) if args.file != "-" and not os.path.exists(args.file) else None
    if managed is not None:
        say(f"note: read the AWS managed policy {managed.name} ({managed.version}; {managed.source})")
        return document_from_json(managed.document, kind), managed.name
    parsed = parse_policy(read_input(args.file), kind)
    if parsed.document is None:
        raise UsageError(*(f"{problem.message}; {problem.fix}" for problem in parsed.problems))
    return parsed.document, ("stdin" if args.file == "-" else args.file)


def run(args: argparse.Namespace) -> int:
    from wizard.core.lint import describe_kind
    from wizard.core.request import RequestError
    from wizard.core.tighten import TightenError, infer_intent, tighten, with_answers

    if args.output == "-":
        args.output = None
    document, _ = _load(args)
    say(f"read as: {describe_kind(document)}")
    try:
        intent = with_answers(infer_intent(document), **intent_answers(args))
    except TightenError as error:
        raise UsageError(str(error)) from None
    _say_intent(intent)
    if intent.missing:
        raise UsageError(*(f"{m.flag} is needed: {m.question}" for m in intent.missing))
    try:
        result = tighten(document, intent, keep_other=args.keep_other)
    except RequestError as error:
        raise UsageError(*(str(message) for message in error.errors)) from None
    _say_changes(result)
    return emit_all(args, [Output(args.output, _render(args, document, result), f"the tightened {args.format}")])


def _say_intent(intent) -> None:
    from wizard.core.tighten import intent_lines

    for line in intent_lines(intent._replace(missing=())):
        say(line)


def _say_changes(result) -> None:
    from wizard.core.tighten import change_lines

    for line in change_lines(result.changes):
        say(line)


def _render(args: argparse.Namespace, document, result) -> str:
    from wizard.core.builder import render_json

    tightened = result.output_document
    if tightened is None:
        raise UsageError("this setup needs no repository policy (the principal is in the repository's own account)")
    if args.format == "json":
        return render_json(tightened)
    if args.format == "diff":
        import difflib

        before = render_json(document.raw).splitlines(keepends=True)
        after = render_json(tightened).splitlines(keepends=True)
        return "".join(difflib.unified_diff(before, after, "original", "tightened")) or "\n"
    from wizard.core.formats import FormatError, render

    try:
        return render(result.bundle, args.format, [result.policy], "identity")
    except FormatError as error:
        raise UsageError(str(error)) from None
