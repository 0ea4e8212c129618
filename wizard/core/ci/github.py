"""The GitHub Actions workflow that assumes the role and pushes (or pulls) the images.

Everything that decides whether STS accepts the job's token comes from the trust policy:
the trigger and the job's `environment:` from the `sub` it pins (read back by `github_runs`),
the `audience` from the same function that wrote the trust's `aud` condition. Each of those
lines carries a `trust:` comment saying why.
"""

from __future__ import annotations

import re

from wizard.core import sources
from wizard.core.deploy import Bundle
from wizard.core.trust import GITHUB_PROVIDER, github_audience

from . import paths
from .actions import AMAZON_ECR_LOGIN, CHECKOUT, CONFIGURE_AWS_CREDENTIALS, PINNED_ACTIONS
from .common import (
    PUBLIC_ALIAS_VARIABLE,
    CIFile,
    Images,
    alias_check,
    header,
    image_commands,
    images,
    pushes,
    role_arn,
    setup_line,
    source_lines,
    trust_lines,
)
from .emit import comment_block, comment_lines, yaml_string
from .runs import CIError, Runs, github_filter, github_runs

_PLAIN_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_PLAIN_OWNER = re.compile(r"[A-Za-z0-9_.-]+/\*")


def default_path(bundle: Bundle) -> str:
    return paths.default_path("github-actions", bundle.request)


def render_github_actions(bundle: Bundle) -> CIFile:
    request = bundle.request
    runs = github_runs(bundle.deployment.subject)
    found = images(request)
    notes: list[str] = []
    path = default_path(bundle)
    lines = _header(bundle, found, path)
    lines += ["", f"name: {yaml_string('Push to Amazon ECR' if pushes(request) else 'Pull from Amazon ECR')}", ""]
    lines += _trigger(runs, notes)
    lines += ["", "permissions: {}  # none for the workflow as a whole: the job asks for what it needs", ""]
    lines += [
        "concurrency:",
        "  group: ${{ github.workflow }}-${{ github.ref }}",
        "  cancel-in-progress: false  # a queued run is better than a push cut in half",
        "",
    ]
    lines += _job(bundle, runs, found, notes)
    if found.public:
        notes.append(
            f"set the repository variable {PUBLIC_ALIAS_VARIABLE} (Settings > Secrets and variables > Actions > "
            "Variables) to your ECR Public registry alias: the workflow stops without it"
        )
    return CIFile("\n".join(lines) + "\n", path, tuple(notes))


def _header(bundle: Bundle, found: Images, path: str) -> list[str]:
    sentences = [
        *header(bundle, "GitHub Actions workflow", path, found),
        setup_line(bundle),
        f"It also needs the IAM OIDC provider for {GITHUB_PROVIDER} in account {bundle.role_account}.",
        *trust_lines(bundle),
        "Actions are pinned to full commit SHAs, the release in each comment. Each SHA is the commit its tag "
        "pointed to in a stored copy of the action's repository (no network was used): check it on the commit "
        "page below, and let Dependabot or Renovate keep the pins current.",
        *(f"  {action.provenance}" for action in PINNED_ACTIONS),
        *source_lines(_sources(bundle)),
    ]
    return comment_block(sentences)


def _sources(bundle: Bundle) -> list[str]:
    pages = [sources.GITHUB_OIDC_AWS, sources.GITHUB_OIDC_REFERENCE, sources.GITHUB_WORKFLOW_FILTERS]
    pages += [
        sources.CONFIGURE_AWS_CREDENTIALS,
        sources.ECR_PUBLIC_PUSH if bundle.request.public else sources.ECR_DOCKER_PUSH,
    ]
    return pages


# -- on: -------------------------------------------------------------------------------------


def _trigger(runs: Runs, notes: list[str]) -> list[str]:
    if runs.kind in ("branch", "tag"):
        return _ref_trigger(runs, notes)
    if runs.kind == "environment":
        return [
            "on:",
            *comment_lines(
                "The trust admits the environment, not a branch: any run whose job uses it presents its sub. "
                "Which branches may deploy to it is the environment's deployment branch rule; main is this "
                "workflow's choice, change it freely.",
                "  ",
            ),
            "  push:",
            "    branches:",
            f"      - {yaml_string('main')}",
            "  workflow_dispatch:",
        ]
    if runs.kind == "pull_request":
        return [
            "on:",
            *comment_lines(
                "trust: the role admits the sub of pull request runs (repo:OWNER/REPO:pull_request). Pull requests "
                "from forks get no OIDC token.",
                "  ",
            ),
            "  pull_request:",
        ]
    return [
        "on:",
        *comment_lines("The trust admits every run of the repository: every push runs this workflow.", "  "),
        "  push:",
        "  workflow_dispatch:",
    ]


def _ref_trigger(runs: Runs, notes: list[str]) -> list[str]:
    key = "branches" if runs.kind == "branch" else "tags"
    pattern, broader = github_filter(runs.pattern)
    why = f"trust: the role admits runs on the {runs.kind} {runs.pattern!r} only, so the workflow runs only there."
    if broader:
        why += (
            " IAM's '?' (one character) has no equivalent in GitHub's filters: this filter also matches names "
            "the trust refuses, whose runs fail at Assume the role."
        )
        notes.append(
            f"the {runs.kind} filter {pattern!r} is broader than the trust's {runs.pattern!r} ('?' has no GitHub equivalent)"
        )
    return ["on:", "  push:", f"    {key}:", *comment_lines(why, "      "), f"      - {yaml_string(pattern)}"]


# -- the job ---------------------------------------------------------------------------------


def _job(bundle: Bundle, runs: Runs, found: Images, notes: list[str]) -> list[str]:
    push = pushes(bundle.request)
    lines = [
        "jobs:",
        f"  {'push' if push else 'pull'}:",
        f"    name: {yaml_string('Build and push to Amazon ECR' if push else 'Pull from Amazon ECR')}",
        "    runs-on: ubuntu-latest",
        *_repository_guard(runs),
        *_environment(runs),
        "    permissions:",
        "      contents: read  # actions/checkout reads the repository",
        "      id-token: write  # trust: lets the job request the OIDC token that the role's trust policy checks",
        "    env:",
        f"      AWS_REGION: {yaml_string(bundle.request.region)}",
        f"      REGISTRY: {yaml_string(found.registry)}",
        *_tag_variable(push),
        *_alias_variable(found),
        "    steps:",
        *_checkout(),
        *_assume_role(bundle),
        *_login(bundle, found),
        *_image_steps(found, push),
    ]
    return lines


def _repository_guard(runs: Runs) -> list[str]:
    """Skip the job outside the trusted repository (forks, copies) instead of failing at STS."""
    if _PLAIN_REPOSITORY.fullmatch(runs.who):
        return [
            *comment_lines(
                f"trust: only {runs.who} may assume the role: runs in forks and copies skip the job.", "    "
            ),
            f"    if: github.repository == '{runs.who}'",
        ]
    if _PLAIN_OWNER.fullmatch(runs.who):
        owner = runs.who[:-2]
        return [
            *comment_lines(f"trust: only repositories of {owner} may assume the role: others skip the job.", "    "),
            f"    if: github.repository_owner == '{owner}'",
        ]
    return []


def _environment(runs: Runs) -> list[str]:
    if runs.kind != "environment":
        return comment_lines(
            "trust: no environment here. A job with an environment presents repo:OWNER/REPO:environment:NAME as "
            "its sub, which this role refuses.",
            "    ",
        )
    if not runs.literal_pattern:
        raise CIError(
            f"the trust admits environments matching {runs.pattern!r}; a job names one environment: "
            "pin the environment (--github-environment NAME) for the workflow"
        )
    if "${{" in runs.pattern:
        raise CIError(f"the environment {runs.pattern!r} contains '${{{{', which GitHub would read as an expression")
    return [
        *comment_lines(
            f"trust: the role admits sub repo:{runs.who}:environment:{runs.pattern}, which a job presents only "
            "when it uses this environment.",
            "    ",
        ),
        f"    environment: {yaml_string(runs.pattern)}",
    ]


def _tag_variable(push: bool) -> list[str]:
    if push:
        return ["      IMAGE_TAG: ${{ github.sha }}  # each image is tagged with the commit it was built from"]
    return [f"      IMAGE_TAG: {yaml_string('latest')}  # the tag to pull"]


def _alias_variable(found: Images) -> list[str]:
    if not found.public:
        return []
    return [f"      {PUBLIC_ALIAS_VARIABLE}: ${{{{ vars.{PUBLIC_ALIAS_VARIABLE} }}}}  # your ECR Public registry alias"]


def _checkout() -> list[str]:
    return [
        "      - name: Check out the repository",
        f"        uses: {CHECKOUT.uses} # {CHECKOUT.version}",
        "        with:",
        "          persist-credentials: false  # later steps need no Git credentials",
    ]


def _assume_role(bundle: Bundle) -> list[str]:
    request = bundle.request
    audience = github_audience(request.partition.name)
    lines = [
        "      - name: Assume the role with GitHub's OIDC token",
        f"        uses: {CONFIGURE_AWS_CREDENTIALS.uses} # {CONFIGURE_AWS_CREDENTIALS.version}",
        "        with:",
        *comment_lines("trust: the role whose trust policy admits this job's token.", "          "),
        f"          role-to-assume: {yaml_string(role_arn(bundle))}",
        f"          aws-region: {yaml_string(request.region)}",
    ]
    if audience != "sts.amazonaws.com":
        return [
            *lines,
            *comment_lines(
                f"trust: in {request.partition.name} the role expects the audience {audience}; the action's default "
                "is sts.amazonaws.com, which it refuses.",
                "          ",
            ),
            f"          audience: {yaml_string(audience)}",
        ]
    return [
        *lines,
        *comment_lines(
            "trust: no audience input: the action asks for sts.amazonaws.com, the audience the trust policy expects.",
            "          ",
        ),
    ]


def _login(bundle: Bundle, found: Images) -> list[str]:
    lines = [
        "      - name: Log in to Amazon ECR",
        f"        uses: {AMAZON_ECR_LOGIN.uses} # {AMAZON_ECR_LOGIN.version}",
    ]
    if found.public:
        return [*lines, "        with:", "          registry-type: public"]
    if bundle.cross_account:
        return [
            *lines,
            "        with:",
            f"          registries: {yaml_string(bundle.request.account)}  # the repositories' account, not the role's",
        ]
    return lines


def _image_steps(found: Images, push: bool) -> list[str]:
    lines = []
    for name in found.names:
        commands = image_commands(found, name, push)
        if found.public:
            commands = (
                alias_check(f"set the repository variable {PUBLIC_ALIAS_VARIABLE} to your ECR Public registry alias")
                + commands
            )
        lines += [
            f"      - name: {yaml_string(('Build and push ' if push else 'Pull ') + name)}",
            "        run: |",
            *(f"          {command}" for command in commands),
        ]
    return lines
