"""Chat: a streaming conversation with the connection in the Connect page's fields.

One turn runs this page once: the reply is drawn in place (``aoai_lab.ui.chat_view``); the
sidebar's settings are ``chat_settings``, the side-by-side Compare ``chat_compare``.
"""

import streamlit as st

from aoai_lab.classroom import session as classroom_session
from aoai_lab.ui import chat_compare, chat_settings, chat_view, frame
from aoai_lab.ui.state import tr

frame.leave_legacy_pages_mode()

st.title(tr("chat.title"))
chat_view.status_notice()
classroom_session.limits_caption()  # classroom mode: the limits and what is left

chat_settings.settings()

# Above the conversation, so it stays put while a reply streams; filled last, for the final state.
tools = st.container()
turn = chat_view.plan_turn()
chat_view.conversation(sending=turn is not None)
if turn is not None:
    chat_view.respond(turn)
chat_view.after_turn()
chat_view.chat_input()
with tools:
    chat_view.tools()
    chat_compare.compare()
