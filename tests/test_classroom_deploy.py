"""Deployment files for a class: the Dockerfile, compose.yaml, the nginx configuration of the
cluster launcher (checked by nginx itself) and the documentation of every setting."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

from aoai_lab.classroom.cluster import nginx_config
from aoai_lab.classroom.config import ENV_PREFIX, KEYS, load
from aoai_lab.connection import ENV_API_VERSION, ENV_DEPLOYMENT, ENV_ENDPOINT, ENV_KEY
from tests.tools import require_program

ROOT = Path(__file__).resolve().parents[1]
# PyYAML reads compose.yaml; imported by name so the check needs no type stubs.
yaml = importlib.import_module("yaml")


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) pairs, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, args = line.partition(" ")
            pairs.append((instruction.upper(), args.strip()))
    return pairs


def test_the_dockerfile_runs_the_app_on_all_interfaces_as_a_user() -> None:
    steps = dockerfile()
    assert steps[0][0] == "FROM" and steps[0][1].startswith("python:3.11")
    instructions = [i for i, _ in steps]
    assert instructions.index("USER") < instructions.index("CMD")
    assert ("EXPOSE", "8501") in steps
    cmd = dict(steps)["CMD"]
    assert '"streamlit", "run", "app.py"' in cmd and "--server.address=0.0.0.0" in cmd
    assert "_stcore/health" in dict(steps)["HEALTHCHECK"]
    copied = [args.split()[0] for i, args in steps if i == "COPY"]
    assert "aoai_lab" in copied and "pages" in copied and "app.py" in copied
    assert not any("secrets.toml" in c or c.startswith(".env") for c in copied)
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".env", ".streamlit/secrets.toml", ".git"} <= set(ignored)


def test_compose_runs_the_app_with_redis_and_valid_settings() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    app, redis = compose["services"]["app"], compose["services"]["redis"]
    assert app["build"] == "." and "8501:8501" in app["ports"]
    assert app["depends_on"]["redis"]["condition"] == "service_healthy"
    assert redis["image"].startswith("redis:") and "ports" not in redis
    env = app["environment"]
    for name in (ENV_ENDPOINT, ENV_KEY, ENV_DEPLOYMENT, ENV_API_VERSION):
        assert name in env
    classroom = {name.removeprefix(ENV_PREFIX).lower() for name in env if name.startswith(ENV_PREFIX)}
    assert classroom == set(KEYS)
    assert env[f"{ENV_PREFIX}REDIS_URL"] == "redis://redis:6379/0"
    # What compose passes when only the required values are given: a valid configuration.
    passed = {name: ("redis://redis:6379/0" if "REDIS" in name else "") for name in env}
    passed[f"{ENV_PREFIX}INSTRUCTOR_PASSWORD"] = "a-long-password"
    config = load(None, passed)
    assert config is not None and config.redis_url == "redis://redis:6379/0" and config.requests_per_minute == 10


def test_the_env_template_is_a_valid_configuration() -> None:
    lines = (ROOT / "docs" / "class.env.example").read_text(encoding="utf-8").splitlines()
    values = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    values[f"{ENV_PREFIX}INSTRUCTOR_PASSWORD"] = "a-long-password"
    assert load(None, values) is not None


def test_the_cluster_nginx_configuration_is_valid_for_nginx(tmp_path: Path) -> None:
    nginx = require_program("nginx", "apt-get install nginx-light")
    (tmp_path / "nginx.conf").write_text(nginx_config(18080, [18081, 18082], tmp_path, expose_replica=True))
    done = subprocess.run(
        [nginx, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path), "-e", str(tmp_path / "e.log")],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "nginx.conf").read_text()
    assert "hash $aoai_route consistent;" in text and "proxy_set_header Upgrade $http_upgrade;" in text
    assert "listen 127.0.0.1:18080;" in text  # loopback only


def test_the_cluster_command_explains_itself() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "aoai_lab.classroom.cluster", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0 and "--replicas" in done.stdout and "--start-redis" in done.stdout


def test_the_documentation_covers_every_setting_in_both_languages() -> None:
    text = (ROOT / "docs" / "classroom.md").read_text(encoding="utf-8")
    korean, english = text.split("## English")
    for key in KEYS:
        assert f"`{key}`" in english and key in korean, key
    for words in ("sticky-sessions", "--web-sockets-enabled", "--client-affinity-enabled", "emulator --host 0.0.0.0"):
        assert words in korean and words in english
    assert "수업 당일 체크리스트" in korean and "Checklist for the day" in english


def test_the_cluster_never_prints_a_redis_password() -> None:
    from aoai_lab.classroom.cluster import _redacted

    assert _redacted("redis://:s3cret@redis.example:6380/0") == "redis://:***@redis.example:6380/0"
    assert _redacted("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
