"""A small Streamlit client that speaks the browser's websocket protocol, for load benchmarks.

One browser tab is one websocket to ``/_stcore/stream`` carrying protobufs Streamlit ships
(``streamlit.proto``): the client sends ``BackMsg.rerun_script`` with the page and widget states,
the server answers with ``ForwardMsg`` deltas and a ``script_finished``. Sixty of these cost a
few MB, where sixty Chromium tabs would not fit on the machine being measured.

Only what the benchmarks need: open a page, click a button by its key, send a chat message,
and time when text containing a marker first arrives and when the run finishes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect

FINISHED = ForwardMsg.ScriptFinishedStatus
# A run is over when it finished (whole script or a fragment); a rerun request is not an end.
_DONE = (FINISHED.FINISHED_SUCCESSFULLY, FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)


def drop_inside(page: dict[tuple[int, ...], Any], path: tuple[int, ...]) -> None:
    """Remove what ``page`` holds below ``path`` (not ``path`` itself): an element put where a block
    was takes the block's children with it, as the browser does."""
    for inner in [p for p in page if len(p) > len(path) and p[: len(path)] == path]:
        del page[inner]


class ProtocolError(RuntimeError):
    """The server closed, timed out or ran the script into an error."""


def element_text(element: Element) -> str:
    """The visible text of an element, for the kinds a chat shows ("" for the others)."""
    kind = element.WhichOneof("type")
    if kind == "markdown":
        return element.markdown.body
    if kind == "text":
        return element.text.body
    if kind == "heading":
        return element.heading.body
    if kind == "alert":
        return element.alert.body
    return ""


def _widget_id(element: Element) -> str:
    kind = element.WhichOneof("type")
    if kind is None:
        return ""
    inner = getattr(element, kind)
    return str(getattr(inner, "id", "") or "")


@dataclass
class Watch:
    """Time of the first element, after ``since``, whose text contains ``marker``."""

    marker: str
    since: float
    seen_at: float | None = None


@dataclass
class Session:
    """One simulated browser tab.

    ``elements`` is the latest element at each delta path; ``widgets`` maps widget ids to their
    elements; ``bytes_in``/``messages_in`` count everything the server sent.
    """

    url: str
    clock: Callable[[], float] = time.perf_counter
    elements: dict[tuple[int, ...], Element] = field(default_factory=dict)
    widgets: dict[str, Element] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)  # url path -> page_script_hash
    page_hash: str = ""
    bytes_in: int = 0
    messages_in: int = 0
    runs_finished: int = 0
    run_started_at: float | None = None  # when the server last began a run (its new_session)
    exceptions: list[str] = field(default_factory=list)
    watches: list[Watch] = field(default_factory=list)
    on_message: Callable[[ForwardMsg], None] | None = None  # sees every message (bench/replay.py records)
    _ws: ClientConnection | None = None
    _reader: asyncio.Task[None] | None = None
    _finished: asyncio.Event = field(default_factory=asyncio.Event)
    _closed: BaseException | None = None

    async def open(self, page: str = "", timeout: float = 60.0) -> None:
        """Connect and run ``page`` (its URL path; "" for the default page) to the end."""
        ws_url = self.url.rstrip("/").replace("http://", "ws://", 1) + "/_stcore/stream"
        # The browser repurposes the subprotocol header: ["streamlit", xsrf token, session id].
        self._ws = await connect(ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=timeout)  # type: ignore[list-item]
        self._reader = asyncio.create_task(self._read())
        await self.rerun(page_name=page, timeout=timeout)

    async def close(self) -> None:
        """Close the websocket (the server keeps the session for its TTL, as for a closed tab)."""
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    def widget_id(self, key: str, kind: str | None = None) -> str:
        """The id of the widget whose id ends with ``key`` (keyed) or whose kind is ``kind``."""
        for widget_id, element in self.widgets.items():
            if key and widget_id.endswith(key):
                return widget_id
            if kind and element.WhichOneof("type") == kind:
                return widget_id
        raise ProtocolError(f"no widget {key or kind!r} on the page; have {sorted(self.widgets)}")

    def texts(self) -> list[str]:
        """Every visible text on the page now, in delta-path order."""
        return [t for _, e in sorted(self.elements.items()) if (t := element_text(e))]

    async def rerun(
        self,
        widgets: list[WidgetState] | None = None,
        *,
        page_name: str | None = None,
        timeout: float = 60.0,
    ) -> None:
        """Ask for a rerun (a click, a chat message, a page switch) and wait until it finishes."""
        msg = BackMsg()
        state = msg.rerun_script
        if page_name is not None:
            state.page_name = page_name
            self.page_hash = self.pages.get(page_name, "")
        state.page_script_hash = self.page_hash
        state.widget_states.widgets.extend(widgets or [])
        self._finished.clear()
        assert self._ws is not None, "open() first"
        await self._ws.send(msg.SerializeToString())
        try:
            await asyncio.wait_for(self._finished.wait(), timeout)
        except TimeoutError as error:
            raise ProtocolError(f"the run did not finish within {timeout:.0f} s") from error
        if self._closed is not None:
            raise ProtocolError(f"connection closed: {self._closed}")

    async def click(self, key: str, timeout: float = 60.0) -> None:
        """Click the button whose key is ``key``."""
        state = WidgetState(id=self.widget_id(key), trigger_value=True)
        await self.rerun([state], timeout=timeout)

    async def chat(self, text: str, timeout: float = 120.0) -> None:
        """Send ``text`` through the page's chat input and wait until the reply's run ends."""
        state = WidgetState(id=self.widget_id("", kind="chat_input"))
        state.chat_input_value.data = text
        await self.rerun([state], timeout=timeout)

    def watch(self, marker: str) -> Watch:
        """Start timing the first arrival of text containing ``marker``."""
        watch = Watch(marker, self.clock())
        self.watches.append(watch)
        return watch

    async def _read(self) -> None:
        assert self._ws is not None
        try:
            async for frame in self._ws:
                data = frame if isinstance(frame, bytes) else frame.encode()
                self.bytes_in += len(data)
                self.messages_in += 1
                msg = ForwardMsg()
                msg.ParseFromString(data)
                if self.on_message is not None:
                    self.on_message(msg)
                self._handle(msg)
        except Exception as error:  # a broken connection ends every wait
            self._closed = error
        else:
            self._closed = ConnectionError("closed by the server")
        self._finished.set()

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "delta":
            self._delta(msg)
        elif kind == "navigation":
            self.pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
            self.page_hash = msg.navigation.page_script_hash or self.page_hash
        elif kind == "new_session":
            self.elements.clear()
            self.run_started_at = self.clock()
        elif kind == "script_finished" and msg.script_finished in _DONE:
            self.runs_finished += 1
            self._finished.set()

    def _delta(self, msg: ForwardMsg) -> None:
        # What the browser keeps: a block put where an element was replaces it, and an element put
        # where a block was drops the block's children. Whether Streamlit sends the element first
        # at all depends on timing (its queue merges deltas to one path not yet sent).
        path = tuple(msg.metadata.delta_path)
        kind = msg.delta.WhichOneof("type")
        if kind == "add_block":
            self.elements.pop(path, None)
            return
        if kind != "new_element":
            return
        drop_inside(self.elements, path)
        element = msg.delta.new_element
        self.elements[path] = element
        if widget_id := _widget_id(element):
            self.widgets[widget_id] = element
        if element.WhichOneof("type") == "exception":
            self.exceptions.append(element.exception.message)
        text = element_text(element)
        if text:
            now = self.clock()
            for watch in self.watches:
                if watch.seen_at is None and watch.marker in text:
                    watch.seen_at = now
