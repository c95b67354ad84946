"""AOAI Lab — entry point: page config, session state, navigation over pages/, the sidebar frame."""

import streamlit as st

from aoai_lab import warmup
from aoai_lab.classroom import session as classroom_session
from aoai_lab.ui import demo, frame, state

try:
    frame.leave_legacy_pages_mode()
    state.init()
    # An emoji icon becomes a data: URL in the browser; a ":material/…:" page icon is fetched
    # from fonts.gstatic.com, which an offline classroom cannot reach (tests/browser/test_offline.py).
    st.set_page_config(page_title=state.tr("app.title"), page_icon="🧪", layout="wide")
    classroom_session.stop_on_bad_config()  # a bad [classroom] section: its message, and nothing else
    frame.run_with_sidebar(frame.navigation())
finally:  # also on st.rerun()/st.stop()
    state.save_snapshot()  # a reload brings this back (aoai_lab/persistence.py); never the typed key
    demo.start_serving()  # the offline demo's server, once the first page is on its way (aoai_lab/ui/demo.py)
    warmup.after_run()  # the SDK and pandas in the background after the first run; a heap freeze after imports
