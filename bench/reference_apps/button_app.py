"""Reference for the connect click: a button and one write."""

import streamlit as st

if st.button("Connect", key="connect.demo_button"):
    st.success("Connected")
