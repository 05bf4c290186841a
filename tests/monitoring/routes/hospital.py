"""Route-walk entries of the monitoring hospital screens (see tests/monitoring/routes/__init__.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

_CREATE = "only creates a new row (nothing existing is overwritten)"

ACCESS_EXEMPT: dict[str, str] = {
    "monitoring:admission_sheet_print": "POST that queues a print job and redirects to "
    "printing:status (the download writes the PRINT row)",
}
ACCESS_SEARCH: dict[str, dict[str, str]] = {}
ACCESS_HEADERS: dict[str, dict[str, str]] = {}
# An empty POST re-renders the form with the client's data (logged). The sheet editor is not
# here: every section is optional, so an empty POST saves.
REJECTED_POSTS: set[str] = {
    "monitoring:admission_new",
    "monitoring:discharge",
    "monitoring:stay_edit",
    "monitoring:admission_sheet_provided",
    "monitoring:conference_new",
    "monitoring:outpatient_new",
    "monitoring:conference_edit",
    "monitoring:outpatient_edit",
}
LOCK_EXEMPT: dict[str, str] = {
    "monitoring:hospital": "only reads (no write)",
    "monitoring:admission_new": _CREATE + "; refused when it overlaps another stay (checked "
    "under the client's row lock)",
    "monitoring:discharge": "a state transition (open → discharged) checked under the stay's "
    "row lock; a second discharge is refused (tests/monitoring/test_hospital_services.py)",
    "monitoring:admission_sheet": "checked against AdmissionInfoSheet.version (stale → 409, "
    "nothing written: tests/monitoring/test_hospital_sheet.py::"
    "test_stale_sheet_edit_is_refused); the walk's check needs a text column and the "
    "sections are JSON",
    "monitoring:admission_sheet_print": "renders a PDF of the saved sheet; writes only a print job",
    "monitoring:conference_new": _CREATE,
    "monitoring:outpatient_new": _CREATE,
    "monitoring:conference_delete": "deletes under the conference's version check (stale → "
    "409, nothing deleted: tests/monitoring/test_hospital_corrections.py); a second delete "
    "finds nothing (404)",
    "monitoring:outpatient_delete": "deletes under the liaison's version check (stale → 409, "
    "nothing deleted: tests/monitoring/test_hospital_corrections.py); a second delete finds "
    "nothing (404)",
}


def _own_stay(world: Any, *, provided: bool = False) -> dict[str, Any]:
    from clients.models import HospitalStay
    from monitoring.models import AdmissionInfoSheet
    from tests.factories import ClientFactory

    client = ClientFactory(
        office=world.office, care_manager=world.care_manager, status="hospitalized"
    )
    stay = HospitalStay.objects.create(
        client=client, hospital_name="さくら病院", admitted_on=dt.date(2026, 11, 20)
    )
    if provided:
        # Same pk as the stay: the locking walk reads the row at kwargs["pk"].
        AdmissionInfoSheet.objects.create(
            pk=stay.pk,
            stay=stay,
            content={"basics": "氏名"},
            provided_on=dt.date(2026, 11, 20),
            provided_method="fax",
            provided_to="地域連携室",
            author=world.care_manager,
        )
    return {"pk": stay.pk}


def _own_client(world: Any) -> dict[str, Any]:
    from tests.factories import ClientFactory

    return {"client_pk": ClientFactory(office=world.office, care_manager=world.care_manager).pk}


def _own_conference(world: Any) -> dict[str, Any]:
    """A conference of the care manager's client; same pk as the stay's so the locking walk
    (which reads the row at kwargs["pk"]) finds it."""
    from monitoring.models import DischargeConference

    stay_pk = _own_stay(world)["pk"]
    conference = DischargeConference.objects.create(
        pk=stay_pk,
        stay_id=stay_pk,
        held_on=dt.date(2026, 11, 24),
        kind="conference",
        place="さくら病院",
        attendees="主治医、病棟看護師",
        content="退院後の生活について",
        author=world.care_manager,
    )
    return {"pk": conference.pk}


def _own_liaison(world: Any) -> dict[str, Any]:
    from clients.models import Client
    from monitoring.models import OutpatientLiaison

    client = Client.objects.get(pk=_own_client(world)["client_pk"])
    liaison = OutpatientLiaison.objects.create(
        client=client,
        accompanied_on=dt.date(2026, 11, 20),
        clinic="さくら内科クリニック",
        doctor_name="山本 医師",
        information_given="在宅での入浴の様子",
        information_received="血圧に注意",
        author=world.care_manager,
    )
    return {"pk": liaison.pk}


def scoping(ns: dict[str, Any]) -> None:
    """Add Route entries to ns["ROUTES"] (and ns["STAFF_ONLY"])."""
    route = ns["Route"]
    ns["ROUTES"].update(
        {
            "monitoring:hospital": route(_own_client),
            "monitoring:admission_new": route(_own_client),
            "monitoring:outpatient_new": route(_own_client),
            "monitoring:stay_edit": route(_own_stay),
            "monitoring:discharge": route(_own_stay),
            "monitoring:admission_sheet": route(_own_stay),
            "monitoring:admission_sheet_provided": route(
                lambda world: _own_stay(world, provided=True)
            ),
            "monitoring:admission_sheet_print": route(_own_stay, method="post"),
            "monitoring:conference_new": route(_own_stay),
            "monitoring:conference_edit": route(_own_conference),
            "monitoring:conference_delete": route(_own_conference),
            "monitoring:outpatient_edit": route(_own_liaison),
            "monitoring:outpatient_delete": route(_own_liaison),
        }
    )


def locked(ns: dict[str, Any]) -> dict[str, Any]:
    locked_route = ns["Locked"]
    return {
        "monitoring:stay_edit": locked_route(_own_stay, "clients.HospitalStay", "pk", "notes"),
        "monitoring:admission_sheet_provided": locked_route(
            lambda world: _own_stay(world, provided=True),
            "monitoring.AdmissionInfoSheet",
            "pk",
            "provided_to",
        ),
        "monitoring:conference_edit": locked_route(
            _own_conference, "monitoring.DischargeConference", "pk", "attendees"
        ),
        "monitoring:outpatient_edit": locked_route(
            _own_liaison, "monitoring.OutpatientLiaison", "pk", "information_given"
        ),
    }
