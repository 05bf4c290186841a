"""The quick start is served the way production is (issue 9, item 15): DEBUG off unless a
developer asks, the app's own Japanese 404 page, static files through WhiteNoise.

pytest-django forces DEBUG=False inside the test process, so the defaults are checked in a
fresh interpreter that loads the settings from the environment as `make run` does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]

# Runs in a fresh interpreter: settings from the environment, requests through the full
# middleware stack (django.test.Client without setup_test_environment keeps settings.DEBUG).
PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(raise_request_exception=False)
result = {"debug": settings.DEBUG, "pages": {}}
for host in ("127.0.0.1", "localhost"):
    response = client.get("/no-such-page/", HTTP_HOST=host)
    result["pages"][host] = [response.status_code, response.content.decode()]
css = client.get("/static/css/app.css")
result["css"] = [
    css.status_code,
    css.get("Content-Type", ""),
    b"".join(css.streaming_content).decode() if css.streaming else css.content.decode(),
]
print(json.dumps(result))
"""


def run_probe(**overrides: str) -> dict:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "DJANGO_ENV", "WHITENOISE_USE_FINDERS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(DJANGO_SETTINGS_MODULE="caremgmt.settings", **overrides)
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_debug_is_off_by_default_and_japanese_404_and_static_css_are_served() -> None:
    probe = run_probe()
    assert probe["debug"] is False
    for host in ("127.0.0.1", "localhost"):  # ALLOWED_HOSTS still accepts both
        status, body = probe["pages"][host]
        assert status == 404
        assert "<title>ページが見つかりません | caremgmt</title>" in body
        assert "お探しのページは存在しないか、表示する権限がありません。" in body
        # Not Django's technical 404 page with the URL list.
        assert "URLconf" not in body
        assert "careplans/" not in body
        assert "Page not found" not in body
    status, content_type, css = probe["css"]
    assert status == 200
    assert content_type.startswith("text/css")
    assert css == (ROOT / "static" / "css" / "app.css").read_text()


def test_debug_only_when_a_developer_asks() -> None:
    assert run_probe(DEBUG="1")["debug"] is True


def test_whitenoise_serves_static_files_in_this_process(client) -> None:  # noqa: ANN001
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE
    assert settings.MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") == 1
    response = client.get("/static/css/print.css")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert body == (ROOT / "static" / "css" / "print.css").read_text()


# A static file edited after the first request: WhiteNoise must not serve it cut to the size
# it had when the middleware started (it did with DEBUG off before WHITENOISE_AUTOREFRESH).
EDITED_PROBE = """
import django, json, sys
from pathlib import Path
django.setup()
from django.test import Client
path = Path(sys.argv[1])
client = Client(raise_request_exception=False)
def body():
    # What a browser gets: the body cut to Content-Length (the test client does not cut it).
    response = client.get("/static/css/" + path.name)
    content = b"".join(response.streaming_content)
    return content[: int(response["Content-Length"])].decode()
path.write_text("a{}")
first = body()
path.write_text("a{}" + "b{}" * 100)
print(json.dumps([first, body()]))
"""


def test_a_static_file_edited_after_start_is_served_whole_outside_production() -> None:
    import uuid

    path = ROOT / "static" / "css" / f"_edited_probe_{uuid.uuid4().hex}.css"
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "DJANGO_ENV", "WHITENOISE_AUTOREFRESH", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment["DJANGO_SETTINGS_MODULE"] = "caremgmt.settings"
    try:
        result = subprocess.run(
            [sys.executable, "-c", EDITED_PROBE, str(path)],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        path.unlink(missing_ok=True)
    assert result.returncode == 0, result.stdout + result.stderr
    first, second = json.loads(result.stdout.strip().splitlines()[-1])
    assert (first, second) == ("a{}", "a{}" + "b{}" * 100)


def test_production_keeps_whitenoise_startup_index() -> None:
    environment = {k: v for k, v in os.environ.items() if k != "WHITENOISE_AUTOREFRESH"}
    environment.update(
        DJANGO_ENV="production",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="x.jp",
        DATABASE_URL="postgres://a@b/c",
        DJANGO_SETTINGS_MODULE="caremgmt.settings",
    )
    code = (
        "from django.conf import settings; print(settings.WHITENOISE_AUTOREFRESH, settings.DEBUG)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["False", "False"]
