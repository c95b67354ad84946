"""Run one third-party client against the emulator; prints one JSON line (run inside the venv).

Usage: python drive.py langchain|litellm call|stream|wrong_key|429 ENDPOINT KEY

This file runs with the third-party venv's Python, so it imports nothing from aoai_lab.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

# litellm fetches a price list from the internet at import unless told to use its bundled copy.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

DEPLOYMENT = "gpt-4o-mini"
API_VERSION = "2024-10-21"


def langchain(scenario: str, endpoint: str, key: str, headers: dict[str, str]) -> str:
    from langchain_openai import AzureChatOpenAI  # type: ignore[import-not-found]  # only in the venv

    llm = AzureChatOpenAI(
        azure_endpoint=endpoint,
        api_key=key,
        azure_deployment=DEPLOYMENT,
        api_version=API_VERSION,
        max_retries=0,
        timeout=20,
        default_headers=headers,
    )
    if scenario == "stream":
        return "".join(str(chunk.content) for chunk in llm.stream("Hello!"))
    return str(llm.invoke("Hello!").content)


def litellm_(scenario: str, endpoint: str, key: str, headers: dict[str, str]) -> str:
    import litellm  # type: ignore[import-not-found]  # only in the venv

    kwargs: dict[str, Any] = {
        "model": f"azure/{DEPLOYMENT}",
        "api_base": endpoint,
        "api_key": key,
        "api_version": API_VERSION,
        "messages": [{"role": "user", "content": "Hello!"}],
        "num_retries": 0,
        "max_retries": 0,
        "timeout": 20,
        "extra_headers": headers,
    }
    if scenario == "stream":
        pieces = litellm.completion(stream=True, **kwargs)
        return "".join((chunk.choices[0].delta.content or "") for chunk in pieces if chunk.choices)
    return str(litellm.completion(**kwargs).choices[0].message.content)


def main() -> None:
    client, scenario, endpoint, key = sys.argv[1:5]
    headers = {"x-emulator-fault": "429"} if scenario == "429" else {}
    if scenario == "wrong_key":
        key = "ffffffffffffffffffffffffffffffff"
    run = langchain if client == "langchain" else litellm_
    try:
        print(json.dumps({"ok": True, "text": run(scenario, endpoint, key, headers)}))
    except Exception as error:  # report whatever the client raised
        status = getattr(error, "status_code", None) or getattr(getattr(error, "response", None), "status_code", None)
        print(json.dumps({"ok": False, "error": type(error).__name__, "status": status, "message": str(error)[:800]}))


if __name__ == "__main__":
    main()
