"""The one evaluator, compared with moto's (an IAM evaluator nobody here wrote) on random
documents, and with IAM's documented semantics where moto does not go (NotResource, case of
action names, principals, conditions).
"""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from moto.iam.access_control import IAMPolicy, PermissionResult

from wizard.core.policy import Kind, document_from_json, parse_policy
from wizard.core.policy.evaluate import ActionMap, Caller, Effect, Request, evaluate
from wizard.core.reference import known_actions

ACTIONS = sorted(row.action for row in known_actions().values() if row.service == "ecr")
ACTION_PATTERNS = [
    "ecr:*",
    "ecr:Get*",
    "ecr:*Image*",
    "ecr:BatchGetImage",
    "ecr:PutImage",
    "*",
    "ecr:*Layer*",
    "ecr:Describe*",
]
RESOURCE_PATTERNS = [
    "*",
    "arn:aws:ecr:us-east-1:123456789012:repository/*",
    "arn:aws:ecr:us-east-1:123456789012:repository/app",
    "arn:aws:ecr:*:*:repository/team/*",
    "arn:aws:ecr:us-east-1:123456789012:repository/app*",
]
RESOURCES = [
    "arn:aws:ecr:us-east-1:123456789012:repository/app",
    "arn:aws:ecr:us-east-1:123456789012:repository/app2",
    "arn:aws:ecr:eu-west-1:111111111111:repository/team/x",
    "*",
]
MOTO = {
    PermissionResult.PERMITTED: Effect.ALLOW,
    PermissionResult.DENIED: Effect.DENY,
    PermissionResult.NEUTRAL: Effect.NONE,
}

# What moto evaluates faithfully: Allow/Deny, Action/NotAction with exact-case names,
# Resource (moto ignores NotResource and turns '?' into a regex quantifier).
moto_statement = st.fixed_dictionaries(
    {
        "Effect": st.sampled_from(["Allow", "Allow", "Deny"]),
        "Resource": st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=2, unique=True),
    }
).flatmap(
    lambda statement: st.one_of(
        st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=2, unique=True).map(
            lambda actions: {**statement, "Action": actions}
        ),
        st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=2, unique=True).map(
            lambda actions: {**statement, "NotAction": actions}
        ),
    )
)


@settings(max_examples=300, deadline=None)
@given(statements=st.lists(moto_statement, min_size=1, max_size=3), action=st.sampled_from(ACTIONS))
def test_agrees_with_moto_wherever_moto_evaluates(statements, action):
    text = json.dumps({"Version": "2012-10-17", "Statement": statements})
    document = parse_policy(text).document
    for resource in RESOURCES:
        expected = MOTO[IAMPolicy(text).is_action_permitted(action, resource)]
        assert evaluate(document, Request(action, resource)).effect is expected, (statements, action, resource)


full_statement = st.fixed_dictionaries(
    {
        "Effect": st.sampled_from(["Allow", "Allow", "Deny"]),
        "Action": st.lists(
            st.sampled_from([*ACTION_PATTERNS, "ECR:batchgetimage", "ecr-public:*"]), min_size=1, max_size=2
        ),
    },
    optional={
        "Resource": st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=2),
        "Condition": st.just({"StringEquals": {"aws:SourceAccount": "123456789012"}}),
    },
)


@settings(max_examples=200, deadline=None)
@given(statements=st.lists(full_statement, min_size=1, max_size=3))
def test_action_map_gives_the_same_answers_as_evaluate(statements):
    document = document_from_json({"Version": "2012-10-17", "Statement": statements})
    actions = ActionMap(document)
    universe = [row.action for row in known_actions().values()]
    for resource in RESOURCES:
        expected = {name for name in universe if evaluate(document, Request(name, resource)).allowed}
        assert set(actions.allowed(resource)) == expected


def _identity(*statements: dict):
    return document_from_json({"Version": "2012-10-17", "Statement": list(statements)})


def test_not_resource_excludes_what_it_lists():
    document = _identity(
        {"Effect": "Allow", "Action": "ecr:BatchGetImage", "NotResource": "arn:aws:ecr:us-east-1:1:repository/secret*"}
    )
    assert evaluate(document, Request("ecr:BatchGetImage", "arn:aws:ecr:us-east-1:1:repository/app")).allowed
    assert not evaluate(document, Request("ecr:BatchGetImage", "arn:aws:ecr:us-east-1:1:repository/secret-x")).allowed


def test_action_names_are_case_insensitive_and_arns_are_not():
    document = _identity(
        {"Effect": "Allow", "Action": "ECR:batchGETimage", "Resource": "arn:aws:ecr:us-east-1:1:repository/App"}
    )
    assert evaluate(document, Request("ecr:BatchGetImage", "arn:aws:ecr:us-east-1:1:repository/App")).allowed
    assert not evaluate(document, Request("ecr:BatchGetImage", "arn:aws:ecr:us-east-1:1:repository/app")).allowed


def test_the_login_token_scoped_to_a_repository_never_matches():
    document = _identity(
        {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "arn:aws:ecr:us-east-1:1:repository/app"}
    )
    assert evaluate(document, Request("ecr:GetAuthorizationToken", "*")).effect is Effect.NONE


def test_an_explicit_deny_wins_and_a_conditional_deny_is_reported():
    allow = {"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}
    deny = {"Effect": "Deny", "Action": "ecr:DeleteRepository", "Resource": "*"}
    assert evaluate(_identity(allow, deny), Request("ecr:DeleteRepository", "*")).effect is Effect.DENY
    conditional = {**deny, "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}
    decision = evaluate(_identity(allow, conditional), Request("ecr:DeleteRepository", "*"))
    assert decision.allowed and decision.conditional
    with_context = Request("ecr:DeleteRepository", "*", None, {"aws:multifactorauthpresent": ("false",)}, True)
    assert evaluate(_identity(allow, conditional), with_context).effect is Effect.DENY


def _repository(*statements: dict):
    return document_from_json({"Version": "2012-10-17", "Statement": list(statements)}, Kind.REPOSITORY)


def test_principals_in_a_repository_policy():
    document = _repository(
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"}, "Action": "ecr:BatchGetImage"},
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "ecr:GetDownloadUrlForLayer"},
    )
    role = Caller.role("arn:aws:iam::210987654321:role/puller")
    assert evaluate(document, Request("ecr:BatchGetImage", caller=role)).allowed, "the account delegates to its roles"
    assert not evaluate(
        document, Request("ecr:BatchGetImage", caller=Caller.role("arn:aws:iam::111111111111:role/x"))
    ).allowed
    assert evaluate(
        document, Request("ecr:GetDownloadUrlForLayer", caller=Caller.service("lambda.amazonaws.com"))
    ).allowed
    assert not evaluate(document, Request("ecr:GetDownloadUrlForLayer", caller=role)).allowed


def test_oidc_trust_conditions_with_a_complete_context():
    trust = document_from_json(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                        "StringLike": {
                            "token.actions.githubusercontent.com:sub": "repo:my-org/my-app:ref:refs/heads/main"
                        },
                    },
                }
            ],
        }
    )
    caller = Caller("Federated", "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com", None)

    def claims(sub: str) -> Request:
        context = {
            "token.actions.githubusercontent.com:aud": ("sts.amazonaws.com",),
            "token.actions.githubusercontent.com:sub": (sub,),
        }
        return Request("sts:AssumeRoleWithWebIdentity", "*", caller, context, True)

    assert evaluate(trust, claims("repo:my-org/my-app:ref:refs/heads/main")).allowed
    assert not evaluate(trust, claims("repo:my-org/my-app:ref:refs/heads/dev")).allowed
    assert not evaluate(trust, claims("repo:evil/my-app:ref:refs/heads/main")).allowed
