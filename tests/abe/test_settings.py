"""Production settings refuse to start without their secrets, and `check --deploy` is clean with them."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    base.update(DJANGO_SETTINGS_MODULE="abe.settings.production", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_secret_key():
    result = _manage("check", ALLOWED_HOSTS="abe.example.com")

    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _manage("check", SECRET_KEY="x" * 50)

    assert result.returncode != 0
    assert "Set ALLOWED_HOSTS" in result.stderr


def test_check_deploy_reports_nothing():
    result = _manage(
        "check",
        "--deploy",
        SECRET_KEY="k8s7Fq2-vLp0Zr9Xw3Yt6Uu1Ii4Oo5Pp8Aa2Ss7Dd0Ff3Gg6Hh9Jj",
        ALLOWED_HOSTS="abe.example.com",
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr
