"""Python with the official ``openai`` package: ``AzureOpenAI`` (classic) or ``OpenAI`` (v1).

Python reads the endpoint, deployment and api-version from the environment (or ``.env``) with
the learner's values as defaults: the SDK builds the URL and the body's ``model`` from one
variable, so they cannot disagree.
"""

from __future__ import annotations

import functools
import importlib.metadata
import re
from typing import Any

from aoai_lab.codegen.jsontext import JSON_SHORT_ESCAPES
from aoai_lab.codegen.model import ENTRA_SCOPE, Job, Snippet, TargetSpec
from aoai_lab.connection import ENV_API_VERSION, ENV_DEPLOYMENT, ENV_ENDPOINT, ENV_KEY

# Longest generated Python line that keeps a message on one line (the tutorial's layout).
_PY_LINE = 110


# The azure-identity version the keyless code was run with (requirements-dev.txt). The app itself
# does not import it, so it may be absent at run time: pinned here, and a test checks it is the
# installed one.
AZURE_IDENTITY_VERSION = "1.27.0"


@functools.cache
def installed_version(distribution: str) -> str:
    """The installed version of ``distribution``, read once per process: reading the package
    metadata took ~3 ms, on every run of the Code page (issue 12), and a package upgrade needs a
    restart anyway."""
    return importlib.metadata.version(distribution)


def requirements(keyless: bool = False) -> tuple[str, ...]:
    """The pip requirements of the generated Python, pinned to what this app runs with."""
    # The generated code was checked against these versions.
    pins = [f"{name}=={installed_version(name)}" for name in ("openai", "python-dotenv")]
    if keyless:
        pins.append(f"azure-identity=={AZURE_IDENTITY_VERSION}")
    return tuple(pins)


def py_str(text: str) -> str:
    """A double-quoted Python string literal (printable text kept as itself, like ``repr``)."""
    out = []
    for char in text:
        if char in JSON_SHORT_ESCAPES and char not in "\b\f":
            out.append(JSON_SHORT_ESCAPES[char])
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
        return py_str(text)
    inner = indent + "    "
    return "(\n" + "".join(f"{inner}{py_str(piece)}\n" for piece in pieces) + indent + ")"


def _py_literal(value: Any) -> str:
    """A Python literal for a JSON-like value (parameters such as ``stream_options``)."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, str):
        return py_str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{py_str(str(k))}: {_py_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_py_literal(v) for v in value) + "]"
    return repr(value)


def _python(job: Job) -> Snippet:
    c = job.connection
    v1 = job.v1
    reads_version = not v1 or bool(c.api_version)
    identity = ["from azure.identity import DefaultAzureCredential, get_bearer_token_provider"] if job.keyless else []
    lines = [
        f"# {job.text('code.comment.header')}",
        "import os",
        "",
        *identity,
        "from dotenv import load_dotenv",
        f"from openai import {'OpenAI' if v1 else 'AzureOpenAI'}",
        "",
        f"# {job.text('code.comment.load_dotenv')}",
        "load_dotenv()",
        "",
        f"# {job.text('code.comment.endpoint')}",
        f"endpoint = os.getenv({py_str(ENV_ENDPOINT)}) or {py_str(c.endpoint)}",
        *_python_credential(job),
        f"# {job.text('code.comment.deployment')}",
        f"deployment = os.getenv({py_str(ENV_DEPLOYMENT)}) or {py_str(c.deployment)}",
    ]
    if reads_version:
        lines += [
            f"# {job.text('code.comment.api_version_v1' if v1 else 'code.comment.api_version')}",
            f"api_version = os.getenv({py_str(ENV_API_VERSION)}) or {py_str(c.api_version)}",
        ]
    lines += ["", *_python_client(job, with_version=reads_version), "", *_python_call(job)]
    notes = (*job.key_notes(), "code.note.dotenv")
    if v1:
        notes += ("code.note.v1_client",)
    if job.request.stream:
        notes += ("code.note.stream_empty_choices",)
    return Snippet("python-v1" if v1 else "python", "\n".join(lines) + "\n", "python", "main.py", notes)


def _python_credential(job: Job) -> list[str]:
    """The lines that set ``api_key`` (or, keyless, ``token_provider``)."""
    if job.keyless:
        return [
            f"# {job.text('code.comment.keyless')}",
            "token_provider = get_bearer_token_provider(",
            f"    DefaultAzureCredential(), {py_str(ENTRA_SCOPE)}",
            ")",
        ]
    if job.reveal_key:
        return [
            f"# {job.text('code.comment.key_revealed')}",
            f"api_key = os.getenv({py_str(ENV_KEY)}) or {py_str(job.connection.api_key)}",
        ]
    # A missing key stops with one sentence that says what to do, not a KeyError traceback or
    # the SDK's message about OPENAI_API_KEY (issue 9).
    return [
        f"# {job.text('code.comment.key_env')}",
        f"api_key = os.getenv({py_str(ENV_KEY)})",
        "if not api_key:",
        f"    raise SystemExit({py_str(job.text('code.output.missing_key_dotenv', name=ENV_KEY))})",
    ]


def _python_client(job: Job, *, with_version: bool) -> list[str]:
    if not job.v1:
        auth = "azure_ad_token_provider=token_provider" if job.keyless else "api_key=api_key"
        return [
            "client = AzureOpenAI(",
            "    azure_endpoint=endpoint,",
            f"    {auth},",
            "    api_version=api_version,",
            ")",
        ]
    lines = [
        "client = OpenAI(",
        f"    # {job.text('code.comment.v1_base_url')}",
        "    base_url=f\"{endpoint.rstrip('/')}/openai/v1/\",",
        "    api_key=token_provider," if job.keyless else "    api_key=api_key,",
    ]
    if with_version:
        lines.append('    default_query={"api-version": api_version},')
    return [*lines, ")"]


def _python_responses_call(job: Job) -> list[str]:
    """``client.responses.create``: instructions + input, and the text from ``output_text`` or
    the ``response.output_text.delta`` events (issue 13)."""
    body = job.body
    result = "stream" if job.request.stream else "response"
    lines = [f"{result} = client.responses.create(", f"    model=deployment,  # {job.text('code.comment.model')}"]
    for name, value in body.items():
        if name == "instructions":
            lines.append(f"    instructions={_py_text(value, '    ')},")
        elif name == "input":
            lines.append("    input=[")
            for message in value:
                content = _py_text(message["content"], "            ")
                lines.append(f'        {{"role": {py_str(message["role"])}, "content": {content}}},')
            lines.append("    ],")
        elif name != "model":
            lines.append(f"    {name}={_py_literal(value)},")
    lines.append(")")
    if not job.request.stream:
        return [*lines, "", "print(response.output_text)"]
    return [
        *lines,
        "",
        "for event in stream:",
        '    if event.type == "response.output_text.delta":',
        '        print(event.delta, end="", flush=True)',
        '    elif event.type == "response.completed":',
        "        usage = event.response.usage",
        "        print()",
        f"        print({py_str(job.text('code.output.usage'))}, usage.input_tokens, usage.output_tokens, usage.total_tokens)",
        "print()",
    ]


def _python_call(job: Job) -> list[str]:
    if job.request.api == "responses":
        return _python_responses_call(job)
    body = job.body
    result = "stream" if job.request.stream else "response"
    lines = [
        f"{result} = client.chat.completions.create(",
        f"    model=deployment,  # {job.text('code.comment.model')}",
        "    messages=[",
    ]
    for message in body["messages"]:
        one_line = f'        {{"role": {py_str(message["role"])}, "content": {py_str(message["content"])}}},'
        if "\n" not in message["content"] and len(one_line) <= _PY_LINE:
            lines.append(one_line)  # the tutorial's layout, when it fits
            continue
        content = _py_text(message["content"], "            ")
        lines += [
            "        {",
            f'            "role": {py_str(message["role"])},',
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
            f"        print({py_str(job.text('code.output.usage'))}, usage.prompt_tokens, usage.completion_tokens, usage.total_tokens)",
        ]
    return [*lines, "print()"]


def _needs_classic(job: Job) -> str | None:
    return "code.unavailable.needs_classic" if job.v1 else None


def _needs_v1(job: Job) -> str | None:
    return None if job.v1 else "code.unavailable.needs_v1"


PYTHON = TargetSpec("python", _python, _needs_classic, keyless=True)
PYTHON_V1 = TargetSpec("python-v1", _python, _needs_v1, keyless=True)
