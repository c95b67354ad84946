"""JavaScript for Node.js with the official ``openai`` npm package.

``AzureOpenAI`` on the classic route, ``OpenAI`` with the v1 base URL on v1; keyless code gets
its token from ``@azure/identity``. The file is an ES module (``main.mjs``: top-level ``await``)
and reads ``.env`` with Node's own ``process.loadEnvFile()`` (Node 20.12+), so the only packages
are the SDK and, for keyless code, ``@azure/identity``. Like Python, it reads the endpoint,
deployment and api-version from the environment with the learner's values as defaults.
"""

from __future__ import annotations

import json
import re
from typing import Any

from aoai_lab.codegen.jsontext import json_string_readable, json_text
from aoai_lab.codegen.model import ENTRA_SCOPE, Job, Snippet, TargetSpec
from aoai_lab.connection import ENV_API_VERSION, ENV_DEPLOYMENT, ENV_ENDPOINT, ENV_KEY

# The npm packages the generated code was run with (tests/js/package-lock.json pins the same
# versions; tests/test_codegen_js.py checks they agree).
NPM_PACKAGES: dict[str, str] = {"openai": "7.59.0", "@azure/identity": "4.14.1"}
# process.loadEnvFile() appeared in Node 20.12.0.
# Source: https://nodejs.org/api/process.html#processloadenvfilepath
NODE_ENGINES = ">=20.12"

_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")


def js_str(text: str) -> str:
    """A JavaScript string literal: JSON's spelling, printable text kept as itself."""
    # Every JSON string is a valid JavaScript string; U+2028/2029 are escaped as non-printable.
    return json_string_readable(text)


def _js_value(value: Any, indent: str) -> str:
    """A JSON-like value as JavaScript, continuation lines indented by ``indent``."""
    text = json_text(value, json_string_readable, indent=2)
    return text.replace("\n", "\n" + indent)


def _js_key(name: str) -> str:
    return name if _IDENTIFIER.fullmatch(name) else js_str(name)


def npm_install_line(keyless: bool = False) -> str:
    """``npm install`` pinned to the package versions the generated code was run with."""
    names = ["openai", *(["@azure/identity"] if keyless else [])]
    return "npm install " + " ".join(f"{name}@{NPM_PACKAGES[name]}" for name in names)


def package_json(keyless: bool) -> str:
    """The ``package.json`` of the downloadable project."""
    deps = {"openai": NPM_PACKAGES["openai"]}
    if keyless:
        deps["@azure/identity"] = NPM_PACKAGES["@azure/identity"]
    data = {
        "name": "aoai-lab-example",
        "private": True,
        "type": "module",
        "engines": {"node": NODE_ENGINES},
        "scripts": {"start": "node main.mjs"},
        "dependencies": deps,
    }
    return json.dumps(data, indent=2) + "\n"


def _javascript(job: Job) -> Snippet:
    c = job.connection
    v1 = job.v1
    reads_version = not v1 or bool(c.api_version)
    imports = ['import { AzureOpenAI } from "openai";' if not v1 else 'import OpenAI from "openai";']
    if job.keyless:
        imports.insert(0, 'import { DefaultAzureCredential, getBearerTokenProvider } from "@azure/identity";')
    lines = [
        f"// {job.text('code.comment.header')}",
        *imports,
        "",
        f"// {job.text('code.comment.load_dotenv_js')}",
        "try {",
        "  process.loadEnvFile();",
        "} catch (error) {",
        '  if (error.code !== "ENOENT") throw error;',
        "}",
        "",
        f"// {job.text('code.comment.endpoint')}",
        f"const endpoint = process.env.{ENV_ENDPOINT} || {js_str(c.endpoint)};",
        *_js_credential(job),
        f"// {job.text('code.comment.deployment')}",
        f"const deployment = process.env.{ENV_DEPLOYMENT} || {js_str(c.deployment)};",
    ]
    if reads_version:
        lines += [
            f"// {job.text('code.comment.api_version_v1' if v1 else 'code.comment.api_version')}",
            f"const apiVersion = process.env.{ENV_API_VERSION} || {js_str(c.api_version)};",
        ]
    lines += ["", *_js_client(job, with_version=reads_version), "", *_js_call(job)]
    notes = (*job.key_notes(), "code.note.js_dotenv", "code.note.js_install")
    if v1:
        notes += ("code.note.js_v1_client",)
    if job.request.stream:
        notes += ("code.note.stream_empty_choices",)
    return Snippet("javascript", "\n".join(lines) + "\n", "javascript", "main.mjs", notes)


def _js_credential(job: Job) -> list[str]:
    if job.keyless:
        return [
            f"// {job.text('code.comment.keyless')}",
            "const credential = new DefaultAzureCredential();",
            f"const tokenProvider = getBearerTokenProvider(credential, {js_str(ENTRA_SCOPE)});",
        ]
    if job.reveal_key:
        return [
            f"// {job.text('code.comment.key_revealed')}",
            f"const apiKey = process.env.{ENV_KEY} || {js_str(job.connection.api_key)};",
        ]
    return [
        f"// {job.text('code.comment.key_env')}",
        f"const apiKey = process.env.{ENV_KEY};",
        "if (!apiKey) {",
        f"  console.error({js_str(job.text('code.output.missing_key_dotenv', name=ENV_KEY))});",
        "  process.exit(1);",
        "}",
    ]


def _js_client(job: Job, *, with_version: bool) -> list[str]:
    if not job.v1:
        auth = "azureADTokenProvider: tokenProvider" if job.keyless else "apiKey"
        return ["const client = new AzureOpenAI({ endpoint, " + auth + ", apiVersion });"]
    lines = [
        "const client = new OpenAI({",
        f"  // {job.text('code.comment.v1_base_url_js')}",
        '  baseURL: `${endpoint.replace(/\\/+$/, "")}/openai/v1/`,',
        "  apiKey: tokenProvider," if job.keyless else "  apiKey,",
    ]
    if with_version:
        lines.append('  defaultQuery: { "api-version": apiVersion },')
    return [*lines, "});"]


def _js_responses_tail(job: Job, lines: list[str]) -> list[str]:
    """The Responses API's output: ``output_text``, or the ``response.output_text.delta`` events."""
    if not job.request.stream:
        return [*lines, "", "console.log(response.output_text);"]
    return [
        *lines,
        "",
        "for await (const event of stream) {",
        '  if (event.type === "response.output_text.delta") process.stdout.write(event.delta);',
        '  if (event.type === "response.completed") {',
        "    const { input_tokens, output_tokens, total_tokens } = event.response.usage;",
        f'    console.log("\\n" + {js_str(job.text("code.output.usage"))}, input_tokens, output_tokens, total_tokens);',
        "  }",
        "}",
        'console.log("");',
    ]


def _js_call(job: Job) -> list[str]:
    body = job.body
    result = "stream" if job.request.stream else "response"
    method = "responses" if job.request.api == "responses" else "chat.completions"
    lines = [f"const {result} = await client.{method}.create({{"]
    for name, value in body.items():
        if name == "model":
            lines.append(f"  model: deployment, // {job.text('code.comment.model')}")
        else:
            lines.append(f"  {_js_key(name)}: {_js_value(value, '  ')},")
    lines.append("});")
    if job.request.api == "responses":
        return _js_responses_tail(job, lines)
    if not job.request.stream:
        return [*lines, "", "console.log(response.choices[0].message.content);"]
    lines += [
        "",
        "for await (const chunk of stream) {",
        f"  // {job.text('code.comment.stream_empty_choices')}",
        "  const text = chunk.choices[0]?.delta?.content;",
        "  if (text) process.stdout.write(text);",
    ]
    if job.request.include_usage:
        lines += [
            f"  // {job.text('code.comment.usage')}",
            "  if (chunk.usage) {",
            "    const { prompt_tokens, completion_tokens, total_tokens } = chunk.usage;",
            f'    console.log("\\n" + {js_str(job.text("code.output.usage"))}, prompt_tokens, completion_tokens, total_tokens);',
            "  }",
        ]
    return [*lines, "}", 'console.log("");']


JAVASCRIPT = TargetSpec("javascript", _javascript, keyless=True)
