"""One generated program on the Code page: the code as shown, its notes, and its download."""

from __future__ import annotations

import streamlit as st

from aoai_lab.codegen import Snippet
from aoai_lab.ui.state import tr


def show_snippet(snippet: Snippet, shown_code: str, *, key: str) -> None:
    """Draw ``snippet`` with ``shown_code`` on screen (presenter mode masks it) and a download of
    the real file (the download keeps every value so the program runs)."""
    st.code(shown_code, language=snippet.language, line_numbers=False, wrap_lines=False)
    if snippet.notes:  # one caption, a line per note
        st.caption("  \n".join(f":material/info: {tr(note)}" for note in snippet.notes))
    st.download_button(
        tr("code.page.download", file=snippet.filename),
        data=snippet.file_bytes(),
        file_name=snippet.filename,
        mime="text/plain",
        on_click="ignore",
        icon=":material/download:",
        key=key,
    )
