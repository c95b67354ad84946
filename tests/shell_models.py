"""Models of the shells that cannot run here: cmd.exe, the MSVCRT argv parser and PowerShell.

The generated bash and Python run for real (``test_codegen_run.py``). Windows PowerShell and
cmd.exe do not exist on this machine, so ``test_codegen_shells.py`` runs the generated code through
these models instead. Each model implements the documented/observed rules of its shell for the
constructs the generator emits, and raises :class:`ShellModelError` for anything outside that
subset or anything the real shell would mangle, so the generated code cannot drift into constructs
nobody checked. The models are tested on their own against the documented examples
(``test_codegen_shells.py::test_model_*``).

Worked example, cmd.exe (batch file, ``AZURE_OPENAI_API_KEY=k``)::

    curl "%endpoint%/openai/v1/chat/completions" ^
      -H "Authorization: Bearer %AZURE_OPENAI_API_KEY%" ^
      --data-binary "{\\"content\\":\\"100\\u0025 \\uc548\\"}"

    phase 1 expands %endpoint% and %AZURE_OPENAI_API_KEY% line by line (%% would be a literal %);
    phase 2 toggles quote state on every " (it does not know \\"), removes a ^ outside quotes and
    joins the next line when ^ ends one; & | < > ( ) outside quotes would be operators (an error
    here). The MSVCRT parser then reads \\" as a literal quote, so curl's argv is
    ['curl', 'http://…/openai/v1/chat/completions', '-H', 'Authorization: Bearer k',
     '--data-binary', '{"content":"100\\u0025 \\uc548"}'] and JSON reads "100% 안".

Worked example, PowerShell::

    $body = @'
    {"content": "$HOME `n '@ inside"}
    '@

    ``@'`` ends its line; the content is every following line up to the first line that *starts*
    with ``'@``, joined with newlines, without any expansion: ``$HOME`` and the backtick stay as
    they are. Windows PowerShell 5.1 passes native arguments by wrapping those containing spaces in
    quotes without escaping embedded quotes, so ``curl.exe -d '{"a": 1}'`` reaches curl as
    ``{a: 1}``; the model rebuilds that command line and rejects it, which is why the generator
    writes the body to a file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


class ShellModelError(Exception):
    """The real shell would reject or change this (or the model does not cover it)."""


# ---------------------------------------------------------------------------------------------
# MSVCRT / UCRT argv parsing (how curl.exe splits its command line)


def msvcrt_argv(line: str) -> list[str]:
    """Split a Windows command line as the Microsoft C runtime does (``main``'s argv).

    Rules (Microsoft Learn, "Parsing C command-line arguments"): arguments are separated by spaces
    or tabs outside quotes; ``"`` toggles quoted mode; backslashes are literal unless they precede
    ``"``: 2n backslashes + ``"`` give n backslashes and a quote-mode toggle, 2n+1 backslashes +
    ``"`` give n backslashes and a literal ``"``; in quoted mode ``""`` is a literal ``"``. The
    program name (argv[0]) is read without any backslash processing.
    """
    i, n = 0, len(line)
    while i < n and line[i] in " \t":
        i += 1
    if i < n and line[i] == '"':
        end = line.find('"', i + 1)
        end = n if end == -1 else end
        args = [line[i + 1 : end]]
        i = end + 1
    else:
        start = i
        while i < n and line[i] not in " \t":
            i += 1
        args = [line[start:i]]
    while True:
        while i < n and line[i] in " \t":
            i += 1
        if i >= n:
            return args
        current: list[str] = []
        quoted = False
        while i < n and (quoted or line[i] not in " \t"):
            char = line[i]
            if char == "\\":
                run_end = i
                while run_end < n and line[run_end] == "\\":
                    run_end += 1
                count = run_end - i
                if run_end < n and line[run_end] == '"':
                    current.append("\\" * (count // 2))
                    if count % 2:
                        current.append('"')
                        i = run_end + 1
                    else:
                        i = run_end  # the quote is a delimiter, handled next
                else:
                    current.append("\\" * count)
                    i = run_end
            elif char == '"':
                if quoted and i + 1 < n and line[i + 1] == '"':
                    current.append('"')
                    i += 2
                else:
                    quoted = not quoted
                    i += 1
            else:
                current.append(char)
                i += 1
        args.append("".join(current))


# ---------------------------------------------------------------------------------------------
# curl's own reading of its arguments (the options the generator uses)


@dataclass(frozen=True)
class CurlCall:
    """What curl would send."""

    url: str
    headers: dict[str, str]
    data: bytes
    flags: frozenset[str]


def curl_call(argv: list[str], files: Mapping[str, bytes]) -> CurlCall:
    """Interpret curl's argv (``-H``, ``--data-binary``/``-d``, ``--no-buffer``, the URL)."""
    if not re.fullmatch(r"(?i)curl(\.exe)?", argv[0]):
        raise ShellModelError(f"not curl: {argv[0]!r}")
    url: str | None = None
    headers: dict[str, str] = {}
    data: bytes | None = None
    flags: set[str] = set()
    args = iter(argv[1:])
    for arg in args:
        if arg in ("-H", "--header"):
            name, sep, value = next(args).partition(":")
            if not sep:
                raise ShellModelError(f"header without a colon: {name!r}")
            headers[name.strip()] = value.strip()
        elif arg in ("--data-binary", "-d", "--data"):
            if data is not None:
                raise ShellModelError("curl joins several data options with '&'")
            value = next(args)
            if value.startswith("@"):
                if value[1:] not in files:
                    raise ShellModelError(f"curl cannot read {value[1:]!r}")
                data = files[value[1:]]
                if arg != "--data-binary":  # -d strips newlines from a file (curl manual)
                    data = data.replace(b"\r", b"").replace(b"\n", b"")
            else:
                try:
                    data = value.encode("ascii")
                except UnicodeEncodeError as error:
                    # Non-ASCII in argv reaches curl in the ANSI code page: not what was written.
                    raise ShellModelError("non-ASCII command-line data depends on the code page") from error
        elif arg in ("--no-buffer", "-N"):
            flags.add("--no-buffer")
        elif arg.startswith("-"):
            raise ShellModelError(f"option not modelled: {arg}")
        elif url is None:
            url = arg
        else:
            raise ShellModelError(f"second URL {arg!r}")
    if url is None or data is None:
        raise ShellModelError("curl call without URL or data")
    return CurlCall(url, headers, data, frozenset(flags))


# ---------------------------------------------------------------------------------------------
# cmd.exe


@dataclass
class CmdRun:
    """The outcome of a cmd.exe script: its environment and the external commands it ran."""

    env: dict[str, str]
    commands: list[list[str]] = field(default_factory=list)


class _CmdEnv:
    """cmd's environment: names are case-insensitive."""

    def __init__(self, initial: Mapping[str, str]) -> None:
        self.values = {name.upper(): value for name, value in initial.items()}

    def get(self, name: str) -> str | None:
        return self.values.get(name.upper())

    def set(self, name: str, value: str) -> None:
        if value:
            self.values[name.upper()] = value
        else:  # `set "X="` removes X
            self.values.pop(name.upper(), None)


def _cmd_substring(value: str, start: int, length: int | None) -> str:
    """``%VAR:~start,length%``: negative start counts from the end, negative length stops short of it."""
    size = len(value)
    begin = min(start if start >= 0 else max(size + start, 0), size)
    if length is None:
        return value[begin:]
    end = begin + length if length >= 0 else size + length
    return value[begin : max(end, begin)]


_SUBSTRING = re.compile(r"(?P<name>[^:]+):~(?P<start>-?\d+)(?:,(?P<length>-?\d+))?")


def cmd_expand_percent(line: str, env: _CmdEnv, *, batch: bool) -> str:
    """Phase 1: ``%VAR%`` and ``%VAR:~s,l%`` expansion of one physical line.

    Batch file: ``%%`` is ``%``, an undefined variable expands to nothing, a lone ``%`` vanishes,
    ``%0``–``%9``/``%*``/``%~`` are batch parameters (not modelled). Interactive prompt: an undefined
    ``%VAR%`` stays as typed and scanning resumes at its second ``%``; a lone ``%`` stays.
    """
    out: list[str] = []
    i = 0
    while i < len(line):
        char = line[i]
        if char != "%":
            out.append(char)
            i += 1
            continue
        if batch and line.startswith("%%", i):
            out.append("%")
            i += 2
            continue
        if batch and i + 1 < len(line) and (line[i + 1].isdigit() or line[i + 1] in "~*"):
            raise ShellModelError(f"batch parameter in {line!r}")
        close = line.find("%", i + 1)
        if close == -1:
            if not batch:
                out.append(char)
            i += 1
            continue
        inner = line[i + 1 : close]
        value = _cmd_variable(inner, env)
        if value is not None:
            out.append(value)
            i = close + 1
        elif batch:
            i = close + 1
        else:
            out.append("%" + inner)
            i = close
    return "".join(out)


def _cmd_variable(inner: str, env: _CmdEnv) -> str | None:
    if match := _SUBSTRING.fullmatch(inner):
        value = env.get(match["name"])
        if value is None:
            return None
        length = int(match["length"]) if match["length"] is not None else None
        return _cmd_substring(value, int(match["start"]), length)
    if ":" in inner:
        raise ShellModelError(f"variable modifier not modelled: %{inner}%")
    return env.get(inner)


def _cmd_is_rem(text: str) -> bool:
    return re.match(r"(?i)\s*@?\s*rem(\s|$)", text) is not None


def _cmd_read_command(lines: list[str], index: int, env: _CmdEnv, *, batch: bool) -> tuple[str, int]:
    """Phases 1 and 2 for one command: the text cmd executes (quotes kept, escape carets gone)."""
    text = cmd_expand_percent(lines[index], env, batch=batch)
    index += 1
    out: list[str] = []
    quoted = False
    escaped = False
    i = 0
    while True:
        while i < len(text):
            char = text[i]
            if char == "!":
                raise ShellModelError("'!' is expanded when delayed expansion is on (cmd /v:on)")
            if escaped:
                out.append(char)
                escaped = False
            elif char == '"':
                quoted = not quoted
                out.append(char)
            elif quoted:
                out.append(char)
            elif char == "^":
                escaped = True
            elif char in "&|<>()":
                raise ShellModelError(f"unescaped {char!r} outside quotes in {text!r}")
            else:
                out.append(char)
            i += 1
        if not escaped:
            return "".join(out), index
        # `^` ended the line: the newline is dropped, the next line is read (and expanded) and
        # its first character is taken literally.
        if index >= len(lines) or not lines[index]:
            raise ShellModelError("line continuation into an empty line or the end of the script")
        text = cmd_expand_percent(lines[index], env, batch=batch)
        index += 1
        i = 0


def _cmd_if(rest: str, env: _CmdEnv) -> tuple[bool, str]:
    """``if [not] defined NAME cmd`` and ``if "a"=="b" cmd``: whether it runs, and the command."""
    negate = False
    if re.match(r"(?i)not\s", rest):
        negate = True
        rest = rest[3:].lstrip()
    if match := re.match(r"(?i)defined\s+(\S+)\s+(.*)", rest, re.S):
        return (env.get(match[1]) is not None) != negate, match[2]
    # String comparison: both operands are compared as written, quotes included.
    if match := re.match(r'("[^"]*"|[^\s=]+)==("[^"]*"|\S+)\s+(.*)', rest, re.S):
        return (match[1] == match[2]) != negate, match[3]
    raise ShellModelError(f"if form not modelled: {rest!r}")


def _cmd_set(rest: str, env: _CmdEnv) -> None:
    """``set "NAME=value"`` (value up to the last quote) or ``set NAME=value``."""
    if rest.startswith('"'):
        last = rest.rfind('"')
        if last == 0:
            raise ShellModelError("set with an unterminated quote")
        rest = rest[1:last]
    name, sep, value = rest.partition("=")
    if not sep or not name:
        raise ShellModelError(f"set form not modelled: {rest!r}")
    env.set(name, value)


def _cmd_execute(command: str, env: _CmdEnv, run: CmdRun) -> None:
    command = command.lstrip(" \t@")
    if not command:
        return
    word, _, rest = command.partition(" ")
    rest = rest.lstrip()
    if word.lower() == "if":
        runs, then = _cmd_if(rest, env)
        if runs:
            _cmd_execute(then, env, run)
    elif word.lower() == "set":
        _cmd_set(rest, env)
    elif word.lower() in ("echo", "setlocal", "endlocal", "goto", "call", "for", "cd", "chcp"):
        raise ShellModelError(f"built-in not modelled: {word}")
    else:
        run.commands.append(msvcrt_argv(command))


def run_cmd(script: str, env: Mapping[str, str], *, batch: bool) -> CmdRun:
    """Run ``script`` in the cmd.exe model: as a ``.cmd`` file (``batch``) or pasted at the prompt."""
    environment = _CmdEnv(env)
    run = CmdRun(env={})
    lines = script.replace("\r\n", "\n").split("\n")
    index = 0
    while index < len(lines):
        if _cmd_is_rem(lines[index]):
            # REM ends parsing after phase 1, but phase 1 still runs (a bad %~ breaks even a REM).
            cmd_expand_percent(lines[index], environment, batch=batch)
            if lines[index].rstrip().endswith("^"):
                raise ShellModelError("REM line ending in ^")
            index += 1
            continue
        command, index = _cmd_read_command(lines, index, environment, batch=batch)
        _cmd_execute(command, environment, run)
    run.env = dict(environment.values)
    return run


# ---------------------------------------------------------------------------------------------
# PowerShell (the subset the generator emits), with Windows PowerShell 5.1's native-argument rules

_SINGLE_QUOTES = "'‘’‚‛"
_DOUBLE_QUOTES = '"“”„'
_HERE_MARK = "\x00here{}\x00"
# A single-quoted here-string ends at the first line that starts (column 0) with '@.
_HERE_END = re.compile(r"['‘’‚‛]@")


@dataclass(frozen=True)
class Encoding:
    """A .NET text encoding as far as the model needs it."""

    bom: bool

    def file_bytes(self, text: str) -> bytes:
        """What ``File.WriteAllText`` writes with this encoding (the preamble, then the text)."""
        return ("\ufeff" if self.bom else "").encode("utf-8") + text.encode("utf-8")


@dataclass(frozen=True)
class _Type:
    name: str


@dataclass(frozen=True)
class RestCall:
    """What ``Invoke-RestMethod`` would send."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes


@dataclass
class PsRun:
    """The outcome of a PowerShell script up to and including its first web request."""

    files: dict[str, bytes] = field(default_factory=dict)
    curl: CurlCall | None = None
    native_command_line: str | None = None
    rest: RestCall | None = None


@dataclass
class _PsState:
    env: Mapping[str, str]
    temp_path: str
    here_strings: list[str]
    variables: dict[str, Any] = field(default_factory=dict)
    run: PsRun = field(default_factory=PsRun)

    def env_value(self, name: str) -> str | None:
        return next((value for key, value in self.env.items() if key.upper() == name.upper()), None)


def ps_statements(script: str) -> tuple[list[str], list[str]]:
    """Split a script into statements: comments dropped, backtick continuations joined, and each
    single-quoted here-string replaced by a placeholder (its content is returned separately).

    Here-string rules: ``@'`` must end its line; the content is the following lines up to the
    first line that starts with ``'@`` (column 0), joined with newlines, taken verbatim.
    """
    lines = script.replace("\r\n", "\n").split("\n")
    statements: list[str] = []
    here_strings: list[str] = []
    pending = ""
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.endswith("@'"):
            content: list[str] = []
            while index < len(lines) and not _HERE_END.match(lines[index]):
                content.append(lines[index])
                index += 1
            if index >= len(lines):
                raise ShellModelError("here-string is never closed")
            if lines[index][2:].strip():
                raise ShellModelError("text after the closing '@")
            index += 1
            here_strings.append("\n".join(content))
            line = line[:-2] + _HERE_MARK.format(len(here_strings) - 1)
        if line.endswith("`"):
            # Backtick + newline continues the statement (a backtick before a space would not).
            pending += line[:-1] + " "
            continue
        statements.append(pending + line)
        pending = ""
    if pending:
        raise ShellModelError("continuation at the end of the script")
    return statements, here_strings


_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<here>\x00here(?P<here_index>\d+)\x00)
  | (?P<single>['‘’‚‛](?:[^'‘’‚‛]|['‘’‚‛]{2})*['‘’‚‛])
  | (?P<double>["“”„](?:[^"“”„`]|`.|["“”„]{2})*["“”„])
  | (?P<variable>\$(?:env:)?[A-Za-z_][A-Za-z0-9_]*)
  | (?P<type>\[[A-Za-z][A-Za-z0-9_.]*\])
  | (?P<op>@\{|::|[=(){};,.])
  | (?P<word>[^\s'"“”„‘’‚‛$(){};,=]+)
    """,
    re.X,
)


def _ps_tokens(statement: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(statement):
        match = _TOKEN.match(statement, position)
        if match is None:
            raise ShellModelError(f"cannot tokenize {statement[position:]!r}")
        position = match.end()
        kind = match.lastgroup
        assert kind is not None
        if kind == "here":
            tokens.append(("here", match["here_index"]))
        elif kind != "space":
            tokens.append((kind, match[kind]))
    return tokens


def _ps_single(token: str) -> str:
    """A single-quoted string: no expansion; a doubled quote is one quote."""
    return re.sub(r"(['‘’‚‛])\1", r"\1", token[1:-1])


_BACKTICK: Mapping[str, str] = MappingProxyType(
    {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "`": "`", '"': '"', "$": "$", "'": "'"}
)


def _ps_double(token: str, state: _PsState) -> str:
    """An expandable string: ``$name`` and ``$env:NAME`` expand, backtick escapes apply."""
    body = token[1:-1]
    if "$(" in body:
        raise ShellModelError("subexpressions are not modelled")
    out: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char == "`":
            out.append(_BACKTICK.get(body[i + 1], body[i + 1]))
            i += 2
        elif char in _DOUBLE_QUOTES:  # a doubled quote inside the string
            out.append(char)
            i += 2
        elif match := re.compile(r"\$(env:)?([A-Za-z_][A-Za-z0-9_]*)").match(body, i):
            out.append(_ps_to_string(_ps_variable(match[0], state)))
            i = match.end()
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _ps_variable(token: str, state: _PsState) -> Any:
    if token.lower().startswith("$env:"):
        return state.env_value(token[5:])
    name = token[1:].lower()
    if name not in state.variables:
        raise ShellModelError(f"variable {token} is not set")
    return state.variables[name]


def _ps_to_string(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    raise ShellModelError(f"cannot turn {value!r} into a string")


class _PsParser:
    """Expression and command evaluation over one statement's tokens."""

    def __init__(self, tokens: list[tuple[str, str]], state: _PsState) -> None:
        self.tokens = tokens
        self.position = 0
        self.state = state

    def peek(self, offset: int = 0) -> tuple[str, str] | None:
        index = self.position + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self, kind: str | None = None, text: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (kind and token[0] != kind) or (text is not None and token[1].lower() != text.lower()):
            raise ShellModelError(f"expected {text or kind}, found {token}")
        self.position += 1
        return token

    def at_end(self) -> bool:
        return self.position >= len(self.tokens)

    # Statements ------------------------------------------------------------------------------

    def statement(self) -> None:
        first = self.peek()
        if first and first[0] == "variable" and self.peek(1) == ("op", "="):
            self.position += 2
            name = first[1][1:].lower()
            if name.startswith("env:"):
                raise ShellModelError("assigning environment variables is not modelled")
            self.state.variables[name] = self.pipeline()
        elif first and first[0] == "word" and first[1].lower() == "if":
            self.if_statement()
        else:
            self.pipeline()
        if not self.at_end():
            raise ShellModelError(f"unexpected {self.peek()} at the end of a statement")

    def if_statement(self) -> Any:
        self.take("word", "if")
        self.take("op", "(")
        condition = self.expression()
        self.take("op", ")")
        then = self.block()
        if self.peek() and self.peek() == ("word", "else"):
            self.take("word", "else")
            otherwise = self.block()
        else:
            otherwise = None
        chosen = then if self.truthy(condition) else otherwise
        return chosen() if chosen else None

    def block(self) -> Any:
        """``{ … }``: evaluated lazily, only if its branch is taken (a throw in it must not fire)."""
        self.take("op", "{")
        start = self.position
        depth = 1
        while depth:
            token = self.take()
            depth += {("op", "{"): 1, ("op", "}"): -1, ("op", "@{"): 1}.get(token, 0)
        inner = self.tokens[start : self.position - 1]

        def run() -> Any:
            return _PsParser(inner, self.state).pipeline_to_end()

        return run

    def pipeline_to_end(self) -> Any:
        value = self.pipeline()
        if not self.at_end():
            raise ShellModelError(f"unexpected {self.peek()} in a block")
        return value

    def pipeline(self) -> Any:
        token = self.peek()
        if token and token[0] == "word" and token[1].lower() == "if":
            return self.if_statement()
        if token and token[0] == "word" and not token[1].startswith("-"):
            return self.command()
        return self.expression()

    # Expressions ----------------------------------------------------------------------------

    def truthy(self, value: Any) -> bool:
        return bool(value)

    def expression(self) -> Any:
        token = self.peek()
        if token and token[0] == "word" and token[1].lower() == "-not":
            self.position += 1
            return not self.truthy(self.expression())
        return self.postfix(self.primary())

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "single":
            return _ps_single(text)
        if kind == "double":
            return _ps_double(text, self.state)
        if kind == "here":
            return self.state.here_strings[int(text)]
        if kind == "variable":
            lowered = text.lower()
            if lowered in ("$true", "$false"):
                return lowered == "$true"
            return _ps_variable(text, self.state)
        if kind == "type":
            return _Type(text[1:-1].lower())
        if (kind, text) == ("op", "("):
            value = self.pipeline()
            self.take("op", ")")
            return value
        if (kind, text) == ("op", "@{"):
            return self.hashtable()
        raise ShellModelError(f"expression not modelled: {text!r}")

    def hashtable(self) -> dict[str, Any]:
        table: dict[str, Any] = {}
        while self.peek() != ("op", "}"):
            key = self.primary()
            self.take("op", "=")
            table[_ps_to_string(key)] = self.expression()
            if self.peek() == ("op", ";"):
                self.position += 1
        self.take("op", "}")
        return table

    def arguments(self) -> list[Any]:
        self.take("op", "(")
        values: list[Any] = []
        while self.peek() != ("op", ")"):
            values.append(self.expression())
            if self.peek() == ("op", ","):
                self.position += 1
        self.take("op", ")")
        return values

    def postfix(self, value: Any) -> Any:
        while self.peek() in (("op", "."), ("op", "::")):
            _, separator = self.take()
            member, *chain = self.take("word")[1].split(".")
            # `::UTF8.GetBytes` tokenizes as one word: the rest is a further member access.
            for index, name in enumerate(chain):
                self.tokens[self.position + 2 * index : self.position + 2 * index] = [("op", "."), ("word", name)]
            if self.peek() == ("op", "("):
                value = _ps_call(value, separator, member, self.arguments(), self.state)
            else:
                value = _ps_property(value, separator, member, self.state)
        return value

    # Commands --------------------------------------------------------------------------------

    def command_argument(self) -> Any:
        token = self.peek()
        if token is None:
            raise ShellModelError("missing argument")
        if token[0] == "word":
            self.position += 1
            return token[1]  # a bare word is a literal string in command mode
        return self.postfix(self.primary())

    def command(self) -> Any:
        name = self.take("word")[1]
        arguments: list[Any] = []
        while not self.at_end() and self.peek() not in (("op", ")"), ("op", "}")):
            arguments.append(self.command_argument())
        return _ps_command(name, arguments, self.state)


def _ps_property(value: Any, separator: str, member: str, state: _PsState) -> Any:
    if separator == "::" and value == _Type("text.encoding") and member.lower() == "utf8":
        return Encoding(bom=True)  # Encoding.UTF8 has a preamble; GetBytes never includes it
    raise ShellModelError(f"property not modelled: {value!r}{separator}{member}")


def _ps_call(value: Any, separator: str, member: str, arguments: list[Any], state: _PsState) -> Any:
    method = member.lower()
    if separator == "." and isinstance(value, str) and method == "trimend":
        return value.rstrip("".join(_ps_to_string(a) for a in arguments))
    if separator == "." and isinstance(value, Encoding) and method == "getbytes":
        return _ps_to_string(arguments[0]).encode("utf-8")
    if separator == "::" and value == _Type("io.path") and method == "gettemppath":
        return state.temp_path
    if separator == "::" and value == _Type("text.utf8encoding") and method == "new":
        return Encoding(bom=bool(arguments[0]) if arguments else False)
    if separator == "::" and value == _Type("io.file") and method == "writealltext":
        # WriteAllText(path, text) writes UTF-8 without a BOM; with an encoding, its preamble first.
        encoding = arguments[2] if len(arguments) > 2 else Encoding(bom=False)
        if not isinstance(encoding, Encoding):
            raise ShellModelError("WriteAllText encoding not modelled")
        state.run.files[_ps_to_string(arguments[0])] = encoding.file_bytes(_ps_to_string(arguments[1]))
        return None
    raise ShellModelError(f"method not modelled: {value!r}{separator}{member}(…)")


def ps51_native_command_line(name: str, arguments: list[str]) -> str:
    """The command line Windows PowerShell 5.1 builds for a native program.

    An argument containing a space or tab (or an empty one) is wrapped in double quotes; embedded
    quotes and trailing backslashes are *not* escaped (the 5.1 behaviour PowerShell 7.3 changed).
    """
    parts = [name]
    for argument in arguments:
        needs_quotes = argument == "" or any(char in argument for char in " \t")
        parts.append(f'"{argument}"' if needs_quotes else argument)
    return " ".join(parts)


def _ps_native(name: str, arguments: list[Any], state: _PsState) -> None:
    strings = [_ps_to_string(argument) for argument in arguments]
    line = ps51_native_command_line(name, strings)
    received = msvcrt_argv(line)[1:]
    if received != strings:
        raise ShellModelError(f"PowerShell 5.1 would pass {strings!r} as {received!r}")
    state.run.native_command_line = line
    state.run.curl = curl_call([name, *received], state.run.files)


def _ps_parameters(arguments: list[Any]) -> dict[str, Any]:
    parameters: dict[str, Any] = {}
    values = iter(arguments)
    for name in values:
        if not (isinstance(name, str) and name.startswith("-")):
            raise ShellModelError(f"positional argument not modelled: {name!r}")
        parameters[name[1:].lower()] = next(values)
    return parameters


def _ps_command(name: str, arguments: list[Any], state: _PsState) -> Any:
    command = name.lower()
    if command == "curl":
        raise ShellModelError("in Windows PowerShell 5.1 'curl' is an alias of Invoke-WebRequest")
    if command == "curl.exe":
        return _ps_native(name, arguments, state)
    if command == "throw":
        raise ShellModelError(f"script threw: {_ps_to_string(arguments[0]) if arguments else ''}")
    if command == "join-path" and len(arguments) == 2:
        parent, child = (_ps_to_string(argument) for argument in arguments)
        return parent.rstrip("\\/") + "\\" + child
    if command == "invoke-restmethod":
        parameters = _ps_parameters(arguments)
        body = parameters["body"]
        if isinstance(body, str):
            # Without a charset, 5.1 encodes a string body as ISO-8859-1: Korean becomes '?'.
            body = body.encode("latin-1", errors="replace")
        headers = {str(k): _ps_to_string(v) for k, v in parameters.get("headers", {}).items()}
        if "contenttype" in parameters:
            headers["Content-Type"] = _ps_to_string(parameters["contenttype"])
        state.run.rest = RestCall(
            _ps_to_string(parameters["method"]).upper(), _ps_to_string(parameters["uri"]), headers, body
        )
        return None
    raise ShellModelError(f"command not modelled: {name}")


def run_powershell(
    script: str, env: Mapping[str, str], *, temp_path: str = "C:\\Users\\Kim Min\\AppData\\Local\\Temp\\"
) -> PsRun:
    """Run ``script`` in the PowerShell model until its first web request (what follows only
    prints the response). ``temp_path`` has a space on purpose (native-argument quoting)."""
    statements, here_strings = ps_statements(script)
    state = _PsState(env=env, temp_path=temp_path, here_strings=here_strings)
    for statement in statements:
        _PsParser(_ps_tokens(statement), state).statement()
        if state.run.curl or state.run.rest:
            return state.run
    raise ShellModelError("the script sends no request")


# ---------------------------------------------------------------------------------------------
# The corpus both codegen test files use: text each shell must carry through unchanged.

TRICKY_MESSAGES: Mapping[str, str] = MappingProxyType(
    {
        "quotes": 'He said "hi" and \'bye\' — “curly” ‘single’ "" \'\' "\'"',
        "dollar_backtick": "$HOME ${PATH} $(whoami) `id` \\$ $$ $env:PATH @(1) @{a=1}",
        "cmd_specials": "100% %PATH% %% ^caret ^^ & | < > ( ) !bang! a&&b || c > nul 2>&1",
        "backslashes": 'C:\\Users\\new\\table\\ \\\\server\\share\\ \\" \\\\" ends with \\',
        "lines_and_markers": "line1\nline2\r\n\tindented\n\nJSON\n'@\n@'\nEOF\n^\n`\n",
        "korean": "안녕하세요! 배포 이름이 뭔가요? 한글 “따옴표”와 ‘작은따옴표’, 괄호(테스트) 100%",
        "emoji": "🎉👍🏽 👨‍👩‍👧 🇰🇷 ✅ 𝄞",
        "controls": "nul\x00 esc\x1b[31m del\x7f ls\u2028 zw\u200b bom\ufeff tab\tend",
        "json_like": '{"role": "system", "content": "x"}\n]}\n"},{"role":"user"',
        "big_10k": ("가나다 abc $x `y` \"q\" 'r' 100% \\ ^&|<>! 🎉\n" * 400)[:10240],
    }
)
