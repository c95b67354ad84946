"""Real-browser tests: headless Chromium (Playwright) against `streamlit run app.py`."""
