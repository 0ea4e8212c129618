"""Handouts (issue 18, item 3): `explain FILE --format markdown|html`, parsed back.

Markdown goes through markdown-it (the CommonMark parser rich uses): its headings and code
blocks hold every statement and the policy itself. HTML goes through the standard library's
html.parser: one self-contained file that loads nothing, with outside text inert.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from tests.conftest import FIXTURES, run_cli
from wizard.core import build_policy, make_request
from wizard.core.handout import to_html, to_markdown
from wizard.core.handout_builder import explain_handout
from wizard.core.policy import Kind, document_from_json, parse_policy
from wizard.core.simulate.whatif import listed_actions

SEED = FIXTURES / "seed_policy.json"
HOSTILE_SID = "Evil<script>alert(1)</script>[x](javascript:alert(1))![i](http://e/x.png)`|#\x1b]52;c;aGk=\x07"


def policies() -> list[tuple[str, str]]:
    found = [("seed", SEED.read_text())]
    found += [
        (p.name, p.read_text()) for p in sorted((FIXTURES / "bad").glob("*.json")) if p.name != "expected-findings.json"
    ]
    found += [
        (p.name, p.read_text())
        for p in sorted((FIXTURES / "real" / "policies").glob("*.json"))
        if not p.name.endswith(".meta.json")
    ]
    for role in ("ci", "ecs", "eks", "lambda"):
        found.append(
            (
                f"generated {role}",
                build_policy(make_request(role, ["my-app", "team/*"], "eu-west-1", "123456789012").request).to_json(),
            )
        )
    hostile = json.loads(SEED.read_text())
    hostile["Statement"][1]["Sid"] = HOSTILE_SID
    found.append(("hostile", json.dumps(hostile)))
    return [(name, text) for name, text in found if parse_policy(text).document is not None]


POLICIES = policies()


def markdown_of(text: str, name: str = "policy.json") -> tuple[str, object]:
    document = parse_policy(text).document
    return to_markdown(explain_handout(document, name)), document


def tokens(markdown: str):
    return MarkdownIt("commonmark").enable("table").parse(markdown)


def headings(parsed) -> list[tuple[int, str]]:
    found = []
    for index, token in enumerate(parsed):
        if token.type == "heading_open":
            shown = "".join(c.content for c in parsed[index + 1].children if c.type in ("text", "text_special"))
            found.append((int(token.tag[1]), shown))
    return found


def fences(parsed) -> list[tuple[str, str]]:
    return [(token.info, token.content) for token in parsed if token.type == "fence"]


def statement_heading(statement) -> str:
    return f"Statement {statement.index}" + (f": {statement.sid}" if statement.sid else "")


@pytest.mark.parametrize("name, text", POLICIES, ids=[name for name, _ in POLICIES])
def test_markdown_handouts_parse_back_with_every_statement(name, text):
    markdown, document = markdown_of(text)
    parsed = tokens(markdown)
    found = headings(parsed)
    titles = [title for _, title in found]
    assert found[0][0] == 1 and titles[1:3] == ["The policy", "Statement by statement"]
    for statement in document.statements:
        shown = statement_heading(statement)
        rendered = next((t for t in titles if t.startswith(f"Statement {statement.index}")), None)
        assert rendered is not None, shown
        if statement.sid and "\x1b" not in statement.sid:
            assert rendered == shown, (rendered, shown)
    blocks = fences(parsed)
    (policy_json,) = [content for info, content in blocks if info == "json"]
    assert json.loads(policy_json) == document.raw
    identity = document.kind is Kind.IDENTITY
    assert [info for info, _ in blocks].count("mermaid") == (2 if identity else 0)
    assert "Sources" in titles and "Where it goes" in titles
    assert not any(token.type == "html_block" for token in parsed)


def test_markdown_keeps_hostile_text_inert():
    markdown, _ = markdown_of(dict(POLICIES)["hostile"])
    parsed = tokens(markdown)
    inline = [child for token in parsed if token.children for child in token.children]
    assert not [child for child in inline if child.type in ("image", "html_inline")]
    links = [child for child in inline if child.type == "link_open"]
    assert links and all(link.markup == "autolink" for link in links), "only the Sources' own addresses link"
    assert all(link.attrs["href"].startswith("https://") for link in links)
    assert "\x1b" not in markdown and "\\x1b]52" in markdown
    assert any(title.startswith("Statement 2: Evil<script>") for _, title in headings(parsed))


def test_the_what_if_table_has_a_row_per_listed_action_and_the_commands_are_there():
    markdown, document = markdown_of(SEED.read_text())
    rows = [line for line in markdown.splitlines() if line.startswith("| ecr:")]
    listed = listed_actions(document)
    what_if_rows = [row for row in rows if row.split(" | ")[1].startswith(("breaks", "still"))]
    assert [row.split(" | ")[0].removeprefix("| ") for row in what_if_rows] == listed
    assert 'unexpected end of JSON input: ""' in markdown
    assert "aws ecr get-login-password --region us-east-1 | docker login --username AWS" in markdown
    assert "docker push 123456789012.dkr.ecr.us-east-1.amazonaws.com/my-app:latest" in markdown


class Collector(HTMLParser):
    """Tags, attributes, headings and preformatted blocks of an HTML handout."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.headings: list[str] = []
        self.pre: list[tuple[str, str]] = []
        self._open: list[str] = []
        self._text: list[str] = []
        self._pre_class = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += attrs
        self._open.append(tag)
        if tag in ("h1", "h2", "h3", "pre"):
            self._text = []
            self._pre_class = dict(attrs).get("class", "")

    def handle_endtag(self, tag):
        if tag in ("h1", "h2", "h3"):
            self.headings.append("".join(self._text))
        if tag == "pre":
            self.pre.append((self._pre_class, "".join(self._text)))
        if self._open:
            self._open.pop()

    def handle_data(self, data):
        self._text.append(data)


@pytest.mark.parametrize("name, text", POLICIES, ids=[name for name, _ in POLICIES])
def test_html_handouts_are_self_contained_and_parse_back(name, text):
    document = parse_policy(text).document
    page = to_html(explain_handout(document, name))
    collector = Collector()
    collector.feed(page)
    collector.close()
    assert collector.tags[:2] == ["html", "head"] and "body" in collector.tags
    assert not {"script", "link", "img", "iframe", "object", "embed", "base", "form"} & set(collector.tags)
    assert not [(key, value) for key, value in collector.attributes if key in ("src", "href", "srcset", "action")]
    style = page.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "url(" not in style and "@import" not in style
    (policy_json,) = [content for css, content in collector.pre if css == "json"]
    assert json.loads(policy_json) == document.raw
    for statement in document.statements:
        assert any(h.startswith(f"Statement {statement.index}") for h in collector.headings)
    identity = document.kind is Kind.IDENTITY
    assert sum(css == "diagram" for css, _ in collector.pre) == (2 if identity else 0)


def test_html_escapes_hostile_text():
    document = parse_policy(dict(POLICIES)["hostile"]).document
    page = to_html(explain_handout(document, "<b>name</b>.json"))
    assert "<script>" not in page and "<b>name</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "\x1b" not in page
    collector = Collector()
    collector.feed(page)
    assert "script" not in collector.tags and "b" not in collector.tags


def test_a_repository_policy_handout_warns_that_setting_it_replaces_the_policy():
    text = (FIXTURES / "real" / "policies" / "repository-terraform-montefm-any-account-root.json").read_text()
    markdown, _ = markdown_of(text)
    assert "replaces the one in place" in markdown
    assert (
        "as a whole: any of its roles and users whose own IAM policies allow it" in markdown or "everyone" in markdown
    )


def test_cli_writes_handouts_atomically_and_refuses_to_overwrite(tmp_path: Path):
    target = tmp_path / "handout.html"
    first = run_cli("explain", str(SEED), "--format", "html", "-o", str(target))
    assert first.returncode == 0 and first.stdout == "" and "wrote the html handout" in first.stderr
    assert target.read_text().startswith("<!DOCTYPE html>")
    again = run_cli("explain", str(SEED), "--format", "html", "-o", str(target))
    assert again.returncode == 2 and "--force" in again.stderr
    markdown = run_cli("explain", "-", "--format", "markdown", stdin=SEED.read_text())
    assert markdown.returncode == 0 and markdown.stdout.startswith("# ECR policy handout: stdin")
    with_image = run_cli(
        "explain",
        str(SEED),
        "--format",
        "markdown",
        "--image",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-app:v9",
    )
    assert "docker push 123456789012.dkr.ecr.us-east-1.amazonaws.com/my-app:v9" in with_image.stdout
    assert run_cli("explain", str(SEED), "--without", "ecr:PutImage", "--format", "html").returncode == 2


def test_explain_without_is_the_simulation():
    result = run_cli("explain", str(SEED), "--without", "ecr:batchchecklayeravailability")
    assert result.returncode == 0
    assert "docker push: breaks at call 3, HEAD /v2/my-app/blobs/<digest>" in result.stdout
    assert 'error parsing HTTP 403 response body: unexpected end of JSON input: ""' in result.stdout
    assert "docker pull: still works" in result.stdout
    assert "incomplete-push" not in result.stdout and "lacks ecr:BatchCheckLayerAvailability" in result.stdout
    wildcard = run_cli("explain", str(FIXTURES / "bad" / "ecr-star.json"), "--without", "ecr:PutImage")
    assert wildcard.returncode == 2 and "does not list that action by name" in wildcard.stderr
    repository = FIXTURES / "real" / "policies" / "repository-blog-danielang-cross-account-lambda.json"
    refused = run_cli("explain", str(repository), "--without", "ecr:BatchGetImage")
    assert refused.returncode == 2 and "ecr-policy simulate" in refused.stderr


def test_example_images_fill_wildcards_and_say_so():
    document = document_from_json(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
                {
                    "Effect": "Allow",
                    "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                    "Resource": "arn:aws:ecr:*:*:repository/team-a/*",
                },
            ],
        }
    )
    markdown = to_markdown(explain_handout(document, "p.json"))
    assert "123456789012.dkr.ecr.us-east-1.amazonaws.com/team-a/example:latest" in markdown
    assert "an example repository" in markdown


# -- the wizard's and --plain's handout, what-if and slides (core) ------------------------------

SETUPS = {
    "ci": ("ci", {}, {}),
    "ecs cross-account": ("ecs", {}, {"principal": "210987654321"}),
    "eks": ("eks", {}, {}),
    "lambda cross-account": ("lambda", {}, {"function_account": "210987654321"}),
    "public push": ("ci", {"public": True}, {}),
}


def bundle_for(name: str):
    from wizard.core.deploy import build_bundle, make_deployment

    role, options, deployment = SETUPS[name]
    request = make_request(role, ["my-app"], "us-east-1", "123456789012", **options).request
    made, _ = make_deployment(request, **deployment)
    return build_bundle(request, made)


@pytest.mark.parametrize("name", sorted(SETUPS))
def test_generated_handouts_hold_every_statement_document_and_operation(name):
    from wizard.core.handout_builder import generated_handout
    from wizard.core.simulate.whatif import operations_for

    bundle = bundle_for(name)
    policy = bundle.identity
    markdown = to_markdown(generated_handout(policy, bundle))
    parsed = tokens(markdown)
    titles = [title for _, title in headings(parsed)]
    for number, statement in enumerate(policy.statements, 1):
        assert f"Statement {number}: {statement.sid} ({statement.title})" in titles
    jsons = [json.loads(content) for info, content in fences(parsed) if info == "json"]
    assert jsons[0] == policy.document
    for document in bundle.documents():
        assert document.document in jsons
    diagrams = [content for info, content in fences(parsed) if info == "mermaid"]
    if policy.request.public:
        assert diagrams == [] and "What if an action were missing?" not in titles
    else:
        assert len(diagrams) == len(operations_for(policy.request))
        header = next(line for line in markdown.splitlines() if line.startswith("| taken away |"))
        assert header.count("|") == len(operations_for(policy.request)) + 2
    page = to_html(generated_handout(policy, bundle))
    collector = Collector()
    collector.feed(page)
    assert not {"script", "link", "img"} & set(collector.tags)


def test_the_generated_what_if_simulates_the_roles_own_operations():
    from wizard.core.simulate.whatif import what_if_generated

    ci = bundle_for("ci")
    what_if = what_if_generated(ci.identity, ci, "ecr:BatchCheckLayerAvailability")
    (push_before, push_after), (pull_before, pull_after) = what_if.outcomes
    assert pull_before.succeeded
    assert push_before.succeeded and push_after.refusal.number == 3 and pull_after.succeeded
    lam = bundle_for("lambda cross-account")
    what_if = what_if_generated(lam.identity, lam, "ecr:GetDownloadUrlForLayer")
    ((before, after),) = what_if.outcomes
    assert before.succeeded, "the bundle's repository policy is part of the simulation"
    assert after.refusal.number == 2 and after.caller.account == "210987654321"
    public = bundle_for("public push")
    assert what_if_generated(public.identity, public, "ecr-public:PutImage") is None


def test_slides_step_through_every_statement_and_action():
    from wizard.core.slides import slides_for

    policy = bundle_for("eks").identity
    slides = slides_for(policy)
    titles = [slide.title for slide in slides]
    for statement in policy.statements:
        assert f"{statement.sid} · {statement.title}" in titles
        for action in statement.actions:
            assert action.name in titles
    assert slides[-2].place == "Where it goes" and slides[-1].place == "Log in"
    by_action = {slide.title: slide for slide in slides if slide.title.startswith("ecr:")}
    assert any(line.startswith("Calls: HEAD /v2/my-app/manifests/TAG") for line in by_action["ecr:BatchGetImage"].lines)
