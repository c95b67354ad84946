"""curl for bash and zsh (Linux, macOS, WSL, Git Bash).

The shell targets write the deployment and api-version out literally, because their JSON body
(which carries the deployment as ``model`` and parameters chosen for that deployment) is sent
verbatim from a quoted here-doc that no variable can reach. Only the endpoint and the key come
from the environment.
"""

from __future__ import annotations

from aoai_lab.codegen.jsontext import readable_json
from aoai_lab.codegen.model import ENTRA_RESOURCE, Job, Snippet, TargetSpec
from aoai_lab.connection import ENV_ENDPOINT, ENV_KEY


def heredoc_delimiter(body: str, base: str = "JSON") -> str:
    """A here-doc delimiter that no line of ``body`` equals (the line would end the body early)."""
    lines = set(body.split("\n"))
    delimiter = base
    while delimiter in lines:
        delimiter += "_"
    return delimiter


def _curl_bash(job: Job) -> Snippet:
    c = job.connection
    # ${VAR:?} stops the command with "parameter null or not set" instead of sending no key.
    key_ref = f"${{{ENV_KEY}:-{c.api_key}}}" if job.reveal_key else f"${{{ENV_KEY}:?}}"
    token_lines: list[str] = []
    if job.keyless:
        # The token az prints for the Azure OpenAI audience; ${token:?} stops curl when az failed
        # (not signed in) instead of sending an empty bearer token.
        token_lines = [
            f'token="$(az account get-access-token --resource {ENTRA_RESOURCE} --query accessToken --output tsv)"'
        ]
        key_ref = "${token:?}"
    body = readable_json(job.body)
    delimiter = heredoc_delimiter(body)
    # No comment lines: macOS's zsh runs a pasted "# …" line as a command (interactive_comments
    # is off by default). The explanations are the snippet's notes.
    lines = [
        f'endpoint="${{{ENV_ENDPOINT}:-{c.endpoint}}}"',
        'endpoint="${endpoint%/}"',
        *token_lines,
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


def shell_reason(job: Job) -> str | None:
    """Why a shell target cannot write this job (a value that could break its quoting)."""
    return None if job.shell_safe() else "code.unavailable.unsafe_value"


CURL = TargetSpec("curl", _curl_bash, shell_reason, keyless=True)
