"""monitoring.records services: record_save (valid / refused), review_start, consents, reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from caremgmt.access import actor_for
from caremgmt.events import client_event
from caremgmt.locking import StaleEditError
from careplans.models import Assessment
from monitoring.models import GoalReview, MonitoringRecord, ServiceReview
from monitoring.records import consent as consent_services
from monitoring.records import reports
from monitoring.records.services import plan_in_force, record_save, review_start
from tests.factories import ClientFactory, MeetingFactory
from tests.monitoring.routes.records import confirmed_plan, make_record

D = dt.date
TODAY = D(2026, 11, 27)
pytestmark = pytest.mark.django_db


@pytest.fixture
def events() -> Any:
    sent: list[dict[str, Any]] = []

    def receiver(**kwargs: Any) -> None:
        sent.append(kwargs)

    client_event.connect(receiver, weak=False, dispatch_uid="test_records_services")
    yield sent
    client_event.disconnect(dispatch_uid="test_records_services")


def _fields(day: dt.date, **extra: Any) -> dict[str, Any]:
    values = {
        "visited_on": day,
        "visited_at": dt.time(10, 30),
        "place": "home",
        "met_persons": "本人、長女",
        "health_change": "血圧安定",
        "adl_change": "",
        "family_change": "",
        "environment_change": "",
        "overall": "計画どおり",
        "decision": "continue",
        "decision_reason": "",
        "next_ticket_explained": True,
        "next_ticket_version": None,
    }
    values.update(extra)
    return values


def _reviews(plan, achievement: str = "partly") -> tuple[dict, dict]:  # noqa: ANN001
    goals = {
        g.pk: {"achievement": achievement, "observation": "浴槽をまたげた"}
        for need in plan.needs.all()
        for g in need.goals.all()
    }
    items = {
        i.pk: {"delivered_as_planned": True, "satisfaction": "4", "note": "満足"}
        for need in plan.needs.all()
        for g in need.goals.all()
        for i in g.support_items.all()
    }
    return goals, items


def _save(world, plan, day: dt.date, record=None, version=None, **extra: Any):  # noqa: ANN001, ANN202
    goals, items = _reviews(plan)
    return record_save(
        actor=actor_for(world.care_manager),
        client=plan.client,
        fields=_fields(day, **extra),
        goal_reviews=goals,
        service_reviews=items,
        record=record,
        expected_version=version,
        today=TODAY,
    )


def test_valid_record_saves_reviews_and_emits_the_support_log_event(world, events) -> None:  # noqa: ANN001
    plan = confirmed_plan(world)
    record = _save(world, plan, D(2026, 6, 15))
    assert (record.month, record.plan, record.author) == (D(2026, 6, 1), plan, world.care_manager)
    review = GoalReview.objects.get(record=record)
    assert (review.achievement, review.observation) == ("partly", "浴槽をまたげた")
    service = ServiceReview.objects.get(record=record)
    assert (service.delivered_as_planned, service.satisfaction, service.note) == (True, "4", "満足")
    assert len(events) == 1
    event = events[0]
    assert event["event"] == "monitoring_recorded"
    assert event["summary"] == "モニタリング（自宅訪問）：目標1件 一部達成1、方針 継続"
    assert (event["client_id"], event["on"], event["counterpart"]) == (
        plan.client_id,
        D(2026, 6, 15),
        "本人、長女",
    )
    assert event["source"] == f"monitoring.monitoringrecord:{record.pk}"


def test_correction_is_locked_and_does_not_emit_again(world, events) -> None:  # noqa: ANN001
    plan = confirmed_plan(world)
    record = _save(world, plan, D(2026, 6, 15))
    corrected = _save(world, plan, D(2026, 6, 16), record=record, version=1, overall="修正")
    assert (corrected.version, corrected.overall, corrected.visited_on) == (
        2,
        "修正",
        D(2026, 6, 16),
    )
    assert GoalReview.objects.filter(record=record).count() == 1
    assert len(events) == 1
    with pytest.raises(StaleEditError) as stale:
        _save(world, plan, D(2026, 6, 17), record=record, version=1, overall="古い画面")
    assert [c.field for c in stale.value.changes] == ["visited_on", "overall"]
    assert MonitoringRecord.objects.get(pk=record.pk).overall == "修正"


def test_future_date_refused(world) -> None:  # noqa: ANN001
    plan = confirmed_plan(world)
    with pytest.raises(ValidationError) as refused:
        _save(world, plan, TODAY + dt.timedelta(days=1))
    assert refused.value.message_dict == {"visited_on": ["実施日に未来の日付は入力できません。"]}
    assert not MonitoringRecord.objects.exists()


def test_date_before_the_plan_start_refused(world) -> None:  # noqa: ANN001
    plan = confirmed_plan(world)
    with pytest.raises(ValidationError) as refused:
        _save(world, plan, D(2026, 4, 9))
    assert refused.value.message_dict == {
        "visited_on": ["実施日は計画の開始日（令和8年4月10日）以降の日付にしてください。"]
    }


def test_no_plan_in_force_refused(world) -> None:  # noqa: ANN001
    from tests.factories import CarePlanFactory

    draft = CarePlanFactory(
        client=ClientFactory(office=world.office, care_manager=world.care_manager)
    )
    with pytest.raises(ValidationError) as refused:
        _save(world, draft, D(2026, 6, 1))
    assert "有効な居宅サービス計画がありません" in refused.value.message_dict["visited_on"][0]


def test_review_needs_a_reason(world) -> None:  # noqa: ANN001
    plan = confirmed_plan(world)
    with pytest.raises(ValidationError) as refused:
        _save(world, plan, D(2026, 6, 1), decision="review")
    assert refused.value.message_dict == {"decision_reason": ["見直しの理由を入力してください。"]}


def test_missing_goal_review_refused(world) -> None:  # noqa: ANN001
    plan = confirmed_plan(world)
    with pytest.raises(ValidationError):
        record_save(
            actor=actor_for(world.care_manager),
            client=plan.client,
            fields=_fields(D(2026, 6, 1)),
            goal_reviews={},
            service_reviews={},
            today=TODAY,
        )
    assert not MonitoringRecord.objects.exists()


def test_clerk_cannot_record(world) -> None:  # noqa: ANN001
    from django.core.exceptions import PermissionDenied

    plan = confirmed_plan(world)
    goals, items = _reviews(plan)
    with pytest.raises(PermissionDenied):
        record_save(
            actor=actor_for(world.clerk),
            client=plan.client,
            fields=_fields(D(2026, 6, 1)),
            goal_reviews=goals,
            service_reviews=items,
            today=TODAY,
        )


def test_plan_in_force_follows_versions(world) -> None:  # noqa: ANN001
    old = confirmed_plan(world)
    old.status, old.superseded_on = "superseded", D(2026, 8, 20)
    old.save()
    new = confirmed_plan(world, client=old.client, starts_on=D(2026, 9, 1))
    assert plan_in_force(old.client_id, D(2026, 8, 31)) == old
    assert plan_in_force(old.client_id, D(2026, 9, 1)) == new
    assert plan_in_force(old.client_id, D(2026, 4, 9)) is None


def test_goals_not_started_are_not_asked(world) -> None:  # noqa: ANN001
    from tests.factories import GoalFactory

    plan = confirmed_plan(world)
    GoalFactory(
        need=plan.needs.first(),
        order=2,
        short_term_from=D(2026, 10, 1),
        short_term_to=D(2027, 3, 31),
    )
    record = _save(world, plan, D(2026, 6, 15))
    assert record.goals.count() == 1


def test_next_ticket_version_is_linked(world) -> None:  # noqa: ANN001
    from billing.models import TicketVersion
    from billing.tickets.generate import generate_ticket
    from billing.tickets.snapshot import snapshot_hash, ticket_snapshot
    from monitoring.records.selectors import next_month_ticket
    from tests.billing.ticket_world import make_ticket_world

    tw = make_ticket_world(world.office, world.care_manager)
    ticket, _ = generate_ticket(client=tw.client, month=D(2026, 12, 1))
    assert next_month_ticket(tw.client.pk, D(2026, 11, 1))["versions"] == []
    snapshot = ticket_snapshot(ticket, created_on=D(2026, 11, 25), version_number=1)
    version = TicketVersion.objects.create(
        ticket=ticket,
        number=1,
        created_on=D(2026, 11, 25),
        received_by="本人",
        consent_method="signature",
        snapshot=snapshot,
        content_hash=snapshot_hash(snapshot),
        created_by=world.care_manager,
    )
    info = next_month_ticket(tw.client.pk, D(2026, 11, 1))
    assert info["ticket"] == ticket and info["versions"] == [version]
    record = _save(world, tw.plan, D(2026, 11, 25), next_ticket_version=version)
    assert record.next_ticket_version == version
    other = confirmed_plan(world)
    with pytest.raises(ValidationError) as refused:
        _save(world, other, D(2026, 11, 25), next_ticket_version=version)
    assert "next_ticket_version" in refused.value.message_dict


def test_review_start_opens_one_assessment(world) -> None:  # noqa: ANN001
    plan = confirmed_plan(world)
    record = _save(world, plan, D(2026, 6, 15), decision="review", decision_reason="転倒")
    before = Assessment.objects.count()
    actor = actor_for(world.care_manager)
    with pytest.raises(ValidationError):
        review_start(actor=actor, record=record, assessed_on=D(2026, 6, 14), reason="other")
    saved = review_start(actor=actor, record=record, assessed_on=D(2026, 6, 16), reason="other")
    assessment = saved.review_assessment
    assert assessment is not None and assessment.client == plan.client
    assert (assessment.assessed_on, assessment.reason) == (D(2026, 6, 16), "other")
    assert "モニタリング（令和8年6月15日）" in assessment.reason_note
    again = review_start(actor=actor, record=record, assessed_on=D(2026, 6, 17), reason="other")
    assert again.review_assessment == assessment
    assert Assessment.objects.count() == before + 1


def test_review_start_needs_a_review_decision(world) -> None:  # noqa: ANN001
    record = make_record(world)
    with pytest.raises(ValidationError):
        review_start(
            actor=actor_for(world.care_manager),
            record=record,
            assessed_on=D(2026, 6, 1),
            reason="other",
        )


# --- consent ---------------------------------------------------------------------------


def _consent_fields(**extra: Any) -> dict[str, Any]:
    values = {
        "consented_on": D(2026, 5, 1),
        "consented_by": "本人",
        "meeting": None,
        "agreed_on": D(2026, 5, 1),
        "agreement_note": "主治医が安定を確認",
        "ended_on": None,
        "end_reason": "",
    }
    values.update(extra)
    return values


def test_consent_record_correct_and_end(world) -> None:  # noqa: ANN001
    plan = confirmed_plan(world)
    actor = actor_for(world.care_manager)
    meeting = MeetingFactory(plan=plan, held_on=D(2026, 4, 30))
    consent = consent_services.consent_save(
        actor=actor, client=plan.client, fields=_consent_fields(meeting=meeting), today=TODAY
    )
    with pytest.raises(ValidationError) as twice:
        consent_services.consent_save(
            actor=actor, client=plan.client, fields=_consent_fields(), today=TODAY
        )
    assert "有効な同意が既にあります" in str(twice.value)
    with pytest.raises(ValidationError) as no_reason:
        consent_services.consent_save(
            actor=actor,
            client=plan.client,
            consent=consent,
            expected_version=1,
            fields=_consent_fields(ended_on=D(2026, 9, 1)),
            today=TODAY,
        )
    assert no_reason.value.message_dict == {
        "end_reason": ["終了の理由を入力してください（例：状態の変化）。"]
    }
    ended = consent_services.consent_save(
        actor=actor,
        client=plan.client,
        consent=consent,
        expected_version=1,
        fields=_consent_fields(ended_on=D(2026, 9, 1), end_reason="状態の変化"),
        today=TODAY,
    )
    assert (ended.version, ended.ended_on) == (2, D(2026, 9, 1))
    with pytest.raises(StaleEditError):
        consent_services.consent_save(
            actor=actor,
            client=plan.client,
            consent=consent,
            expected_version=1,
            fields=_consent_fields(),
            today=TODAY,
        )


def test_consent_refuses_bad_input(world) -> None:  # noqa: ANN001
    plan = confirmed_plan(world)
    other_meeting = MeetingFactory(plan=confirmed_plan(world))
    with pytest.raises(ValidationError) as refused:
        consent_services.consent_save(
            actor=actor_for(world.care_manager),
            client=plan.client,
            today=TODAY,
            fields=_consent_fields(
                consented_on=TODAY + dt.timedelta(days=1),
                meeting=other_meeting,
                ended_on=D(2026, 1, 1),
            ),
        )
    errors = refused.value.message_dict
    assert errors["consented_on"] == ["同意日に未来の日付は入力できません。"]
    assert errors["meeting"] == ["この利用者の担当者会議を選んでください。"]
    assert errors["ended_on"] == ["終了日は同意日以降の日付にしてください。"]


# --- provider reports -----------------------------------------------------------------


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def _upload(world, plan, name: str, content: bytes, **fields: Any):  # noqa: ANN001, ANN202
    values = {
        "month": D(2026, 6, 1),
        "received_on": D(2026, 6, 30),
        "note": "",
        "provider": None,
        "record": None,
    }
    values.update(fields)
    return reports.report_upload(
        actor=actor_for(world.care_manager),
        client=plan.client,
        fields=values,
        upload=SimpleUploadedFile(name, content),
    )


def test_report_upload_stores_under_a_random_name(world, settings, tmp_path) -> None:  # noqa: ANN001
    settings.MEDIA_ROOT = tmp_path
    record = make_record(world, visited_on=D(2026, 6, 12))
    report = _upload(world, record.plan, "../../etc/報告書\x00 6月.PDF", PDF, record=record)
    assert report.original_name == "報告書 6月.PDF"
    assert report.file.name.startswith(f"provider_reports/{record.client_id}/")
    assert report.file.name.endswith(".pdf") and "報告書" not in report.file.name
    assert report.file.read() == PDF
    assert report.record == record and report.month == D(2026, 6, 1)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.exe", b"MZ....", "PDF・JPEG・PNGのファイルだけを添付できます。"),
        ("a.html", b"<html>", "PDF・JPEG・PNGのファイルだけを添付できます。"),
        ("a.pdf", b"<html><script>", "ファイルの中身が拡張子と合いません"),
        ("a.png", b"\xff\xd8\xff\xe0JPEG", "ファイルの中身が拡張子と合いません"),
        ("a.pdf", b"", "空のファイルです。"),
    ],
)
def test_report_upload_refuses_other_files(
    world, settings, tmp_path, name, content, message
) -> None:  # noqa: ANN001, E501
    settings.MEDIA_ROOT = tmp_path
    plan = confirmed_plan(world)
    with pytest.raises(ValidationError) as refused:
        _upload(world, plan, name, content)
    assert message in refused.value.message_dict["file"][0]


def test_report_upload_size_limit(world, settings, tmp_path) -> None:  # noqa: ANN001
    settings.MEDIA_ROOT = tmp_path
    settings.MONITORING_REPORT_MAX_BYTES = 1024
    plan = confirmed_plan(world)
    with pytest.raises(ValidationError) as refused:
        _upload(world, plan, "big.pdf", PDF + b"0" * 1024)
    assert "ファイルが大きすぎます" in refused.value.message_dict["file"][0]


def test_report_record_must_match_client_and_month(world, settings, tmp_path) -> None:  # noqa: ANN001
    settings.MEDIA_ROOT = tmp_path
    record = make_record(world, visited_on=D(2026, 6, 12))
    with pytest.raises(ValidationError) as refused:
        _upload(world, record.plan, "a.pdf", PDF, record=record, month=D(2026, 7, 1))
    assert "record" in refused.value.message_dict
    other = confirmed_plan(world)
    with pytest.raises(ValidationError):
        _upload(world, other, "a.pdf", PDF, record=record)


def test_sanitize_filename() -> None:
    assert reports.sanitize_filename("C:\\Users\\x\\報告.pdf") == "報告.pdf"
    assert reports.sanitize_filename('a"b;c.pdf') == "a_b_c.pdf"
    assert reports.sanitize_filename("\r\n") == "report"
    long = reports.sanitize_filename("あ" * 300 + ".pdf")
    assert len(long) == 120 and long.endswith(".pdf")
