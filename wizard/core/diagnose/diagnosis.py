"""From what a message says (message.py) to what it means: who was refused, what it tried, on
what, why, which side must change, and, when the text is not enough, what else is needed and
the likely causes in order. Every value from the message is quoted when it reaches a sentence.
"""

from __future__ import annotations

import re
from collections import namedtuple

from wizard.core.catalog import CATALOG, lookup
from wizard.core.diagnose import reasons as R
from wizard.core.diagnose.message import (
    Clues,
    Principal,
    call_action,
    operation_action,
    read_message,
    symptom_actions,
    valid_region,
    valid_repository,
)
from wizard.core.reference import find_action
from wizard.core.request import Role
from wizard.core.text import quoted

LOGIN_ACTIONS = ("ecr:GetAuthorizationToken", "ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken")
PULL_ACTIONS = ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchImportUpstreamImage")
PUSH_ACTIONS = tuple(
    f"{service}:{name}"
    for service in ("ecr", "ecr-public")
    for name in (
        "BatchCheckLayerAvailability",
        "InitiateLayerUpload",
        "UploadLayerPart",
        "CompleteLayerUpload",
        "PutImage",
    )
)
POLICY_REASONS = ("no-identity-policy", "no-resource-policy", "invalid-policy", "unknown")
"""Reasons after which a policy of ours is the fix, or may be (unknown)."""


class DiagnoseError(ValueError):
    """The text cannot be diagnosed (nothing in it is an error this tool knows)."""


class Diagnosis(
    namedtuple(
        "Diagnosis",
        "principal action action_basis resource repository region resource_account public host "
        "reason side workload access_needed need_more likely_causes todo evidence notes sources",
    )
):
    """What a message means.

    principal: a message.Principal or None; action, resource, repository, region,
    resource_account: as the message gives them (None when absent or redacted beyond use);
    action_basis: how the action is known (named, operation, registry call); public: ECR
    Public; host: the registry host named; reason: a key of reasons.REASONS; side: one of
    reasons.SIDES; workload: a Role or None; access_needed: "login", "pull", "push" or None;
    need_more: what else is needed (a sentence) or None; likely_causes: most likely first;
    todo: what to do when no policy of ours fixes it; evidence: how each conclusion was
    reached; notes: warnings about the message (redactions, mistakes it shows); sources: the
    pages behind the reasoning.
    """

    __slots__ = ()

    @property
    def principal_arn(self) -> str | None:
        return self.principal.arn if self.principal else None

    @property
    def principal_account(self) -> str | None:
        return self.principal.account if self.principal else None


class _Facts(
    namedtuple("_Facts", "principal action basis resource repository region account public host relation raw_account")
):
    __slots__ = ()


def diagnose(text: str) -> Diagnosis:
    """Diagnose one error message (already within limits.MESSAGE_BYTES)."""
    clues = read_message(text)
    evidence: list[str] = []
    notes: list[str] = []
    facts = _facts(clues, evidence, notes)
    reason = _reason(clues, facts, evidence)
    if reason == "unknown" and not _recognised(clues, facts):
        raise DiagnoseError(
            "nothing in this text looks like an error about ECR access: paste the whole error message "
            "(the AWS CLI's AccessDenied line, docker's, the ECS stopped reason or the kubelet's event)"
        )
    access = _access(clues, facts, reason, evidence)
    workload = _workload(clues, facts, access, reason, evidence)
    if access is None and facts.action is None and not clues.has("web-identity"):
        access = _workload_access(workload, reason, evidence)
    side, situation = _side(clues, facts, reason, workload, access, evidence)
    fields = _fields(facts, workload, access)
    uncertainty = R.UNCERTAIN.get(situation) if situation else None
    notes += _notes(clues, facts, reason)
    return Diagnosis(
        principal=facts.principal,
        action=facts.action,
        action_basis=facts.basis,
        resource=facts.resource,
        repository=facts.repository,
        region=facts.region,
        resource_account=facts.account,
        public=facts.public,
        host=facts.host,
        reason=reason,
        side=side,
        workload=workload,
        access_needed=access,
        need_more=uncertainty.need.format(**fields) if uncertainty else None,
        likely_causes=tuple(cause.format(**fields) for cause in uncertainty.causes) if uncertainty else (),
        todo=_todo(clues, facts, reason, side, workload, fields),
        evidence=tuple(evidence),
        notes=tuple(notes),
        sources=tuple(dict.fromkeys(s for s in (R.REASONS[reason].source, uncertainty and uncertainty.source) if s)),
    )


def _recognised(clues: Clues, facts: _Facts) -> bool:
    signals = (
        *("forbidden", "not-found", "pull-access-denied", "web-identity", "manifest-unknown", "resource-denied"),
        "not-authorized",
    )
    return bool(clues.denials or clues.calls or clues.has(*signals) or symptom_actions(clues) or facts.action)


# What the message names ----------------------------------------------------------------------


def _facts(clues: Clues, evidence: list[str], notes: list[str]) -> _Facts:
    denial = clues.denial
    principal = denial.principal if denial else None
    action, basis = _action(clues, evidence)
    resource = denial.resource if denial else None
    region = account = repository = None
    public = False
    raw_account = None
    if resource and resource.startswith("arn:"):
        fields = resource.split(":", 5)
        partition_ok = len(fields) == 6
        region = valid_region(fields[3]) if partition_ok else None
        raw_account = fields[4] if partition_ok else None
        account = raw_account if raw_account and raw_account.isdigit() and raw_account.isascii() else None
        service = fields[2] if partition_ok else ""
        public = service == "ecr-public"
        name = fields[5].removeprefix("repository/") if partition_ok and fields[5].startswith("repository/") else None
        repository = valid_repository(name) if service in ("ecr", "ecr-public") else None
        if region is None and account is None and repository is None and not public:
            resource = None  # every identifying part redacted: nothing to build on
    image = _image(clues)
    host = image.host if image else None
    if resource is None and image and not clues.has("arn-format"):
        resource = _image_arn(image)
    called = next((call.repository for call in clues.calls if call.repository), None)
    repository = (
        repository or clues.missing_repository or _source_repository(clues) or (image and image.repository) or called
    )
    region = region or (image and valid_region(image.region)) or clues.api_region
    if account is None and image and image.account and image.account.isdigit():
        account = image.account
    if account is None and clues.registry_id and clues.registry_id.isdigit():
        account = clues.registry_id
    # A public.ecr.aws URI given as a private repository's name is a mistake, not ECR Public.
    from_public_image = bool(image and image.public and not clues.missing_repository)
    public = public or from_public_image or bool(action and action.startswith("ecr-public:"))
    relation = _relation(principal, raw_account if raw_account is not None else account, notes)
    shown_account = account or raw_account
    return _Facts(
        principal, action, basis, resource, repository, region, account, public, host, relation, shown_account
    )


def _action(clues: Clues, evidence: list[str]) -> tuple[str | None, str | None]:
    denial = clues.denial
    if denial and denial.action:
        return denial.action, "named"
    named = operation_action(clues)
    if named:
        evidence.append(f"action {named}: the SDK error names the {clues.operation} operation")
        return named, "operation"
    if any(image.ecr for image in clues.images):
        for call in clues.calls:
            action = call_action(call)
            if action:
                evidence.append(
                    f"action {action}: a {call.method} of the registry's {call.endpoint} is authorised as {action}"
                )
                return action, "registry call"
    return None, None


def _image(clues: Clues):
    """The image reference the message is about: an ECR one first."""
    return next((i for i in clues.images if i.ecr), None) or next(iter(clues.images), None)


def _image_arn(image) -> str | None:
    """The repository ARN of an ECR image reference, when its host names a real account and region."""
    account, region, name = image.account, valid_region(image.region), valid_repository(image.repository)
    if not (image.ecr and account and len(account) == 12 and account.isdigit() and region and name):
        return None
    partition = "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"
    return f"arn:{partition}:ecr:{region}:{account}:repository/{name}"


def _source_repository(clues: Clues) -> str | None:
    if not clues.source_image or not clues.has("source-image-invalid"):
        return None
    return clues.source_image.split("@", 1)[0].split(":", 1)[0] or None


def _relation(principal: Principal | None, resource_account: str | None, notes: list[str]) -> str:
    """ "same", "different" or "unknown": the caller's account against the repository's.
    Redactions that differ ("A" and "B") count as different accounts, equal ones as the same;
    a valid ID against a redaction, or an ID of the wrong length, cannot be compared."""
    caller = _account_field(principal) if principal else None
    for value in {caller, resource_account} - {None}:
        if value.isdigit() and len(value) != 12:
            notes.append(
                f"account {quoted(value)} has {len(value)} digits, not 12: not a valid account ID (a redaction?), "
                "so it is not compared with the other account"
            )
    if not caller or not resource_account:
        return "unknown"
    if all(len(v) == 12 and v.isdigit() for v in (caller, resource_account)):
        return "same" if caller == resource_account else "different"
    if not any(v.isdigit() for v in (caller, resource_account)):
        return _redactions(caller, resource_account)
    return "unknown"


def _redactions(first: str, second: str) -> str:
    """Two redacted accounts: "A" and "B", or ${ACCOUNT_ONE} and ${ACCOUNT_TWO}, are two
    accounts; equal ones are one; <account> and <accountId> are the same placeholder twice."""
    a, b = ("".join(c for c in v.lower() if c.isalnum()) for v in (first, second))
    if a == b:
        return "same"
    if a.startswith(b) or b.startswith(a):
        return "unknown"
    return "different"


def _account_field(principal: Principal) -> str | None:
    fields = principal.arn.split(":", 5)
    return fields[4] or None if len(fields) == 6 else None


# Why -----------------------------------------------------------------------------------------


def _reason(clues: Clues, facts: _Facts, evidence: list[str]) -> str:
    denial = clues.denial
    if denial and denial.effect:
        reason = R.POLICY_TYPE_REASONS.get((denial.effect, denial.policy_type), "unknown")
        evidence.append(f"reason {reason}: the message ends with its reason ({_clause_words(denial)})")
        return reason
    for marker, reason in (
        ("token-expired", "token-expired"),
        ("tag-immutable", "tag-immutable"),
        ("throttled", "throttled"),
        ("arn-format", "invalid-policy"),
        ("repository-missing", "repository-missing"),
        ("manifest-unknown", "repository-missing"),
        ("source-image-invalid", "repository-missing"),
    ):
        if clues.has(marker):
            return reason
    if clues.has("network") and not denial:
        return "network"
    if clues.has("no-basic-auth", "auth-required") and not denial:
        return "not-authenticated"
    if "ecr:BatchGetImage" in symptom_actions(clues) and "lambda" in clues.lowered:
        evidence.append("reason no-resource-policy: what Lambda's 'does not have permission' message means")
        return "no-resource-policy"
    if _assumes_role(clues, facts):
        return "unknown"  # the trust policy refused; which of its conditions, the text does not say
    if denial and denial.action:
        return _reason_without_clause(facts, evidence)
    return "unknown"


def _assumes_role(clues: Clues, facts: _Facts) -> bool:
    """The refused call is a role assumption (OIDC or sts:AssumeRole): no ECR call happened yet."""
    return clues.has("web-identity") or bool(facts.action and facts.action.lower().startswith("sts:assumerole"))


def _clause_words(denial) -> str:
    if denial.effect == "explicit":
        return f"with an explicit deny in a {denial.policy_type}" if denial.policy_type else "with an explicit deny"
    return f"because no {denial.policy_type} allows it"


def _reason_without_clause(facts: _Facts, evidence: list[str]) -> str:
    """The pre-2021 message has no reason: infer it where the action or the accounts allow."""
    if facts.action in LOGIN_ACTIONS:
        evidence.append(
            "reason no-identity-policy (inferred): the message gives no reason, but only an identity policy "
            f"can grant {facts.action}"
        )
        return "no-identity-policy"
    if facts.relation == "different":
        if facts.principal and facts.principal.kind == "root":
            evidence.append(
                "reason no-resource-policy (inferred): an account's root user has every permission in its own "
                "account, so across accounts only the repository policy can be missing"
            )
            return "no-resource-policy"
        return "unknown"
    evidence.append(
        "reason no-identity-policy (inferred): the message gives no reason, and nothing shows another account "
        "(within one account either policy alone allows it; the identity policy is where it usually lives)"
    )
    return "no-identity-policy"


# What it tried, who it is --------------------------------------------------------------------


def _access(clues: Clues, facts: _Facts, reason: str, evidence: list[str]) -> str | None:
    action = facts.action
    if action and not _is_ecr(action, False):
        return None
    if action in LOGIN_ACTIONS:
        return "login"
    pushing = clues.has("push") or _name_says(facts.principal, ("push", "publish"))
    if action in PULL_ACTIONS:
        if pushing:
            evidence.append(f"access push: {action} is read by push tools too (crane, buildx), and the text says push")
            return "push"
        return "pull"
    if action in PUSH_ACTIONS:
        return "push"
    if action:
        return None  # an ECR action outside docker pull and push (DescribeImages...)
    if "ecr:BatchCheckLayerAvailability" in symptom_actions(clues):
        evidence.append("access push: " + CATALOG["ecr:BatchCheckLayerAvailability"].without)
        return "push"
    if clues.has("repository-missing") and not clues.has("pull", "not-found"):
        evidence.append("access push: docker push reports a missing repository as a bare 'name unknown'")
        return "push"
    if pushing:
        return "push"
    if clues.has("pull", "build-from") or symptom_actions(clues):
        return "pull"
    return None


def _workload_access(workload, reason: str, evidence: list[str]) -> str | None:
    """What the workload does with images, when the text does not say."""
    if workload in (Role.ECS, Role.EKS, Role.LAMBDA):
        evidence.append(f"access pull: {_WORKLOAD_WORDS[workload]} pulls images")
        return "pull"
    if workload is Role.CI and reason in POLICY_REASONS:
        evidence.append("access push: a CI pipeline pushes images")
        return "push"
    return None


def _is_ecr(action: str | None, absent: bool) -> bool:
    if action is None:
        return absent
    return action.split(":")[0].lower() in ("ecr", "ecr-public") or action in LOGIN_ACTIONS


def _name_says(principal: Principal | None, words: tuple[str, ...]) -> bool:
    name = " ".join(part for part in (principal.name, principal.session) if part).lower() if principal else ""
    return any(word in name for word in words)


_RUNTIME_SIGNS = (
    (Role.LAMBDA, ("does not have permission to access the ecr image", "lambda function", "createfunction")),
    (Role.EKS, ("kubelet", "imagepullbackoff", "errimagepull", "kube-system", "pod=", "failed to pull image")),
    (
        Role.ECS,
        (
            *("cannotpullcontainererror", "cannotpullecrcontainererror", "arn:aws:ecs:"),
            *("unable to retrieve ecr registry auth", "fargate"),
        ),
    ),
)
"""Words only a runtime prints (the consumer of the image): strongest evidence of the workload."""
_NAME_SIGNS = (
    (Role.LAMBDA, ("lambda",)),
    (Role.EKS, ("eks", "k8s", "kube", "nodeinstance", "node-role", "nodegroup", "karpenter", "external-secrets")),
    (Role.ECS, ("ecs", "taskexecution", "task-execution", "fargate")),
    (
        Role.CI,
        (
            *("github", "gitlab", "codebuild", "jenkins", "buildkite", "circleci", "bitbucket", "runner"),
            *("pipeline", "build", "deploy", "publish", "push"),
        ),
    ),
)
"""Words in a role, user or session name."""
_CI_TEXT = (
    "[container]",
    "process completed with exit code",
    "github",
    "gitlab",
    "jenkins",
    "buildkite",
    "circleci",
    "bitbucket",
    "codebuild",
    "buildx",
)


def _workload(clues: Clues, facts: _Facts, access, reason: str, evidence: list[str]) -> Role | None:
    for role, fragments in _RUNTIME_SIGNS:
        found = next((f for f in fragments if f in clues.lowered), None)
        if found:
            evidence.append(f"workload {role.value}: the text says {quoted(found)}")
            return role
    if clues.has("web-identity"):
        evidence.append(
            "workload ci: an OIDC web identity (CI pipelines assume roles this way; EKS service accounts do too)"
        )
        return Role.CI
    principal = facts.principal
    for role, words in _NAME_SIGNS:
        for part in (principal.name, principal.session) if principal else ():
            word = next((w for w in words if part and w in part.lower()), None)
            if word:
                evidence.append(f"workload {role.value}: the caller is named {quoted(part)}")
                return role
    found = next((f for f in _CI_TEXT if f in clues.lowered), None) or (clues.has("build-from") and "docker build")
    if found:
        evidence.append(f"workload ci: the text says {quoted(found)}")
        return Role.CI
    if access == "push" and reason in POLICY_REASONS and not (principal and principal.kind == "root"):
        evidence.append("workload ci (a guess): pushing images is usually a build pipeline's job (--role to correct)")
        return Role.CI
    return None


# Which side must change ----------------------------------------------------------------------


def _side(clues: Clues, facts: _Facts, reason: str, workload, access, evidence: list[str]):
    """The side, and the name of the uncertainty when the text is not enough (or None)."""
    fixed = R.REASONS[reason].side
    if reason == "no-identity-policy":
        if facts.relation == "different":
            evidence.append("side both: the caller and the repository are in different accounts")
            return R.BOTH, None
        return R.IDENTITY, None
    if reason == "no-resource-policy" and "ecr:BatchGetImage" in symptom_actions(clues):
        return R.REPOSITORY, None if facts.repository else "lambda-image"
    if fixed:
        return fixed, None
    if reason == "explicit-deny":
        return R.UNKNOWN, "explicit-deny"
    if reason == "not-authenticated":
        return _unauthenticated_side(clues, facts, workload, evidence)
    return _unknown_side(clues, facts, access)


def _unauthenticated_side(clues: Clues, facts: _Facts, workload, evidence: list[str]):
    if workload is Role.EKS and facts.repository and facts.repository.rsplit("/", 1)[-1] == "pause":
        evidence.append(
            "side none-of-ours: the pause (sandbox) image is pulled by the container runtime itself, which "
            "does not use the kubelet's ECR credential provider"
        )
        return R.NONE_OF_OURS, None
    if workload is Role.EKS:
        return R.UNKNOWN, "kubelet-credentials"
    return R.NONE_OF_OURS, None


def _unknown_side(clues: Clues, facts: _Facts, access):
    if clues.has("web-identity"):
        return R.TRUST, "web-identity"
    if _assumes_role(clues, facts):
        return R.TRUST, "assume-role"
    if clues.has("resource-denied") and not clues.denials:
        return R.UNKNOWN, "docker-hub-denied"
    if clues.has("not-authorized") and not clues.denials:
        return R.UNKNOWN, "registry-login"
    if clues.denial and clues.denial.action and facts.relation == "different":
        return R.BOTH, "old-cross-account"
    if "ecr:BatchCheckLayerAvailability" in symptom_actions(clues):
        return R.UNKNOWN, "empty-403"
    if clues.has("forbidden"):
        if facts.action == "ecr:GetDownloadUrlForLayer":
            return R.UNKNOWN, "forbidden-layer"
        return R.UNKNOWN, "forbidden-push" if access == "push" else "forbidden-pull"
    if clues.has("not-found"):
        return R.UNKNOWN, "not-found"
    if clues.has("pull-access-denied"):
        return R.UNKNOWN, "pull-denied"
    return R.UNKNOWN, "forbidden-push" if access == "push" else "forbidden-pull"


# Words ---------------------------------------------------------------------------------------


def account_words(value: str) -> str:
    """An account ID as sentences show it: a valid one as is, anything else quoted."""
    return value if len(value) == 12 and value.isdigit() and value.isascii() else quoted(value)


def who(principal: Principal | None, session: bool = True) -> str:
    """The caller in words: role NAME (session S) in account A."""
    if principal is None:
        return "the caller (the message does not name it)"
    account = _account_field(principal)
    where = f" in account {account_words(account)}" if account else ""
    if principal.kind == "assumed-role" and principal.name:
        shown = f" (session {quoted(principal.session)})" if principal.session and session else ""
        return f"role {quoted(principal.name)}{shown}{where}"
    if principal.kind in ("role", "user", "federated-user") and principal.name:
        return f"{principal.kind.replace('-', ' ')} {quoted(principal.name)}{where}"
    if principal.kind == "root":
        return f"the root user of account {account_words(account or '?')}"
    return quoted(principal.arn)


def where(diagnosis_or_facts) -> str:
    """The repository in words: repository NAME in account A, REGION."""
    facts = diagnosis_or_facts
    account = getattr(facts, "resource_account", None) or getattr(facts, "account", None)
    if facts.repository:
        place = ", ".join(
            part for part in (f"account {account_words(account)}" if account else "", facts.region or "") if part
        )
        kind = "ECR Public repository" if facts.public else "repository"
        return f"{kind} {quoted(facts.repository)}" + (f" in {place}" if place else "")
    if facts.resource and facts.resource != "*":
        return quoted(facts.resource)
    if facts.resource == "*":
        return "the registry (the login token is not tied to a repository)"
    if _is_ecr(facts.action, True):
        return "an image (the message does not name its repository)"
    return "a resource the message does not name"


PULLERS = {
    Role.ECS: "the task execution role (the task definition's executionRoleArn; EC2 launch type without one: the "
    "container instance role)",
    Role.EKS: "the node role (the kubelet pulls with it)",
    Role.LAMBDA: "the Lambda service (through the repository policy) and the function's deployer",
    Role.CI: "the pipeline's role",
}


def _fields(facts: _Facts, workload, access) -> dict:
    return {
        "action": facts.action or ("the push" if access == "push" else "the pull"),
        "who": who(facts.principal),
        "where": where(facts),
        "account": f"account {account_words(facts.principal.account)}"
        if facts.principal and facts.principal.account
        else "the caller's account",
        "puller": PULLERS.get(workload, "the principal that pulls"),
        "host": quoted(facts.host) if facts.host else "the image's registry",
        "resource_account": account_words(facts.raw_account) if facts.raw_account else "the image's account",
        "principal_account": account_words(_account_field(facts.principal) or "?")
        if facts.principal
        else "the caller's",
        "decode": "aws sts decode-authorization-message, or the event in CloudTrail",
        "symptom": CATALOG["ecr:BatchCheckLayerAvailability"].without,
    }


def _todo(clues: Clues, facts: _Facts, reason: str, side: str, workload, fields: dict) -> tuple[str, ...]:
    lines = []
    template = R.REASONS[reason].todo
    if template:
        lines.append(template.format(**fields))
    if reason == "not-authenticated" and side == R.NONE_OF_OURS:
        lines.append(_login_advice(facts, workload))
    if reason == "repository-missing":
        lines.append(_missing_repository_advice(clues, facts))
    if clues.has("encoded"):
        lines.append(
            "The message carries an encoded authorization failure: `aws sts decode-authorization-message "
            "--encoded-message ...` (needs sts:DecodeAuthorizationMessage) shows the policy and statement that "
            "refused it."
        )
    if facts.action and not _is_ecr(facts.action, False) and side in (R.IDENTITY, R.REPOSITORY, R.BOTH):
        lines.append(
            f"{quoted(facts.action)} is not an ECR action: this tool writes ECR policies. Add that action on "
            f"{where(facts)} to the {'repository' if side == R.REPOSITORY else 'identity'} policy of {fields['who']}."
        )
    if side == R.TRUST and not clues.has("web-identity"):
        lines.append(
            "The fix is in the trust policy of the role being assumed (in that role's account): it must name the "
            f"caller ({fields['who']}) or its account as a principal allowed sts:AssumeRole; across accounts the "
            "caller's identity policy must also allow sts:AssumeRole on the role's ARN."
        )
    elif side == R.TRUST:
        lines.append(
            "The fix is in the role's trust policy (in the role's account), not in an ECR policy: "
            "`ecr-policy generate --role ci --trust github --github-repo OWNER/REPO --document trust` (or "
            "--trust gitlab --gitlab-project GROUP/PROJECT) writes one to compare with."
        )
    return tuple(lines)


def _login_advice(facts: _Facts, workload) -> str:
    if workload is Role.EKS:
        return (
            "The container runtime pulls this sandbox image without the kubelet's credentials: give containerd "
            "credentials for the registry, or use a pause image from a public registry."
        )
    host = quoted(facts.host) if facts.host else "the registry host"
    return (
        f"docker has no credentials for {host}: log in to exactly that host (account and region included) with "
        "`aws ecr get-login-password --region REGION | docker login --username AWS --password-stdin HOST`, or "
        "configure amazon-ecr-credential-helper for it. No policy change is needed unless that login fails."
    )


def _missing_repository_advice(clues: Clues, facts: _Facts) -> str:
    name = facts.repository or ""
    if name.startswith("public.ecr.aws/") or ".dkr.ecr." in name:
        return (
            f"{quoted(name)} is an image URI, not a repository name: give the name alone "
            f"({quoted(name.rsplit('/', 1)[-1])}), and note that public.ecr.aws is ECR Public, a different registry "
            "with its own login (aws ecr-public get-login-password, in us-east-1)."
            if name.startswith("public.ecr.aws/")
            else f"{quoted(name)} is an image URI, not a repository name: give the name alone."
        )
    if clues.has("manifest-unknown") and not clues.has("repository-missing"):
        return (
            f"The repository exists, but not the tag or digest asked for in {quoted(name) if name else 'it'}: push "
            "the image first, or correct the tag (and the region). No policy change is needed."
        )
    if clues.has("source-image-invalid"):
        return (
            f"Lambda needs the full image URI (ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME:TAG or @sha256:...), "
            f"not {quoted(clues.source_image or name)}; the repository must be in the function's region."
        )
    return (
        f"Create the repository {quoted(name) if name else ''} (aws ecr create-repository) or correct the name and "
        "region in the push; ECR does not create repositories on push. No policy change is needed."
    ).replace("repository  (", "repository (")


def _notes(clues: Clues, facts: _Facts, reason: str) -> list[str]:
    notes = []
    if clues.has("pull-access-denied") and clues.denials:
        notes.append(
            "'repository does not exist or may require docker login' is docker's wording for any refused pull; "
            "the AWS message after it says what happened"
        )
    if reason == "invalid-policy" and facts.repository and facts.account and facts.region:
        arn = f"arn:aws:ecr:{facts.region}:{facts.account}:repository/{facts.repository}"
        notes.append(f"the Resource must be the repository ARN {quoted(arn)}, not the image URI")
    refusals = [denial for denial in clues.denials if denial.action]
    if len(refusals) > 1:
        notes.append(f"the text holds {len(refusals)} refusals; this diagnoses the first about ECR")
    if facts.action and facts.basis == "named" and not find_action(facts.action) and _is_ecr(facts.action, False):
        notes.append(f"{quoted(facts.action)} is not an action ECR has: the message may have been edited")
    return notes


def what_it_tried(diagnosis: Diagnosis) -> str:
    """The action in docker terms, from the catalog row (or the reference for other actions)."""
    if not diagnosis.action:
        verb = {"push": "to push an image", "pull": "to pull an image", "login": "to log in"}
        return verb.get(diagnosis.access_needed, "something the message does not name")
    row = lookup(diagnosis.action)
    if row:
        return f"{diagnosis.action} ({row.step}): {row.why}"
    reference = find_action(diagnosis.action)
    if reference:
        return f"{reference.action}: {reference.description} (not part of docker pull or push)"
    return f"{quoted(diagnosis.action)} (not an ECR action)"


_SPACES = re.compile(r"\s+")


def summary(diagnosis: Diagnosis) -> list[tuple[str, str]]:
    """The diagnosis in words, as (label, sentence) pairs: who, tried, on, why, change."""
    reason = R.REASONS[diagnosis.reason]
    fields = {"action": diagnosis.action or "it"}
    workload = f": looks like {_WORKLOAD_WORDS[diagnosis.workload]}" if diagnosis.workload else ""
    rows = [
        ("who", who(diagnosis.principal) + workload),
        ("tried", what_it_tried(diagnosis)),
        ("on", where(diagnosis)),
        ("why", reason.why.format(**fields)),
        ("change", _change_words(diagnosis)),
    ]
    return [(label, _SPACES.sub(" ", text)) for label, text in rows]


_WORKLOAD_WORDS = {
    Role.CI: "a CI pipeline",
    Role.ECS: "an ECS task (its execution role pulls)",
    Role.EKS: "Kubernetes nodes (the kubelet pulls with the node role)",
    Role.LAMBDA: "Lambda (the service pulls; the deployer is checked too)",
}


def _change_words(diagnosis: Diagnosis) -> str:
    side = diagnosis.side
    owner = f"account {account_words(diagnosis.resource_account)}" if diagnosis.resource_account else "its account"
    caller = who(diagnosis.principal, session=False) if diagnosis.principal else "the caller, in its account"
    target = where(diagnosis) if diagnosis.repository else f"the repository, in {owner}"
    return {
        R.IDENTITY: f"the identity policy of {who(diagnosis.principal, session=False)}",
        R.REPOSITORY: f"the repository policy of {target}",
        R.BOTH: f"both: the identity policy of {caller}, and the repository policy of {target}",
        R.TRUST: "the role's trust policy (who may assume the role), not an ECR policy",
        R.NONE_OF_OURS: "no ECR policy of yours: see below",
        R.UNKNOWN: "not known from this text: see below",
    }[side]
