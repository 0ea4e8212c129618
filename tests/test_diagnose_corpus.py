"""`diagnose` judged on 40 real error messages (tests/fixtures/real/errors), each with the
diagnosis written down before the tool existed.

Every field of every sidecar is compared. Where this tool deliberately answers otherwise, the
answer it gives instead is pinned in DISAGREEMENTS with the reason, so a change in either
direction fails here. `python -m tests.test_diagnose_corpus` prints the figures.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from wizard.core.diagnose import diagnose

ERRORS = FIXTURES / "real" / "errors"
CASES = sorted(ERRORS.glob("*.txt"))
FIELDS = (
    "principal",
    "principal_account",
    "action",
    "resource",
    "repository",
    "region",
    "resource_account",
    "reason",
    "side",
    "workload",
    "access_needed",
    "need_more",
)

DISAGREEMENTS = {
    ("ecs-fargate-bedrock-gateway-127-cross-account-403", "side"): (
        "unknown",
        "the sidecar reads 'repository' from a twin Lambda failure in the same thread; this text alone (a bare "
        "403 on the manifest, no principal) cannot tell the execution role's side from the repository's",
    ),
    ("eks-lbc-1736-unauthorized-authentication-required", "side"): (
        "unknown",
        "the sidecar takes the maintainer's advice (node role); the text only says the kubelet sent no "
        "credentials, which the node role, the registry's region or injected credentials can each cause "
        "(listed as causes 1-3, the node role first)",
    ),
    ("login-aws-cli-5592-explicit-deny-no-policy-type", "reason"): (
        "explicit-deny",
        "the message says 'with an explicit deny': that is the reason, only its policy type is unknown "
        "(need_more asks for it); 'unknown' would throw away the one thing the text says",
    ),
    ("oidc-circleci-aws-cli-orb-208-assume-role", "side"): (
        "trust",
        "the fix is the role's trust policy; the sidecar's notes ask for a 'trust' side value, which diagnose has",
    ),
    ("oidc-github-configure-aws-credentials-1358-assume-role", "side"): (
        "trust",
        "as above: the role's trust policy is the side to change",
    ),
    ("oidc-gitlab-ironforge-doc-assume-role-branch", "side"): (
        "trust",
        "as above: the role's trust policy is the side to change",
    ),
    ("policy-guardian-cdk-2704-registry-url-as-resource", "reason"): (
        "invalid-policy",
        "IAM rejected the policy itself (a registry URL as Resource); the sidecar uses 'unknown' only because "
        "its vocabulary had no reason for it",
    ),
    ("pull-token-expired-buildkite-178-old-format", "workload"): (
        "unknown",
        "nothing in the text (docker-compose output) says CI; the sidecar knows it from the Buildkite thread",
    ),
}
"""(file, field) -> (the value diagnose gives, why it differs from the sidecar)."""


def _meta(path: Path) -> dict:
    return json.loads(path.with_name(path.stem + ".meta.json").read_text())


def expected_value(path: Path, field: str):
    value = _meta(path)["expected"][field]
    return value is not None if field == "need_more" else value


def our_value(diagnosis, field: str):
    if field == "principal":
        return diagnosis.principal_arn
    if field == "principal_account":
        return diagnosis.principal_account
    if field == "workload":
        return diagnosis.workload.value if diagnosis.workload else "unknown"
    if field == "need_more":
        return diagnosis.need_more is not None
    return getattr(diagnosis, field)


def comparison(path: Path) -> dict[str, tuple]:
    """field -> (sidecar, ours) for one message."""
    diagnosis = diagnose(path.read_text())
    return {field: (expected_value(path, field), our_value(diagnosis, field)) for field in FIELDS}


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_each_field_is_the_expectation_written_before_the_tool_or_a_stated_disagreement(path):
    wrong = {}
    for field, (sidecar, ours) in comparison(path).items():
        pinned = DISAGREEMENTS.get((path.stem, field))
        wanted = pinned[0] if pinned else sidecar
        if ours != wanted:
            wrong[field] = {"sidecar": sidecar, "pinned": pinned and pinned[0], "ours": ours}
    assert wrong == {}


def test_every_disagreement_is_still_a_disagreement():
    """A pinned answer that now equals the sidecar is no longer a disagreement: drop it."""
    for (stem, field), (ours, _) in DISAGREEMENTS.items():
        assert expected_value(ERRORS / f"{stem}.txt", field) != ours, (stem, field)


FIRST_CAUSES = {
    "ecs-clouddebug-jetbrains-2318-pull-access-denied-other-account": "task execution role",
    "ecs-codepipeline-cdk-29876-cannotpull-403": "lacks ecr:BatchGetImage",
    "eks-lbc-1736-unauthorized-authentication-required": "node role lacks",
    "lambda-bedrock-gateway-127-no-permission-ecr-image": "lambda.amazonaws.com",
    "login-aws-cli-5592-explicit-deny-no-policy-type": "MFA",
    "oidc-circleci-aws-cli-orb-208-assume-role": "sub condition",
    "oidc-github-configure-aws-credentials-1358-assume-role": "sub condition",
    "oidc-gitlab-ironforge-doc-assume-role-branch": "sub condition",
    "push-buildx-cht-core-9175-403-image-limit": "lacks ecr:PutImage",
    "push-ecr-login-14-unexpected-end-of-json": "ecr:BatchCheckLayerAvailability",
    "push-maven-spotify-364-403-unexpected-end-of-json": "ecr:BatchCheckLayerAvailability",
    "ci-jenkins-pipeline-aws-217-cross-account-old-format": "repository policy",
}
"""The sidecar's first likely cause, by a phrase ours must hold in its first cause."""
CAUSE_ORDER_DISAGREEMENTS = {
    "ecs-agent-308-cross-account-misleading-404": (
        "image or tag does not exist",
        "the sidecar puts the reporter's cross-account setup first (from the thread); from the text, a 404 is "
        "most often a missing tag, and the refused cross-account pull comes second",
    ),
    "ecs-fargate-bedrock-gateway-127-cross-account-403": (
        "task execution role",
        "the sidecar knows from the thread that the image is another account's; the text does not",
    ),
    "eks-appmesh-eks-charts-1044-401-other-region": (
        "node role lacks",
        "the sidecar knows the cluster's region from the thread; from the text the node role comes first and "
        "the other region second",
    ),
    "eks-efs-csi-245-no-basic-auth-other-region": ("node role lacks", "as above"),
}


@pytest.mark.parametrize("path", [p for p in CASES if _meta(p)["expected"]["need_more"]], ids=lambda p: p.stem)
def test_need_more_answers_list_causes_most_likely_first(path):
    diagnosis = diagnose(path.read_text())
    assert diagnosis.need_more and len(diagnosis.likely_causes) >= 2
    phrase = FIRST_CAUSES.get(path.stem) or CAUSE_ORDER_DISAGREEMENTS[path.stem][0]
    assert phrase in diagnosis.likely_causes[0]


def corpus_figures() -> dict[str, str]:
    """For the closing note: messages fully right, right side, right need-more, field by field."""
    rows = {path.stem: comparison(path) for path in CASES}
    total = len(rows)
    full = sum(all(s == o for s, o in fields.values()) for fields in rows.values())
    figures = {
        "messages": str(total),
        "all fields as the sidecar": f"{full}/{total}",
        "side as the sidecar": f"{sum(f['side'][0] == f['side'][1] for f in rows.values())}/{total}",
        "need-more as the sidecar": f"{sum(f['need_more'][0] == f['need_more'][1] for f in rows.values())}/{total}",
    }
    for field in FIELDS:
        figures[f"field {field}"] = f"{sum(f[field][0] == f[field][1] for f in rows.values())}/{total}"
    figures["stated disagreements"] = str(len(DISAGREEMENTS))
    return figures


if __name__ == "__main__":
    for name, value in corpus_figures().items():
        print(f"{name:32} {value}")
