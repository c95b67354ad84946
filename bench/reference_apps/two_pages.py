"""Reference for page switches: two pages under st.navigation, a title and a line each."""

import streamlit as st


def first() -> None:
    st.title("First")
    st.write("The first page.")


def second() -> None:
    st.title("Second")
    st.write("The second page.")


st.navigation([st.Page(first, url_path="first", default=True), st.Page(second, url_path="second")]).run()
