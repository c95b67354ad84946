"""The benchmark harness's own parts: its websocket protocol client against a real tiny app,
its long replies, its percentiles, the replay reference. Figures are never asserted (benchmarks print them)."""

from __future__ import annotations

import re

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.Delta_pb2 import Delta
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Navigation_pb2 import Navigation

from aoai_lab.diagnosis import OK
from aoai_lab.ui.demo import PORT_ENV
from bench.bench_browser import ENV, OUR_PAGES
from bench.common import Row, percentile
from bench.flows import DEMO_BUTTON
from bench.long_replies import long_text, prompt, reply_marker
from bench.protocol import Session
from bench.replay import Recording, final_tree, frame_env, frame_only, recorded
from bench.server import app, free_port, streamlit_server
from tests.event_loop import run_coroutine


def test_the_protocol_client_sees_a_rendered_app_and_clicks_its_button() -> None:
    async def drive(url: str) -> tuple[list[str], list[str], int]:
        session = Session(url)
        try:
            await session.open("", timeout=60)
            before = session.texts()
            await session.click("connect.demo_button", timeout=60)
            return before, session.texts(), session.runs_finished
        finally:
            await session.close()

    with streamlit_server(app("button_app")) as server:
        before, after, runs = run_coroutine(drive(server.url))
    assert "Connected" not in before
    assert "Connected" in after
    assert runs == 2


def test_long_replies_carry_the_marker_and_the_asked_length() -> None:
    text = long_text(300, "gpt-5.1", turn=2)
    assert text.startswith("[Offline demo · gpt-5.1] ")
    assert reply_marker(2) in text and reply_marker(2) not in prompt(300, 2)
    assert len(text.split("] ", 1)[1].split()) == 301  # the marker word plus 300 words


def test_percentiles_and_ratios() -> None:
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([5], 95) == 5
    assert Row("b", "w", 3.0, 2.0, "s").ratio == 1.5
    assert Row("b", "w", 3.0, None, "s").ratio is None


def _delta(path: tuple[int, ...], text: str | None = None) -> ForwardMsg:
    """A ForwardMsg adding a markdown element (``text``) or, without text, a block at ``path``."""
    msg = ForwardMsg()
    msg.metadata.delta_path[:] = path
    if text is None:
        msg.delta.add_block.vertical.SetInParent()
    else:
        msg.delta.new_element.markdown.body = text
    return msg


def test_a_recorded_run_keeps_what_it_left_on_the_page_in_delta_path_order() -> None:
    finished = ForwardMsg()
    finished.script_finished = ForwardMsg.FINISHED_SUCCESSFULLY
    run = [
        _delta((0, 0), "title"),
        _delta((0, 1)),  # a block with two children…
        _delta((0, 1, 0), "inner a"),
        _delta((0, 1, 1), "inner b"),
        _delta((0, 1), "replaced"),  # …then an element in its place: the children go
        _delta((1, 0), "sidebar"),
        _delta((0, 2), "checking…"),
        _delta((0, 2), "verdict"),  # an st.empty rewritten: the last write counts
        finished,
    ]
    tree = final_tree(run)
    assert [path for path, _ in tree] == [(0, 0), (0, 1), (0, 2), (1, 0)]
    assert [delta.new_element.markdown.body for _, delta in tree] == ["title", "replaced", "verdict", "sidebar"]
    recording = Recording(Navigation(), {"": tree})
    assert Recording.loads(recording.dumps()).pages == recording.pages


def test_the_bare_frame_keeps_only_the_titles_the_demo_button_and_the_success_card() -> None:
    def element(kind: str, **fields: object) -> Delta:
        delta = Delta()
        for name, value in fields.items():
            setattr(getattr(delta.new_element, kind), name, value)
        return delta

    block = _delta((0,)).delta
    tree = [
        ((0, 0), element("heading", tag="h1", body="Connect")),
        ((0, 1), element("heading", tag="h2", body="A section")),
        ((0, 2), block),
        ((0, 2, 0), element("button", id=f"$$ID-1-{DEMO_BUTTON}", label="Offline demo")),
        ((0, 2, 1), element("button", id="$$ID-2-connect.check", label="Check")),
        ((0, 3), block),
        ((0, 3, 0), block),
        ((0, 3, 0, 0), element("alert", format=Alert.SUCCESS, body="Connected")),
        ((0, 3, 0, 1), element("alert", format=Alert.INFO, body="A tip")),
        ((0, 4), block),  # a block holding nothing kept goes too
        ((0, 4, 0), element("markdown", body="text")),
        ((1, 0), element("markdown", body="sidebar")),
    ]
    navigation = Navigation(sections=["one"])
    frame = frame_only(Recording(navigation, {"connect": tree}))
    assert frame.navigation == navigation
    assert [path for path, _ in frame.pages["connect"]] == [(0, 0), (0, 2), (0, 2, 0), (0, 3), (0, 3, 0), (0, 3, 0, 0)]


def test_the_protocol_client_keeps_what_the_browser_would_show() -> None:
    session = Session("http://127.0.0.1:1")  # never opened: messages are handed to it directly
    for msg in (_delta((0, 0), "placeholder"), _delta((0, 0)), _delta((0, 1)), _delta((0, 1, 0), "inner")):
        session._handle(msg)
    assert session.texts() == ["inner"]  # the block took the placeholder's place
    session._handle(_delta((0, 1), "an element where the block was"))
    assert session.texts() == ["an element where the block was"]


async def _tour(url: str) -> dict[str, tuple[list[tuple[tuple[int, ...], str]], list[str]]]:
    """Each page's element kinds by delta path and its texts (a run's timings taken out), then the
    Connect page after the demo click, and a fresh session's first run (with the warm-up script)."""

    def seen(session: Session) -> tuple[list[tuple[tuple[int, ...], str]], list[str]]:
        kinds = sorted((path, str(element.WhichOneof("type"))) for path, element in session.elements.items())
        return kinds, [re.sub(r"\d+ ms", "n ms", text) for text in session.texts()]

    first = Session(url)
    try:
        await first.open("connect", timeout=60)
        got = {"first connect": seen(first)}
    finally:
        await first.close()
    session = Session(url)
    try:
        await session.open("", timeout=60)
        for path in OUR_PAGES:
            await session.rerun(page_name=path, timeout=60)
            got[path or "guide"] = seen(session)
        await session.rerun(page_name="connect", timeout=60)
        await session.click(DEMO_BUTTON, timeout=60)
        got["demo click"] = seen(session)
    finally:
        await session.close()
    return got


def test_the_replay_reference_draws_what_aoai_lab_drew() -> None:
    """bench/reference_apps/replay.py, the page benchmarks' "same elements, no code" reference: at a
    websocket client every page, a first run and the Connect page after the demo click have the
    same elements at the same places, with the same texts, as in AOAI Lab. Its bare frame shows
    each page's title alone, and on the Connect page the demo button and, after it, the verdict."""
    # Both AOAI Lab servers (the recorded one, then ours) give their demo the same port: the
    # check's timeline names it, and the default one may be taken by another test's server.
    env = {**ENV, PORT_ENV: str(free_port())}
    with (
        recorded(OUR_PAGES, env) as replay_env,
        streamlit_server(app("aoai_lab"), env=env) as ours,
        streamlit_server(app("replay"), env=replay_env) as replay,
        streamlit_server(app("replay"), env=frame_env(replay_env)) as frame,
    ):
        servers = (("ours", ours), ("replay", replay), ("frame", frame))
        got = {name: run_coroutine(_tour(server.url)) for name, server in servers}
    assert got["replay"] == got["ours"]
    _, demo_texts = got["ours"]["demo click"]
    _, connect_texts = got["ours"]["connect"]
    verdict = OK.title("ko")
    assert any(verdict in text for text in demo_texts) and not any(verdict in text for text in connect_texts)
    for page, (kinds, texts) in got["frame"].items():
        title = got["ours"][page][1][0]
        assert texts[:1] == [title], page
        on_connect = page in ("first connect", "connect", "demo click")
        expected = {"heading"} | ({"button"} if on_connect else set()) | ({"alert"} if page == "demo click" else set())
        assert {kind for _, kind in kinds} == expected, page
    assert verdict in got["frame"]["demo click"][1][-1]
