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
from wizard.core.deploy import Bundle, Document
from wizard.core.explain import statement_lines

FORMATS = ("json", "terraform", "cloudformation", "aws-cli")
EXTENSIONS = {"json": "json", "terraform": "tf", "cloudformation": "yaml", "aws-cli": "sh"}
DOCUMENTS = ("identity", "trust", "repository")


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
        return render_cloudformation(bundle, parts, owner_template=document == "repository")
    if fmt == "aws-cli":
        return render_aws_cli(bundle, parts, inline=inline)
    raise FormatError(f"unknown format {fmt!r}")


def render_json_document(bundle: Bundle, parts: list[GeneratedPolicy], document: str) -> str:
    if document == "identity":
        return parts[0].to_json() if len(parts) == 1 else render_json([part.document for part in parts])
    chosen: Document | None = bundle.trust if document == "trust" else bundle.repository
    if chosen is None:
        why = "this role has no trust policy here" if document == "trust" else "no repository policy is needed here"
        raise FormatError(f"there is no {document} policy: {why}")
    return render_json(chosen.document)


def comment_lines(bundle: Bundle, parts: list[GeneratedPolicy], prefix: str) -> list[str]:
    """The explanation, as comment lines: header, placement, each statement, notes."""
    request = bundle.request
    lines = [
        f"ECR access for a {request.role.value} role ({request.access.value}), made by ecr-policy-wizard {__version__}.",
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
    for document in (bundle.trust, bundle.repository):
        if document is not None:
            lines.append(f"{document.kind.capitalize()} policy:")
            lines += [f"  {line}" for line in document.explanation]
    for note in bundle.notes:
        lines.append(f"Note: {note}")
    return [f"{prefix} {line}".rstrip() for line in lines]


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
    request, deployment = bundle.request, bundle.deployment
    role = deployment.role_name
    out = comment_lines(bundle, parts, "#")
    out += [
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
    if bundle.repository is not None and bundle.cross_account:
        out += [
            "",
            f"# The repositories' account ({request.account}) sets the repository policy.",
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
    if bundle.trust is not None:
        out += ["", *hcl_policy_document("trust", bundle.trust.document)]
        out += [
            "",
            'resource "aws_iam_role" "ecr" {',
            f"  name               = {_hcl_string(role)}",
            "  assume_role_policy = data.aws_iam_policy_document.trust.json",
            "}",
        ]
        role_reference = "aws_iam_role.ecr.name"
    else:
        holder = "the function deployer" if request.role.value == "lambda" else "the pipeline role"
        out += [
            "",
            'variable "role_name" {',
            "  type        = string",
            f"  default     = {_hcl_string(role)}",
            f"  description = {_hcl_string(f'The existing role that gets the policy ({holder})')}",
            "}",
        ]
        role_reference = "var.role_name"
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
    if bundle.repository is not None:
        out += ["", *hcl_policy_document("repository", bundle.repository.document)]
        patterns = [name for name in request.repositories if name not in bundle.repository.targets]
        if patterns:
            out.append(
                f"# A repository policy is set per repository: name each repository matching {', '.join(patterns)} here too."
            )
        for name in bundle.repository.targets:
            out += ["", f'resource "aws_ecr_repository_policy" "{_identifier(name)}" {{']
            if bundle.cross_account:
                out.append("  provider   = aws.repository_owner")
            out += [
                f"  repository = {_hcl_string(name)}",
                "  policy     = data.aws_iam_policy_document.repository.json",
                "}",
            ]
    return "\n".join(out) + "\n"


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
    request, deployment = bundle.request, bundle.deployment
    template: dict = {"AWSTemplateFormatVersion": "2010-09-09"}
    resources: dict = {}
    header = comment_lines(bundle, parts, "#")
    if owner_template:
        if bundle.repository is None:
            raise FormatError("there is no repository policy: no repository template is needed")
        template["Description"] = f"ECR repository policy for {request.role.value} access (ecr-policy-wizard)"
        resources.update(_repository_resources(bundle))
        template["Resources"] = resources
        return "\n".join([*header, "", *_yaml(template, 0)]) + "\n"
    template["Description"] = f"ECR {request.access.value} access for {request.role.value} (ecr-policy-wizard)"
    if bundle.trust is None:
        template["Parameters"] = {
            "RoleName": {
                "Type": "String",
                "Default": deployment.role_name,
                "Description": "The existing role that gets the policy",
            }
        }
        role_reference = {"Ref": "RoleName"}
    else:
        resources["ECRRole"] = {
            "Type": "AWS::IAM::Role",
            "Properties": {"RoleName": deployment.role_name, "AssumeRolePolicyDocument": bundle.trust.document},
        }
        role_reference = {"Ref": "ECRRole"}
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
    notes = []
    if bundle.repository is not None and not bundle.cross_account:
        resources.update(_repository_resources(bundle))
        notes.append(
            "# The AWS::ECR::Repository resources below carry the repository policy. For repositories that "
            "already exist, import them into the stack (resource import) instead of creating them."
        )
    elif bundle.repository is not None:
        notes.append(
            f"# The repository policy belongs in account {request.account}: "
            "`ecr-policy generate ... --format cloudformation --document repository` writes that template."
        )
    template["Resources"] = resources
    if bundle.trust is not None:
        template["Outputs"] = {"RoleArn": {"Value": {"Fn::GetAtt": ["ECRRole", "Arn"]}}}
    return "\n".join([*header, *notes, "", *_yaml(template, 0)]) + "\n"


def _repository_resources(bundle: Bundle) -> dict:
    resources = {}
    for name in bundle.repository.targets:
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
    if bundle.repository is not None:
        out += [
            f"# Credentials for the repositories' account ({request.account}); set OWNER_PROFILE to use a named profile.",
            'owner_aws() { aws ${OWNER_PROFILE:+--profile "$OWNER_PROFILE"} "$@"; }',
        ]
    out.append("")
    for index, part in enumerate(parts, 1):
        out += _heredoc(f"IDENTITY_POLICY_{index}", part.document)
    if bundle.trust is not None:
        out += _heredoc("TRUST_POLICY", bundle.trust.document)
    if bundle.repository is not None:
        out += _heredoc("REPOSITORY_POLICY", bundle.repository.document)
    out.append("")
    if bundle.trust is not None:
        out += [
            'echo "Creating role $ROLE_NAME"',
            'role_aws iam create-role --role-name "$ROLE_NAME" --assume-role-policy-document "$TRUST_POLICY" >/dev/null',
        ]
    else:
        out.append('echo "Attaching to the existing role $ROLE_NAME"')
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
    if bundle.repository is not None:
        patterns = [name for name in request.repositories if name not in bundle.repository.targets]
        if patterns:
            out.append(
                f"# A repository policy is set per repository: add each repository matching {', '.join(patterns)} to the list below."
            )
        names = " ".join(_shell_word(name) for name in bundle.repository.targets)
        if names:
            out += [
                f"REPOSITORIES=({names})",
                'for repository in "${REPOSITORIES[@]}"; do',
                '  echo "Setting the repository policy of $repository"',
                '  owner_aws ecr set-repository-policy --region "$REGION" --repository-name "$repository" '
                '--policy-text "$REPOSITORY_POLICY" >/dev/null',
                "done",
            ]
    out.append('echo "Done."')
    return "\n".join(out) + "\n"


def _shell_word(text: str) -> str:
    return text if re.fullmatch(r"[A-Za-z0-9._/-]+", text) else "'" + text.replace("'", "'\\''") + "'"
