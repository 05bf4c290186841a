"""Issue 9 item 1: the app's RUNTIME role cannot rewrite the access log or the change history.

The suite itself runs as the owner; these tests grant a dedicated runtime role on the test
database with `grant_runtime_role` and open a SEPARATE psycopg connection as that role to try
each bypass: `SET LOCAL pgtrigger.ignore` + UPDATE/DELETE, `session_replication_role=replica`
+ DELETE, and TRUNCATE. Each must fail with a permission error; INSERT and SELECT must work.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import errors

from caremgmt.db_roles import append_only_tables
from caremgmt.models import AccessLog, Office
from tests.factories import OfficeFactory, staff_in

ROLE = "caremgmt_runtime_test"

pytestmark = pytest.mark.django_db(transaction=True)


def runtime_connect(password: str) -> psycopg.Connection:
    params = connection.get_connection_params()
    kwargs = {k: params[k] for k in ("host", "port") if params.get(k)}
    return psycopg.connect(
        dbname=connection.settings_dict["NAME"], user=ROLE, password=password, **kwargs
    )


@pytest.fixture
def runtime() -> Iterator[psycopg.Connection]:
    password = secrets.token_urlsafe(16)
    call_command("grant_runtime_role", role=ROLE, password=password, verbosity=0)
    with runtime_connect(password) as conn:
        yield conn


@pytest.fixture
def logged() -> AccessLog:
    office = OfficeFactory(name="さくら居宅")
    staff = staff_in(office)
    return AccessLog.objects.create(
        staff=staff, office_id=office.pk, subject_type="client", subject_id=1, action="VIEW"
    )


def ignore_all_triggers(conn: psycopg.Connection, table: str) -> None:
    """What pgtrigger.ignore() does: name the table's triggers in pgtrigger.ignore."""
    names = [
        name
        for (name,) in conn.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
            [table],
        ).fetchall()
    ]
    value = "{" + ",".join(f"{table}:{name}" for name in names) + "}"
    conn.execute("SELECT set_config('pgtrigger.ignore', %s, true)", [value])


def refused(conn: psycopg.Connection, *statements: str) -> str:
    """Run `statements` in one transaction; the last must be refused for lack of privilege."""
    with pytest.raises(errors.InsufficientPrivilege) as caught, conn.transaction():
        for statement in statements:
            conn.execute(statement)
    return str(caught.value)


def refused_with_triggers_ignored(conn: psycopg.Connection, table: str, statement: str) -> str:
    """The pgtrigger.ignore bypass: switch the table's triggers off, then `statement`."""
    with pytest.raises(errors.InsufficientPrivilege) as caught, conn.transaction():
        ignore_all_triggers(conn, table)
        conn.execute(statement)
    return str(caught.value)


def test_runtime_role_is_neither_superuser_nor_owner(runtime) -> None:  # noqa: ANN001
    row = runtime.execute(
        "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles "
        "WHERE rolname = current_user"
    ).fetchone()
    assert row == (False, False, False, False)
    owned = runtime.execute(
        "SELECT count(*) FROM pg_class WHERE relowner = "
        "(SELECT oid FROM pg_roles WHERE rolname = current_user)"
    ).fetchone()
    assert owned == (0,)


def test_access_log_bypasses_fail_for_the_runtime_role(runtime, logged) -> None:  # noqa: ANN001
    table = AccessLog._meta.db_table

    denied = f"permission denied for table {table}"
    assert refused_with_triggers_ignored(runtime, table, f"UPDATE {table} SET subject_id = 2") == (
        denied
    )
    assert refused_with_triggers_ignored(runtime, table, f"DELETE FROM {table}") == denied
    assert "session_replication_role" in refused(
        runtime, "SET LOCAL session_replication_role = replica", f"DELETE FROM {table}"
    )
    assert refused(runtime, f"TRUNCATE {table}") == denied

    assert list(AccessLog.objects.values_list("pk", "subject_id")) == [(logged.pk, 1)]


def test_runtime_role_can_insert_and_read_the_access_log(runtime, logged) -> None:  # noqa: ANN001
    table = AccessLog._meta.db_table
    with runtime.transaction():
        runtime.execute(
            f"INSERT INTO {table} (occurred_at, staff_id, office_id, subject_type, action, path,"
            " client_request_id, query_hash)"
            " VALUES (now(), %s, %s, 'client', 'VIEW', '/clients/', '', '')",
            [logged.staff_id, logged.office_id],
        )
    rows = runtime.execute(f"SELECT staff_id, path FROM {table} ORDER BY id").fetchall()
    assert rows == [(logged.staff_id, ""), (logged.staff_id, "/clients/")]


def test_every_history_table_is_insert_and_select_only(runtime) -> None:  # noqa: ANN001
    tables = append_only_tables()
    assert "caremgmt_officeevent" in tables
    assert "careplans_careplanevent" in tables
    for table in tables:
        rights = runtime.execute(
            "SELECT privilege_type FROM information_schema.table_privileges "
            "WHERE grantee = current_user AND table_name = %s ORDER BY privilege_type",
            [table],
        ).fetchall()
        assert rights == [("INSERT",), ("SELECT",)], table
        key = "id" if table == AccessLog._meta.db_table else "pgh_id"
        for statement in (f"UPDATE {table} SET {key} = {key}", f"DELETE FROM {table}"):
            refused_with_triggers_ignored(runtime, table, statement)
        refused(runtime, f"TRUNCATE {table}")


def test_runtime_role_writes_tracked_rows_and_their_history(runtime) -> None:  # noqa: ANN001
    office = OfficeFactory(name="さくら居宅")
    context_id = str(uuid.uuid4())
    with runtime.transaction():
        runtime.execute("SELECT set_config('pghistory.context_id', %s, true)", [context_id])
        runtime.execute(
            "SELECT set_config('pghistory.context_metadata', %s, true)", ['{"user": 1}']
        )
        runtime.execute(
            "UPDATE caremgmt_office SET name = 'ひまわり居宅' WHERE id = %s", [office.pk]
        )
        # The second write in the same context upserts the context row (needs UPDATE there).
        runtime.execute(
            "SELECT set_config('pghistory.context_metadata', %s, true)", ['{"user": 2}']
        )
        runtime.execute("UPDATE caremgmt_office SET name = 'あおば居宅' WHERE id = %s", [office.pk])
    events = runtime.execute(
        "SELECT name, pgh_context_id::text FROM caremgmt_officeevent "
        "WHERE pgh_obj_id = %s ORDER BY pgh_id",
        [office.pk],
    ).fetchall()
    assert [name for name, _ in events] == ["さくら居宅", "ひまわり居宅", "あおば居宅"]
    assert [ctx for _, ctx in events][1:] == [context_id, context_id]
    assert runtime.execute(
        "SELECT metadata FROM pghistory_context WHERE id = %s", [context_id]
    ).fetchone() == ({"user": 2},)
    assert Office.objects.get(pk=office.pk).name == "あおば居宅"
    refused(runtime, "DELETE FROM pghistory_context")


def test_grant_is_idempotent_and_refuses_the_owner_as_runtime_role(runtime) -> None:  # noqa: ANN001
    call_command("grant_runtime_role", role=ROLE, verbosity=0)
    call_command("grant_runtime_role", role=ROLE, verbosity=0)
    assert runtime.execute(
        "SELECT has_table_privilege(current_user, 'caremgmt_accesslog', 'DELETE'),"
        " has_table_privilege(current_user, 'caremgmt_office', 'DELETE')"
    ).fetchone() == (False, True)
    owner = connection.settings_dict["USER"]
    with pytest.raises(CommandError, match="is the owner role"):
        call_command("grant_runtime_role", role=owner, verbosity=0)


def test_embedded_hand_over_gives_an_old_database_to_the_owner_role() -> None:
    """A quick-start database made before the split (owned by `postgres`) is handed over, so
    `migrate` can run as the owner role. Needs a superuser connection (DATABASE_URL mode)."""
    from caremgmt import embedded_db

    params = connection.get_connection_params()
    kwargs = {k: params[k] for k in ("host", "port", "user", "password") if params.get(k)}
    with psycopg.connect(dbname="postgres", autocommit=True, **kwargs) as admin:
        if not admin.execute(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
        ).fetchone()[0]:
            pytest.skip("needs a superuser connection")
        name = f"{connection.settings_dict['NAME']}_handover"
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(
            "DO $$ BEGIN CREATE ROLE caremgmt_owner LOGIN CREATEDB CREATEROLE; "
            "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with psycopg.connect(dbname=name, autocommit=True, **kwargs) as old:
            old.execute("CREATE TABLE t (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY)")
            old.execute("CREATE SEQUENCE s")
            old.execute("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'")
        uri = psycopg.conninfo.make_conninfo(dbname=name, **kwargs)
        embedded_db._hand_over(psycopg, uri, name)
        with psycopg.connect(dbname=name, autocommit=True, **kwargs) as old:
            owners = old.execute(
                "SELECT relname, pg_get_userbyid(relowner) FROM pg_class "
                "WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'S') "
                "UNION ALL SELECT proname, pg_get_userbyid(proowner) FROM pg_proc "
                "WHERE pronamespace = 'public'::regnamespace "
                "UNION ALL SELECT datname, pg_get_userbyid(datdba) FROM pg_database "
                "WHERE datname = current_database() ORDER BY 1"
            ).fetchall()
        assert owners == sorted(
            [
                (name, "caremgmt_owner"),
                ("f", "caremgmt_owner"),
                ("s", "caremgmt_owner"),
                ("t", "caremgmt_owner"),
                ("t_id_seq", "caremgmt_owner"),
            ]
        )
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **kwargs) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
