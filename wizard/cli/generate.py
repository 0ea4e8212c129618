"""`ecr-policy generate`: the policy (and what goes with it) for answers given as flags."""

from __future__ import annotations

import argparse
import os

from wizard.cli.common import PROG, Output, UsageError, emit_all, read_input, say, split_repositories
from wizard.core import RequestError, Role, build_policy, make_request, render_json
from wizard.core.deploy import build_bundle, make_deployment, pulls_addon_images
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

POLICY_FORMATS = ["json", "terraform", "cloudformation", "aws-cli"]
CI_FORMATS = [
    "github-actions",
    "gitlab-ci",
    "buildspec",
    "ci-script",
    "ecs-task-definition",
    "eks-manifest",
    "lambda-deploy",
]
"""The pipeline and deployment files that use the role (wizard.core.ci.CI_FORMATS, same order)."""
FORMATS = POLICY_FORMATS + CI_FORMATS
DOCUMENTS = ["identity", "trust", "companion", "repository", "registry"]
TRUST_SOURCES = ["github", "gitlab", "codebuild", "ec2", "ecs-tasks", "eks-node", "eks-fargate", "eks-pod-identity"]


def register(commands, parents) -> None:
    generate = commands.add_parser(
        "generate",
        parents=parents,
        help="print the policy for the given answers (no questions asked)",
        usage=(
            f"{PROG} generate --role ROLE --account ID --repo NAME... [options]\n"
            f"       {PROG} generate --role ROLE --account ID --repo-file FILE [options]"
        ),
        description=(
            "Write the least-privilege policy for the answers given as options: the identity policy as "
            "JSON (the default), its trust, companion, repository or registry policy, everything to apply as "
            "Terraform, CloudFormation or an AWS CLI script, or the pipeline or deployment file that uses the "
            "role (GitHub Actions, GitLab CI, buildspec, ECS, EKS, Lambda). The result goes to stdout, or to "
            "--output FILE (or DIR for those files); warnings go to stderr. Exit status: 0 done, 2 bad input "
            "(an error: line says why)."
        ),
        epilog=(
            "Examples:\n"
            f"  {PROG} generate --role ci --repo my-app --region us-east-1 --account 123456789012\n"
            f"  {PROG} generate --role ecs --repo api --repo 'team-a/*' --region eu-west-1 --account 123456789012 -o policy.json\n"
            f"  {PROG} generate --role ci --repo my-app --region us-east-1 --account 123456789012 \\\n"
            "      --trust github --github-repo my-org/my-app --format terraform -o ecr.tf\n"
            f"  {PROG} generate --role ci --repo my-app --region us-east-1 --account 123456789012 \\\n"
            "      --trust github --github-repo my-org/my-app --format github-actions --output ."
        ),
        add_help=False,
    )
    generate._optionals.title = "general options"  # -h, and --debug from the parents
    generate.add_argument("-h", "--help", action="help", help="show this help and exit")
    _add_request_arguments(generate)
    _add_output_arguments(generate)
    _add_trust_arguments(generate)
    _add_option_arguments(generate)
    _add_size_arguments(generate)
    generate._action_groups.append(generate._action_groups.pop(1))  # general options last, as in `gh`
    generate.set_defaults(handler=run)


def _add_request_arguments(parser: argparse.ArgumentParser) -> None:
    generate = parser.add_argument_group(
        "what to grant", "Required: --role, --account, --repo or --repo-file, and a region (--region or $AWS_REGION)."
    )
    generate.add_argument(
        "--role",
        required=True,
        choices=[role.value for role in Role],
        metavar="ROLE",
        help="who uses the policy: ci (a CI pipeline, pushes), ecs (the task execution role), "
        "eks (the node role), lambda (the function's deployer)",
    )
    generate.add_argument(
        "--repo",
        dest="repositories",
        action="append",
        metavar="NAME",
        help="a repository name or wildcard pattern (e.g. my-app, 'team-a/*'); repeat it, or separate names "
        "with commas",
    )
    generate.add_argument(
        "--repo-file",
        metavar="FILE",
        help="repository names from FILE, one per line ('#' starts a comment; - reads stdin): for hundreds, "
        "e.g. from 'aws ecr describe-repositories'",
    )
    generate.add_argument(
        "--region",
        help="the repositories' AWS region; default: $AWS_REGION, then $AWS_DEFAULT_REGION",
    )
    generate.add_argument(
        "--account", required=True, metavar="ID", help="the 12-digit ID of the account that owns the repositories"
    )
    generate.add_argument(
        "--access",
        choices=[access.value for access in Access],
        help="pull, or push (which includes pull); default: push for ci, pull for the others",
        metavar="pull|push",
    )


def _add_output_arguments(parser: argparse.ArgumentParser) -> None:
    generate = parser.add_argument_group("output")
    generate.add_argument(
        "--format",
        choices=FORMATS,
        default="json",
        metavar="FORMAT",
        help="json (default): a policy document; terraform, cloudformation or aws-cli: everything to apply "
        "(the policy, the role and its trust policy, the attachment, a repository policy), explained in comments. "
        "The file that uses the role, matching its trust policy: github-actions (--trust github), gitlab-ci "
        "(--trust gitlab), buildspec (--trust codebuild), ci-script (--trust ec2 or an existing role), "
        "ecs-task-definition, eks-manifest, lambda-deploy. With --output DIR (an existing directory) it is "
        "written to its usual place inside DIR, e.g. DIR/.github/workflows/ecr-push.yml",
    )
    generate.add_argument(
        "--document",
        choices=DOCUMENTS,
        default="identity",
        metavar="DOCUMENT",
        help="with --format json, which document (default identity): trust (who may assume the role), "
        "companion (the role's other permissions, e.g. CloudWatch Logs), repository (set on the "
        "repositories), registry (the owner's registry permissions policy: pull-through cache from another "
        "account); with --format cloudformation, repository or registry gives the template for the "
        "repositories' account",
    )
    generate.add_argument("--output", "-o", metavar="FILE", help="write to FILE (atomically) instead of stdout")
    generate.add_argument("--force", action="store_true", help="with --output: replace FILE if it exists")


def _add_option_arguments(generate: argparse.ArgumentParser) -> None:
    options = generate.add_argument_group("repository options")
    options.add_argument(
        "--pull-through-cache",
        action="store_true",
        help="the repositories are pull-through cache repositories (e.g. --repo 'docker-hub/*'); adds "
        "ecr:BatchImportUpstreamImage",
    )
    options.add_argument(
        "--cache-create-repositories",
        action="store_true",
        help="with --pull-through-cache: a first pull may create the cache repository "
        "(ecr:CreateRepository on those names)",
    )
    options.add_argument("--public", action="store_true", help="ECR Public repositories (public.ecr.aws, us-east-1)")
    options.add_argument(
        "--kms", action="store_true", help="the repositories use KMS encryption (explained; no permission is added)"
    )


def _add_trust_arguments(generate: argparse.ArgumentParser) -> None:
    trust = generate.add_argument_group(
        "the role and its trust policy",
        "For --format terraform, cloudformation or aws-cli and --document trust. ecs and eks have a default "
        "(ecs-tasks, eks-node); for ci, give --trust (without it the policy goes on an existing role); "
        "lambda has none (the Lambda service pulls).",
    )
    trust.add_argument(
        "--trust", choices=TRUST_SOURCES, metavar="SOURCE", help=f"who assumes the role: {', '.join(TRUST_SOURCES)}"
    )
    trust.add_argument(
        "--github-repo", metavar="OWNER/REPO", help="GitHub repository whose workflows may assume the role"
    )
    trust.add_argument(
        "--github-branch",
        metavar="BRANCH",
        help="only workflows on this branch (default main); jobs that use an `environment:` present "
        "another sub and are refused: use --github-environment for them",
    )
    trust.add_argument("--github-tag", metavar="TAG", help="only workflows on this tag (wildcards allowed: 'v*')")
    trust.add_argument("--github-environment", metavar="NAME", help="only jobs that use this deployment environment")
    trust.add_argument(
        "--github-sub",
        metavar="SUB",
        help="the exact sub claim, e.g. from a run's token (overrides the three above); it must pin the owner "
        "(repo:OWNER/...); repo:OWNER/* admits the whole organisation, with a warning",
    )
    trust.add_argument("--gitlab-url", metavar="URL", help="GitLab instance (default https://gitlab.com)")
    trust.add_argument(
        "--gitlab-project", metavar="GROUP/PROJECT", help="GitLab project whose pipelines may assume the role"
    )
    trust.add_argument("--gitlab-branch", metavar="BRANCH", help="only pipelines on this branch (default main)")
    trust.add_argument(
        "--gitlab-sub", metavar="SUB", help="the exact sub claim (overrides --gitlab-project/--gitlab-branch)"
    )
    trust.add_argument("--cluster", metavar="NAME", help="EKS cluster of the Fargate profiles (--trust eks-fargate)")
    trust.add_argument("--role-name", metavar="NAME", help="the role to create (or the existing one to attach to)")
    trust.add_argument(
        "--principal",
        metavar="ACCOUNT|ROLE_ARN",
        help="cross-account: the account or role ARN (role paths kept) that pulls, when it is not --account; "
        "adds the repository policy. It must be in the repositories' partition. For lambda: the deployer",
    )
    trust.add_argument(
        "--function-account",
        metavar="ID",
        help="lambda: the account of the functions (default: the --principal's account, else --account)",
    )


def _add_size_arguments(generate: argparse.ArgumentParser) -> None:
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
        metavar="KIND",
        help="the limit to respect: managed (6,144 characters, the default) or inline (10,240)",
    )
    ways = size.add_mutually_exclusive_group()
    ways.add_argument(
        "--split",
        action="store_true",
        help="split into several managed policies, each under the limit: stdout gets a JSON array, "
        "--output FILE gets numbered files beside it (FILE-1.json, ...)",
    )
    ways.add_argument(
        "--compact",
        action="store_true",
        help="replace groups of names with namespace or prefix wildcards until it fits; "
        "stderr lists each wildcard, the names it replaces and what else it matches",
    )


# Running it -----------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    _check_output_flags(args)
    validated, deployment = _validate(args)
    kind = PolicyKind(args.limit)
    strategy = Strategy.SPLIT if args.split else Strategy.COMPACT if args.compact else None
    policy = build_policy(validated.request, addon_images=pulls_addon_images(validated.request, deployment.trust))
    fitted = _fit(policy, kind, strategy)
    bundle = build_bundle(validated.request, deployment, identity=policy)
    for note in bundle.notes:
        say(f"note: {note}")
    if args.format in CI_FORMATS:
        outputs = _ci_outputs(args, bundle)
    elif args.format != "json":
        outputs = _format_outputs(args, bundle, fitted, kind)
    elif args.document != "identity":
        outputs = _document_outputs(args, bundle, fitted)
    else:
        outputs = _identity_outputs(args, bundle, fitted, strategy)
    return emit_all(args, outputs, stale_from=args.output if strategy is Strategy.SPLIT else None)


def _check_output_flags(args: argparse.Namespace) -> None:
    if args.output == "-":
        args.output = None  # by convention, "-" is standard output
    elif args.output is not None and not args.output.strip():
        raise UsageError("--output needs a file name (or - for standard output)")
    if args.force and not args.output:
        raise UsageError("--force only applies with --output FILE")


def _repositories(args: argparse.Namespace) -> list[str]:
    repositories = split_repositories(args.repositories) + _read_repository_file(args.repo_file)
    if not repositories:
        raise UsageError("no repositories: give --repo NAME (repeatable) or --repo-file FILE")
    return repositories


def _read_repository_file(path: str | None) -> list[str]:
    if path is None:
        return []
    from wizard.core.limits import REPOSITORY_LIST_BYTES, REPOSITORY_NAMES

    text = read_input(path, f"--repo-file {path!r}", REPOSITORY_LIST_BYTES)
    names = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.extend(name for name in line.replace(",", " ").split() if name)
        if len(names) > REPOSITORY_NAMES.size:
            raise UsageError(
                f"--repo-file {path!r} lists more than {REPOSITORY_NAMES.describe()}, the limit for "
                f"{REPOSITORY_NAMES.what} (ECR's default quota of repositories per registry)"
            )
    return names


def _validate(args: argparse.Namespace):
    repositories = _repositories(args)
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
        deployment, deployment_warnings = make_deployment(validated.request, args.trust, **_deployment_arguments(args))
    except RequestError as error:
        raise UsageError(*(str(message) for message in error.errors)) from None
    for warning in (*validated.warnings, *deployment_warnings):
        say(f"warning: {warning}")
    return validated, deployment


def _deployment_arguments(args: argparse.Namespace) -> dict:
    return {
        "github_repository": args.github_repo,
        "github_branch": args.github_branch,
        "github_tag": args.github_tag,
        "github_environment": args.github_environment,
        "github_sub": args.github_sub,
        "gitlab_url": args.gitlab_url,
        "gitlab_project": args.gitlab_project,
        "gitlab_branch": args.gitlab_branch,
        "gitlab_sub": args.gitlab_sub,
        "cluster": args.cluster,
        "principal": args.principal,
        "function_account": args.function_account,
        "role_name": args.role_name,
    }


def _fit(policy, kind: PolicyKind, strategy: Strategy | None):
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
    return fitted


def _format_outputs(args: argparse.Namespace, bundle, fitted, kind: PolicyKind) -> list[Output]:
    from wizard.core.formats import FormatError, render

    try:
        text = render(bundle, args.format, list(fitted.parts), args.document, inline=kind is PolicyKind.INLINE)
    except FormatError as error:
        raise UsageError(str(error)) from None
    return [Output(args.output, text, f"the {args.format} output")]


def _ci_outputs(args: argparse.Namespace, bundle) -> list[Output]:
    """The CI configuration or deployment fragment; with --output DIR, at its usual path inside DIR."""

    if args.document != "identity":
        raise UsageError(f"--document applies to --format json and cloudformation, not --format {args.format}")
    return ci_file_outputs(args, bundle)


def ci_file_outputs(args: argparse.Namespace, bundle) -> list[Output]:
    """The CI file for the bundle (also `diagnose`'s): its notes on stderr, written to
    --output, or at its usual path inside --output DIR."""
    from wizard.core.ci import CIError, render_ci

    try:
        made = render_ci(bundle, args.format)
    except CIError as error:
        raise UsageError(f"--format {args.format}: {error}") from None
    for note in made.notes:
        say(f"note: {note}")
    path = args.output
    if path is None:
        say(f"note: save it as {made.path} (--output . writes it there)")
    elif os.path.isdir(path):
        path = os.path.join(path, made.path)
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    return [Output(path, made.text, f"the {args.format} file")]


def _document_outputs(args: argparse.Namespace, bundle, fitted) -> list[Output]:
    from wizard.core.formats import FormatError, render_json_document

    try:
        text = render_json_document(bundle, list(fitted.parts), args.document)
    except FormatError as error:
        raise UsageError(str(error)) from None
    if args.document == "repository":
        _note_repository_policy_replaces()
    return [Output(args.output, text, f"the {args.document} policy")]


def _other_documents(bundle) -> list[tuple[str, dict]]:
    return [(document.kind, document.document) for document in bundle.documents()]


def _identity_outputs(args: argparse.Namespace, bundle, fitted, strategy: Strategy | None) -> list[Output]:
    others = _other_documents(bundle)
    if bundle.setup is not None and (bundle.setup.managed or bundle.setup.instance_profile):
        say("note: the role also needs " + "; ".join(_setup_needs(bundle.setup)) + " (--format terraform adds them)")
    if not args.output:
        if others:
            shown = " and ".join(f"a {name} policy (--document {name})" for name, _ in others)
            say(f"note: this setup also needs {shown}")
        return [Output(None, fitted.text(), "the policy")]
    if strategy is Strategy.SPLIT:
        from wizard.core.files import numbered_paths

        paths = numbered_paths(args.output, len(fitted.documents))
        outputs = [
            Output(str(path), render_json(doc), f"part {n}")
            for n, (path, doc) in enumerate(zip(paths, fitted.documents, strict=True), 1)
        ]
    else:
        outputs = [Output(args.output, fitted.text(), f"{len(fitted.parts[0].statements)} statements")]
    outputs += [
        Output(sibling(args.output, name), render_json(document), f"the {name} policy") for name, document in others
    ]
    if bundle.repository is not None:
        _note_repository_policy_replaces()
    return outputs


def _note_repository_policy_replaces() -> None:
    from wizard.core.resource_policies import SET_REPOSITORY_POLICY_REPLACES

    say(f"note: {SET_REPOSITORY_POLICY_REPLACES}")


def _setup_needs(setup) -> list[str]:
    needs = ["an instance profile"] if setup.instance_profile else []
    return needs + [f"the AWS managed policy {managed.name}" for managed in setup.managed]


def sibling(path: str, kind: str) -> str:
    """policy.json -> policy.trust.json: the other documents are written beside the policy."""
    stem, dot, extension = path.rpartition(".")
    return f"{stem}.{kind}.{extension}" if dot and "/" not in extension else f"{path}.{kind}.json"


def _note_split(parts, kind: PolicyKind) -> None:
    if len(parts) > 1:
        say(f"note: split into {len(parts)} policies, each under {kind.limit:,} characters")
    if len(parts) > MANAGED_POLICIES_PER_ROLE:
        say(
            f"warning: {len(parts)} managed policies exceed IAM's default quota of {MANAGED_POLICIES_PER_ROLE} "
            "per role (it can be raised to 20); --compact may need far fewer"
        )


def _note_compaction(wildcards, kind: PolicyKind) -> None:
    if not wildcards:
        say(f"note: the policy already fits {kind.title}; nothing was compacted")
    for wildcard in wildcards:
        shown = ", ".join(wildcard.replaces[:5]) + (
            f" and {len(wildcard.replaces) - 5} more" if len(wildcard.replaces) > 5 else ""
        )
        say(f"note: {wildcard.pattern!r} replaces {shown}; it {wildcard.also_matches}")
