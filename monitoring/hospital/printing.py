"""入院時情報提供書 PDF through the shared print job service (like careplans.printing).

The HTML holds the sheet's saved sections (or the prefill when nothing is saved yet), the
stay and the provision record; no print date (it would change the content hash daily).
"""

from __future__ import annotations

from django.template.loader import render_to_string

from caremgmt.access import Actor
from caremgmt.models import PrintJob
from caremgmt.printing.services import print_job_request
from clients.models import HospitalStay
from monitoring.hospital.prefill import SECTIONS, prefill_admission_sheet
from monitoring.models import AdmissionInfoSheet

DOCUMENT_TITLE = "入院時情報提供書"
PRINT_KIND = "admission_info_sheet"


def admission_sheet_html(*, stay: HospitalStay) -> str:
    sheet = AdmissionInfoSheet.objects.filter(stay=stay).first()
    content = (
        sheet.content if sheet is not None and sheet.content else prefill_admission_sheet(stay)
    )
    client = stay.client
    return render_to_string(
        "monitoring/hospital/pdf_admission_sheet.html",
        {
            "document_title": DOCUMENT_TITLE,
            "client_name": client.name,
            "office_name": client.office.name,
            "printed_on": None,
            "stay": stay,
            "sheet": sheet,
            "sections": [(heading, content.get(key, "")) for key, heading in SECTIONS],
            "care_manager": client.care_manager,
        },
    )


def admission_sheet_print(*, actor: Actor, stay: HospitalStay) -> PrintJob:
    return print_job_request(
        actor=actor,
        kind=PRINT_KIND,
        subject_id=stay.pk,
        client_id=stay.client_id,
        html=admission_sheet_html(stay=stay),
        filename=f"{DOCUMENT_TITLE}_{stay.client.name}_{stay.admitted_on:%Y%m%d}.pdf",
    )
