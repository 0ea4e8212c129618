"""Handouts: an explanation to print or share, in Markdown or as one self-contained HTML file.

A handout is built once as a small model (sections of paragraphs, lists, code, tables and
sequence diagrams) from the same functions `explain` and `simulate` use, then rendered. Every
value from outside (Sids, ARNs, principals, file names) is made visible (control characters as
escapes) and escaped for the format: Markdown punctuation and HTML (html.escape). The HTML loads
nothing: no scripts, no stylesheets, no images, no fonts; addresses are printed as text.
"""

from __future__ import annotations

import html
import json
import re
from collections import namedtuple

from wizard.core.text import visible


class Paragraph(namedtuple("Paragraph", "text")):
    __slots__ = ()


class Bullets(namedtuple("Bullets", "items")):
    __slots__ = ()


class Code(namedtuple("Code", "language text")):
    """Preformatted text: language is a fence label (json, sh, text)."""

    __slots__ = ()


class Table(namedtuple("Table", "headers rows")):
    __slots__ = ()


class Diagram(namedtuple("Diagram", "mermaid text")):
    """A sequence diagram: Mermaid for Markdown, the text drawing for HTML (nothing to load)."""

    __slots__ = ()


class Links(namedtuple("Links", "items")):
    """Addresses this tool states (never outside text), each with what it backs: (url, topics)."""

    __slots__ = ()


class Section(namedtuple("Section", "heading blocks level", defaults=(2,))):
    __slots__ = ()


class Handout(namedtuple("Handout", "title intro sections")):
    """title; intro: a Paragraph list; sections: Section records, in order."""

    __slots__ = ()


# -- Markdown ------------------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~!&{}])")
_LINE_START_MARKER = re.compile(r"^(\s*)([-+=]|\d+[.)])")


def md_escape(text: str) -> str:
    """Outside text that Markdown shows as written: markup characters escaped, control
    characters visible, one line."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", visible(text))
    return _LINE_START_MARKER.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


def _fence(text: str) -> str:
    """A code fence longer than any run of backticks in the text."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def markdown_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    """A GFM table; md_escape turns | into \\| so a cell never splits."""
    lines = ["| " + " | ".join(md_escape(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(md_escape(value) for value in row) + " |" for row in rows]
    return lines


def _markdown_block(block) -> list[str]:
    if isinstance(block, Paragraph):
        return [md_escape(block.text)]
    if isinstance(block, Bullets):
        return [f"- {md_escape(item)}" for item in block.items]
    if isinstance(block, Code):
        text = visible(block.text, keep_newlines=True).rstrip("\n")
        fence = _fence(text)
        return [f"{fence}{block.language}", text, fence]
    if isinstance(block, Table):
        return markdown_table(block.headers, block.rows)
    if isinstance(block, Diagram):
        return ["```mermaid", block.mermaid.rstrip("\n"), "```"]
    if isinstance(block, Links):
        return [f"- <{url}> ({md_escape(topics)})" for url, topics in block.items]
    raise TypeError(block)


def to_markdown(handout: Handout) -> str:
    lines = [f"# {md_escape(handout.title)}", ""]
    for paragraph in handout.intro:
        lines += [*_markdown_block(paragraph), ""]
    for section in handout.sections:
        lines += [f"{'#' * section.level} {md_escape(section.heading)}", ""]
        for block in section.blocks:
            lines += [*_markdown_block(block), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


# -- HTML ----------------------------------------------------------------------------------

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #111; background: #fff;
       max-width: 62rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; border-bottom: 2px solid #111; }
h2 { font-size: 1.3rem; margin-top: 2rem; border-bottom: 1px solid #888; }
h3 { font-size: 1.1rem; }
pre { background: #f3f3f3; border: 1px solid #bbb; padding: .6rem; white-space: pre-wrap;
      overflow-wrap: anywhere; font-size: .85rem; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { border: 1px solid #888; padding: .3rem .45rem; text-align: left; vertical-align: top;
         overflow-wrap: anywhere; }
th { background: #e8e8e8; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2, h3 { break-after: avoid; }
  pre, table, li { break-inside: avoid; }
  @page { margin: 15mm; }
}
"""


def _h(text: str) -> str:
    return html.escape(visible(text), quote=True)


def _html_block(block) -> list[str]:
    if isinstance(block, Paragraph):
        return [f"<p>{_h(block.text)}</p>"]
    if isinstance(block, Bullets):
        return ["<ul>", *(f"<li>{_h(item)}</li>" for item in block.items), "</ul>"]
    if isinstance(block, Code):
        text = html.escape(visible(block.text, keep_newlines=True).rstrip("\n"), quote=True)
        return [f'<pre class="{_h(block.language or "text")}"><code>{text}</code></pre>']
    if isinstance(block, Table):
        head = "".join(f"<th>{_h(header)}</th>" for header in block.headers)
        rows = ["<tr>" + "".join(f"<td>{_h(value)}</td>" for value in row) + "</tr>" for row in block.rows]
        return ["<table>", f"<thead><tr>{head}</tr></thead>", "<tbody>", *rows, "</tbody>", "</table>"]
    if isinstance(block, Diagram):
        text = html.escape(visible(block.text, keep_newlines=True).rstrip("\n"), quote=True)
        return [f'<pre class="diagram"><code>{text}</code></pre>']
    if isinstance(block, Links):
        return ["<ul>", *(f"<li><code>{_h(url)}</code> ({_h(topics)})</li>" for url, topics in block.items), "</ul>"]
    raise TypeError(block)


def to_html(handout: Handout) -> str:
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_h(handout.title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{_h(handout.title)}</h1>",
    ]
    for paragraph in handout.intro:
        lines += _html_block(paragraph)
    for section in handout.sections:
        level = min(max(section.level, 2), 6)
        lines += ["<section>", f"<h{level}>{_h(section.heading)}</h{level}>"]
        for block in section.blocks:
            lines += _html_block(block)
        lines.append("</section>")
    lines += ["</body>", "</html>"]
    return "\n".join(lines) + "\n"


def policy_json(value: dict) -> str:
    """A policy as the handout prints it: 2-space indent, keys in their order."""
    return json.dumps(value, indent=2, ensure_ascii=False)
