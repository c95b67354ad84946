"""Text from outside the app (a server's reply, a learner's field) shown inside Markdown, literally."""

from __future__ import annotations


def code_span(value: str | None, empty: str = "—") -> str:
    """``value`` as a Markdown code span, so no link, emphasis or directive in it is rendered.

    Backticks are dropped (a span cannot simply hold its own delimiter) and runs of whitespace,
    line breaks included, become one space (a blank line would end the paragraph and let the rest
    be read as Markdown). Nothing left: ``empty``.
    """
    text = " ".join((value or "").replace("`", "").split())
    return f"`{text}`" if text else empty
