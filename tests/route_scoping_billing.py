"""The billing routes of the route matrix (tests/test_route_scoping.py): tickets, checks,
delivery, exchange, print runs, 実績, 給付管理票, the office claim and 返戻.

Kept in their own module so the matrix stays readable; `register(namespace)` runs with the
matrix module's globals (Route, ROUTES, STAFF_ONLY and the plan/client builders).
"""

from __future__ import annotations

from typing import Any


def register(ns: dict[str, Any]) -> dict[str, Any]:  # noqa: C901, PLR0915
    Route = ns["Route"]  # noqa: N806
    ROUTES = ns["ROUTES"]  # noqa: N806
    STAFF_ONLY = ns["STAFF_ONLY"]  # noqa: N806
    World = ns["World"]  # noqa: N806, F841
    _own_plan = ns["_own_plan"]
    _own_plan_kwargs = ns["_own_plan_kwargs"]
    _own_client_kwargs = ns["_own_client_kwargs"]
    _own_client = ns["_own_client"]

    # --- billing: plan checks on a ticket (checks) --------------------------------------------

    def _own_ticket_kwargs(world: World) -> dict[str, Any]:
        import datetime as dt

        from billing.tickets.generate import generate_ticket
        from tests.billing.ticket_world import make_ticket_world

        tw = make_ticket_world(world.office, world.care_manager)
        ticket, _ = generate_ticket(client=tw.client, month=dt.date(2026, 12, 1))
        return {"pk": ticket.pk}

    def _own_monthly(world: World) -> dict[str, Any]:
        """A 福祉用具貸与 item (第3表 週単位以外) on a draft plan of the care manager's client."""
        import datetime as dt

        from careplans.models import MonthlyService
        from tests.factories import ServiceProviderFactory

        plan = _own_plan(world)
        item = MonthlyService.objects.create(
            plan=plan,
            kind="rental",
            provider=ServiceProviderFactory(office=world.office, service_types=["17"]),
            service_code="171007",
            content="手すり",
            period_from=dt.date(2026, 4, 10),
            tais_code="00200-000001",
            item_name="据置型手すり",
            rental_price_yen=3000,
        )
        return {"pk": plan.pk, "monthly_pk": item.pk}

    ROUTES.update(
        {
            "careplans:monthly_add": Route(lambda w: {**_own_plan_kwargs(w), "kind": "rental"}),
            "careplans:monthly_edit": Route(_own_monthly),
            "careplans:monthly_delete": Route(
                _own_monthly, method="post", data={"plan_version": "1"}
            ),
            "billing:ticket_checks": Route(_own_ticket_kwargs),
            "billing:ticket_check_ack": Route(
                _own_ticket_kwargs, method="post", data={"rule": "time_band", "note": "確認"}
            ),
        }
    )

    # --- billing: ケアプランデータ連携 of the month (exchange) ---------------------------------
    STAFF_ONLY |= {"billing:exchange_month", "billing:exchange_month_download"}

    def _own_ticket(world: World) -> dict[str, Any]:
        import datetime as dt

        from billing.tickets.generate import generate_ticket
        from tests.billing.ticket_world import make_ticket_world

        tw = make_ticket_world(world.office, world.care_manager)
        ticket, _ = generate_ticket(client=tw.client, month=dt.date(2026, 12, 1))
        return {"pk": ticket.pk}

    ROUTES.update(
        {
            "billing:ticket_exchange": Route(_own_ticket),
            "billing:ticket_exchange_download": Route(lambda w: {**_own_ticket(w), "kind": "plan"}),
        }
    )

    # --- billing: 交付・同意, versions, copies, 提供票 sends (the delivery engineer's routes) -----
    # The month's unsent list has no object in the URL; it lists the caller's caseload (office
    # for 管理者・事務・監査) — tests/billing/test_ticket_delivery*.py prove its scoping.
    STAFF_ONLY |= {"billing:tickets_unsent"}
    # 提出前チェック: the month is a query parameter; the ack names its ticket in the body
    # (tests/billing/test_presubmission.py proves the ticket lookup is scoped).
    STAFF_ONLY |= {"billing:presubmission", "billing:presubmission_ack"}

    def _delivery_ticket(world: World) -> Any:
        import datetime as dt

        from billing.tickets.generate import generate_ticket
        from tests.billing.ticket_world import make_ticket_world

        tw = make_ticket_world(world.office, world.care_manager)
        ticket, _ = generate_ticket(client=tw.client, month=dt.date(2026, 12, 1))
        return ticket

    def _delivery_ticket_kwargs(world: World) -> dict[str, Any]:
        return {"pk": _delivery_ticket(world).pk}

    def _delivery_delivered_ticket(world: World) -> Any:
        from django.utils import timezone

        from billing.delivery import ticket_deliver
        from caremgmt.access import actor_for

        ticket = _delivery_ticket(world)
        ticket_deliver(
            actor=actor_for(world.care_manager),
            ticket=ticket,
            created_on=timezone.localdate(),
            received_by="本人",
            consent_method="signature",
            expected_version=ticket.version,
        )
        return ticket

    ROUTES.update(
        {
            "billing:ticket_delivery": Route(_delivery_ticket_kwargs),
            "billing:ticket_delivery_panel": Route(_delivery_ticket_kwargs),
            "billing:ticket_deliver": Route(_delivery_ticket_kwargs),
            "billing:ticket_copies": Route(_delivery_ticket_kwargs, method="post"),
            "billing:ticket_sends": Route(_delivery_ticket_kwargs, method="post"),
        }
    )

    # --- billing: print the whole month (一括印刷; tests/billing/test_print_run.py) ----------
    STAFF_ONLY |= {"billing:print_runs"}  # start form + the actor's visible runs (no object)

    def _own_print_run(world: World) -> dict[str, Any]:
        """A finished run of the care manager's caseload: one client, one done document, one
        merged file that was never written (the owner's download answers 410, not 404)."""
        import datetime as dt

        from billing.models import PrintRun, PrintRunItem, PrintRunMerge, ServiceTicket
        from caremgmt.models import PrintJob

        client_id = _own_client(world)["pk"]
        month = dt.date(2026, 12, 1)
        ticket = ServiceTicket.objects.create(client_id=client_id, month=month)
        job = PrintJob.objects.create(
            office=world.office,
            client_id=client_id,
            kind="ticket:client",
            subject_id=ticket.pk,
            content_hash=f"{ticket.pk:064d}",
            filename="ticket.pdf",
            html="<p>x</p>",
            status="done",
            page_count=2,
            requested_by=world.care_manager,
        )
        run = PrintRun.objects.create(
            office=world.office,
            month=month,
            care_manager=world.care_manager,
            started_by=world.care_manager,
            status="done",
        )
        PrintRunItem.objects.create(
            run=run, ticket=ticket, document="client", care_manager=world.care_manager, job=job
        )
        merge = PrintRunMerge.objects.create(
            run=run,
            care_manager=world.care_manager,
            file="print/route-scoping-missing-run.pdf",
            filename="run.pdf",
        )
        return {"pk": run.pk, "merge_pk": merge.pk}

    ROUTES.update(
        {
            "billing:print_run": Route(lambda w: {"pk": _own_print_run(w)["pk"]}),
            "billing:print_run_download": Route(_own_print_run),
            "billing:print_run_retry": Route(
                lambda w: {"pk": _own_print_run(w)["pk"]}, method="post"
            ),
        }
    )

    # --- billing: 給付管理 (issue 11 §3, §5; tests/billing/test_benefit_views.py) -----------
    # No object in the URLs: scoped by the actor's office (the list also by caseload); the batch
    # and the file are 事務/管理者 (監査 may download) — refusals in test_benefit_views.py.
    STAFF_ONLY |= {
        "billing:benefit_index",
        "billing:benefit_batch",
        "billing:benefit_progress",
        "billing:benefit_download",
    }

    # --- billing: 返戻・保留 (issue 11 §7; tests/billing/test_returns_views.py) --------------
    # No object in the URLs: the page is scoped by office and caseload; writes are 事務/管理者
    # and look objects up in the actor's office — refusals in test_returns_views.py.
    STAFF_ONLY |= {
        "billing:returns_index",
        "billing:returns_submit",
        "billing:returns_result",
        "billing:returns_import",
        "billing:returns_correction",
    }

    # --- billing: the ticket editor (issue 10 §2) ------------------------------------------
    STAFF_ONLY |= {"billing:tickets", "billing:tickets_generate"}

    def _editor_ticket(world: World) -> Any:
        import datetime as dt

        from billing.tickets.generate import generate_ticket
        from tests.billing.ticket_world import make_ticket_world

        tw = make_ticket_world(world.office, world.care_manager)
        ticket, _report = generate_ticket(client=tw.client, month=dt.date(2026, 12, 1))
        return ticket

    def _editor_ticket_kwargs(world: World) -> dict[str, Any]:
        return {"pk": _editor_ticket(world).pk}

    def _editor_ticket_row_kwargs(world: World) -> dict[str, Any]:
        ticket = _editor_ticket(world)
        return {"pk": ticket.pk, "row_pk": ticket.rows.get(service_code="111211").pk}

    def _own_client_month_kwargs(world: World) -> dict[str, Any]:
        from tests.billing.ticket_world import make_ticket_world

        client = make_ticket_world(world.office, world.care_manager).client
        return {"client_pk": client.pk, "year": 2026, "month": 12}

    ROUTES.update(
        {
            "billing:ticket_client_month": Route(_own_client_month_kwargs),
            "billing:client_tickets": Route(_own_client_kwargs),
            "billing:ticket": Route(_editor_ticket_kwargs),
            "billing:ticket_toggle": Route(_editor_ticket_kwargs, method="post"),
            "billing:ticket_row_add": Route(_editor_ticket_kwargs),
            "billing:ticket_row_edit": Route(_editor_ticket_row_kwargs),
            "billing:ticket_row_delete": Route(_editor_ticket_row_kwargs),
            "billing:ticket_row_copy": Route(_editor_ticket_row_kwargs),
            "billing:ticket_allocation": Route(_editor_ticket_kwargs, method="post"),
            "billing:ticket_regenerate": Route(_editor_ticket_kwargs, method="post"),
        }
    )

    # --- billing: 居宅介護支援費, the office's own claim (issue 11 §4; officeclaim) -----------
    # No object in the URL: the page shows the acting office's month (care managers: their own
    # clients, read-only); the POSTs name the client / evidence in the body and are for 事務・
    # 管理者 (settings: 管理者). tests/billing/test_office_claim_views.py proves the scoping
    # (colleague's caseload, other office, 監査 and care managers refused, nothing written).
    STAFF_ONLY |= {
        "billing:office_claim",
        "billing:office_claim_evidence",
        "billing:office_claim_fte",
        "billing:office_claim_settings",
        "billing:office_claim_close",
        "billing:office_claim_reopen",
        # the 請求書・明細書 file (事務・管理者・監査; care managers 404; only the acting office:
        # tests/billing/test_office_claim_meisai.py)
        "billing:office_claim_meisai",
        # 過誤申立て (the 過誤 / client named in the body; 事務・管理者 write, 監査 reads the list,
        # PDFs and the 再請求分 file; care managers 404; another office's 過誤 404:
        # tests/billing/test_office_claim_kago_views.py)
        "billing:office_claim_kagos",
        "billing:office_claim_kago_new",
        "billing:office_claim_kago_move",
        "billing:office_claim_kago_print",
        "billing:office_claim_kago_meisai",
    }

    return {"_own_ticket": _own_ticket, "_own_monthly": _own_monthly}
