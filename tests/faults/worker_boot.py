"""Start a real Celery worker (prefork, one child) for the fault tests, in a subprocess.

    python tests/faults/worker_boot.py QUEUE[,QUEUE...]

Environment: DATABASE_URL (the test database), REDIS_URL (a private redis-server),
MEDIA_ROOT. Two test-only switches are applied before the worker starts, so the forked
child inherits them: the pre-submission gate is off (the batch mechanics are under test, the
gate has its own tests) and FAULTS_FAKE_RENDER=1 replaces WeasyPrint with blank pages.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caremgmt.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

settings.BENEFIT_BATCH_REQUIRES_CHECK = False

if os.environ.get("FAULTS_FAKE_RENDER") == "1":
    from pypdf import PdfWriter

    from caremgmt.printing import rendering

    def _blank_page(html: str) -> rendering.RenderedPdf:
        writer = PdfWriter()
        writer.add_blank_page(width=842, height=595)
        buffer = io.BytesIO()
        writer.write(buffer)
        return rendering.RenderedPdf(data=buffer.getvalue(), page_count=1)

    rendering.render_pdf = _blank_page

from caremgmt.celery import app  # noqa: E402

if __name__ == "__main__":
    app.worker_main(
        [
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            f"--queues={sys.argv[1]}",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
        ]
    )
