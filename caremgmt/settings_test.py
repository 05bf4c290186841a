"""Settings for the test run (pyproject's DJANGO_SETTINGS_MODULE).

pytest-django creates, migrates and flushes the test database, which takes the OWNER role
(MIGRATION_DATABASE_URL): the runtime role may not create databases or truncate tables.
tests/caremgmt/test_db_roles.py checks the runtime role's limits on its own connection.
"""

from caremgmt.db_roles import owner_settings
from caremgmt.settings import *  # noqa: F403
from caremgmt.settings import DATABASES, MIGRATION_DATABASE_URL

DATABASES["default"] = owner_settings(DATABASES["default"], MIGRATION_DATABASE_URL)
DATABASE_RUNTIME_ROLE = None
