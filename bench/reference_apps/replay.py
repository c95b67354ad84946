"""Reference for page switches and the connect click: AOAI Lab's own elements, replayed.

The same navigation and, on every page, the elements AOAI Lab's page sent when it was recorded
(``bench/replay.py``; the file is named by ``BENCH_REPLAY_FILE``), with none of AOAI Lab's code:
a session's first run gets the page as a first run drew it, later runs as a later run did, and
the "offline demo" button brings the Connect page as it was right after that click.
"""

import os
from collections.abc import Callable

import streamlit as st

from bench.replay import DEMO_CLICK, FIRST, RECORDING_ENV, draw, load

recording = load(os.environ[RECORDING_ENV])
first_run = "replay.ran" not in st.session_state
st.session_state["replay.ran"] = True


def demo_clicked() -> None:
    st.session_state["replay.demo"] = True


def page(path: str) -> Callable[[], None]:
    def run() -> None:
        shown = DEMO_CLICK if path == "connect" and st.session_state.pop("replay.demo", False) else path
        draw(recording.pages.get(FIRST + shown if first_run else shown, []), demo_clicked)

    run.__name__ = f"replay_{path or 'guide'}"  # Streamlit tells pages apart by their function's name
    return run


st.set_page_config(page_title="AOAI Lab", page_icon="🧪", layout="wide")
pages = [
    st.Page(
        page(p.url_pathname),
        title=p.page_name,
        icon=p.icon or None,
        url_path=p.url_pathname or "guide",
        default=p.is_default,
        visibility="hidden" if p.is_hidden else "visible",
    )
    for p in recording.navigation.app_pages
]
st.navigation(pages).run()
