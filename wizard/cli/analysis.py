"""`ecr-policy check` and `explain`: existing policies, read as untrusted text."""

from __future__ import annotations

import argparse

from wizard.cli.common import EXIT_FINDINGS, EXIT_OK, PROG, UsageError, emit_one, read_input, say, write_stdout

KINDS = ["identity", "repository", "registry", "trust", "public-identity", "public-repository"]


def _add_reading_arguments(parser: argparse.ArgumentParser) -> None:
    parser._positionals.title = "arguments"
    parser.add_argument("file", metavar="FILE", help="the policy JSON, or - for stdin")
    parser.add_argument(
        "--kind",
        choices=KINDS,
        metavar="KIND",
        help=f"what the document is: {', '.join(KINDS)} (default: detected from its content, and said in the output)",
    )


def register(commands, parents) -> None:
    explain = commands.add_parser(
        "explain",
        parents=parents,
        help="explain an existing policy: who, what, where, under which conditions, and its reach",
        usage=f"{PROG} explain [options] FILE",
        description=(
            "Explain an ECR-related policy in plain words: an identity, repository, registry, trust or "
            "ECR Public policy. Who it lets in, what each action does in docker pull/push (or that they "
            "do not need it), which repositories it reaches, under which conditions, and how it "
            "compares with AWS's managed policies."
        ),
        epilog=f"Examples:\n  {PROG} explain policy.json\n  {PROG} explain - < policy.json",
    )
    _add_reading_arguments(explain)
    explain.add_argument("--sources", action="store_true", help="end with the AWS pages each fact comes from")
    explain.add_argument(
        "--without",
        metavar="ACTION",
        help="what if the policy lacked ACTION: the push and pull simulated without it, and what check would report",
    )
    explain.add_argument(
        "--image",
        metavar="IMAGE",
        help="the image to simulate with --without and in handouts (default: one in the policy's first repository)",
    )
    explain.add_argument(
        "--format",
        choices=["text", "markdown", "html"],
        default="text",
        help="text (default), or a handout: markdown, or html (one self-contained printable file)",
    )
    explain.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of stdout")
    explain.add_argument("--force", action="store_true", help="with --output: replace FILE if it exists")
    explain.set_defaults(handler=run_explain)

    check = commands.add_parser(
        "check",
        parents=parents,
        help="lint an existing policy: findings, where they are, how to fix them",
        usage=f"{PROG} check [options] FILE",
        description=(
            "Check an ECR-related policy (identity, repository, registry, trust, ECR Public) for mistakes "
            "that make AWS reject it, break docker pull/push, or grant too much. Exit status: 0 no "
            "findings, 1 findings, 2 the input cannot be read."
        ),
        epilog=f"Examples:\n  {PROG} check policy.json\n  {PROG} check --format json - < policy.json",
    )
    _add_reading_arguments(check)
    check.add_argument(
        "--account",
        metavar="ID",
        help="the account that owns the repositories (tells other accounts apart in repository policies)",
    )
    check.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        metavar="text|json",
        help="text for people (default), json for machines",
    )
    check.set_defaults(handler=run_check)


def _kind(args: argparse.Namespace):
    from wizard.core.policy import Kind

    return Kind(args.kind) if args.kind else None


def _account(args: argparse.Namespace) -> str | None:
    if not getattr(args, "account", None):
        return None
    from wizard.core.request import check_account

    checked = check_account(args.account)
    if checked.error:
        raise UsageError(str(checked.error))
    return checked.value


def run_check(args: argparse.Namespace) -> int:
    import json

    from wizard.core.lint import check_text, describe_kind, report_text, summarize
    from wizard.core.text import visible

    text = read_input(args.file)
    result = check_text(text, _kind(args), _account(args))
    name = "stdin" if args.file == "-" else args.file
    if args.format == "json":
        report = {
            "file": name,
            "kind": result.document.kind.value if result.document else None,
            "kind_reason": describe_kind(result.document) if result.document else None,
            "summary": summarize(result.findings),
            "findings": [finding.as_dict() for finding in result.findings],
        }
        write_stdout(json.dumps(report, indent=2) + "\n")
    else:
        write_stdout(visible(report_text(result.findings, name, result.document), keep_newlines=True))
    return EXIT_FINDINGS if result.findings else EXIT_OK


def run_explain(args: argparse.Namespace) -> int:
    from wizard.core.describe import explain_document, sources_lines
    from wizard.core.lint import check_document, summarize
    from wizard.core.policy import parse_policy
    from wizard.core.text import visible

    parsed = parse_policy(read_input(args.file), _kind(args))
    if parsed.document is None:
        for problem in parsed.problems:
            say(f"error: {problem.message}; {problem.fix}")
        return EXIT_FINDINGS
    if args.without is not None:
        if args.format != "text":
            raise UsageError("--without prints text; handouts (--format markdown|html) hold the what-if table")
        return _explain_without(args, parsed.document)
    if args.format != "text":
        return _explain_handout(args, parsed.document)
    if args.image is not None:
        raise UsageError("--image goes with --without ACTION or a handout (--format markdown|html)")
    text = explain_document(parsed.document)
    if args.sources:
        text += "\n" + "\n".join(sources_lines(parsed.document)) + "\n"
    findings = check_document(parsed.document)
    name = "-" if args.file == "-" else args.file
    hint = f"; `ecr-policy check {name}` lists them with fixes" if findings else ""
    text += f"\nCheck: {summarize(findings)}{hint}\n"
    return emit_one(args, visible(text, keep_newlines=True), "the explanation")


def _explain_without(args: argparse.Namespace, document) -> int:
    """`explain --without ACTION`: the same simulation as `simulate` and the wizard's what-if."""
    from wizard.core.explained import without_lines
    from wizard.core.policy import Kind
    from wizard.core.simulate.whatif import listed_actions, what_if_without
    from wizard.core.text import quoted, visible

    if document.kind is Kind.PUBLIC_IDENTITY:
        raise UsageError(
            "--without simulates pushes and pulls of private registries; FILE reads as an ECR Public identity "
            "policy (anyone may pull public images, and a push to public.ecr.aws is not simulated)"
        )
    if document.kind is not Kind.IDENTITY:
        raise UsageError(
            f"--without simulates the push and pull of the role an identity policy is attached to; FILE reads as "
            f"a {document.kind.title}. Simulate it with `ecr-policy simulate FILE OPERATION IMAGE` "
            "(--identity-policy gives the caller's half), or say --kind identity"
        )
    listed = listed_actions(document)
    if args.without.lower() not in {name.lower() for name in listed}:
        shown = ", ".join(visible(name) for name in listed) or "none"
        raise UsageError(
            f"--without {quoted(args.without)}: the policy does not list that action by name (it lists: {shown}); "
            "an action granted through a wildcard cannot be taken away alone"
        )
    from wizard.core.reference import find_action

    known = find_action(args.without)
    action = known.action if known else args.without
    image = _image_argument(args.image) if args.image else None
    what_if = what_if_without(document, action, image=image)
    lines = without_lines(what_if, document)  # the wizard's what-if shows the same lines
    write_stdout(visible("\n".join(lines) + "\n", keep_newlines=True))
    return EXIT_OK


def _image_argument(text: str):
    from wizard.core.simulate.image import ImageError, parse_image

    try:
        return parse_image(text)
    except ImageError as error:
        raise UsageError(f"--image: {error}") from None


def _explain_handout(args: argparse.Namespace, document) -> int:
    """`explain --format markdown|html`: a handout to print or share (outside text escaped for the format)."""
    from wizard.core.handout import to_html, to_markdown
    from wizard.core.handout_builder import explain_handout

    image = _image_argument(args.image) if args.image else None
    handout = explain_handout(document, "stdin" if args.file == "-" else args.file, image)
    text = to_html(handout) if args.format == "html" else to_markdown(handout)
    return emit_one(args, text, f"the {args.format} handout")
