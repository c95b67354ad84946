"""The raw HTTP request, for reading (and for the VS Code REST Client)."""

from __future__ import annotations

from aoai_lab.codegen.jsontext import readable_json
from aoai_lab.codegen.model import Job, Snippet, TargetSpec
from aoai_lab.connection import ENV_KEY


def _http(job: Job) -> Snippet:
    key = job.connection.api_key if job.reveal_key else f"<{ENV_KEY}>"
    lines = [
        f"POST {job.url} HTTP/1.1",
        "Content-Type: application/json",
        job.auth_header(key),
        "",
        readable_json(job.body),
    ]
    notes = ("code.note.http_reading", *job.key_notes(), *job.stream_notes())
    return Snippet("http", "\n".join(lines) + "\n", "http", "request.http", notes)


HTTP = TargetSpec("http", _http)
