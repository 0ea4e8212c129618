"""One bundle, four outputs: JSON, Terraform, CloudFormation YAML and an AWS CLI script.

Each output carries the explanations where its format allows (comments in HCL, YAML and
shell). The policy statements are the same objects in every format; the tests parse each
output back (python-hcl2, cfn-lint and a YAML parser, bash -n and a fake `aws`) and compare.
"""

from __future__ import annotations

import json
import re

from wizard import __version__
from wizard.core.builder import GeneratedPolicy, render_json
from wizard.core.deploy import Bundle
from wizard.core.explain import source_line, statement_lines
from wizard.core.resource_policies import SET_REPOSITORY_POLICY_REPLACES
from wizard.core.roles import ROLES

FORMATS = ("json", "terraform", "cloudformation", "aws-cli")
EXTENSIONS = {"json": "json", "terraform": "tf", "cloudformation": "yaml", "aws-cli": "sh"}
DOCUMENTS = ("identity", "trust", "repository", "registry", "companion")
OWNER_DOCUMENTS = ("repository", "registry")
"""Documents that live in the repositories' account (the owner's CloudFormation template)."""
WHY_NO_DOCUMENT = {
    "trust": "this role has no trust policy here (no role is created)",
    "repository": "no repository policy is needed here",
    "registry": "a registry policy is only needed for a pull-through cache used from another account",
    "companion": "the role needs no companion policy (only ECS task execution and CodeBuild roles get one)",
}


class FormatError(ValueError):
    """The requested output cannot be made for this bundle (e.g. no trust policy to print)."""


def render(
    bundle: Bundle,
    fmt: str,
    parts: list[GeneratedPolicy] | None = None,
    document: str = "identity",
    inline: bool = False,
) -> str:
    """The bundle in one format. `parts` are the identity policies to emit (several when
    split); `document` picks the JSON document, or the account's template for CloudFormation."""
    parts = parts or [bundle.identity]
    if fmt == "json":
        return render_json_document(bundle, parts, document)
    if fmt == "terraform":
        return render_terraform(bundle, parts)
    if fmt == "cloudformation":
        return render_cloudformation(bundle, parts, owner_template=document in OWNER_DOCUMENTS)
    if fmt == "aws-cli":
        return render_aws_cli(bundle, parts, inline=inline)
    raise FormatError(f"unknown format {fmt!r}")


def render_json_document(bundle: Bundle, parts: list[GeneratedPolicy], document: str) -> str:
    if document == "identity":
        return parts[0].to_json() if len(parts) == 1 else render_json([part.document for part in parts])
    chosen = bundle.document(document)
    if chosen is None:
        raise FormatError(f"there is no {document} policy: {WHY_NO_DOCUMENT.get(document, 'unknown document')}")
    return render_json(chosen.document)


def comment_lines(bundle: Bundle, parts: list[GeneratedPolicy], prefix: str) -> list[str]:
    """The explanation, as comment lines: header, placement, each statement, notes."""
    request = bundle.request
    lines = [
        f"ECR {request.access.value} access for {ROLES[request.role].title}, made by ecr-policy-wizard {__version__}.",
        "Where each part goes:",
        *(f"  {line}" for line in bundle.placement()),
        "",
    ]
    for number, statement in enumerate(parts[0].statements, 1):
        lines += statement_lines(number, statement)
    if len(parts) > 1:
        lines.append(
            f"Split into {len(parts)} managed policies (IAM's size limit); each holds the same statements for its share of the repositories."
        )
    for document in bundle.documents():
        lines.append(f"{document.title}:")
        lines += [f"  {line}" for line in document.explanation]
        lines += [f"  {source_line(page)}" for page in document.sources]
    lines += _setup_source_lines(bundle)
    for note in bundle.notes:
        lines.append(f"Note: {note}")
    return [f"{prefix} {line}".rstrip() for line in lines]


def _setup_source_lines(bundle: Bundle) -> list[str]:
    """Where the role setup's facts (instance profile, managed policies) come from."""
    setup = bundle.setup
    if setup is None or not (setup.instance_profile or setup.managed):
        return []
    pages = dict.fromkeys([*setup.sources, *(managed.source for managed in setup.managed)])
    return ["Role setup (instance profile, managed policies above):", *(f"  {source_line(page)}" for page in pages)]


# -- Terraform ---------------------------------------------------------------------------


def _hcl_string(value: str) -> str:
    # JSON string syntax is HCL's, except that ${ and %{ start templates there.
    return json.dumps(value).replace("${", "$${").replace("%{", "%%{")


def _hcl_list(values) -> str:
    values = values if isinstance(values, list) else [values]
    return "[" + ", ".join(_hcl_string(value) for value in values) + "]"


def _identifier(text: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_]", "_", text).strip("_") or "repository"
    return name if name[0].isalpha() else f"r_{name}"


def hcl_policy_document(name: str, document: dict) -> list[str]:
    """A data "aws_iam_policy_document" block with the document's statements."""
    lines = [f'data "aws_iam_policy_document" "{name}" {{']
    for statement in document["Statement"]:
        lines.append("  statement {")
        if "Sid" in statement:
            lines.append(f"    sid       = {_hcl_string(statement['Sid'])}")
        lines.append(f"    effect    = {_hcl_string(statement['Effect'])}")
        lines.append(f"    actions   = {_hcl_list(statement['Action'])}")
        if "Resource" in statement:
            lines.append(f"    resources = {_hcl_list(statement['Resource'])}")
        for kind, identifiers in statement.get("Principal", {}).items():
            lines += [
                "    principals {",
                f"      type        = {_hcl_string(kind)}",
                f"      identifiers = {_hcl_list(identifiers)}",
                "    }",
            ]
        for test, variables in statement.get("Condition", {}).items():
            for variable, values in variables.items():
                lines += [
                    "    condition {",
                    f"      test     = {_hcl_string(test)}",
                    f"      variable = {_hcl_string(variable)}",
                    f"      values   = {_hcl_list(values)}",
                    "    }",
                ]
        lines.append("  }")
    lines.append("}")
    return lines


def render_terraform(bundle: Bundle, parts: list[GeneratedPolicy]) -> str:
    out = comment_lines(bundle, parts, "#")
    out += _terraform_providers(bundle)
    role_reference = _terraform_role(bundle, out)
    out += _terraform_identity(bundle, parts, role_reference)
    out += _terraform_owner_policies(bundle)
    return "\n".join(out) + "\n"


def _terraform_providers(bundle: Bundle) -> list[str]:
    request = bundle.request
    out = [
        "",
        "terraform {",
        "  required_providers {",
        '    aws = { source = "hashicorp/aws" }',
        "  }",
        "}",
        "",
        f"# The role's account ({bundle.role_account}): use credentials for it.",
        f'provider "aws" {{\n  region = {_hcl_string(request.region)}\n}}',
    ]
    if _owner_documents(bundle) and bundle.cross_account:
        out += [
            "",
            f"# The repositories' account ({request.account}) sets the repository and registry policies.",
            'variable "repository_owner_profile" {',
            "  type        = string",
            f"  description = {_hcl_string(f'AWS CLI profile with access to account {request.account}, which owns the repositories')}",
            "}",
            "",
            'provider "aws" {',
            '  alias   = "repository_owner"',
            f"  region  = {_hcl_string(request.region)}",
            "  profile = var.repository_owner_profile",
            "}",
        ]
    return out


def _owner_documents(bundle: Bundle) -> list:
    return [document for document in (bundle.repository, bundle.registry) if document is not None]


def _terraform_role(bundle: Bundle, out: list[str]) -> str:
    """The role (created with its trust, instance profile, managed and companion policies, or
    an existing one named by a variable); returns how the attachments refer to it."""
    request, deployment = bundle.request, bundle.deployment
    if bundle.trust is None:
        holder = "the function deployer" if request.role.value == "lambda" else "the pipeline role"
        out += [
            "",
            'variable "role_name" {',
            "  type        = string",
            f"  default     = {_hcl_string(deployment.role_name)}",
            f"  description = {_hcl_string(f'The existing role that gets the policy ({holder})')}",
            "}",
        ]
        return "var.role_name"
    out += ["", *hcl_policy_document("trust", bundle.trust.document)]
    out += [
        "",
        'resource "aws_iam_role" "ecr" {',
        f"  name               = {_hcl_string(deployment.role_name)}",
        f"  path               = {_hcl_string(deployment.role_path)}",
        "  assume_role_policy = data.aws_iam_policy_document.trust.json",
        "}",
    ]
    out += _terraform_setup(bundle)
    return "aws_iam_role.ecr.name"


def _terraform_setup(bundle: Bundle) -> list[str]:
    setup, partition = bundle.setup, bundle.request.partition.name
    out: list[str] = []
    if setup is None:
        return out
    if setup.instance_profile:
        out += [
            "",
            "# EC2 gives an instance its role only through an instance profile.",
            'resource "aws_iam_instance_profile" "ecr" {',
            f"  name = {_hcl_string(bundle.deployment.role_name)}",
            f"  path = {_hcl_string(bundle.deployment.role_path)}",
            "  role = aws_iam_role.ecr.name",
            "}",
        ]
    for managed in setup.managed:
        out += [
            "",
            *(f"# {line}" for line in _wrap_comment(f"{managed.name}: it {managed.why}.")),
            f'resource "aws_iam_role_policy_attachment" "{_identifier(managed.name)}" {{',
            "  role       = aws_iam_role.ecr.name",
            f"  policy_arn = {_hcl_string(managed.arn(partition))}",
            "}",
        ]
    if setup.companion is not None:
        out += ["", *hcl_policy_document("companion", setup.companion.document)]
        out += [
            "",
            'resource "aws_iam_role_policy" "companion" {',
            f"  name   = {_hcl_string(bundle.deployment.role_name + '-companion')}",
            "  role   = aws_iam_role.ecr.name",
            "  policy = data.aws_iam_policy_document.companion.json",
            "}",
        ]
    return out


def _terraform_identity(bundle: Bundle, parts: list[GeneratedPolicy], role_reference: str) -> list[str]:
    request, role = bundle.request, bundle.deployment.role_name
    out: list[str] = []
    for index, part in enumerate(parts, 1):
        suffix = f"_{index}" if len(parts) > 1 else ""
        name = f"{role}-ecr" + (f"-{index}" if len(parts) > 1 else "")
        out += ["", *hcl_policy_document(f"ecr_access{suffix}", part.document)]
        out += [
            "",
            f'resource "aws_iam_policy" "ecr_access{suffix}" {{',
            f"  name        = {_hcl_string(name)}",
            f"  description = {_hcl_string(f'ECR {request.access.value} for {request.role.value} (ecr-policy-wizard)')}",
            f"  policy      = data.aws_iam_policy_document.ecr_access{suffix}.json",
            "}",
            "",
            f'resource "aws_iam_role_policy_attachment" "ecr{suffix}" {{',
            f"  role       = {role_reference}",
            f"  policy_arn = aws_iam_policy.ecr_access{suffix}.arn",
            "}",
        ]
    return out


def _terraform_owner_policies(bundle: Bundle) -> list[str]:
    out: list[str] = []
    provider = ["  provider   = aws.repository_owner"] if bundle.cross_account else []
    if bundle.registry is not None:
        out += ["", *hcl_policy_document("registry", bundle.registry.document)]
        out += [
            "",
            "# One registry policy per registry: this replaces an existing one (merge its statements first).",
            'resource "aws_ecr_registry_policy" "pull_through_cache" {',
            *(["  provider = aws.repository_owner"] if bundle.cross_account else []),
            "  policy   = data.aws_iam_policy_document.registry.json",
            "}",
        ]
    if bundle.repository is None:
        return out
    out += ["", *hcl_policy_document("repository", bundle.repository.document)]
    out += [f"# {line}" for line in _wrap_comment(SET_REPOSITORY_POLICY_REPLACES)]
    patterns = [name for name in bundle.request.repositories if name not in bundle.repository.targets]
    if patterns:
        out.append(f"# {_per_repository_note(bundle, patterns)}")
    for name in bundle.repository.targets:
        out += [
            "",
            f'resource "aws_ecr_repository_policy" "{_identifier(name)}" {{',
            *provider,
            f"  repository = {_hcl_string(name)}",
            "  policy     = data.aws_iam_policy_document.repository.json",
            "}",
        ]
    return out


def _per_repository_note(bundle: Bundle, patterns: list[str]) -> str:
    if bundle.request.pull_through_cache:
        return (
            f"Cache repositories ({', '.join(patterns)}) appear on their first pull: give this policy to a "
            "repository creation template for the cache prefix (applied for PULL_THROUGH_CACHE)."
        )
    return f"A repository policy is set per repository: name each repository matching {', '.join(patterns)} here too."


def _wrap_comment(text: str) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width=96, break_on_hyphens=False, break_long_words=False)


# -- CloudFormation ----------------------------------------------------------------------


def _yaml(value, indent: int) -> list[str]:
    """YAML for dicts, lists and strings; every scalar is a double-quoted JSON string (valid YAML)."""
    pad = "  " * indent
    if isinstance(value, dict):
        if not value:
            return [pad + "{}"]
        lines = []
        for key, item in value.items():
            key_text = key if re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", key) else json.dumps(key)
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}{key_text}:")
                lines += _yaml(item, indent + 1)
            else:
                lines.append(f"{pad}{key_text}: {_scalar(item)}")
        return lines
    if isinstance(value, list):
        lines = []
        for item in value:
            if isinstance(item, (dict, list)) and item:
                nested = _yaml(item, indent + 1)
                lines.append(f"{pad}- {nested[0].lstrip()}")
                lines += nested[1:]
            else:
                lines.append(f"{pad}- {_scalar(item)}")
        return lines
    return [pad + _scalar(value)]


def _scalar(value) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return json.dumps(value)


def render_cloudformation(bundle: Bundle, parts: list[GeneratedPolicy], owner_template: bool = False) -> str:
    """A template for the role's account; or, with owner_template, for the repositories' account."""
    header = comment_lines(bundle, parts, "#")
    if owner_template:
        return "\n".join([*header, "", *_yaml(_owner_template(bundle), 0)]) + "\n"
    request = bundle.request
    template: dict = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"ECR {request.access.value} access for {request.role.value} (ecr-policy-wizard)",
    }
    resources: dict = {}
    if bundle.trust is None:
        template["Parameters"] = {
            "RoleName": {
                "Type": "String",
                "Default": bundle.deployment.role_name,
                "Description": "The existing role that gets the policy",
            }
        }
        role_reference = {"Ref": "RoleName"}
    else:
        resources.update(_cloudformation_role(bundle))
        role_reference = {"Ref": "ECRRole"}
    resources.update(_cloudformation_identity(bundle, parts, role_reference))
    notes = []
    if _owner_documents(bundle) and not bundle.cross_account:
        resources.update(_owner_resources(bundle))
        if bundle.repository is not None and bundle.repository.targets:
            notes.append(
                "# The AWS::ECR::Repository resources below carry the repository policy. For repositories that "
                "already exist, import them into the stack (resource import) instead of creating them."
            )
            notes.append(f"# {SET_REPOSITORY_POLICY_REPLACES}")
    elif _owner_documents(bundle):
        notes.append(
            f"# The repository and registry policies belong in account {request.account}: "
            "`ecr-policy generate ... --format cloudformation --document repository` writes that template."
        )
    template["Resources"] = resources
    if bundle.trust is not None:
        template["Outputs"] = {"RoleArn": {"Value": {"Fn::GetAtt": ["ECRRole", "Arn"]}}}
    return "\n".join([*header, *notes, "", *_yaml(template, 0)]) + "\n"


def _owner_template(bundle: Bundle) -> dict:
    request = bundle.request
    if not _owner_documents(bundle):
        raise FormatError(
            "there is no repository or registry policy: no template for the repositories' account is needed"
        )
    resources = _owner_resources(bundle)
    if not resources:
        raise FormatError(
            "no repository is named exactly, so there is nothing to set the repository policy on: "
            "name the repositories (not only patterns), or use --format json --document repository"
        )
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"ECR repository and registry policies for {request.role.value} access (ecr-policy-wizard)",
        "Resources": resources,
    }


def _cloudformation_role(bundle: Bundle) -> dict:
    deployment, setup, partition = bundle.deployment, bundle.setup, bundle.request.partition.name
    properties: dict = {
        "RoleName": deployment.role_name,
        "Path": deployment.role_path,
        "AssumeRolePolicyDocument": bundle.trust.document,
    }
    resources: dict = {"ECRRole": {"Type": "AWS::IAM::Role", "Properties": properties}}
    if setup is None:
        return resources
    if setup.managed:
        properties["ManagedPolicyArns"] = [managed.arn(partition) for managed in setup.managed]
    if setup.companion is not None:
        properties["Policies"] = [
            {"PolicyName": f"{deployment.role_name}-companion", "PolicyDocument": setup.companion.document}
        ]
    if setup.instance_profile:
        resources["ECRInstanceProfile"] = {
            "Type": "AWS::IAM::InstanceProfile",
            "Properties": {"Path": deployment.role_path, "Roles": [{"Ref": "ECRRole"}]},
        }
    return resources


def _cloudformation_identity(bundle: Bundle, parts: list[GeneratedPolicy], role_reference: dict) -> dict:
    request, resources = bundle.request, {}
    for index, part in enumerate(parts, 1):
        suffix = str(index) if len(parts) > 1 else ""
        resources[f"ECRAccessPolicy{suffix}"] = {
            "Type": "AWS::IAM::ManagedPolicy",
            "Properties": {
                "Description": f"ECR {request.access.value} for {request.role.value} (ecr-policy-wizard)",
                "PolicyDocument": part.document,
                "Roles": [role_reference],
            },
        }
    return resources


def _owner_resources(bundle: Bundle) -> dict:
    resources = {}
    if bundle.registry is not None:
        resources["ECRRegistryPolicy"] = {
            "Type": "AWS::ECR::RegistryPolicy",
            "Properties": {"PolicyText": bundle.registry.document},
        }
    for name in bundle.repository.targets if bundle.repository is not None else ():
        resources["Repository" + "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", name) if part)] = {
            "Type": "AWS::ECR::Repository",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {"RepositoryName": name, "RepositoryPolicyText": bundle.repository.document},
        }
    return resources


# -- AWS CLI -----------------------------------------------------------------------------


def _heredoc(variable: str, document: dict) -> list[str]:
    return [f"{variable}=$(cat <<'JSON'", render_json(document).rstrip("\n"), "JSON", ")"]


def render_aws_cli(bundle: Bundle, parts: list[GeneratedPolicy], inline: bool = False) -> str:
    request, deployment = bundle.request, bundle.deployment
    out = ["#!/usr/bin/env bash", *comment_lines(bundle, parts, "#"), "", "set -euo pipefail", ""]
    out += [
        f'REGION="${{REGION:-{request.region}}}"',
        f'ROLE_NAME="${{ROLE_NAME:-{deployment.role_name}}}"',
        f"# Credentials for the role's account ({bundle.role_account}); set ROLE_PROFILE to use a named profile.",
        'role_aws() { aws ${ROLE_PROFILE:+--profile "$ROLE_PROFILE"} "$@"; }',
    ]
    if _owner_documents(bundle):
        out += [
            f"# Credentials for the repositories' account ({request.account}); set OWNER_PROFILE to use a named profile.",
            'owner_aws() { aws ${OWNER_PROFILE:+--profile "$OWNER_PROFILE"} "$@"; }',
        ]
    out.append("")
    for index, part in enumerate(parts, 1):
        out += _heredoc(f"IDENTITY_POLICY_{index}", part.document)
    for variable, document in _script_documents(bundle):
        out += _heredoc(variable, document.document)
    out.append("")
    out += _script_role(bundle)
    out += _script_identity(parts, inline)
    out += _script_registry(bundle)
    out += _script_repositories(bundle)
    out.append('echo "Done."')
    return "\n".join(out) + "\n"


_SCRIPT_VARIABLES = {
    "trust": "TRUST_POLICY",
    "companion": "COMPANION_POLICY",
    "repository": "REPOSITORY_POLICY",
    "registry": "REGISTRY_POLICY",
}


def _script_documents(bundle: Bundle) -> list:
    return [(_SCRIPT_VARIABLES[document.kind], document) for document in bundle.documents()]


def _script_role(bundle: Bundle) -> list[str]:
    deployment, setup, partition = bundle.deployment, bundle.setup, bundle.request.partition.name
    if bundle.trust is None:
        return ['echo "Attaching to the existing role $ROLE_NAME"']
    out = [
        'echo "Creating role $ROLE_NAME"',
        f'role_aws iam create-role --role-name "$ROLE_NAME" --path {_shell_word(deployment.role_path)} '
        '--assume-role-policy-document "$TRUST_POLICY" >/dev/null',
    ]
    if setup is None:
        return out
    for managed in setup.managed:
        out.append(f"# {managed.name}: see the note above on what it grants.")
        out.append(f'role_aws iam attach-role-policy --role-name "$ROLE_NAME" --policy-arn {managed.arn(partition)}')
    if setup.companion is not None:
        out.append(
            'role_aws iam put-role-policy --role-name "$ROLE_NAME" --policy-name "$ROLE_NAME-companion" '
            '--policy-document "$COMPANION_POLICY"'
        )
    if setup.instance_profile:
        out += [
            'echo "Creating the instance profile $ROLE_NAME (EC2 gives an instance its role through it)"',
            f'role_aws iam create-instance-profile --instance-profile-name "$ROLE_NAME" --path '
            f"{_shell_word(deployment.role_path)} >/dev/null",
            'role_aws iam add-role-to-instance-profile --instance-profile-name "$ROLE_NAME" --role-name "$ROLE_NAME"',
        ]
    return out


def _script_identity(parts: list[GeneratedPolicy], inline: bool) -> list[str]:
    out = []
    for index in range(1, len(parts) + 1):
        suffix = f"-{index}" if len(parts) > 1 else ""
        if inline:
            out.append(
                f'role_aws iam put-role-policy --role-name "$ROLE_NAME" --policy-name "ecr-access{suffix}" '
                f'--policy-document "$IDENTITY_POLICY_{index}"'
            )
        else:
            out += [
                f'POLICY_ARN=$(role_aws iam create-policy --policy-name "$ROLE_NAME-ecr{suffix}" '
                f'--policy-document "$IDENTITY_POLICY_{index}" --query Policy.Arn --output text)',
                'role_aws iam attach-role-policy --role-name "$ROLE_NAME" --policy-arn "$POLICY_ARN"',
            ]
    return out


def _script_registry(bundle: Bundle) -> list[str]:
    if bundle.registry is None:
        return []
    return [
        "# A registry has one registry policy, and put-registry-policy replaces it: stop if one is in",
        "# place (merge the statements by hand), unless REPLACE_REGISTRY_POLICY=yes.",
        'if [ "${REPLACE_REGISTRY_POLICY:-}" != yes ] && owner_aws ecr get-registry-policy --region "$REGION" >/dev/null 2>&1; then',
        '  echo "The registry already has a registry policy: merge REGISTRY_POLICY into it, or set REPLACE_REGISTRY_POLICY=yes." >&2',
        "  exit 1",
        "fi",
        'echo "Setting the registry policy"',
        'owner_aws ecr put-registry-policy --region "$REGION" --policy-text "$REGISTRY_POLICY" >/dev/null',
    ]


def _script_repositories(bundle: Bundle) -> list[str]:
    if bundle.repository is None:
        return []
    out = []
    patterns = [name for name in bundle.request.repositories if name not in bundle.repository.targets]
    if patterns:
        out.append(f"# {_per_repository_note(bundle, patterns)}")
    names = " ".join(_shell_word(name) for name in bundle.repository.targets)
    if names:
        out += [
            "# set-repository-policy replaces a repository's whole policy: stop if one is in place (merge",
            "# the statements by hand), unless REPLACE_REPOSITORY_POLICY=yes.",
            f"REPOSITORIES=({names})",
            'for repository in "${REPOSITORIES[@]}"; do',
            '  if [ "${REPLACE_REPOSITORY_POLICY:-}" != yes ] && owner_aws ecr get-repository-policy --region "$REGION" '
            '--repository-name "$repository" >/dev/null 2>&1; then',
            '    echo "The repository $repository already has a policy: merge REPOSITORY_POLICY into it, or set '
            'REPLACE_REPOSITORY_POLICY=yes." >&2',
            "    exit 1",
            "  fi",
            "done",
            'for repository in "${REPOSITORIES[@]}"; do',
            '  echo "Setting the repository policy of $repository"',
            '  owner_aws ecr set-repository-policy --region "$REGION" --repository-name "$repository" '
            '--policy-text "$REPOSITORY_POLICY" >/dev/null',
            "done",
        ]
    return out


def _shell_word(text: str) -> str:
    return text if re.fullmatch(r"[A-Za-z0-9._/-]+", text) else "'" + text.replace("'", "'\\''") + "'"
