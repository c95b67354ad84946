"""The app's frame: navigation over ``pages/``, the legacy-mode guard and the sidebar."""

from __future__ import annotations

import runpy
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.navigation.page import Page
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

from aoai_lab.i18n import LANGS
from aoai_lab.ui import state
from aoai_lab.ui.demo import is_demo
from aoai_lab.ui.state import tr

PAGES_DIR = Path(__file__).resolve().parents[2] / "pages"


@dataclass(frozen=True)
class PageSpec:
    """How one file of ``pages/`` appears in the navigation."""

    file: str
    icon: str
    default: bool = False

    @property
    def name(self) -> str:
        """The page's name: its URL path and its catalog key (``nav.<name>``)."""
        return Path(self.file).stem


# In menu order. Every .py file in pages/ needs an entry (a test checks both ways).
PAGE_SPECS: tuple[PageSpec, ...] = (
    PageSpec("guide.py", ":material/menu_book:", default=True),
    PageSpec("connect.py", ":material/cable:"),
    PageSpec("chat.py", ":material/chat:"),
    PageSpec("code.py", ":material/code:"),
    PageSpec("log.py", ":material/monitoring:"),
    PageSpec("troubleshoot.py", ":material/build:"),
)


def leave_legacy_pages_mode() -> None:
    """Make a deep link as the first request on a fresh server run inside the frame.

    With a ``pages/`` folder, Streamlit runs a session in its legacy multipage mode until some
    session has executed ``st.navigation``: the first visitor of ``/chat`` gets ``pages/chat.py``
    run alone, without ``app.py`` (no session init, no sidebar). AppTest does the same on every
    run. Called first in ``app.py`` and in every page, this switches legacy mode off for the
    process and runs ``app.py`` in its place, within the same run, so the request (a chat message,
    a click) is not lost; the legacy run then stops. Once off, it does nothing.
    """
    if not PagesManager.uses_pages_directory:
        return
    PagesManager.uses_pages_directory = False
    ctx = get_script_run_ctx()
    if ctx is None:  # not inside a Streamlit run: nothing to hand over to
        return
    runpy.run_path(str(ctx.pages_manager.main_script_path), run_name="__main__")
    st.stop()


def navigation() -> Page:
    """The ``st.navigation`` over every file in ``pages/``, titled in the session's language."""
    specs = {spec.file: spec for spec in PAGE_SPECS}
    files = sorted(p.name for p in PAGES_DIR.glob("*.py") if not p.name.startswith("_"))
    ordered = [s.file for s in PAGE_SPECS if s.file in files] + [f for f in files if f not in specs]
    pages = []
    for file in ordered:
        spec = specs.get(file, PageSpec(file, ":material/article:"))
        pages.append(
            st.Page(
                PAGES_DIR / file,
                title=tr(f"nav.{spec.name}"),
                icon=spec.icon,
                url_path=spec.name,
                default=spec.default,
            )
        )
    return st.navigation(pages, position="sidebar")


def run_with_sidebar(page: Page) -> None:
    """Run ``page`` inside the frame's sidebar: language and presenter mode above it, and the
    connection status drawn *after* the page ran, so a check the page just did shows at once."""
    _controls()
    status = st.sidebar.container()
    try:
        page.run()
    finally:  # also when a page fails: the frame stays whole
        with status:
            _connection_status()


def _controls() -> None:
    """Language and presenter mode."""
    with st.sidebar:
        st.segmented_control(
            tr("sidebar.language"),
            options=list(LANGS),
            format_func=lambda code: tr(f"lang.{code}"),
            key=state.LANG,
            selection_mode="single",
            required=True,  # one language is always chosen (``state.lang()`` also falls back to Korean)
        )
        st.toggle(tr("sidebar.presenter"), key=state.PRESENTER, help=tr("sidebar.presenter_help"))


def _connection_status() -> None:
    """The active connection: demo or real Azure, host, deployment, checked or not (never the key)."""
    conn = state.connection()
    report = state.report()
    with st.container(border=True, key="connection-status"):
        st.markdown(f"**{tr('sidebar.connection')}**")
        demo = is_demo(conn)
        if demo:
            st.badge(tr("sidebar.mode_demo"), icon=":material/science:", color="violet")
        else:
            st.badge(tr("sidebar.mode_azure"), icon=":material/cloud:", color="blue")
        host = conn.host or "—"
        if state.presenter() and not demo:
            host = tr("sidebar.hidden")
        st.caption(f"{tr('sidebar.host')}: `{host}`")
        st.caption(f"{tr('sidebar.deployment')}: `{conn.deployment or '—'}`")
        if report is None:
            st.caption(f":material/radio_button_unchecked: {tr('sidebar.unchecked')}")
        elif report.ok:
            st.caption(f":material/check_circle: {tr('sidebar.checked_ok', model=report.model or '')}")
        else:
            st.caption(f":material/error: {tr('sidebar.checked_failed', code=report.diagnosis.code)}")
