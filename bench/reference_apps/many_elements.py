"""Probe for page switches: the 2-page app, its second page followed by N more elements.

``BENCH_ELEMENTS`` (default 66) elements of kind ``BENCH_ELEMENT_KIND``: ``markdown`` or
``expander`` (collapsed, drawn only when opened, as the Troubleshoot cards). Shows how the time to
the new page's *title* grows with what follows it:

    BENCH_ELEMENTS=0  python3 -m bench.bench_breakdown --rounds 3 --app many_elements --pages second ""
    BENCH_ELEMENTS=66 BENCH_ELEMENT_KIND=expander python3 -m bench.bench_breakdown --rounds 3 \\
        --app many_elements --pages second ""
"""

import os

import streamlit as st

COUNT = int(os.environ.get("BENCH_ELEMENTS", "66"))
KIND = os.environ.get("BENCH_ELEMENT_KIND", "markdown")


def first() -> None:
    st.title("First")
    st.write("The first page.")


def second() -> None:
    st.title("Second")
    st.write("The second page.")
    for index in range(COUNT):
        if KIND == "expander":
            st.expander(f"card {index}", key=f"card.{index}", on_change="rerun")
        else:
            st.markdown(f"line {index}")


st.navigation([st.Page(first, url_path="first", default=True), st.Page(second, url_path="second")]).run()
