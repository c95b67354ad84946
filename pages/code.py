"""Code: the exact request the app sends, as Python, curl, PowerShell and raw HTTP."""

import streamlit as st

from aoai_lab.codegen import TARGETS, generate_all, pip_install_line, project_zip, python_target, unavailable
from aoai_lab.connection import dotenv_text
from aoai_lab.conversation import Entry, build_request, last_question
from aoai_lab.guide import ROLE_STEP, anatomy_html, url_anatomy
from aoai_lab.ui import frame, state
from aoai_lab.ui.state import tr

frame.leave_legacy_pages_mode()

conn = state.connection()
lang = state.lang()

st.title(tr("code.page.title"))
st.caption(tr("code.page.intro"))

# --- which request: the chat's last question, or the tutorial's "Hello" before any chat
asked = last_question(state.entries())
if asked:
    st.caption(tr("code.page.from_chat", turns=sum(1 for e in asked if e.role == "user")))
else:
    asked = [Entry("user", tr("code.cli.default_message"))]
    st.caption(tr("code.page.default_request"))

options = st.columns(2)
stream = options[0].toggle(
    tr("code.page.stream"), value=state.streaming(), key="code.stream", help=tr("code.page.stream_help")
)
can_reveal = not state.presenter() and not conn.key_on_server
reveal_help = tr("code.page.reveal_help") if can_reveal else tr("code.page.reveal_blocked")
reveal = options[1].toggle(
    tr("code.page.reveal"), value=False, key="code.reveal", disabled=not can_reveal, help=reveal_help
)
reveal = reveal and can_reveal  # the server re-checks what the browser disabled

request = build_request(asked, state.system_prompt(), state.chat_params(), conn, stream=stream)

# --- the URL, part by part
labels = {role: tr(f"guide.role.{role}", step=step) for role, step in ROLE_STEP.items()}
st.html(anatomy_html(url_anatomy(conn, mask_host=state.presenter()), labels))

# --- one tab per language
snippets = generate_all(conn, request, reveal_key=reveal, lang=lang)
missing = unavailable(conn, request, reveal_key=reveal)
order = [python_target(conn), *(target for target in TARGETS if target != python_target(conn))]
tabs = st.tabs([tr(f"code.tab.{target}") for target in order])
for tab, target in zip(tabs, order, strict=True):
    with tab:
        snippet = snippets.get(target)
        if snippet is None:
            st.info(tr(missing[target]), icon=":material/block:")
            continue
        st.code(snippet.code, language=snippet.language, line_numbers=False, wrap_lines=False)
        for note in snippet.notes:
            st.caption(f":material/info: {tr(note)}")
        st.download_button(
            tr("code.page.download", file=snippet.filename),
            data=snippet.file_bytes(),
            file_name=snippet.filename,
            mime="text/plain",
            on_click="ignore",
            icon=":material/download:",
            key=f"code.download.{target}",
        )

# --- what to install, the .env it reads, and the whole project
st.subheader(tr("code.page.setup"))
st.code(pip_install_line(), language="bash")
st.caption(tr("code.page.env_intro"))
st.code(dotenv_text(conn, include_key=reveal), language="bash")
st.download_button(
    tr("code.page.zip"),
    data=lambda: project_zip(conn, request, reveal_key=reveal, lang=lang),
    file_name="aoai-lab-example.zip",
    mime="application/zip",
    on_click="ignore",
    icon=":material/folder_zip:",
    key="code.zip",
)

# --- what differs from the tutorial's snippet, and why
st.subheader(tr("code.page.differences"))
family = state.family()
notes = ["key_env", "api_version", "length_" + ("reasoning" if family == "reasoning" else "classic"), "stream"]
for name in notes:
    st.markdown(f"- {tr(f'code.page.diff.{name}')}")
