"""The command line: ``python -m aoai_lab emulator | check | code``.

Each subcommand registers its arguments and a handler; handlers return the exit status.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

from aoai_lab.check import CHECK_TIMEOUT, RungResult, run_check
from aoai_lab.codegen import TARGETS, Target, Unavailable, generate
from aoai_lab.connection import ApiStyle, Connection, from_input, load_configured, url_host
from aoai_lab.diagnosis import Diagnosis
from aoai_lab.emulator import DEMO_KEY, DEMO_KEY_2, DEMO_PORT, FAULTS, EmulatorConfig, serve_forever
from aoai_lab.emulator import options as emulator_options
from aoai_lab.i18n import DEFAULT_LANG, LANGS, Lang, as_lang, t
from aoai_lab.models import family_of
from aoai_lab.preflight import TUTORIAL_DEPLOYMENT, TUTORIAL_ENDPOINT
from aoai_lab.request import ChatParams, ChatRequest, Message
from aoai_lab.versions import load_api_versions, recommended_api_versions

T = TypeVar("T")


def _add_emulator(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "emulator",
        help="serve the local Azure OpenAI emulator",
        description="Serve a local Azure OpenAI data plane, so the tutorial's own curl and Python run offline.",
        epilog=(
            f"Default keys: {DEMO_KEY} (KEY 1) and {DEMO_KEY_2} (KEY 2); they unlock only this emulator. "
            "Rate limits are checked over 10-second windows, as Azure does."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=int, default=DEMO_PORT, help=f"port (default: {DEMO_PORT})")
    parser.add_argument(
        "--key",
        action="append",
        help=f"accepted api key (repeatable; replaces the defaults {DEMO_KEY} and {DEMO_KEY_2})",
    )
    parser.add_argument(
        "--tokens-per-second", type=float, default=40.0, help="streaming pace; 0 streams instantly (default: 40)"
    )
    parser.add_argument(
        "--api-version", action="append", default=[], help="also accept this dated api-version (repeatable)"
    )
    parser.add_argument(
        "--rpm",
        type=_cli_option(lambda v: emulator_options.positive_int("--rpm", v)),
        help="requests per minute for every deployment (default: 600), checked over 10-second windows",
    )
    parser.add_argument(
        "--tpm",
        type=_cli_option(lambda v: emulator_options.positive_int("--tpm", v)),
        help="tokens per minute for every deployment (default: 600000), checked over 10-second windows",
    )
    parser.add_argument(
        "--deployment",
        action="append",
        default=[],
        metavar="NAME=MODEL",
        type=_cli_option(emulator_options.parse_deployment),
        help="serve a deployment NAME running MODEL, e.g. my-chat=gpt-4o-mini (repeatable; replaces the demo "
        "deployments; the family -- reasoning, classic chat or embeddings -- and limits follow the model)",
    )
    parser.add_argument(
        "--fault-rate",
        action="append",
        default=[],
        metavar="FAULT=P",
        type=_cli_option(emulator_options.parse_fault_rate),
        help="make a share P (0-1) of requests meet FAULT without asking, e.g. 429=0.2 (repeatable; faults: "
        + ", ".join(FAULTS)
        + ")",
    )
    parser.set_defaults(handler=_run_emulator)


def _cli_option(parse: Callable[[str], T]) -> Callable[[str], T]:
    """An argparse ``type`` whose ValueError message (bilingual) is shown as the error."""

    def convert(value: str) -> T:
        try:
            return parse(value)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return convert


def _run_emulator(args: argparse.Namespace) -> int:
    keys = tuple(args.key) if args.key else (DEMO_KEY, DEMO_KEY_2)
    config = EmulatorConfig(
        api_keys=keys,
        deployments=emulator_options.deployments(args.deployment, args.rpm, args.tpm),
        tokens_per_second=max(0.0, args.tokens_per_second),
        api_versions=load_api_versions(args.api_version),
        fault_rates=tuple(args.fault_rate),
    )
    endpoint = f"http://{url_host(args.host)}:{args.port}/"  # an IPv6 host keeps its brackets
    deployments = ", ".join(f"{d.name} ({d.model})" for d in config.deployments)
    first = config.deployments[0].name
    print(f"AOAI Lab emulator: {endpoint}")
    print(f"  deployments: {deployments}")
    print("  key: " + ("the demo key from the README" if not args.key else f"{len(keys)} key(s) from --key"))
    if config.fault_rates:
        print("  fault rates: " + ", ".join(f"{fault}={rate:g}" for fault, rate in config.fault_rates))
    print(f"  try: curl '{endpoint}openai/deployments/{first}/chat/completions?api-version=2025-04-01-preview' \\")
    print("         -H 'Content-Type: application/json' -H 'api-key: <key>' \\")
    print("""         -d '{"messages": [{"role": "user", "content": "Hello!"}]}'""")
    serve_forever(config, args.host, args.port)
    return 0


# A handout with nothing configured shows the tutorial's endpoint and deployment (preflight.py);
# its api-version is not the tutorial's (unpublished) one but the one recommended for the model.


def _add_code(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "code",
        help="print the code that sends one chat request (for handouts)",
        description=(
            "Print Python, JavaScript, curl, PowerShell or raw HTTP code for one chat request. The key is always read "
            "from AZURE_OPENAI_API_KEY by the generated code, never written into it. Defaults come from "
            ".env / the environment, else the tutorial's values."
        ),
    )
    parser.add_argument("--lang", choices=TARGETS, help="code language (default: python, or python-v1 for --style v1)")
    parser.add_argument("--endpoint", help=f"resource endpoint (default: configured, else {TUTORIAL_ENDPOINT})")
    parser.add_argument("--deployment", help=f"deployment name (default: configured, else {TUTORIAL_DEPLOYMENT})")
    parser.add_argument(
        "--api-version", help="api-version (default: configured, else the one recommended for the model; none on v1)"
    )
    parser.add_argument("--style", choices=("classic", "v1"), help="API style (default: from --lang or configured)")
    parser.add_argument("--system", help="system prompt")
    parser.add_argument("--message", action="append", help="a user message (repeatable; default: the tutorial's)")
    parser.add_argument("--stream", action="store_true", help="stream the reply")
    parser.add_argument("--max-tokens", type=int, help="reply length limit (parameter name follows the model family)")
    parser.add_argument("--ui-lang", choices=LANGS, default=DEFAULT_LANG, help="language of comments and notes")
    parser.add_argument(
        "--keyless",
        action="store_true",
        help="Microsoft Entra ID instead of a key (python, python-v1, javascript, curl)",
    )
    parser.set_defaults(handler=_run_code)


def _code_style(args: argparse.Namespace, configured: Connection | None) -> ApiStyle:
    """--style, else what --lang implies, else the configured style."""
    if args.style:
        style: ApiStyle = args.style
        return style
    if args.lang in ("python", "python-v1"):
        return "v1" if args.lang == "python-v1" else "classic"
    return configured.style if configured else "classic"


def _code_connection(args: argparse.Namespace) -> Connection:
    """The connection the handout is for; the key is left out because the CLI never inlines it."""
    normalised = load_configured()
    configured = normalised.connection if normalised else None
    style = _code_style(args, configured)
    deployment = args.deployment or (configured.deployment if configured else "") or TUTORIAL_DEPLOYMENT
    if args.api_version is not None:
        api_version = args.api_version
    elif configured and configured.style == style and configured.api_version:
        api_version = configured.api_version
    else:
        # A dated version on the v1 route is a 400: v1 gets none unless asked for.
        api_version = recommended_api_versions(family_of(deployment))[0] if style == "classic" else ""
    return from_input(
        args.endpoint or (configured.endpoint if configured else "") or TUTORIAL_ENDPOINT,
        "",
        deployment,
        api_version,
        style=style,
    ).connection


def _code_request(args: argparse.Namespace, deployment: str, lang: Lang) -> ChatRequest:
    params = ChatParams.for_family(family_of(deployment), max_length=args.max_tokens)
    system = (Message("system", args.system),) if args.system else ()
    users = tuple(Message("user", text) for text in (args.message or [t("code.cli.default_message", lang)]))
    return ChatRequest(messages=system + users, params=params, stream=args.stream)


def _run_code(args: argparse.Namespace) -> int:
    lang = as_lang(args.ui_lang)
    connection = _code_connection(args)
    target: Target = args.lang or ("python-v1" if connection.style == "v1" else "python")
    try:
        request = _code_request(args, connection.deployment, lang)
        snippet = generate(target, connection, request, lang=lang, keyless=args.keyless)
    except Unavailable as error:
        print(t(error.reason, lang), file=sys.stderr)
        return 2
    # The code alone on stdout (so it can be redirected into a file); the notes on stderr.
    print(snippet.code, end="")
    for note in snippet.notes:
        print(f"- {t(note, lang)}", file=sys.stderr)
    return 0


def _add_check(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "check",
        help="check a connection rung by rung and explain any failure",
        description=(
            "Check endpoint, key, deployment and api-version: pre-flight, DNS, TCP/TLS, the key, then a "
            "1-token call. Values default to .env / the environment. Exit status 0 only when it works. "
            "The key is never printed."
        ),
    )
    parser.add_argument("--endpoint", help="resource endpoint (default: AZURE_OPENAI_ENDPOINT)")
    parser.add_argument("--key", help="API key (default: AZURE_OPENAI_API_KEY)")
    parser.add_argument("--deployment", help="deployment name (default: AZURE_OPENAI_DEPLOYMENT)")
    parser.add_argument("--api-version", help="api-version (default: OPENAI_API_VERSION)")
    parser.add_argument("--style", choices=("classic", "v1"), help="API style (default: AOAI_LAB_API_STYLE or classic)")
    parser.add_argument("--json", action="store_true", help="print the rungs and the diagnosis as JSON")
    parser.add_argument("--lang", choices=LANGS, default=DEFAULT_LANG, help="language of the explanation")
    parser.add_argument(
        "--timeout",
        type=float,
        default=CHECK_TIMEOUT,
        help=f"seconds the whole check may take, every rung included (default: {CHECK_TIMEOUT:g})",
    )
    parser.set_defaults(handler=_run_check)


def _run_check(args: argparse.Namespace) -> int:
    lang = as_lang(args.lang)
    configured = load_configured()
    base = configured.connection if configured else Connection("", "", "", "")
    style: ApiStyle = args.style or base.style
    normalised = from_input(
        args.endpoint if args.endpoint is not None else base.endpoint,
        args.key if args.key is not None else base.api_key,
        args.deployment if args.deployment is not None else base.deployment,
        args.api_version if args.api_version is not None else base.api_version,
        style=style,
    )
    report = run_check(
        normalised,
        timeout=max(0.0, args.timeout),
        on_rung=None if args.json else lambda rung: print(_rung_line(rung, lang), flush=True),
    )
    if args.json:
        print(json.dumps(report.to_dict(lang), ensure_ascii=False, indent=2))
    else:
        print()
        print(_explanation(report.diagnosis, lang))
        if report.ok:
            print(f"{t('card.model', lang)}: {report.model} · {t('card.region', lang)}: {report.region}")
    return 0 if report.ok else 1


def _rung_line(rung: RungResult, lang: Lang) -> str:
    marks = {"ok": "✔", "warning": "!", "failed": "✘", "skipped": "·"}
    facts = ", ".join(f"{t('rung.fact.' + name, lang)} {value}" for name, value in rung.facts.items() if value)
    timing = f" {rung.duration_ms:.0f} ms" if rung.state != "skipped" else ""
    line = f"{marks[rung.state]} {t('rung.' + rung.rung, lang)}: {t('rung.state.' + rung.state, lang)}{timing}"
    return f"{line} ({facts})" if facts else line


def _explanation(diagnosis: Diagnosis, lang: Lang) -> str:
    step = t("card.step", lang, step=diagnosis.step, name=t(f"guide.step{diagnosis.step}.short", lang))
    lines = [f"{diagnosis.title(lang)}  [{diagnosis.code} · {step}]"]
    if not diagnosis.ok:
        lines += [f"{t('card.cause', lang)} {diagnosis.cause(lang)}", f"{t('card.fix', lang)} {diagnosis.fix(lang)}"]
    lines += [f"* {hint}" for hint in diagnosis.hint_texts(lang)]
    lines += [f"  {t('card.ev.' + name, lang)}: {value}" for name, value in diagnosis.evidence.items()]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m aoai_lab`` parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="python -m aoai_lab", description="AOAI Lab command line")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_emulator(sub)
    _add_check(sub)
    _add_code(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; returns the process exit status."""
    args = build_parser().parse_args(argv)
    status: int = args.handler(args)
    return status
