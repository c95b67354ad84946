"""Several app replicas on one machine behind nginx: ``python -m aoai_lab.classroom.cluster``.

Starts N ``streamlit run app.py`` processes on free loopback ports and Debian's nginx in front of
them, with sticky sessions (a Streamlit session lives in one process: every request and the
websocket of a browser must reach the same replica) and websocket upgrade. Replicas share their
classroom counters through Redis: ``--redis-url``, or ``--start-redis`` for a private
``redis-server``. It prints one JSON line (``url``, ``replicas``, ``redis_url``) once everything
answers, then runs until interrupted, stopping every child it started.

Stickiness without NGINX Plus: the first request is hashed on nginx's random ``$request_id``,
which is also set as the ``aoai_lab_route`` cookie; later requests hash the cookie, i.e. the same
value, so they land on the same replica (``hash … consistent``,
https://nginx.org/en/docs/http/ngx_http_upstream_module.html#hash). Websockets need
``Upgrade``/``Connection`` passed on (https://nginx.org/en/docs/http/websocket.html).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 90.0
ROUTE_COOKIE = "aoai_lab_route"
REPLICA_HEADER = "X-AOAI-Lab-Replica"


class ClusterError(RuntimeError):
    """A part of the cluster could not start (the message says which and why)."""


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def find_program(name: str) -> str | None:
    """``name`` on PATH or in the sbin directories (Debian puts nginx in /usr/sbin)."""
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin:/usr/bin")


def nginx_config(port: int, replicas: list[int], workdir: Path, *, expose_replica: bool = False) -> str:
    """The nginx configuration: one loopback listener, sticky hashing, websockets, temp files in ``workdir``."""
    servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=0;" for p in replicas)
    temp = "\n".join(
        f"  {name}_temp_path {workdir / name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # Which replica answered: for tests that must reach two different replicas (off by default).
    debug = f'      add_header {REPLICA_HEADER} "$upstream_addr" always;\n' if expose_replica else ""
    return f"""daemon off;
worker_processes 1;
pid {workdir / "nginx.pid"};
error_log {workdir / "nginx-error.log"} warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
{temp}
  map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
  map $cookie_{ROUTE_COOKIE} $aoai_route {{ "" $request_id; default $cookie_{ROUTE_COOKIE}; }}
  upstream aoai_lab {{
    hash $aoai_route consistent;
{servers}
  }}
  server {{
    listen 127.0.0.1:{port};
    client_max_body_size 6m;
    location / {{
      proxy_pass http://aoai_lab;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $http_host;
      proxy_read_timeout 1h;
      proxy_buffering off;
      add_header Set-Cookie "{ROUTE_COOKIE}=$aoai_route; Path=/; HttpOnly; SameSite=Lax" always;
{debug}    }}
  }}
}}
"""


@dataclass
class Cluster:
    """The running parts; ``stop()`` ends every process this cluster started."""

    url: str
    replicas: list[str]
    redis_url: str | None
    workdir: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: list[IO[bytes]] = field(default_factory=list)

    def stop(self) -> None:
        """Terminate the children (nginx first, Redis last), waiting for each."""
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)
        for log in self.logs:
            log.close()

    def log_text(self) -> str:
        """Every child's log (for a failing test's report)."""
        parts = []
        for path in sorted(self.workdir.glob("*.log")):
            parts.append(f"--- {path.name}\n{path.read_text(encoding='utf-8', errors='replace')[-8000:]}")
        return "\n".join(parts)

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _answers(port: int, path: str) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        conn.request("GET", path)
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def _wait(port: int, path: str, process: subprocess.Popen[bytes], what: str, cluster: Cluster) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not (_answers(port, path) if path else _listening(port)):
        if process.poll() is not None or time.monotonic() > deadline:
            cluster.stop()
            raise ClusterError(f"{what} did not start (exit {process.poll()}):\n{cluster.log_text()}")
        time.sleep(0.2)


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def start_cluster(
    replicas: int = 2,
    *,
    port: int = 0,
    env: Mapping[str, str] | None = None,
    redis_url: str | None = None,
    start_redis: bool = False,
    workdir: Path | None = None,
    expose_replica: bool = False,
    app_dir: Path = REPO_ROOT,
) -> Cluster:
    """Start Redis (if asked), ``replicas`` app processes and nginx; return once all answer."""
    nginx = find_program("nginx")
    if nginx is None:
        raise ClusterError("nginx is not installed (apt-get install nginx-light)")
    work = workdir or Path(tempfile.mkdtemp(prefix="aoai-lab-cluster-"))
    work.mkdir(parents=True, exist_ok=True)
    cluster = Cluster("", [], redis_url, work)
    if start_redis:
        program = find_program("redis-server")
        if program is None:
            raise ClusterError("redis-server is not installed (apt-get install redis-server)")
        redis_port = free_port()
        log = (work / "redis.log").open("wb")
        cluster.logs.append(log)
        args = [program, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        process = subprocess.Popen([*args, "--dir", str(work)], stdout=log, stderr=subprocess.STDOUT)
        cluster.processes.insert(0, process)
        _wait(redis_port, "", process, "redis-server", cluster)
        cluster.redis_url = f"redis://127.0.0.1:{redis_port}/0"
    child_env = {**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"}
    if cluster.redis_url:
        child_env["AOAI_LAB_CLASSROOM_REDIS_URL"] = cluster.redis_url
    ports = [free_port() for _ in range(replicas)]
    started = []
    for number, replica_port in enumerate(ports):
        log = (work / f"replica-{number}.log").open("wb")
        cluster.logs.append(log)
        command = [
            sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.port", str(replica_port), "--server.address", "127.0.0.1",
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none",
        ]  # fmt: skip
        process = subprocess.Popen(command, cwd=app_dir, env=child_env, stdout=log, stderr=subprocess.STDOUT)
        cluster.processes.insert(0, process)
        started.append((replica_port, process))
    for number, (replica_port, process) in enumerate(started):
        _wait(replica_port, "/_stcore/health", process, f"replica {number}", cluster)
    front = port or free_port()
    (work / "nginx.conf").write_text(nginx_config(front, ports, work, expose_replica=expose_replica))
    log = (work / "nginx.log").open("wb")
    cluster.logs.append(log)
    process = subprocess.Popen(
        [nginx, "-c", str(work / "nginx.conf"), "-p", str(work), "-e", str(work / "nginx-error.log")],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    cluster.processes.insert(0, process)  # stopped first: no request reaches a stopping replica
    _wait(front, "/_stcore/health", process, "nginx", cluster)
    cluster.url = f"http://127.0.0.1:{front}"
    cluster.replicas = [f"http://127.0.0.1:{p}" for p in ports]
    return cluster


def _redacted(url: str | None) -> str | None:
    """A Redis URL without its password (the line is printed and may end up in a log)."""
    if not url:
        return url
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{parts.hostname}:{parts.port or 6379}"))


def main(argv: list[str] | None = None) -> int:
    """Run a cluster until interrupted (Ctrl-C or SIGTERM)."""
    parser = argparse.ArgumentParser(prog="python -m aoai_lab.classroom.cluster", description=__doc__.split("\n")[0])
    parser.add_argument("--replicas", type=int, default=2, help="app processes (default: 2)")
    parser.add_argument("--port", type=int, default=8080, help="nginx port on 127.0.0.1 (default: 8080; 0 = free)")
    shared = parser.add_mutually_exclusive_group()
    shared.add_argument("--redis-url", help="Redis the replicas share (else each replica counts alone)")
    shared.add_argument("--start-redis", action="store_true", help="start a private redis-server on loopback")
    parser.add_argument("--workdir", type=Path, help="config and logs (default: a new temporary directory)")
    parser.add_argument("--expose-replica", action="store_true", help=f"add {REPLICA_HEADER} to responses (tests)")
    args = parser.parse_args(argv)
    if args.replicas < 1:
        parser.error("--replicas must be 1 or more")
    if args.replicas > 1 and not (args.redis_url or args.start_redis):
        print("warning: several replicas without Redis: each counts its own limits", file=sys.stderr)
    try:
        cluster = start_cluster(
            args.replicas,
            port=args.port,
            redis_url=args.redis_url,
            start_redis=args.start_redis,
            workdir=args.workdir,
            expose_replica=args.expose_replica,
        )
    except ClusterError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    stop = False

    def _stop(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print(
        json.dumps(
            {
                "url": cluster.url,
                "replicas": cluster.replicas,
                "redis_url": _redacted(cluster.redis_url),
                "workdir": str(cluster.workdir),
            }
        ),
        flush=True,
    )
    try:
        while not stop and all(p.poll() is None for p in cluster.processes):
            time.sleep(0.5)
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
