"""`migrate` as the OWNER role, then `grant_runtime_role` (README "Database roles").

Django's own command does the work; this wrapper reconnects with MIGRATION_DATABASE_URL's
credentials (the database name is kept, so pytest's test database is migrated in place) and,
when the app runs as a separate runtime role, re-grants its rights on the tables just made.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections

from caremgmt.db_roles import connected_as_owner


class Command(DjangoMigrate):
    help = DjangoMigrate.help + " Runs as the owner role (MIGRATION_DATABASE_URL)."

    def handle(self, *args, **options):  # noqa: ANN002, ANN003, ANN201
        alias = options["database"]
        connection = connections[alias]
        with connected_as_owner(connection, settings.MIGRATION_DATABASE_URL):
            super().handle(*args, **options)
        if alias == "default" and settings.DATABASE_RUNTIME_ROLE and not options["plan"]:
            call_command("grant_runtime_role", database=alias, verbosity=options["verbosity"])
