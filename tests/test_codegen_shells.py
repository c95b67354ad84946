"""PowerShell and cmd.exe snippets, checked with models of those shells; and the generator's rules.

Windows PowerShell and cmd.exe cannot run here, so ``tests/shell_models.py`` models the rules the
generated code depends on (cmd's phases 1-2, the MSVCRT argv parser, PowerShell here-strings and
5.1's native-argument passing). The models are first checked against documented examples, then
every tricky message must come out of them as exactly ``request.body(deployment)``, to exactly
the app's URL, with the app's headers.
"""

from __future__ import annotations

import ast
import importlib.metadata
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from dotenv import dotenv_values

from aoai_lab.cli import main
from aoai_lab.codegen import (
    TARGETS,
    Snippet,
    Target,
    Unavailable,
    generate,
    generate_all,
    pip_install_line,
    project_zip,
    python_target,
    unavailable,
)
from aoai_lab.codegen.javascript import NPM_PACKAGES
from aoai_lab.connection import ENV_ENDPOINT, ENV_KEY, ENV_NAMES, ApiStyle, Connection, Source
from aoai_lab.i18n import catalog, has, t
from aoai_lab.models import family_of
from aoai_lab.request import ChatParams, ChatRequest, Message
from aoai_lab.versions import recommended_api_versions
from tests.shell_models import (
    TRICKY_MESSAGES,
    ShellModelError,
    curl_call,
    msvcrt_argv,
    run_cmd,
    run_powershell,
)

# Distinctive, and shaped like nothing real; allowed in shell code (letters, digits, dashes).
FAKE_KEY = "FAKE-codegen-key-do-not-leak-7f3a9c"
PORTAL_ENDPOINT = "https://my-aoai-lab.openai.azure.com/"
ENV_OVERRIDE = "https://override-lab.openai.azure.com/"
BOM = b"\xef\xbb\xbf"


def make_connection(
    style: ApiStyle = "classic",
    *,
    slash: bool = True,
    source: Source = "manual",
    endpoint: str = PORTAL_ENDPOINT,
    deployment: str = "gpt-5.1",
    v1_version: str = "",
) -> Connection:
    endpoint = endpoint if slash else endpoint.rstrip("/")
    version = "2025-04-01-preview" if style == "classic" else v1_version
    return Connection(endpoint, FAKE_KEY, deployment, version, style, source=source)


def make_request(text: str, *, stream: bool = False, system: bool = True) -> ChatRequest:
    messages: tuple[Message, ...] = (Message("system", f"system: {text}"),) if system else ()
    messages += (Message("user", "첫 질문"), Message("assistant", text[:100]), Message("user", text))
    return ChatRequest(
        messages,
        ChatParams(max_completion_tokens=100, reasoning_effort="low"),
        stream=stream,
        include_usage=stream,
    )


def expected_url(connection: Connection, env_endpoint: str | None) -> str:
    """The app's URL, with the endpoint the running code ends up using."""
    return connection.with_values(endpoint=env_endpoint or connection.endpoint).chat_url


def expected_auth(connection: Connection, key: str) -> dict[str, str]:
    name, value = ("Authorization", f"Bearer {key}") if connection.style == "v1" else ("api-key", key)
    return {"Content-Type": "application/json", name: value}


# ---------------------------------------------------------------------------------------------
# The models, against documented behaviour


@pytest.mark.parametrize(
    ("line", "argv"),
    [
        # Microsoft Learn, "Parsing C command-line arguments", the results table.
        ('"a b c" d e', ["a b c", "d", "e"]),
        ('"ab\\"c" "\\\\" d', ['ab"c', "\\", "d"]),
        ('a\\\\\\b d"e f"g h', ["a\\\\\\b", "de fg", "h"]),
        ('a\\\\\\"b c d', ['a\\"b', "c", "d"]),
        ('a\\\\\\\\"b c" d e', ["a\\\\b c", "d", "e"]),
        ('a"b"" c d', ['ab" c d']),
    ],
)
def test_model_msvcrt_documented_examples(line: str, argv: list[str]) -> None:
    assert msvcrt_argv(f"prog.exe {line}") == ["prog.exe", *argv]


def test_model_cmd_rules() -> None:
    # Carets escape outside quotes and are literal inside them.
    assert run_cmd('curl a^&b "c&d^"', {}, batch=True).commands == [["curl", "a&b", "c&d^"]]
    # An unescaped operator outside quotes is not an argument.
    with pytest.raises(ShellModelError):
        run_cmd("curl a&b", {}, batch=True)
    with pytest.raises(ShellModelError):
        run_cmd('curl "x" (y)', {}, batch=True)
    # %VAR%: an undefined variable vanishes in a batch file and stays as typed at the prompt.
    assert run_cmd('curl "%NOPE%x"', {}, batch=True).commands == [["curl", "x"]]
    assert run_cmd('curl "%NOPE%x"', {}, batch=False).commands == [["curl", "%NOPE%x"]]
    assert run_cmd("curl 100%%", {}, batch=True).commands == [["curl", "100%"]]
    # Substrings, set "X=…" and if.
    script = 'set "E=http://h/"\nif "%E:~-1%"=="/" set "E=%E:~0,-1%"\ncurl %E%/p'
    assert run_cmd(script, {}, batch=True).commands == [["curl", "http://h/p"]]
    # ^ at the end of a line joins the next line, whose first character is literal.
    assert run_cmd("curl a ^\n&b", {}, batch=True).commands == [["curl", "a", "&b"]]
    # Phase 1 runs even on a REM line.
    with pytest.raises(ShellModelError):
        run_cmd("REM %~x", {}, batch=True)


def test_model_powershell_rules() -> None:
    script = (
        "$a = 'x''y'\n$b = @'\n$a `n \"q\"\n '@ not the end\n'@\n"
        "[IO.File]::WriteAllText('C:\\b.json', $b)\ncurl.exe \"u/$a\" --data-binary '@C:\\b.json'"
    )
    run = run_powershell(script, {})
    assert run.curl is not None
    assert run.curl.url == "u/x'y"
    assert run.curl.data == b'$a `n "q"\n \'@ not the end'
    # 5.1 does not escape quotes in native arguments: curl would not get this JSON.
    with pytest.raises(ShellModelError, match=r"5\.1 would pass"):
        run_powershell("curl.exe http://h --data-binary '{\"a\": 1}'", {})
    with pytest.raises(ShellModelError, match="alias"):
        run_powershell("curl http://h --data-binary x", {})
    # A space after the continuation backtick ends the statement.
    with pytest.raises(ShellModelError):
        run_powershell("curl.exe http://h ` \n  --data-binary x", {})
    # WriteAllText with UTF8Encoding($true) writes a BOM.
    run = run_powershell(
        "[IO.File]::WriteAllText('f', 'x', [Text.UTF8Encoding]::new($true))\ncurl.exe http://h --data-binary '@f'", {}
    )
    assert run.curl is not None
    assert run.curl.data == BOM + b"x"


# ---------------------------------------------------------------------------------------------
# Generated PowerShell and cmd, through the models

MODEL_MATRIX = [
    (message, style, stream, slash)
    for message in TRICKY_MESSAGES
    for style in ("classic", "v1")
    for stream in (False, True)
    for slash in (True, False)
]


def matrix_id(params: tuple[str, str, bool, bool]) -> str:
    message, style, stream, slash = params
    return f"{message}-{style}-{'stream' if stream else 'once'}-{'slash' if slash else 'noslash'}"


@pytest.mark.parametrize("params", MODEL_MATRIX, ids=matrix_id)
def test_powershell_curl_exe_sends_the_apps_request(params: tuple[str, ApiStyle, bool, bool]) -> None:
    message, style, stream, slash = params
    connection = make_connection(style, slash=slash, v1_version="preview" if stream else "")
    request = make_request(TRICKY_MESSAGES[message], stream=stream)
    code = generate("curl-powershell", connection, request).code
    for env_endpoint in (None, ENV_OVERRIDE if slash else ENV_OVERRIDE.rstrip("/")):
        env = {ENV_KEY: "key-from-env"} | ({ENV_ENDPOINT: env_endpoint} if env_endpoint else {})
        run = run_powershell(code, env)
        assert run.curl is not None
        assert run.curl.url == expected_url(connection, env_endpoint)
        assert run.curl.headers == expected_auth(connection, "key-from-env")
        assert not run.curl.data.startswith(BOM)
        assert json.loads(run.curl.data.decode("utf-8")) == request.body(connection.deployment)
        assert ("--no-buffer" in run.curl.flags) == stream


@pytest.mark.parametrize("params", MODEL_MATRIX, ids=matrix_id)
def test_powershell_invoke_restmethod_sends_the_apps_request(params: tuple[str, ApiStyle, bool, bool]) -> None:
    message, style, stream, slash = params
    connection = make_connection(style, slash=slash)
    request = make_request(TRICKY_MESSAGES[message], stream=stream)
    code = generate("powershell", connection, request).code
    for env_endpoint in (None, ENV_OVERRIDE):
        env = {ENV_KEY: "key-from-env"} | ({ENV_ENDPOINT: env_endpoint} if env_endpoint else {})
        run = run_powershell(code, env)
        assert run.rest is not None
        assert run.rest.method == "POST"
        assert run.rest.url == expected_url(connection, env_endpoint)
        assert run.rest.headers == expected_auth(connection, "key-from-env")
        assert json.loads(run.rest.body.decode("utf-8")) == request.body(connection.deployment)


@pytest.mark.parametrize("params", MODEL_MATRIX, ids=matrix_id)
def test_cmd_curl_sends_the_apps_request(params: tuple[str, ApiStyle, bool, bool]) -> None:
    message, style, stream, slash = params
    connection = make_connection(style, slash=slash)
    request = make_request(TRICKY_MESSAGES[message], stream=stream)
    if message == "big_10k":
        # 10 KB as \uXXXX escapes cannot fit cmd.exe's 8191-character line: refused, not broken.
        assert unavailable(connection, request)["curl-cmd"] == "code.unavailable.cmd_too_long"
        with pytest.raises(Unavailable):
            generate("curl-cmd", connection, request)
        return
    code = generate("curl-cmd", connection, request).code
    assert code.isascii() or all(line.startswith("REM ") for line in code.splitlines() if not line.isascii())
    for batch in (True, False):
        for env_endpoint in (None, ENV_OVERRIDE if slash else ENV_OVERRIDE.rstrip("/")):
            env = {ENV_KEY: "key-from-env"} | ({ENV_ENDPOINT: env_endpoint} if env_endpoint else {})
            run = run_cmd(code, env, batch=batch)
            assert len(run.commands) == 1
            call = curl_call(run.commands[0], {})
            assert call.url == expected_url(connection, env_endpoint)
            assert call.headers == expected_auth(connection, "key-from-env")
            assert json.loads(call.data) == request.body(connection.deployment)
            assert ("--no-buffer" in call.flags) == stream


def test_cmd_line_fits_below_the_limit_for_a_long_ascii_message() -> None:
    """Just under the limit still generates (and the model still reads it back exactly)."""
    connection = make_connection()
    request = ChatRequest.simple("a" * 7000)
    code = generate("curl-cmd", connection, request).code
    call = curl_call(run_cmd(code, {ENV_KEY: "k"}, batch=True).commands[0], {})
    assert json.loads(call.data) == request.body("gpt-5.1")
    assert "curl-cmd" in unavailable(connection, ChatRequest.simple("a" * 8000))


@pytest.mark.parametrize("target", ["curl-powershell", "powershell", "curl-cmd"])
def test_revealed_key_reaches_the_request_without_the_environment(target: Target) -> None:
    connection = make_connection("v1")
    request = make_request(TRICKY_MESSAGES["quotes"])
    code = generate(target, connection, request, reveal_key=True).code
    if target == "curl-cmd":
        call = curl_call(run_cmd(code, {}, batch=True).commands[0], {})
        headers = call.headers
    else:
        run = run_powershell(code, {})
        headers = run.curl.headers if run.curl else run.rest.headers if run.rest else {}
    assert headers["Authorization"] == f"Bearer {FAKE_KEY}"


@pytest.mark.parametrize("target", ["curl-powershell", "powershell"])
def test_powershell_stops_without_a_key(target: Target) -> None:
    code = generate(target, make_connection(), make_request("hi")).code
    with pytest.raises(ShellModelError, match="AZURE_OPENAI_API_KEY"):
        run_powershell(code, {})


@pytest.mark.parametrize("style", ["classic", "v1"])
def test_http_target_is_the_apps_request(style: ApiStyle) -> None:
    connection = make_connection(style, slash=False)
    request = make_request(TRICKY_MESSAGES["emoji"] + TRICKY_MESSAGES["controls"], stream=True)
    head, _, body = generate("http", connection, request, reveal_key=True).code.partition("\n\n")
    request_line, *header_lines = head.split("\n")
    assert request_line == f"POST {connection.chat_url} HTTP/1.1"
    headers = dict(line.split(": ", 1) for line in header_lines)
    assert headers == expected_auth(connection, FAKE_KEY)
    assert json.loads(body) == request.body(connection.deployment)


@pytest.mark.parametrize("message", list(TRICKY_MESSAGES))
@pytest.mark.parametrize("style", ["classic", "v1"])
def test_python_literals_are_the_body(message: str, style: ApiStyle) -> None:
    """Every corpus message, read back from the generated source: the create() call's arguments
    are the body (the subprocess runs in test_codegen_run cover a rotation of these)."""
    connection = make_connection(style)
    request = make_request(TRICKY_MESSAGES[message], stream=True)
    code = generate(python_target(connection), connection, request).code
    calls = [
        node
        for node in ast.walk(ast.parse(code))
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "client.chat.completions.create"
    ]
    assert len(calls) == 1
    arguments = {kw.arg: kw.value for kw in calls[0].keywords}
    assert ast.unparse(arguments.pop("model")) == "deployment"
    sent = {name: ast.literal_eval(value) for name, value in arguments.items()}
    assert {"model": connection.deployment, **sent} == request.body(connection.deployment)


# ---------------------------------------------------------------------------------------------
# The key


def all_snippets(connection: Connection, *, reveal_key: bool) -> list[Snippet]:
    snippets: list[Snippet] = []
    for text in (TRICKY_MESSAGES["quotes"], TRICKY_MESSAGES["korean"]):
        for stream in (False, True):
            snippets += generate_all(connection, make_request(text, stream=stream), reveal_key=reveal_key).values()
    return snippets


def zip_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist())


@pytest.mark.parametrize("source", ["manual", "demo", "env", "secrets"])
@pytest.mark.parametrize("style", ["classic", "v1"])
def test_masked_output_never_contains_the_key(style: ApiStyle, source: Source) -> None:
    connection = make_connection(style, source=source)
    snippets = all_snippets(connection, reveal_key=False)
    assert {s.target for s in snippets} == set(TARGETS) - {"python-v1" if style == "classic" else "python"}
    for snippet in snippets:
        assert FAKE_KEY not in snippet.code
        assert FAKE_KEY.encode() not in snippet.file_bytes()
        assert "code.note.key_from_env" in snippet.notes
    assert FAKE_KEY not in zip_text(project_zip(connection, make_request("hi")))


@pytest.mark.parametrize("style", ["classic", "v1"])
def test_revealed_output_contains_the_key(style: ApiStyle) -> None:
    connection = make_connection(style)
    for snippet in all_snippets(connection, reveal_key=True):
        assert FAKE_KEY in snippet.code
        assert "code.note.key_revealed" in snippet.notes
    assert f"{ENV_KEY}={FAKE_KEY}" in zip_text(project_zip(connection, make_request("hi"), reveal_key=True))


@pytest.mark.parametrize("source", ["env", "secrets"])
def test_a_key_held_on_the_server_cannot_be_revealed(source: Source) -> None:
    connection = make_connection(source=source)
    request = make_request("hi")
    for target in TARGETS:
        with pytest.raises(ValueError, match="server"):
            generate(target, connection, request, reveal_key=True)
    with pytest.raises(ValueError, match="server"):
        generate_all(connection, request, reveal_key=True)
    with pytest.raises(ValueError, match="server"):
        project_zip(connection, request, reveal_key=True)


# ---------------------------------------------------------------------------------------------
# Availability, trailing slash, pins, the zip, the catalog


def test_each_python_target_needs_its_style() -> None:
    request = make_request("hi")
    assert unavailable(make_connection("classic"), request) == {"python-v1": "code.unavailable.needs_v1"}
    assert unavailable(make_connection("v1"), request) == {"python": "code.unavailable.needs_classic"}
    with pytest.raises(Unavailable) as raised:
        generate("python", make_connection("v1"), request, lang="en")
    assert raised.value.reason == "code.unavailable.needs_classic"
    assert "v1" in str(raised.value)


@pytest.mark.parametrize(
    "changes",
    [
        {"endpoint": 'https://x.openai.azure.com/"; rm -rf ~ #'},
        {"endpoint": "https://x.openai.azure.com/%PATH%"},
        {"deployment": "my deployment"},
        {"api_version": "2024-10-21&x=$(id)"},
    ],
)
def test_unsafe_values_make_the_shell_targets_unavailable(changes: dict[str, str]) -> None:
    connection = make_connection().with_values(**changes)
    reasons = unavailable(connection, make_request("hi"))
    assert {target for target, reason in reasons.items() if reason == "code.unavailable.unsafe_value"} == {
        "curl",
        "curl-powershell",
        "curl-cmd",
        "powershell",
    }
    assert set(generate_all(connection, make_request("hi"))) == {"python", "javascript", "http"}


def test_a_revealed_key_with_shell_characters_is_not_written_into_shell_code() -> None:
    connection = make_connection().with_values(api_key='abc"; echo pwned; "')
    assert unavailable(connection, make_request("hi"), reveal_key=True)["curl"] == "code.unavailable.unsafe_value"
    assert "curl" not in generate_all(connection, make_request("hi"), reveal_key=True)
    assert "curl" in generate_all(connection, make_request("hi"), reveal_key=False)  # masked: nothing to break


@pytest.mark.parametrize("target", ["curl-powershell", "powershell", "curl-cmd", "http"])
@pytest.mark.parametrize("style", ["classic", "v1"])
def test_trailing_slash_builds_the_same_url(target: Target, style: ApiStyle) -> None:
    request = make_request("hi")
    urls = set()
    for slash in (True, False):
        code = generate(target, make_connection(style, slash=slash), request).code
        if target == "http":
            urls.add(code.split("\n")[0].split(" ")[1])
        elif target == "curl-cmd":
            urls.add(curl_call(run_cmd(code, {ENV_KEY: "k"}, batch=True).commands[0], {}).url)
        else:
            run = run_powershell(code, {ENV_KEY: "k"})
            urls.add(run.curl.url if run.curl else run.rest.url if run.rest else "")
    assert urls == {make_connection(style).chat_url}
    assert "//openai" not in next(iter(urls))


def test_pip_line_pins_the_installed_versions() -> None:
    openai_version = importlib.metadata.version("openai")
    dotenv_version = importlib.metadata.version("python-dotenv")
    assert pip_install_line() == f"pip install openai=={openai_version} python-dotenv=={dotenv_version}"


@pytest.mark.parametrize("style", ["classic", "v1"])
def test_zip_has_exactly_the_six_files(style: ApiStyle) -> None:
    connection = make_connection(style)
    request = make_request(TRICKY_MESSAGES["korean"])
    data = project_zip(connection, request, lang="en")
    assert data == project_zip(connection, request, lang="en")  # deterministic
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
    assert sorted(files) == [".env.example", "README.md", "main.mjs", "main.py", "package.json", "requirements.txt"]
    assert files["main.py"] == generate(python_target(connection), connection, request, lang="en").code
    assert files["main.mjs"] == generate("javascript", connection, request, lang="en").code
    assert json.loads(files["package.json"])["dependencies"] == {"openai": NPM_PACKAGES["openai"]}
    assert "node main.mjs" in files["README.md"]
    assert files["requirements.txt"].split() == pip_install_line().split()[2:]
    values = dotenv_values(stream=io.StringIO(files[".env.example"]))
    assert values[ENV_ENDPOINT] == connection.endpoint
    assert values[ENV_KEY] == ""
    readme = files["README.md"]
    assert readme.index("Azure OpenAI chat call example") < readme.index("Azure OpenAI 채팅 호출 예제")
    assert pip_install_line() in readme
    assert "python main.py" in readme


def test_downloaded_files_are_encoded_for_their_shell() -> None:
    connection = make_connection()
    snippets = generate_all(connection, make_request(TRICKY_MESSAGES["korean"]))
    ps1 = snippets["powershell"].file_bytes()
    assert ps1.startswith(BOM)
    assert b"\r\n" in ps1
    assert ps1[3:].decode("utf-8").replace("\r\n", "\n") == snippets["powershell"].code
    cmd = snippets["curl-cmd"].file_bytes()
    assert cmd.decode("cp949").replace("\r\n", "\n") == snippets["curl-cmd"].code
    assert snippets["curl"].file_bytes() == snippets["curl"].code.encode("utf-8")


def test_catalogs_have_the_same_code_keys_and_every_used_key() -> None:
    ko = {key for key in catalog("ko") if key.startswith("code.")}
    en = {key for key in catalog("en") if key.startswith("code.")}
    assert ko == en
    package = Path(__file__).parent.parent / "aoai_lab"
    files = [*sorted((package / "codegen").glob("*.py")), package / "cli.py"]
    sources = "".join(path.read_text(encoding="utf-8") for path in files)
    used = set(re.findall(r"[\"'](code\.[a-z_]+\.[a-z_0-9]+)[\"']", sources))
    assert used
    assert used <= ko
    for connection in (make_connection("classic"), make_connection("v1")):
        for snippet in all_snippets(connection, reveal_key=True) + all_snippets(connection, reveal_key=False):
            assert all(has(note, "ko") and has(note, "en") for note in snippet.notes)


def test_prose_follows_the_language() -> None:
    connection = make_connection()
    request = ChatRequest.simple("hi")
    korean = generate("python", connection, request).code
    english = generate("python", connection, request, lang="en").code
    assert "배포 이름" in korean
    assert "Deployment name" in english
    assert not re.search(r"[\uac00-\ud7a3]", english)


# ---------------------------------------------------------------------------------------------
# The CLI


@pytest.fixture
def clean_cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No .env and no configuration in the environment (the CLI reads both)."""
    monkeypatch.chdir(tmp_path)
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_cli_prints_the_generators_code(clean_cli: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["code", "--lang", "curl", "--endpoint", "https://res.openai.azure.com", "--deployment", "gpt-4o-mini"]
    argv += ["--api-version", "2024-10-21", "--system", "be brief", "--message", "a", "--message", "b $x"]
    argv += ["--max-tokens", "20", "--stream", "--ui-lang", "en"]
    assert main(argv) == 0
    expected = generate(
        "curl",
        Connection("https://res.openai.azure.com", "", "gpt-4o-mini", "2024-10-21"),
        ChatRequest(
            (Message("system", "be brief"), Message("user", "a"), Message("user", "b $x")),
            ChatParams(max_tokens=20),
            stream=True,
        ),
        lang="en",
    ).code
    out = capsys.readouterr()
    assert out.out == expected
    assert "here-doc" in out.err  # the notes go to stderr


def test_cli_defaults_to_the_tutorial(clean_cli: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["code", "--max-tokens", "50"]) == 0
    code = capsys.readouterr().out
    assert '"https://my-aoai-lab.openai.azure.com/"' in code
    assert '"gpt-5.1"' in code and '"2025-04-01-preview"' in code
    assert "max_completion_tokens=50" in code  # gpt-5.1 is a reasoning model
    assert "Azure OpenAI의 장점을 한 문장으로 설명해줘." in code


def test_cli_reads_env_but_never_writes_the_key(clean_cli: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (clean_cli / ".env").write_text(
        f"{ENV_ENDPOINT}=https://class-lab.openai.azure.com/\n{ENV_KEY}={FAKE_KEY}\nAZURE_OPENAI_DEPLOYMENT=my-deploy\n",
        encoding="utf-8",
    )
    for target in TARGETS:
        if target == "python-v1":
            continue
        assert main(["code", "--lang", target, "--max-tokens", "10"]) == 0
        out = capsys.readouterr().out
        assert "class-lab.openai.azure.com" in out
        assert FAKE_KEY not in out
    assert main(["code", "--lang", "http", "--max-tokens", "10"]) == 0
    assert '"max_tokens": 10' in capsys.readouterr().out  # unknown family: classic names


def test_cli_v1(clean_cli: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["code", "--lang", "python-v1"]) == 0
    code = capsys.readouterr().out
    assert "OpenAI(" in code and "default_query" not in code
    assert main(["code", "--lang", "curl", "--style", "v1"]) == 0
    assert '/openai/v1/chat/completions"' in capsys.readouterr().out
    assert main(["code", "--lang", "python", "--style", "v1"]) == 2
    assert "v1" in capsys.readouterr().err


def test_cli_keyless_and_javascript(clean_cli: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["code", "--lang", "javascript", "--keyless"]) == 0
    code = capsys.readouterr().out
    assert "new DefaultAzureCredential()" in code and "azureADTokenProvider: tokenProvider" in code
    assert main(["code", "--lang", "python", "--keyless"]) == 0
    assert "get_bearer_token_provider(" in capsys.readouterr().out
    assert main(["code", "--lang", "powershell", "--keyless", "--ui-lang", "en"]) == 2
    assert capsys.readouterr().err.strip() == t("code.unavailable.no_keyless", "en")


@pytest.mark.parametrize(("deployment", "version"), [("gpt-5.1", "2025-04-01-preview"), ("gpt-4o-mini", "2024-10-21")])
def test_cli_default_api_version_follows_the_model_family(
    clean_cli: Path, capsys: pytest.CaptureFixture[str], deployment: str, version: str
) -> None:
    """With nothing configured, the recommended version for the family (issue 9), never GA for gpt-5.1."""
    assert recommended_api_versions(family_of(deployment))[0] == version
    assert main(["code", "--lang", "http", "--deployment", deployment]) == 0
    assert f"?api-version={version} HTTP/1.1" in capsys.readouterr().out
