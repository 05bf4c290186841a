"""Issue 13 item 4: `backup_db` and `restore_db` against the real test database.

The dump is taken by pg_dump on its own connection, so these tests commit their data
(transactional). Every scratch database a test creates is dropped in teardown.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from caremgmt.backup import (
    backup_sets,
    owner_params,
    prune,
    sha256_of,
    sidecars,
    table_counts,
)
from caremgmt.management.commands.backup_db import seconds_until
from caremgmt.models import AccessLog
from caremgmt.restore import create_database, drop_database, swap_into_live
from clients.models import Client
from tests.factories import ClientFactory, OfficeFactory, staff_in

RUNTIME_ROLE = "caremgmt_runtime_test"  # the role tests/caremgmt/test_db_roles.py uses too


@pytest.fixture
def databases() -> Iterator[list[str]]:
    """Names of databases a test creates; dropped afterwards whatever happened."""
    names: list[str] = []
    yield names
    params = owner_params()
    for name in names:
        drop_database(params, name)


def scratch_name() -> str:
    return f"caremgmt_restore_t{uuid.uuid4().hex[:12]}"


def backup(directory: Path, keep: int = 14) -> tuple[Path, str]:
    out = io.StringIO()
    call_command("backup_db", dir=directory, keep=keep, stdout=out)
    (dump,) = [p for p in backup_sets(directory, connection.settings_dict["NAME"])][-1:]
    return dump, out.getvalue()


def restore(dump: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("restore_db", str(dump), *args, stdout=out, stderr=out)
    return out.getvalue()


def fake_set(directory: Path, database: str, stamp: str) -> Path:
    dump = directory / f"caremgmt-{database}-{stamp}.dump"
    for path in (dump, *sidecars(dump)):
        path.write_text("old")
    return dump


def client_with_history() -> Client:
    office = OfficeFactory(name="さくら居宅")
    client = ClientFactory(office=office, name="山田 花子")
    ClientFactory(office=office)  # another client, with less history
    for phone in ("03-0000-0001", "03-0000-0002"):
        client.phone = phone
        client.save()
    AccessLog.objects.create(
        staff=staff_in(office), office_id=office.pk, subject_type="client", subject_id=client.pk
    )
    return client


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_a_scratch_database_with_equal_counts(
    tmp_path, databases, settings
) -> None:  # noqa: ANN001
    client = client_with_history()
    database = connection.settings_dict["NAME"]
    older = [fake_set(tmp_path, database, s) for s in ("20250101T000000Z", "20250102T000000Z")]
    other_database = fake_set(tmp_path, "elsewhere", "20240101T000000Z")

    dump, printed = backup(tmp_path, keep=2)

    # Printed: the file, its size and checksum; pruned down to two generations.
    manifest_path, checksum_path = sidecars(dump)
    assert str(dump) in printed and f"{dump.stat().st_size:,} bytes" in printed
    assert sha256_of(dump) in printed
    assert backup_sets(tmp_path, database) == [older[1], dump]
    assert not older[0].exists() and other_database.exists()
    for path in (dump, manifest_path, checksum_path):
        assert path.stat().st_mode & 0o777 == 0o600  # 要配慮個人情報: owner only
    assert checksum_path.read_text() == (
        f"{sha256_of(dump)}  {dump.name}\n{sha256_of(manifest_path)}  {manifest_path.name}\n"
    )
    manifest = json.loads(manifest_path.read_text())
    assert manifest["tables"]["public.clients_client"] == 2
    assert manifest["tables"]["public.caremgmt_accesslog"] == 1
    assert manifest["client_history"]["client_id"] == client.pk
    assert manifest["client_history"]["events"] >= 3  # insert + two updates
    assert manifest["triggers"]["public.caremgmt_accesslog"]

    # Written after the dump: not in it, and the manifest agrees with the dump, not with now.
    ClientFactory(office=client.office)

    settings.DATABASE_RUNTIME_ROLE = RUNTIME_ROLE
    scratch = scratch_name()
    databases.append(scratch)
    printed = restore(dump, "--scratch-name", scratch)

    assert "結果 / result: 正常 / OK" in printed, printed
    assert f"client id {client.pk}: {manifest['client_history']['events']} events read" in printed
    with owner_params().with_dbname(scratch).connect(autocommit=True) as conn:
        assert table_counts(conn) == manifest["tables"]
        # The access log's append-only trigger came back and works in the copy.
        with pytest.raises(psycopg.errors.RaiseException):
            conn.execute("DELETE FROM caremgmt_accesslog")
        # The runtime role got its narrow rights on the copy (grant_runtime_role).
        rights = conn.execute(
            "SELECT has_table_privilege(%s, 'caremgmt_accesslog', 'SELECT'),"
            " has_table_privilege(%s, 'caremgmt_accesslog', 'UPDATE'),"
            " has_table_privilege(%s, 'clients_client', 'UPDATE')",
            [RUNTIME_ROLE] * 3,
        ).fetchone()
    assert rights == (True, False, True)

    # `--into-live` switches the checked copy in by renaming; here a throwaway stands in for
    # the live database (PostgreSQL refuses to rename one with sessions connected).
    params = owner_params()
    live = scratch_name()
    databases.extend([live, f"{live}_before_restore_x"])
    create_database(params, live)
    assert swap_into_live(params, live, scratch, "x") == f"{live}_before_restore_x"
    with params.with_dbname(live).connect(autocommit=True) as conn:
        assert table_counts(conn) == manifest["tables"]
    with params.connect(autocommit=True) as conn:
        names = {n for (n,) in conn.execute("SELECT datname FROM pg_database").fetchall()}
    assert scratch not in names and f"{live}_before_restore_x" in names


@pytest.mark.django_db(transaction=True)
def test_a_tampered_dump_or_manifest_is_refused_and_a_count_mismatch_fails(
    tmp_path, databases
) -> None:  # noqa: ANN001
    ClientFactory()
    dump, _ = backup(tmp_path)
    manifest_path, checksum_path = sidecars(dump)
    original = dump.read_bytes()
    scratch = scratch_name()
    databases.append(scratch)

    # One byte changed in the middle of the dump: refused before any database is made.
    tampered = bytearray(original)
    tampered[len(tampered) // 2] ^= 0x01
    dump.write_bytes(bytes(tampered))
    with pytest.raises(CommandError, match="checksum mismatch") as refused:
        restore(dump, "--scratch-name", scratch)
    assert refused.value.returncode == 2
    dump.write_bytes(original)

    # The manifest edited (a count lowered) without its checksum: refused too.
    manifest = json.loads(manifest_path.read_text())
    manifest["tables"]["public.clients_client"] -= 1
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="checksum mismatch"):
        restore(dump, "--scratch-name", scratch)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [scratch])
        assert cursor.fetchone() == (0,)

    # Checksums rewritten to match (a wrong manifest, not a damaged file; `sha256sum -b`
    # format): the restore runs and the smoke check reports the difference with exit code 1.
    checksum_path.write_text(
        f"{sha256_of(dump)} *{dump.name}\n{sha256_of(manifest_path)} *{manifest_path.name}\n"
    )
    with pytest.raises(CommandError, match="MISMATCH") as mismatch:
        restore(dump, "--scratch-name", scratch)
    assert mismatch.value.returncode == 1


def test_into_live_needs_the_typed_database_name(tmp_path) -> None:  # noqa: ANN001
    dump = tmp_path / "missing.dump"  # the confirmation is asked before anything else
    with pytest.raises(CommandError, match="typed as confirmation"):
        restore(dump, "--into-live", "--confirm", "caremgmt")
    with pytest.raises(CommandError, match="typed as confirmation"):
        restore(dump, "--into-live")  # no terminal to type on


def test_prune_keeps_the_newest_complete_sets(tmp_path) -> None:  # noqa: ANN001
    stamps = ["20261101T000000Z", "20261103T000000Z", "20261102T000000Z", "20261104T000000Z"]
    sets = {s: fake_set(tmp_path, "caremgmt", s) for s in stamps}
    incomplete = fake_set(tmp_path, "caremgmt", "20261001T000000Z")
    sidecars(incomplete)[1].unlink()  # no .sha256: not a generation, never pruned
    partial = tmp_path / "caremgmt-caremgmt-20261105T000000Z.dump.partial"
    partial.write_text("")

    removed = prune(tmp_path, keep=2, database="caremgmt")

    assert removed == [sets["20261101T000000Z"], sets["20261102T000000Z"]]
    assert backup_sets(tmp_path, "caremgmt") == [sets["20261103T000000Z"], sets["20261104T000000Z"]]
    assert incomplete.exists() and partial.exists()
    assert not any(p.exists() for p in sidecars(sets["20261101T000000Z"]))


def test_daily_schedule_waits_until_the_next_japan_time() -> None:
    now = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # 01:00 JST
    assert seconds_until("02:00", now) == 3600
    assert seconds_until("00:30", now) == 23.5 * 3600
