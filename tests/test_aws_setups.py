"""Every generated setup works as AWS documents it (issue 13), and trust policies pin an owner
(issue 11, item 5). One test per item, each named after the behaviour, driving the CLI as a
user would; the page each behaviour follows is named in the test's comment."""

from __future__ import annotations

import json
import re

import hcl2
import pytest
import yaml
from moto.iam.access_control import IAMPolicy, PermissionResult

from tests.conftest import run_cli
from tests.test_formats import argument, cfn_errors, run_script
from wizard.core import make_request
from wizard.core.catalog import CATALOG, WHY_AUTH_IS_ON_STAR
from wizard.core.deploy import build_bundle, make_deployment
from wizard.core.lint import check_policy
from wizard.core.request import Access, Role
from wizard.core.roles import ROLES

OWNER, OTHER = "123456789012", "210987654321"
A = ["--repo", "my-app", "--region", "us-east-1", "--account", OWNER]


def generate(*args: str):
    return run_cli("generate", *args)


def hcl_resources(text: str) -> dict:
    resources: dict = {}
    for block in hcl2.loads(text)["resource"]:
        for kind, named in block.items():
            resources.setdefault(kind.strip('"'), {}).update({name.strip('"'): body for name, body in named.items()})
    return resources


# -- item 1 (Lambda developer guide, images-create; re:Post lambda-ecr-image) ----------------


def test_cross_account_lambda_identity_policy_goes_to_the_function_account(tmp_path):
    script = generate("--role", "lambda", *A, "--function-account", OTHER, "--format", "aws-cli")
    assert script.returncode == 0, script.stderr
    assert f"#   Identity policy: attach to the deployer's existing role in account {OTHER}" in script.stdout
    assert f"# Credentials for the role's account ({OTHER})" in script.stdout
    calls = run_script(script.stdout, tmp_path, OWNER_PROFILE="owner", ROLE_PROFILE="deployer")
    # the identity policy goes on with the function account's credentials, the repository policy (after a
    # check that none is in place: setting one replaces it) with the owner's
    assert [(call[1], call[2], call[3]) for call in calls] == [
        ("deployer", "iam", "create-policy"),
        ("deployer", "iam", "attach-role-policy"),
        ("owner", "ecr", "get-repository-policy"),
        ("owner", "ecr", "set-repository-policy"),
    ]
    terraform = generate("--role", "lambda", *A, "--function-account", OTHER, "--format", "terraform").stdout
    assert f"# The role's account ({OTHER}): use credentials for it." in terraform
    (policy,) = hcl_resources(terraform)["aws_ecr_repository_policy"].values()
    assert policy["provider"] == "${aws.repository_owner}"


# -- item 2 (Lambda developer guide, images-create: cross-account permissions) ---------------


@pytest.mark.parametrize("principal", [f"arn:aws:iam::{OTHER}:role/deployer", OTHER])
def test_lambda_principal_in_another_account_gets_both_documented_statements(principal):
    result = generate("--role", "lambda", *A, "--principal", principal, "--document", "repository")
    assert result.returncode == 0, result.stderr
    account_statement, service_statement = json.loads(result.stdout)["Statement"]
    assert account_statement["Principal"] == {"AWS": f"arn:aws:iam::{OTHER}:root"}
    assert service_statement["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert service_statement["Condition"] == {
        "StringLike": {"aws:sourceARN": f"arn:aws:lambda:us-east-1:{OTHER}:function:*"}
    }
    evaluator = IAMPolicy(json.dumps({"Version": "2012-10-17", "Statement": [account_statement]}))
    allowed = evaluator.is_action_permitted("ecr:BatchGetImage", principal=f"arn:aws:iam::{OTHER}:root")
    assert allowed == PermissionResult.PERMITTED
    assert evaluator.is_action_permitted("ecr:PutImage", principal=f"arn:aws:iam::{OTHER}:root") == (
        PermissionResult.NEUTRAL
    )
    placement = generate("--role", "lambda", *A, "--principal", principal, "--format", "aws-cli").stdout
    # A role the user named (in the ARN) is named; otherwise no name is made up (issue 14 item 6).
    who = "the deployer's role deployer" if principal.startswith("arn:") else "the deployer's existing role"
    assert f"attach to {who} in account {OTHER}" in placement


def test_same_account_lambda_repository_policy_admits_only_the_accounts_functions():
    # The service principal acting for another account must not reach the image (IAM confused deputy).
    (statement,) = json.loads(generate("--role", "lambda", *A, "--document", "repository").stdout)["Statement"]
    assert statement["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert statement["Condition"] == {"StringLike": {"aws:sourceARN": f"arn:aws:lambda:us-east-1:{OWNER}:function:*"}}


def test_lambda_principal_and_function_account_must_agree():
    result = generate(
        "--role", "lambda", *A, "--principal", f"arn:aws:iam::{OTHER}:role/d", "--function-account", OWNER
    )
    assert result.returncode == 2 and result.stdout == ""
    assert f"function account '{OWNER}': differs from the account of the principal ({OTHER})" in result.stderr


# -- item 3 (ECR guide, pull-through-cache-iam and registry-permissions) ---------------------

CACHE = [
    "--role",
    "eks",
    "--pull-through-cache",
    "--cache-create-repositories",
    "--repo",
    "docker-hub/*",
    "--region",
    "us-east-1",
    "--account",
    OWNER,
    "--principal",
    OTHER,
]


def test_pull_through_cache_across_accounts_is_granted_by_the_registry_policy(tmp_path):
    registry = generate(*CACHE, "--document", "registry")
    assert registry.returncode == 0, registry.stderr
    (statement,) = json.loads(registry.stdout)["Statement"]
    assert statement["Action"] == ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"]
    assert statement["Resource"] == f"arn:aws:ecr:us-east-1:{OWNER}:repository/docker-hub/*"
    assert statement["Principal"] == {"AWS": f"arn:aws:iam::{OTHER}:root"}
    repository = json.loads(generate(*CACHE, "--document", "repository").stdout)
    (pull,) = repository["Statement"]
    assert sorted(pull["Action"]) == ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], "no creation here"
    script = generate(*CACHE, "--format", "aws-cli").stdout
    assert "repository creation template" in script
    calls = run_script(script, tmp_path)
    put = next(call for call in calls if "put-registry-policy" in call)
    assert json.loads(argument(put, "--policy-text")) == json.loads(registry.stdout)
    resources = hcl_resources(generate(*CACHE, "--format", "terraform").stdout)
    (terraform_registry,) = resources["aws_ecr_registry_policy"].values()
    assert terraform_registry["provider"] == "${aws.repository_owner}"
    owner_template = generate(*CACHE, "--format", "cloudformation", "--document", "registry").stdout
    assert cfn_errors(owner_template) == []
    (owned,) = yaml.safe_load(owner_template)["Resources"].values()
    assert owned["Type"] == "AWS::ECR::RegistryPolicy"
    assert owned["Properties"]["PolicyText"] == json.loads(registry.stdout)


def test_registry_policy_script_stops_rather_than_replace_one_in_place(tmp_path):
    script = generate(*CACHE, "--format", "aws-cli").stdout
    calls = run_script(script, tmp_path, expect_status=1, REGISTRY_POLICY_IN_PLACE="1")
    assert [call for call in calls if "put-registry-policy" in call] == []
    replaced = run_script(script, tmp_path, REGISTRY_POLICY_IN_PLACE="1", REPLACE_REGISTRY_POLICY="yes")
    assert any("put-registry-policy" in call for call in replaced)


def test_same_account_pull_through_cache_needs_no_registry_policy():
    result = generate(*CACHE[:-2], "--document", "registry")
    assert result.returncode == 2 and "there is no registry policy" in result.stderr


# -- item 4 (IAM user guide, reference_identifiers: role paths) ------------------------------

PATH_ROLE = f"arn:aws:iam::{OTHER}:role/team/puller"


def test_role_paths_are_kept_in_every_output(tmp_path):
    setup = ["--role", "ci", *A, "--trust", "codebuild", "--principal", PATH_ROLE]
    calls = run_script(generate(*setup, "--format", "aws-cli").stdout, tmp_path)
    create = next(call for call in calls if "create-role" in call)
    assert argument(create, "--role-name") == "puller" and argument(create, "--path") == "/team/"
    role = hcl_resources(generate(*setup, "--format", "terraform").stdout)["aws_iam_role"]["ecr"]
    assert (role["name"], role["path"]) == ('"puller"', '"/team/"')
    template = yaml.safe_load(generate(*setup, "--format", "cloudformation").stdout)
    assert template["Resources"]["ECRRole"]["Properties"]["Path"] == "/team/"
    (statement,) = json.loads(generate(*setup, "--document", "repository").stdout)["Statement"]
    assert statement["Principal"] == {"AWS": PATH_ROLE}


def test_a_role_name_that_differs_from_the_principal_role_is_refused():
    result = generate("--role", "ci", *A, "--trust", "codebuild", "--principal", PATH_ROLE, "--role-name", "other")
    assert result.returncode == 2 and "role name 'other': differs from the role the principal names" in result.stderr


# -- item 5 (IAM user guide: roles and resource policies stay within one partition) ----------


@pytest.mark.parametrize(
    "region, principal",
    [
        ("cn-north-1", f"arn:aws:iam::{OTHER}:role/puller"),
        ("us-east-1", f"arn:aws-us-gov:iam::{OTHER}:role/puller"),
        ("us-gov-west-1", f"arn:aws-cn:iam::{OTHER}:role/puller"),
    ],
)
def test_principal_of_another_partition_is_refused(region, principal):
    result = generate(
        "--role", "eks", "--repo", "my-app", "--region", region, "--account", OWNER, "--principal", principal
    )
    assert result.returncode == 2 and result.stdout == ""
    assert "never delegate across partitions" in result.stderr


# -- item 6 (EKS user guide, add-ons-images and create-node-role) ----------------------------


@pytest.mark.parametrize(
    "region, partition, addon_account",
    [
        ("us-east-1", "aws", "602401143452"),
        ("cn-north-1", "aws-cn", "918309763551"),
        ("af-south-1", "aws", "877085696533"),
    ],
)
def test_eks_nodes_pull_addon_images_from_the_regions_registry_only(region, partition, addon_account):
    args = ["--role", "eks", "--repo", "my-app", "--region", region, "--account", OWNER]
    document = json.loads(generate(*args).stdout)
    addon = document["Statement"][-1]
    assert addon == {
        "Sid": "AllowEKSAddonImages",
        "Effect": "Allow",
        "Action": ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
        "Resource": f"arn:{partition}:ecr:{region}:{addon_account}:repository/*",
    }
    for fmt in ("terraform", "cloudformation", "aws-cli"):
        text = generate(*args, "--format", fmt).stdout
        assert f"{addon_account}:repository/*" in text and "AmazonEC2ContainerRegistryPullOnly" in text
        assert "add-ons-images.html" in text, "the statement names its source"
    caveat = ROLES[Role.EKS].caveat
    assert "Do not attach AmazonEC2ContainerRegistryPullOnly beside it" in caveat and "instead of it" not in caveat


def test_eks_region_missing_from_the_addon_table_is_said_plainly():
    result = generate("--role", "eks", "--repo", "my-app", "--region", "xx-new-9", "--account", OWNER)
    assert result.returncode == 0
    assert "AllowEKSAddonImages" not in result.stdout
    assert "has no EKS add-on registry in this tool's table" in result.stderr and "add-ons-images.html" in result.stderr


# -- item 7 (IAM instance profiles; ECS task_execution_IAM_role and instance_IAM_role; CodeBuild
#    setting-up-service-role; EKS create-node-role) --------------------------------------------


@pytest.mark.parametrize(
    "role, trust, profile, managed",
    [
        ("ci", "ec2", True, []),
        ("ecs", "ec2", True, ["arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"]),
        (
            "eks",
            "eks-node",
            True,
            ["arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy", "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"],
        ),
        ("ecs", "ecs-tasks", False, []),
        ("ci", "codebuild", False, []),
    ],
)
def test_created_roles_get_an_instance_profile_and_the_documented_managed_policies(
    role, trust, profile, managed, tmp_path
):
    args = ["--role", role, *A, "--trust", trust]
    calls = run_script(generate(*args, "--format", "aws-cli").stdout, tmp_path)
    verbs = [call[call.index("iam") + 1] for call in calls if "iam" in call]
    assert ("create-instance-profile" in verbs) == profile and ("add-role-to-instance-profile" in verbs) == profile
    attached = [argument(call, "--policy-arn") for call in calls if "attach-role-policy" in call][:-1]
    assert attached == managed
    template = yaml.safe_load(generate(*args, "--format", "cloudformation").stdout)
    assert ("ECRInstanceProfile" in template["Resources"]) == profile
    resources = hcl_resources(generate(*args, "--format", "terraform").stdout)
    assert ("aws_iam_instance_profile" in resources) == profile


def test_ecs_container_instance_role_says_its_agent_policy_defeats_the_scoping():
    text = generate("--role", "ecs", *A, "--trust", "ec2", "--format", "terraform").stdout
    assert 'grants ECR pulls on "*"' in text and "task execution role" in text and "least-privilege" in text


@pytest.mark.parametrize(
    "role, trust, actions, resource",
    [
        (
            "ecs",
            "ecs-tasks",
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            f"arn:aws:logs:us-east-1:{OWNER}:log-group:*",
        ),
        (
            "ci",
            "codebuild",
            ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            f"arn:aws:logs:us-east-1:{OWNER}:log-group:/aws/codebuild/*",
        ),
    ],
)
def test_execution_and_codebuild_roles_get_their_scoped_log_permissions(role, trust, actions, resource):
    result = generate("--role", role, *A, "--trust", trust, "--document", "companion")
    assert result.returncode == 0, result.stderr
    (statement,) = json.loads(result.stdout)["Statement"]
    assert statement["Action"] == actions and statement["Resource"] == resource
    evaluator = IAMPolicy(result.stdout)
    stream = resource.replace("*", "") + ("x" if resource.endswith("group:*") else "p") + ":log-stream:s"
    assert evaluator.is_action_permitted("logs:PutLogEvents", stream) == PermissionResult.PERMITTED
    other = stream.replace(OWNER, OTHER)
    assert evaluator.is_action_permitted("logs:PutLogEvents", other) == PermissionResult.NEUTRAL
    assert evaluator.is_action_permitted("ecr:BatchGetImage", "*") == PermissionResult.NEUTRAL


def test_codebuild_role_says_plainly_which_s3_permissions_it_still_needs():
    result = generate("--role", "ci", *A, "--trust", "codebuild")
    assert "note: CodeBuild also reads its source and writes its artifacts: s3:GetObject" in result.stderr
    assert "add them for your buckets" in result.stderr


# -- item 8 (aws-actions/configure-aws-credentials: audience defaults to sts.amazonaws.com) ----


def test_github_oidc_in_china_tells_the_workflow_to_set_its_audience():
    args = ["--role", "ci", "--repo", "my-app", "--region", "cn-north-1", "--account", OWNER]
    result = generate(*args, "--trust", "github", "--github-repo", "o/r", "--document", "trust")
    condition = json.loads(result.stdout)["Statement"][0]["Condition"]["StringEquals"]
    assert condition["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com.cn"
    assert "set `audience: sts.amazonaws.com.cn` for aws-actions/configure-aws-credentials" in result.stderr
    script = generate(*args, "--trust", "github", "--github-repo", "o/r", "--format", "aws-cli").stdout
    assert "audience: sts.amazonaws.com.cn" in script and "configure-aws-credentials" in script
    global_ = generate("--role", "ci", *A, "--trust", "github", "--github-repo", "o/r", "--document", "trust")
    assert "audience:" not in global_.stderr


# -- item 9 (GitHub: oidc-in-aws and the OIDC reference, environment subjects) ----------------


def test_branch_pinned_github_trust_says_environment_jobs_are_refused():
    result = generate("--role", "ci", *A, "--trust", "github", "--github-repo", "o/r", "--github-branch", "main")
    assert "jobs that use an `environment:` present repo:OWNER/REPO:environment:NAME instead" in result.stderr
    comment = generate("--role", "ci", *A, "--trust", "github", "--github-repo", "o/r", "--format", "terraform").stdout
    assert "Jobs that use an `environment:` present repo:OWNER/REPO:environment:NAME" in comment
    environment = generate(
        "--role", "ci", *A, "--trust", "github", "--github-repo", "o/r", "--github-environment", "prod"
    )
    assert "environment:` present" not in environment.stderr
    assert "jobs that use an `environment:`" in re.sub(r"\s+", " ", run_cli("generate", "--help").stdout)


# -- item 10 (Lambda: images from private ECR repositories in the function's region) ----------


def test_lambda_with_ecr_public_is_refused():
    result = generate("--role", "lambda", *A, "--public")
    assert result.returncode == 2 and result.stdout == ""
    assert (
        "options 'lambda + public': cannot be combined: Lambda runs container images only from private" in result.stderr
    )


def test_the_wizard_refuses_lambda_with_ecr_public_at_the_options_step():
    from wizard.core.answers import Answers, Step

    answers = Answers(role=Role.LAMBDA, repositories=["my-app"], region="us-east-1", account=OWNER, public=True)
    assert any("Lambda runs container images only from private" in str(e) for e in answers.step_errors(Step.SETUP))
    assert not answers.preview().complete


# -- item 11 (re:Post lambda-ecr-image; Lambda images-create) ---------------------------------


def test_lambda_deployer_policy_describes_the_deploy_workflow():
    result = generate("--role", "lambda", *A, "--format", "terraform")
    document = json.loads(generate("--role", "lambda", *A).stdout)
    (statement,) = document["Statement"]
    assert statement["Action"] == ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    assert "GetAuthorizationToken" not in json.dumps(document) and "BatchCheckLayerAvailability" not in json.dumps(
        document
    )
    text = result.stdout
    assert "CreateFunction / UpdateFunctionCode" in text and "knowledge-center/lambda-ecr-image" in text
    assert "Registry login" not in text and "Every pull and push starts here" not in text
    pushing = json.loads(generate("--role", "lambda", *A, "--access", "push").stdout)
    assert pushing["Statement"][0]["Action"] == "ecr:GetAuthorizationToken", "a deployer that pushes logs in to push"


# -- item 12 (ECR API BatchCheckLayerAvailability; ECR_on_ECS; AmazonEC2ContainerRegistryPullOnly)


@pytest.mark.parametrize("role", ["ci", "ecs", "eks"])
def test_pull_only_roles_omit_the_layer_check_and_check_accepts_that(role, tmp_path):
    result = generate("--role", role, *A, "--access", "pull")
    assert "ecr:BatchCheckLayerAvailability" not in result.stdout
    target = tmp_path / "pull.json"
    target.write_text(result.stdout)
    checked = run_cli("check", str(target))
    assert checked.returncode == 0 and "no findings" in checked.stdout
    layer_check = CATALOG["ecr:BatchCheckLayerAvailability"]
    assert layer_check.step == "push" and "Pulls do not use it" in layer_check.why
    assert "some clients" not in layer_check.why


# -- item 13 (Service Authorization Reference: GetAuthorizationToken has no resource type) ------


def test_token_scope_note_says_iam_accepts_a_repository_arn_that_never_matches():
    assert "IAM accepts only" not in WHY_AUTH_IS_ON_STAR
    assert (
        "IAM accepts a policy that names a repository ARN for it, but that statement never matches"
        in WHY_AUTH_IS_ON_STAR
    )
    explained = run_cli("generate", "--role", "ci", *A, "--format", "aws-cli").stdout
    assert "never matches" in explained and "list_amazonelasticcontainerregistry.html" in explained


# -- issue 11, item 5: trust policies anyone could assume ---------------------------------------

GITHUB = ["--role", "ci", *A, "--trust", "github"]
GITLAB = ["--role", "ci", *A, "--trust", "gitlab"]


@pytest.mark.parametrize(
    "flags",
    [
        [*GITHUB, "--github-sub", "*"],
        [*GITHUB, "--github-sub", "repo:*"],
        [*GITHUB, "--github-sub", "repo:*/my-app:ref:refs/heads/main"],
        [*GITHUB, "--github-sub", "repo:my-org*/my-app:*"],
        [*GITHUB, "--github-sub", "repo:my-org"],
        [*GITHUB, "--github-sub", "*:repo:my-org/my-app:*"],
        [*GITHUB, "--github-sub", "repository_owner:*"],
        [*GITLAB, "--gitlab-sub", "*"],
        [*GITLAB, "--gitlab-sub", "project_path:*"],
        [*GITLAB, "--gitlab-sub", "project_path:grp*/app:ref_type:branch:ref:main"],
    ],
    ids=lambda flags: flags[-1],
)
def test_subjects_that_pin_no_owner_are_refused_with_what_to_write(flags):
    result = generate(*flags)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("error: Git") and "pins no" in result.stderr
    assert "Accepted: repo:OWNER/REPO:ref:refs/heads/BRANCH" in result.stderr or (
        "Accepted: project_path:GROUP/PROJECT" in result.stderr
    )


@pytest.mark.parametrize(
    "flags, admitted",
    [
        (
            [*GITHUB, "--github-sub", "repo:my-org/*"],
            "every repository of my-org, including repositories created later",
        ),
        ([*GITLAB, "--gitlab-sub", "project_path:grp/*"], "every project of the group grp (subgroups too)"),
    ],
)
def test_organisation_wide_subject_is_accepted_with_a_warning_saying_what_it_admits(flags, admitted):
    result = generate(*flags, "--format", "terraform")
    assert result.returncode == 0
    assert f"warning: Git{'Hub' if 'github' in flags else 'Lab'} sub" in result.stderr and admitted in result.stderr
    trust = result.stdout.split("# Trust policy:")[1].split("\n#\n")[0]
    assert f"It admits {admitted}" in trust
    assert "other repositories" not in trust and "other projects" not in trust, "no false claim of refusal"


def test_exact_subject_still_says_what_is_refused():
    result = generate(*GITHUB, "--github-sub", "repo:my-org/my-app:ref:refs/heads/main", "--format", "terraform")
    assert result.returncode == 0 and "warning: GitHub sub" not in result.stderr
    assert "must be exactly 'repo:my-org/my-app:ref:refs/heads/main': runs of other repositories" in result.stdout


TRUST_FIELDS = {
    "--github-repo": [*GITHUB],
    "--github-branch": [*GITHUB, "--github-repo", "o/r"],
    "--github-tag": [*GITHUB, "--github-repo", "o/r"],
    "--github-environment": [*GITHUB, "--github-repo", "o/r"],
    "--github-sub": [*GITHUB],
    "--gitlab-url": [*GITLAB, "--gitlab-project", "g/p"],
    "--gitlab-project": [*GITLAB],
    "--gitlab-branch": [*GITLAB, "--gitlab-project", "g/p"],
    "--gitlab-sub": [*GITLAB],
    "--cluster": ["--role", "eks", *A, "--trust", "eks-fargate"],
    "--role-name": ["--role", "ecs", *A],
    "--principal": ["--role", "ecs", *A],
    "--function-account": ["--role", "lambda", *A],
}
VALUES = {"--github-repo": "o/r", "--github-sub": "repo:o/r:ref:refs/heads/main", "--gitlab-url": "https://gitlab.com"}


@pytest.mark.parametrize("flag", sorted(TRUST_FIELDS))
@pytest.mark.parametrize("control", ["\x1b]0;owned\x07", "\n", "\x9b2J"], ids=["osc", "newline", "c1"])
def test_control_characters_are_refused_in_every_trust_field(flag, control):
    value = VALUES.get(flag, {"--principal": OTHER, "--function-account": OTHER}.get(flag, "main")) + control
    result = generate(*TRUST_FIELDS[flag], flag, value)
    assert result.returncode == 2 and result.stdout == ""
    assert "contains control characters (shown escaped)" in result.stderr
    assert not any(char in result.stderr for char in "\x1b\x07\x9b"), "shown escaped, never raw"


# -- sources: every fact names its page ---------------------------------------------------------


def test_every_document_of_every_setup_names_its_sources():
    setups = [
        ("ci", dict(trust="github", github_repository="o/r")),
        ("ci", dict(trust="gitlab", gitlab_project="g/p")),
        ("ci", dict(trust="codebuild")),
        ("ecs", dict()),
        ("ecs", dict(trust="ec2")),
        ("eks", dict(principal=OTHER)),
        ("eks", dict(trust="eks-fargate", cluster="c")),
        ("eks", dict(trust="eks-pod-identity")),
        ("lambda", dict(function_account=OTHER)),
    ]
    for role, answers in setups:
        request = make_request(role, ["my-app"], "us-east-1", OWNER).request
        bundle = build_bundle(request, make_deployment(request, **answers)[0])
        for document in bundle.documents():
            assert document.sources and all(page.startswith("https://") for page in document.sources), document.kind
        for managed in bundle.setup.managed if bundle.setup else ():
            assert managed.source.startswith("https://docs.aws.amazon.com/")
        assert check_policy(bundle.identity.document) == [] or role == "lambda"


# -- the wizard says the same where the answers are given -----------------------------------


async def test_the_wizard_warns_what_an_organisation_wide_subject_admits_and_refuses_lambda_public():
    from textual.widgets import Input, Static

    from wizard.core.answers import Answers
    from wizard.tui.app import PolicyWizardApp

    answers = Answers(
        role=Role.CI, repositories=["my-app"], region="us-east-1", account=OWNER, trust="github", github_ref_kind="sub"
    )
    app = PolicyWizardApp(answers=answers)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("alt+4")
        app.query_one("#github-ref", Input).value = "repo:my-org/*"
        await pilot.pause()
        shown = str(app.query_one("#setup-feedback", Static).content)
        assert "Admits every repository of my-org, including repositories created later" in shown
        app.query_one("#github-ref", Input).value = "repo:*"
        await pilot.pause()
        assert "Pins no repository owner" in str(app.query_one("#setup-feedback", Static).content)
    lambda_app = PolicyWizardApp(
        answers=Answers(role=Role.LAMBDA, repositories=["fn"], region="us-east-1", account=OWNER)
    )
    async with lambda_app.run_test(size=(100, 40)) as pilot:
        await pilot.press("alt+4")
        lambda_app.query_one("#option-public").value = True
        await pilot.pause()
        await pilot.press("ctrl+n")
        assert "Lambda runs container images only from private" in str(
            lambda_app.query_one("#setup-feedback", Static).content
        )


async def test_the_wizard_says_a_lambda_deployer_needs_no_docker_login():
    from textual.widgets import Static

    from wizard.core.answers import Answers
    from wizard.tui.app import PolicyWizardApp
    from wizard.tui.steps.review import ReviewStep

    answers = Answers(role=Role.LAMBDA, access=Access.PULL, repositories=["fn"], region="us-east-1", account=OWNER)
    app = PolicyWizardApp(answers=answers)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("alt+5")
        app.query_one(ReviewStep)._explain("login")
        await pilot.pause()
        shown = str(app.query_one("#explanation", Static).content)
        assert (
            shown
            == "No docker login: the deployer never pulls or pushes images itself, so it needs no ecr:GetAuthorizationToken."
        )
