"""Reading an error message: what it says, as written, before anything is concluded.

The text is outside input. It is read by finding fixed anchors with plain-text search and
splitting short windows around them; the few patterns here are fixed, anchored on a literal
and bounded, so no input can make them backtrack, and a 64 KiB hostile paste costs linear
time. Values keep the spelling of the message (redactions included); what they mean is
decided in diagnosis.py.
"""

from __future__ import annotations

import re
import string
from collections import namedtuple

from wizard.core.catalog import action_for_registry_call, actions_seen_in
from wizard.core.names import is_valid_name
from wizard.core.reference import find_action
from wizard.core.regions import REGION_SYNTAX

_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_ANSI = re.compile(r"\x1b\[[0-9;?]{0,32}[A-Za-z]")
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
_ESCAPES = re.compile(r"\\{1,8}[ntr]?")
_DELIMITERS = frozenset(" \"'`()[]{}<>,;|")
WINDOW = 2048
"""The longest principal, action or resource token read around an anchor (an ARN is at most
2,048 characters): beyond it the token is cut, and the work stays bounded."""
MAX_ANCHORS = 64
"""The occurrences of one anchor that are read; a paste repeating it more is not a message."""

POLICY_TYPES = (
    "identity-based policy",
    "resource-based policy",
    "permissions boundary",
    "session policy",
    "service control policy",
    "resource control policy",
    "vpc endpoint policy",
    "role trust policy",
)
"""The policy types AWS's access-denied messages name (IAM User Guide, troubleshoot_access-denied)."""


class Principal(namedtuple("Principal", "arn account kind name session partition")):
    """Who was refused, as the message writes it. arn: as written; account: the ARN's account
    field when it is all digits (as written: 10 digits stay 10); kind: assumed-role, role,
    user, root, federated-user or None; name: the role or user name (path kept for users);
    session: an assumed role's session name."""

    __slots__ = ()


class Denial(namedtuple("Denial", "principal action resource effect policy_type")):
    """One "... is not authorized to perform: ACTION on resource: RESOURCE because/with ..."
    phrase. principal: a Principal or None (placeholder); action and resource: as written, or
    None for placeholders; effect: "implicit", "explicit" or None (no clause: the pre-2021
    format); policy_type: one of POLICY_TYPES, or None."""

    __slots__ = ()


class ImageReference(namedtuple("ImageReference", "host account region repository ecr public")):
    """A registry host and repository the message names. account and region: from an ECR host
    (as written); ecr: the host is an Amazon ECR private registry host; public: public.ecr.aws."""

    __slots__ = ()


class RegistryCall(namedtuple("RegistryCall", "method endpoint repository")):
    """A registry API request the message reports: method (GET, HEAD, PUT...), endpoint
    (manifests, blobs, uploads) and the repository in its path."""

    __slots__ = ()


class Clues(
    namedtuple(
        "Clues",
        "denials operation api_region images calls markers missing_repository source_image registry_id lowered",
    )
):
    """Everything read from a message. denials: Denial records in order; operation: the API
    operation of an SDK error ("when calling the X operation"); api_region: from an API host;
    images: ImageReference records; calls: RegistryCall records; markers: the names of the
    MARKERS found; missing_repository: the name a "does not exist" error quotes; source_image:
    the image a Lambda error rejects; registry_id: as the "does not exist" error quotes it;
    lowered: the normalised text in lower case (for the symptom look-ups of the catalog)."""

    __slots__ = ()

    @property
    def denial(self) -> Denial | None:
        """The denial to diagnose: the first about an ECR action, else the first that names an
        action ("You are not authorized to perform this operation." names none), else the first."""
        named = [denial for denial in self.denials if denial.action]
        for denial in named:
            if denial.action.split(":")[0].lower() in ("ecr", "ecr-public"):
                return denial
        return (named or self.denials or (None,))[0]

    def has(self, *names: str) -> bool:
        return any(name in self.markers for name in names)


MARKERS: dict[str, tuple[str, ...]] = {
    "token-expired": ("authorization token has expired",),
    "no-basic-auth": ("no basic auth credentials",),
    "auth-required": (
        "authentication required",
        "401 unauthorized",
        "status code 401",
        "statuscode=401",
        "failed to fetch anonymous token",
    ),
    "forbidden": ("403 forbidden",),
    "not-found": ("404 not found", "statuscode=404", "no such image", " not found"),
    "manifest-unknown": ("manifest unknown",),
    "repository-missing": ("does not exist in the registry with id", "repositorynotfoundexception", "name unknown"),
    "pull-access-denied": ("pull access denied",),
    "source-image-invalid": ("provide a valid source image",),
    "web-identity": ("assumerolewithwebidentity", "assume role with oidc"),
    "arn-format": ("must be in arn format",),
    "encoded": ("encoded authorization failure message",),
    "network": (
        "i/o timeout",
        "dial tcp",
        "context deadline exceeded",
        "no such host",
        "tls handshake timeout",
        "connection refused",
        "network is unreachable",
    ),
    "throttled": ("toomanyrequests", "throttlingexception", "rate exceeded", "429 too many requests"),
    "tag-immutable": ("imagetagalreadyexistsexception", "because the repository is immutable"),
    "push": ("push",),
    "pull": ("pull", "unable to find image", "error reading manifest", "manifest for ", "manifest unknown"),
    "build-from": (" : from ", "step 1/", "failed to resolve source metadata", "build error"),
    "explicit-deny": ("explicit deny",),
    "resource-denied": ("requested access to the resource is denied",),
    "not-authorized": ("denied: not authorized", "not authorized."),
}
"""Fixed fragments (lower case) whose presence the diagnosis weighs."""


def normalise(text: str) -> str:
    """One line of plain words: terminal colour codes and control characters removed, JSON
    escapes (\\n, \\") undone, runs of white space made one space."""
    text = _ANSI.sub(" ", text)
    text = _ESCAPES.sub(" ", text)
    text = _CONTROLS.sub(" ", text)
    return " ".join(text.split())


def lower_ascii(text: str) -> str:
    """Lower case for ASCII letters only, so every index still points at the same character."""
    return text.translate(_ASCII_LOWER)


def read_message(text: str) -> Clues:
    """What a message says. `text` must already be within limits.MESSAGE_BYTES."""
    line = normalise(text)
    lowered = lower_ascii(line)
    markers = frozenset(name for name, fragments in MARKERS.items() if any(f in lowered for f in fragments))
    return Clues(
        denials=tuple(_denials(line, lowered)),
        operation=_operation(line, lowered),
        api_region=_api_region(lowered),
        images=tuple(_images(line, lowered)),
        calls=tuple(_calls(line, lowered)),
        markers=markers,
        missing_repository=_quoted_after(line, lowered, "the repository with name '"),
        source_image=_token_after(line, lowered, "source image "),
        registry_id=_quoted_after(line, lowered, "registry with id '"),
        lowered=lowered,
    )


# Tokens around anchors ---------------------------------------------------------------------


def _anchors(lowered: str, anchor: str):
    """Where `anchor` occurs (at most MAX_ANCHORS times)."""
    start = 0
    for _ in range(MAX_ANCHORS):
        at = lowered.find(anchor, start)
        if at < 0:
            return
        yield at
        start = at + len(anchor)


_PAIRS = {"(": ")", "[": "]", "{": "}", "<": ">", '"': '"', "'": "'", "`": "`"}


def _clean(token: str) -> str:
    """A token without the punctuation around it: sentence punctuation after it, and brackets
    or quotes only when they enclose it (an ARN may end in '>' only inside '<...>')."""
    start, end = 0, len(token.rstrip(".,;:"))
    while start < end and token[start] in _PAIRS:
        closer = _PAIRS[token[start]]
        start += 1
        if end > start and token[end - 1] == closer:
            end -= 1
        while end > start and token[end - 1] in ".,;:":
            end -= 1
    token = token[start:end].rstrip(".,;:\"'`")
    for opener, closer in (("(", ")"), ("[", "]"), ("{", "}"), ("<", ">")):
        unmatched = token.count(closer) - token.count(opener)
        end = len(token)
        while unmatched > 0 and end and token[end - 1] == closer:
            end, unmatched = end - 1, unmatched - 1
        token = token[:end].rstrip(".,;:\"'`")
    return token


def _token_at(line: str, start: int) -> str:
    """The word starting at `start` (up to WINDOW characters), without trailing punctuation."""
    window = line[start : start + WINDOW]
    return _clean(window.split(" ", 1)[0]) if window else ""


def _token_before(line: str, end: int) -> tuple[str, int]:
    """The word ending at `end`, and where it starts."""
    window = line[max(0, end - WINDOW) : end]
    token = window.rsplit(" ", 1)[-1]
    return token, end - len(token)


def _token_after(line: str, lowered: str, anchor: str) -> str | None:
    at = lowered.find(anchor)
    return (_token_at(line, at + len(anchor)) or None) if at >= 0 else None


def _quoted_after(line: str, lowered: str, anchor: str) -> str | None:
    at = lowered.find(anchor)
    if at < 0:
        return None
    start = at + len(anchor)
    value = line[start : start + 300].split("'", 1)[0]
    return value or None


# Denials -----------------------------------------------------------------------------------

_AUTHORIZED = "not authorized to perform"


def _denials(line: str, lowered: str):
    for at in _anchors(lowered, _AUTHORIZED):
        yield _denial_at(line, lowered, at)


def _denial_at(line: str, lowered: str, at: int) -> Denial:
    principal = None
    if lowered[max(0, at - 4) : at] == " is ":
        token, start = _token_before(line, at - 4)
        label = _token_before(line, start - 1)[0].lower() if start > 0 else ""
        if label in ("user:", "principal:") or token.startswith("arn:"):
            principal = read_principal(_clean(token))
    cursor = at + len(_AUTHORIZED)
    if line[cursor : cursor + 1] == ":":
        cursor += 1
    cursor += 1
    action = _token_at(line, cursor)
    cursor += len(line[cursor : cursor + WINDOW].split(" ", 1)[0]) + 1
    resource = None
    if lowered.startswith("on resource: ", cursor):
        cursor += len("on resource: ")
        raw = line[cursor : cursor + WINDOW].split(" ", 1)[0]
        resource = _clean(raw) or None
        cursor += len(raw) + 1
    effect, policy_type = _clause(lowered[cursor : cursor + 120])
    return Denial(principal, _action_name(action), _resource(resource), effect, policy_type)


def _clause(text: str) -> tuple[str | None, str | None]:
    """The reason AWS gives after the resource: (implicit|explicit, policy type)."""
    text = text.lstrip(".,; ")
    if text.startswith("because no "):
        rest = text[len("because no ") :]
        return "implicit", next((kind for kind in POLICY_TYPES if rest.startswith(kind)), None)
    if text.startswith("with an explicit deny"):
        rest = text[len("with an explicit deny") :].lstrip()
        for article in ("in a ", "in an ", "in the "):
            if rest.startswith(article):
                rest = rest[len(article) :]
                return "explicit", next((kind for kind in POLICY_TYPES if rest.startswith(kind)), None)
        return "explicit", None
    return None, None


def _action_name(token: str) -> str | None:
    """An IAM action as written ("ecr:PutImage"), or None for a placeholder."""
    service, colon, name = token.partition(":")
    if not colon or not service or not name:
        return None
    if not all(c.isascii() and (c.isalnum() or c == "-") for c in service):
        return None
    if not all(c.isascii() and (c.isalnum() or c == "*") for c in name):
        return None
    return token


def _resource(token: str | None) -> str | None:
    """A resource as written: an ARN or "*"; placeholders (xxx, ***, <resource>) are None."""
    if token == "*" or (token and token.startswith("arn:")):
        return token
    return None


def read_principal(token: str) -> Principal | None:
    """The parts of a principal ARN; None for a placeholder (<USER>, xxx)."""
    if not token.startswith("arn:"):
        return None
    fields = token.split(":", 5)
    if len(fields) < 6:
        return Principal(token, None, None, None, None, None)
    partition, account, path = fields[1], fields[4], fields[5]
    kind, _, rest = path.partition("/")
    name = session = None
    if kind == "assumed-role":
        name, _, session = rest.partition("/")
    elif kind in ("role", "user", "federated-user"):
        name = rest
    elif path == "root":
        kind = "root"
    else:
        kind = None
    digits = account if account.isdigit() and account.isascii() else None
    return Principal(token, digits, kind, name or None, session or None, partition or None)


# SDK errors --------------------------------------------------------------------------------


def _operation(line: str, lowered: str) -> str | None:
    """The API operation of "An error occurred (X) when calling the OPERATION operation"."""
    at = lowered.find("when calling the ")
    if at < 0:
        return None
    start = at + len("when calling the ")
    name = line[start : start + 80].split(" ", 1)[0]
    if lowered.startswith(" operation", start + len(name)) and name.isascii() and name.isalnum():
        return name
    return None


def _api_region(lowered: str) -> str | None:
    """The region of an ECR API host (api.ecr.REGION.amazonaws.com), e.g. in --debug output."""
    for anchor in ("api.ecr.", "api.ecr-public."):
        for at in _anchors(lowered, anchor):
            region = lowered[at + len(anchor) : at + len(anchor) + 30].split(".", 1)[0]
            if REGION_SYNTAX.match(region):
                return region
    return None


# Image references and registry calls -------------------------------------------------------


def _images(line: str, lowered: str):
    for at in _anchors(lowered, ".dkr.ecr."):
        image = _ecr_image_at(line, lowered, at)
        if image:
            yield image
    for at in _anchors(lowered, "public.ecr.aws/"):
        path = _token_at(line, at + len("public.ecr.aws/"))
        alias, _, name = path.partition("/")
        yield ImageReference("public.ecr.aws", None, None, _repository_of(name) if alias else None, False, True)


def _ecr_image_at(line: str, lowered: str, at: int) -> ImageReference | None:
    """ACCOUNT.dkr.ecr.REGION.amazonaws.com[.cn][/NAME[:TAG|@DIGEST]] around `at`."""
    account, _ = _token_before(line, at)
    account = _after_delimiter(account)
    rest = lowered[at + len(".dkr.ecr.") : at + len(".dkr.ecr.") + 60]
    region, dot, domain = rest.partition(".")
    if not dot or not (domain.startswith("amazonaws.com") or region == "fips"):
        return None
    host_end = at + len(".dkr.ecr.") + len(region) + 1 + len("amazonaws.com")
    if lowered.startswith(".cn", host_end):
        host_end += 3
    path = _token_at(line, host_end + 1) if line[host_end : host_end + 1] == "/" else ""
    host = line[at - len(account) : host_end]
    return ImageReference(host, account or None, region, _repository_of(path), True, False)


def _after_delimiter(token: str) -> str:
    for index in range(len(token) - 1, -1, -1):
        if token[index] in _DELIMITERS or token[index] in "/\\":
            return token[index + 1 :]
    return token


def _repository_of(path: str) -> str | None:
    """The repository in an image path: v2/NAME/manifests/REF, NAME:TAG, NAME@DIGEST, NAME."""
    if path.startswith("v2/"):
        path = path[3:]
        for endpoint in ("/manifests/", "/blobs/"):
            if endpoint in path:
                return path.split(endpoint, 1)[0] or None
        return None
    name = path.split("@", 1)[0].split(":", 1)[0].rstrip("/")
    return name or None


_METHODS = ("GET", "HEAD", "PUT", "POST", "PATCH")


def _calls(line: str, lowered: str):
    """Registry requests: "HEAD request to https://HOST/v2/NAME/manifests/REF", docker's
    "Get https://HOST/v2/...", containerd's "[manifests latest]", "Error reading manifest"."""
    for at in _anchors(lowered, "/v2/"):
        path = "v2/" + _token_at(line, at + 4)
        endpoint = "uploads" if "/blobs/uploads" in path else "manifests" if "/manifests/" in path else "blobs"
        if "/manifests/" not in path and "/blobs/" not in path:
            continue
        yield RegistryCall(_method_before(lowered, at), endpoint, _repository_of(path))
    if "[manifests " in lowered or "error reading manifest" in lowered or "pull image manifest" in lowered:
        yield RegistryCall("GET", "manifests", None)


def _method_before(lowered: str, at: int) -> str:
    """The HTTP method written just before a URL (defaults to GET, as docker's errors print it)."""
    before = lowered[max(0, at - 120) : at]
    words = before.replace('"', " ").split()
    for word in reversed(words[-6:]):
        if word.upper() in _METHODS:
            return word.upper()
    return "GET"


# What the reading implies ------------------------------------------------------------------


def call_action(call: RegistryCall) -> str | None:
    """The action ECR checks for a registry call (the catalog's call map)."""
    row = action_for_registry_call(call.method, call.endpoint)
    return row.name if row else None


def symptom_actions(clues: Clues) -> tuple[str, ...]:
    """Actions whose catalog symptom the text shows (the catalog read backwards)."""
    return tuple(row.name for row in actions_seen_in(clues.lowered))


def operation_action(clues: Clues) -> str | None:
    """ecr:OPERATION (or ecr-public:) for an SDK error that names its operation."""
    if not clues.operation:
        return None
    services = ("ecr-public", "ecr") if "ecr-public" in clues.lowered else ("ecr", "ecr-public", "sts")
    for service in services:
        row = find_action(f"{service}:{clues.operation}")
        if row:
            return row.action
    return None


def valid_repository(name: str | None) -> str | None:
    return name if name and is_valid_name(name) else None


def valid_region(region: str | None) -> str | None:
    return region if region and REGION_SYNTAX.match(region) else None
