"""The code generator: one chat request, written as Python, curl, PowerShell or raw HTTP.

Every snippet sends *exactly* the request the app sends: the URL comes from
:attr:`Connection.chat_url`, the body from :meth:`ChatRequest.body` (the same call the chat client
uses), and the headers are the ones the SDK sends (``api-key`` on the classic route,
``Authorization: Bearer`` on v1). ``tests/test_codegen_run.py`` runs the Python and bash snippets
against the emulator; ``tests/test_codegen_shells.py`` checks PowerShell and cmd with models of
those shells (they cannot run here).

Where values come from, in every target:

* the **key** is read from ``AZURE_OPENAI_API_KEY`` and never written out, unless the caller asks
  for ``reveal_key`` (refused for a key held on the server);
* the **endpoint** is read from ``AZURE_OPENAI_ENDPOINT``, with the learner's endpoint as the
  default; every target strips a trailing ``/`` so both forms build the same URL;
* Python also reads the **deployment** and **api-version** (``AZURE_OPENAI_DEPLOYMENT``,
  ``OPENAI_API_VERSION``) with the learner's values as defaults: the SDK builds the URL and the
  body's ``model`` from one variable, so they cannot disagree. The shell targets write the
  deployment and api-version out literally, because their JSON body (which carries the deployment
  as ``model`` and parameters chosen for that deployment) is sent verbatim from a quoted here-doc
  or here-string that no variable can reach.

Prose (comments, notes, the README) comes from the i18n catalog (``locales/*/code.toml``).
"""

from __future__ import annotations

import importlib.metadata
import io
import json
import re
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal, get_args

from aoai_lab.connection import ENV_API_VERSION, ENV_DEPLOYMENT, ENV_ENDPOINT, ENV_KEY, Connection, dotenv_text
from aoai_lab.i18n import LANGS, Lang, t
from aoai_lab.request import ChatRequest

Target = Literal["python", "python-v1", "curl", "curl-powershell", "curl-cmd", "powershell", "http"]
TARGETS: tuple[Target, ...] = get_args(Target)
SHELL_TARGETS: tuple[Target, ...] = ("curl", "curl-powershell", "curl-cmd", "powershell")

# cmd.exe refuses a command line longer than this (after %VAR% expansion).
CMD_LINE_LIMIT = 8191
# Room left on the cmd line for what the environment supplies (endpoint, key).
_CMD_ENV_ALLOWANCE = 400

# Values written into shell code unquoted-by-construction (inside "…", '…' or set "…"). Anything
# else could end a quote or trigger an expansion in one of the shells, so such a value makes the
# shell targets unavailable instead of producing code that silently sends something else.
_SHELL_SAFE_ENDPOINT = re.compile(r"[A-Za-z0-9._:/@+\-\[\]]+")
_SHELL_SAFE_PATH = re.compile(r"[A-Za-z0-9._/?=\-]+")
_SHELL_SAFE_KEY = re.compile(r"[A-Za-z0-9._+/=\-]+")
# Characters a cmd.exe JSON argument may carry as themselves; everything else becomes \uXXXX.
_CMD_JSON_SAFE = re.compile(r"[A-Za-z0-9 .,:;_\-+*/=?@#~$'{}\[\]`]")
# Characters that would end a comment line or be expanded inside a REM line.
_CMD_COMMENT_UNSAFE = re.compile(r"[%^&|<>!\"]")

_JSON_SHORT_ESCAPES: Mapping[str, str] = MappingProxyType(
    {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
)
# Longest generated Python line that keeps a message on one line (the tutorial's layout).
_PY_LINE = 110
_ZIP_DATE = (2025, 1, 1, 0, 0, 0)  # fixed, so the same request always zips to the same bytes


@dataclass(frozen=True)
class Snippet:
    """One generated program and how to show it."""

    target: Target
    code: str
    # The language name ``st.code`` highlights: python, bash, powershell, batch or http.
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


# ---------------------------------------------------------------------------------------------
# Public API


def pip_install_line() -> str:
    """``pip install`` pinned to the openai (and python-dotenv) versions this app runs with."""
    return "pip install " + " ".join(_requirements())


def unavailable(connection: Connection, request: ChatRequest, *, reveal_key: bool = False) -> dict[Target, str]:
    """The targets that cannot express this request, each with the i18n key of the reason."""
    reasons = {target: _reason(target, connection, request, reveal_key) for target in TARGETS}
    return {target: reason for target, reason in reasons.items() if reason is not None}


def generate(
    target: Target,
    connection: Connection,
    request: ChatRequest,
    *,
    reveal_key: bool = False,
    lang: Lang = "ko",
) -> Snippet:
    """The code for ``target`` that sends ``request`` over ``connection``.

    Raises ``ValueError`` for ``reveal_key`` with a key held on the server, and
    :class:`Unavailable` when ``target`` cannot express this request (see :func:`unavailable`).
    """
    _refuse_server_key(connection, reveal_key)
    reason = _reason(target, connection, request, reveal_key)
    if reason is not None:
        raise Unavailable(target, reason, lang)
    job = _Job(connection, request, reveal_key, lang)
    match target:
        case "python":
            return _python(job, v1=False)
        case "python-v1":
            return _python(job, v1=True)
        case "curl":
            return _curl_bash(job)
        case "curl-powershell":
            return _curl_powershell(job)
        case "curl-cmd":
            return _curl_cmd(job)
        case "powershell":
            return _powershell(job)
        case "http":
            return _http(job)


def generate_all(
    connection: Connection,
    request: ChatRequest,
    *,
    reveal_key: bool = False,
    lang: Lang = "ko",
) -> dict[Target, Snippet]:
    """Every target that can express this request (:func:`unavailable` lists the others)."""
    _refuse_server_key(connection, reveal_key)
    skipped = unavailable(connection, request, reveal_key=reveal_key)
    return {
        target: generate(target, connection, request, reveal_key=reveal_key, lang=lang)
        for target in TARGETS
        if target not in skipped
    }


def python_target(connection: Connection) -> Target:
    """The Python target that matches the connection's API style."""
    return "python-v1" if connection.style == "v1" else "python"


def project_zip(connection: Connection, request: ChatRequest, *, reveal_key: bool = False, lang: Lang = "ko") -> bytes:
    """A zip with ``main.py``, ``.env.example``, ``requirements.txt`` and a bilingual ``README.md``."""
    main = generate(python_target(connection), connection, request, reveal_key=reveal_key, lang=lang)
    files = {
        "main.py": main.code,
        ".env.example": dotenv_text(connection, include_key=reveal_key),
        "requirements.txt": "\n".join(_requirements()) + "\n",
        "README.md": _readme(lang),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=_ZIP_DATE), text.encode("utf-8"))
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# Checks


def _refuse_server_key(connection: Connection, reveal_key: bool) -> None:
    # A classroom key configured on the server must never reach a learner's screen.
    if reveal_key and connection.key_on_server:
        raise ValueError("a key configured on the server cannot be revealed in generated code")


def _reason(target: Target, connection: Connection, request: ChatRequest, reveal_key: bool) -> str | None:
    """Why ``target`` cannot express this request, as an i18n key; None when it can."""
    if target == "python" and connection.style == "v1":
        return "code.unavailable.needs_classic"
    if target == "python-v1" and connection.style != "v1":
        return "code.unavailable.needs_v1"
    if target in SHELL_TARGETS and not _shell_safe(connection, reveal_key):
        return "code.unavailable.unsafe_value"
    if target == "curl-cmd" and _cmd_line_too_long(_Job(connection, request, reveal_key, "en")):
        return "code.unavailable.cmd_too_long"
    return None


def _shell_safe(connection: Connection, reveal_key: bool) -> bool:
    """Whether the values written into shell code cannot break its quoting."""
    path = connection.chat_url[len(connection.root) :]
    return bool(
        _SHELL_SAFE_ENDPOINT.fullmatch(connection.endpoint)
        and _SHELL_SAFE_PATH.fullmatch(path)
        and (not reveal_key or _SHELL_SAFE_KEY.fullmatch(connection.api_key))
    )


def _requirements() -> tuple[str, ...]:
    # Pin what the app itself runs with: the generated code was checked against these versions.
    return tuple(f"{name}=={importlib.metadata.version(name)}" for name in ("openai", "python-dotenv"))


# ---------------------------------------------------------------------------------------------
# What every generator needs


@dataclass(frozen=True)
class _Job:
    connection: Connection
    request: ChatRequest
    reveal_key: bool
    lang: Lang

    @property
    def v1(self) -> bool:
        return self.connection.style == "v1"

    @property
    def body(self) -> dict[str, Any]:
        return self.request.body(self.connection.deployment)

    @property
    def path_and_query(self) -> str:
        """What follows the endpoint in the request URL (``/openai/…?api-version=…``)."""
        return self.connection.chat_url[len(self.connection.root) :]

    def text(self, key: str, **params: object) -> str:
        """Catalog text on one line (a comment must not spill onto a code line)."""
        return " ".join(t(key, self.lang, **params).split())

    def auth_header(self, key_ref: str) -> str:
        """The auth header line the SDK sends for this style, with ``key_ref`` as the key."""
        return f"Authorization: Bearer {key_ref}" if self.v1 else f"api-key: {key_ref}"

    def key_notes(self) -> tuple[str, ...]:
        return ("code.note.key_revealed",) if self.reveal_key else ("code.note.key_from_env",)

    def stream_notes(self) -> tuple[str, ...]:
        return ("code.note.sse_stream",) if self.request.stream else ()


# ---------------------------------------------------------------------------------------------
# JSON text, written by hand so each shell gets the escaping it needs


def _json_text(value: Any, encode_string: Callable[[str], str], indent: int | None) -> str:
    """``value`` as JSON; ``indent=None`` is one line without spaces."""
    return _json_value(value, encode_string, indent, 0)


def _json_value(value: Any, encode_string: Callable[[str], str], indent: int | None, depth: int) -> str:
    if isinstance(value, str):
        return encode_string(value)
    if isinstance(value, dict):
        items = [f"{encode_string(str(k))}:{'' if indent is None else ' '}" for k in value]
        parts = [
            k + _json_value(v, encode_string, indent, depth + 1) for k, v in zip(items, value.values(), strict=True)
        ]
        return _json_container("{", "}", parts, indent, depth)
    if isinstance(value, list | tuple):
        parts = [_json_value(v, encode_string, indent, depth + 1) for v in value]
        return _json_container("[", "]", parts, indent, depth)
    # Numbers, booleans and null: the standard encoder (no strings can reach here).
    return json.dumps(value, allow_nan=False)


def _json_container(open_: str, close: str, parts: list[str], indent: int | None, depth: int) -> str:
    if not parts:
        return open_ + close
    if indent is None:
        return open_ + ",".join(parts) + close
    inner = "\n" + " " * (indent * (depth + 1))
    return open_ + inner + ("," + inner).join(parts) + "\n" + " " * (indent * depth) + close


def _u_escape(char: str) -> str:
    """``\\uXXXX`` for one character (a surrogate pair outside the BMP)."""
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def _json_string_readable(text: str) -> str:
    """A JSON string that keeps printable text (Korean, emoji) as itself and escapes the rest."""
    out = []
    for char in text:
        if char in _JSON_SHORT_ESCAPES:
            out.append(_JSON_SHORT_ESCAPES[char])
        elif char.isprintable():
            out.append(char)
        else:  # control and invisible characters: visible as escapes, and safe on any line
            out.append(_u_escape(char))
    return '"' + "".join(out) + '"'


def _json_string_cmd(text: str) -> str:
    """A pure-ASCII JSON string with no character that cmd.exe or an argv parser treats specially.

    ``"`` ``\\`` ``%`` ``^`` ``&`` ``|`` ``<`` ``>`` ``!`` ``(`` ``)`` and everything non-ASCII
    become ``\\uXXXX``; newlines and tabs keep their short escapes (a backslash before a letter is
    literal to every parser involved).
    """
    out = []
    for char in text:
        if _CMD_JSON_SAFE.fullmatch(char):
            out.append(char)
        elif char in "\n\r\t":
            out.append(_JSON_SHORT_ESCAPES[char])
        else:
            out.append(_u_escape(char))
    return '"' + "".join(out) + '"'


# ---------------------------------------------------------------------------------------------
# Python


def _py_str(text: str) -> str:
    """A double-quoted Python string literal (printable text kept as itself, like ``repr``)."""
    out = []
    for char in text:
        if char in _JSON_SHORT_ESCAPES and char not in "\b\f":
            out.append(_JSON_SHORT_ESCAPES[char])
        elif char.isprintable():
            out.append(char)
        elif ord(char) < 0x100:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'


def _py_text(text: str, indent: str) -> str:
    """A string literal; multi-line text as one literal per line, implicitly concatenated."""
    pieces = re.split(r"(?<=\n)", text)
    pieces = [piece for piece in pieces if piece]
    if len(pieces) <= 1:
        return _py_str(text)
    inner = indent + "    "
    return "(\n" + "".join(f"{inner}{_py_str(piece)}\n" for piece in pieces) + indent + ")"


def _py_literal(value: Any) -> str:
    """A Python literal for a JSON-like value (parameters such as ``stream_options``)."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, str):
        return _py_str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_py_str(str(k))}: {_py_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_py_literal(v) for v in value) + "]"
    return repr(value)


def _python(job: _Job, *, v1: bool) -> Snippet:
    c = job.connection
    key_expr = (
        f"os.getenv({_py_str(ENV_KEY)}) or {_py_str(c.api_key)}"
        if job.reveal_key
        else f"os.environ[{_py_str(ENV_KEY)}]"
    )
    key_comment = "code.comment.key_revealed" if job.reveal_key else "code.comment.key_env"
    reads_version = not v1 or bool(c.api_version)
    lines = [
        f"# {job.text('code.comment.header')}",
        "import os",
        "",
        "from dotenv import load_dotenv",
        f"from openai import {'OpenAI' if v1 else 'AzureOpenAI'}",
        "",
        f"# {job.text('code.comment.load_dotenv')}",
        "load_dotenv()",
        "",
        f"# {job.text('code.comment.endpoint')}",
        f"endpoint = os.getenv({_py_str(ENV_ENDPOINT)}) or {_py_str(c.endpoint)}",
        f"# {job.text(key_comment)}",
        f"api_key = {key_expr}",
        f"# {job.text('code.comment.deployment')}",
        f"deployment = os.getenv({_py_str(ENV_DEPLOYMENT)}) or {_py_str(c.deployment)}",
    ]
    if reads_version:
        lines += [
            f"# {job.text('code.comment.api_version_v1' if v1 else 'code.comment.api_version')}",
            f"api_version = os.getenv({_py_str(ENV_API_VERSION)}) or {_py_str(c.api_version)}",
        ]
    lines += ["", *_python_client(job, v1=v1, with_version=reads_version), "", *_python_call(job)]
    notes = (*job.key_notes(), "code.note.dotenv")
    if v1:
        notes += ("code.note.v1_client",)
    if job.request.stream:
        notes += ("code.note.stream_empty_choices",)
    return Snippet("python-v1" if v1 else "python", "\n".join(lines) + "\n", "python", "main.py", notes)


def _python_client(job: _Job, *, v1: bool, with_version: bool) -> list[str]:
    if not v1:
        return [
            "client = AzureOpenAI(",
            "    azure_endpoint=endpoint,",
            "    api_key=api_key,",
            "    api_version=api_version,",
            ")",
        ]
    lines = [
        "client = OpenAI(",
        f"    # {job.text('code.comment.v1_base_url')}",
        "    base_url=f\"{endpoint.rstrip('/')}/openai/v1/\",",
        "    api_key=api_key,",
    ]
    if with_version:
        lines.append('    default_query={"api-version": api_version},')
    return [*lines, ")"]


def _python_call(job: _Job) -> list[str]:
    body = job.body
    result = "stream" if job.request.stream else "response"
    lines = [
        f"{result} = client.chat.completions.create(",
        f"    model=deployment,  # {job.text('code.comment.model')}",
        "    messages=[",
    ]
    for message in body["messages"]:
        one_line = f'        {{"role": {_py_str(message["role"])}, "content": {_py_str(message["content"])}}},'
        if "\n" not in message["content"] and len(one_line) <= _PY_LINE:
            lines.append(one_line)  # the tutorial's layout, when it fits
            continue
        content = _py_text(message["content"], "            ")
        lines += [
            "        {",
            f'            "role": {_py_str(message["role"])},',
            f'            "content": {content},',
            "        },",
        ]
    lines.append("    ],")
    for name, value in body.items():
        if name not in ("model", "messages"):
            lines.append(f"    {name}={_py_literal(value)},")
    lines.append(")")
    if not job.request.stream:
        return [*lines, "", "print(response.choices[0].message.content)"]
    lines += [
        "",
        "for chunk in stream:",
        f"    # {job.text('code.comment.stream_empty_choices')}",
        "    if chunk.choices and chunk.choices[0].delta.content:",
        '        print(chunk.choices[0].delta.content, end="", flush=True)',
    ]
    if job.request.include_usage:
        lines += [
            f"    # {job.text('code.comment.usage')}",
            "    if chunk.usage:",
            "        usage = chunk.usage",
            "        print()",
            f"        print({_py_str(job.text('code.output.usage'))}, usage.prompt_tokens, usage.completion_tokens, usage.total_tokens)",
        ]
    return [*lines, "print()"]


# ---------------------------------------------------------------------------------------------
# bash / zsh


def _heredoc_delimiter(body: str, base: str = "JSON") -> str:
    """A here-doc delimiter that no line of ``body`` equals (the line would end the body early)."""
    lines = set(body.split("\n"))
    delimiter = base
    while delimiter in lines:
        delimiter += "_"
    return delimiter


def _curl_bash(job: _Job) -> Snippet:
    c = job.connection
    # ${VAR:?} stops the command with "parameter null or not set" instead of sending no key.
    key_ref = f"${{{ENV_KEY}:-{c.api_key}}}" if job.reveal_key else f"${{{ENV_KEY}:?}}"
    body = _json_text(job.body, _json_string_readable, indent=2)
    delimiter = _heredoc_delimiter(body)
    # No comment lines: macOS's zsh runs a pasted "# …" line as a command (interactive_comments
    # is off by default). The explanations are the snippet's notes.
    lines = [
        f'endpoint="${{{ENV_ENDPOINT}:-{c.endpoint}}}"',
        'endpoint="${endpoint%/}"',
        f'curl "$endpoint{job.path_and_query}" \\',
        '  -H "Content-Type: application/json" \\',
        f'  -H "{job.auth_header(key_ref)}" \\',
        *(["  --no-buffer \\"] if job.request.stream else []),
        f"  --data-binary @- <<'{delimiter}'",
        body,
        delimiter,
    ]
    notes = (
        *job.key_notes(),
        "code.note.bash_heredoc",
        "code.note.trailing_slash",
        "code.note.literal_request",
        "code.note.zsh_no_comments",
    )
    return Snippet("curl", "\n".join(lines) + "\n", "bash", "request.sh", notes + job.stream_notes())


# ---------------------------------------------------------------------------------------------
# Windows PowerShell (5.1 and 7)


def _ps_str(text: str) -> str:
    """A single-quoted PowerShell string (no expansion; PowerShell also ends one at ‘ ’ ‚ ‛)."""
    return "'" + re.sub(r"(['‘’‚‛])", r"\1\1", text) + "'"


def _ps_preamble(job: _Job) -> list[str]:
    """Endpoint, key and the body here-string, shared by both PowerShell targets."""
    c = job.connection
    env_endpoint = f"$env:{ENV_ENDPOINT}"
    env_key = f"$env:{ENV_KEY}"
    if job.reveal_key:
        key_lines = [
            f"# {job.text('code.comment.key_revealed')}",
            f"$apiKey = if ({env_key}) {{ {env_key} }} else {{ {_ps_str(c.api_key)} }}",
        ]
    else:
        example = f"$env:{ENV_KEY} = '...'"
        key_lines = [
            f"# {job.text('code.comment.key_env_shell', example=example)}",
            f"$apiKey = {env_key}",
            f"if (-not $apiKey) {{ throw {_ps_str(job.text('code.output.missing_key', name=ENV_KEY))} }}",
        ]
    body = _json_text(job.body, _json_string_readable, indent=2)
    # A line starting with '@ would end the here-string early; indented JSON never has one.
    if any(re.match(r"['‘’‚‛]@", line) for line in body.split("\n")):
        raise AssertionError("JSON body line would close the here-string")
    return [
        f"# {job.text('code.comment.endpoint')}",
        f"$endpoint = if ({env_endpoint}) {{ {env_endpoint} }} else {{ {_ps_str(c.endpoint)} }}",
        f"# {job.text('code.comment.trailing_slash')}",
        "$endpoint = $endpoint.TrimEnd('/')",
        *key_lines,
        f"# {job.text('code.comment.body_here_string')}",
        "$body = @'",
        body,
        "'@",
    ]


def _curl_powershell(job: _Job) -> Snippet:
    auth = job.auth_header("$apiKey")
    lines = [
        *_ps_preamble(job),
        f"# {job.text('code.comment.body_file')}",
        "$bodyFile = Join-Path ([IO.Path]::GetTempPath()) 'aoai-lab-body.json'",
        "[IO.File]::WriteAllText($bodyFile, $body, [Text.UTF8Encoding]::new($false))",
        f"# {job.text('code.comment.curl_exe')}",
        f'curl.exe "$endpoint{job.path_and_query}" `',
        "  -H 'Content-Type: application/json' `",
        f'  -H "{auth}" `',
        *(["  --no-buffer `"] if job.request.stream else []),
        '  --data-binary "@$bodyFile"',
    ]
    notes = (
        *job.key_notes(),
        "code.note.ps_curl_exe",
        "code.note.ps_body_file",
        "code.note.trailing_slash",
        "code.note.literal_request",
        "code.note.ps_save_bom",
    )
    return Snippet(
        "curl-powershell", "\n".join(lines) + "\n", "powershell", "request-curl.ps1", notes + job.stream_notes()
    )


def _powershell(job: _Job) -> Snippet:
    header = "'Authorization' = \"Bearer $apiKey\"" if job.v1 else "'api-key' = $apiKey"
    lines = [
        *_ps_preamble(job),
        f"# {job.text('code.comment.utf8_bytes')}",
        f'$response = Invoke-RestMethod -Method Post -Uri "$endpoint{job.path_and_query}" `',
        f"  -Headers @{{ {header} }} `",
        "  -ContentType 'application/json' `",
        "  -Body ([Text.Encoding]::UTF8.GetBytes($body))",
    ]
    if job.request.stream:
        lines += _powershell_stream_output(job)
    else:
        lines.append("$response.choices[0].message.content")
    notes = (
        *job.key_notes(),
        "code.note.ps_here_string",
        "code.note.ps_utf8_bytes",
        "code.note.trailing_slash",
        "code.note.literal_request",
        "code.note.ps_save_bom",
    )
    if job.request.stream:
        notes += ("code.note.ps_stream_buffered", "code.note.stream_empty_choices")
    return Snippet("powershell", "\n".join(lines) + "\n", "powershell", "request.ps1", notes)


def _powershell_stream_output(job: _Job) -> list[str]:
    lines = [
        f"# {job.text('code.comment.ps_stream')}",
        'foreach ($line in ($response -split "`n")) {',
        "    if (-not $line.StartsWith('data: {')) { continue }",
        "    $chunk = $line.Substring(6) | ConvertFrom-Json",
        f"    # {job.text('code.comment.stream_empty_choices')}",
        "    if ($chunk.choices.Count -gt 0 -and $chunk.choices[0].delta.content) {",
        "        Write-Host -NoNewline $chunk.choices[0].delta.content",
        "    }",
    ]
    if job.request.include_usage:
        label = _ps_str(job.text("code.output.usage"))
        lines += [
            "    if ($chunk.usage) {",
            '        Write-Host ""',
            f"        Write-Host {label} $chunk.usage.prompt_tokens $chunk.usage.completion_tokens $chunk.usage.total_tokens",
            "    }",
        ]
    return [*lines, "}", 'Write-Host ""']


# ---------------------------------------------------------------------------------------------
# cmd.exe


def _cmd_comment(job: _Job, key: str, **params: object) -> str:
    # %…% is expanded even on a REM line and a trailing ^ would swallow the next line.
    return "REM " + _CMD_COMMENT_UNSAFE.sub("", job.text(key, **params))


def _cmd_body_argument(job: _Job) -> str:
    """The body as one curl argument: ASCII JSON whose only quotes are structural, each as ``\\"``."""
    body = _json_text(job.body, _json_string_cmd, indent=None)
    # No backslash can precede a structural quote (content backslashes are \u005c), so \" is
    # read by the argv parser as one literal quote and nothing else changes.
    return '"' + body.replace('"', '\\"') + '"'


def _cmd_curl_lines(job: _Job) -> list[str]:
    return [
        f'curl "%endpoint%{job.path_and_query}" ^',
        '  -H "Content-Type: application/json" ^',
        f'  -H "{job.auth_header(f"%{ENV_KEY}%")}" ^',
        *(["  --no-buffer ^"] if job.request.stream else []),
        f"  --data-binary {_cmd_body_argument(job)}",
    ]


def _cmd_line_too_long(job: _Job) -> bool:
    logical = "".join(line.removesuffix("^") for line in _cmd_curl_lines(job))
    return len(logical) + _CMD_ENV_ALLOWANCE > CMD_LINE_LIMIT


def _curl_cmd(job: _Job) -> Snippet:
    c = job.connection
    if job.reveal_key:
        key_lines = [
            _cmd_comment(job, "code.comment.key_revealed"),
            f'if not defined {ENV_KEY} set "{ENV_KEY}={c.api_key}"',
        ]
    else:
        key_lines = [_cmd_comment(job, "code.comment.key_env_shell", example=f"set {ENV_KEY}=...")]
    lines = [
        *key_lines,
        _cmd_comment(job, "code.comment.endpoint"),
        f'set "endpoint=%{ENV_ENDPOINT}%"',
        f'if not defined {ENV_ENDPOINT} set "endpoint={c.endpoint}"',
        _cmd_comment(job, "code.comment.trailing_slash"),
        'if "%endpoint:~-1%"=="/" set "endpoint=%endpoint:~0,-1%"',
        _cmd_comment(job, "code.comment.cmd_body"),
        *_cmd_curl_lines(job),
    ]
    notes = (
        *job.key_notes(),
        "code.note.cmd_ascii_json",
        "code.note.cmd_caret",
        "code.note.trailing_slash",
        "code.note.literal_request",
    )
    return Snippet("curl-cmd", "\n".join(lines) + "\n", "batch", "request.cmd", notes + job.stream_notes())


# ---------------------------------------------------------------------------------------------
# Raw HTTP


def _http(job: _Job) -> Snippet:
    key = job.connection.api_key if job.reveal_key else f"<{ENV_KEY}>"
    lines = [
        f"POST {job.connection.chat_url} HTTP/1.1",
        "Content-Type: application/json",
        job.auth_header(key),
        "",
        _json_text(job.body, _json_string_readable, indent=2),
    ]
    notes = ("code.note.http_reading", *job.key_notes(), *job.stream_notes())
    return Snippet("http", "\n".join(lines) + "\n", "http", "request.http", notes)


# ---------------------------------------------------------------------------------------------
# Project README


def _readme(lang: Lang) -> str:
    """Both languages, the chosen one first."""
    order = (lang, *(other for other in LANGS if other != lang))
    return "\n---\n\n".join(_readme_section(section_lang) for section_lang in order)


def _readme_section(lang: Lang) -> str:
    return "\n".join(
        [
            f"# {t('code.readme.title', lang)}",
            "",
            t("code.readme.intro", lang),
            "",
            f"1. {t('code.readme.step_install', lang)}",
            "",
            "   ```",
            f"   {pip_install_line()}",
            "   ```",
            "",
            f"2. {t('code.readme.step_env', lang)}",
            "",
            "   ```",
            "   cp .env.example .env        # macOS / Linux",
            "   copy .env.example .env      # Windows",
            "   ```",
            "",
            f"3. {t('code.readme.step_run', lang)}",
            "",
            "   ```",
            "   python main.py",
            "   ```",
            "",
            t("code.readme.key_warning", lang),
            "",
        ]
    )
