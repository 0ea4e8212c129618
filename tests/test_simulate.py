"""`simulate` (issue 18, item 1): operations walked call by call against the one evaluator.

The simulator's verdict on every call is compared with moto's IAM evaluator (nobody here wrote
it) for generated policies across roles, access, repository sets and partitions, and for broken
policies (the fixtures, the real corpus's identity policies, the seed with each action taken
away, and Deny variants). The clients' wordings are checked against the real messages they cite,
and the cross-account and Lambda rules against IAM's documented evaluation logic.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from moto.iam.access_control import IAMPolicy, PermissionResult

from tests.conftest import FIXTURES, run_cli
from wizard.core import Access, Role, build_policy, make_request
from wizard.core.lint import without_action
from wizard.core.policy import Kind, document_from_json, parse_policy
from wizard.core.policy.evaluate import Caller
from wizard.core.simulate import refusals
from wizard.core.simulate.engine import ALLOWED, NOT_REACHED, UNCHECKED, simulate
from wizard.core.simulate.image import ImageError, parse_image
from wizard.core.simulate.operations import OPERATIONS
from wizard.core.simulate.render import as_dict, diagram_lines, mermaid, report_lines

ACCOUNT, OTHER = "123456789012", "210987654321"
IMAGE = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/my-app:v1"
SEED = json.loads((FIXTURES / "seed_policy.json").read_text())
IDENTITY_OPERATIONS = ("push", "pull", "ecs-task", "eks-pull")
ERRORS = FIXTURES / "real" / "errors"


def identity(value: dict):
    return document_from_json(value, Kind.IDENTITY)


def repository(*statements: dict):
    return document_from_json({"Version": "2012-10-17", "Statement": list(statements)}, Kind.REPOSITORY)


# -- against moto's evaluator ---------------------------------------------------------------


def moto_allows(evaluator: IAMPolicy, action: str, resource: str) -> bool:
    return evaluator.is_action_permitted(action, resource) == PermissionResult.PERMITTED


def assert_agrees_with_moto(policy_text: str, image_text: str) -> None:
    """Each call the simulator reaches gets moto's verdict, and the operation succeeds exactly
    when moto permits every call it makes (an identity policy, one account)."""
    document = parse_policy(policy_text, Kind.IDENTITY).document
    evaluator = IAMPolicy(policy_text)
    image = parse_image(image_text)
    for operation in IDENTITY_OPERATIONS:
        simulation = simulate(operation, image, document)
        checked = [result for result in simulation.results if result.action]
        for result in checked:
            if result.verdict.outcome == NOT_REACHED:
                continue
            expected = moto_allows(evaluator, result.action, result.resource)
            assert (result.verdict.outcome == ALLOWED) is expected, (operation, result.action, image_text)
        everything = all(moto_allows(evaluator, r.action, r.resource) for r in checked)
        assert simulation.succeeded is everything, (operation, image_text)


PARTITIONS = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}
# Repositories typed, names they must reach, names they must not (near misses), by hand.
REPOSITORY_SETS = {
    "one": (["my-app"], ["my-app"], ["my-app-legacy", "team/my-app"]),
    "several": (["api", "web/frontend"], ["api", "web/frontend"], ["api2", "web"]),
    "namespace": (["team-a/*"], ["team-a/api", "team-a/x/y"], ["team-b/api", "team-ab/api"]),
    "prefix": (["app-*"], ["app-web"], ["apps-web", "web-app"]),
}
MATRIX = list(itertools.product(list(Role), list(Access), REPOSITORY_SETS, PARTITIONS))


def host(account: str, region: str) -> str:
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"{account}.dkr.ecr.{region}.{suffix}"


@pytest.mark.parametrize("role, access, repository_set, partition", MATRIX, ids=lambda v: getattr(v, "value", v))
def test_generated_policies_agree_with_moto_call_by_call(role, access, repository_set, partition):
    region = PARTITIONS[partition]
    typed, inside, outside = REPOSITORY_SETS[repository_set]
    policy = build_policy(make_request(role, typed, region, ACCOUNT, access).request)
    images = [f"{host(ACCOUNT, region)}/{name}:v1" for name in inside + outside]
    images.append(f"{host(OTHER, region)}/{inside[0]}:v1")
    for image in images:
        assert_agrees_with_moto(policy.to_json(), image)
    # and the operations the role exists for work on every requested repository
    for name in inside:
        image = parse_image(f"{host(ACCOUNT, region)}/{name}:v1")
        expected = {"pull", "ecs-task", "eks-pull"} | ({"push"} if access is Access.PUSH else set())
        if role is Role.LAMBDA and access is Access.PULL:
            expected = set()  # a Lambda deployer never pulls itself: no login
        for operation in expected:
            assert simulate(operation, image, document_from_json(policy.document)).succeeded, (operation, name)


def moto_faithful(text: str) -> bool:
    """moto's IAMPolicy evaluates Action/NotAction (exact case) and Resource, not NotResource,
    Condition or Principal, and reads '?' as a regular expression."""
    try:
        value = json.loads(text)
    except ValueError:
        return False
    statements = value.get("Statement") if isinstance(value, dict) else None
    if not isinstance(statements, list) or not statements:
        return False
    for statement in statements:
        if not isinstance(statement, dict) or {"NotResource", "Condition", "Principal", "NotPrincipal"} & set(
            statement
        ):
            return False
        if "?" in json.dumps(statement.get("Resource", "")) or "Resource" not in statement:
            return False
        names = statement.get("Action", statement.get("NotAction", []))
        names = [names] if isinstance(names, str) else names
        if not all(
            isinstance(name, str) and (name.startswith(("ecr:", "ecr-public:", "sts:")) or name == "*")
            for name in names
        ):
            return False
    return True


def broken_policies() -> list[tuple[str, str]]:
    found = [(path.name, path.read_text()) for path in sorted((FIXTURES / "bad").glob("*.json"))]
    found += [
        (path.name, path.read_text())
        for path in sorted((FIXTURES / "real" / "policies").glob("identity-*.json"))
        if not path.name.endswith(".meta.json")
    ]
    found += [
        (path.name, path.read_text())
        for path in sorted((FIXTURES / "real" / "broad").glob("broad-*.json"))
        if not path.name.endswith(".meta.json")
    ]
    for statement in SEED["Statement"]:
        for action in [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]:
            found.append((f"seed without {action}", json.dumps(without_action(SEED, action))))
            deny = {"Effect": "Deny", "Action": action, "Resource": "*"}
            found.append((f"seed denying {action}", json.dumps({**SEED, "Statement": [*SEED["Statement"], deny]})))
    star = {"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}
    found.append(
        (
            "ecr:* with a Deny on the repository",
            json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        star,
                        {
                            "Effect": "Deny",
                            "Action": "ecr:Put*",
                            "Resource": "arn:aws:ecr:us-east-1:123456789012:repository/my-*",
                        },
                    ],
                }
            ),
        )
    )
    found.append(
        (
            "NotAction all but uploads",
            json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "NotAction": ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart"],
                            "Resource": "*",
                        }
                    ],
                }
            ),
        )
    )
    return [(name, text) for name, text in found if moto_faithful(text)]


BROKEN = broken_policies()


def test_the_broken_set_is_large_and_varied():
    names = [name for name, _ in BROKEN]
    assert len(BROKEN) >= 40, names
    assert any(name.startswith("seed without") for name in names) and any(name.startswith("broad-") for name in names)


@pytest.mark.parametrize("name, text", BROKEN, ids=[name for name, _ in BROKEN])
def test_broken_policies_agree_with_moto_call_by_call(name, text):
    for image in (
        IMAGE,
        f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/web:latest",
        f"{OTHER}.dkr.ecr.eu-west-1.amazonaws.com/xy:1",
    ):
        assert_agrees_with_moto(text, image)


# -- what the simulation says -----------------------------------------------------------------


def test_the_seed_pushes_and_pulls_and_each_missing_action_stops_the_push_at_its_own_call():
    image = parse_image(IMAGE)
    assert simulate("push", image, identity(SEED)).succeeded
    assert simulate("pull", image, identity(SEED)).succeeded
    order = [result.action for result in simulate("push", image, identity(SEED)).results if result.action]
    for action in order:
        simulation = simulate("push", image, identity(without_action(SEED, action)))
        assert simulation.refusal.action == action
        after = simulation.results[simulation.refusal.number :]
        assert all(result.verdict.outcome == NOT_REACHED for result in after)
        assert all(
            r.verdict.outcome in (ALLOWED, UNCHECKED) for r in simulation.results[: simulation.refusal.number - 1]
        )


def test_the_call_map_gives_each_call_its_request():
    simulation = simulate("push", parse_image(IMAGE), identity(SEED))
    text = "\n".join(report_lines(simulation))
    for request in (
        "POST https://api.ecr.us-east-1.amazonaws.com/ GetAuthorizationToken",
        "GET /v2/",
        "HEAD /v2/my-app/blobs/<digest>",
        "POST /v2/my-app/blobs/uploads/",
        "PATCH /v2/my-app/blobs/uploads/<upload-id>",
        "PUT /v2/my-app/blobs/uploads/<upload-id>?digest=<digest>",
        "PUT /v2/my-app/manifests/v1",
    ):
        assert request in text
    assert "statement 2 (AllowECRPull)" in text and "statement 3 (AllowECRPush)" in text


def test_a_missing_layer_check_shows_dockers_own_message_wherever_docker_runs():
    simulation = simulate("push", parse_image(IMAGE), identity(without_action(SEED, "ecr:BatchCheckLayerAvailability")))
    said = refusals.wording(simulation)
    assert said.text == 'error parsing HTTP 403 response body: unexpected end of JSON input: ""'
    assert "docker's own" in said.note and "GitHub Actions" in said.note and "laptop" in said.note
    assert refusals.fix(simulation)[0].startswith("Add ecr:BatchCheckLayerAvailability to statement 2 (AllowECRPull)")


@pytest.mark.parametrize("action", ["ecr:InitiateLayerUpload", "ecr:PutImage"])
def test_a_missing_push_action_goes_back_beside_the_push_actions(action):
    """Both statements cover the repository: the fix names the push statement, not the first."""
    simulation = simulate("push", parse_image(IMAGE), identity(without_action(SEED, action)))
    assert refusals.fix(simulation)[0].startswith(f"Add {action} to statement 3 (AllowECRPush)")


def test_a_token_scoped_to_a_repository_fails_at_login_and_the_fix_says_why():
    text = (FIXTURES / "bad" / "token-on-repository.json").read_text()
    simulation = simulate("pull", parse_image(IMAGE), parse_policy(text).document)
    assert simulation.refusal.number == 1
    fix = " ".join(refusals.fix(simulation))
    assert "never matches" in fix and '"Resource": "*"' in fix


def test_an_explicit_deny_names_its_statement():
    deny = {"Sid": "NoPush", "Effect": "Deny", "Action": "ecr:PutImage", "Resource": "*"}
    simulation = simulate("push", parse_image(IMAGE), identity({**SEED, "Statement": [*SEED["Statement"], deny]}))
    assert simulation.refusal.action == "ecr:PutImage"
    assert "with an explicit deny in an identity-based policy" in refusals.wording(simulation).text
    assert refusals.fix(simulation)[0].startswith("Statement 4 (NoPush) of the identity policy denies ecr:PutImage")


# -- both halves: repository policies, accounts, Lambda ------------------------------------


PULL_ONLY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
        {"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], "Resource": "*"},
    ],
}


def test_across_accounts_both_halves_are_needed():
    image = parse_image(IMAGE)
    caller = Caller.role(f"arn:aws:iam::{OTHER}:role/puller")
    alone = simulate("pull", image, identity(PULL_ONLY), None, caller)
    assert alone.refusal.action == "ecr:BatchGetImage"
    assert "because no resource-based policy allows the ecr:BatchGetImage action" in refusals.wording(alone).text
    assert "--repository-policy" in " ".join(refusals.fix(alone))
    grant = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
    }
    assert simulate("pull", image, identity(PULL_ONLY), repository(grant), caller).succeeded
    without_identity = simulate("pull", image, None, repository(grant), caller)
    assert without_identity.refusal.number == 1, "the login token comes from an identity policy only"


def test_within_an_account_a_repository_policy_naming_the_role_is_enough_but_naming_the_account_is_not():
    image = parse_image(IMAGE)
    role = f"arn:aws:iam::{ACCOUNT}:role/puller"
    caller = Caller.role(role)
    token_only = {"Version": "2012-10-17", "Statement": [PULL_ONLY["Statement"][0]]}
    actions = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    named = repository({"Effect": "Allow", "Principal": {"AWS": role}, "Action": actions})
    assert simulate("pull", image, identity(token_only), named, caller).succeeded
    account = repository({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": actions})
    delegated = simulate("pull", image, identity(token_only), account, caller)
    assert delegated.refusal.action == "ecr:BatchGetImage"
    assert "as a whole" in " ".join(refusals.fix(delegated))


def test_a_deny_in_the_repository_policy_wins_over_the_identity_policy():
    deny = {"Sid": "NoOne", "Effect": "Deny", "Principal": "*", "Action": "ecr:BatchGetImage"}
    simulation = simulate("pull", parse_image(IMAGE), identity(SEED), repository(deny))
    assert "with an explicit deny in a resource-based policy" in refusals.wording(simulation).text
    assert refusals.fix(simulation)[0].startswith("Statement 1 (NoOne) of the repository policy denies")


LAMBDA_STATEMENT = {
    "Sid": "LambdaECRImageRetrievalPolicy",
    "Effect": "Allow",
    "Principal": {"Service": "lambda.amazonaws.com"},
    "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
    "Condition": {"StringLike": {"aws:sourceARN": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:*"}},
}


def test_lambda_needs_the_deployer_and_the_service_allowed():
    image = parse_image(IMAGE)
    deployer = build_policy(make_request("lambda", ["my-app"], "us-east-1", ACCOUNT).request).document
    no_repository_policy = simulate("lambda-create", image, identity(deployer))
    assert no_repository_policy.refusal.number == 3
    said = refusals.wording(no_repository_policy)
    assert said.text == "Lambda does not have permission to access the ECR image. Check the ECR permissions."
    assert "lambda.amazonaws.com" in " ".join(refusals.fix(no_repository_policy))
    assert simulate("lambda-create", image, identity(deployer), repository(LAMBDA_STATEMENT)).succeeded
    other_account = Caller.role(f"arn:aws:iam::{OTHER}:role/deployer")
    foreign = simulate(
        "lambda-create",
        image,
        identity(
            deployer
            | {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                        "Resource": image.arn,
                    }
                ]
            }
        ),
        repository(
            LAMBDA_STATEMENT,
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
                "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            },
        ),
        other_account,
    )
    assert foreign.refusal.number == 3, "aws:sourceARN names the repository account's functions only"


def test_lambda_adds_its_own_statement_when_the_deployer_may_set_the_repository_policy():
    image = parse_image(IMAGE)
    deployer = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [
                    "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:GetRepositoryPolicy",
                    "ecr:SetRepositoryPolicy",
                ],
                "Resource": image.arn,
            }
        ],
    }
    simulation = simulate("lambda-create", image, identity(deployer))
    assert simulation.succeeded
    assert simulation.results[2].verdict.granted_by == ("lambda",)


# -- wordings: as the real messages have them -------------------------------------------------


def corpus_text(name: str) -> str:
    return (ERRORS / f"{name}.txt").read_text()


def one_action_short(action: str) -> dict:
    return without_action(SEED, action)


def message_for(operation, image_text, document, caller_arn, session, repository_document=None):
    simulation = simulate(operation, parse_image(image_text), document, repository_document, Caller.role(caller_arn))
    return refusals.wording(simulation), simulation


@pytest.mark.parametrize(
    "corpus, operation, image, action, caller, session",
    [
        (
            "ci-codebuild-everything2-batchgetimage-no-identity-policy",
            "pull",
            "254865750963.dkr.ecr.us-west-2.amazonaws.com/everything2/e2lib:latest",
            "ecr:BatchGetImage",
            "arn:aws:iam::254865750963:role/Docker-Builder-CodeBuild-Role",
            "AWSCodeBuild-749228d3-4d07-4037-bd81-b631b0a0460e",
        ),
        (
            "ci-github-actions-moj-7245-initiatelayerupload-no-identity-policy",
            "push",
            "754256621582.dkr.ecr.eu-west-2.amazonaws.com/laa-pcuam/csv-converter:latest",
            "ecr:InitiateLayerUpload",
            "arn:aws:iam::754256621582:role/cloud-platform-ecr-e344de1fe05708ec-github",
            "GitHubActions",
        ),
        (
            "ecs-codepipeline-cdk-29876-cannotpull-403",
            "ecs-task",
            "123456789123.dkr.ecr.us-east-1.amazonaws.com/a2-ecr-app-repo:latest",
            "ecr:BatchGetImage",
            "arn:aws:iam::123456789123:role/execution",
            "SESSION",
        ),
        (
            "eks-appmesh-eks-charts-1044-401-other-region",
            "eks-pull",
            "840364872350.dkr.ecr.us-west-2.amazonaws.com/amazon/appmesh-controller:v1.12.5",
            "ecr:GetAuthorizationToken",
            "arn:aws:iam::840364872350:role/node",
            "SESSION",
        ),
        (
            "push-maven-spotify-364-403-unexpected-end-of-json",
            "push",
            IMAGE,
            "ecr:BatchCheckLayerAvailability",
            f"arn:aws:iam::{ACCOUNT}:role/ci",
            "SESSION",
        ),
    ],
)
def test_word_for_word_messages_are_the_real_ones(corpus, operation, image, action, caller, session):
    """Given the scenario of a real message (its image, role and the missing action), the
    simulation prints exactly what the user got."""
    image_arn = parse_image(image).arn
    policy = json.loads(json.dumps(SEED).replace("arn:aws:ecr:us-east-1:123456789012:repository/my-app", image_arn))
    said, simulation = message_for(operation, image, identity(without_action(policy, action)), caller, session)
    assert simulation.refusal.action == action and said.exact
    assert said.text.replace("SESSION", session) in corpus_text(corpus)


def test_cross_account_denial_matches_the_real_resource_based_message():
    text = corpus_text("ci-pytorch-137361-cross-account-no-resource-policy")
    image = "308535385114.dkr.ecr.us-east-1.amazonaws.com/pytorch/pytorch-linux-jammy-py3-clang18-asan:latest"
    caller = "arn:aws:iam::391835788720:role/ghci-lf-github-action-runners-runner-role"
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]}
    # the maintainers quote a repository policy for the account; this repository's lets it check layers only
    layer_check = repository(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::391835788720:root"},
            "Action": "ecr:BatchCheckLayerAvailability",
        }
    )
    said, simulation = message_for("push", image, identity(policy), caller, "i-03d4fc4f0ea90c6cd", layer_check)
    assert simulation.refusal.action == "ecr:InitiateLayerUpload"
    assert said.text.removeprefix("denied: ").replace("SESSION", "i-03d4fc4f0ea90c6cd") in text


def test_the_lambda_and_login_wordings_are_the_real_ones():
    assert "Lambda does not have permission to access the ECR image. Check the ECR permissions." in corpus_text(
        "lambda-bedrock-gateway-127-no-permission-ecr-image"
    )
    no_login = {"Version": "2012-10-17", "Statement": SEED["Statement"][1:]}
    said, _ = message_for("push", IMAGE, identity(no_login), f"arn:aws:iam::{ACCOUNT}:role/x", "S")
    first, second = said.text.splitlines()
    old_format = corpus_text("ci-buildkite-166-getauthorizationtoken-old-format")
    assert first.split(" User: ")[0] in old_format and "on resource: * because no identity-based policy" in first
    wordings = json.loads((FIXTURES / "real" / "client-wordings.json").read_text())["items"]
    orb = next(item["text"] for item in wordings if item["source"] == said.sources[1])
    assert second in orb


def test_every_cited_thread_is_in_the_corpus_or_the_quoted_wordings():
    cited = set()
    for operation in OPERATIONS:
        for action in [None, *{r.action for r in simulate(operation, parse_image(IMAGE), identity(SEED)).results}]:
            if action is None:
                continue
            simulation = simulate(operation, parse_image(IMAGE), identity(without_action(SEED, action)))
            said = refusals.wording(simulation)
            if said:
                cited.update(said.sources)
    corpus = {json.loads(p.read_text())["source"] for p in ERRORS.glob("*.meta.json")}
    quoted = {item["source"] for item in json.loads((FIXTURES / "real" / "client-wordings.json").read_text())["items"]}
    assert cited and cited <= corpus | quoted, cited - corpus - quoted


# -- the image reference ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        (IMAGE, (ACCOUNT, "us-east-1", "my-app", "v1")),
        (f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/team-a/api", (ACCOUNT, "us-east-1", "team-a/api", "latest")),
        ("066635153087.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1.0", ("066635153087", "cn-north-1", "app", "1.0")),
        (
            f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/app@sha256:" + "a" * 64,
            (ACCOUNT, "us-east-1", "app", "sha256:" + "a" * 64),
        ),
    ],
)
def test_image_references_as_users_write_them(text, expected):
    assert tuple(parse_image(text)) == expected


@pytest.mark.parametrize(
    "text, words",
    [
        ("my-app:v1", "does not name a private ECR registry host"),
        ("public.ecr.aws/alias/app:1", "ECR Public"),
        (f"https://{IMAGE}", "without the scheme"),
        (f"{ACCOUNT}.dkr.ecr.cn-north-1.amazonaws.com/app", "end in .amazonaws.com.cn"),
        (f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/My-App:v1", "upper-case"),
        (f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/app:-bad", "is not a tag"),
        (f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/app*:v1", "wildcard"),
        (f"{ACCOUNT}.dkr.ecr.us-east-1a.amazonaws.com/app", "availability zone"),
        (f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/app\x1b]52;c;eA==\x07", "control characters"),
    ],
)
def test_bad_image_references_say_what_is_wrong(text, words):
    with pytest.raises(ImageError) as caught:
        parse_image(text)
    assert words in str(caught.value) and "\x1b" not in str(caught.value)


# -- renderings -------------------------------------------------------------------------------


def test_the_diagram_and_mermaid_show_every_call_and_keep_outside_text_inert():
    hostile = {**SEED, "Statement": [{**SEED["Statement"][0], "Sid": "A;B#C%%{init}"}, *SEED["Statement"][1:]]}
    simulation = simulate("pull", parse_image(IMAGE), identity(hostile))
    diagram = diagram_lines(simulation)
    assert all(len(line) <= 78 for line in diagram)
    assert sum("►│" in line for line in diagram) == 4
    chart = mermaid(simulation)
    assert chart.startswith("sequenceDiagram\n") and chart.count("E-->>C") == 4
    assert (
        "%%" not in chart
        and "A;B" not in chart
        and "{init}" not in chart
        and "A#59;B#35;C#37;#37;#123;init#125;" in chart
    )
    data = as_dict(simulation)
    assert data["succeeded"] and [call["outcome"] for call in data["calls"]] == [ALLOWED, UNCHECKED, ALLOWED, ALLOWED]


def test_report_lines_fit_a_terminal_except_commands_and_addresses():
    simulation = simulate("eks-pull", parse_image(IMAGE), identity(without_action(SEED, "ecr:GetDownloadUrlForLayer")))
    for line in report_lines(simulation):
        assert len(line) <= 78 or " " not in line.strip() or "$ " in line or "https://" in line, line


# -- the command line -------------------------------------------------------------------------


def test_cli_exit_statuses(tmp_path: Path):
    seed = str(FIXTURES / "seed_policy.json")
    assert run_cli("simulate", seed, "push", IMAGE).returncode == 0
    broken = run_cli("simulate", str(FIXTURES / "bad" / "push-without-layer-check.json"), "push", IMAGE)
    assert broken.returncode == 1
    assert 'unexpected end of JSON input: ""' in broken.stdout and broken.stderr == ""
    bad_image = run_cli("simulate", seed, "push", "my-app:v1")
    assert bad_image.returncode == 2 and bad_image.stdout == "" and bad_image.stderr.startswith("error: image")
    not_json = tmp_path / "x.json"
    not_json.write_text("{nope")
    unreadable = run_cli("simulate", str(not_json), "pull", IMAGE)
    assert unreadable.returncode == 2 and "is not a policy" in unreadable.stderr
    unknown = run_cli("simulate", seed, "fly", IMAGE)
    assert unknown.returncode == 2 and "invalid choice" in unknown.stderr


def test_cli_reads_stdin_and_both_halves_across_accounts(tmp_path: Path):
    policy = tmp_path / "repository.json"
    grant = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Other",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
                "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            }
        ],
    }
    policy.write_text(json.dumps(grant))
    alone = run_cli("simulate", "-", "ecs-task", IMAGE, "--as", OTHER, stdin=json.dumps(PULL_ONLY))
    assert (
        alone.returncode == 1 and "CannotPullContainerError" in alone.stdout and "--repository-policy" in alone.stdout
    )
    both = run_cli(
        "simulate",
        "-",
        "ecs-task",
        IMAGE,
        "--as",
        OTHER,
        "--repository-policy",
        str(policy),
        stdin=json.dumps(PULL_ONLY),
    )
    assert both.returncode == 0, both.stdout
    assert "both the identity policy and the repository policy must allow" in both.stdout
    swapped = run_cli(
        "simulate", str(policy), "ecs-task", IMAGE, "--as", OTHER, "--identity-policy", "-", stdin=json.dumps(PULL_ONLY)
    )
    assert swapped.returncode == 0
    twice = run_cli("simulate", str(policy), "pull", IMAGE, "--repository-policy", str(policy))
    assert twice.returncode == 2 and "already the repository policy" in twice.stderr
    wrong_partition = run_cli("simulate", "-", "pull", IMAGE, "--as", "arn:aws-cn:iam::210987654321:role/x", stdin="{}")
    assert wrong_partition.returncode == 2


def test_cli_json_and_hostile_sids(tmp_path: Path):
    hostile = {**SEED, "Statement": [{**SEED["Statement"][0], "Sid": "X\x1b]52;c;aGk=\x07"}, *SEED["Statement"][1:]]}
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(hostile))
    text = run_cli("simulate", str(path), "pull", IMAGE)
    assert text.returncode == 0 and "\x1b" not in text.stdout and "\\x1b]52" in text.stdout
    machine = run_cli("simulate", str(path), "pull", IMAGE, "--format", "json")
    data = json.loads(machine.stdout)
    assert data["succeeded"] and data["calls"][0]["statement"].startswith("statement 1")


def test_trust_policies_are_not_simulated(tmp_path: Path):
    trust = FIXTURES / "real" / "policies" / "trust-terraform-gimmeursocks-ec2-jenkins.json"
    result = run_cli("simulate", str(trust), "pull", IMAGE)
    assert result.returncode == 2 and "trust policy" in result.stderr


# -- the call map (item 2) against botocore's copy of ECR's API reference ------------------------

PUSHED = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:PutImage",
)
PULLED = ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")


def test_the_call_map_agrees_with_ecrs_api_reference():
    """ECR's API reference (botocore's copy, written by AWS) says which operations a push and a
    pull call; the catalog's call map says the same, and every entry names its pages."""
    import botocore.session

    from wizard.core.catalog import CATALOG

    model = botocore.session.get_session().get_service_model("ecr")
    for name in (*PUSHED, *PULLED, "ecr:GetAuthorizationToken"):
        row = CATALOG[name]
        documentation = model.operation_model(row.short_name).documentation
        if name in PUSHED:
            assert "When an image is pushed" in documentation, name
        if name in PULLED:
            assert "When an image is pulled" in documentation, name
        calls = row.calls
        assert calls.api_source.endswith(f"API_{row.short_name}.html")
        assert calls.cli.startswith("aws ecr ") and calls.cli_source.startswith("https://docs.aws.amazon.com/cli/")
        assert calls.cli.split()[-1] in calls.cli_source
        for request in calls.requests:
            assert request.source.startswith("https://")
    for row in CATALOG.values():
        assert row.calls is not None, row.name
    pushes = [CATALOG[name].calls.requests[0].render("app") for name in PUSHED]
    assert pushes == [
        "HEAD /v2/app/blobs/<digest>",
        "POST /v2/app/blobs/uploads/",
        "PATCH /v2/app/blobs/uploads/<upload-id>",
        "PUT /v2/app/blobs/uploads/<upload-id>?digest=<digest>",
        "PUT /v2/app/manifests/TAG",
    ]
