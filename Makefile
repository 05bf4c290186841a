# caremgmt — one-command set-up. `make run` serves the demo office; `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-ipaexfont fonts-ipamj-mincho
BROWSER_PACKAGES := chromium
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint fmt bench bench-load install sysdeps browser migrate demo worker lock clean-db stop backup restore base-backup restore-pitr

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[dev]"
	@touch $@

sysdeps:
	@.ci/ensure-system-packages $(PDF_PACKAGES)

browser:
	@.ci/ensure-system-packages $(BROWSER_PACKAGES)

migrate: install sysdeps
	@$(PY) manage.py migrate --no-input -v 0

demo: migrate
	@$(PY) manage.py load_demo

# Served as production serves it: DEBUG off (the app's own 404/500 pages), static files through
# WhiteNoise. A developer who wants Django's debug pages asks for them: `DEBUG=1 make run`.
run: demo
	@$(PY) manage.py collectstatic --no-input -v 0
	@$(PY) manage.py runserver $(HOST):$(PORT)

test: install sysdeps browser
	@$(PY) -m pytest -q

worker: install
	@$(VENV)/bin/celery -A caremgmt worker -Q celery,pdf -l info

bench: install sysdeps
	@$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[dev,bench]"
	@for f in bench/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done
	@echo "== bench/month_print.py"; $(PY) bench/month_print.py
	@echo "== bench/worklist.py"; $(PY) bench/worklist.py

# Backups (docs/backup.md): pg_dump custom format + .sha256 + row-count manifest in BACKUP_DIR
# (default .data/backups), newest BACKUP_KEEP (14) kept. `make restore FILE=…` verifies the
# checksum, restores into a scratch database and smoke-checks it (RESTORE_ARGS=--drop-after
# for a drill); it never touches the live database unless given --into-live and confirmed.
backup: install
	@$(PY) manage.py backup_db

restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=.data/backups/caremgmt-….dump [RESTORE_ARGS=--drop-after]"; exit 2; }
	@$(PY) manage.py restore_db "$(FILE)" $(RESTORE_ARGS)

# Point-in-time recovery (docs/backup.md 「PITR」): a base backup (pg_basebackup, tar + gzip +
# manifest) into BASE_BACKUP_DIR, pruning WAL_ARCHIVE_DIR; `make restore-pitr` recovers it plus
# the archived WAL into a NEW data directory, to TARGET (JST, e.g. "2026-11-28 10:40") or to
# the end when TARGET is unset, and starts it on a scratch port (PITR_ARGS e.g. --stop).
base-backup: install
	@$(PY) manage.py base_backup

restore-pitr: install
	@test -n "$(INTO)" || { echo "usage: make restore-pitr INTO=/new/dir [TARGET='2026-11-28 10:40'] [PITR_ARGS='--stop --run-as postgres']"; exit 2; }
	@$(PY) manage.py recover_pitr --data-dir "$(INTO)" $(if $(TARGET),--target-time "$(TARGET)",--latest) $(PITR_ARGS)

# Opt-in (minutes): seeds a 3,600-client corporation in cm_load (once), then 50 simulated staff
# against gunicorn + a Celery worker on a private redis-server. LOAD_SECONDS=60 by default.
bench-load: install sysdeps
	@$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[dev,bench]"
	@$(PY) bench/load.py

lint: install
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@$(PY) manage.py makemigrations --check --dry-run

fmt: install
	@$(VENV)/bin/ruff format .
	@$(VENV)/bin/ruff check --fix .

lock: install
	@$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[dev,bench]"
	@{ printf '# Pinned versions for every install (make uses: pip install -c constraints.txt -e ".[dev]").\n# Regenerate after changing pyproject.toml dependencies: make lock\n'; $(PY) -m pip freeze --exclude-editable; } > constraints.txt

# The embedded PostgreSQL (used when DATABASE_URL is unset) keeps running after `make run` and
# `make test` so the next start is fast; this stops this clone's server (data is kept).
stop:
	@$(PY) -m caremgmt.embedded_db stop

clean-db: stop
	rm -rf .data/postgres
