"""AOAI Lab: a bilingual companion for the tutorial "Azure OpenAI API 발급".

The package holds everything that can run without a browser: the Azure OpenAI emulator, the
connection checks and diagnosis, the chat client, code generation and the request log.
Streamlit pages only lay out widgets and call into it.
"""

__version__ = "0.1.0"
