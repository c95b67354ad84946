"""Reference chat: the tutorial's AzureOpenAI call in Streamlit's plain chat recipe.

``st.chat_input`` → ``client.chat.completions.create(stream=True)`` → ``st.write_stream`` of each
delta, one client per run, history in session state. It talks to ``BENCH_EMULATOR_URL`` when set,
else to an emulator started in this process (like AOAI Lab's demo).
"""

import os

import streamlit as st
from openai import AzureOpenAI

from aoai_lab.emulator import DEMO_KEY, EmulatorConfig, EmulatorServer


@st.cache_resource
def emulator_url() -> str:
    url = os.environ.get("BENCH_EMULATOR_URL")
    if url:
        return url
    pace = float(os.environ.get("AOAI_LAB_DEMO_TOKENS_PER_SECOND", "40"))
    return EmulatorServer(EmulatorConfig(tokens_per_second=pace)).start().endpoint


client = AzureOpenAI(azure_endpoint=emulator_url(), api_key=DEMO_KEY, api_version="2025-04-01-preview")

if "messages" not in st.session_state:
    st.session_state.messages = [{"role": "system", "content": "You are a helpful AI assistant."}]

for message in st.session_state.messages[1:]:
    with st.chat_message(message["role"]):
        st.markdown(message["content"])

if question := st.chat_input("Ask something"):
    st.session_state.messages.append({"role": "user", "content": question})
    with st.chat_message("user"):
        st.markdown(question)
    with st.chat_message("assistant"):
        stream = client.chat.completions.create(model="gpt-5.1", messages=st.session_state.messages, stream=True)
        reply = st.write_stream(
            chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices and chunk.choices[0].delta
        )
    st.session_state.messages.append({"role": "assistant", "content": reply})
