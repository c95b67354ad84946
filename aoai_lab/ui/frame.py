"""The app's frame: navigation over ``pages/``, the legacy-mode guard and the sidebar."""

from __future__ import annotations

import runpy
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import streamlit as st
from streamlit.navigation.page import Page
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

from aoai_lab.connection_status import ConnectionStatus
from aoai_lab.i18n import LANGS
from aoai_lab.literal import code_span
from aoai_lab.ui import prefetch, state
from aoai_lab.ui.state import tr

PAGES_DIR = Path(__file__).resolve().parents[2] / "pages"


@dataclass(frozen=True)
class PageSpec:
    """How one file of ``pages/`` appears in the navigation."""

    file: str
    icon: str
    default: bool = False
    # Listed in the menu only in classroom mode (issue 11); its URL still answers, behind its own lock.
    classroom_only: bool = False

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
    PageSpec("instructor.py", ":material/school:", classroom_only=True),  # inert outside classroom mode
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


def classroom_on() -> bool:
    """True when this session runs in classroom mode (a bad configuration counts as on: the app
    stops on it before the menu is drawn anyway)."""
    from aoai_lab.classroom import ConfigError
    from aoai_lab.classroom.session import config

    try:
        return config() is not None
    except ConfigError:
        return True


def visibility(spec: PageSpec, classroom: bool) -> Literal["visible", "hidden"]:
    """Whether ``spec`` is listed in the menu: classroom-only pages are hidden outside classroom mode."""
    return "hidden" if spec.classroom_only and not classroom else "visible"


def navigation() -> Page:
    """The ``st.navigation`` over every file in ``pages/``, titled in the session's language."""
    classroom = classroom_on()
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
                visibility=visibility(spec, classroom),
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
        prefetch.send_once()  # the next pages' widget code, loaded while this one is read


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


# The kind of connection as a Markdown badge: (colour, icon, catalog key).
_BADGES = {
    "demo": ("violet", ":material/science:", "sidebar.mode_demo"),
    "local": ("gray", ":material/computer:", "sidebar.mode_local"),
    "azure": ("blue", ":material/cloud:", "sidebar.mode_azure"),
}


def status_lines(current: ConnectionStatus) -> list[str]:
    """The connection box's small print: host, deployment, and whether these values were checked."""
    conn = current.connection
    lines = [
        f"{tr('sidebar.host')}: {code_span(state.shown(conn.host))}",
        f"{tr('sidebar.deployment')}: {code_span(conn.deployment)}",
    ]
    if current.check == "ok" and current.last is not None:
        lines.append(f":material/check_circle: {tr('sidebar.checked_ok', model=code_span(current.last.model))}")
    elif current.check == "failed" and current.last is not None:
        lines.append(f":material/error: {tr('sidebar.checked_failed', code=current.last.diagnosis.code)}")
    elif current.check == "changed":
        lines.append(f":material/edit_note: {tr('sidebar.changed')}")
    else:
        lines.append(f":material/radio_button_unchecked: {tr('sidebar.unchecked')}")
    return lines


def _connection_status() -> None:
    """The connection in the fields: demo, local server or Azure; host, deployment, and whether
    these very values were checked (never the key; no resource name in presenter mode).

    Two elements, a heading with the badge and one caption: the box is drawn on every run of
    every page, and each element costs the browser a few ms per run (issue 12).
    """
    current = state.status()
    color, icon, label = _BADGES[current.kind]
    with st.container(border=True, key="connection-status"):
        st.markdown(f"**{tr('sidebar.connection')}**  \n:{color}-badge[{icon} {tr(label)}]")
        st.caption("  \n".join(status_lines(current)))
