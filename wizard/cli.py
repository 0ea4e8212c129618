"""The `ecr-policy` command line: a thin front end over wizard.core.

Importing this module must stay cheap: the user interfaces (Textual, questionary) are
imported only by the code paths that start them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from wizard import __version__
from wizard.core import RequestError, Role, build_policy, make_request, render_json
from wizard.core.deploy import build_bundle, make_deployment
from wizard.core.regions import region_from_environment
from wizard.core.request import Access
from wizard.core.size import (
    MANAGED_POLICIES_PER_ROLE,
    PolicyKind,
    SizeError,
    Strategy,
    check_size,
    fit_policy,
    over_limit_message,
)

EXIT_OK = 0
EXIT_USAGE = 2
PROG = "ecr-policy"


class UsageError(Exception):
    """Bad input: reported as `error: ...` lines and exit status 2."""

    def __init__(self, *lines: str):
        self.lines = lines
        super().__init__("\n".join(lines))


class _Parser(argparse.ArgumentParser):
    """argparse, but its errors read like ours: one `error:` line and a pointer to --help."""

    def error(self, message: str):  # never returns: raises UsageError
        raise UsageError(message, f"(run '{self.prog} --help' for usage)")


def _split_repositories(values: Sequence[str] | None) -> list[str]:
    # Commas never occur in repository names, so "--repo a,b" is unambiguous.
    return [name for value in values or () for name in value.split(",")]


def _read_repository_file(path: str | None) -> list[str]:
    if path is None:
        return []
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as stream:
                text = stream.read()
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise UsageError(f"cannot read --repo-file {path!r}: {reason}") from None
    names = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.extend(name for name in line.replace(",", " ").split() if name)
    return names


def build_parser() -> argparse.ArgumentParser:
    # --debug is accepted before or after the command; the copy on each command must not
    # overwrite the value given before it, hence SUPPRESS there.
    debug = argparse.ArgumentParser(add_help=False)
    debug.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show the traceback of an internal error")
    parser = _Parser(
        prog=PROG,
        description=(
            "Create least-privilege AWS IAM policies for pulling and pushing Amazon ECR images, "
            "and learn why each permission is there. Run with no command to open the wizard."
        ),
        epilog=f"Example: {PROG} generate --role ci --repo my-app --region us-east-1 --account 123456789012",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an internal error instead of a report file")
    parser.add_argument(
        "--plain",
        action="store_true",
        help="ask the wizard's questions as plain prompts (screen readers, narrow or recorded terminals)",
    )
    parser.add_argument(
        "--theme",
        metavar="NAME",
        help="colour theme for the wizard: harbor-night (default), harbor-day, or any Textual theme",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    generate = commands.add_parser(
        "generate",
        parents=[debug],
        help="print the policy for the given answers (no questions asked)",
        description=(
            "Print the least-privilege identity policy as JSON on stdout. Warnings (wildcards, "
            "unknown regions) go to stderr. Exit status 2 on bad input."
        ),
        epilog=(
            "Examples:\n"
            f"  {PROG} generate --role ci --repo my-app --region us-east-1 --account 123456789012\n"
            f"  {PROG} generate --role ecs --repo api --repo 'team-a/*' --account 123456789012 --output policy.json"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    generate.add_argument(
        "--role",
        required=True,
        choices=[role.value for role in Role],
        help="who uses the policy: ci (pipeline pushes), ecs (task execution role), eks (node role), "
        "lambda (function deployer)",
    )
    generate.add_argument(
        "--repo",
        dest="repositories",
        action="append",
        metavar="NAME",
        help="repository name or wildcard pattern (e.g. my-app, team-a/*); repeat or separate with commas",
    )
    generate.add_argument(
        "--repo-file",
        metavar="FILE",
        help="read repository names from FILE, one per line ('#' starts a comment; '-' reads stdin); "
        "handy for hundreds, e.g. from `aws ecr describe-repositories`",
    )
    generate.add_argument(
        "--region",
        help="AWS region of the repositories (default: $AWS_REGION, then $AWS_DEFAULT_REGION)",
    )
    generate.add_argument("--account", required=True, metavar="ID", help="12-digit AWS account ID that owns the repositories")
    generate.add_argument(
        "--access",
        choices=[access.value for access in Access],
        help="pull, or push (which includes pull); default: push for ci, pull for the others",
    )
    generate.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    generate.add_argument("--force", action="store_true", help="with --output: replace FILE if it exists")
    generate.add_argument(
        "--format",
        choices=["json", "terraform", "cloudformation", "aws-cli"],
        default="json",
        help="json (default): the policy document; terraform, cloudformation, aws-cli: everything to apply "
        "(policy, role with trust policy, attachment, repository policy), explained in comments",
    )
    generate.add_argument(
        "--document",
        choices=["identity", "trust", "repository"],
        default="identity",
        help="with --format json: which document to print (default identity); with --format "
        "cloudformation, 'repository' gives the template for the repositories' account",
    )
    options = generate.add_argument_group("options")
    options.add_argument(
        "--pull-through-cache",
        action="store_true",
        help="the repositories are pull-through cache repositories (e.g. --repo 'docker-hub/*'): adds ecr:BatchImportUpstreamImage",
    )
    options.add_argument(
        "--cache-create-repositories",
        action="store_true",
        help="with --pull-through-cache: a first pull may create the cache repository (ecr:CreateRepository on those names)",
    )
    options.add_argument("--public", action="store_true", help="ECR Public repositories (public.ecr.aws, us-east-1)")
    options.add_argument("--kms", action="store_true", help="the repositories use KMS encryption (explained; no permission is added)")
    trust = generate.add_argument_group(
        "the role and its trust policy",
        "Used by --format terraform/cloudformation/aws-cli and --document trust. ecs and eks have a "
        "default (ecs-tasks, eks-node); ci needs --trust; lambda has none (the Lambda service pulls).",
    )
    trust.add_argument(
        "--trust",
        choices=["github", "gitlab", "codebuild", "ec2", "ecs-tasks", "eks-node", "eks-fargate", "eks-pod-identity"],
        help="who assumes the role",
    )
    trust.add_argument("--github-repo", metavar="OWNER/REPO", help="GitHub repository whose workflows may assume the role")
    trust.add_argument("--github-branch", metavar="BRANCH", help="only workflows on this branch (default main)")
    trust.add_argument("--github-tag", metavar="TAG", help="only workflows on this tag (wildcards allowed: 'v*')")
    trust.add_argument("--github-environment", metavar="NAME", help="only jobs that use this deployment environment")
    trust.add_argument("--github-sub", metavar="SUB", help="the exact sub claim, e.g. from a run's token (overrides the three above)")
    trust.add_argument("--gitlab-url", metavar="URL", help="GitLab instance (default https://gitlab.com)")
    trust.add_argument("--gitlab-project", metavar="GROUP/PROJECT", help="GitLab project whose pipelines may assume the role")
    trust.add_argument("--gitlab-branch", metavar="BRANCH", help="only pipelines on this branch (default main)")
    trust.add_argument("--gitlab-sub", metavar="SUB", help="the exact sub claim (overrides --gitlab-project/--gitlab-branch)")
    trust.add_argument("--cluster", metavar="NAME", help="EKS cluster of the Fargate profiles (--trust eks-fargate)")
    trust.add_argument("--role-name", metavar="NAME", help="the role to create (or the existing one to attach to)")
    trust.add_argument(
        "--principal",
        metavar="ACCOUNT|ROLE_ARN",
        help="cross-account: the account or role that pulls, when it is not --account; adds the repository policy",
    )
    trust.add_argument("--function-account", metavar="ID", help="lambda: the account of the functions (default --account)")
    size = generate.add_argument_group(
        "size limits",
        "IAM refuses a managed policy over 6,144 characters and a role's inline policies over "
        "10,240 in total (white space not counted). An over-limit policy stops with status 2 "
        "unless you choose one of these.",
    )
    size.add_argument(
        "--limit",
        choices=[kind.value for kind in PolicyKind],
        default=PolicyKind.MANAGED.value,
        help="the limit to respect: managed (6,144, default) or inline (10,240)",
    )
    ways = size.add_mutually_exclusive_group()
    ways.add_argument(
        "--split",
        action="store_true",
        help="split into several managed policies, each under the limit; stdout gets a JSON array, "
        "--output FILE numbered files beside it (FILE-1.json, ...)",
    )
    ways.add_argument(
        "--compact",
        action="store_true",
        help="replace groups of names with namespace or prefix wildcards until it fits; "
        "stderr lists each wildcard, the names it replaces and what else it matches",
    )
    generate.set_defaults(handler=_generate)

    explain = commands.add_parser(
        "explain",
        parents=[debug],
        help="explain an existing policy: each statement and action, its reach, its blast radius",
        description=(
            "Explain an ECR identity policy in plain words: what each statement allows, what each "
            "action does in docker pull/push (or that they do not need it), which repositories it "
            "reaches, and how it compares with AWS's managed policies."
        ),
    )
    explain.add_argument("file", metavar="FILE", help="the policy JSON, or - for stdin")
    explain.set_defaults(handler=_explain)

    check = commands.add_parser(
        "check",
        parents=[debug],
        help="lint an existing policy: findings with where they are and how to fix them",
        description=(
            "Check an ECR identity policy for mistakes that break docker pull/push or grant too much. "
            "Exit status: 0 no findings, 1 findings, 2 the input cannot be read."
        ),
    )
    check.add_argument("file", metavar="FILE", help="the policy JSON, or - for stdin")
    check.add_argument("--format", choices=["text", "json"], default="text", help="text for people (default), json for machines")
    check.set_defaults(handler=_check)
    return parser


def _read_input(path: str) -> str:
    """The text of FILE or stdin; unreadable input is a usage error (exit 2)."""
    try:
        if path == "-":
            return sys.stdin.read()
        with open(path, encoding="utf-8") as stream:
            return stream.read()
    except UnicodeDecodeError:
        raise UsageError(f"cannot read {path!r}: it is not UTF-8 text") from None
    except OSError as error:
        raise UsageError(f"cannot read {path!r}: {error.strerror or error}") from None


def _check(args: argparse.Namespace) -> int:
    import json

    from wizard.core.lint import check_text, report_text, summarize

    text = _read_input(args.file)
    findings = check_text(text)
    name = "stdin" if args.file == "-" else args.file
    if args.format == "json":
        report = {"file": name, "summary": summarize(findings), "findings": [finding.as_dict() for finding in findings]}
        _write_stdout(json.dumps(report, indent=2) + "\n")
    else:
        _write_stdout(report_text(findings, name))
    return 1 if findings else EXIT_OK


def _explain(args: argparse.Namespace) -> int:
    from wizard.core.explain import explain_document
    from wizard.core.lint import check_policy, load_policy, summarize

    text = _read_input(args.file)
    document, problems = load_policy(text)
    if document is None:
        for finding in problems:
            print(f"error: {finding.message}; {finding.fix}", file=sys.stderr)
        return 1
    _write_stdout(explain_document(document))
    findings = check_policy(document)
    name = "-" if args.file == "-" else args.file
    print(f"\nCheck: {summarize(findings)}" + (f"; `ecr-policy check {name}` lists them with fixes" if findings else ""))
    return EXIT_OK


def _generate(args: argparse.Namespace) -> int:
    if args.force and not args.output:
        raise UsageError("--force only applies with --output FILE")
    repositories = _split_repositories(args.repositories) + _read_repository_file(args.repo_file)
    if not repositories:
        raise UsageError("no repositories: give --repo NAME (repeatable) or --repo-file FILE")
    region = args.region if args.region is not None else region_from_environment()
    if region is None:
        raise UsageError("no region: give --region (e.g. --region us-east-1) or set AWS_REGION")
    try:
        validated = make_request(
            role=args.role,
            repositories=repositories,
            region=region,
            account=args.account,
            access=args.access,
            pull_through_cache=args.pull_through_cache,
            cache_create=args.cache_create_repositories,
            public=args.public,
            kms=args.kms,
        )
        deployment, deployment_warnings = make_deployment(
            validated.request,
            args.trust,
            github_repository=args.github_repo,
            github_branch=args.github_branch,
            github_tag=args.github_tag,
            github_environment=args.github_environment,
            github_sub=args.github_sub,
            gitlab_url=args.gitlab_url,
            gitlab_project=args.gitlab_project,
            gitlab_branch=args.gitlab_branch,
            gitlab_sub=args.gitlab_sub,
            cluster=args.cluster,
            principal=args.principal,
            function_account=args.function_account,
            role_name=args.role_name,
        )
    except RequestError as error:
        raise UsageError(*(str(message) for message in error.errors)) from None
    for warning in (*validated.warnings, *deployment_warnings):
        print(f"warning: {warning}", file=sys.stderr)
    kind = PolicyKind(args.limit)
    strategy = Strategy.SPLIT if args.split else Strategy.COMPACT if args.compact else None
    policy = build_policy(validated.request)
    try:
        fitted = fit_policy(policy, kind, strategy)
    except SizeError as error:
        raise UsageError(f"{check_size(policy, kind).describe()}; {error}") from None
    if fitted.over_limit:
        split_flag = "--split" if kind is PolicyKind.MANAGED else "--limit managed --split"
        raise UsageError(over_limit_message(fitted, split_flag, "--compact"))
    if strategy is Strategy.SPLIT:
        _note_split(fitted.parts, kind)
    if strategy is Strategy.COMPACT:
        _note_compaction(fitted.wildcards, kind)
    bundle = build_bundle(validated.request, deployment, identity=policy)
    for note in bundle.notes:
        print(f"note: {note}", file=sys.stderr)
    if args.format != "json":
        from wizard.core.formats import FormatError, render

        try:
            text = render(bundle, args.format, list(fitted.parts), args.document, inline=kind is PolicyKind.INLINE)
        except FormatError as error:
            raise UsageError(str(error)) from None
        return _emit_one(args, text, f"the {args.format} output")
    others = [name for name, document in (("trust", bundle.trust), ("repository", bundle.repository)) if document]
    if args.document != "identity":
        from wizard.core.formats import FormatError, render_json_document

        try:
            text = render_json_document(bundle, list(fitted.parts), args.document)
        except FormatError as error:
            raise UsageError(str(error)) from None
        return _emit_one(args, text, f"the {args.document} policy")
    if others and not args.output:
        shown = " and ".join(f"a {name} policy (--document {name})" for name in others)
        print(f"note: this setup also needs {shown}", file=sys.stderr)
    if strategy is Strategy.SPLIT:
        status = _emit_many(args, fitted.documents)
    else:
        status = _emit_one(args, fitted.text(), f"{len(fitted.parts[0].statements)} statements")
    if args.output:
        for name in others:
            document = bundle.trust if name == "trust" else bundle.repository
            _emit_one(args, render_json(document.document), f"the {name} policy", path=_sibling(args.output, name))
    return status


def _sibling(path: str, kind: str) -> str:
    """policy.json -> policy.trust.json: the other documents are written beside the policy."""
    stem, dot, extension = path.rpartition(".")
    return f"{stem}.{kind}.{extension}" if dot and "/" not in extension else f"{path}.{kind}.json"


def _note_split(parts, kind: PolicyKind) -> None:
    if len(parts) > 1:
        print(f"note: split into {len(parts)} policies, each under {kind.limit:,} characters", file=sys.stderr)
    if len(parts) > MANAGED_POLICIES_PER_ROLE:
        print(
            f"warning: {len(parts)} managed policies exceed IAM's default quota of {MANAGED_POLICIES_PER_ROLE} "
            "per role (it can be raised to 20); --compact may need far fewer",
            file=sys.stderr,
        )


def _note_compaction(wildcards, kind: PolicyKind) -> None:
    if not wildcards:
        print(f"note: the policy already fits {kind.title}; nothing was compacted", file=sys.stderr)
    for wildcard in wildcards:
        shown = ", ".join(wildcard.replaces[:5]) + (f" and {len(wildcard.replaces) - 5} more" if len(wildcard.replaces) > 5 else "")
        print(f"note: {wildcard.pattern!r} replaces {shown}; it {wildcard.also_matches}", file=sys.stderr)


def _write_stdout(text: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        # e.g. `> /dev/full`: say so once, and stop Python retrying the flush at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise UsageError(f"cannot write to standard output: {error.strerror or error}") from None


def _emit_one(args: argparse.Namespace, text: str, what: str, path: str | None = None) -> int:
    path = path or args.output
    if not path:
        _write_stdout(text)
        return EXIT_OK
    from wizard.core.files import FileExistsSaveError, SaveError, save_text  # only when writing

    try:
        written = save_text(path, text, overwrite=args.force)
    except FileExistsSaveError:
        raise UsageError(f"{path!r} already exists; add --force to replace it") from None
    except SaveError as error:
        raise UsageError(f"cannot write {path!r}: {error}") from None
    print(f"wrote {what} to {written}", file=sys.stderr)
    return EXIT_OK


def _emit_many(args: argparse.Namespace, documents: list[dict]) -> int:
    if not args.output:
        _write_stdout(render_json(documents))
        return EXIT_OK
    from wizard.core.files import SaveError, inspect_target, numbered_paths, save_text

    paths = numbered_paths(args.output, len(documents))
    try:
        existing = [str(path) for path in paths if inspect_target(path).exists]
    except SaveError as error:
        raise UsageError(f"cannot write {args.output!r}: {error}") from None
    if existing and not args.force:
        raise UsageError(f"{', '.join(existing)} already exist(s); add --force to replace, nothing was written")
    for path, document in zip(paths, documents):
        try:
            save_text(path, render_json(document), overwrite=args.force)
        except SaveError as error:
            raise UsageError(f"cannot write {str(path)!r}: {error}") from None
        print(f"wrote {path}", file=sys.stderr)
    return EXIT_OK


def _run_wizard(args: argparse.Namespace) -> int:
    if args.plain:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise UsageError(
                "plain prompts need a terminal (stdin or stdout is not one); in scripts use "
                f"'{PROG} generate --role ... --repo ... --account ...'"
            )
        from wizard.plain import run_plain

        return run_plain()
    from wizard.tui.app import PolicyWizardApp, available_themes

    if args.theme is not None and args.theme not in available_themes():
        raise UsageError(f"theme {args.theme!r} is not known. Available: {', '.join(available_themes())}")
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(
            "the wizard needs a terminal (stdin or stdout is not one); in scripts use "
            f"'{PROG} generate --role ... --repo ... --account ...', or '{PROG} --plain' for plain prompts"
        )
    app = PolicyWizardApp(theme=args.theme, debug=args.debug)
    app.run()
    return app.return_code or EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(arguments)
        if args.command is None:
            return _run_wizard(args)
        return args.handler(args)
    except UsageError as error:
        for line in error.lines:
            print(line if line.startswith("(") else f"error: {line}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("Cancelled; nothing was written.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away; that is not our failure.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as error:
        if "--debug" in arguments:
            raise
        from wizard.crash import EXIT_INTERNAL_ERROR, crash_message, write_report

        print(crash_message(error, write_report(error)), file=sys.stderr)
        return EXIT_INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
