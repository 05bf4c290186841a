"""Input typed before the session expired is kept as a draft and offered back (issue 8 B)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from caremgmt.drafts import OWNER_COOKIE
from caremgmt.models import FormDraft
from careplans.models import Assessment, CarePlan

BANNER = "保存されていない入力があります（{}）"


def _loaded(http, url: str) -> dict[str, Any]:  # noqa: ANN001
    form = http.get(url).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, dt.date):
            value = value.isoformat()
        data[name] = "" if value in (None, False) else value
    return data


def _expire(http) -> None:  # noqa: ANN001
    """The idle timeout passes: the server-side session is gone."""
    Session.objects.filter(session_key=http.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )


def _late_save(http, url: str, data: dict[str, Any]):  # noqa: ANN001, ANN202
    _expire(http)
    return http.post(url, data)


def test_expired_plan_save_is_kept_and_restored_after_login(draft_plan, login, world) -> None:  # noqa: ANN001
    url = reverse("careplans:plan_edit", args=[draft_plan.pk])
    http = login(world.care_manager)
    data = _loaded(http, url)
    response = _late_save(http, url, dict(data, overall_policy="長い文章を入力した"))
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"
    draft = FormDraft.objects.get()
    assert (draft.staff, draft.path, draft.object_version) == (world.care_manager, url, 1)
    assert draft.data["overall_policy"] == ["長い文章を入力した"]
    assert "csrfmiddlewaretoken" not in draft.data
    assert CarePlan.objects.get(pk=draft_plan.pk).overall_policy == ""

    http.force_login(world.care_manager, backend="caremgmt.auth_backends.LoginIdOrEmailBackend")
    page = http.get(url).content.decode()
    stamp = timezone.localtime(draft.created_at).strftime("%H:%M")
    assert BANNER.format(stamp) in page
    restored = http.get(url, {"draft": "restore"})
    assert restored.context["form"]["overall_policy"].value() == "長い文章を入力した"
    assert "下のフォームに戻しました" in restored.content.decode()
    saved = http.post(url, dict(data, overall_policy="長い文章を入力した"))
    assert saved.status_code == 302
    assert CarePlan.objects.get(pk=draft_plan.pk).overall_policy == "長い文章を入力した"
    assert not FormDraft.objects.exists()


def test_expired_assessment_save_is_kept_and_restored(plan_setup, login, world) -> None:  # noqa: ANN001
    assessment = plan_setup.assessment
    url = reverse("careplans:assessment", args=[assessment.pk])
    http = login(world.care_manager)
    data = _loaded(http, url)
    assert _late_save(http, url, dict(data, place="自宅（2階の居室）")).status_code == 302
    assert FormDraft.objects.get().data["place"] == ["自宅（2階の居室）"]
    http.force_login(world.care_manager, backend="caremgmt.auth_backends.LoginIdOrEmailBackend")
    restored = http.get(url, {"draft": "restore"})
    assert restored.context["form"]["place"].value() == "自宅（2階の居室）"
    assert Assessment.objects.get(pk=assessment.pk).place == assessment.place


def test_a_draft_is_offered_to_its_owner_only(draft_plan, login, world) -> None:  # noqa: ANN001
    url = reverse("careplans:plan_edit", args=[draft_plan.pk])
    owner = login(world.care_manager)
    _late_save(owner, url, dict(_loaded(owner, url), overall_policy="秘密の下書き"))
    draft = FormDraft.objects.get()
    manager = login(world.manager)
    page = manager.get(url).content.decode()
    assert "保存されていない入力があります" not in page
    restored = manager.get(url, {"draft": "restore"})
    assert restored.context["form"]["overall_policy"].value() == ""
    for stranger in (world.manager, world.colleague):
        discard = login(stranger).post(reverse("form_draft_discard", args=[draft.pk]))
        assert discard.status_code == 404
    assert FormDraft.objects.filter(pk=draft.pk).exists()
    # the owner may discard it
    owner.force_login(world.care_manager, backend="caremgmt.auth_backends.LoginIdOrEmailBackend")
    discard = owner.post(reverse("form_draft_discard", args=[draft.pk]))
    assert discard.status_code == 302 and discard["Location"] == url
    assert not FormDraft.objects.exists()


def test_no_draft_without_the_owner_cookie_and_after_logout(
    draft_plan, client, login, world
) -> None:  # noqa: ANN001
    url = reverse("careplans:plan_edit", args=[draft_plan.pk])
    response = client.post(url, {"overall_policy": "誰のものでもない"})
    assert response.status_code == 302 and not FormDraft.objects.exists()
    http = login(world.care_manager)
    data = _loaded(http, url)
    assert OWNER_COOKIE in http.cookies
    http.post(reverse("logout"))
    assert http.cookies[OWNER_COOKIE].value == ""
    http.post(url, dict(data, overall_policy="ログアウト後"))
    assert not FormDraft.objects.exists()


def test_a_forged_owner_cookie_is_ignored(draft_plan, client, world) -> None:  # noqa: ANN001
    url = reverse("careplans:plan_edit", args=[draft_plan.pk])
    client.cookies[OWNER_COOKIE] = str(world.care_manager.pk)
    client.post(url, {"overall_policy": "なりすまし"})
    assert not FormDraft.objects.exists()


def test_expired_drafts_are_not_offered(draft_plan, login, world) -> None:  # noqa: ANN001
    url = reverse("careplans:plan_edit", args=[draft_plan.pk])
    draft = FormDraft.objects.create(staff=world.care_manager, path=url, data={})
    FormDraft.objects.filter(pk=draft.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    page = login(world.care_manager).get(url).content.decode()
    assert "保存されていない入力があります" not in page


def test_keepalive_extends_the_session(login, world) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    http.get(reverse("dashboard"))
    key = http.session.session_key
    soon = timezone.now() + dt.timedelta(seconds=30)
    Session.objects.filter(session_key=key).update(expire_date=soon)
    response = http.post(reverse("session_keepalive"))
    assert response.status_code == 204
    expires = Session.objects.get(session_key=key).expire_date
    assert expires > timezone.now() + dt.timedelta(minutes=29)


def test_keepalive_refuses_get_and_anonymous(client, login, world) -> None:  # noqa: ANN001
    assert login(world.care_manager).get(reverse("session_keepalive")).status_code == 405
    response = client.post(reverse("session_keepalive"))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db
def test_pages_carry_the_timeout_for_the_warning_script(login, world) -> None:  # noqa: ANN001
    page = login(world.care_manager).get(reverse("dashboard")).content.decode()
    assert 'data-session-idle-seconds="1800"' in page
    assert 'data-keepalive-url="/session/keepalive/"' in page
    assert "js/session-timeout.js" in page
