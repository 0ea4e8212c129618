"""`check` and `explain` for every kind of ECR document: the grammar AWS applies to each,
principals, risk classes, reach by evaluation, intent; and every document `generate` writes
checks clean."""

from __future__ import annotations

import itertools
import json

import pytest

from tests.conftest import run_cli
from wizard.core.describe import explain_document
from wizard.core.lint import check_policy, check_text
from wizard.core.policy import Kind, document_from_json


def doc(*statements, version="2012-10-17"):
    return {"Version": version, "Statement": list(statements)}


def codes(document, kind=None, account=None):
    return sorted(f.code for f in check_policy(document, kind, account))


LAMBDA_PULL = {
    "Sid": "LambdaECRImageRetrievalPolicy",
    "Effect": "Allow",
    "Principal": {"Service": "lambda.amazonaws.com"},
    "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
    "Condition": {"StringLike": {"aws:sourceArn": "arn:aws:lambda:us-east-1:123456789012:function:*"}},
}


@pytest.mark.parametrize(
    "document, kind",
    [
        (doc({"Effect": "Allow", "Action": "ecr:BatchGetImage", "Resource": "*"}), Kind.IDENTITY),
        (doc(LAMBDA_PULL), Kind.REPOSITORY),
        (
            doc(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
                    "Action": ["ecr:CreateRepository", "ecr:ReplicateImage"],
                    "Resource": "arn:aws:ecr:us-east-1:123456789012:repository/*",
                }
            ),
            Kind.REGISTRY,
        ),
        (
            doc({"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}),
            Kind.TRUST,
        ),
        (doc({"Effect": "Allow", "Action": "ecr-public:GetAuthorizationToken", "Resource": "*"}), Kind.PUBLIC_IDENTITY),
        (doc({"Effect": "Allow", "Principal": "*", "Action": "ecr-public:PutImage"}), Kind.PUBLIC_REPOSITORY),
    ],
    ids=lambda value: getattr(value, "value", ""),
)
def test_the_kind_is_detected_from_the_content(document, kind):
    assert document_from_json(document).kind is kind


def test_the_cli_says_which_kind_and_kind_overrides(tmp_path):
    path = tmp_path / "lambda.json"
    path.write_text(json.dumps(doc(LAMBDA_PULL)))
    detected = run_cli("check", str(path))
    assert detected.returncode == 0
    assert "read as: repository policy (detected: its statements name a Principal and no Resource)" in detected.stdout
    forced = run_cli("check", "--kind", "identity", str(path))
    assert forced.returncode == 1 and "read as: identity policy (as requested)" in forced.stdout
    assert "an identity policy has no Principal" in forced.stdout
    explained = run_cli("explain", str(path))
    assert "Who: the service lambda.amazonaws.com" in explained.stdout
    assert "Only when: the request comes on behalf of arn:aws:lambda:us-east-1:123456789012:function:*" in " ".join(
        explained.stdout.split()
    ).replace("  ", " ")


def test_repository_policy_grammar():
    # The console's old default Sid and Terraform's empty Sids are accepted in repository policies.
    named = dict(LAMBDA_PULL, Sid="new policy")
    empty = dict(LAMBDA_PULL, Sid="")
    assert codes(doc(named, empty)) == []
    with_resource = dict(LAMBDA_PULL, Resource="*")
    assert "resource-in-repository-policy" in codes(doc(with_resource), Kind.REPOSITORY)
    token = {"Effect": "Allow", "Principal": {"AWS": "210987654321"}, "Action": "ecr:GetAuthorizationToken"}
    assert "token-in-resource-policy" in codes(doc(token), Kind.REPOSITORY)
    assert "no-principal" in codes(doc({"Effect": "Allow", "Action": "ecr:BatchGetImage"}), Kind.REPOSITORY)


def test_identity_sid_grammar_and_the_2008_version():
    statement = {"Sid": "has space", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}
    assert codes(doc(statement)) == ["bad-sid"]
    plain = {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}
    assert codes(doc(plain, version="2008-10-17")) == [], "2008-10-17 is legal"
    variable = {
        "Effect": "Allow",
        "Action": "ecr:BatchGetImage",
        "Resource": "arn:aws:ecr:us-east-1:1:repository/${aws:username}",
    }
    assert "version-variables" in codes(doc(plain, variable, version="2008-10-17"))


PUBLIC_PULL = {"Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}


@pytest.mark.parametrize(
    "principal",
    ["*", {"AWS": "*"}, {"AWS": "arn:aws:iam::*:root"}],
    ids=["star", "aws-star", "any-account-root"],
)
def test_public_principals_are_errors_unless_a_condition_narrows_who(principal):
    statement = dict(PUBLIC_PULL, Principal=principal)
    assert "public-principal" in codes(doc(statement), Kind.REPOSITORY)
    narrowed = dict(statement, Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}})
    assert "public-principal" not in codes(doc(narrowed), Kind.REPOSITORY)
    by_ip = dict(statement, Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})
    finding = next(f for f in check_policy(doc(by_ip), Kind.REPOSITORY) if f.code == "public-principal")
    assert "narrows where from, not who" in finding.message


def test_invalid_principals_and_other_partitions():
    for principal in (
        {"AWS": "ACCOUNT_NUMBER"},
        "arn:aws:iam::123456789012:root",
        {"AWS": "aws:ecr"},
        {"Service": "lambda"},
    ):
        statement = dict(PUBLIC_PULL, Principal=principal)
        assert "invalid-principal" in codes(doc(statement), Kind.REPOSITORY), principal
    china = {
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
        "Action": ["ecr:CreateRepository", "ecr:ReplicateImage"],
        "Resource": "arn:aws-cn:ecr:cn-north-1:123456789012:repository/*",
    }
    assert "other-partition-principal" in codes(doc(china), Kind.REGISTRY)


def test_principals_that_never_pull_and_lambda_without_a_source():
    nodes = dict(PUBLIC_PULL, Principal={"Service": "ec2.amazonaws.com"})
    assert "wrong-puller" in codes(doc(nodes), Kind.REPOSITORY)
    unconditioned = {k: v for k, v in LAMBDA_PULL.items() if k != "Condition"}
    assert "lambda-without-source" in codes(doc(unconditioned), Kind.REPOSITORY)
    execution_role = dict(PUBLIC_PULL, Principal={"AWS": "arn:aws:iam::123456789012:role/my-function-lambda-role"})
    assert "wrong-puller" in codes(doc(execution_role), Kind.REPOSITORY)


def test_dangerous_grants_are_errors_for_other_accounts_and_the_public():
    grant = {
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
        "Action": [
            "ecr:BatchGetImage",
            "ecr:SetRepositoryPolicy",
            "ecr:DeleteRepository",
            "ecr:PutImage",
            "ecr:UploadLayerPart",
        ],
    }
    findings = {f.code: f for f in check_policy(doc(grant), Kind.REPOSITORY, account="123456789012")}
    assert findings["permission-management"].severity == "error"
    assert findings["destructive"].severity == "error"
    assert findings["cross-account-write"].severity == "warning"
    same = {f.code: f for f in check_policy(doc(grant), Kind.REPOSITORY, account="210987654321")}
    assert same["permission-management"].severity == "warning" and "cross-account-write" not in same
    public = dict(grant, Principal="*")
    assert {f.code: f.severity for f in check_policy(doc(public), Kind.REPOSITORY)}["cross-account-write"] == "error"


def test_reach_is_evaluated_not_string_tested():
    allow = {"Effect": "Allow", "Action": "ecr:*", "Resource": "arn:aws:ecr:*:*:repository/*"}
    deny = {"Effect": "Deny", "Action": ["ecr:PutImage", "ecr:InitiateLayerUpload"], "Resource": "*"}
    login = {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}
    found = codes(doc(login, allow, deny))
    assert "resource-wildcard" in found and "action-wildcard" in found
    assert "incomplete-push" in found, "the Deny takes two upload actions away: push cannot work"
    text = explain_document(doc(login, allow, deny))
    assert "Push: no" in text and "Pull: yes" in text
    not_action = {
        "Effect": "Allow",
        "NotAction": "ecr:DeleteRepository",
        "Resource": "arn:aws:ecr:us-east-1:1:repository/a",
    }
    explained = " ".join(explain_document(doc(login, not_action)).split())
    assert (
        "Allows 0 actions" not in explained
        and "every action of every AWS service except ecr:DeleteRepository" in explained
    )


def test_the_login_token_is_never_called_every_repository():
    login = {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}
    text = " ".join(explain_document(doc(login)).split())
    assert "every repository" not in text
    assert "the only Resource these account-level actions take" in text


def test_non_ecr_grants_are_reported_not_called_harmless():
    for action, code in (
        ("s3:*", "other-service"),
        ("events:PutRule", "other-service"),
        ("*", "admin-access"),
        ("iam:*", "admin-access"),
    ):
        statement = {"Effect": "Allow", "Action": action, "Resource": "*"}
        assert code in codes(doc(statement)), action


def test_typo_suggestions_keep_the_kind_of_access():
    finding = next(
        f
        for f in check_text(json.dumps(doc({"Effect": "Allow", "Action": "ecr:GetImage", "Resource": "*"}))).findings
        if f.code == "unknown-action"
    )
    assert finding.fix == "did you mean ecr:BatchGetImage?"


def test_intent_from_names():
    push = {
        "Sid": "AllowPush",
        "Effect": "Allow",
        "Action": ["ecr:BatchGetImage"],
        "Resource": "arn:aws:ecr:us-east-1:1:repository/a",
    }
    assert "sid-intent-mismatch" in codes(doc(push))
    cache = {
        "Sid": "PullThroughCache",
        "Effect": "Allow",
        "Action": "ecr:BatchGetImage",
        "Resource": "arn:aws:ecr:us-east-1:1:repository/docker-hub/*",
    }
    assert "cache-incomplete" in codes(doc(cache))


def test_oidc_trust_without_an_owner_is_an_error():
    github = {
        "Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}},
    }
    assert "oidc-subject-missing" in codes(doc(github))
    broad = json.loads(json.dumps(github))
    broad["Condition"]["StringLike"] = {"token.actions.githubusercontent.com:sub": "repo:*"}
    assert "oidc-subject-too-broad" in codes(doc(broad))


GENERATED = [
    ["--role", "ci"],
    ["--role", "ecs"],
    ["--role", "eks"],
    ["--role", "lambda"],
    ["--role", "ci", "--trust", "github", "--github-repo", "my-org/my-app"],
    ["--role", "ci", "--trust", "gitlab", "--gitlab-project", "group/app"],
    ["--role", "ci", "--trust", "codebuild"],
    ["--role", "eks", "--trust", "eks-fargate", "--cluster", "prod"],
    ["--role", "eks", "--trust", "eks-pod-identity"],
    ["--role", "eks", "--principal", "210987654321"],
    ["--role", "ci", "--principal", "arn:aws:iam::210987654321:role/team/puller"],
    ["--role", "lambda", "--function-account", "210987654321"],
    ["--role", "ci", "--public"],
]


@pytest.mark.parametrize(
    "flags, document", list(itertools.product(GENERATED, ["identity", "trust", "repository"])), ids=str
)
def test_every_document_generate_writes_checks_clean(flags, document):
    result = run_cli(
        "generate",
        *flags,
        "--repo",
        "my-app",
        "--region",
        "us-east-1",
        "--account",
        "123456789012",
        "--document",
        document,
    )
    if result.returncode != 0:
        assert "no " in result.stderr or "has no" in result.stderr or "needs no" in result.stderr, result.stderr
        return
    checked = check_text(result.stdout)
    assert [f.code for f in checked.findings] == [], (flags, document, [f.message for f in checked.findings])
