"""Reference for start-up: the smallest Streamlit app."""

import streamlit as st

st.write("Hello")
