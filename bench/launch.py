"""``python -m bench.launch streamlit|emulator ARGS…``: the real entry points, with long replies.

The benchmarks start every server through this module so that ``BENCH-LONG <n>`` prompts get
``n``-token replies (:mod:`bench.long_replies`) from the in-process demo and from an external
emulator alike; nothing else changes.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.long_replies import install

# Set by the benchmarks that measure AOAI Lab against an emulator in its own process.
EXTERNAL_ENV = "BENCH_EMULATOR_URL"
# Comma-separated "before" variants, to measure a fix against its absence in the same run:
#   no-freeze           app.py's gc.freeze() of the imports is skipped (aoai_lab/heap.py)
#   eager-imports       openai and pandas imported before the first page, as before issue 12
#   client-per-request  a new HTTP client (and SSL context) per SDK client, as before issue 12
#   post-script-gc      Streamlit's gc.collect(2) after every run back on (.streamlit/config.toml)
#   sdk-chunks          a pydantic ChatCompletionChunk built per streamed event, as the SDK's
#                       Stream did before aoai_lab.sse (the models are built, then dropped)
#   nagle               the emulator's sockets without TCP_NODELAY, as before (aoai_lab/emulator/server.py)
VARIANT_ENV = "BENCH_VARIANT"
SWITCH_ENV = "BENCH_SWITCH_INTERVAL"
# A file to append "<wall start> <seconds>" to for every script run (bench/bench_startup.py).
RUN_LOG_ENV = "BENCH_RUN_LOG"
VARIANTS = ("no-freeze", "eager-imports", "client-per-request", "post-script-gc", "sdk-chunks", "nagle")


@dataclass(frozen=True)
class _External:
    """Stands in for the in-process demo emulator: only its endpoint is used."""

    endpoint: str

    def serve_in_background(self) -> None:
        """Nothing to start: it runs in its own process."""


def use_external_demo(url: str) -> None:
    """Point the app's offline demo at ``url`` (issue 9's ``demo_url``, until the app reads it)."""
    from aoai_lab.ui import demo

    external = _External(url.rstrip("/") + "/")
    demo.demo_server = lambda: external  # type: ignore[assignment]


# Set to keep the emulator's per-deployment quotas (600 RPM, 600k TPM, checked per 10 s as Azure
# does): by default the benchmarks lift them, or a 60-session run would measure the quota.
KEEP_LIMITS_ENV = "BENCH_KEEP_LIMITS"


def lift_quotas() -> None:
    """Give every emulator deployment an effectively unlimited quota, in this process."""
    import time

    from aoai_lab.emulator.ratelimit import DeploymentQuota, TokenBucket

    def per_minute(cls: type[DeploymentQuota], rpm: int, tpm: int, clock: object = time.monotonic) -> DeploymentQuota:
        return cls(TokenBucket(10**9, clock), TokenBucket(10**12, clock))  # type: ignore[arg-type]

    DeploymentQuota.per_minute = classmethod(per_minute)  # type: ignore[method-assign,assignment]


def apply_variants(names: list[str]) -> None:
    """Undo the named fixes in this process (see ``VARIANT_ENV``)."""
    unknown = set(names) - set(VARIANTS)
    if unknown:
        raise SystemExit(f"unknown {VARIANT_ENV} {sorted(unknown)}; known: {', '.join(VARIANTS)}")
    if "no-freeze" in names:
        from aoai_lab import heap

        heap.freeze_new_imports = lambda: False
    if "eager-imports" in names:
        import openai  # noqa: F401
        import pandas  # noqa: F401
    if "client-per-request" in names:
        from openai import DefaultHttpxClient

        from aoai_lab import client

        client.shared_http_client = lambda: DefaultHttpxClient(follow_redirects=False)
    if "sdk-chunks" in names:
        _build_sdk_chunks()
    if "nagle" in names:
        _nagle_on()


def _nagle_on() -> None:
    """The emulator's accepted sockets with Nagle's algorithm back on (TCP_NODELAY off)."""
    import socket
    from typing import Any

    from aoai_lab.emulator.server import ReasonPhraseH11Protocol

    made = ReasonPhraseH11Protocol.connection_made

    def connection_made(self: ReasonPhraseH11Protocol, transport: Any) -> None:
        made(self, transport)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 0)

    ReasonPhraseH11Protocol.connection_made = connection_made  # type: ignore[method-assign]


def _build_sdk_chunks() -> None:
    """Pay the SDK's per-event model construction again (``construct_type``, what its ``Stream``
    calls for every event), keeping the JSON the app reads."""
    from collections.abc import Iterator
    from typing import Any

    from openai._models import construct_type
    from openai.types.chat import ChatCompletionChunk

    from aoai_lab import client, sse

    def with_models(response: Any) -> Iterator[Any]:
        for data in sse.json_events(response):
            construct_type(type_=ChatCompletionChunk, value=data)
            yield data

    client.json_events = with_models  # type: ignore[attr-defined,assignment]


def log_script_runs(path: str) -> None:
    """Append each script run's wall-clock start and duration to ``path``, from inside the server."""
    import time

    from streamlit.runtime.scriptrunner import script_runner

    run = script_runner.ScriptRunner._run_script

    def timed(self: script_runner.ScriptRunner, rerun_data: object) -> None:
        started = time.time()
        try:
            run(self, rerun_data)  # type: ignore[arg-type]
        finally:
            with Path(path).open("a", encoding="utf-8") as log:
                log.write(f"{started:.4f} {time.time() - started:.4f}\n")

    script_runner.ScriptRunner._run_script = timed  # type: ignore[method-assign]


def prepare(streamlit: bool) -> None:
    """Everything the benchmarks change in a server process, from the environment."""
    install()
    if not os.environ.get(KEEP_LIMITS_ENV):
        lift_quotas()
    apply_variants([v for v in os.environ.get(VARIANT_ENV, "").split(",") if v])
    if os.environ.get(SWITCH_ENV):  # an experiment: how often a busy thread hands over the GIL
        sys.setswitchinterval(float(os.environ[SWITCH_ENV]))
    if streamlit and os.environ.get(EXTERNAL_ENV):
        use_external_demo(os.environ[EXTERNAL_ENV])
    if streamlit and os.environ.get(RUN_LOG_ENV):
        log_script_runs(os.environ[RUN_LOG_ENV])


def main() -> int:
    """Install the long replies, then run Streamlit's CLI or the emulator's with the rest of argv."""
    which, rest = sys.argv[1], sys.argv[2:]
    prepare(which == "streamlit")
    if which == "streamlit":
        from streamlit.web import cli

        if "post-script-gc" in os.environ.get(VARIANT_ENV, ""):
            rest = [*rest, "--runner.postScriptGC=true"]
        sys.argv = ["streamlit", *rest]
        cli.main()
        return 0
    from aoai_lab.cli import main as aoai_main

    return int(aoai_main(["emulator", *rest]) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
