"""Seed the load-benchmark corporation: offices × care managers × clients with a year of history.

One template client is built through the app's own services (the careplans demo plan:
assessment, 第1〜3表, meeting, consent; a ticket for each of 12 months; a monitoring record
and two 第5表 entries per month), so its rows are valid. Every other client is a copy of
it made with bulk_create, model by model in foreign-key order, with the client, office, care
manager and service providers swapped for the copy's own. Change history, access log and
work-queue rows are not copied; the work queues are refreshed at the end.

Idempotent: if the corporation 「負荷試験法人」 exists, nothing is done.

    python bench/load_seed.py [--offices 10] [--cms 8] [--clients 45]
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CORPORATION = "負荷試験法人"
PASSWORD = "load-bench-2026-pass"  # every seeded care manager logs in with it
USERNAME = "load-o{office:02d}-cm{cm}"  # e.g. load-o00-cm0
OFFICE_NUMBER = "13799{office:05d}"
MONTHS = 12
# Copied rows never include these (append-only history, logs, derived queues, print state).
SKIP_APPS_MODELS = (
    "caremgmt.",  # audit, access log, print jobs, staff
    "monitoring.workitem",
    "billing.printrun",
)


def _months(today: dt.date, count: int) -> list[dt.date]:
    """`count` months ending with next month (next month's ticket is the one being edited)."""
    first = today.replace(day=1)
    months = []
    for back in range(count - 2, -2, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        months.append(dt.date(year, month + 1, 1))
    return months


def _office(corporation, index: int):  # noqa: ANN001, ANN202
    from caremgmt.models import Office, OfficeRegionalGrade
    from clients.models import ProviderRegionalGrade, ServiceProvider

    office = Office.objects.create(
        corporation=corporation,
        office_number=OFFICE_NUMBER.format(office=index),
        name=f"負荷試験居宅{index:02d}",
        address="東京都千代田区神田一丁目1番1号",
        phone="03-0000-0000",
        regional_grade="1",
    )
    OfficeRegionalGrade.objects.create(office=office, valid_from=dt.date(2024, 4, 1), grade="1")
    for number, (name, types) in enumerate(
        (("負荷訪問介護", ["11"]), ("負荷デイサービス", ["15"]), ("負荷福祉用具", ["17"]))
    ):
        provider = ServiceProvider.objects.create(
            office=office,
            provider_number=f"1379{index:03d}{number:03d}",
            name=f"{name}{index:02d}",
            service_types=types,
            regional_grade="1",
        )
        ProviderRegionalGrade.objects.create(
            provider=provider, valid_from=dt.date(2024, 4, 1), grade="1"
        )
    return office


def _staff(office, index: int, cm: int):  # noqa: ANN001, ANN202
    from caremgmt.models import Membership, Role, Staff

    staff = Staff(
        username=USERNAME.format(office=index, cm=cm),
        full_name=f"負荷 担当{index:02d}{cm}",
        full_name_kana=f"フカ タントウ{index:02d}{cm}",
        email=f"load{index}-{cm}@example.jp",
    )
    staff.set_password(PASSWORD)
    staff.save()
    Membership.objects.create(
        staff=staff,
        office=office,
        role=Role.CARE_MANAGER,
        care_manager_number=f"1379{index:02d}{cm:02d}",
    )
    return staff


def _client_fields(office_index: int, cm: int, n: int) -> dict:
    from clients.kana import client_search_kana

    name = f"負荷{office_index:02d} 利用者{cm}{n:02d}"
    kana = f"フカ{office_index:02d} リヨウシャ{cm}{n:02d}"
    return {
        "name": name,
        "name_kana": kana,
        "search_kana": client_search_kana(name=name, name_kana=kana),
        "insured_number": f"{8_000_000_000 + office_index * 10_000 + cm * 100 + n:010d}",
    }


def _template(office, staff, today: dt.date, months: list[dt.date]):  # noqa: ANN001, ANN202
    """One client with a year of history, through the app's services."""
    from billing.tickets.generate import generate_ticket
    from caremgmt.access import actor_for
    from careplans.demo import _build
    from clients.models import BurdenRatio, Certification, Client, ClientStatus
    from monitoring.models import Achievement, Decision, MonitoringPlace
    from monitoring.records.services import goals_to_review, record_save, services_of
    from monitoring.support_log.services import support_log_write

    client = Client.objects.create(
        office=office,
        care_manager=staff,
        status=ClientStatus.CONTRACTED,
        birth_date=dt.date(1940, 4, 1),
        sex="2",
        insurer_number="131011",
        insurer_name="千代田区",
        **_client_fields(0, 0, 0),
    )
    start = months[0] - dt.timedelta(days=31)
    # Registered (受付) before the year of history: 第5表 entries may not predate it.
    Client.objects.filter(pk=client.pk).update(
        created_at=dt.datetime.combine(start, dt.time(9), tzinfo=dt.UTC)
    )
    client.refresh_from_db()
    Certification.objects.create(
        client=client,
        application_kind="renewal",
        applied_on=start - dt.timedelta(days=40),
        certified_on=start - dt.timedelta(days=10),
        care_level="22",
        valid_from=start,
        valid_to=dt.date(start.year + 2, start.month, 1) - dt.timedelta(days=1),
    )
    BurdenRatio.objects.create(
        client=client, ratio=1, valid_from=start, valid_to=dt.date(start.year + 2, 7, 31)
    )
    # The plan's base day is 40 days before `today`: a plan in force from the first month.
    _build(client, "confirmed", months[0] + dt.timedelta(days=40 - 20))
    actor = actor_for(staff, office.pk)
    from billing.actuals.services import confirm, copy_planned
    from billing.models import ProviderActuals
    from careplans.models import CarePlan
    from clients.models import PlanRequestFiling

    plan = CarePlan.objects.get(client=client, status="confirmed")
    PlanRequestFiling.objects.create(
        client=client, filed_on=start, municipality="千代田区", created_by=staff
    )
    this_month = today.replace(day=1)
    for month in months:
        ticket, _report = generate_ticket(client=client, month=month)
        if month < this_month:  # past months: 実績 as planned, confirmed (the batch's input)
            for provider_id in sorted({row.provider_id for row in ticket.rows.all()}):
                ticket.refresh_from_db()
                copy_planned(
                    actor=actor,
                    ticket=ticket,
                    expected_version=ticket.version,
                    provider_id=provider_id,
                )
            for pa in ProviderActuals.objects.filter(ticket=ticket):
                ticket.refresh_from_db()
                confirm(
                    actor=actor,
                    pa=pa,
                    expected_version=pa.version,
                    expected_ticket_version=ticket.version,
                )
        day = max(month + dt.timedelta(days=9), plan.starts_on)
        if day > today:
            continue
        goals = goals_to_review(plan, day)
        record_save(
            actor=actor,
            client=client,
            fields={
                "visited_on": day,
                "visited_at": dt.time(10, 0),
                "place": MonitoringPlace.HOME,
                "met_persons": "本人、長女（同席）",
                "health_change": "血圧は安定。膝の痛みは天候により変動。",
                "adl_change": "手すりを使って浴槽をまたげる。",
                "family_change": "",
                "environment_change": "",
                "overall": "計画どおりにサービスが提供され、本人も満足している。",
                "decision": Decision.CONTINUE,
                "decision_reason": "",
                "next_ticket_explained": False,
            },
            goal_reviews={
                goal.pk: {"achievement": Achievement.PARTLY, "observation": "見守りで実施。"}
                for goal in goals
            },
            service_reviews={
                item.pk: {"delivered_as_planned": True, "satisfaction": "4", "note": ""}
                for item in services_of(goals)
            },
            today=day,
        )
        for offset, kind, counterpart, content in (
            (3, "phone", "長女", "長女より電話。食事量は変わらず元気とのこと。"),
            (12, "coordination", "通所介護 生活相談員", "入浴時の見守りの継続を依頼した。"),
        ):
            on = month + dt.timedelta(days=offset)
            if on > today:
                continue
            support_log_write(
                actor=actor,
                client=client,
                occurred_on=on,
                occurred_at=dt.time(14, 0),
                kind=kind,
                counterpart=counterpart,
                content=content,
            )
    return client


def _collect(client, *, events: bool) -> dict:  # noqa: ANN001
    """Every row hanging off the template client (by foreign keys, transitively), grouped by
    model, in an order where a row's referenced rows come first. With `events`, the
    pghistory event rows too (copied when the insert triggers are switched off)."""
    import pghistory.models
    from django.apps import apps

    from caremgmt.models import Office, Staff
    from clients.models import Client, ServiceProvider

    fixed = {Office, Staff, ServiceProvider}
    rows: dict = {Client: {client.pk: client}}
    models = [
        m
        for m in apps.get_models()
        if m not in fixed
        and m is not Client
        and not m._meta.label_lower.startswith(SKIP_APPS_MODELS)
        and not m._meta.proxy
        and (events or not issubclass(m, pghistory.models.Event))  # else the triggers do
    ]
    changed = True
    while changed:
        changed = False
        for model in models:
            for field in model._meta.concrete_fields:
                target = getattr(field, "related_model", None)
                if not field.is_relation or target not in rows or target is model:
                    continue
                found = model._default_manager.filter(
                    **{f"{field.attname}__in": list(rows[target])}
                )
                for row in found:
                    if row.pk not in rows.setdefault(model, {}):
                        rows[model][row.pk] = row
                        changed = True
    # Foreign-key order among the collected models.
    ordered: list = []
    pending = [m for m in rows if rows[m]]
    while pending:
        for model in pending:
            needs = {
                f.related_model
                for f in model._meta.concrete_fields
                if f.is_relation and f.related_model in rows and f.related_model is not model
            }
            if needs <= set(ordered):
                ordered.append(model)
                pending.remove(model)
                break
        else:
            raise RuntimeError(f"foreign-key cycle among {pending}")
    return {model: list(rows[model].values()) for model in ordered}


def _clone(template_rows: dict, targets: list[dict], swap: dict) -> int:
    """Copy every template row for each target. `targets` items: {"client": Client row
    values, "office": id, "staff": id, "providers": {old id: new id}}."""
    from caremgmt.models import Office, Staff
    from clients.models import Client, ServiceProvider

    template_client = next(iter(template_rows[Client]))
    copies = 0
    # per target index: model → {old pk: new pk}
    maps: list[dict] = [defaultdict(dict) for _ in targets]
    clients = []
    for target in targets:
        row = Client(
            **{f.attname: getattr(template_client, f.attname) for f in Client._meta.concrete_fields}
        )
        row.pk = None
        for key, value in target["client"].items():
            setattr(row, key, value)
        row.office_id = target["office"]
        row.care_manager_id = target["staff"]
        clients.append(row)
    Client.objects.bulk_create(clients, batch_size=1000)
    for index, row in enumerate(clients):
        maps[index][Client][template_client.pk] = row.pk
    copies += len(clients)
    for model, rows in template_rows.items():
        if model is Client:
            continue
        fields = model._meta.concrete_fields
        new_rows = []
        for index, target in enumerate(targets):
            for row in rows:
                values = {}
                for field in fields:
                    value = getattr(row, field.attname)
                    if field.primary_key:
                        continue
                    if field.is_relation and value is not None:
                        target_model = field.related_model
                        if target_model is Office:
                            value = target["office"]
                        elif target_model is Staff and value == swap["staff"]:
                            value = target["staff"]
                        elif target_model is ServiceProvider:
                            value = target["providers"].get(value, value)
                        elif target_model in template_rows:
                            value = maps[index][target_model].get(value, value)
                    values[field.attname] = value
                new_rows.append((index, row.pk, model(**values)))
        model._default_manager.bulk_create([r for _, _, r in new_rows], batch_size=2000)
        for index, old_pk, new in new_rows:
            maps[index][model][old_pk] = new.pk
        copies += len(new_rows)
    return copies


def _superuser() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        return bool(cursor.fetchone()[0])


def seed(
    offices: int = 10,
    cms: int = 8,
    clients: int = 45,
    *,
    months: int = MONTHS,
    today: dt.date | None = None,
) -> dict:
    """Create the corporation unless it exists. Returns counts (empty when skipped)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from caremgmt.models import Corporation, Office
    from clients.models import ServiceProvider
    from monitoring.work.refresh import refresh_office

    if Corporation.objects.filter(name=CORPORATION).exists():
        return {}
    today = today or timezone.localdate()
    month_list = _months(today, months)
    started = time.perf_counter()
    with transaction.atomic():
        corporation = Corporation.objects.create(name=CORPORATION, address="東京都千代田区")
        office_rows = [_office(corporation, index) for index in range(offices)]
        staff = {
            (index, cm): _staff(office, index, cm)
            for index, office in enumerate(office_rows)
            for cm in range(cms)
        }
        template = _template(office_rows[0], staff[(0, 0)], today, month_list)
        # A superuser (the developer database) copies with triggers off, events included —
        # as pg_restore --disable-triggers does; about half the work. The ids are remapped
        # here, so the foreign keys the triggers would check hold.
        fast = _superuser()
        template_rows = _collect(template, events=fast)
        if fast:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        providers = {
            office.pk: list(
                ServiceProvider.objects.filter(office=office)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            for office in office_rows
        }
        first = providers[office_rows[0].pk]
        copies = 0
        for index, office in enumerate(office_rows):
            targets = [
                {
                    "client": _client_fields(index, cm, n),
                    "office": office.pk,
                    "staff": staff[(index, cm)].pk,
                    "providers": dict(zip(first, providers[office.pk], strict=True)),
                }
                for cm in range(cms)
                for n in range(clients)
                if (index, cm, n) != (0, 0, 0)
            ]
            copies += _clone(template_rows, targets, {"staff": staff[(0, 0)].pk})
        if fast:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        template_seconds = time.perf_counter() - started
        for office in Office.objects.filter(corporation=corporation):
            refresh_office(office, today)
    # Planner statistics for the 1.5 million new rows: until autovacuum gets to them, the
    # client's 第5表 query took 1.4 s instead of 2 ms (a sequential scan and hash join).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "offices": offices,
        "care_managers": offices * cms,
        "clients": offices * cms * clients,
        "rows_per_client": sum(len(rows) for rows in template_rows.values()),
        "models": {m._meta.label: len(rows) for m, rows in template_rows.items()},
        "copied_rows": copies,
        "triggers_off": fast,
        "seconds_before_refresh": round(template_seconds, 1),
        "seconds": round(time.perf_counter() - started, 1),
    }


def manifest(today: dt.date | None = None) -> dict:
    """What the simulated staff work on: per seeded care manager, their clients, next month's
    tickets and this month's monitoring records (ids)."""
    from django.utils import timezone

    from billing.models import ServiceTicket
    from caremgmt.models import Staff
    from clients.models import Client
    from monitoring.models import MonitoringRecord

    today = today or timezone.localdate()
    this_month = today.replace(day=1)
    next_month = _months(today, 2)[-1]
    result: dict = {}
    staff = Staff.objects.filter(username__startswith="load-o").order_by("username")
    for person in staff:
        clients = list(
            Client.objects.filter(care_manager=person).order_by("pk").values_list("pk", flat=True)
        )
        tickets = dict(
            ServiceTicket.objects.filter(client__in=clients, month=next_month).values_list(
                "client_id", "pk"
            )
        )
        records = dict(
            MonitoringRecord.objects.filter(client__in=clients, month=this_month).values_list(
                "client_id", "pk"
            )
        )
        if not clients:  # the print run's clerk
            continue
        result[person.username] = [
            {"client": pk, "ticket": tickets.get(pk), "record": records.get(pk)} for pk in clients
        ]
    return result


def start_background(today: dt.date | None = None) -> dict:
    """The month-start 給付管理票 batch for office 01 (last month) and a print run of next
    month for the whole of office 02, both on the Celery broker at REDIS_URL."""
    from django.utils import timezone

    from billing.benefit.batch import start_batch
    from billing.models import BatchRun, PrintRun
    from billing.print_run import start_print_run
    from billing.tasks_benefit import benefit_batch
    from caremgmt.access import actor_for
    from caremgmt.models import Membership, Office, PrintJob, Role, Staff

    today = today or timezone.localdate()
    last_month, next_month = _months(today, 3)[0], _months(today, 3)[-1]
    batch_office = Office.objects.get(office_number=OFFICE_NUMBER.format(office=1))
    print_office = Office.objects.get(office_number=OFFICE_NUMBER.format(office=2))
    # A cold start every run: earlier runs (and rendered documents) are forgotten.
    BatchRun.objects.filter(office=batch_office).delete()
    PrintRun.objects.filter(office=print_office).delete()
    for job in PrintJob.objects.filter(office=print_office).exclude(file=""):
        job.file.delete(save=False)
    PrintJob.objects.filter(office=print_office).delete()
    batch_staff = Staff.objects.get(username=USERNAME.format(office=1, cm=0))
    run = start_batch(batch_office, last_month, actor_staff=batch_staff)
    benefit_batch.delay(run.pk)
    # The month's tickets of the whole office (45 × 8 clients, 4 documents each), printed by its
    # clerk: big enough to go on for the whole measured window.
    clerk, created = Staff.objects.get_or_create(
        username=f"load-o{2:02d}-clerk",
        defaults={"full_name": "負荷 事務02", "full_name_kana": "フカ ジム02"},
    )
    if created:
        clerk.set_password(PASSWORD)
        clerk.save()
        Membership.objects.create(staff=clerk, office=print_office, role=Role.CLERK)
    print_run = start_print_run(actor=actor_for(clerk, print_office.pk), month=next_month)
    return {"batch": run.pk, "print_run": print_run.pk}


def background_status(batch: int, print_run: int) -> dict:
    from billing.models import BatchRun, PrintRun
    from billing.print_run import run_progress

    run = BatchRun.objects.get(pk=batch)
    printing = PrintRun.objects.get(pk=print_run)
    counts = run_progress(printing).counts
    took = (
        f", {(run.finished_at - run.started_at).total_seconds():.0f} s" if run.finished_at else ""
    )
    return {
        "batch": f"{run.status} ({run.done} of {run.total} clients{took}) {run.error}".strip(),
        "print_run": f"{printing.status} ({counts.done + counts.reused} of {counts.total}"
        f" documents, {counts.failed} failed)",
        "documents": counts.done + counts.reused,
    }


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offices", type=int, default=10)
    parser.add_argument("--cms", type=int, default=8)
    parser.add_argument("--clients", type=int, default=45)
    parser.add_argument("--manifest", action="store_true", help="print the work list as JSON")
    parser.add_argument("--start-background", action="store_true")
    parser.add_argument("--status", nargs=2, type=int, metavar=("BATCH", "PRINT_RUN"))
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caremgmt.settings")
    if not (args.start_background or args.status):
        os.environ.pop("REDIS_URL", None)  # seeding runs tasks eagerly, in-process
    import django

    django.setup()
    import json

    from django.core.management import call_command

    if args.manifest or args.start_background or args.status:
        if args.manifest:
            print(json.dumps(manifest()))
        elif args.start_background:
            print(json.dumps(start_background()))
        else:
            print(json.dumps(background_status(*args.status), ensure_ascii=False))
        return
    call_command("migrate", verbosity=0)
    result = seed(args.offices, args.cms, args.clients)
    if not result:
        print(f"load_seed: 「{CORPORATION}」 exists, nothing to do")
        return
    for model, count in result.pop("models").items():
        print(f"  {model:<40} {count:>5} rows per client")
    for key, value in result.items():
        print(f"load_seed: {key} = {value}")


if __name__ == "__main__":
    main()
