"""`ecr-policy roles`: the workloads side by side (who pulls or pushes, trust, token, policies)."""

from __future__ import annotations

import argparse

from wizard.cli.common import EXIT_OK, UsageError, write_stdout

WORKLOAD_KEYS = "ci, ecs, ecs-instance, eks-node, eks-fargate, eks-pod-identity, lambda"
"""For --help only (importing the table would slow every command's start); a test keeps it equal."""


def register(commands, parents) -> None:
    parser = commands.add_parser(
        "roles",
        parents=parents,
        help="who pulls or pushes for CI, ECS, EKS and Lambda, side by side",
        description=(
            "For each kind of workload: who makes the ECR calls, who may assume the role, who fetches the "
            "registry token, whether the repository needs a policy, and the identity policy generate writes."
        ),
    )
    parser.add_argument(
        "workloads",
        nargs="*",
        metavar="WORKLOAD",
        help="only these: " + WORKLOAD_KEYS,
    )
    parser.add_argument(
        "--format", choices=["text", "markdown"], default="text", help="text for terminals, markdown for handouts"
    )
    parser.set_defaults(handler=run_roles)


def run_roles(args: argparse.Namespace) -> int:
    from wizard.core.handout import markdown_table
    from wizard.core.text import quoted
    from wizard.core.workloads import WORKLOAD_BY_KEY, WORKLOADS, roles_lines, roles_table

    unknown = [key for key in args.workloads if key not in WORKLOAD_BY_KEY]
    if unknown:
        accepted = ", ".join(WORKLOAD_BY_KEY)
        raise UsageError(f"workload {quoted(unknown[0])} is not one of: {accepted}")
    chosen = tuple(WORKLOAD_BY_KEY[key] for key in args.workloads) or WORKLOADS
    if args.format == "markdown":
        headers, rows = roles_table(chosen)
        write_stdout("\n".join(markdown_table(headers, rows)) + "\n")
    else:
        write_stdout("\n".join(roles_lines(chosen)) + "\n")
    return EXIT_OK
