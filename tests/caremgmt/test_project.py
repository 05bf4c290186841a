"""Project-level guarantees: settings, migrations, deploy check, compose file, demo data."""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from caremgmt import env
from caremgmt.embedded_db import embedded_database_urls

ROOT = Path(__file__).resolve().parents[2]


def test_database_is_postgresql() -> None:
    assert connection.vendor == "postgresql"


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="runs against a real server")
def test_embedded_postgres_starts_and_is_reused() -> None:
    first = embedded_database_urls(settings.DATA_DIR)
    second = embedded_database_urls(settings.DATA_DIR)
    assert first == second
    runtime, owner = first
    assert runtime.startswith("postgresql://caremgmt_app:@/caremgmt?host=")
    assert owner.startswith("postgresql://caremgmt_owner:@/caremgmt?host=")
    assert (runtime, owner) == (settings.DATABASE_URL, settings.MIGRATION_DATABASE_URL)


def test_env_helpers_fail_loudly(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env.env_bool("SOME_FLAG")
    monkeypatch.setenv("SOME_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER"):
        env.env_int("SOME_NUMBER", 1)
    monkeypatch.delenv("MISSING_VALUE", raising=False)
    with pytest.raises(ImproperlyConfigured, match="MISSING_VALUE"):
        env.env_required("MISSING_VALUE")


def test_locale_and_time_zone() -> None:
    assert (settings.LANGUAGE_CODE, settings.TIME_ZONE, settings.USE_TZ) == (
        "ja",
        "Asia/Tokyo",
        True,
    )


@pytest.mark.django_db
def test_no_missing_migrations() -> None:
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_check_deploy_passes_with_production_settings() -> None:
    environment = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_ENV": "production",
        "SECRET_KEY": "x" * 30 + "production-secret-key-for-the-deploy-check-0123456789",
        "ALLOWED_HOSTS": "caremgmt.example.jp",
        "DATABASE_URL": "postgres://caremgmt@db.invalid:5432/caremgmt",
        "DEBUG": "false",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_secret_key() -> None:
    environment = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    environment.update(
        DJANGO_ENV="production", ALLOWED_HOSTS="x.jp", DATABASE_URL="postgres://a@b/c"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_a_malformed_trusted_proxy_refuses_to_start() -> None:
    environment = dict(os.environ, TRUSTED_PROXIES="10.0.0.0/8,proxy.example")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "TRUSTED_PROXIES: 'proxy.example' is not an IP network" in result.stderr


def test_docker_compose_services_reference_real_modules() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) >= {"web", "worker", "beat", "postgres", "redis"}
    assert "caremgmt.wsgi:application" in " ".join(services["web"]["command"])
    assert "caremgmt" in services["worker"]["command"] and "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]
    for name in ("web", "postgres", "redis"):
        assert "healthcheck" in services[name], name
    # Two roles: only the one-shot migrate service connects as the owner.
    migrate = services["migrate"]
    assert migrate["command"] == ["python", "manage.py", "migrate", "--no-input"]
    assert migrate["environment"]["MIGRATION_DATABASE_URL"].startswith("postgres://caremgmt:")
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://caremgmt_app:"), name
        assert "MIGRATION_DATABASE_URL" not in environment, name
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }, name
    assert "migrate" not in " ".join(services["web"]["command"])
    assert (ROOT / "caremgmt" / "wsgi.py").exists() and (ROOT / "caremgmt" / "celery.py").exists()
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in (
        "libpango-1.0-0",
        "libpangoft2-1.0-0",
        "libharfbuzz-subset0",
        "fonts-ipaexfont",
    ):
        assert package in dockerfile


def test_docker_compose_trusts_only_its_own_network_as_proxy() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    subnet = ipaddress.ip_network(compose["networks"]["default"]["ipam"]["config"][0]["subnet"])
    trusted = compose["x-app"]["environment"]["TRUSTED_PROXIES"]
    assert trusted == f"${{TRUSTED_PROXIES:-{subnet}}}"
    # gunicorn believes forwarded headers from the same proxies only (issue 13: never "*").
    assert compose["x-app"]["environment"]["FORWARDED_ALLOW_IPS"] == trusted
    for name, service in compose["services"].items():
        assert "forwarded-allow-ips" not in " ".join(service.get("command") or []), name
    assert "forwarded-allow-ips" not in (ROOT / "Dockerfile").read_text()
    assert compose["services"]["web"]["ports"] == ["127.0.0.1:8000:8000"]


def test_ci_runs_make_test() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.django_db
def test_load_demo_is_idempotent() -> None:
    from caremgmt.models import Membership, Office, Staff
    from clients.models import Client

    call_command("load_demo", stdout=StringIO())
    counts = (
        Office.objects.count(),
        Staff.objects.count(),
        Membership.objects.count(),
        Client.objects.count(),
    )
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert counts == (
        Office.objects.count(),
        Staff.objects.count(),
        Membership.objects.count(),
        Client.objects.count(),
    )
    assert counts[0] == 2 and counts[1] == 5
    assert settings.DEMO_PASSWORD in out.getvalue() and "sato" in out.getvalue()


@pytest.mark.django_db
def test_security_headers_on_staff_pages(world, login) -> None:  # noqa: ANN001
    response = login(world.care_manager).get("/")
    policy = response["Content-Security-Policy"]
    for directive in (
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "script-src 'self'",
    ):
        assert directive in policy
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert 'hx-history="false"' in response.content.decode()
