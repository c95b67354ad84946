"""The Code page's tabs under AppTest: only the open tab is drawn (issue 12), so a test that must
see every snippet the learner can reach opens each tab in turn.

``st.tabs(..., key=..., on_change="rerun")`` keeps the open tab's *label* in
``st.session_state[key]``; a test opens a tab by setting that label and running the script, as a
click in the browser does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from streamlit.testing.v1 import AppTest

from aoai_lab.codegen import TARGETS
from aoai_lab.i18n import Lang, t

TARGET_KEY = "code.target"  # the language tabs (Python, JavaScript, curl, ...)
SETUP_KEY = "code.setup_target"  # the setup tabs (bash, PowerShell, Bicep)
TAB_KEYS = (TARGET_KEY, SETUP_KEY)
SETUP_PANEL = "code.setup.open"  # the setup commands' panel, drawn only while open


def open_setup(at: AppTest, open_: bool = True) -> AppTest:
    """Open (or close) the panel with the setup commands, as a click does (a rerun)."""
    at.session_state[SETUP_PANEL] = open_
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _tab_container(at: AppTest, key: str) -> Any | None:
    """The ``st.tabs`` block whose widget key is ``key`` (its id ends with ``-<key>``), or None."""

    def walk(node: Any) -> Iterator[Any]:
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            yield node
            for child in children.values():
                yield from walk(child)

    for block in walk(at._tree):
        if getattr(block, "type", None) == "tab_container" and str(block.proto.id).endswith(f"-{key}"):
            return block
    return None


def tab_labels(at: AppTest, key: str) -> list[str]:
    """The labels of the tab set ``key`` as drawn in the last run ([] when it is not drawn)."""
    block = _tab_container(at, key)
    return [] if block is None else [tab.label for tab in block.children.values()]


def open_tab(at: AppTest, key: str) -> str | None:
    """The label of the tab the browser shows open in the tab set ``key`` (None when not drawn)."""
    block = _tab_container(at, key)
    if block is None:
        return None
    index: int = block.proto.tab_container.default_tab_index  # the open tab, on a stateful tab set
    return tab_labels(at, key)[index]


def target_of(label: str, lang: Lang) -> str:
    """The codegen target whose tab reads ``label`` in ``lang``."""
    return next(target for target in TARGETS if t(f"code.tab.{target}", lang) == label)


def select_tab(at: AppTest, key: str, label: str) -> AppTest:
    """Open the tab ``label`` of the tab set ``key``, as a click does (a rerun), and check it opened."""
    at.session_state[key] = label
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert open_tab(at, key) == label, (key, label, open_tab(at, key))
    return at


def each_tab(at: AppTest) -> Iterator[AppTest]:
    """Open every tab of the Code page in turn (each language tab, then, with the setup panel
    open, each setup tab) and yield ``at`` after each run; afterwards the panel and the tabs are
    as they were."""
    # Not on the Code page, nothing would be opened and "no block holds X" would pass unseen.
    assert tab_labels(at, TARGET_KEY), "the Code page's language tabs are not drawn"
    panel_was_open = bool(at.session_state[SETUP_PANEL]) if SETUP_PANEL in at.session_state else False
    open_setup(at)
    was_open = {key: open_tab(at, key) for key in TAB_KEYS}
    try:
        for key in TAB_KEYS:
            for label in tab_labels(at, key):
                yield select_tab(at, key, label)
    finally:
        for key, before in was_open.items():
            if before is not None:
                at.session_state[key] = before
        at.session_state[SETUP_PANEL] = panel_was_open
        at.run()


def every_code(at: AppTest, language: str | None = None) -> list[str]:
    """Every code block the learner can reach on the Code page, over all tabs (each text once, in
    the order first drawn); only blocks in ``language`` when it is given."""
    seen = [str(c.value) for _ in each_tab(at) for c in at.code if language is None or c.language == language]
    return list(dict.fromkeys(seen))
