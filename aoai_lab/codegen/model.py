"""What every target shares: the request to write (:class:`Job`), the result (:class:`Snippet`),
the reason a target cannot write it (:class:`Unavailable`) and a target's registry entry
(:class:`TargetSpec`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from aoai_lab.connection import Connection
from aoai_lab.i18n import Lang, t
from aoai_lab.request import ChatRequest, responses_route

# A target's name (``python``, ``curl``, …): the registry in ``codegen/registry.py`` lists them.
Target = str

# The Entra ID scope (token audience) of Azure OpenAI / Cognitive Services, for keyless code.
# Source: https://learn.microsoft.com/azure/ai-foundry/openai/how-to/managed-identity
# ("token_provider = get_bearer_token_provider(DefaultAzureCredential(),
#   "https://cognitiveservices.azure.com/.default")").
ENTRA_SCOPE = "https://cognitiveservices.azure.com/.default"
ENTRA_RESOURCE = "https://cognitiveservices.azure.com"

# Values written into shell code unquoted-by-construction (inside "…", '…' or set "…"). Anything
# else could end a quote or trigger an expansion in one of the shells, so such a value makes the
# shell targets unavailable instead of producing code that silently sends something else.
_SHELL_SAFE_ENDPOINT = re.compile(r"[A-Za-z0-9._:/@+\-\[\]]+")
_SHELL_SAFE_PATH = re.compile(r"[A-Za-z0-9._/?=\-]+")
_SHELL_SAFE_KEY = re.compile(r"[A-Za-z0-9._+/=\-]+")


@dataclass(frozen=True)
class Snippet:
    """One generated program and how to show it."""

    target: Target
    code: str
    # The language name ``st.code`` highlights: python, javascript, bash, powershell, batch or http.
    language: str
    # Suggested file name for a download.
    filename: str
    # i18n keys of the notes the page shows under the code (why a construct is used).
    notes: tuple[str, ...] = ()

    def file_bytes(self) -> bytes:
        """The code as a file should hold it.

        Windows PowerShell 5.1 reads a ``.ps1`` without a BOM as ANSI (Korean text breaks), so
        ``.ps1`` gets UTF-8 with a BOM and CRLF. cmd.exe reads a batch file in the console's code
        page, so ``.cmd`` gets CRLF and CP949 (Korean Windows; the body itself is pure ASCII).
        """
        if self.filename.endswith(".ps1"):
            return self.code.replace("\n", "\r\n").encode("utf-8-sig")
        if self.filename.endswith(".cmd"):
            return self.code.replace("\n", "\r\n").encode("cp949", errors="replace")
        return self.code.encode("utf-8")


class Unavailable(ValueError):
    """A target that cannot express this request; ``reason`` is the i18n key that says why."""

    def __init__(self, target: Target, reason: str, lang: Lang) -> None:
        super().__init__(f"{target}: {t(reason, lang)}")
        self.target = target
        self.reason = reason


@dataclass(frozen=True)
class Job:
    """One request to write: the connection, the request, and how the code authenticates."""

    connection: Connection
    request: ChatRequest
    reveal_key: bool
    lang: Lang
    # Keyless (Microsoft Entra ID): a bearer token instead of the key, on either API style.
    keyless: bool = False

    def __post_init__(self) -> None:
        """A Responses API request is written for the v1 route, as the chat client sends it."""
        if self.request.api == "responses":
            object.__setattr__(self, "connection", responses_route(self.connection))

    @property
    def v1(self) -> bool:
        """True on the v1 API (``/openai/v1/``)."""
        return self.connection.style == "v1"

    @property
    def body(self) -> dict[str, Any]:
        """The JSON body: the very call the app's chat client makes."""
        return self.request.wire_body(self.connection.deployment)

    @property
    def url(self) -> str:
        """The request URL: chat completions, or the v1 Responses API (issue 13)."""
        c = self.connection
        if self.request.api != "responses":
            return c.chat_url
        query = f"?api-version={quote(c.api_version)}" if c.api_version else ""
        return f"{c.v1_base_url}responses{query}"

    @property
    def path_and_query(self) -> str:
        """What follows the endpoint in the request URL (``/openai/…?api-version=…``)."""
        return self.url[len(self.connection.root) :]

    def text(self, key: str, **params: object) -> str:
        """Catalog text on one line (a comment must not spill onto a code line)."""
        return " ".join(t(key, self.lang, **params).split())

    def auth_header(self, key_ref: str) -> str:
        """The auth header line the SDK sends for this style, with ``key_ref`` as the key (or token)."""
        return f"Authorization: Bearer {key_ref}" if self.v1 or self.keyless else f"api-key: {key_ref}"

    def key_notes(self) -> tuple[str, ...]:
        """The note that says where the key (or token) comes from."""
        if self.keyless:
            return ("code.note.keyless", "code.note.keyless_role")
        return ("code.note.key_revealed",) if self.reveal_key else ("code.note.key_from_env",)

    def stream_notes(self) -> tuple[str, ...]:
        """The note on server-sent events, when the request streams."""
        return ("code.note.sse_stream",) if self.request.stream else ()

    def shell_safe(self) -> bool:
        """Whether the values written into shell code cannot break its quoting."""
        c = self.connection
        return bool(
            _SHELL_SAFE_ENDPOINT.fullmatch(c.endpoint)
            and _SHELL_SAFE_PATH.fullmatch(self.path_and_query)
            and (not self.reveal_key or self.keyless or _SHELL_SAFE_KEY.fullmatch(c.api_key))
        )


def always(_job: Job) -> str | None:
    """The reason check of a target that can write every request."""
    return None


@dataclass(frozen=True)
class TargetSpec:
    """A target's registry entry: how to write it and when it cannot."""

    name: Target
    write: Callable[[Job], Snippet]
    # The i18n key of why this job cannot be written, or None when it can.
    reason: Callable[[Job], str | None] = always
    # Whether the target has a keyless (Entra ID) variant.
    keyless: bool = False
