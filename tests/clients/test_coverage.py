"""公費, 給付制限 and the 自立度 on a 認定: recorded like the other histories, answered
"as of date D" by one selector each, shown on the client page's history tab."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from caremgmt.models import AccessLog
from clients import services
from clients.forms import CertificationForm
from clients.forms_coverage import BenefitRestrictionForm, PublicExpenseForm
from clients.models import BenefitRestriction, Certification, PublicExpense
from clients.selectors import client_benefit_restriction_on, client_public_expenses_on
from clients.services import coverage as services_coverage

pytestmark = pytest.mark.django_db
D = dt.date

WELFARE = {"law_number": "12", "payer_number": "12130019", "recipient_number": "1234567"}
NANBYO = {"law_number": "54", "payer_number": "54130018", "recipient_number": "7654321"}


def add_public_expense(actor, client, numbers=WELFARE, **period):  # noqa: ANN001, ANN003, ANN201
    values = {"valid_from": D(2026, 4, 1), "valid_to": D(2027, 3, 31), **period}
    return services_coverage.public_expense_add(actor=actor, client=client, **numbers, **values)


# --- 公費 --------------------------------------------------------------------------------


def test_public_expenses_on_a_day_in_priority_order(actor, own_client) -> None:  # noqa: ANN001
    nanbyo = add_public_expense(actor, own_client, NANBYO, valid_from=D(2026, 1, 1))
    welfare = add_public_expense(actor, own_client, WELFARE)
    assert client_public_expenses_on(client=own_client, day=D(2025, 12, 31)) == []
    assert client_public_expenses_on(client=own_client, day=D(2026, 3, 31)) == [nanbyo]
    assert client_public_expenses_on(client=own_client, day=D(2026, 4, 1)) == [welfare, nanbyo]
    assert client_public_expenses_on(client=own_client, day=D(2027, 4, 1)) == []


def test_priority_is_a_setting(actor, own_client, settings) -> None:  # noqa: ANN001
    nanbyo = add_public_expense(actor, own_client, NANBYO)
    welfare = add_public_expense(actor, own_client, WELFARE)
    settings.PUBLIC_EXPENSE_LAW_PRIORITY = ("54", "12")
    assert client_public_expenses_on(client=own_client, day=D(2026, 5, 1)) == [nanbyo, welfare]


def test_same_law_new_document_inside_ends_the_old_one(actor, own_client) -> None:  # noqa: ANN001
    first = add_public_expense(actor, own_client)
    second = add_public_expense(
        actor,
        own_client,
        {**WELFARE, "recipient_number": "2222222"},
        valid_from=D(2026, 10, 1),
        valid_to=D(2027, 9, 30),
    )
    first.refresh_from_db()
    assert first.ended_on == D(2026, 9, 30)
    assert client_public_expenses_on(client=own_client, day=D(2026, 9, 30)) == [first]
    assert client_public_expenses_on(client=own_client, day=D(2026, 10, 1)) == [second]


def test_same_law_overlap_from_before_is_refused(actor, own_client) -> None:  # noqa: ANN001
    add_public_expense(actor, own_client)
    with pytest.raises(ValidationError) as refused:
        add_public_expense(actor, own_client, valid_from=D(2026, 3, 1), valid_to=D(2026, 6, 30))
    assert refused.value.message_dict == {
        "valid_from": [
            "有効期間が同じ法別番号の既存の公費（令和8年4月1日〜令和9年3月31日）と重なっています。"
        ]
    }
    assert PublicExpense.objects.count() == 1


@pytest.mark.parametrize(
    ("numbers", "errors"),
    [
        ({"law_number": "1"}, {"law_number": ["法別番号は半角数字2桁で入力してください。"]}),
        (
            {"payer_number": "54130018"},
            {"payer_number": ["公費負担者番号の先頭2桁は法別番号（12）と同じにしてください。"]},
        ),
        (
            {"payer_number": "12130010"},
            {
                "payer_number": [
                    "公費負担者番号の検証番号（8桁目）が正しくありません。受給者証の番号を確認してください。"
                ]
            },
        ),
        (
            {"payer_number": "1213001"},
            {"payer_number": ["公費負担者番号は半角数字8桁で入力してください。"]},
        ),
        (
            {"recipient_number": "123456"},
            {"recipient_number": ["公費受給者番号は半角数字7桁で入力してください。"]},
        ),
    ],
)
def test_public_expense_form_messages_at_the_field(numbers, errors) -> None:  # noqa: ANN001
    form = PublicExpenseForm(
        {**WELFARE, **numbers, "valid_from": "2026-04-01", "valid_to": "2027-03-31"}
    )
    assert form.errors == errors


def test_public_expense_form_takes_full_width(settings) -> None:  # noqa: ANN001
    form = PublicExpenseForm(
        {
            "law_number": "１２",
            "payer_number": "１２１３－００１９",
            "recipient_number": "１２３４５６７",
            "valid_from": "2026-04-01",
            "valid_to": "2027-03-31",
        }
    )
    assert form.is_valid(), form.errors
    assert [form.cleaned_data[n] for n in ("law_number", "payer_number", "recipient_number")] == [
        "12",
        "12130019",
        "1234567",
    ]
    settings.PUBLIC_EXPENSE_PAYER_CHECK_DIGIT = False
    assert PublicExpenseForm(
        {
            **WELFARE,
            "payer_number": "12130010",
            "valid_from": "2026-04-01",
            "valid_to": "2027-03-31",
        }
    ).is_valid()


def test_public_expense_correction_supersedes_once(actor, own_client) -> None:  # noqa: ANN001
    wrong = add_public_expense(actor, own_client, {**WELFARE, "recipient_number": "1111111"})
    right = services_coverage.public_expense_add(
        actor=actor,
        client=own_client,
        **WELFARE,
        valid_from=D(2026, 4, 1),
        valid_to=D(2027, 3, 31),
        supersedes=wrong,
        reason="受給者番号の入力誤り",
    )
    wrong.refresh_from_db()
    assert (wrong.superseded_by, wrong.superseded_reason) == (right, "受給者番号の入力誤り")
    assert client_public_expenses_on(client=own_client, day=D(2026, 5, 1)) == [right]
    with pytest.raises(ValidationError):
        services_coverage.public_expense_add(
            actor=actor,
            client=own_client,
            **WELFARE,
            valid_from=D(2026, 4, 1),
            valid_to=D(2027, 3, 31),
            supersedes=wrong,
            reason="二重の訂正",
        )
    assert PublicExpense.objects.count() == 2
    with pytest.raises(DatabaseError), transaction.atomic():
        PublicExpense.objects.filter(pk=right.pk).update(recipient_number="9999999")


def test_auditor_cannot_add_public_expense(world, own_client) -> None:  # noqa: ANN001
    from caremgmt.access import actor_for

    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied from require_writer
        add_public_expense(actor_for(world.auditor), own_client)
    assert PublicExpense.objects.count() == 0


# --- 給付制限 -----------------------------------------------------------------------------


def test_benefit_restriction_as_of_a_day(actor, own_client) -> None:  # noqa: ANN001
    reduced = services_coverage.benefit_restriction_add(
        actor=actor,
        client=own_client,
        kind="rate_reduction",
        benefit_rate=70,
        valid_from=D(2026, 4, 1),
        valid_to=D(2027, 3, 31),
        note="保険料滞納（2年以上）",
    )
    reimbursement = services_coverage.benefit_restriction_add(
        actor=actor,
        client=own_client,
        kind="reimbursement",
        benefit_rate=None,
        valid_from=D(2026, 10, 1),
        valid_to=D(2027, 3, 31),
    )
    assert client_benefit_restriction_on(client=own_client, day=D(2026, 3, 31)) is None
    assert client_benefit_restriction_on(client=own_client, day=D(2026, 9, 30)) == reduced
    assert client_benefit_restriction_on(client=own_client, day=D(2026, 10, 1)) == reimbursement
    reduced.refresh_from_db()
    assert reduced.ended_on == D(2026, 9, 30)


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"kind": "rate_reduction", "benefit_rate": ""},
            {"benefit_rate": ["給付率引下げのときは引下げ後の給付率（%）を入力してください。"]},
        ),
        (
            {"kind": "rate_reduction", "benefit_rate": "90"},
            {"benefit_rate": ["給付率は1〜89（%）の整数で入力してください。例：70、60"]},
        ),
        (
            {"kind": "reimbursement", "benefit_rate": "70"},
            {"benefit_rate": ["償還払いのときは給付率を空欄にしてください。"]},
        ),
        ({"kind": "", "benefit_rate": ""}, {"kind": ["給付制限の種類を選んでください。"]}),
        (
            {"kind": "reimbursement", "valid_to": "2026-03-31"},
            {"valid_to": ["有効期間の終了日は開始日以降の日付にしてください。"]},
        ),
    ],
)
def test_benefit_restriction_form_messages(data, errors) -> None:  # noqa: ANN001
    form = BenefitRestrictionForm({"valid_from": "2026-04-01", "valid_to": "2027-03-31", **data})
    assert form.errors == errors


def test_benefit_restriction_service_refuses_rate_for_reimbursement(actor, own_client) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError) as refused:
        services_coverage.benefit_restriction_add(
            actor=actor,
            client=own_client,
            kind="reimbursement",
            benefit_rate=70,
            valid_from=D(2026, 4, 1),
            valid_to=D(2027, 3, 31),
        )
    assert refused.value.message_dict == {
        "benefit_rate": ["償還払いのときは給付率を空欄にしてください。"]
    }
    assert BenefitRestriction.objects.count() == 0


# --- 自立度 on the 認定 -------------------------------------------------------------------


def test_certification_keeps_independence_ranks_and_source(actor, own_client) -> None:  # noqa: ANN001
    certification = services.certification_add(
        actor=actor,
        client=own_client,
        application_kind="new",
        applied_on=D(2026, 3, 1),
        certified_on=D(2026, 3, 25),
        care_level="22",
        valid_from=D(2026, 3, 1),
        valid_to=D(2027, 2, 28),
        disability_independence="A2",
        disability_independence_source="doctor_opinion",
        dementia_independence="IIb",
        dementia_independence_source="survey",
    )
    certification.refresh_from_db()
    assert (
        certification.get_disability_independence_display(),
        certification.get_disability_independence_source_display(),
        certification.get_dementia_independence_display(),
        certification.get_dementia_independence_source_display(),
    ) == ("A2", "主治医意見書", "Ⅱb", "認定調査票")
    with pytest.raises(DatabaseError), transaction.atomic():
        Certification.objects.filter(pk=certification.pk).update(dementia_independence="M")


def test_certification_form_rank_choices_and_source_needs_rank() -> None:
    form = CertificationForm(
        {
            "application_kind": "new",
            "care_level": "22",
            "valid_from": "2026-03-01",
            "valid_to": "2027-02-28",
            "dementia_independence_source": "survey",
            "disability_independence": "Z9",
        }
    )
    assert form.errors == {
        "disability_independence": ["正しく選択してください。 Z9 は候補にありません。"],
        "dementia_independence": ["出典を選んだときは自立度も選んでください。"],
    }
    choices = [label for _value, label in form.fields["dementia_independence"].choices][1:]
    assert choices == ["自立", "Ⅰ", "Ⅱa", "Ⅱb", "Ⅲa", "Ⅲb", "Ⅳ", "M"]
    ranks = [label for _value, label in form.fields["disability_independence"].choices][1:]
    assert ranks == ["自立", "J1", "J2", "A1", "A2", "B1", "B2", "C1", "C2"]


# --- screens -----------------------------------------------------------------------------


def test_history_tab_shows_coverage_in_wareki_and_logs_the_access(
    actor, own_client, world, login
) -> None:  # noqa: ANN001
    add_public_expense(actor, own_client)
    services_coverage.benefit_restriction_add(
        actor=actor,
        client=own_client,
        kind="rate_reduction",
        benefit_rate=70,
        valid_from=D(2026, 4, 1),
        valid_to=D(2027, 3, 31),
    )
    response = login(world.care_manager).get(
        reverse("clients:tab", args=[own_client.pk, "history"]), headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert "生活保護（介護扶助）" in page and "12130019" in page and "1234567" in page
    assert "給付率引下げ（給付率70%）" in page
    assert "令和8年4月1日〜令和9年3月31日" in page
    assert list(AccessLog.objects.values_list("subject_type", "client_id")) == [
        ("client_tab:history", own_client.pk)
    ]


def test_add_public_expense_through_the_screen_keeps_input_on_error(
    own_client, world, login
) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    url = reverse("clients:public_expense_add", args=[own_client.pk])
    bad = http.post(
        url,
        {
            **WELFARE,
            "payer_number": "54130018",
            "valid_from": "2026-04-01",
            "valid_to": "2027-03-31",
        },
    )
    assert bad.status_code == 200
    assert bad.context["form"].errors == {
        "payer_number": ["公費負担者番号の先頭2桁は法別番号（12）と同じにしてください。"]
    }
    assert 'value="54130018"' in bad.content.decode()
    assert PublicExpense.objects.count() == 0
    good = http.post(url, {**WELFARE, "valid_from": "2026-04-01", "valid_to": "2027-03-31"})
    assert good.status_code == 302
    assert PublicExpense.objects.get().payer_number == "12130019"


def test_restriction_correction_through_the_screen(own_client, world, login, actor) -> None:  # noqa: ANN001
    old = services_coverage.benefit_restriction_add(
        actor=actor,
        client=own_client,
        kind="rate_reduction",
        benefit_rate=60,
        valid_from=D(2026, 4, 1),
        valid_to=D(2027, 3, 31),
    )
    response = login(world.care_manager).post(
        reverse("clients:restriction_correct", args=[own_client.pk, old.pk]),
        {
            "kind": "rate_reduction",
            "benefit_rate": "70",
            "valid_from": "2026-04-01",
            "valid_to": "2027-03-31",
            "reason": "給付率の入力誤り",
        },
    )
    assert response.status_code == 302
    assert client_benefit_restriction_on(client=own_client, day=D(2026, 5, 1)).benefit_rate == 70
    old.refresh_from_db()
    assert old.superseded_reason == "給付率の入力誤り"


def test_client_page_header_shows_todays_coverage(actor, own_client, world, login) -> None:  # noqa: ANN001
    today = timezone.localdate()
    add_public_expense(actor, own_client, valid_from=today - dt.timedelta(days=30), valid_to=today)
    services_coverage.benefit_restriction_add(
        actor=actor,
        client=own_client,
        kind="reimbursement",
        benefit_rate=None,
        valid_from=today,
        valid_to=today + dt.timedelta(days=30),
    )
    page = (
        login(world.care_manager)
        .get(reverse("clients:detail", args=[own_client.pk]))
        .content.decode()
    )
    assert "<dt>公費</dt><dd>生活保護（介護扶助）（12130019）</dd>" in page
    assert '<span class="badge badge-warn">償還払い</span>' in page
