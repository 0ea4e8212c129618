"""Trust policies, repository policies and the four output formats, validated by the field's tools.

For every role and setup: python-hcl2 parses the Terraform and its policy documents equal the
JSON ones; cfn-lint finds no error in the CloudFormation and its documents equal the JSON ones;
`bash -n` and shellcheck accept the AWS CLI script, and running it against a fake `aws` makes
exactly the calls needed, with the same JSON. Trust and repository policies go through
parliament and moto's evaluator, conditions included.
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import hcl2
import parliament
import pytest
import yaml
from cfnlint.api import lint
from moto.iam.access_control import IAMPolicy, PermissionResult

from tests.conftest import run_cli
from wizard.core import make_request
from wizard.core.builder import render_json
from wizard.core.deploy import build_bundle, make_deployment
from wizard.core.formats import render
from wizard.core.size import split_policy

ACCOUNT, OTHER = "123456789012", "210987654321"

SETUPS = {
    "ci-github-branch": (
        dict(role="ci"),
        dict(trust="github", github_repository="my-org/my-app", github_branch="release"),
    ),
    "ci-github-sub": (dict(role="ci"), dict(trust="github", github_sub="repo:my-org/my-app:ref:refs/tags/v*")),
    "ci-gitlab": (
        dict(role="ci"),
        dict(trust="gitlab", gitlab_url="https://gitlab.example.com", gitlab_project="platform/app"),
    ),
    "ci-codebuild": (dict(role="ci"), dict(trust="codebuild")),
    "ci-jenkins-ec2": (dict(role="ci"), dict(trust="ec2")),
    "ci-existing-role": (dict(role="ci"), dict()),
    "ecs": (dict(role="ecs"), dict()),
    "ecs-ec2": (dict(role="ecs"), dict(trust="ec2")),
    "eks-node": (dict(role="eks"), dict()),
    "eks-fargate": (dict(role="eks"), dict(trust="eks-fargate", cluster="prod")),
    "eks-pod-identity": (dict(role="eks", access="push"), dict(trust="eks-pod-identity")),
    "lambda": (dict(role="lambda"), dict()),
    "lambda-cross-account": (dict(role="lambda"), dict(function_account=OTHER)),
    "eks-cross-account": (dict(role="eks"), dict(principal=OTHER)),
    "ci-cross-account-role": (dict(role="ci"), dict(trust="codebuild", principal=f"arn:aws:iam::{OTHER}:role/builder")),
    "ci-pull-through-cache": (
        dict(role="ci", access="pull", pull_through_cache=True, cache_create=True),
        dict(trust="codebuild"),
    ),
    "ci-public": (dict(role="ci", public=True), dict(trust="github", github_repository="o/r")),
    "ecs-kms": (dict(role="ecs", kms=True), dict()),
    "china-github": (dict(role="ci", region="cn-north-1"), dict(trust="github", github_repository="o/r")),
    "eks-cache-cross-account": (
        dict(role="eks", pull_through_cache=True, cache_create=True),
        dict(principal=f"arn:aws:iam::{OTHER}:role/nodes/eks-node"),
    ),
    "lambda-deployer-role": (dict(role="lambda"), dict(principal=f"arn:aws:iam::{OTHER}:role/deploy/lambda-deployer")),
    "eks-fargate-gov": (dict(role="eks", region="us-gov-west-1"), dict(trust="eks-fargate", cluster="gov")),
}
FORMATS = ["json", "terraform", "cloudformation", "aws-cli"]


def bundle_for(name: str, repositories=("my-app", "team/*")):
    request_args, deployment_args = SETUPS[name]
    request_args = dict(request_args)
    region = request_args.pop("region", "us-east-1")
    role = request_args.pop("role")
    access = request_args.pop("access", None)
    validated = make_request(role, list(repositories), region, ACCOUNT, access, **request_args)
    deployment, _ = make_deployment(validated.request, **deployment_args)
    return build_bundle(validated.request, deployment)


def expected_documents(bundle, parts=None):
    documents = {"identity": [part.document for part in (parts or [bundle.identity])]}
    for document in bundle.documents():
        documents[document.kind] = document.document
    return documents


def normalize(document: dict) -> list[dict]:
    """Statements with every Action/Resource/identifier/value as a sorted list (formats differ there)."""

    def as_list(value):
        return sorted(value if isinstance(value, list) else [value])

    out = []
    for statement in document["Statement"]:
        item = {key: statement[key] for key in ("Sid", "Effect") if key in statement}
        item["Action"] = as_list(statement["Action"])
        if "Resource" in statement:
            item["Resource"] = as_list(statement["Resource"])
        if "Principal" in statement:
            item["Principal"] = {kind: as_list(ids) for kind, ids in statement["Principal"].items()}
        if "Condition" in statement:
            item["Condition"] = {
                test: {k: as_list(v) for k, v in keys.items()} for test, keys in statement["Condition"].items()
            }
        out.append(item)
    return out


def hcl_documents(text: str) -> dict[str, dict]:
    """data "aws_iam_policy_document" blocks, turned back into IAM JSON."""
    parsed = _unquote(hcl2.loads(text))
    documents = {}
    for data in parsed.get("data", []):
        for name, block in data.get("aws_iam_policy_document", {}).items():
            statements = []
            for statement in block["statement"]:
                item = {"Sid": statement.get("sid"), "Effect": statement["effect"], "Action": statement["actions"]}
                if "resources" in statement:
                    item["Resource"] = statement["resources"]
                if "principals" in statement:
                    item["Principal"] = {p["type"]: p["identifiers"] for p in statement["principals"]}
                if "condition" in statement:
                    condition: dict = {}
                    for c in statement["condition"]:
                        condition.setdefault(c["test"], {})[c["variable"]] = c["values"]
                    item["Condition"] = condition
                statements.append({k: v for k, v in item.items() if v is not None})
            documents[name] = {"Statement": statements}
    return documents


def _unquote(value):
    """python-hcl2 keeps the quotes of string literals: strip them, recursively."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return json.loads(value)
    if isinstance(value, list):
        return [_unquote(item) for item in value]
    if isinstance(value, dict):
        return {_unquote(key): _unquote(item) for key, item in value.items() if key != "__is_block__"}
    return value


@pytest.mark.parametrize("setup", sorted(SETUPS))
def test_terraform_parses_and_its_documents_equal_the_json(setup):
    bundle = bundle_for(setup)
    text = render(bundle, "terraform")
    documents = hcl_documents(text)
    expected = expected_documents(bundle)
    assert normalize(documents["ecr_access"]) == normalize(expected["identity"][0])
    assert ("trust" in documents) == ("trust" in expected)
    if "trust" in expected:
        assert normalize(documents["trust"]) == normalize(expected["trust"])
    for kind in ("repository", "registry", "companion"):
        assert (kind in documents) == (kind in expected), kind
        if kind in expected:
            assert normalize(documents[kind]) == normalize(expected[kind])
    parsed = _unquote(hcl2.loads(text))
    resources: dict = {}
    for block in parsed["resource"]:
        for kind, named in block.items():
            resources.setdefault(kind, {}).update(named)
    assert "aws_iam_policy" in resources and "aws_iam_role_policy_attachment" in resources
    assert ("aws_iam_role" in resources) == (bundle.trust is not None)
    if bundle.trust is not None:
        assert resources["aws_iam_role"]["ecr"]["path"] == bundle.deployment.role_path
        arns = [r["policy_arn"] for r in resources["aws_iam_role_policy_attachment"].values()]
        assert arns[:-1] == [policy.arn("aws") for policy in bundle.setup.managed]
        assert ("aws_iam_instance_profile" in resources) == bundle.setup.instance_profile
        assert ("aws_iam_role_policy" in resources) == (bundle.companion is not None)
    if bundle.repository is not None and bundle.repository.targets:
        assert [r["repository"] for r in resources["aws_ecr_repository_policy"].values()] == ["my-app"]
        assert ("provider" in next(iter(resources["aws_ecr_repository_policy"].values()))) == bundle.cross_account
    if bundle.registry is not None:
        (registry,) = resources["aws_ecr_registry_policy"].values()
        assert ("provider" in registry) == bundle.cross_account
    assert text.startswith(f"# ECR {bundle.request.access.value} access for ")


def cfn_errors(text: str) -> list[str]:
    return [str(match) for match in lint(text) if match.rule.id.startswith("E")]


@pytest.mark.parametrize("setup", sorted(SETUPS))
def test_cloudformation_passes_cfn_lint_and_holds_the_same_documents(setup):
    bundle = bundle_for(setup)
    text = render(bundle, "cloudformation")
    assert cfn_errors(text) == []
    template = yaml.safe_load(text)
    resources = template["Resources"]
    assert normalize(resources["ECRAccessPolicy"]["Properties"]["PolicyDocument"]) == normalize(
        bundle.identity.document
    )
    if bundle.trust:
        assert normalize(resources["ECRRole"]["Properties"]["AssumeRolePolicyDocument"]) == normalize(
            bundle.trust.document
        )
    else:
        assert "ECRRole" not in resources and "RoleName" in template["Parameters"]
    repositories = [r for r in resources.values() if r["Type"] == "AWS::ECR::Repository"]
    if bundle.repository and not bundle.cross_account:
        assert [r["Properties"]["RepositoryName"] for r in repositories] == ["my-app"]
        assert normalize(repositories[0]["Properties"]["RepositoryPolicyText"]) == normalize(bundle.repository.document)
    else:
        assert repositories == []
    if bundle.trust:
        role = resources["ECRRole"]["Properties"]
        assert role["Path"] == bundle.deployment.role_path
        setup = bundle.setup
        assert role.get("ManagedPolicyArns", []) == [policy.arn("aws") for policy in setup.managed]
        companion = [policy["PolicyDocument"] for policy in role.get("Policies", [])]
        assert companion == ([setup.companion.document] if setup.companion else [])
        profiles = [r for r in resources.values() if r["Type"] == "AWS::IAM::InstanceProfile"]
        assert [p["Properties"]["Roles"] for p in profiles] == (
            [[{"Ref": "ECRRole"}]] if setup.instance_profile else []
        )
    if bundle.cross_account and (bundle.repository or bundle.registry):
        owner = render(bundle, "cloudformation", document="repository")
        assert cfn_errors(owner) == []
        owned = yaml.safe_load(owner)["Resources"]
        policies = [
            r["Properties"]["RepositoryPolicyText"] for r in owned.values() if r["Type"] == "AWS::ECR::Repository"
        ]
        targets = bundle.repository.targets if bundle.repository else ()
        assert [normalize(policy) for policy in policies] == [normalize(bundle.repository.document)] * len(targets)
        registry = [r["Properties"]["PolicyText"] for r in owned.values() if r["Type"] == "AWS::ECR::RegistryPolicy"]
        assert registry == ([bundle.registry.document] if bundle.registry else [])


FAKE_AWS = """#!/usr/bin/env python3
import json, os, sys
with open(os.environ["AWS_CALLS"], "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
if "create-policy" in sys.argv:
    print("arn:aws:iam::123456789012:policy/fake")
if "get-registry-policy" in sys.argv and not os.environ.get("REGISTRY_POLICY_IN_PLACE"):
    sys.exit(254)  # what the real CLI does when the registry has none (RegistryPolicyNotFoundException)
if "get-repository-policy" in sys.argv and not os.environ.get("REPOSITORY_POLICY_IN_PLACE"):
    sys.exit(254)  # the repository has none (RepositoryPolicyNotFoundException)
"""


def run_script(text: str, tmp_path: Path, expect_status: int = 0, **env: str) -> list[list[str]]:
    script = tmp_path / "apply.sh"
    script.write_text(text)
    fake = tmp_path / "bin" / "aws"
    fake.parent.mkdir(exist_ok=True)
    fake.write_text(FAKE_AWS)
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    log = tmp_path / "calls.jsonl"
    log.unlink(missing_ok=True)
    environment = {**os.environ, "PATH": f"{fake.parent}:{os.environ['PATH']}", "AWS_CALLS": str(log), **env}
    result = subprocess.run(["bash", str(script)], capture_output=True, text=True, env=environment, timeout=60)
    assert result.returncode == expect_status, result.stderr
    return [json.loads(line) for line in log.read_text().splitlines()]


def argument(call: list[str], flag: str) -> str:
    return call[call.index(flag) + 1]


def expected_calls(bundle) -> list[str]:
    """The CLI verbs the script must run, in order, for what the bundle holds."""
    verbs = ["create-role"] if bundle.trust else []
    setup = bundle.setup
    if setup is not None:
        verbs += ["attach-role-policy"] * len(setup.managed)
        verbs += ["put-role-policy"] if setup.companion else []
        verbs += ["create-instance-profile", "add-role-to-instance-profile"] if setup.instance_profile else []
    verbs += ["create-policy", "attach-role-policy"]
    verbs += ["get-registry-policy", "put-registry-policy"] if bundle.registry else []
    targets = bundle.repository.targets if bundle.repository else ()
    verbs += ["get-repository-policy"] * len(targets) + ["set-repository-policy"] * len(targets)
    return verbs


def verb(call: list[str]) -> str:
    return call[call.index("iam") + 1] if "iam" in call else call[call.index("ecr") + 1]


@pytest.mark.parametrize("setup", sorted(SETUPS))
def test_aws_cli_script_is_valid_and_makes_exactly_the_needed_calls(setup, tmp_path):
    bundle = bundle_for(setup)
    text = render(bundle, "aws-cli")
    assert subprocess.run(["bash", "-n"], input=text, text=True).returncode == 0
    if shutil.which("shellcheck"):
        checked = subprocess.run(["shellcheck", "-"], input=text, capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout
    calls = run_script(text, tmp_path)
    verbs = [verb(call) for call in calls]
    assert verbs == expected_calls(bundle)
    by_verb = dict(zip(verbs, calls, strict=False))
    assert json.loads(argument(by_verb["create-policy"], "--policy-document")) == bundle.identity.document
    if bundle.trust:
        create = by_verb["create-role"]
        assert json.loads(argument(create, "--assume-role-policy-document")) == bundle.trust.document
        assert argument(create, "--role-name") == bundle.deployment.role_name
        assert argument(create, "--path") == bundle.deployment.role_path
    if bundle.companion:
        assert json.loads(argument(by_verb["put-role-policy"], "--policy-document")) == bundle.companion.document
    managed = [argument(call, "--policy-arn") for call in calls if verb(call) == "attach-role-policy"][:-1]
    assert managed == [policy.arn("aws") for policy in (bundle.setup.managed if bundle.setup else ())]
    if bundle.registry:
        assert json.loads(argument(by_verb["put-registry-policy"], "--policy-text")) == bundle.registry.document
    if bundle.repository and bundle.repository.targets:
        call = by_verb["set-repository-policy"]
        assert json.loads(argument(call, "--policy-text")) == bundle.repository.document
        assert argument(call, "--repository-name") == "my-app"


def test_inline_limit_uses_put_role_policy(tmp_path):
    bundle = bundle_for("ci-codebuild")
    calls = run_script(render(bundle, "aws-cli", inline=True), tmp_path)
    assert [call[1] for call in calls] == ["create-role", "put-role-policy", "put-role-policy"]
    assert [argument(call, "--policy-name") for call in calls[1:]] == [
        f"{bundle.deployment.role_name}-companion",
        "ecr-access",
    ]


def test_split_policies_in_every_format(tmp_path):
    names = [f"team-{index % 7}/service-{index}" for index in range(300)]
    bundle = bundle_for("ecs", repositories=names)
    parts = split_policy(bundle.identity)
    terraform = hcl_documents(render(bundle, "terraform", parts))
    assert [normalize(terraform[f"ecr_access_{i}"]) for i in range(1, len(parts) + 1)] == [
        normalize(p.document) for p in parts
    ]
    template = render(bundle, "cloudformation", parts)
    assert cfn_errors(template) == []
    assert len(
        [r for r in yaml.safe_load(template)["Resources"].values() if r["Type"] == "AWS::IAM::ManagedPolicy"]
    ) == len(parts)
    calls = run_script(render(bundle, "aws-cli", parts), tmp_path)
    documents = [json.loads(argument(call, "--policy-document")) for call in calls if "create-policy" in call]
    assert documents == [p.document for p in parts]


# -- trust and repository policies, checked by parliament and moto -------------------------


# parliament lints every document as an identity policy: trust and repository policies never
# have a Resource (MALFORMED "neither Resource nor NotResource" is expected), and its short
# list of federation sources knows no OIDC provider of a CI system (UNKNOWN_FEDERATION_SOURCE
# for GitHub's and GitLab's). Its data also predates ecr:BatchImportUpstreamImage taking a
# repository (RESOURCE_MISMATCH; the AWS reference in test_catalog.py says repository).
# Anything else fails.
def _expected_parliament(finding) -> bool:
    if finding.issue == "MALFORMED":
        return finding.detail == "Statement contains neither Resource nor NotResource"
    if finding.issue == "RESOURCE_MISMATCH":
        return finding.detail == [{"action": "ecr:BatchImportUpstreamImage", "required_format": "*"}]
    return finding.issue == "UNKNOWN_FEDERATION_SOURCE" and ":oidc-provider/" in finding.detail


@pytest.mark.parametrize("setup", sorted(SETUPS))
def test_trust_repository_registry_and_companion_policies_pass_parliament(setup):
    bundle = bundle_for(setup)
    for document in bundle.documents():
        findings = parliament.analyze_policy_string(
            render_json(document.document), include_community_auditors=True
        ).findings
        assert [f for f in findings if not _expected_parliament(f)] == []


def test_github_trust_admits_only_the_named_repository_and_branch():
    bundle = bundle_for("ci-github-branch")
    evaluator = IAMPolicy(render_json(bundle.trust.document))
    good = {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": "repo:my-org/my-app:ref:refs/heads/release",
    }
    assert (
        evaluator.is_action_permitted("sts:AssumeRoleWithWebIdentity", incoming_condition_values=good)
        == PermissionResult.PERMITTED
    )
    for key, value in [
        ("token.actions.githubusercontent.com:sub", "repo:other-org/my-app:ref:refs/heads/release"),
        ("token.actions.githubusercontent.com:sub", "repo:my-org/my-app:ref:refs/heads/main"),
        ("token.actions.githubusercontent.com:sub", "repo:my-org/my-app:pull_request"),
        ("token.actions.githubusercontent.com:aud", "https://github.com/my-org"),
    ]:
        assert (
            evaluator.is_action_permitted(
                "sts:AssumeRoleWithWebIdentity", incoming_condition_values={**good, key: value}
            )
            == PermissionResult.DENIED
        )
    assert evaluator.is_action_permitted("sts:AssumeRole", incoming_condition_values=good) == PermissionResult.NEUTRAL


def test_gitlab_and_codebuild_trust_conditions():
    gitlab = IAMPolicy(render_json(bundle_for("ci-gitlab").trust.document))
    good = {
        "gitlab.example.com:aud": "https://gitlab.example.com",
        "gitlab.example.com:sub": "project_path:platform/app:ref_type:branch:ref:main",
    }
    assert (
        gitlab.is_action_permitted("sts:AssumeRoleWithWebIdentity", incoming_condition_values=good)
        == PermissionResult.PERMITTED
    )
    other = {**good, "gitlab.example.com:sub": "project_path:platform/other:ref_type:branch:ref:main"}
    assert (
        gitlab.is_action_permitted("sts:AssumeRoleWithWebIdentity", incoming_condition_values=other)
        == PermissionResult.DENIED
    )
    codebuild = IAMPolicy(render_json(bundle_for("ci-codebuild").trust.document))
    assert (
        codebuild.is_action_permitted("sts:AssumeRole", incoming_condition_values={"aws:SourceAccount": ACCOUNT})
        == PermissionResult.PERMITTED
    )
    assert (
        codebuild.is_action_permitted("sts:AssumeRole", incoming_condition_values={"aws:SourceAccount": OTHER})
        == PermissionResult.DENIED
    )


def test_wildcard_subjects_use_string_like_and_match_as_iam_does():
    # moto does not evaluate StringLike; the standard library's fnmatch implements the same wildcards.
    trust = bundle_for("ci-github-sub").trust.document
    condition = trust["Statement"][0]["Condition"]
    pattern = condition["StringLike"]["token.actions.githubusercontent.com:sub"]
    assert condition["StringEquals"] == {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}
    assert fnmatch.fnmatchcase("repo:my-org/my-app:ref:refs/tags/v1.2.0", pattern)
    assert not fnmatch.fnmatchcase("repo:my-org/my-app:ref:refs/heads/main", pattern)
    assert not fnmatch.fnmatchcase("repo:evil/my-app:ref:refs/tags/v1", pattern)


def test_fargate_trust_is_limited_to_the_cluster_profiles():
    statement = bundle_for("eks-fargate").trust.document["Statement"][0]
    pattern = statement["Condition"]["ArnLike"]["aws:SourceArn"]
    assert pattern == f"arn:aws:eks:us-east-1:{ACCOUNT}:fargateprofile/prod/*"
    assert fnmatch.fnmatchcase(f"arn:aws:eks:us-east-1:{ACCOUNT}:fargateprofile/prod/default/abc", pattern)
    assert not fnmatch.fnmatchcase(f"arn:aws:eks:us-east-1:{ACCOUNT}:fargateprofile/staging/default/abc", pattern)


def test_lambda_repository_policies():
    same = bundle_for("lambda").repository.document
    (statement,) = same["Statement"]
    assert statement["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert sorted(statement["Action"]) == ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    assert bundle_for("lambda").trust is None
    cross = bundle_for("lambda-cross-account").repository.document
    # moto cannot compare an AWS principal with a Service-only statement, so evaluate the
    # function account's statement on its own.
    account_statement = next(s for s in cross["Statement"] if "AWS" in s["Principal"])
    evaluator = IAMPolicy(json.dumps({"Version": "2012-10-17", "Statement": [account_statement]}))
    assert (
        evaluator.is_action_permitted("ecr:BatchGetImage", principal=f"arn:aws:iam::{OTHER}:root")
        == PermissionResult.PERMITTED
    )
    assert (
        evaluator.is_action_permitted("ecr:PutImage", principal=f"arn:aws:iam::{OTHER}:root")
        == PermissionResult.NEUTRAL
    )
    service = next(s for s in cross["Statement"] if s["Principal"] == {"Service": "lambda.amazonaws.com"})
    assert service["Condition"] == {"StringLike": {"aws:sourceARN": f"arn:aws:lambda:us-east-1:{OTHER}:function:*"}}


def test_cross_account_pull_needs_both_halves():
    bundle = bundle_for("eks-cross-account")
    assert bundle.cross_account and bundle.role_account == OTHER
    policy = IAMPolicy(render_json(bundle.repository.document))
    assert (
        policy.is_action_permitted("ecr:BatchGetImage", principal=f"arn:aws:iam::{OTHER}:root")
        == PermissionResult.PERMITTED
    )
    assert (
        policy.is_action_permitted("ecr:BatchGetImage", principal="arn:aws:iam::111111111111:root")
        == PermissionResult.DENIED
    )
    assert (
        policy.is_action_permitted("ecr:InitiateLayerUpload", principal=f"arn:aws:iam::{OTHER}:root")
        == PermissionResult.NEUTRAL
    )
    identity = IAMPolicy(bundle.identity.to_json())
    assert (
        identity.is_action_permitted("ecr:BatchGetImage", f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/my-app")
        == PermissionResult.PERMITTED
    )
    role = bundle_for("ci-cross-account-role")
    assert role.repository.document["Statement"][0]["Principal"] == {"AWS": f"arn:aws:iam::{OTHER}:role/builder"}
    assert role.deployment.role_name == "builder"


def test_options_pull_through_cache_public_and_kms():
    cache = bundle_for("ci-pull-through-cache", repositories=["docker-hub/*"]).identity.document
    assert "ecr:BatchImportUpstreamImage" in cache["Statement"][1]["Action"]
    assert cache["Statement"][2] == {
        "Sid": "AllowECRCacheCreate",
        "Effect": "Allow",
        "Action": "ecr:CreateRepository",
        "Resource": f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/docker-hub/*",
    }
    public = bundle_for("ci-public", repositories=["my-app"])
    assert public.identity.document["Statement"][1]["Resource"] == f"arn:aws:ecr-public::{ACCOUNT}:repository/my-app"
    assert public.repository is None
    kms = bundle_for("ecs-kms")
    assert any("KMS" in note for note in kms.notes) and "kms:" not in kms.identity.to_json()


def test_china_github_audience():
    statement = bundle_for("china-github").trust.document["Statement"][0]
    assert statement["Condition"]["StringEquals"]["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com.cn"
    assert statement["Principal"]["Federated"].startswith("arn:aws-cn:iam::")


# -- the CLI -----------------------------------------------------------------------------

BASE = ["generate", "--role", "ci", "--repo", "my-app", "--region", "us-east-1", "--account", ACCOUNT]


def test_cli_formats_and_documents(tmp_path):
    github = [*BASE, "--trust", "github", "--github-repo", "my-org/my-app"]
    trust = run_cli(*github, "--document", "trust")
    assert trust.returncode == 0 and json.loads(trust.stdout)["Statement"][0]["Sid"] == "GitHubActionsOIDC"
    note = run_cli(*github)
    assert "note: this setup also needs a trust policy (--document trust)" in note.stderr
    for fmt, extension in [("terraform", "tf"), ("cloudformation", "yaml"), ("aws-cli", "sh")]:
        target = tmp_path / f"ecr.{extension}"
        result = run_cli(*github, "--format", fmt, "--output", str(target))
        assert result.returncode == 0 and target.read_text().startswith(("# ECR", "#!/usr/bin/env bash"))
    written = run_cli(*github, "--output", str(tmp_path / "policy.json"))
    assert written.returncode == 0
    assert (
        json.loads((tmp_path / "policy.trust.json").read_text())["Statement"][0]["Action"]
        == "sts:AssumeRoleWithWebIdentity"
    )
    missing = run_cli(*BASE, "--document", "repository")
    assert missing.returncode == 2 and "there is no repository policy" in missing.stderr


@pytest.mark.parametrize(
    "extra, message",
    [
        (
            ["--trust", "ecs-tasks"],
            "error: trust 'ecs-tasks': does not fit the role ci. Accepted for ci: github, gitlab, codebuild, ec2.",
        ),
        (["--trust", "github"], "error: GitHub repository: is required for GitHub OIDC"),
        (
            ["--trust", "github", "--github-repo", "just-a-name"],
            "error: GitHub repository 'just-a-name': is missing or not OWNER/REPO",
        ),
        (
            ["--trust", "gitlab", "--gitlab-url", "http://insecure"],
            "error: GitLab URL 'http://insecure': is not an https:// URL",
        ),
        (["--principal", "bob"], "error: principal 'bob': is neither an account ID nor a role ARN"),
        (["--public", "--pull-through-cache"], "error: options 'public + pull-through cache': cannot be combined"),
        (["--cache-create-repositories"], "error: options 'cache-create': only applies to a pull-through cache"),
        (["--function-account", OTHER], "error: function account '210987654321': only applies to the lambda role"),
    ],
)
def test_cli_deployment_errors(extra, message):
    result = run_cli(*BASE, *extra)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(message), result.stderr


def test_cli_eks_fargate_needs_a_cluster_and_public_in_china_is_refused():
    fargate = run_cli(
        "generate",
        "--role",
        "eks",
        "--repo",
        "app",
        "--region",
        "us-east-1",
        "--account",
        ACCOUNT,
        "--trust",
        "eks-fargate",
    )
    assert fargate.returncode == 2 and "cluster: is required for a Fargate pod execution role" in fargate.stderr
    china = run_cli(*BASE[:-4], "--region", "cn-north-1", "--account", ACCOUNT, "--public")
    assert china.returncode == 2 and "ECR Public exists only there" in china.stderr
