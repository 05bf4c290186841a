"""ケアプランデータ連携: plan ⇄ CSV sending unit (export per provider, import as a new 原案)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from caremgmt.access import actor_for
from caremgmt.models import AccessLog
from careplans import services
from careplans.exchange_import import careplan_import
from careplans.exchange_mapping import careplan_export
from careplans.models import CarePlan, PlanStatus
from tests.factories import ClientFactory

SENT_AT = dt.datetime(2026, 4, 12, 9, 30, 15)


def _populate(setup, plan, long_term="自宅で安全に入浴できる"):  # noqa: ANN001, ANN202
    need = services.need_save(
        actor=setup.actor, plan=plan, expected_version=plan.version, need=None,
        text="一人で入浴するのが不安",
    ).instance  # fmt: skip
    plan.refresh_from_db()
    goal = services.goal_save(
        actor=setup.actor, plan=plan, expected_version=plan.version, need=need, goal=None,
        fields={
            "long_term": long_term, "long_term_from": dt.date(2026, 4, 10),
            "long_term_to": dt.date(2027, 3, 31), "short_term": "週2回入浴する",
            "short_term_from": dt.date(2026, 4, 10), "short_term_to": dt.date(2026, 9, 30),
        },
    ).instance  # fmt: skip
    plan.refresh_from_db()
    services.support_item_save(
        actor=setup.actor, plan=plan, expected_version=plan.version, goal=goal, item=None,
        fields={
            "content": "入浴介助", "insured": True, "service_type": "11",
            "provider": setup.home_help, "frequency": "週2回",
            "period_from": dt.date(2026, 4, 10), "period_to": dt.date(2026, 9, 30),
        },
    )  # fmt: skip
    plan.refresh_from_db()
    services.support_item_save(
        actor=setup.actor, plan=plan, expected_version=plan.version, goal=goal, item=None,
        fields={
            "content": "見守り", "insured": False, "service_kind_text": "家族",
            "provider_text": "長女", "frequency": "毎日", "period_from": dt.date(2026, 4, 10),
        },
    )  # fmt: skip
    plan.refresh_from_db()
    services.weekly_service_save(
        actor=setup.actor, plan=plan, expected_version=plan.version, weekly=None,
        fields={
            "weekdays": [2], "starts_at": dt.time(10), "ends_at": dt.time(11),
            "content": "訪問介護（入浴介助）", "insured": True, "provider": setup.home_help,
            "service_code": "111211",
        },
    )  # fmt: skip
    plan.refresh_from_db()
    services.daily_activity_save(
        actor=setup.actor, plan=plan, expected_version=plan.version, activity=None,
        fields={"starts_at": dt.time(7), "activity": "起床"},
    )  # fmt: skip
    plan.refresh_from_db()
    plan.overall_policy = "安心して自宅で暮らせるよう支援します"
    plan.non_weekly_services = "福祉用具貸与（手すり）"
    plan.save()
    return plan


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("cp932"), newline="")))


def _by_prefix(files: dict[str, bytes]) -> dict[str, tuple[str, bytes]]:
    return {name.split("_")[0]: (name, data) for name, data in files.items()}


def _content(plan: CarePlan) -> dict:
    return {
        "needs": [
            (
                n.order,
                n.text,
                [
                    (
                        g.long_term, g.long_term_from, g.long_term_to,
                        g.short_term, g.short_term_from, g.short_term_to,
                        [
                            (i.content, i.insured, i.service_type, i.provider_id,
                             i.service_kind_label, i.provider_label, i.frequency,
                             i.period_from, i.period_to)
                            for i in g.support_items.all()
                        ],
                    )
                    for g in n.goals.all()
                ],
            )
            for n in plan.needs.all()
        ],
        "weekly": [(w.weekdays, w.starts_at, w.ends_at, w.content) for w in plan.weekly_services.all()],
        "activities": [(a.starts_at, a.ends_at, a.activity) for a in plan.daily_activities.all()],
        "table1": (plan.drafted_on, plan.sheet_date, plan.plan_kind, plan.overall_policy,
                   plan.committee_opinion, plan.non_weekly_services, plan.certification_id),
    }  # fmt: skip


def _confirm(plan: CarePlan) -> None:
    plan.status = PlanStatus.CONFIRMED
    plan.consented_on = plan.delivered_on = dt.date(2026, 4, 9)
    plan.save()


def test_export_writes_the_four_files_in_cp932(plan_setup, draft_plan) -> None:  # noqa: ANN001
    plan = _populate(plan_setup, draft_plan)
    result = careplan_export(
        actor=plan_setup.actor, plan=plan, provider=plan_setup.home_help, sent_at=SENT_AT
    )
    files = _by_prefix(result.files)
    assert set(files) == {"UP1KYO", "UP2KYO", "UP3KYO", "UPHOSOKU"}
    office = plan.client.office.office_number
    provider = plan_setup.home_help.provider_number
    assert files["UP1KYO"][0] == f"UP1KYO_{office}_43_{provider}_11_20260412093015.CSV"
    assert files["UPHOSOKU"][0] == f"UPHOSOKU_000000_{office}_43_{provider}_11_20260412093015.CSV"
    assert {name.rsplit("_", 1)[1] for name in result.files} == {"20260412093015.CSV"}
    counts = {"UP1KYO": 28, "UP2KYO": 22, "UP3KYO": 13, "UPHOSOKU": 63}
    for prefix, (_, data) in files.items():
        data.decode("cp932")
        assert all(len(row) == counts[prefix] for row in _rows(data)), prefix
    t1 = _rows(files["UP1KYO"][1])[0]
    assert t1[2] == plan.client.insured_number and t1[1] == "131011"
    assert t1[7] == "担当 花子" and t1[12] == office and t1[15] == "11" and t1[16] == "2"
    t2 = _rows(files["UP2KYO"][1])
    assert len(t2) == 2  # all 援助内容 of the plan, incl. the family's
    assert t2[0][6] == "一人で入浴するのが不安" and t2[0][8] == "自宅で安全に入浴できる"
    assert t2[0][16] == provider and t2[1][14] == "N"
    assert result.substitutions == []


def test_export_refuses_a_provider_not_in_the_plan(plan_setup, draft_plan) -> None:  # noqa: ANN001
    plan = _populate(plan_setup, draft_plan)
    with pytest.raises(ValidationError):
        careplan_export(
            actor=plan_setup.actor, plan=plan, provider=plan_setup.rental, sent_at=SENT_AT
        )


def test_round_trip_creates_an_equal_draft(plan_setup, draft_plan) -> None:  # noqa: ANN001
    plan = _populate(plan_setup, draft_plan)
    result = careplan_export(
        actor=plan_setup.actor, plan=plan, provider=plan_setup.home_help, sent_at=SENT_AT
    )
    _confirm(plan)
    imported = careplan_import(actor=plan_setup.actor, client=plan.client, files=result.files)
    assert imported.status == PlanStatus.DRAFT and imported.sequence == plan.sequence + 1
    original, copy = _content(plan), _content(imported)
    assert copy["needs"] == original["needs"]
    assert copy["activities"] == original["activities"]
    assert copy["weekly"] == original["weekly"]
    assert copy["table1"] == original["table1"]
    assert not imported.weekly_services.get().insured  # no provider/code in 第3表


def test_unknown_provider_becomes_free_text(plan_setup, draft_plan) -> None:  # noqa: ANN001
    plan = _populate(plan_setup, draft_plan)
    result = careplan_export(
        actor=plan_setup.actor, plan=plan, provider=plan_setup.home_help, sent_at=SENT_AT
    )
    _confirm(plan)
    number = plan_setup.home_help.provider_number
    plan_setup.home_help.provider_number = "9999999999"
    plan_setup.home_help.save()
    imported = careplan_import(actor=plan_setup.actor, client=None, files=result.files)
    item = imported.needs.get().goals.get().support_items.get(content="入浴介助")
    assert item.provider is None and not item.insured
    assert (
        item.provider_text == f"ひまわり訪問介護（{number}）"
        and item.service_kind_text == "訪問介護"
    )


def test_non_ms932_character_is_substituted_and_reported(plan_setup, draft_plan) -> None:  # noqa: ANN001
    plan = _populate(plan_setup, draft_plan, long_term="𠮷野家に行ける")
    result = careplan_export(
        actor=plan_setup.actor, plan=plan, provider=plan_setup.home_help, sent_at=SENT_AT
    )
    # the goal is repeated on both 援助内容 rows of 第2表, so it is reported once per row
    assert [
        (s.record_type, s.row, s.field_label, s.original, s.replacement)
        for s in result.substitutions
    ] == [
        ("UP2KYO", 1, "長期目標", "𠮷", "吉"),
        ("UP2KYO", 2, "長期目標", "𠮷", "吉"),
    ]
    t2 = _rows(_by_prefix(result.files)["UP2KYO"][1])
    assert t2[0][8] == "吉野家に行ける"


def test_import_without_matching_client_is_refused(plan_setup, draft_plan, world) -> None:  # noqa: ANN001
    plan = _populate(plan_setup, draft_plan)
    result = careplan_export(
        actor=plan_setup.actor, plan=plan, provider=plan_setup.home_help, sent_at=SENT_AT
    )
    _confirm(plan)
    other = ClientFactory(office=world.office, care_manager=world.care_manager)
    with pytest.raises(ValidationError, match="一致しません"):
        careplan_import(actor=plan_setup.actor, client=other, files=result.files)
    with pytest.raises(ValidationError, match="見つかりません"):  # not the colleague's client
        careplan_import(actor=actor_for(world.colleague), client=None, files=result.files)
    with pytest.raises(ValidationError, match="見つかりません"):
        careplan_import(actor=actor_for(world.colleague), client=plan.client, files=result.files)
    assert CarePlan.objects.filter(client=plan.client).count() == 1


def test_export_view_warns_then_downloads_zip_and_logs(
    plan_setup, draft_plan, login, world
) -> None:  # noqa: ANN001
    plan = _populate(plan_setup, draft_plan, long_term="𠮷野家に行ける")
    http = login(world.care_manager)
    url = reverse("careplans:export", args=[plan.pk])
    assert "ひまわり訪問介護" in http.get(url).content.decode()
    page = http.post(url, {"provider": plan_setup.home_help.pk})
    assert page.status_code == 200 and "「𠮷」→「吉」" in page.content.decode()
    response = http.post(url, {"provider": plan_setup.home_help.pk, "confirm": "True"})
    assert response["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert sorted(n.split("_")[0] for n in names) == ["UP1KYO", "UP2KYO", "UP3KYO", "UPHOSOKU"]
    assert AccessLog.objects.filter(action="export", subject_id=plan.pk).count() == 1


def test_import_view_creates_draft_and_shows_field_errors(
    plan_setup, draft_plan, login, world
) -> None:  # noqa: ANN001
    from django.core.files.uploadedfile import SimpleUploadedFile

    plan = _populate(plan_setup, draft_plan)
    files = careplan_export(
        actor=plan_setup.actor, plan=plan, provider=plan_setup.home_help, sent_at=SENT_AT
    ).files
    _confirm(plan)
    http = login(world.care_manager)
    url = reverse("careplans:import", args=[plan.client_id])
    name1 = next(n for n in files if n.startswith("UP1KYO"))
    broken = files[name1].replace(b'"131011"', b"131011").replace(b",131011,", b",13101X,")
    page = http.post(url, {"files": [SimpleUploadedFile(name1, broken)]})
    assert page.status_code == 200
    assert 'id="exchange-problems"' in page.content.decode()
    assert "項目2「保険者番号」" in page.content.decode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    response = http.post(url, {"files": [SimpleUploadedFile("unit.zip", buffer.getvalue())]})
    new = CarePlan.objects.get(client=plan.client, status=PlanStatus.DRAFT)
    assert response.status_code == 302 and response["Location"].endswith(f"/plans/{new.pk}/")


@pytest.mark.parametrize("who", ["colleague", "outsider"])
def test_exchange_routes_are_scoped(plan_setup, draft_plan, login, world, who) -> None:  # noqa: ANN001
    http = login(getattr(world, who))
    export = reverse("careplans:export", args=[draft_plan.pk])
    assert http.get(export).status_code == 404
    assert http.post(export, {"provider": plan_setup.home_help.pk}).status_code == 404
    assert http.get(reverse("careplans:import", args=[draft_plan.client_id])).status_code == 404
