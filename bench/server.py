"""Start a ``streamlit run`` (or the emulator) on a free loopback port and read its CPU and memory.

CPU and peak RSS come from ``/proc/<pid>`` (Linux): no extra package, and they are the kernel's
own accounting of the server process, whatever threads it ran.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_APPS = Path(__file__).resolve().parent / "reference_apps"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def memory_kb(pid: int) -> tuple[int, int]:
    """(current RSS, peak RSS) of ``pid`` in KiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0])
    return values.get("VmRSS", 0), values.get("VmHWM", 0)


@dataclass
class Server:
    """A running server process; use as a context manager."""

    args: Sequence[str]
    port: int
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: Path = ROOT
    health_path: str = "/_stcore/health"
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    ready_after: float = 0.0

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        """The server's process id."""
        assert self.process is not None
        return self.process.pid

    def start(self, timeout: float = 60.0) -> Server:
        """Start the process and wait until it answers its health check."""
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env}
        self.started_at = time.perf_counter()
        self.process = subprocess.Popen(
            list(self.args), cwd=self.cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode(errors="replace") if self.process.stderr else ""
                raise RuntimeError(f"{self.args} exited with {self.process.returncode}: {err[-2000:]}")
            try:
                # Always http://127.0.0.1:<port>: no other scheme can reach here.
                with urllib.request.urlopen(self.url + self.health_path, timeout=1) as reply:  # noqa: S310
                    if reply.status < 500:
                        self.ready_after = time.perf_counter() - self.started_at
                        return self
            except urllib.error.HTTPError:  # an answer (e.g. 401 without a key) means it is up
                self.ready_after = time.perf_counter() - self.started_at
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.args} did not answer on {self.url} within {timeout} s")

    def cpu(self) -> float:
        """CPU seconds the server used so far."""
        return cpu_seconds(self.pid)

    def memory_kb(self) -> tuple[int, int]:
        """(RSS, peak RSS) in KiB."""
        return memory_kb(self.pid)

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL after 10 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def streamlit_server(app: Path | str, env: Mapping[str, str] | None = None, port: int | None = None) -> Server:
    """``streamlit run app`` headless on a free loopback port, with the repo's config."""
    port = port or free_port()
    args = [
        sys.executable,
        "-m",
        "bench.launch",
        "streamlit",
        "run",
        str(app),
        "--server.address=127.0.0.1",
        f"--server.port={port}",
        "--server.headless=true",
        "--browser.gatherUsageStats=false",
        "--server.fileWatcherType=none",
    ]
    return Server(args, port, env=dict(env or {}))


def emulator_server(tokens_per_second: float, port: int | None = None) -> Server:
    """The offline emulator as its own process (``python -m aoai_lab emulator``)."""
    port = port or free_port()
    args = [
        sys.executable,
        "-m",
        "bench.launch",
        "emulator",
        "--port",
        str(port),
        "--tokens-per-second",
        str(tokens_per_second),
    ]
    return Server(args, port, health_path="/openai/v1/models")


def app(name: str) -> Path:
    """A reference app's path (``bench/reference_apps/<name>.py``), or ``app.py`` for "aoai_lab"."""
    return ROOT / "app.py" if name == "aoai_lab" else REFERENCE_APPS / f"{name}.py"
