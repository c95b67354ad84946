"""Connect: enter endpoint, key, deployment and api-version; check them rung by rung."""

import streamlit as st

from aoai_lab.check import CheckReport, RungResult, run_check
from aoai_lab.connection import (
    ENV_API_VERSION,
    ENV_DEPLOYMENT,
    ENV_ENDPOINT,
    ENV_KEY,
    Connection,
    Normalised,
    clean_value,
    dotenv_text,
    from_form,
    split_url,
)
from aoai_lab.preflight import Finding
from aoai_lab.preflight import run as preflight
from aoai_lab.recording import check_records
from aoai_lab.support import diagnostic_report
from aoai_lab.ui import frame, state
from aoai_lab.ui.cards import diagnosis_card, finding_line, success_card
from aoai_lab.ui.demo import demo_connection, demo_server
from aoai_lab.ui.state import tr
from aoai_lab.versions import load_api_versions

frame.leave_legacy_pages_mode()

FIELDS = ("endpoint", "api_key", "deployment", "api_version")
# Each field is labelled with the environment variable the SDK (and .env) uses for it.
ENV_NAMES = {"endpoint": ENV_ENDPOINT, "api_key": ENV_KEY, "deployment": ENV_DEPLOYMENT, "api_version": ENV_API_VERSION}
KEYS = {name: f"connect.{name}" for name in (*FIELDS, "style")}
FLASH = "connect.flash"
AUTOCHECK = "connect.autocheck"
RUNG_ICONS = {"ok": ":material/check_circle:", "warning": ":material/warning:", "failed": ":material/cancel:"}


def fill(conn: Connection) -> None:
    """Put a connection's values in the fields (a key held by the server stays off the page)."""
    st.session_state[KEYS["endpoint"]] = conn.endpoint
    st.session_state[KEYS["api_key"]] = "" if conn.key_on_server else conn.api_key
    st.session_state[KEYS["deployment"]] = conn.deployment
    st.session_state[KEYS["api_version"]] = conn.api_version
    st.session_state[KEYS["style"]] = conn.style


def use_demo() -> None:
    fill(demo_connection())
    st.session_state[AUTOCHECK] = True


def use_configured() -> None:
    configured = state.configured()
    if configured is not None:
        fill(configured)
        st.session_state[AUTOCHECK] = True


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


def show_rung(result: RungResult) -> None:
    st.markdown(rung_line(result))


def show_findings(findings: list[Finding], field: str) -> None:
    for finding in findings:
        if finding.field_name == field:
            finding_line(finding)


def run_check_live(normalised: Normalised) -> CheckReport:
    """Run the check, one timeline line per rung as it finishes."""
    with st.status(tr("connect.checking"), expanded=True) as status:
        report = run_check(normalised, on_rung=show_rung)
        label = tr("connect.check_ok") if report.ok else tr("connect.check_failed", code=report.diagnosis.code)
        status.update(label=label, state="complete" if report.ok else "error", expanded=not report.ok)
    state.remember_check(report)
    state.record(check_records(report, "connect"))
    return report


# --- first visit: the fields start from the active connection
if KEYS["endpoint"] not in st.session_state:
    fill(state.connection())

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

values = {name: str(st.session_state.get(KEYS[name], "")) for name in FIELDS}
style = str(st.session_state.get(KEYS["style"], "classic"))
normalised = from_form(
    values["endpoint"],
    values["api_key"],
    values["deployment"],
    values["api_version"],
    "v1" if style == "v1" else "classic",
    configured=configured,
    demo_root=demo_server().endpoint,
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
    )
    for message in st.session_state.pop(FLASH, []):
        st.caption(f":material/auto_fix_high: {message}")
    versions = load_api_versions()
    server_key = configured is not None and normalised.connection.key_on_server
    version_help = "connect.help.api_version_v1" if style == "v1" else "connect.help.api_version"
    placeholders = {
        "endpoint": tr("connect.placeholder.endpoint"),
        "api_key": tr("connect.key_from_server") if server_key else tr("connect.key_placeholder"),
        "deployment": tr("connect.placeholder.deployment"),
        "api_version": versions.latest_ga if style != "v1" else "",
    }
    for name in FIELDS:
        if name == "api_key" and state.presenter():
            st.caption(f":material/visibility_off: {tr('connect.key_hidden_presenter')}")
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
    clicked = st.button(tr("connect.check"), type="primary", icon=":material/network_check:", key="connect.check")

# A click, or a fill from one of the buttons above (their callbacks ran before this script).
if clicked or st.session_state.pop(AUTOCHECK, False):
    run_check_live(normalised)
else:
    previous = state.last_check()
    if previous is not None:
        with st.expander(tr("connect.last_timeline"), expanded=False):
            for result in previous.rungs:
                show_rung(result)

last = state.last_check()
if last is not None:
    if last.ok:
        success_card(last)
    else:
        diagnosis_card(last.diagnosis, key="connect")

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
with tools[1], st.expander(tr("connect.report"), icon=":material/support_agent:"):
    st.caption(tr("connect.report_help"))
    checked = state.last_check()
    st.code(diagnostic_report(checked.connection if checked else state.connection(), checked), language=None)
