"""AOAI Lab — entry point: page config, session state, navigation over pages/, the sidebar frame."""

import streamlit as st

from aoai_lab import warmup
from aoai_lab.classroom import session as classroom_session
from aoai_lab.heap import freeze_new_imports
from aoai_lab.ui import frame, state

try:
    frame.leave_legacy_pages_mode()
    state.init()
    # An emoji icon becomes a data: URL in the browser; a ":material/…:" page icon is fetched
    # from fonts.gstatic.com, which an offline classroom cannot reach (tests/browser/test_offline.py).
    st.set_page_config(page_title=state.tr("app.title"), page_icon="🧪", layout="wide")
    classroom_session.stop_on_bad_config()  # a bad [classroom] section: its message, and nothing else
    frame.run_with_sidebar(frame.navigation())
finally:  # also on st.rerun()/st.stop(): before Streamlit's gc.collect(2) after the run (aoai_lab/heap.py)
    state.save_snapshot()  # a reload brings this back (aoai_lab/persistence.py); never the typed key
    freeze_new_imports()
    warmup.start()  # the SDK and pandas, in the background, once the first page is drawn
