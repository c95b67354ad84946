"""The code generator: one chat request, written as Python, curl, PowerShell, raw HTTP and more.

Every snippet sends *exactly* the request the app sends: the URL comes from
:attr:`Connection.chat_url`, the body from :meth:`ChatRequest.body` (the same call the chat client
uses), and the headers are the ones the SDK sends (``api-key`` on the classic route,
``Authorization: Bearer`` on v1 and for keyless code). ``tests/test_codegen_run.py`` runs the
Python and bash snippets against the emulator, ``tests/test_codegen_js.py`` the JavaScript and
``tests/test_codegen_keyless.py`` the keyless code; ``tests/test_codegen_shells.py`` checks
PowerShell and cmd with models of those shells (they cannot run here).

Where values come from, in every target:

* the **key** is read from ``AZURE_OPENAI_API_KEY`` and never written out, unless the caller asks
  for ``reveal_key`` (refused for a key held on the server);
* the **endpoint** is read from ``AZURE_OPENAI_ENDPOINT``, with the learner's endpoint as the
  default; every target strips a trailing ``/`` so both forms build the same URL;
* the SDK targets also read the deployment and api-version; the shell targets write them out
  (see :mod:`aoai_lab.codegen.posix`).

One module per target (``python``, ``javascript``, ``posix``, ``powershell``, ``cmd``, ``http``),
each exporting a :class:`TargetSpec`; ``registry.py`` lists them, so a new target is one module and
one registry line. They share the request model (``model.py``: :class:`Job`, :class:`Snippet`) and
the JSON writer (``jsontext.py``). ``azsetup.py`` writes tutorial steps 1-3 (``az`` in bash and
PowerShell, and Bicep) from the learner's names. Keyless (Microsoft Entra ID) code is a flag of
the targets that have it (Python, JavaScript, curl). Prose (comments, notes, the README) comes
from the i18n catalog (``locales/*/code.toml``).
"""

from __future__ import annotations

from typing import Any

from aoai_lab.codegen.cmd import CMD_LINE_LIMIT
from aoai_lab.codegen.javascript import npm_install_line, package_json
from aoai_lab.codegen.model import Job, Snippet, Target, TargetSpec, Unavailable
from aoai_lab.codegen.project import pip_install_line, readme, zip_files
from aoai_lab.codegen.python import requirements
from aoai_lab.codegen.registry import BY_NAME, TARGETS
from aoai_lab.connection import Connection, dotenv_text
from aoai_lab.i18n import Lang
from aoai_lab.request import ChatRequest

SHELL_TARGETS: tuple[Target, ...] = ("curl", "curl-powershell", "curl-cmd", "powershell")
# The Code page's query that opens it on the keyless code (the key-disabled diagnosis links to it).
KEYLESS_QUERY: dict[str, str] = {"auth": "entra"}

__all__ = [
    "CMD_LINE_LIMIT",
    "KEYLESS_QUERY",
    "SHELL_TARGETS",
    "TARGETS",
    "Snippet",
    "Target",
    "Unavailable",
    "generate",
    "generate_all",
    "npm_install_line",
    "pip_install_line",
    "project_zip",
    "python_target",
    "unavailable",
]


def unavailable(
    connection: Connection, request: ChatRequest, *, reveal_key: bool = False, keyless: bool = False
) -> dict[Target, str]:
    """The targets that cannot express this request, each with the i18n key of the reason."""
    job = Job(connection, request, reveal_key and not keyless, "en", keyless)
    reasons = {name: _reason(spec, job) for name, spec in BY_NAME.items()}
    return {name: reason for name, reason in reasons.items() if reason is not None}


def _reason(spec: TargetSpec, job: Job) -> str | None:
    if job.keyless and not spec.keyless:
        return "code.unavailable.no_keyless"
    return spec.reason(job)


def generate(
    target: Target,
    connection: Connection,
    request: ChatRequest,
    *,
    reveal_key: bool = False,
    lang: Lang = "ko",
    keyless: bool = False,
) -> Snippet:
    """The code for ``target`` that sends ``request`` over ``connection``.

    Raises ``ValueError`` for ``reveal_key`` with a key held on the server or an unknown target,
    and :class:`Unavailable` when ``target`` cannot express this request (see :func:`unavailable`).
    ``keyless`` writes Microsoft Entra ID code (a bearer token, no key) where the target has it.
    """
    _refuse_server_key(connection, reveal_key)
    spec = BY_NAME.get(target)
    if spec is None:
        raise ValueError(f"unknown code target: {target!r}")
    job = Job(connection, request, reveal_key and not keyless, lang, keyless)
    reason = _reason(spec, job)
    if reason is not None:
        raise Unavailable(target, reason, lang)
    return spec.write(job)


def generate_all(
    connection: Connection,
    request: ChatRequest,
    *,
    reveal_key: bool = False,
    lang: Lang = "ko",
    keyless: bool = False,
) -> dict[Target, Snippet]:
    """Every target that can express this request (:func:`unavailable` lists the others)."""
    _refuse_server_key(connection, reveal_key)
    skipped = unavailable(connection, request, reveal_key=reveal_key, keyless=keyless)
    return {
        target: generate(target, connection, request, reveal_key=reveal_key, lang=lang, keyless=keyless)
        for target in TARGETS
        if target not in skipped
    }


def python_target(connection: Connection, request: ChatRequest | None = None) -> Target:
    """The Python target that matches the connection's API style (the Responses API: v1 only)."""
    responses = request is not None and request.api == "responses"
    return "python-v1" if connection.style == "v1" or responses else "python"


def project_zip(
    connection: Connection,
    request: ChatRequest,
    *,
    reveal_key: bool = False,
    lang: Lang = "ko",
    keyless: bool = False,
) -> bytes:
    """A zip with ``main.py`` and ``requirements.txt``, ``main.mjs`` and ``package.json``,
    ``.env.example`` and a bilingual ``README.md``."""
    options: dict[str, Any] = {"reveal_key": reveal_key, "lang": lang, "keyless": keyless}
    python = generate(python_target(connection, request), connection, request, **options)
    javascript = generate("javascript", connection, request, **options)
    return zip_files(
        {
            "main.py": python.code,
            "requirements.txt": "\n".join(requirements(keyless)) + "\n",
            "main.mjs": javascript.code,
            "package.json": package_json(keyless),
            ".env.example": dotenv_text(connection, include_key=reveal_key and not keyless),
            "README.md": readme(lang, keyless=keyless),
        }
    )


def _refuse_server_key(connection: Connection, reveal_key: bool) -> None:
    # A classroom key configured on the server must never reach a learner's screen.
    if reveal_key and connection.key_on_server:
        raise ValueError("a key configured on the server cannot be revealed in generated code")
