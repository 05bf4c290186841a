"""FILL of the mass-assignment walk (tests/test_mass_assignment.py): per route, the values
that make its form's POST a real save, so the injected fields reach the save path instead of
stopping at validation.

A value is a dict of form fields, or a callable (world, url kwargs) → dict that first makes
what the form needs (an assessment to base a plan on, a rental provider to choose, …); those
objects exist before the walk's snapshot, so they count as pre-existing rows. A field value
may itself be a callable, read after the GET (a TOTP code for the device the page made).
Dates fit the fixtures' world: certification 2026-04-01〜2027-03-31, plans drafted
2026-04-05 and starting 2026-04-10, tickets for 2026-12.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import World


def _consulting_client(world: World, kwargs: dict[str, Any]) -> dict[str, str]:
    """契約: the client is still 相談中 (the factory makes contracted clients)."""
    from clients.models import Client

    Client.objects.filter(pk=kwargs["pk"]).update(status="consulting")
    return {
        "contracted_on": "2026-11-20",
        "important_matters_explained": "on",
        "personal_info_consent": "on",
    }


def _plan_new(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    """原案の作成: the client has an assessment to base it on."""
    from clients.models import Client
    from tests.factories import AssessmentFactory, CertificationFactory

    client = Client.objects.get(pk=kwargs["client_pk"])
    CertificationFactory(client=client)
    assessment = AssessmentFactory(client=client)
    return {
        "assessment": assessment.pk,
        "plan_kind": "11",
        "drafted_on": "2026-04-05",
        "starts_on": "2026-04-10",
    }


def _rental_item(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    """福祉用具貸与: a rental provider of the office to choose."""
    from tests.factories import ServiceProviderFactory

    provider = ServiceProviderFactory(office=world.office, service_types=["17"])
    return {
        "provider": provider.pk,
        "service_code": "171007",
        "content": "手すり",
        "period_from": "2026-04-10",
        "tais_code": "00200-000001",
        "item_name": "据置型手すり",
        "rental_price_yen": "3000",
    }


def _confirmable_plan(world: World, kwargs: dict[str, Any]) -> dict[str, str]:
    """確定: the 原案 has a need with its goal, and a 担当者会議 that approved it (会議済)."""
    from careplans.models import CarePlan
    from tests.factories import GoalFactory, MeetingFactory, NeedFactory

    GoalFactory(need=NeedFactory(plan_id=kwargs["pk"]))
    MeetingFactory(plan_id=kwargs["pk"], concludes_plan=True)
    CarePlan.objects.filter(pk=kwargs["pk"]).update(status="met")
    return {"consented_on": "2026-04-08", "delivered_on": "2026-04-08"}


def _client_goals(kwargs: dict[str, Any]) -> tuple[list[int], list[int]]:
    """The goals and support items of the client's plans (the review forms name each)."""
    from careplans.models import Goal, SupportItem

    client_pk = kwargs["client_pk"]
    goals = Goal.objects.filter(need__plan__client_id=client_pk).values_list("pk", flat=True)
    items = SupportItem.objects.filter(goal__need__plan__client_id=client_pk)
    return list(goals), list(items.values_list("pk", flat=True))


def _monitoring_record(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    """モニタリング: every goal reviewed (達成度) and every service rated (満足度)."""
    goals, items = _client_goals(kwargs)
    return {
        "visited_on": "2026-11-20",
        "visited_at": "10:00",
        "place": "home",
        "met_persons": "本人、長女",
        "overall": "入浴の介助で安心して過ごせている。",
        "decision": "continue",
        **{f"goal_{pk}_achievement": "partly" for pk in goals},
        **{f"goal_{pk}_observation": "介助で浴槽をまたげている" for pk in goals},
        **{f"item_{pk}_satisfaction": "4" for pk in items},
    }


def _evaluation(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    """評価表: every short-term goal with its result."""
    goals, _ = _client_goals(kwargs)
    return {
        "evaluated_on": "2026-09-30",
        "summary": "概ね順調",
        **{f"goal-{pk}-include": "on" for pk in goals},
        **{f"goal-{pk}-result": "achieved" for pk in goals},
        **{f"goal-{pk}-comment": "介助で入浴できた" for pk in goals},
    }


def _ticket_row(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    """利用票の行の追加: 身体介護2 by the ticket's home-help provider, 10:00〜11:00."""
    from billing.models import TicketRow

    home_help = TicketRow.objects.get(ticket_id=kwargs["pk"], service_code="111211")
    return {
        "provider": home_help.provider_id,
        "service_code": "111211",
        "content": "身体介護（入浴介助）",
        "starts_at": "10:00",
        "ends_at": "11:00",
        "count_per_date": "1",
    }


def _totp_code(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    """認証アプリの登録: the code the app would show for the device the page just made (read
    after the GET, hence a callable value)."""

    def code() -> str:
        from django_otp.oath import totp
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=world.care_manager, confirmed=False).latest("pk")
        token = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
        return f"{token:06d}"

    return {"code": code}


def _toggle_day(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    """利用票のセル: one click on 12/2 of the home-help row's 予定 (without htmx: a redirect)."""
    from billing.models import ServiceTicket

    ticket = ServiceTicket.objects.get(pk=kwargs["pk"])
    row = ticket.rows.get(service_code="111211")
    return {"cell": f"{row.pk}:planned:2", "version": str(ticket.version)}


def _check_ack(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    """警告の確認: the first warning the ticket's checks show that may be acknowledged."""
    from billing.models import ServiceTicket
    from billing.tickets.checks import ticket_warnings
    from billing.tickets.compute import ticket_figures

    ticket = ServiceTicket.objects.get(pk=kwargs["pk"])
    warning = next(w for w in ticket_warnings(ticket, ticket_figures(ticket)) if w.acknowledgeable)
    return {"rule": warning.rule, "subject_key": warning.subject_key, "note": "事業所に確認済み"}


def _provider_report(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    """事業所からの報告書: a small PDF (a fresh upload object for each read)."""

    def upload() -> Any:
        from django.core.files.uploadedfile import SimpleUploadedFile

        pdf = b"%PDF-1.4\n%%EOF\n"
        return SimpleUploadedFile("報告書.pdf", pdf, content_type="application/pdf")

    return {"month": "2026-05", "received_on": "2026-05-31", "note": "5月分", "file": upload}


def _claim_evidence(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    """居宅介護支援費の根拠: 通院時情報連携加算 for a client of the care manager, 2026-11."""
    from tests.factories import ClientFactory

    client = ClientFactory(office=world.office, care_manager=world.care_manager)
    return {
        "month": "2026-11",
        "client": client.pk,
        "kind": "outpatient",
        "proof_on": "2026-11-20",
        "note": "受診に同行し主治医へ情報提供",
    }


def _claim_fte(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    """常勤換算 of 2026-11 for the office's care managers (the fields name each staff id);
    plus a value for the other office's manager, which must be ignored."""
    from caremgmt.models import Membership

    staff_ids = Membership.objects.filter(
        office=world.office, role__in=("care_manager", "chief_care_manager")
    ).values_list("staff_id", flat=True)
    return {
        "month": "2026-11",
        **{f"fte_{pk}": "1.0" for pk in staff_ids},
        **{f"loaded_{pk}": "" for pk in staff_ids},
        f"fte_{world.outsider.pk}": "1.0",
    }


def _sent_month(world: World):  # noqa: ANN202
    """A 2026-12 case of the care manager, the month marked 送信済み by the office manager."""
    from billing.office_claim.close import close_month
    from caremgmt.access import actor_for
    from tests.billing.office_claim_world import MONTH, make_case

    client = make_case(world.office, world.care_manager)
    close_month(actor=actor_for(world.manager), month=MONTH)
    return client


def _kago_new(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    """過誤申立て (通常, 4002) of the care manager's client's sent 2026-12 line."""
    client = _sent_month(world)
    return {
        "month": "2026-12",
        "client": client.pk,
        "same_month": "0",
        "reason_code": "4002",
        "reason_text": "運営基準減算の算定漏れ",
    }


def _kago_move(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    """申立済みにする (提出日 today) of a 作成済み 過誤 of the care manager's client."""
    from django.utils import timezone

    from billing.office_claim.kago import create_kago
    from caremgmt.access import actor_for
    from tests.billing.office_claim_world import MONTH

    client = _sent_month(world)
    kago = create_kago(
        actor=actor_for(world.manager),
        client_id=client.pk,
        month=MONTH,
        same_month=False,
        reason_code="4002",
        reason_text="運営基準減算の算定漏れ",
    )
    return {
        "month": "2026-12",
        "kago": kago.pk,
        "action": "file",
        "version": kago.version,
        "on": timezone.localdate().isoformat(),
    }


def _presubmission_ack(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    """提出前チェックの確認 (the ticket is named in the body): a clean 2026-12 month of the care
    manager's client whose 実績 then has one day more than the plan (実績が予定を超える, the one
    warning that may be acknowledged)."""
    from tests.billing.test_presubmission import _clean_month

    _tw, ticket = _clean_month(world)
    row = ticket.rows.get(service_code="111211")
    row.actual_days = sorted({*row.actual_days, 5})
    row.save()
    return {
        "ticket": ticket.pk,
        "rule": "actuals_over_plan",
        "subject_key": f"row:{row.pk}",
        "note": "事業所に確認済み",
    }


def _filed(world: World, *, submitted: bool = False, returned: bool = False) -> tuple[Any, Any]:
    """A 2026-12 給付管理票 file of the office (the batch without the pre-submission gate, as
    tests/billing/test_returns_views.py makes it), optionally 提出済 and 返戻."""
    import datetime as dt

    from django.test import override_settings

    from billing.benefit import batch
    from billing.models.benefit import BenefitManagementSheet
    from billing.returns import services
    from billing.tickets.generate import generate_ticket
    from caremgmt.access import actor_for
    from tests.billing.ticket_world import make_ticket_world

    month = dt.date(2026, 12, 1)
    tw = make_ticket_world(world.office, world.care_manager)
    generate_ticket(client=tw.client, month=month)
    with override_settings(BENEFIT_BATCH_REQUIRES_CHECK=False):
        submission = batch.run_now(world.office, month).submission
    actor = actor_for(world.manager)
    if submitted or returned:
        services.mark_submitted(actor, submission.pk, dt.date(2027, 1, 8))
    sheet = BenefitManagementSheet.objects.get(insured_number=tw.client.insured_number)
    if returned:
        services.record_result(actor, sheet.pk, result="返戻", code="A1", reason="限度額超過")
    return tw.client, submission


def _returns_submit(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    _client, submission = _filed(world)
    return {"month": "2026-12", "submission": submission.pk, "submitted_on": "2027-01-08"}


def _returns_result(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    from billing.models.benefit import BenefitManagementSheet

    client, _submission = _filed(world, submitted=True)
    return {
        "month": "2026-12",
        "sheet": BenefitManagementSheet.objects.get(insured_number=client.insured_number).pk,
        "result": "返戻",
        "code": "A1",
        "reason": "限度額超過",
        "expected_status": "submitted",
    }


def _returns_import(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    """国保連の結果 CSV: the client's sheet 受付."""
    client, _submission = _filed(world, submitted=True)
    header = "被保険者番号,サービス提供年月,結果,事由コード,事由\n"
    body = (header + f"{client.insured_number},202612,受付,,\n").encode("cp932")

    def upload() -> Any:
        from django.core.files.uploadedfile import SimpleUploadedFile

        return SimpleUploadedFile("kekka.csv", body, content_type="text/csv")

    return {"month": "2026-12", "file": upload}


def _returns_correction(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    """返戻 of the client's sheet: prepare the new sheet for resubmission."""
    from billing.models.benefit import BenefitManagementSheet

    client, _submission = _filed(world, returned=True)
    return {
        "month": "2026-12",
        "sheet": BenefitManagementSheet.objects.get(insured_number=client.insured_number).pk,
    }


def _benefit_batch(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
    """給付管理票の作成 for 2026-12 (Celery runs eagerly in tests): a ticket to build from."""
    import datetime as dt

    from billing.tickets.generate import generate_ticket
    from tests.billing.ticket_world import make_ticket_world

    tw = make_ticket_world(world.office, world.care_manager)
    generate_ticket(client=tw.client, month=dt.date(2026, 12, 1))
    return {"month": "2026-12"}


def _actuals(stage: str) -> Callable[[World, dict[str, Any]], dict[str, Any]]:
    """実績の受領・差異の理由・確定 (its lock is the posted version): the ticket's and the
    provider's current versions, after bringing the provider's 実績 to `stage` ("" → as
    generated; "received"; "confirmed")."""

    def fill(world: World, kwargs: dict[str, Any]) -> dict[str, Any]:
        from billing.actuals import services
        from billing.models import ProviderActuals, ServiceTicket
        from caremgmt.access import actor_for

        actor = actor_for(world.care_manager)
        ticket = ServiceTicket.objects.get(pk=kwargs["pk"])
        services.ensure_provider_actuals([ticket.pk])
        provider_pk = kwargs.get("provider_pk")
        if stage and provider_pk:
            ticket = services.copy_planned(
                actor=actor, ticket=ticket, provider_id=provider_pk, expected_version=ticket.version
            )
            if stage == "confirmed":
                pa = ProviderActuals.objects.get(ticket=ticket, provider_id=provider_pk)
                pa.ticket = ticket
                services.confirm(
                    actor=actor,
                    pa=pa,
                    expected_version=pa.version,
                    expected_ticket_version=ticket.version,
                )
        ticket.refresh_from_db()
        values = {"version": str(ticket.version), "difference_reason": "事業所の記録で確認した"}
        if provider_pk:
            pa = ProviderActuals.objects.get(ticket=ticket, provider_id=provider_pk)
            values["pa_version"] = str(pa.version)
        else:  # 予定どおり (copy): one provider's rows
            values["provider"] = str(ticket.rows.get(service_code="111211").provider_id)
        return values

    return fill


# Create forms render empty: these values make the POST a real save (asserted), so the extra
# fields reach the save path instead of stopping at validation.
FILL: dict[str, dict[str, str] | Callable[[World, dict[str, Any]], dict[str, Any]]] = {
    "clients:intake": {
        "consultation-consulted_on": "2026-11-20",
        "consultation-route": "community_center",
        "consultation-chief_complaint": "一人暮らしで買い物が難しい",
        "client-name": "井上 和子",
        "client-name_kana": "いのうえ かずこ",
        "client-birth_date": "1938-05-05",
        "client-sex": "2",
        "client-insurer_number": "131011",
        "client-insurer_name": "千代田区",
        "client-insured_number": "0001234567",
        "client-living_situation": "alone",
    },
    "clients:contact_add": {
        "name": "井上 花子",
        "name_kana": "いのうえ はなこ",
        "relationship": "長女",
        "phone": "03-1234-5678",
    },
    "clients:application_add": {
        "kind": "renewal",
        "applied_on": "2026-11-20",
        "survey_on": "2026-12-03",
        "notes": "更新申請を代行",
    },
    "clients:burden_correct": {"ratio": "2", "reason": "負担割合証の入力誤り"},
    "clients:certification_add": {
        "application_kind": "renewal",
        "applied_on": "2026-02-10",
        "certified_on": "2026-03-20",
        "care_level": "22",
        "valid_from": "2026-04-01",
        "valid_to": "2027-03-31",
    },
    "clients:certification_correct": {"care_level": "23", "reason": "被保険者証で確認"},
    "clients:contract": _consulting_client,
    "clients:doctor_add": {
        "institution_name": "さくら内科クリニック",
        "department": "内科",
        "doctor_name": "山本 医師",
        "phone": "03-2222-3333",
    },
    "clients:provider_add": {
        "provider_number": "1371299999",
        "name": "ひまわり訪問介護",
        "name_kana": "ひまわりほうもんかいご",
        "service_types": "11",
        "regional_grade": "1",
    },
    "clients:provider_regional_grades": {"grade": "2", "valid_from": "2027-04-01"},
    "clients:public_expense_add": {
        "law_number": "12",
        "payer_number": "12130019",
        "recipient_number": "1234567",
        "valid_from": "2026-04-01",
        "valid_to": "2027-03-31",
    },
    "clients:public_expense_correct": {"recipient_number": "7654321", "reason": "受給者証で確認"},
    "clients:resource_add": {
        "kind": "meals",
        "name": "まごころ配食",
        "area": "千代田区",
        "offers": "昼食の配達（月〜金）",
    },
    "clients:restriction_add": {
        "kind": "rate_reduction",
        "benefit_rate": "70",
        "valid_from": "2026-04-01",
        "valid_to": "2027-03-31",
    },
    "clients:restriction_correct": {"benefit_rate": "60", "reason": "通知書で確認"},
    "clients:status": {"status": "ended", "changed_on": "2026-11-20", "end_reason": "moved"},
    "careplans:need_add": {"text": "自宅で入浴したい"},
    "mfa_totp": _totp_code,
    # 職員の設定: the fixtures' staff have no フリガナ, which the editor requires.
    "staff_edit": {"full_name_kana": "ジム ナオコ"},
    # 職員の追加: a new care manager (the number is required with the role).
    "staff_add": {
        "full_name": "新人 花子",
        "full_name_kana": "シンジン ハナコ",
        "username": "shinjin-hanako",
        "roles": "care_manager",
        "care_manager_number": "13000001",
    },
    # POST-only routes (their form is on another page): the fields that form sends.
    "billing:ticket_toggle": _toggle_day,
    "billing:ticket_check_ack": _check_ack,
    "monitoring:record_review": {"assessed_on": "2026-05-13", "reason": "condition_change"},
    "monitoring:report_upload": _provider_report,
    "billing:office_claim_evidence": _claim_evidence,
    "billing:office_claim_fte": _claim_fte,
    "billing:office_claim_kago_new": _kago_new,
    "billing:office_claim_kago_move": _kago_move,
    "billing:presubmission_ack": _presubmission_ack,
    "billing:benefit_batch": _benefit_batch,
    "billing:ticket_actuals_copy": _actuals(""),
    "billing:ticket_actuals_receive": _actuals(""),
    "billing:ticket_actuals_reason": _actuals(""),
    "billing:ticket_actuals_confirm": _actuals("received"),
    "billing:ticket_actuals_unconfirm": _actuals("confirmed"),
    "billing:returns_submit": _returns_submit,
    "billing:returns_result": _returns_result,
    "billing:returns_import": _returns_import,
    "billing:returns_correction": _returns_correction,
    "billing:ticket_row_add": _ticket_row,
    "billing:ticket_row_copy": {"weekdays": ["3", "5"]},  # the row again on 水・金
    "careplans:plan_new": _plan_new,
    "careplans:goal_add": {
        "long_term": "週2回、安心して入浴できる",
        "long_term_from": "2026-04-10",
        "long_term_to": "2027-03-31",
        "short_term": "介助を受けて浴槽をまたげる",
        "short_term_from": "2026-04-10",
        "short_term_to": "2026-09-30",
    },
    "careplans:item_add": {
        "content": "見守り",
        "insured": "false",  # 保険給付対象外 (the form loads it checked)
        "service_kind_text": "家族",
        "frequency": "毎日",
        "period_from": "2026-04-10",
        "period_to": "2026-09-30",
    },
    "careplans:weekly_add": {
        "weekdays": ["1", "4"],
        "starts_at": "10:00",
        "ends_at": "11:00",
        "content": "家族の訪問",
        "insured": "false",
    },
    "careplans:monthly_add": _rental_item,
    "careplans:no_meeting": {"reason": "入院中のため照会で対応", "recorded_on": "2026-04-07"},
    "careplans:minor_change": {
        "changed_on": "2026-04-20",
        "content": "訪問介護の曜日を火曜から水曜に変更",
        "reason": "利用者の希望による曜日の変更",
    },
    "careplans:confirm": _confirmable_plan,
    "careplans:meeting_new": {
        "held_on": "2026-04-07",
        "place": "利用者宅",
        "starts_at": "14:00",
        "ends_at": "14:45",
        "items_discussed": "原案の内容",
        "discussion": "入浴の方法について",
        "conclusion": "原案のとおり実施する",
    },
    "careplans:activity_add": {"starts_at": "07:00", "activity": "起床"},
    "monitoring:support_log": {"counterpart": "本人", "content": "電話で体調を確認した。"},
    "monitoring:support_log_correct": {
        "counterpart": "長女",
        "content": "体調について長女に電話で確認した（相手の訂正）。",
    },
    "monitoring:admission_new": {
        "hospital_name": "さくら総合病院",
        "admitted_on": "2026-11-20",
        "ward_contact": "地域連携室",
    },
    "monitoring:conference_new": {
        "held_on": "2026-11-25",
        "place": "さくら総合病院 会議室",
        "attendees": "主治医、病棟看護師、本人、長女",
        "content": "退院後の入浴と通院の方法を確認した。",
    },
    "monitoring:outpatient_new": {
        "accompanied_on": "2026-11-20",
        "clinic": "さくら内科クリニック",
        "doctor_name": "山本 医師",
        "information_given": "在宅での入浴の様子",
        "information_received": "血圧が高めのため入浴前に測定すること",
    },
    "monitoring:conference_edit": {
        "held_on": "2026-11-21",
        "kind": "interview",
        "attendees": "病棟看護師、本人",
        "content": "退院後の通院の方法を確認した（日付と方法の訂正）。",
    },
    "monitoring:outpatient_edit": {
        "accompanied_on": "2026-11-21",
        "information_received": "血圧が高めのため入浴前に測定すること（訂正）",
    },
    "monitoring:record_new": _monitoring_record,
    "monitoring:evaluation_new": _evaluation,
}
