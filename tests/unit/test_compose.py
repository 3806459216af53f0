"""compose.yaml is a stack Compose accepts: validated by Compose itself, not by reading the YAML ourselves."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose() -> list[str]:
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True,
                                                 check=False).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if os.environ.get("CI") == "true":
        pytest.fail("Docker Compose is required in CI (Debian: docker-compose; scripts/install.sh dev installs it)")
    pytest.skip("Docker Compose is not installed")


def config(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"} | env
    return subprocess.run([*compose(), "-f", str(ROOT / "compose.yaml"), "config", *args], capture_output=True,
                          text=True, env=environment, cwd=ROOT, timeout=60, check=False)


def test_compose_validates_the_production_stack() -> None:
    result = config(SECRET_KEY="a-long-random-secret-for-the-test-only-0123456789")
    assert result.returncode == 0, result.stderr
    stack = yaml.safe_load(result.stdout)
    services = stack["services"]
    assert {"postgres", "redis", "minio", "bucket", "migrate", "telegram", "discord", "worker"} <= set(services)
    for name in ("telegram", "discord", "worker"):
        service = services[name]
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        environment = service["environment"]
        assert environment["JOBS_BACKEND"].startswith("redis://") and environment["STORAGE_BACKEND"] == "s3"
        assert environment["DATABASE_URL"].startswith("postgresql://")
    assert services["migrate"]["command"] == ["db", "upgrade"]


def test_compose_refuses_to_run_without_a_secret_key() -> None:
    result = config("-q")
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
