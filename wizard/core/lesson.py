"""The built-in lesson: five tasks a student does alone, each checked with the simulator.

Each task gives a story, a starting policy (broken or too broad) and goals. A goal is a
question to the simulator or the evaluator ("does the push work?", "can another account
pull?", "what does it grant beyond pull?"); an unmet goal explains itself with what the
simulation found: the client's message and the fix, or the extra actions. Answers exist for
every task (the tests check they pass) and are shown only on request.
"""

from __future__ import annotations

from collections import namedtuple

from wizard.core.lint import ERROR, check_document
from wizard.core.policy import Kind, document_from_json
from wizard.core.policy.evaluate import ActionMap, Caller, Request, evaluate
from wizard.core.reference import RISK_TITLES, find_action
from wizard.core.simulate import refusals
from wizard.core.simulate.engine import function_arn, simulate
from wizard.core.simulate.image import Image

OWNER, OTHER, STRANGER = "123456789012", "210987654321", "111122223333"
REGION = "us-east-1"


def _image(name: str) -> Image:
    return Image(OWNER, REGION, name, "v1")


def _role(account: str, name: str) -> Caller:
    return Caller.role(f"arn:aws:iam::{account}:role/{name}")


def _policy(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


LOGIN = {"Sid": "Login", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}
PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
UPLOADS = ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"]


class Verdict(namedtuple("Verdict", "passed lines")):
    """One goal's outcome: passed, and the sentences that explain it."""

    __slots__ = ()


class Setting(namedtuple("Setting", "identity repository")):
    """The policies a goal looks at: the student's answer fills the slot the task names."""

    __slots__ = ()


class Goal(namedtuple("Goal", "text judge")):
    """text: what must hold, as the student reads it; judge: Setting -> Verdict."""

    __slots__ = ()


def works(operation: str, image: Image, caller: Caller, what: str) -> Goal:
    """The operation succeeds; if not, the simulation's message and fix say why."""

    def judge(setting: Setting) -> Verdict:
        simulation = simulate(operation, image, setting.identity, setting.repository, caller)
        if simulation.succeeded:
            return Verdict(True, [f"{what}: every call is allowed."])
        refusal = simulation.refusal
        said = refusals.wording(simulation)
        lines = [f"{what} fails at call {refusal.number} ({refusal.action}). {said.who} prints:"]
        lines += [f"  {line}" for line in said.text.splitlines()]
        lines += [f"Fix: {sentence}" for sentence in refusals.fix(simulation)]
        return Verdict(False, lines)

    return Goal(f"{what} works", judge)


def refused(operation: str, image: Image, caller: Caller, what: str) -> Goal:
    """The operation must fail (someone who should not get in)."""

    def judge(setting: Setting) -> Verdict:
        simulation = simulate(operation, image, setting.identity, setting.repository, caller)
        if not simulation.succeeded:
            return Verdict(True, [f"{what}: refused at call {simulation.refusal.number}, as it should be."])
        return Verdict(False, [f"{what}: it succeeds, but it must not. Narrow who the policy lets in."])

    return Goal(f"{what} is refused", judge)


def grants_only(slot: str, allowed: set[str], resources: tuple[str, ...], what: str) -> Goal:
    """The policy in `slot` grants no known ECR action beyond `allowed`, on `resources` and elsewhere."""

    def judge(setting: Setting) -> Verdict:
        document = getattr(setting, slot)
        actions = ActionMap(document)  # a repository policy: what it grants to anyone it names
        extra = sorted({name for r in resources for name in actions.allowed(r)} - allowed)
        if not extra:
            return Verdict(True, [f"{what}: nothing beyond {', '.join(sorted(a.split(':')[1] for a in allowed))}."])
        risks = sorted({RISK_TITLES[row.risk] for name in extra if (row := find_action(name))})
        shown = ", ".join(name.split(":")[1] for name in extra[:8]) + (
            f" and {len(extra) - 8} more" if len(extra) > 8 else ""
        )
        return Verdict(False, [f"{what}: it still grants {len(extra)} more: {shown} ({'; '.join(risks)})."])

    return Goal(f"{what}: nothing beyond what the calls need", judge)


def checks_clean(slot: str, what: str) -> Goal:
    """`check` finds no error in the student's policy."""

    def judge(setting: Setting) -> Verdict:
        errors = [f for f in check_document(getattr(setting, slot)) if f.severity == ERROR]
        if not errors:
            return Verdict(True, [f"{what}: no errors."])
        return Verdict(
            False, [f"{what}: {len(errors)} error(s).", *(f"- {f.where}: {f.message} Fix: {f.fix}" for f in errors)]
        )

    return Goal(f"{what} finds no error", judge)


def lambda_limited(image: Image, what: str) -> Goal:
    """The Lambda service may read the image for the functions of the owner's account only."""

    def judge(setting: Setting) -> Verdict:
        foreign = function_arn(image, _role(STRANGER, "x"), "their-function")
        context = {"aws:sourcearn": (foreign,), "aws:sourceaccount": (STRANGER,)}
        decision = evaluate(
            setting.repository, Request(PULL[0], image.arn, Caller.service("lambda.amazonaws.com"), context, True)
        )
        if not decision.allowed:
            return Verdict(True, [f"{what}: a function of account {STRANGER} is refused."])
        where = decision.statement.where if decision.statement is not None else "a statement"
        return Verdict(
            False,
            [
                f"{what}: {where} lets lambda.amazonaws.com read the image for any account's functions "
                f"(tried {foreign}). Limit it with a StringLike condition on aws:sourceARN, "
                f"arn:aws:lambda:{REGION}:{OWNER}:function:*."
            ],
        )

    return Goal(f"{what}: refused", judge)


class Task(namedtuple("Task", "number key title story slot start given goals answer why")):
    """number (1-5); key; title; story: the situation, in sentences; slot: which policy the
    student writes ("identity" or "repository"); start: its first version; given: the other
    half, fixed (or None); goals; answer: a policy that meets every goal; why: why the answer
    is right, in sentences."""

    __slots__ = ()

    @property
    def kind(self) -> Kind:
        return Kind.REPOSITORY if self.slot == "repository" else Kind.IDENTITY

    def setting(self, answer: dict) -> Setting:
        student = document_from_json(answer, self.kind)
        other = (
            document_from_json(self.given, Kind.IDENTITY if self.slot == "repository" else Kind.REPOSITORY)
            if self.given
            else None
        )
        return Setting(student, other) if self.slot == "identity" else Setting(other, student)

    def judge(self, answer: dict) -> list[tuple[Goal, Verdict]]:
        setting = self.setting(answer)
        return [(goal, goal.judge(setting)) for goal in self.goals]


APP = _image("my-app")
OTHER_APP = _image("other-app")
APP_ARN = APP.arn

TASKS: tuple[Task, ...] = (
    Task(
        1,
        "fix-push",
        "Fix the push",
        (
            "The team's pipeline pushes my-app to 123456789012.dkr.ecr.us-east-1.amazonaws.com. Since someone "
            '"cleaned up" its policy, docker push fails before sending a single layer. Make the push work '
            "again without granting anything a push does not need."
        ),
        "identity",
        _policy(
            LOGIN,
            {"Sid": "Pull", "Effect": "Allow", "Action": PULL, "Resource": APP_ARN},
            {"Sid": "Push", "Effect": "Allow", "Action": UPLOADS, "Resource": APP_ARN},
        ),
        None,
        (
            works("push", APP, _role(OWNER, "ci"), "docker push of my-app"),
            grants_only(
                "identity",
                {"ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", *PULL, *UPLOADS},
                (APP_ARN, "*"),
                "What the policy grants",
            ),
        ),
        _policy(
            LOGIN,
            {
                "Sid": "Pull",
                "Effect": "Allow",
                "Action": ["ecr:BatchCheckLayerAvailability", *PULL],
                "Resource": APP_ARN,
            },
            {"Sid": "Push", "Effect": "Allow", "Action": UPLOADS, "Resource": APP_ARN},
        ),
        (
            "docker push first asks, layer by layer, whether the repository has it (HEAD /v2/my-app/blobs/<digest>): "
            "ECR authorises that as ecr:BatchCheckLayerAvailability. Without it the HEAD gets a 403 with no body, "
            "and docker reports 'unexpected end of JSON input'.",
        ),
    ),
    Task(
        2,
        "narrow-star",
        "Narrow an ecr:*",
        (
            "An ECS service runs my-app; its task execution role has ecr:* on every resource, copied from a blog "
            "post. Keep the tasks starting, and take away everything else: other repositories, deleting images, "
            "changing policies."
        ),
        "identity",
        _policy({"Sid": "Everything", "Effect": "Allow", "Action": "ecr:*", "Resource": "*"}),
        None,
        (
            works("ecs-task", APP, _role(OWNER, "ecsTaskExecutionRole"), "An ECS task starting with my-app"),
            refused("ecs-task", OTHER_APP, _role(OWNER, "ecsTaskExecutionRole"), "An ECS task starting with other-app"),
            grants_only(
                "identity",
                {"ecr:GetAuthorizationToken", *PULL},
                (APP_ARN, OTHER_APP.arn, "*"),
                "What the policy grants",
            ),
        ),
        _policy(LOGIN, {"Sid": "Pull", "Effect": "Allow", "Action": PULL, "Resource": APP_ARN}),
        (
            "The ECS agent (or Fargate) fetches the token, reads the manifest and downloads the layers: "
            'GetAuthorizationToken on "*" (it has no resource type), BatchGetImage and GetDownloadUrlForLayer '
            "on the one repository. Nothing else is called when a task starts.",
        ),
    ),
    Task(
        3,
        "login",
        "Login is refused",
        (
            "A developer can neither pull nor push: `aws ecr get-login-password` fails with AccessDeniedException, "
            "although the policy lists ecr:GetAuthorizationToken. Make docker pull of my-app work."
        ),
        "identity",
        _policy(
            {
                "Sid": "Pull",
                "Effect": "Allow",
                "Action": ["ecr:GetAuthorizationToken", *PULL],
                "Resource": APP_ARN,
            }
        ),
        None,
        (
            works("pull", APP, _role(OWNER, "developer"), "docker pull of my-app"),
            checks_clean("identity", "ecr-policy check"),
        ),
        _policy(LOGIN, {"Sid": "Pull", "Effect": "Allow", "Action": PULL, "Resource": APP_ARN}),
        (
            'GetAuthorizationToken has no resource type, so only a statement with "Resource": "*" matches it; '
            "IAM accepts a repository ARN there, but that statement never applies. The token alone opens "
            "nothing: the repository-scoped statement decides what can be pulled.",
        ),
    ),
    Task(
        4,
        "cross-account",
        "Make a cross-account pull work",
        (
            "EKS nodes in account 210987654321 pull my-app from account 123456789012. Their node role already "
            "allows the pull (its identity policy is given). Write the repository policy of my-app so they can "
            "pull it, and nobody else can: not other accounts, and not with a push."
        ),
        "repository",
        _policy(
            {
                "Sid": "Pull",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{OWNER}:root"},
                "Action": PULL,
            }
        ),
        _policy(LOGIN, {"Sid": "Pull", "Effect": "Allow", "Action": PULL, "Resource": APP_ARN}),
        (
            works("eks-pull", APP, _role(OTHER, "eks-node"), "The nodes of account 210987654321 pulling my-app"),
            refused("eks-pull", APP, _role(STRANGER, "eks-node"), "Nodes of account 111122223333 pulling my-app"),
            grants_only("repository", set(PULL), (APP_ARN,), "What the repository policy grants"),
        ),
        _policy(
            {
                "Sid": "NodesOfTheClusterAccount",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
                "Action": PULL,
            }
        ),
        (
            "Across accounts both halves are needed: the node role's identity policy (given) and the repository "
            "policy of the owner's account. arn:aws:iam::210987654321:root names that account as a whole: any of "
            "its roles whose own IAM policies allow it, so the cluster account decides which of its roles pull. "
            "Naming the node role's ARN instead would be narrower still.",
        ),
    ),
    Task(
        5,
        "lambda",
        "A Lambda function from a container image",
        (
            "A deployer in account 123456789012 creates a Lambda function from my-app. CreateFunction says "
            "'Lambda does not have permission to access the ECR image'. The deployer's identity policy is given. "
            "Write the repository policy so the function can be created, and so that Lambda functions of other "
            "accounts cannot use the image."
        ),
        "repository",
        _policy(
            {
                "Sid": "LambdaECRImageRetrievalPolicy",
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": PULL,
            }
        ),
        _policy({"Sid": "DeployerImageAccess", "Effect": "Allow", "Action": PULL, "Resource": APP_ARN}),
        (
            works("lambda-create", APP, _role(OWNER, "deployer"), "CreateFunction from my-app"),
            lambda_limited(APP, "The Lambda service, for other accounts' functions"),
            grants_only("repository", set(PULL), (APP_ARN,), "What the repository policy grants"),
        ),
        _policy(
            {
                "Sid": "LambdaECRImageRetrievalPolicy",
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": PULL,
                "Condition": {"StringLike": {"aws:sourceARN": f"arn:aws:lambda:{REGION}:{OWNER}:function:*"}},
            }
        ),
        (
            "The deployer only proves it may read the image; the Lambda service then fetches it as "
            "lambda.amazonaws.com, which only the repository policy can allow. Without a condition, the service "
            "acting for any account's function could read it: aws:sourceARN limits it to this account's functions.",
        ),
    ),
)
"""The lesson's tasks, in order."""

TASK_BY_KEY = {task.key: task for task in TASKS} | {str(task.number): task for task in TASKS}


def check_answer(task: Task, answer: dict) -> tuple[bool, list[str]]:
    """Judge a student's answer: (every goal met, the lines that say so goal by goal)."""
    lines = []
    passed = True
    for goal, verdict in task.judge(answer):
        passed = passed and verdict.passed
        lines.append(f"{'PASS' if verdict.passed else 'NOT YET'}  {goal.text}")
        lines += [f"      {line}" for line in verdict.lines]
    return passed, lines
