"""AOAI Lab — entry point: page config, session state, navigation over pages/, the sidebar frame."""

import streamlit as st

from aoai_lab.ui import frame, state

frame.leave_legacy_pages_mode()
st.set_page_config(page_title="AOAI Lab", page_icon=":material/science:", layout="wide")
state.init()
page = frame.navigation()
frame.sidebar()
page.run()
