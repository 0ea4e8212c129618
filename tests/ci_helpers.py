"""What the CI configuration tests share: setups, the claims a job presents, fake tools.

The claim formats follow the CI systems' own documentation, not our code:
- GitHub (docs.github.com/en/actions/reference/security/oidc): a job with an environment
  presents sub repo:OWNER/REPO:environment:NAME; a pull_request run repo:OWNER/REPO:pull_request;
  any other run repo:OWNER/REPO:ref:REF (refs/heads/BRANCH, refs/tags/TAG). Its aud is what
  the job asks for: configure-aws-credentials' `audience` input, default sts.amazonaws.com
  (action.yml of v6.2.3).
- GitLab (docs.gitlab.com/ci/secrets/id_token_authentication/): sub
  project_path:GROUP/PROJECT:ref_type:branch|tag:ref:REF; aud is the id_tokens entry's `aud`.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
from collections import namedtuple
from pathlib import Path

import yaml
from moto.iam.access_control import IAMPolicy, PermissionResult

from wizard.core import make_request
from wizard.core.deploy import build_bundle, make_deployment
from wizard.core.policy import document_from_json
from wizard.core.policy.evaluate import Caller, Request, evaluate

ACCOUNT, OTHER = "123456789012", "210987654321"
CONFIGURE_AWS_CREDENTIALS_DEFAULT_AUDIENCE = "sts.amazonaws.com"
"""configure-aws-credentials' `audience` input default (its action.yml, v6.2.3)."""
PULL_ACTIONS = ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
PUSH_ACTIONS = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:PutImage",
)
"""What `docker pull` and `docker push` call (ECR user guide, image-push-iam; ecr-facts.md section 1)."""


def make_bundle(role: str, repositories=("my-app",), region="us-east-1", access=None, options=None, **deployment):
    validated = make_request(role, list(repositories), region, ACCOUNT, access, **(options or {}))
    made, _ = make_deployment(validated.request, **deployment)
    return build_bundle(validated.request, made)


# -- YAML ----------------------------------------------------------------------------------


def load_yaml(text: str) -> dict:
    """PyYAML reads the key `on` as True (YAML 1.1); GitHub reads it as "on"."""
    data = yaml.safe_load(text)
    if isinstance(data, dict) and True in data:
        data["on"] = data.pop(True)
    return data


# -- GitHub --------------------------------------------------------------------------------


class GitHubRun(namedtuple("GitHubRun", "repository event ref environment", defaults=(None,))):
    """One run of the workflow: where it lives, what triggered it, the job's environment."""

    __slots__ = ()

    def sub(self) -> str:
        if self.environment:
            return f"repo:{self.repository}:environment:{self.environment}"
        if self.event == "pull_request":
            return f"repo:{self.repository}:pull_request"
        return f"repo:{self.repository}:ref:{self.ref}"


def github_filter_matches(pattern: str, name: str) -> bool:
    """GitHub's filter patterns (workflow syntax, filter pattern cheat sheet): ** any run of
    characters, * any run without /, a backslash makes the next character literal. (Only what
    the generated workflows use; anything else is refused so a new construct is noticed.)"""
    out, index = [], 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            out.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        assert char not in "?+[]!", f"unexpected filter construct {char!r} in {pattern!r}"
        out.append("[^/]*" if char == "*" else re.escape(char))
        index += 1
    return re.fullmatch("".join(out), name) is not None


def github_trigger_admits(workflow: dict, event: str, ref: str) -> bool:
    on = workflow["on"]
    if event not in on:
        return False
    spec = on[event] or {}
    if event == "pull_request":
        return True
    if ref.startswith("refs/heads/"):
        filters, other = spec.get("branches"), spec.get("tags")
        name = ref.removeprefix("refs/heads/")
    else:
        filters, other = spec.get("tags"), spec.get("branches")
        name = ref.removeprefix("refs/tags/")
    if filters is None:
        return other is None  # push with only a tags filter runs on no branch, and the reverse
    return any(github_filter_matches(pattern, name) for pattern in filters)


def single_job(workflow: dict) -> dict:
    (job,) = workflow["jobs"].values()
    return job


def github_job_runs_in(job: dict, repository: str) -> bool:
    """The job's `if:` (the two forms the generator writes, compared case-insensitively as GitHub does)."""
    condition = job.get("if")
    if condition is None:
        return True
    match = re.fullmatch(r"github\.(repository|repository_owner) == '([^']*)'", condition)
    assert match, f"unexpected job condition {condition!r}"
    value = repository if match.group(1) == "repository" else repository.split("/")[0]
    return value.lower() == match.group(2).lower()


def github_audience(job: dict) -> str:
    (step,) = [
        step for step in job["steps"] if step.get("uses", "").startswith("aws-actions/configure-aws-credentials@")
    ]
    return step.get("with", {}).get("audience", CONFIGURE_AWS_CREDENTIALS_DEFAULT_AUDIENCE)


def github_provider(partition: str, account: str) -> str:
    return f"arn:{partition}:iam::{account}:oidc-provider/token.actions.githubusercontent.com"


# -- GitLab --------------------------------------------------------------------------------


def gitlab_rules_admit(job: dict, kind: str, ref: str) -> bool:
    """Evaluate the job's rules for a branch or tag pipeline (the forms the generator writes)."""
    rules = job.get("rules")
    if rules is None:
        return True
    variables = {
        "$CI_COMMIT_BRANCH": ref if kind == "branch" else None,
        "$CI_COMMIT_TAG": ref if kind == "tag" else None,
    }
    for rule in rules:
        equals = re.fullmatch(r'(\$CI_COMMIT_\w+) == "([^"]*)"', rule["if"])
        matches = re.fullmatch(r"(\$CI_COMMIT_\w+) =~ /(.*)/", rule["if"])
        assert equals or matches, f"unexpected rule {rule['if']!r}"
        value = variables[(equals or matches).group(1)]
        if value is None:
            continue
        if equals and value == equals.group(2):
            return True
        if matches and re.search(matches.group(2), value):
            return True
    return False


def gitlab_sub(project: str, kind: str, ref: str) -> str:
    return f"project_path:{project}:ref_type:{kind}:ref:{ref}"


# -- evaluating a trust policy -------------------------------------------------------------


def moto_can_judge(trust: dict) -> bool:
    """moto's trust evaluator implements StringEquals only: it ignores StringLike and ArnLike
    (treats them as met) and checks no Federated or Service principal."""
    return all(set(statement.get("Condition", {})) <= {"StringEquals"} for statement in trust["Statement"])


def trust_decisions(trust: dict, caller: Caller, action: str, claims: dict[str, str]) -> tuple[bool, bool | None]:
    """(our evaluator's verdict, moto's verdict or None where moto cannot judge)."""
    context = {key.lower(): (value,) for key, value in claims.items()}
    ours = evaluate(document_from_json(trust), Request(action, "*", caller, context, True)).allowed
    if not moto_can_judge(trust):
        return ours, None
    moto = IAMPolicy(json.dumps(trust)).is_action_permitted(action, "*", None, claims) is PermissionResult.PERMITTED
    return ours, moto


def assert_trust(
    trust: dict, caller: Caller, action: str, claims: dict[str, str], allowed: bool, why: str, *, by_principal=False
) -> None:
    """Both evaluators where moto can judge; by_principal: the verdict hangs on the caller
    (another service), which moto does not check, so ours alone decides."""
    ours, moto = trust_decisions(trust, caller, action, claims)
    assert ours is allowed, f"{why}: our evaluator says {'allowed' if ours else 'refused'} for {claims}"
    if moto is not None and not by_principal:
        assert moto is allowed, f"{why}: moto says {'allowed' if moto else 'refused'} for {claims}"


# -- images and the identity policy --------------------------------------------------------

_PRIVATE_HOST = re.compile(r"(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?")


def repository_arn(image: str) -> str:
    """arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME for HOST/NAME[:TAG] (registry host format
    from the ECR user guide)."""
    host, _, path = image.partition("/")
    name = path.rsplit(":", 1)[0]
    match = _PRIVATE_HOST.fullmatch(host)
    assert match, f"{host!r} is not a private ECR registry host"
    account, region, china = match.groups()
    partition = "aws-cn" if china else "aws-us-gov" if region.startswith("us-gov-") else "aws"
    return f"arn:{partition}:ecr:{region}:{account}:repository/{name}"


def identity_allows(identity: dict, action: str, resource: str) -> bool:
    """Our evaluator and moto's agree, and the answer is returned."""
    ours = evaluate(document_from_json(identity), Request(action, resource)).allowed
    moto = IAMPolicy(json.dumps(identity)).is_action_permitted(action, resource) is PermissionResult.PERMITTED
    assert ours == moto, f"evaluators disagree on {action} {resource}"
    return ours


# -- running shell with fake tools ---------------------------------------------------------

FAKE_AWS = r"""#!/bin/sh
printf 'aws %s | key=%s\n' "$*" "${AWS_ACCESS_KEY_ID:-}" >> "$CALLS"
case "$1 $2" in
  "ecr get-login-password"|"ecr-public get-login-password") echo fake-token ;;
  "sts assume-role-with-web-identity") printf 'AKIAEXAMPLE\tsecret\tsession\n' ;;
  "lambda get-function") exit 255 ;;
esac
"""
FAKE_DOCKER = r"""#!/bin/sh
if [ "$1" = login ]; then
  read -r password
  printf 'docker %s | password=%s\n' "$*" "$password" >> "$CALLS"
else
  printf 'docker %s\n' "$*" >> "$CALLS"
fi
"""


def fake_tools(directory: Path) -> dict[str, str]:
    """A PATH with fake aws and docker that record their calls; returns the environment."""
    bin_dir = directory / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name, text in (("aws", FAKE_AWS), ("docker", FAKE_DOCKER)):
        path = bin_dir / name
        path.write_text(text)
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    calls = directory / "calls.log"
    calls.write_text("")
    return {"PATH": f"{bin_dir}:{os.environ['PATH']}", "CALLS": str(calls), "HOME": str(directory)}


def run_shell(shell: list[str], script: str, env: dict[str, str], directory: Path) -> list[str]:
    """Run `script` with `shell` (e.g. ["bash", "-eo", "pipefail"]) and return every call recorded so far."""
    result = subprocess.run([*shell, "-c", script], env=env, cwd=directory, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return Path(env["CALLS"]).read_text().splitlines()
