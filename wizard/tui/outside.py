"""Outside text (files, pastes, arguments, environment) into Textual, as plain text only.

Textual reads `str` as content markup in many places (Option prompts, Static, notify), and
markup can run actions (`[@click=app.quit]`) or fail to parse. Every front-end string that
holds outside text goes through `plain`, which builds `Content` without parsing any markup and
with control characters made visible (wizard.core.text.visible). Use `Content.from_markup`
only for our own templates, with outside values passed as variables through `template`;
notifications go through `notify`.
"""

from __future__ import annotations

from textual.app import App
from textual.content import Content

from wizard.core.text import visible


def plain(text: str, *, keep_newlines: bool = True) -> Content:
    """`text` as inert Content: no markup is parsed, control characters are shown escaped."""
    return Content(visible(text, keep_newlines=keep_newlines))


def template(markup: str, **values: str | Content) -> Content:
    """Our own markup template with outside values substituted as plain text ($name).

    A value that is already Content (built by us) is used as it is.
    """
    return Content.from_markup(
        markup, **{name: value if isinstance(value, Content) else plain(value) for name, value in values.items()}
    )


def notify(app: App, message: str, *, title: str = "", **options) -> None:
    """A toast whose text is shown literally (Textual would otherwise parse it as markup)."""
    app.notify(visible(message, keep_newlines=True), title=visible(title), markup=False, **options)
