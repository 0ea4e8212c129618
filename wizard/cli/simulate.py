"""`ecr-policy simulate`: walk a push, a pull, an ECS task start, an EKS kubelet pull or a Lambda
CreateFunction call by call against a policy, offline. Exit status 0: it would succeed; 1: it
would not (the output says where, what the user would see, and the fix); 2: bad input."""

from __future__ import annotations

import argparse

from wizard.cli.common import EXIT_FINDINGS, EXIT_OK, UsageError, read_input, write_stdout

OPERATION_HELP = {
    "push": "docker push",
    "pull": "docker pull",
    "ecs-task": "an ECS task starting (the task execution role pulls)",
    "eks-pull": "the EKS kubelet pulling (the node role pulls)",
    "lambda-create": "aws lambda create-function from the image (the deployer, then the Lambda service)",
}
_PRINCIPAL = r"arn:(aws|aws-cn|aws-us-gov):iam::([0-9]{12}):(role|user)/(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}"
_FUNCTION = r"[A-Za-z0-9_-]{1,64}"


def register(commands, parents) -> None:
    parser = commands.add_parser(
        "simulate",
        parents=parents,
        help="simulate a push or pull (or ECS, EKS, Lambda) call by call against a policy",
        description=(
            "Walk an operation call by call, offline: the client's step, the registry or API request, the "
            "IAM action ECR checks and the policy statement that decides it. At the first refusal: the "
            "message the user would see and the fix. Exit status: 0 it would succeed, 1 it would not, "
            "2 bad input."
        ),
        epilog=(
            "Operations: "
            + "; ".join(f"{key}: {text}" for key, text in OPERATION_HELP.items())
            + ". Example: ecr-policy simulate policy.json push 123456789012.dkr.ecr.us-east-1.amazonaws.com/my-app:v1"
        ),
    )
    parser.add_argument("file", metavar="FILE", help="an identity or repository policy (JSON), or - for stdin")
    parser.add_argument("operation", metavar="OPERATION", choices=list(OPERATION_HELP), help=", ".join(OPERATION_HELP))
    parser.add_argument(
        "image", metavar="IMAGE", help="the image as docker names it: ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME:TAG"
    )
    parser.add_argument(
        "--kind",
        choices=["identity", "repository", "public-identity"],
        help="what FILE is (default: detected from its content)",
    )
    parser.add_argument(
        "--repository-policy",
        metavar="FILE",
        help="the repository's policy, when FILE is the caller's identity policy",
    )
    parser.add_argument(
        "--identity-policy",
        metavar="FILE",
        help="the caller's identity policy, when FILE is the repository policy",
    )
    parser.add_argument(
        "--as",
        dest="principal",
        metavar="ACCOUNT|ARN",
        help="who runs the operation: a role or user ARN, or an account ID (default: a role in the image's account)",
    )
    parser.add_argument(
        "--function", default="FUNCTION", metavar="NAME", help="lambda-create: the function's name (for aws:SourceArn)"
    )
    parser.add_argument("--diagram", action="store_true", help="also draw the calls as a sequence diagram")
    parser.add_argument("--format", choices=["text", "json"], default="text", help="text for people, json for machines")
    parser.set_defaults(handler=run_simulate)


def _image(text: str):
    from wizard.core.simulate.image import ImageError, parse_image

    try:
        return parse_image(text)
    except ImageError as error:
        raise UsageError(str(error)) from None


def _read_document(path: str, kind, what: str):
    from wizard.core.policy import parse_policy

    parsed = parse_policy(read_input(path), kind)
    if parsed.document is None:
        name = "stdin" if path == "-" else repr(path)
        problems = "; ".join(problem.message for problem in parsed.problems)
        raise UsageError(f"{what} {name} is not a policy: {problems}")
    return parsed.document


def _slots(args: argparse.Namespace) -> tuple[dict, dict]:
    """The identity and repository documents, by what each file is, and their labels."""
    from wizard.core.policy import Kind

    if [args.file, args.repository_policy, args.identity_policy].count("-") > 1:
        raise UsageError("only one of the policies can be read from stdin (-)")
    document = _read_document(args.file, Kind(args.kind) if args.kind else None, "FILE")
    if document.kind in (Kind.TRUST, Kind.REGISTRY, Kind.PUBLIC_REPOSITORY):
        raise UsageError(
            f"FILE reads as a {document.kind.title}: simulate takes the caller's identity policy or the "
            "repository policy (--kind says which when the detection is wrong)"
        )
    slot = "repository" if document.kind is Kind.REPOSITORY else "identity"
    documents, labels = {slot: document}, {slot: _label(args.file)}
    extra = {"repository": args.repository_policy, "identity": args.identity_policy}
    for other, path in extra.items():
        if path is None:
            continue
        if other in documents:
            raise UsageError(f"FILE is already the {other} policy; give the other half with --{_other(other)}-policy")
        kind = Kind.REPOSITORY if other == "repository" else None
        documents[other] = _read_document(path, kind, f"--{other}-policy")
        labels[other] = _label(path)
    return documents, labels


def _other(slot: str) -> str:
    return "identity" if slot == "repository" else "repository"


def _label(path: str) -> str:
    return "stdin" if path == "-" else path


def _caller(args: argparse.Namespace, image):
    import re

    from wizard.core.policy.evaluate import Caller
    from wizard.core.request import check_account
    from wizard.core.simulate.engine import default_caller
    from wizard.core.text import quoted

    if args.principal is None:
        return default_caller(image)
    value = args.principal.strip()
    account = check_account(value)
    if account.ok:
        return default_caller(image, account.value)
    match = re.fullmatch(_PRINCIPAL, value)
    if match is None:
        raise UsageError(
            f"--as {quoted(value)} is neither an account ID nor a role or user ARN. Accepted: 12 digits, or "
            "arn:aws:iam::ACCOUNT:role/NAME (or user/NAME)."
        )
    if match.group(1) != image.partition:
        raise UsageError(
            f"--as {quoted(value)} is in the partition {match.group(1)}, the image in {image.partition}: "
            "roles never reach across partitions"
        )
    return Caller.role(value)


def _rejected_notes(documents: dict, labels: dict) -> list[str]:
    """A policy AWS would refuse to store is simulated as written; say so."""
    from wizard.core.lint import ERROR, check_document
    from wizard.core.text import wrap

    notes = []
    for slot, document in documents.items():
        errors = [finding for finding in check_document(document) if finding.severity == ERROR]
        if errors:
            notes += wrap(
                f"Note: `ecr-policy check` finds {len(errors)} error{'s' * (len(errors) > 1)} in {labels[slot]} "
                "(AWS may refuse the document, or it grants less than it seems): it was simulated as written.",
                "",
            )
    return ["", *notes] if notes else []


def run_simulate(args: argparse.Namespace) -> int:
    import json
    import re

    from wizard.core.simulate.engine import simulate
    from wizard.core.simulate.render import as_dict, diagram_lines, report_lines
    from wizard.core.text import visible

    image = _image(args.image)
    if not re.fullmatch(_FUNCTION, args.function):
        raise UsageError("--function: a Lambda function name is 1-64 letters, digits, - and _")
    documents, labels = _slots(args)
    caller = _caller(args, image)
    simulation = simulate(
        args.operation, image, documents.get("identity"), documents.get("repository"), caller, args.function
    )
    if args.format == "json":
        write_stdout(json.dumps(as_dict(simulation), indent=2) + "\n")
    else:
        lines = report_lines(simulation, labels) + _rejected_notes(documents, labels)
        if args.diagram:
            lines += ["", *diagram_lines(simulation)]
        write_stdout(visible("\n".join(lines) + "\n", keep_newlines=True))
    return EXIT_OK if simulation.succeeded else EXIT_FINDINGS
