"""The pure core: request model, validation, action catalog, policy builder, renderers.

Nothing here imports a user-interface library; the TUI, the plain prompts and the CLI are
thin front ends over these modules, so all three produce identical policies.
"""

from wizard.core.builder import GeneratedPolicy, Statement, build_policy, render_json
from wizard.core.request import (
    Access,
    Message,
    PolicyRequest,
    RequestError,
    Role,
    ValidatedRequest,
    make_request,
)

__all__ = [
    "Access",
    "GeneratedPolicy",
    "Message",
    "PolicyRequest",
    "RequestError",
    "Role",
    "Statement",
    "ValidatedRequest",
    "build_policy",
    "make_request",
    "render_json",
]
