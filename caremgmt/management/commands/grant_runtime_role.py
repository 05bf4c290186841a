"""Create the RUNTIME database role if missing and grant it its rights (idempotent).

Run it after every `migrate` (the `migrate` wrapper does). Connects as the OWNER role
(MIGRATION_DATABASE_URL). The role name and password come from DATABASE_URL unless given;
without a password the role logs in by trust/peer (local socket) only.
"""

from __future__ import annotations

import dj_database_url
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from caremgmt.db_roles import connected_as_owner, grant_runtime_role


class Command(BaseCommand):
    help = (
        "Create the runtime database role if missing; grant it INSERT/SELECT only on the "
        "access log and history event tables and ordinary rights elsewhere."
    )

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument("--role", help="Runtime role name (default: DATABASE_URL's user).")
        parser.add_argument(
            "--password", help="Set this password (default: DATABASE_URL's password, if any)."
        )

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        runtime = dj_database_url.parse(settings.DATABASE_URL)
        role = options["role"] or runtime.get("USER")
        password = options["password"] if options["role"] else runtime.get("PASSWORD")
        password = options["password"] or password
        owner_user = dj_database_url.parse(settings.MIGRATION_DATABASE_URL).get("USER")
        if not role:
            raise CommandError("No runtime role: give --role or a user in DATABASE_URL.")
        if role == owner_user:
            raise CommandError(
                f"The runtime role {role!r} is the owner role: set MIGRATION_DATABASE_URL to "
                "the owner and DATABASE_URL to a separate runtime role (README: Database roles)."
            )
        connection = connections[options["database"]]
        with connected_as_owner(connection, settings.MIGRATION_DATABASE_URL):
            try:
                with transaction.atomic(using=options["database"]):
                    statements = grant_runtime_role(
                        connection, role=role, password=password or None
                    )
            except ValueError as error:
                raise CommandError(str(error)) from error
        if options["verbosity"] >= 2:
            for statement in statements:
                self.stdout.write(statement)
        if options["verbosity"] >= 1:
            self.stdout.write(f"Runtime role {role!r}: rights granted.")
