"""Two-factor login per office: the requirement blocks everything until enrolled, and the
office manager resets a lost device (logged; others refused) — docs/mfa.md."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from caremgmt import mfa
from caremgmt.models import AccessLog
from caremgmt.models.audit import AccessAction
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db
T0 = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)


def test_required_office_blocks_client_pages_until_enrolled(world, login) -> None:  # noqa: ANN001
    client = ClientFactory(office=world.office, care_manager=world.care_manager)
    world.office.require_mfa = True
    world.office.save()
    http = login(world.care_manager)
    for url in (
        reverse("dashboard"),
        reverse("clients:index"),
        reverse("clients:detail", args=[client.pk]),
    ):
        response = http.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_setup"))
    htmx = http.get(reverse("clients:index"), headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and htmx["HX-Redirect"] == reverse("mfa_setup")
    # Switching to another office is not a way out either.
    assert http.post(reverse("switch_office"), {"office": world.other_office.pk})[
        "Location"
    ].startswith(reverse("mfa_setup"))
    assert not AccessLog.objects.filter(client_id=client.pk).exists()
    setup = http.get(reverse("mfa_setup"))
    assert "2要素認証が必須です" in setup.content.decode()
    http.get(reverse("mfa_totp"))
    device = TOTPDevice.objects.get(user=world.care_manager, confirmed=False)
    with time_machine.travel(T0, tick=False):
        code = f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"
        assert http.post(reverse("mfa_totp"), {"code": code}).status_code == 302
    assert http.get(reverse("clients:detail", args=[client.pk])).status_code == 200


def test_unenrolled_manager_of_a_requiring_office_is_not_offered_the_blocked_settings(
    world, login
) -> None:  # noqa: ANN001
    """Until enrolled the office settings page only bounces back to enrolment, so the
    enrolment page does not link to it (it did: a dead end on the first morning)."""
    world.office.require_mfa = True
    world.office.save()
    http = login(world.manager)
    assert http.get(reverse("office_security"))["Location"].startswith(reverse("mfa_setup"))
    setup = http.get(reverse("mfa_setup")).content.decode()
    assert "2要素認証が必須です" in setup
    assert f'href="{reverse("office_security")}"' not in setup
    world.office.require_mfa = False
    world.office.save()
    assert f'href="{reverse("office_security")}"' in http.get(reverse("mfa_setup")).content.decode()


def test_office_not_requiring_leaves_staff_without_device_alone(world, login) -> None:  # noqa: ANN001
    assert login(world.care_manager).get(reverse("clients:index")).status_code == 200


def test_manager_turns_the_requirement_on(world, login) -> None:  # noqa: ANN001
    http = login(world.manager)
    page = http.get(reverse("office_security"))
    assert page.status_code == 200 and world.care_manager.full_name in page.content.decode()
    response = http.post(reverse("office_security"), {"require_mfa": "on", "name": "乗っ取り"})
    assert response.status_code == 302
    world.office.refresh_from_db()
    assert world.office.require_mfa
    assert world.office.name == "さくら居宅"  # only the one field is taken
    world.other_office.refresh_from_db()
    assert not world.other_office.require_mfa


@pytest.mark.parametrize("who", ["care_manager", "chief", "clerk", "auditor"])
def test_only_the_manager_sees_the_settings(world, login, who) -> None:  # noqa: ANN001
    http = login(getattr(world, who))
    assert http.get(reverse("office_security")).status_code == 403
    assert http.post(reverse("office_security"), {"require_mfa": "on"}).status_code == 403
    world.office.refresh_from_db()
    assert not world.office.require_mfa


def test_manager_resets_a_lost_device_and_it_is_logged(world, login, demo_password) -> None:  # noqa: ANN001
    staff = world.care_manager
    TOTPDevice.objects.create(user=staff, name="認証アプリ", confirmed=True)
    mfa.new_recovery_codes(staff)
    staff.refresh_from_db()
    assert staff.has_mfa_device
    http = login(world.manager)
    response = http.post(reverse("mfa_reset"), {"staff": staff.pk})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert not StaticDevice.objects.filter(user=staff).exists()
    staff.refresh_from_db()
    assert not staff.has_mfa_device
    row = AccessLog.objects.get(action=AccessAction.MFA_RESET)
    assert (row.staff_id, row.office_id, row.subject_type, row.subject_id, row.client_id) == (
        world.manager.pk,
        world.office.pk,
        "mfa_device",
        staff.pk,
        None,
    )
    # The staff member's next login needs no code; with the office requirement on, they
    # must enrol again before anything else.
    world.office.require_mfa = True
    world.office.save()
    again = login(staff)
    assert again.get(reverse("dashboard"))["Location"].startswith(reverse("mfa_setup"))


def test_reset_refused_for_non_manager_and_404_for_another_office(world, login) -> None:  # noqa: ANN001
    target = world.colleague
    TOTPDevice.objects.create(user=target, name="x", confirmed=True)
    outsider_target = world.outsider
    TOTPDevice.objects.create(user=outsider_target, name="y", confirmed=True)
    assert login(world.chief).post(reverse("mfa_reset"), {"staff": target.pk}).status_code == 403
    assert login(world.auditor).post(reverse("mfa_reset"), {"staff": target.pk}).status_code == 403
    manager = login(world.manager)
    assert manager.post(reverse("mfa_reset"), {"staff": outsider_target.pk}).status_code == 404
    assert manager.get(reverse("mfa_reset"), {"staff": target.pk}).status_code == 405
    assert manager.post(reverse("mfa_reset"), {"staff": "x"}).status_code == 404
    assert TOTPDevice.objects.filter(user__in=[target, outsider_target]).count() == 2
    assert not AccessLog.objects.filter(action=AccessAction.MFA_RESET).exists()


def test_home_page_reminds_the_manager_while_the_office_does_not_require_it(world, login) -> None:  # noqa: ANN001
    page = login(world.manager).get(reverse("dashboard")).content.decode()
    assert "この事業所では2要素認証が必須になっていません" in page
    assert "ガイドライン第6.0版" in page
    assert reverse("office_security") in page
    # The care manager is reminded of their own device only.
    page = login(world.care_manager).get(reverse("dashboard")).content.decode()
    assert "この事業所では2要素認証が必須になっていません" not in page
    assert "あなたの2要素認証" in page and reverse("mfa_setup") in page


def test_reminder_counts_staff_without_a_device_and_goes_once_required(world) -> None:  # noqa: ANN001
    from caremgmt.access import actor_for

    world.manager.has_mfa_device = True
    world.manager.save(update_fields=["has_mfa_device"])
    actor = actor_for(world.manager, world.office.pk)
    prompt = mfa.mfa_prompt(actor)
    assert prompt.office_not_required and not prompt.own_missing
    assert (
        prompt.unenrolled
        == len(
            {
                m.staff_id
                for m in world.office.memberships.filter(is_active=True, staff__is_active=True)
            }
        )
        - 1
    )
    world.office.require_mfa = True
    world.office.save()
    assert mfa.mfa_prompt(actor_for(world.manager, world.office.pk)) is None
