"""curl in cmd.exe: the body as one ASCII argument, every special character ``\\uXXXX``-escaped."""

from __future__ import annotations

import re

from aoai_lab.codegen.jsontext import json_string_cmd, json_text
from aoai_lab.codegen.model import Job, Snippet, TargetSpec
from aoai_lab.codegen.posix import shell_reason
from aoai_lab.connection import ENV_ENDPOINT, ENV_KEY

# cmd.exe refuses a command line longer than this (after %VAR% expansion).
# Source: https://learn.microsoft.com/troubleshoot/windows-client/shell-experience/command-line-string-limitation
CMD_LINE_LIMIT = 8191
# Room left on the cmd line for what the environment supplies (endpoint, key).
_CMD_ENV_ALLOWANCE = 400
# Characters that would end a comment line or be expanded inside a REM line.
_CMD_COMMENT_UNSAFE = re.compile(r"[%^&|<>!\"]")


def _cmd_comment(job: Job, key: str, **params: object) -> str:
    # %…% is expanded even on a REM line and a trailing ^ would swallow the next line.
    return "REM " + _CMD_COMMENT_UNSAFE.sub("", job.text(key, **params))


def _cmd_body_argument(job: Job) -> str:
    """The body as one curl argument: ASCII JSON whose only quotes are structural, each as ``\\"``."""
    body = json_text(job.body, json_string_cmd, indent=None)
    # No backslash can precede a structural quote (content backslashes are \u005c), so \" is
    # read by the argv parser as one literal quote and nothing else changes.
    return '"' + body.replace('"', '\\"') + '"'


def _cmd_curl_lines(job: Job) -> list[str]:
    return [
        f'curl "%endpoint%{job.path_and_query}" ^',
        '  -H "Content-Type: application/json" ^',
        f'  -H "{job.auth_header(f"%{ENV_KEY}%")}" ^',
        *(["  --no-buffer ^"] if job.request.stream else []),
        f"  --data-binary {_cmd_body_argument(job)}",
    ]


def _cmd_line_too_long(job: Job) -> bool:
    logical = "".join(line.removesuffix("^") for line in _cmd_curl_lines(job))
    return len(logical) + _CMD_ENV_ALLOWANCE > CMD_LINE_LIMIT


def _curl_cmd(job: Job) -> Snippet:
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


def _cmd_reason(job: Job) -> str | None:
    unsafe = shell_reason(job)
    if unsafe is not None:
        return unsafe
    if _cmd_line_too_long(Job(job.connection, job.request, job.reveal_key, "en", job.keyless)):
        return "code.unavailable.cmd_too_long"
    return None


CURL_CMD = TargetSpec("curl-cmd", _curl_cmd, _cmd_reason)
