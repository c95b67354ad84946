"""The chat client: the real openai SDK, built from a :class:`Connection` with explicit credentials."""

from __future__ import annotations

from collections.abc import Mapping

import httpx2
from openai import AzureOpenAI, OpenAI

from aoai_lab.connection import Connection

# Interactive use: fail fast and let the learner retry; the SDK default (600 s, 2 retries) would
# leave a page hanging on a bad endpoint.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 60.0


def make_sdk_client(
    connection: Connection,
    *,
    timeout: float = READ_TIMEOUT,
    max_retries: int = 0,
    extra_headers: Mapping[str, str] | None = None,
) -> OpenAI:
    """The SDK client the app uses for ``connection``.

    Credentials are always passed explicitly: with ``api_key=None`` the SDK would silently fall
    back to ``AZURE_OPENAI_API_KEY`` from the server's environment, i.e. someone else's key.
    Classic style: ``AzureOpenAI(azure_endpoint, api_key, api_version)`` as in the tutorial.
    v1 style: ``OpenAI(base_url=…/openai/v1/, api_key)``, adding ``api-version`` only if one is set.
    """
    http_timeout = httpx2.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout))
    headers = dict(extra_headers or {})
    if connection.style == "v1":
        query = {"api-version": connection.api_version} if connection.api_version else None
        return OpenAI(
            base_url=connection.v1_base_url,
            api_key=connection.api_key,
            default_query=query,
            default_headers=headers,
            timeout=http_timeout,
            max_retries=max_retries,
        )
    return AzureOpenAI(
        azure_endpoint=connection.endpoint,
        api_key=connection.api_key,
        api_version=connection.api_version,
        default_headers=headers,
        timeout=http_timeout,
        max_retries=max_retries,
    )
