# caremgmt production image: gunicorn web, Celery worker and beat share it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_ENV=production PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint's system libraries. libharfbuzz-subset0 makes CJK font subsetting ~20x faster;
# IPAex (TTF) is the print templates' font; IPAmj明朝 (TTF) is their fallback for the glyphs
# IPAex lacks (𠮷 and other JIS X 0213 / CJK Ext-B kanji), embedded only when a document has one.
# postgresql-client-15: pg_dump/pg_restore of the compose server's version (the `backup` service).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-ipaexfont fonts-ipamj-mincho \
      postgresql-client-15 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml constraints.txt ./
COPY caremgmt caremgmt
COPY clients clients
COPY careplans careplans
COPY billing billing
COPY monitoring monitoring
RUN pip install --no-cache-dir -c constraints.txt .
COPY . .
RUN SECRET_KEY=collectstatic ALLOWED_HOSTS=localhost DATABASE_URL=postgres://x@localhost/x \
    python manage.py collectstatic --no-input -v 0

RUN useradd --system --uid 1000 caremgmt && mkdir -p /data /backups \
 && chown caremgmt /data /backups && chmod 700 /backups
USER caremgmt
EXPOSE 8000
CMD ["gunicorn", "caremgmt.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
