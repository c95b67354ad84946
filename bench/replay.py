"""AOAI Lab's elements without AOAI Lab's code: record what each page sends, then replay it.

The page-switch and connect-click goals of issue 12 compare AOAI Lab with apps that draw one or
two elements. ``bench/reference_apps/replay.py`` sends the browser the very elements AOAI Lab's
pages send — recorded here from a running server over the websocket (:mod:`bench.protocol`) —
from a one-file app with none of AOAI Lab's Python. So one ratio splits in three:

* AOAI Lab ÷ the replay: what AOAI Lab's own code costs (its server work, the connection check's
  requests, elements a run writes and then replaces);
* the replay ÷ its bare frame (:func:`frame_only`: the same navigation, and only each page's
  title, the demo button and the success card): what drawing that content costs in Streamlit's
  frontend;
* the bare frame ÷ the small app: what Streamlit's multipage frame itself costs.

Each page is recorded twice: as a session's first run (the sidebar then carries the browser's
warm-up script, aoai_lab/ui/prefetch.py) and as a later run. The Connect page is recorded a third
time, right after the "offline demo" click; the replay's demo button is a real button with the
same key, so the same click drives both apps.

    with recorded(OUR_PAGES) as env:           # starts AOAI Lab, records, stops it
        with streamlit_server(app("replay"), env=env) as server: ...
"""

from __future__ import annotations

import base64
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.Delta_pb2 import Delta
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Navigation_pb2 import Navigation

from bench.flows import DEMO_BUTTON
from bench.protocol import Session, drop_inside
from bench.server import app, streamlit_server
from tests.event_loop import run_coroutine

RECORDING_ENV = "BENCH_REPLAY_FILE"
DEMO_CLICK = "connect+demo"  # the Connect page right after the "offline demo" click
FIRST = "first:"  # prefix of a page recorded as a session's first run

DeltaPath = tuple[int, ...]
Tree = list[tuple[DeltaPath, Delta]]


def final_tree(messages: Iterable[ForwardMsg]) -> Tree:
    """What a run leaves on the page: its elements and blocks in delta-path order (parents
    before children, siblings in order). An element written twice at one path (an ``st.empty``
    rewritten) counts once, as last written; an element written where a block was drops the
    block's children, as the browser does."""
    tree: dict[DeltaPath, Delta] = {}
    for msg in messages:
        kind = msg.delta.WhichOneof("type") if msg.WhichOneof("type") == "delta" else None
        if kind not in ("new_element", "add_block"):
            continue
        path = tuple(msg.metadata.delta_path)
        if kind == "new_element":
            drop_inside(tree, path)
        tree[path] = msg.delta
    return sorted(tree.items())


@dataclass(frozen=True)
class Recording:
    """The app's navigation and, per page, the elements one run of it draws."""

    navigation: Navigation
    pages: dict[str, Tree]  # URL path ("" is the Guide), FIRST + path, or DEMO_CLICK

    def dumps(self) -> str:
        """JSON, each protobuf as base64."""

        def b64(message: Delta | Navigation) -> str:
            return base64.b64encode(message.SerializeToString()).decode("ascii")

        pages = {name: [[list(path), b64(delta)] for path, delta in tree] for name, tree in self.pages.items()}
        return json.dumps({"navigation": b64(self.navigation), "pages": pages})

    @classmethod
    def loads(cls, text: str) -> Recording:
        """The inverse of :meth:`dumps`."""
        data = json.loads(text)
        navigation = Navigation()
        navigation.ParseFromString(base64.b64decode(data["navigation"]))
        pages: dict[str, Tree] = {}
        for name, items in data["pages"].items():
            tree: Tree = []
            for path, raw in items:
                delta = Delta()
                delta.ParseFromString(base64.b64decode(raw))
                tree.append((tuple(path), delta))
            pages[name] = tree
        return cls(navigation, pages)


async def record(url: str, paths: Sequence[str]) -> Recording:
    """Record ``paths`` (URL paths, "" for the Guide) from the app at ``url``."""
    messages: list[ForwardMsg] = []
    pages: dict[str, Tree] = {}
    navigation: Navigation | None = None
    for path in paths:  # each as the first run of its own session
        session = Session(url, on_message=messages.append)
        messages.clear()
        try:
            await session.open(path)
        finally:
            await session.close()
        pages[FIRST + path] = final_tree(messages)
        navigation = next((m.navigation for m in messages if m.WhichOneof("type") == "navigation"), navigation)
    session = Session(url, on_message=messages.append)
    try:
        await session.open("")
        for path in paths:  # and as a later run, switched to from the sidebar
            messages.clear()
            await session.rerun(page_name=path)
            pages[path] = final_tree(messages)
        if "connect" in paths:
            await session.rerun(page_name="connect")
            messages.clear()
            await session.click(DEMO_BUTTON)
            pages[DEMO_CLICK] = final_tree(messages)
    finally:
        await session.close()
    if navigation is None:
        raise RuntimeError("the app sent no navigation")
    return Recording(navigation, pages)


@contextmanager
def recorded(paths: Sequence[str], env: dict[str, str] | None = None) -> Iterator[dict[str, str]]:
    """Start AOAI Lab with ``env``, record ``paths``, stop it; yield the replay app's environment."""
    with streamlit_server(app("aoai_lab"), env=env) as server:
        recording = run_coroutine(record(server.url, paths))  # Playwright may hold this thread's loop
    with tempfile.TemporaryDirectory(prefix="aoai-lab-replay-") as folder:
        file = Path(folder) / "recording.json"
        file.write_text(recording.dumps(), encoding="utf-8")
        yield {RECORDING_ENV: str(file)}


def _in_frame(element: Element) -> bool:
    """An element the bare frame keeps: a page's title, the demo button, the success card."""
    kind = element.WhichOneof("type")
    if kind == "heading":
        return element.heading.tag == "h1"
    if kind == "button":
        return element.button.id.endswith(DEMO_BUTTON)
    return kind == "alert" and element.alert.format == Alert.SUCCESS


def frame_only(recording: Recording) -> Recording:
    """The same app with no content: its navigation and, on each page, only the title, the demo
    button and the success card (with the blocks that hold them). The page switches and the
    click measure their two ends (a title, a card), so this replay ÷ the small apps is what
    Streamlit's multipage frame costs, and the full replay ÷ this one what the content costs."""
    pages: dict[str, Tree] = {}
    for name, tree in recording.pages.items():
        kept = {
            path for path, delta in tree if delta.WhichOneof("type") == "new_element" and _in_frame(delta.new_element)
        }
        holders = {path[:end] for path in kept for end in range(2, len(path))}
        pages[name] = [(path, delta) for path, delta in tree if path in kept or path in holders]
    return Recording(recording.navigation, pages)


def frame_env(replay_env: dict[str, str]) -> dict[str, str]:
    """The replay app's environment for :func:`frame_only` of the recording ``replay_env`` names
    (written next to it, so it lives as long as that one)."""
    file = Path(replay_env[RECORDING_ENV])
    frame = file.with_name("frame.json")
    frame.write_text(frame_only(load(str(file))).dumps(), encoding="utf-8")
    return {RECORDING_ENV: str(frame)}


@cache
def load(file: str) -> Recording:
    """The recording in ``file``, read once per process (the replay app reruns for every click)."""
    return Recording.loads(Path(file).read_text(encoding="utf-8"))


def draw(tree: Tree, on_demo_click: Callable[[], None]) -> None:
    """Send ``tree``'s elements as they were recorded, from the script thread of a running app.

    Streamlit's private ``DeltaGenerator._enqueue`` / ``_block`` send a recorded element or block
    unchanged at the next position of its container; the tree is in delta-path order, so every
    position comes out as recorded (tests/test_bench_harness.py checks it). The demo button is
    drawn as a real ``st.button`` so that a click reruns the app.
    """
    containers: dict[DeltaPath, DeltaGenerator] = {(0,): st._main, (1,): st.sidebar, (3,): st.bottom}
    for path, delta in tree:
        parent = containers[path[:-1]]
        if delta.WhichOneof("type") == "add_block":
            containers[path] = parent._block(delta.add_block)
            continue
        element = delta.new_element
        kind = str(element.WhichOneof("type"))
        if kind == "button" and element.button.id.endswith(DEMO_BUTTON):
            parent.button(
                element.button.label, key=DEMO_BUTTON, icon=element.button.icon or None, on_click=on_demo_click
            )
        else:
            parent._enqueue(kind, getattr(element, kind))
