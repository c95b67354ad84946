"""Windows PowerShell (5.1 and 7): ``curl.exe`` with a body file, and ``Invoke-RestMethod``."""

from __future__ import annotations

import re

from aoai_lab.codegen.jsontext import readable_json
from aoai_lab.codegen.model import Job, Snippet, TargetSpec
from aoai_lab.codegen.posix import shell_reason
from aoai_lab.connection import ENV_ENDPOINT, ENV_KEY


def ps_str(text: str) -> str:
    """A single-quoted PowerShell string (no expansion; PowerShell also ends one at ‘ ’ ‚ ‛)."""
    return "'" + re.sub(r"(['‘’‚‛])", r"\1\1", text) + "'"


def _ps_preamble(job: Job) -> list[str]:
    """Endpoint, key and the body here-string, shared by both PowerShell targets."""
    c = job.connection
    env_endpoint = f"$env:{ENV_ENDPOINT}"
    env_key = f"$env:{ENV_KEY}"
    if job.reveal_key:
        key_lines = [
            f"# {job.text('code.comment.key_revealed')}",
            f"$apiKey = if ({env_key}) {{ {env_key} }} else {{ {ps_str(c.api_key)} }}",
        ]
    else:
        example = f"$env:{ENV_KEY} = '...'"
        key_lines = [
            f"# {job.text('code.comment.key_env_shell', example=example)}",
            f"$apiKey = {env_key}",
            f"if (-not $apiKey) {{ throw {ps_str(job.text('code.output.missing_key', name=ENV_KEY))} }}",
        ]
    body = readable_json(job.body)
    # A line starting with '@ would end the here-string early; indented JSON never has one.
    if any(re.match(r"['‘’‚‛]@", line) for line in body.split("\n")):
        raise AssertionError("JSON body line would close the here-string")
    return [
        f"# {job.text('code.comment.endpoint')}",
        f"$endpoint = if ({env_endpoint}) {{ {env_endpoint} }} else {{ {ps_str(c.endpoint)} }}",
        f"# {job.text('code.comment.trailing_slash')}",
        "$endpoint = $endpoint.TrimEnd('/')",
        *key_lines,
        f"# {job.text('code.comment.body_here_string')}",
        "$body = @'",
        body,
        "'@",
    ]


def _curl_powershell(job: Job) -> Snippet:
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


def _powershell(job: Job) -> Snippet:
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


def _powershell_stream_output(job: Job) -> list[str]:
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
        label = ps_str(job.text("code.output.usage"))
        lines += [
            "    if ($chunk.usage) {",
            '        Write-Host ""',
            f"        Write-Host {label} $chunk.usage.prompt_tokens $chunk.usage.completion_tokens $chunk.usage.total_tokens",
            "    }",
        ]
    return [*lines, "}", 'Write-Host ""']


CURL_POWERSHELL = TargetSpec("curl-powershell", _curl_powershell, shell_reason)
POWERSHELL = TargetSpec("powershell", _powershell, shell_reason)
