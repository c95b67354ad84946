"""The command line: ``python -m aoai_lab emulator | check | code``.

Each subcommand registers its arguments and a handler; handlers return the exit status.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from aoai_lab.emulator import DEMO_KEY, DEMO_KEY_2, EmulatorConfig, serve_forever
from aoai_lab.versions import load_api_versions


def _add_emulator(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "emulator",
        help="serve the local Azure OpenAI emulator",
        description="Serve a local Azure OpenAI data plane, so the tutorial's own curl and Python run offline.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=int, default=8765, help="port (default: 8765)")
    parser.add_argument("--key", action="append", help=f"accepted api key (repeatable; default: {DEMO_KEY})")
    parser.add_argument(
        "--tokens-per-second", type=float, default=40.0, help="streaming pace; 0 streams instantly (default: 40)"
    )
    parser.add_argument(
        "--api-version", action="append", default=[], help="also accept this dated api-version (repeatable)"
    )
    parser.set_defaults(handler=_run_emulator)


def _run_emulator(args: argparse.Namespace) -> int:
    keys = tuple(args.key) if args.key else (DEMO_KEY, DEMO_KEY_2)
    config = EmulatorConfig(
        api_keys=keys,
        tokens_per_second=max(0.0, args.tokens_per_second),
        api_versions=load_api_versions(args.api_version),
    )
    endpoint = f"http://{args.host}:{args.port}/"
    deployments = ", ".join(f"{d.name} ({d.model})" for d in config.deployments)
    print(f"AOAI Lab emulator: {endpoint}")
    print(f"  deployments: {deployments}")
    print("  key: " + ("the demo key from the README" if not args.key else f"{len(keys)} key(s) from --key"))
    print(f"  try: curl '{endpoint}openai/deployments/gpt-5.1/chat/completions?api-version=2025-04-01-preview' \\")
    print("         -H 'Content-Type: application/json' -H 'api-key: <key>' \\")
    print("""         -d '{"messages": [{"role": "user", "content": "Hello!"}]}'""")
    serve_forever(config, args.host, args.port)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m aoai_lab`` parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="python -m aoai_lab", description="AOAI Lab command line")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_emulator(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; returns the process exit status."""
    args = build_parser().parse_args(argv)
    status: int = args.handler(args)
    return status
