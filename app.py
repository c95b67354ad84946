"""AOAI Lab — entry point: page config, session state, navigation over pages/, the sidebar frame."""

import streamlit as st

from aoai_lab.ui import frame, state

frame.leave_legacy_pages_mode()
state.init()
st.set_page_config(page_title=state.tr("app.title"), page_icon=":material/science:", layout="wide")
frame.run_with_sidebar(frame.navigation())
