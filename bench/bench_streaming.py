"""How much streaming costs the UI, batched versus per token (the shared-server concern).

For one long reply at a realistic pace, counts the updates ``ChatStream`` hands to the page
(each is one rerender of the reply in Streamlit) and the bytes those rerenders would resend
(``st.write_stream`` resends the whole text so far on every update), plus time to first token.
Prints figures only; run it as ``python -m bench.bench_streaming``.
"""

from __future__ import annotations

import statistics
import time

from aoai_lab.client import stream_chat
from aoai_lab.connection import Connection
from aoai_lab.emulator import DEMO_KEY, EmulatorConfig, EmulatorServer
from aoai_lab.request import ChatRequest

RUNS = 5
# The emulator's longest tutor answer (about 60 tokens).
QUESTION = "What is the api-version, and which one should I use?"


def measure(server: EmulatorServer, batch_interval: float) -> tuple[float, float, float, float]:
    """(updates, bytes resent, ttft ms, total ms), medians over RUNS streams."""
    conn = Connection(server.endpoint, DEMO_KEY, "gpt-4o-mini", "2024-10-21")
    updates, resent, ttft, total = [], [], [], []
    for _ in range(RUNS):
        stream = stream_chat(conn, ChatRequest.simple(QUESTION), batch_interval=batch_interval)
        started = time.perf_counter()
        shown = 0
        count = 0
        sent = 0
        for piece in stream:
            count += 1
            shown += len(piece.encode())
            sent += shown  # the whole text so far goes to the browser again
        total.append((time.perf_counter() - started) * 1000)
        assert stream.result is not None and stream.result.ok
        updates.append(count)
        resent.append(sent)
        ttft.append(stream.result.ttft_ms or 0.0)
    return statistics.median(updates), statistics.median(resent), statistics.median(ttft), statistics.median(total)


def main() -> None:
    for pace in (40.0, 200.0):
        with EmulatorServer(EmulatorConfig(tokens_per_second=pace)) as server:
            print(f"pace {pace:.0f} tokens/s, {RUNS} runs, medians:")
            for interval in (0.0, 0.08):
                updates, resent, ttft, total = measure(server, interval)
                label = "per token" if interval == 0 else f"batched {interval * 1000:.0f} ms"
                print(
                    f"  {label:>16}: {updates:5.0f} updates, {resent / 1024:7.1f} KiB resent, "
                    f"first token {ttft:6.1f} ms, whole reply {total:7.1f} ms"
                )


if __name__ == "__main__":
    main()
