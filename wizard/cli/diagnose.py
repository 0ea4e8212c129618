"""`ecr-policy diagnose`: from the error message a user got to the policy that fixes it."""

from __future__ import annotations

import argparse
import os

from wizard.cli.common import (
    EXIT_FINDINGS,
    PROG,
    Output,
    UsageError,
    emit_all,
    intent_answers,
    read_input,
    say,
)
from wizard.cli.generate import CI_FORMATS, POLICY_FORMATS

FORMATS = POLICY_FORMATS + CI_FORMATS
SIDES = ["identity", "repository", "both"]


def register(commands, parents) -> None:
    diagnose = commands.add_parser(
        "diagnose",
        parents=parents,
        help="from an error message (AccessDenied, CannotPullContainerError, ImagePullBackOff...) to the fix",
        description=(
            "Read the error a pull, push or login failed with (AWS's 'is not authorized to perform' message, "
            "ECS, the kubelet, Lambda, docker or buildx) and say who was refused, what it tried, on what, why, "
            "and which policy must change. When a policy of yours is the fix, write it on stdout through the "
            "same builder as `generate`, checked to allow the refused call. stderr explains. Exit status: 0 the "
            "fix is on stdout; 1 no policy of yours fixes it (stderr says what to do, whom to ask); 2 the text is "
            "not enough (stderr lists what is missing and the likely causes in order) or the input is bad."
        ),
        epilog=(
            "Examples:\n"
            f'  {PROG} diagnose "denied: User: arn:aws:sts::111122223333:assumed-role/gha-deploy/GitHubActions is '
            "not authorized to perform: ecr:InitiateLayerUpload on resource: "
            "arn:aws:ecr:eu-west-2:111122223333:repository/app because no identity-based policy allows the "
            'ecr:InitiateLayerUpload action"\n'
            f"  kubectl describe pod web-1 | {PROG} diagnose - --side identity\n"
            f"  {PROG} diagnose error.txt --format terraform"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    diagnose.add_argument(
        "message", metavar="TEXT|FILE|-", help="the error message itself, a file that holds it, or - for stdin"
    )
    answers = diagnose.add_argument_group("corrections (each overrides what the message suggests)")
    answers.add_argument("--role", choices=["ci", "ecs", "eks", "lambda"], help="who was refused")
    answers.add_argument("--access", choices=["pull", "push"], help="pull, or push (which includes pull)")
    answers.add_argument(
        "--repo", dest="repositories", action="append", metavar="NAME", help="repository name or pattern (repeatable)"
    )
    answers.add_argument("--region", help="the repository's region")
    answers.add_argument("--account", metavar="ID", help="the 12-digit account that owns the repository")
    answers.add_argument(
        "--principal", metavar="ACCOUNT|ROLE_ARN", help="across accounts: the account or role that was refused"
    )
    answers.add_argument(
        "--side",
        choices=SIDES,
        help="the policy to fix, when the message cannot tell (a bare 403): after confirming a likely cause",
    )
    output = diagnose.add_argument_group("output")
    output.add_argument(
        "--format",
        choices=FORMATS,
        default="json",
        help="json (default); terraform, cloudformation, aws-cli: everything to apply; or the file that runs "
        "with the role (ci-script, ecs-task-definition, eks-manifest, lambda-deploy: the refused role exists)",
    )
    output.add_argument(
        "--document",
        choices=["identity", "repository"],
        help="which document to print (default: the one that must change; with --format cloudformation, "
        "'repository' gives the repository owner's template)",
    )
    output.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    output.add_argument("--force", action="store_true", help="with --output: replace FILE if it exists")
    diagnose.set_defaults(handler=run)


def _read(argument: str) -> str:
    """The message: stdin, a file, or the argument itself, each within MESSAGE_BYTES."""
    from wizard.core.limits import MESSAGE_BYTES

    if argument == "-":
        text = read_input("-", "stdin", MESSAGE_BYTES)
    elif "\n" not in argument and len(argument) < 4096 and os.path.isfile(argument):
        text = read_input(argument, repr(argument), MESSAGE_BYTES)
    else:
        if len(argument.encode("utf-8", "surrogatepass")) > MESSAGE_BYTES.size:
            raise UsageError(
                f"the message is larger than {MESSAGE_BYTES.describe()}, the limit for {MESSAGE_BYTES.what}"
            )
        text = argument
    if not text.strip():
        raise UsageError("the message is empty: paste the error text, give a file that holds it, or - for stdin")
    return text


def run(args: argparse.Namespace) -> int:
    from wizard.core.diagnose import DiagnoseError, diagnose
    from wizard.core.diagnose.report import diagnosis_lines, source_lines

    if args.output == "-":
        args.output = None
    elif args.output is not None and not args.output.strip():
        raise UsageError("--output needs a file name (or - for standard output)")
    if args.force and not args.output:
        raise UsageError("--force only applies with --output FILE")
    try:
        diagnosis = diagnose(_read(args.message))
    except DiagnoseError as error:
        raise UsageError(str(error)) from None
    for line in diagnosis_lines(diagnosis):
        say(line)
    fix = _fix(args, diagnosis)
    for line in source_lines(diagnosis):
        say(line)
    if fix is None:
        return EXIT_FINDINGS
    return emit_all(args, _outputs(args, fix))


def _fix(args: argparse.Namespace, diagnosis):
    """The checked fix, or None when no policy of ours fixes it; UsageError when more is needed."""
    from wizard.core.diagnose import reasons as R
    from wizard.core.diagnose.fix import FixError, build_fix, missing_messages, plan_fix
    from wizard.core.diagnose.report import fix_lines, plan_lines
    from wizard.core.request import RequestError

    try:
        plan = plan_fix(diagnosis, **intent_answers(args), side=args.side)
    except FixError as error:
        if diagnosis.side == R.UNKNOWN and not args.side:
            raise UsageError(str(error)) from None
        say(f"no fix written: {error}")
        return None
    for line in plan_lines(plan):
        say(line)
    iac = args.format != "json"
    missing = missing_messages(plan, iac)
    if missing:
        raise UsageError(*(f"--{m.field} {m.reason}" for m in missing))
    if iac and diagnosis.principal and diagnosis.principal.kind in ("user", "root"):
        raise UsageError(
            f"the caller is an IAM {diagnosis.principal.kind} user, and --format {args.format} attaches the policy to "
            "a role: use --format json and attach the policy to the user"
        )
    try:
        fix = build_fix(diagnosis, plan)
    except (RequestError, FixError) as error:
        lines = [str(m) for m in error.errors] if isinstance(error, RequestError) else [str(error)]
        raise UsageError(*lines) from None
    for line in fix_lines(fix):
        say(line)
    if fix.problems:
        raise UsageError("the fix would not allow the refused operation's workflow, so it is not written")
    return fix


def _outputs(args: argparse.Namespace, fix) -> list[Output]:
    from wizard.core.builder import render_json
    from wizard.core.formats import FormatError, render, render_json_document

    if args.format in CI_FORMATS:
        return _ci_outputs(args, fix)
    document = args.document or fix.documents[0]
    parts = [fix.identity]
    try:
        if args.format != "json":
            text = render(fix.bundle, args.format, parts, document)
            return [Output(args.output, text, f"the {args.format} output")]
        text = render_json_document(fix.bundle, parts, document)
    except FormatError as error:
        raise UsageError(str(error)) from None
    others = [name for name in fix.documents if name != document]
    if not others or args.document:
        return [Output(args.output, text, f"the {document} policy")]
    if not args.output:
        say(f"note: the fix also needs the {others[0]} policy: --document {others[0]} prints it")
        return [Output(None, text, f"the {document} policy")]
    from wizard.cli.generate import sibling

    other = fix.bundle.repository.document if others[0] == "repository" else fix.identity.document
    return [
        Output(args.output, text, f"the {document} policy"),
        Output(sibling(args.output, others[0]), render_json(other), f"the {others[0]} policy"),
    ]


def _ci_outputs(args: argparse.Namespace, fix) -> list[Output]:
    """The file that runs with the fixed role; with --output DIR, at its usual path inside DIR."""
    from wizard.cli.generate import ci_file_outputs

    if args.document:
        raise UsageError(f"--document applies to --format json and cloudformation, not --format {args.format}")
    return ci_file_outputs(args, fix.bundle)
