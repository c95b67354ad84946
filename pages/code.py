"""Code: the exact request the app sent, as Python, JavaScript, curl, PowerShell and raw HTTP."""

from collections.abc import Callable

import streamlit as st

from aoai_lab.classroom import demo_url
from aoai_lab.codegen import (
    KEYLESS_QUERY,
    TARGETS,
    Snippet,
    generate,
    npm_install_line,
    pip_install_line,
    project_zip,
    python_target,
    unavailable,
)
from aoai_lab.codegen.azsetup import (
    SETUP_DATA_DATE,
    SetupNames,
    bash_script,
    bicep_file,
    masked,
    powershell_script,
    problems,
    setup_choices,
)
from aoai_lab.codegen.laptop import CHOICES, code_target
from aoai_lab.connection import dotenv_text
from aoai_lab.conversation import Entry, build_request, last_question
from aoai_lab.emulator import DEMO_KEY
from aoai_lab.guide import ROLE_STEP, anatomy_html, url_anatomy
from aoai_lab.i18n import Lang
from aoai_lab.preflight import is_loopback
from aoai_lab.presenter import MASK, host_of
from aoai_lab.structured_output import OutputFormat
from aoai_lab.ui import demo, frame, state
from aoai_lab.ui.cards import connection_notice
from aoai_lab.ui.snippet_view import show_snippet
from aoai_lab.ui.state import shown, tr
from aoai_lab.versions import recommended_api_versions

frame.leave_legacy_pages_mode()

conn = state.connection()
lang = state.lang()

st.title(tr("code.page.title"))
st.caption(tr("code.page.intro"))
connection_notice()  # the values in the Connect fields, checked or not (issue 9; helper TRUTH)

# --- which request: the chat's last question, or the tutorial's "Hello" before any chat
asked = last_question(state.entries())
if asked:
    st.caption(tr("code.page.from_chat", turns=sum(1 for e in asked if e.role == "user")))
else:
    asked = [Entry("user", tr("code.cli.default_message"))]
    st.caption(tr("code.page.default_request"))

options = st.container(horizontal=True)  # one block, not a block per column (issue 12)
stream = options.toggle(
    tr("code.page.stream"), value=state.streaming(), key="code.stream", help=tr("code.page.stream_help")
)
# The key-disabled diagnosis links here with ?auth=entra: open on the keyless code.
keyless_wanted = all(st.query_params.get(name) == value for name, value in KEYLESS_QUERY.items())
keyless = options.toggle(
    tr("code.page.keyless"), value=keyless_wanted, key="code.keyless", help=tr("code.page.keyless_help")
)
can_reveal = not state.presenter() and not conn.key_on_server and not keyless
reveal_help = tr("code.page.reveal_help") if can_reveal else tr("code.page.reveal_blocked")
reveal = options.toggle(
    tr("code.page.reveal"), value=False, key="code.reveal", disabled=not can_reveal, help=reveal_help
)
reveal = reveal and can_reveal  # the server re-checks what the browser disabled

# --- classroom mode (issue 11): code that runs on a student's laptop, never the class key
in_class = frame.classroom_on()
class_demo = demo_url() if in_class else None
# With demo_url set, the demo *is* the class's emulator, wherever it runs (aoai_lab.ui.demo).
on_demo = (is_loopback(host_of(conn.endpoint)) or class_demo is not None) and demo.is_demo(conn)
choice = CHOICES[0]
if in_class and conn.key_on_server and not on_demo:
    st.info(tr("code.classroom.server_key"), icon=":material/dns:")
    if class_demo:
        st.caption(tr("code.classroom.server_key_demo"))
        choice_labels = {c: tr(f"code.classroom.choice_{c}") for c in CHOICES}
        picked = st.radio(
            tr("code.classroom.choice"),
            CHOICES,
            format_func=choice_labels.__getitem__,
            key="code.classroom_choice",
            horizontal=True,
        )
        choice = picked if picked in CHOICES else CHOICES[0]  # the server re-checks the browser's pick
writing_for = code_target(
    conn,
    demo=demo.demo_connection(),
    on_demo=on_demo,
    classroom=in_class,
    demo_url=class_demo,
    choice=choice,
    reveal=reveal,
    presenter=state.presenter(),
    keyless=keyless,
)
conn, reveal = writing_for.connection, writing_for.reveal_key  # the snippets below are written for these
if writing_for.notice and writing_for.notice != "code.classroom.server_key":  # that one is told above
    st.info(tr(writing_for.notice, **writing_for.params), icon=":material/laptop:")
    if reveal:
        st.caption(tr("code.classroom.demo_key", demo_key=DEMO_KEY))

# The chat's structured output goes into every snippet (issue 13); an unusable schema does not.
output = state.chat_output()
request = build_request(
    asked,
    state.system_prompt(),
    state.chat_params(),
    conn,
    stream=stream,
    api=state.chat_api(),
    output=output if isinstance(output, OutputFormat) else None,
)

# --- the built-in demo's key is public: show it next to the code that needs it
if on_demo and not class_demo and not keyless and not state.presenter():  # presenter: no key, not even this one
    st.info(tr("code.page.demo_key", demo_key=DEMO_KEY), icon=":material/key:")
if keyless:
    st.info(tr("code.page.keyless_intro"), icon=":material/key_off:")

# --- the URL, part by part
labels = {role: tr(f"guide.role.{role}", step=step) for role, step in ROLE_STEP.items()}
st.html(anatomy_html(url_anatomy(conn, mask_host=state.presenter()), labels))

# --- one tab per language
missing = unavailable(conn, request, reveal_key=reveal, keyless=keyless)
first = python_target(conn, request)
order = [first, *(target for target in TARGETS if target != first)]
# Only the open tab is drawn: every hidden snippet cost the browser 170-510 ms per visit (issue 12).
# A stored label that no longer exists (language or target order changed) falls back to the first tab.
tabs = st.tabs([tr(f"code.tab.{target}") for target in order], key="code.target", on_change="rerun")
for tab, target in zip(tabs, order, strict=True):
    if not tab.open:
        continue
    with tab:
        if target in missing:
            st.info(tr(missing[target]), icon=":material/block:")
            continue
        # Only this tab's code is written: the others are neither drawn nor built.
        snippet = generate(target, conn, request, reveal_key=reveal, lang=lang, keyless=keyless)
        # Presenter mode: the resource name never reaches the screen (the download keeps it).
        show_snippet(snippet, shown(snippet.code), key=f"code.download.{target}")

# --- what to install, the .env it reads, and the whole project
st.subheader(tr("code.page.setup"))
st.code(f"{pip_install_line(keyless)}\n{npm_install_line(keyless)}", language="bash")
st.caption(tr("code.page.env_intro"))
st.code(shown(dotenv_text(conn, include_key=reveal)), language="bash")
st.download_button(
    tr("code.page.zip"),
    data=lambda: project_zip(conn, request, reveal_key=reveal, lang=lang, keyless=keyless),
    file_name="aoai-lab-example.zip",
    mime="application/zip",
    on_click="ignore",
    icon=":material/folder_zip:",
    key="code.zip",
)

# --- what differs from the tutorial's snippet, and why
st.subheader(tr("code.page.differences"))
family = state.family()
recommended = recommended_api_versions(family)
differences = [
    tr("code.page.diff.key_env"),
    tr("code.page.diff.api_version", recommended=recommended[0]),
    tr("code.page.diff.length_" + ("reasoning" if family == "reasoning" else "classic")),
    tr("code.page.diff.stream"),
]
st.markdown("\n".join(f"- {line}" for line in differences))  # one element: each costs every visit (issue 12)


# --- steps 1-3 as commands, in a panel drawn only while open: its form and three scripts were a
# third of the page's elements, and its widget kinds cost a first visit their JavaScript (issue 12).
def setup_section(keyless: bool, lang: Lang) -> None:
    """Steps 1-3 of the tutorial as commands: the learner's own names in, az (bash, PowerShell)
    and Bicep out. The fields keep their values while the panel is closed (``persist_state``)."""
    st.caption(tr("code.setup.page.intro"))
    choices = setup_choices()
    defaults = SetupNames()
    cols = st.columns(3)
    resource_group = cols[0].text_input(
        tr("code.setup.page.resource_group"),
        value=defaults.resource_group,
        key="setup.resource_group",
        persist_state="session",
    )
    region = cols[1].selectbox(
        tr("code.setup.page.region"),
        choices.regions,
        key="setup.region",
        persist_state="session",
        accept_new_options=True,
    )
    # Presenter mode: the resource name is typed into a masked field and masked in the code below.
    resource = cols[2].text_input(
        tr("code.setup.page.resource"),
        value=defaults.resource,
        key="setup.resource",
        persist_state="session",
        type="password" if state.presenter() else "default",
    )
    model = cols[0].selectbox(
        tr("code.setup.page.model"),
        [m.name for m in choices.models],
        key="setup.model",
        persist_state="session",
        accept_new_options=True,
    )
    model_version = cols[1].text_input(
        tr("code.setup.page.model_version"),
        value=choices.version_of(model or "") or "",
        key=f"setup.version.{model}",
        persist_state="session",
    )
    deployment = cols[2].text_input(
        tr("code.setup.page.deployment"), value=model or "", key=f"setup.deployment.{model}", persist_state="session"
    )
    sku = cols[0].selectbox(
        tr("code.setup.page.sku"), choices.deployment_skus, key="setup.sku", persist_state="session"
    )
    capacity = cols[1].number_input(
        tr("code.setup.page.capacity"),
        min_value=1,
        max_value=10_000,
        value=choices.default_capacity,
        key="setup.capacity",
        persist_state="session",
    )
    names = SetupNames(
        resource_group=resource_group.strip(),
        region=(region or "").strip(),
        resource=resource.strip(),
        deployment=deployment.strip(),
        model=(model or "").strip(),
        model_version=model_version.strip(),
        sku=sku or "",
        capacity=int(capacity),
    )
    st.caption(tr("code.setup.page.source", file="aoai_lab/data/azure_setup.toml", date=SETUP_DATA_DATE))
    bad = problems(names)
    if bad:
        for reason in bad.values():
            st.warning(tr(reason), icon=":material/edit:")
    else:
        setup_tabs = st.tabs(
            [tr("code.setup.page.tab_bash"), tr("code.setup.page.tab_powershell"), tr("code.setup.page.tab_bicep")],
            key="code.setup_target",
            on_change="rerun",
        )
        writers: tuple[Callable[[], Snippet], ...] = (
            lambda: bash_script(names, keyless=keyless, lang=lang),
            lambda: powershell_script(names, keyless=keyless, lang=lang),
            lambda: bicep_file(names, lang=lang),
        )
        for tab, write in zip(setup_tabs, writers, strict=True):
            if not tab.open:
                continue  # written and drawn only when opened, like the language tabs above
            snippet = write()
            with tab:
                code = masked(shown(snippet.code), names, MASK) if state.presenter() else snippet.code
                show_snippet(snippet, code, key=f"setup.download.{snippet.target}")


setup_panel = st.expander(
    tr("code.setup.page.title"), key="code.setup.open", on_change="rerun", icon=":material/terminal:"
)
if setup_panel.open:
    with setup_panel:
        setup_section(keyless, lang)
