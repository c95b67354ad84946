"""The instructor page: the class live, the pre-class smoke test and the pause switch.

Nothing of the class is drawn before the password is given (compared in constant time, with
limited tries). Sessions are shown by anonymous ids; chat content is never read here.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import streamlit as st

from aoai_lab.classroom.access import attempt
from aoai_lab.classroom.config import ConfigError
from aoai_lab.classroom.gate import Gate
from aoai_lab.classroom.session import config, gate, session_id
from aoai_lab.classroom.smoke import Capacity, run_smoke
from aoai_lab.classroom.stats import Snapshot, snapshot
from aoai_lab.ui import state
from aoai_lab.ui.state import tr

OPEN = "classroom.instructor_open"
LOGIN_INPUT = "classroom.instructor_login"
FLASH = "classroom.instructor_flash"
SMOKE = "classroom.smoke_result"
LIVE_SECONDS = 5


def _login() -> None:
    the_gate = gate()
    typed = str(st.session_state.get(LOGIN_INPUT) or "")
    st.session_state[LOGIN_INPUT] = ""  # never echoed back to the browser
    if the_gate is None or the_gate.config.instructor_password is None:
        return
    expected = the_gate.config.instructor_password
    try:
        result = attempt(the_gate.store, "password", session_id(), typed, expected, the_gate.clock())
    except Exception as error:  # the store (Redis) is down: say so rather than fail the page
        st.session_state[FLASH] = tr("instructor.store_down", error=type(error).__name__)
        return
    st.session_state[OPEN] = result.ok
    if not result.ok:
        retry = result.retry_after
        st.session_state[FLASH] = (
            tr("instructor.too_many", seconds=math.ceil(retry)) if retry else tr("instructor.wrong")
        )


def _lock() -> None:
    st.session_state[OPEN] = False


def render() -> None:
    """The whole page; outside classroom mode it only says how to turn it on."""
    st.title(tr("instructor.title"))
    try:
        conf = config()
    except ConfigError as error:  # app.py stops first; kept for a page run on its own
        st.error(error.message())
        return
    the_gate = gate()
    if conf is None or the_gate is None:
        st.info(tr("classroom.off"), icon=":material/school:")
        return
    if conf.instructor_password is None:
        st.warning(tr("instructor.no_password"), icon=":material/lock:")
        return
    if not st.session_state.get(OPEN):
        with st.container(border=True, key="instructor-login"):
            st.text_input(tr("instructor.password"), key=LOGIN_INPUT, type="password", on_change=_login)
            st.button(tr("instructor.login"), key="instructor.login", on_click=_login, type="primary")
            flash = st.session_state.pop(FLASH, None)
            if flash:
                st.error(flash, icon=":material/lock:")
        return
    st.caption(tr("instructor.intro"))
    st.button(tr("instructor.logout"), key="instructor.logout", on_click=_lock, icon=":material/lock:")
    _switch(the_gate)
    _live(the_gate)
    _smoke()


def _switch(the_gate: Gate) -> None:
    try:
        paused = the_gate.paused()
    except Exception:  # the store is down: the live part below says so
        return
    row = st.container(horizontal=True, key="instructor-switch")
    if paused:
        row.warning(tr("instructor.paused"), icon=":material/pause_circle:")
        row.button(tr("instructor.resume"), key="instructor.resume", on_click=the_gate.pause, args=(False,))
    else:
        row.success(tr("instructor.running"), icon=":material/play_circle:")
        row.button(tr("instructor.pause"), key="instructor.pause", on_click=the_gate.pause, args=(True,))


@st.fragment(run_every=LIVE_SECONDS)
def _live(the_gate: Gate) -> None:
    """The live figures, redrawn every few seconds without rerunning the page."""
    try:
        shot = snapshot(the_gate)
    except Exception as error:  # Redis down: say so, keep the page
        st.error(tr("instructor.store_down", error=type(error).__name__), icon=":material/database:")
        return
    _metrics(shot)
    _chart(shot)
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{tr('instructor.errors')}**")
        _counts(shot.errors)
        st.markdown(f"**{tr('instructor.refusals')}**")
        _counts(shot.refusals)
    with right:
        st.markdown(f"**{tr('instructor.top')}**")
        if shot.top_sessions:
            frame = pd.DataFrame(
                [{tr("instructor.col_session"): s, tr("instructor.col_tokens"): n} for s, n in shot.top_sessions]
            )
            st.dataframe(frame, hide_index=True, key="instructor-top")
        else:
            st.caption(tr("instructor.none"))


def _metrics(shot: Snapshot) -> None:
    last = shot.minutes[-1] if shot.minutes else None
    cols = st.columns(5)
    cols[0].metric(tr("instructor.active"), shot.active_sessions)
    cols[1].metric(tr("instructor.requests_min"), last.requests if last else 0)
    cols[2].metric(tr("instructor.tokens_min"), last.tokens if last else 0)
    remaining = shot.class_remaining
    cols[3].metric(
        tr("instructor.class_left"), f"{remaining:,}" if remaining is not None else tr("instructor.no_budget")
    )
    retry = tr("instructor.last_retry", seconds=f"{shot.last_retry_after:g}") if shot.last_retry_after else None
    cols[4].metric(tr("instructor.azure_429"), shot.azure_429, help=retry)
    if retry:
        cols[4].caption(retry)


def _chart(shot: Snapshot) -> None:
    st.markdown(f"**{tr('instructor.chart')}**")
    minute, requests, tokens = (
        tr("instructor.chart_minute"),
        tr("instructor.chart_requests"),
        tr("instructor.chart_tokens"),
    )
    frame = pd.DataFrame(
        {
            minute: [dt.datetime.fromtimestamp(row.minute * 60, tz=dt.UTC) for row in shot.minutes],
            requests: [row.requests for row in shot.minutes],
            tokens: [row.tokens for row in shot.minutes],
        }
    )
    left, right = st.columns(2)
    left.bar_chart(frame, x=minute, y=requests, height=220)
    right.line_chart(frame, x=minute, y=tokens, height=220)


def _counts(counts: dict[str, int]) -> None:
    if not counts:
        st.caption(tr("instructor.none"))
        return
    rows = [{tr("instructor.col_code"): code, tr("instructor.col_count"): n} for code, n in sorted(counts.items())]
    st.dataframe(pd.DataFrame(rows), hide_index=True)


def _smoke() -> None:
    st.subheader(tr("instructor.smoke_title"))
    st.caption(tr("instructor.smoke_help"))
    shared = state.configured()
    count = st.number_input(tr("instructor.smoke_count"), 1, 100, 10, key="instructor.smoke_count")
    if shared is None:
        st.info(tr("instructor.smoke_no_shared"), icon=":material/info:")
    elif st.button(tr("instructor.smoke_run"), key="instructor.smoke_run", icon=":material/speed:"):
        with st.spinner(tr("instructor.smoke_run")):
            st.session_state[SMOKE] = run_smoke(shared, int(count))
    result = st.session_state.get(SMOKE)
    if result is not None:
        cols = st.columns(3)
        cols[0].metric(tr("instructor.smoke_success"), f"{result.success_rate:.0%}")
        cols[1].metric(tr("instructor.smoke_p50"), f"{result.p50_ms:.0f} ms" if result.p50_ms else "—")
        cols[2].metric(tr("instructor.smoke_p95"), f"{result.p95_ms:.0f} ms" if result.p95_ms else "—")
        st.caption(tr("instructor.smoke_codes", codes=", ".join(f"{c} × {n}" for c, n in sorted(result.codes.items()))))
    st.markdown(f"**{tr('instructor.capacity_title')}**")
    inputs = st.columns(4)
    students = inputs[0].number_input(tr("instructor.students"), 1, 10_000, 60, key="instructor.students")
    per_minute = inputs[1].number_input(
        tr("instructor.prompts_per_minute"), 0.1, 60.0, 2.0, step=0.5, key="instructor.prompts_per_minute"
    )
    per_prompt = inputs[2].number_input(
        tr("instructor.tokens_per_prompt"), 1, 200_000, 1500, key="instructor.tokens_per_prompt"
    )
    tpm = inputs[3].number_input(tr("instructor.deployment_tpm"), 1, 100_000_000, 150_000, key="instructor.tpm")
    capacity = Capacity(int(students), float(per_minute), int(per_prompt), int(tpm))
    if capacity.fits:
        st.success(tr("instructor.fits", formula=capacity.formula), icon=":material/check_circle:")
    else:
        st.error(tr("instructor.does_not_fit", formula=capacity.formula), icon=":material/warning:")
