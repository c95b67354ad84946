"""Connect: enter endpoint, key, deployment and api-version; check them rung by rung."""

import time
from collections.abc import Sequence

import streamlit as st

from aoai_lab.advice import version_advice
from aoai_lab.check import CheckReport, RungResult, run_check
from aoai_lab.classroom import session as classroom_session
from aoai_lab.connection import (
    ENV_API_VERSION,
    ENV_DEPLOYMENT,
    ENV_ENDPOINT,
    ENV_KEY,
    ApiStyle,
    Normalised,
    clean_value,
    dotenv_text,
    from_form,
    split_url,
)
from aoai_lab.connection_status import ConnectionStatus, style_switch
from aoai_lab.preflight import Finding
from aoai_lab.preflight import run as preflight
from aoai_lab.presenter import masked_endpoint
from aoai_lab.recording import check_records
from aoai_lab.support import diagnostic_report
from aoai_lab.ui import frame, state
from aoai_lab.ui.cards import changed_names, diagnosis_card, finding_line, student_view, success_card
from aoai_lab.ui.demo import demo_connection, demo_endpoint
from aoai_lab.ui.state import shown, tr
from aoai_lab.versions import load_api_versions

frame.leave_legacy_pages_mode()

FIELDS = ("endpoint", "api_key", "deployment", "api_version")
# Each field is labelled with the environment variable the SDK (and .env) uses for it.
ENV_NAMES = {"endpoint": ENV_ENDPOINT, "api_key": ENV_KEY, "deployment": ENV_DEPLOYMENT, "api_version": ENV_API_VERSION}
KEYS = state.FIELD_KEYS
FLASH = "connect.flash"
SAVED_VERSION = "connect.saved_api_version"  # a dated api-version put aside while on v1
AUTOCHECK = "connect.autocheck"
REPORT = "connect.report.open"  # the diagnostic report's panel
LIVE_AFTER_S = 0.2  # the live timeline appears once a check has taken this long
RUNG_ICONS = {"ok": ":material/check_circle:", "warning": ":material/warning:", "failed": ":material/cancel:"}


def use_demo() -> None:
    state.fill(demo_connection())
    st.session_state[SAVED_VERSION] = ""
    st.session_state[AUTOCHECK] = True


def use_configured() -> None:
    configured = state.configured()
    if configured is not None:
        state.fill(configured)
        st.session_state[SAVED_VERSION] = ""
        st.session_state[AUTOCHECK] = True


def switch_style() -> None:
    """v1 needs no api-version: a dated one is put aside on v1 and comes back on classic."""
    new_style: ApiStyle = "v1" if st.session_state.get(KEYS["style"]) == "v1" else "classic"
    version = str(st.session_state.get(KEYS["api_version"]) or "").strip()
    saved = str(st.session_state.get(SAVED_VERSION) or "")
    field, kept = style_switch(version, saved, new_style, is_v1_version=load_api_versions().is_v1(version))
    st.session_state[KEYS["api_version"]] = field
    st.session_state[SAVED_VERSION] = kept
    if field != version:
        message = "connect.style_cleared" if new_style == "v1" else "connect.style_restored"
        st.session_state[FLASH] = [tr(message, version=version or field)]


def status_line(current: ConnectionStatus) -> None:
    """Next to the fields: whether these very values were checked."""
    if current.check == "changed":
        st.warning(tr("connect.status.changed", fields=changed_names(current.changed)), icon=":material/edit_note:")
    elif current.check == "ok":
        st.caption(f":material/check_circle: {tr('connect.status.ok')}")
    elif current.check == "failed":
        st.caption(f":material/error: {tr('connect.status.failed')}")
    else:
        st.caption(f":material/radio_button_unchecked: {tr('connect.status.unchecked')}")


def tidy(name: str) -> None:
    """Clean a pasted value in place; a full request URL in the endpoint fills the other fields."""
    key = KEYS[name]
    value, notes = clean_value(st.session_state.get(key, ""))
    flashes = (
        [tr("diag.hint.cleaned") if name == "api_key" else tr("diag.hint.value_cleaned", field=name)] if notes else []
    )
    parts = split_url(value) if name == "endpoint" else None
    if parts is not None and parts.endpoint.rstrip("/") != value.rstrip("/"):
        value = parts.endpoint
        for field, part in (("deployment", parts.deployment), ("api_version", parts.api_version)):
            if part:
                st.session_state[KEYS[field]] = part
        if parts.style:
            st.session_state[KEYS["style"]] = parts.style
        flashes = [tr("diag.hint.split_url", endpoint=value)]
    st.session_state[key] = value
    st.session_state[FLASH] = flashes


def rung_line(result: RungResult) -> str:
    """One line of the check's timeline."""
    facts = " · ".join(f"{tr('rung.fact.' + name)} {value}" for name, value in result.facts.items() if value)
    timing = f" ({result.duration_ms:.0f} ms)" if result.state not in ("skipped",) and result.duration_ms else ""
    icon = RUNG_ICONS.get(result.state, ":material/radio_button_unchecked:")
    line = f"{icon} **{tr('rung.' + result.rung)}** — {tr('rung.state.' + result.state)}{timing}"
    return f"{line}  \n{facts}" if facts else line


def timeline(results: Sequence[RungResult]) -> str:
    """The check's timeline as one Markdown block: one element to draw, not one per rung."""
    return shown("\n\n".join(rung_line(result) for result in results))


def show_findings(findings: list[Finding], field: str) -> None:
    for finding in findings:
        if finding.field_name == field:
            finding_line(finding)


def run_check_live(normalised: Normalised) -> CheckReport:
    """Run the check, its timeline growing in one box as each rung finishes (once the check has
    taken :data:`LIVE_AFTER_S`); then show the timeline in an expander named after the verdict
    (open when the check failed).

    Not ``st.status``: it sleeps 50 ms when created, which was half the server time of the
    "offline demo" click (issue 12; streamlit/elements/lib/mutable_status_container.py). One
    element rewritten in place, not an element per rung, each drawn twice (live, then in the
    expander): the click's run sends fewer deltas (57 before). The expander is a new element after
    the box: put in the place of a bordered container holding an ``st.empty``, it sometimes showed
    in Chromium without its text (tests/browser/test_learner_path.py, 1 run in 2).
    """
    live = st.empty()  # the timeline while the check runs, an element rewritten in place
    done: list[RungResult] = []
    started = time.monotonic()

    def show_progress(result: RungResult | None = None) -> None:
        if result is not None:
            done.append(result)
            # Rungs are drawn as they finish only in a check slow enough to watch: against the demo
            # the ladder takes ~30 ms, and each rewrite was a draw before the verdict (issue 12).
            if time.monotonic() - started < LIVE_AFTER_S:
                return
        live.info("\n\n".join([tr("connect.checking"), timeline(done)]), icon=":material/progress_activity:")

    show_progress()  # at once: "checking…", whatever the first rung takes
    report = run_check(normalised, on_rung=show_progress)
    live.empty()
    ok = report.ok
    label = tr("connect.check_ok") if ok else tr("connect.check_failed", code=report.diagnosis.code)
    st.expander(label, expanded=not ok, icon=RUNG_ICONS["ok" if ok else "failed"]).markdown(timeline(report.rungs))
    state.remember_check(report)
    state.record(check_records(report, "connect"))
    return report


st.title(tr("connect.title"))
st.caption(tr("connect.intro"))

actions = st.container(horizontal=True)
actions.button(tr("connect.use_demo"), icon=":material/science:", on_click=use_demo, key="connect.demo_button")
configured = state.configured()
if configured is not None:
    actions.button(
        tr(f"connect.use_configured.{configured.source}"),
        icon=":material/dns:",
        on_click=use_configured,
        key="connect.configured_button",
    )
    classroom_session.access_prompt()  # classroom mode: the access code, once per session

values = {name: str(st.session_state.get(KEYS[name], "")) for name in FIELDS}
style = str(st.session_state.get(KEYS["style"], "classic"))
normalised = from_form(
    values["endpoint"],
    values["api_key"],
    values["deployment"],
    values["api_version"],
    "v1" if style == "v1" else "classic",
    configured=configured,
    demo_root=demo_endpoint(),
)
findings = preflight(normalised)

with st.container(border=True, key="connect-form"):
    st.radio(
        tr("connect.style_label"),
        options=["classic", "v1"],
        format_func=lambda option: tr(f"connect.style.{option}"),
        key=KEYS["style"],
        horizontal=True,
        persist_state="session",
        help=tr("connect.style_label_help"),
        on_change=switch_style,
    )
    for message in st.session_state.pop(FLASH, []):
        st.caption(f":material/auto_fix_high: {shown(message)}")
    versions = load_api_versions()
    server_key = configured is not None and normalised.connection.key_on_server
    version_help = "connect.help.api_version_v1" if style == "v1" else "connect.help.api_version"
    placeholders = {
        "endpoint": tr("connect.placeholder.endpoint"),
        "api_key": tr("connect.key_from_server") if server_key else tr("connect.key_placeholder"),
        "deployment": tr("connect.placeholder.deployment"),
        # The version that fits the deployment's family (gpt-5.1 refuses the GA 2024-10-21).
        "api_version": version_advice(normalised.connection.deployment, state.family()).first if style != "v1" else "",
    }
    for name in FIELDS:
        if name == "api_key" and state.presenter():
            st.caption(f":material/visibility_off: {tr('connect.key_hidden_presenter')}")
        elif name == "endpoint" and state.presenter():
            hidden = masked_endpoint(normalised.connection) or "—"
            st.caption(f":material/visibility_off: {tr('connect.endpoint_hidden_presenter', endpoint=hidden)}")
        else:
            st.text_input(
                f"{tr(f'connect.field.{name}')} · `{ENV_NAMES[name]}`",
                key=KEYS[name],
                type="password" if name == "api_key" else "default",
                placeholder=placeholders[name],
                help=tr(
                    version_help if name == "api_version" else f"connect.help.{name}",
                    **versions.latest,
                ),
                on_change=tidy,
                args=(name,),
                # Findings follow as the learner types; not for the key, where Tab stays inside the
                # widget (on its show-password button) and a quick click could check the old key.
                live=name != "api_key",
                persist_state="session",
            )
        show_findings(findings, name)
    status_note = st.empty()
    with status_note.container():
        status_line(state.status())
    clicked = st.button(tr("connect.check"), type="primary", icon=":material/network_check:", key="connect.check")

# A click, or a fill from one of the buttons above (their callbacks ran before this script).
if clicked or st.session_state.pop(AUTOCHECK, False):
    run_check_live(normalised)
    with status_note.container():  # drawn before the check ran: now it speaks for the check
        status_line(state.status())
else:
    previous = state.last_check()
    if previous is not None:
        changed = state.status().check == "changed"
        st.expander(tr("connect.other_values" if changed else "connect.last_timeline")).markdown(
            timeline(previous.rungs)
        )

# A card speaks only for the values in the fields: after an edit, the old verdict is not shown.
current = state.status()
if current.report is not None:
    if current.report.ok:
        success_card(current.report)
    else:
        diagnosis_card(current.report.diagnosis, key="connect")

st.divider()
tools = st.columns(2)
with tools[0]:
    active = state.connection()
    validated = state.report() is not None
    st.download_button(
        tr("connect.download_env"),
        data=lambda: dotenv_text(active, include_key=not active.key_on_server).encode("utf-8"),
        file_name=".env",
        mime="text/plain",
        icon=":material/download:",
        disabled=not validated,
        on_click="ignore",
        help=tr("connect.download_env_help") if validated else tr("connect.download_env_disabled"),
        key="connect.download_env",
    )
# Written and drawn only while open: on every run it was a code block the learner rarely opens.
report_box = tools[1].expander(tr("connect.report"), icon=":material/support_agent:", key=REPORT, on_change="rerun")
if report_box.open:
    with report_box:
        st.caption(tr("connect.report_help"))
        checked = state.last_check()
        report_text = diagnostic_report(  # classroom mode: no non-Azure host's evidence (issue 11)
            checked.connection if checked else state.connection(), checked, view=student_view()
        )
        st.code(shown(report_text), language=None)
