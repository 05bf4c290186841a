"""入院・退院: the dates a client is in hospital (or another facility).

Ticket generation leaves those days empty (issue 10); the monitoring app adds the
入院時情報提供 and 退院前カンファレンス records on top of a stay (issue 12).
"""

from __future__ import annotations

import datetime as dt

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q

from clients.models.client import CLIENT_CASELOAD_PATHS, Client


class HospitalStayQuerySet(models.QuerySet):
    def overlapping(self, first_day: dt.date, last_day: dt.date) -> HospitalStayQuerySet:
        return self.filter(admitted_on__lte=last_day).filter(
            Q(discharged_on__isnull=True) | Q(discharged_on__gte=first_day)
        )


@pghistory.track()
class HospitalStay(models.Model):
    """One stay: admitted on `admitted_on`, back home on `discharged_on` (open while in).

    The days strictly between admission and discharge are 入院中. The admission day and the
    discharge day themselves may still carry a home service (a morning visit before going in,
    an evening visit after coming home), so generation only skips the days in between and
    warns for the two edge days."""

    scope_office_path = "client__office"
    scope_caseload_paths = CLIENT_CASELOAD_PATHS

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="hospital_stays", verbose_name="利用者"
    )
    hospital_name = models.CharField("入院先", max_length=200)
    admitted_on = models.DateField("入院日")
    discharged_on = models.DateField("退院日", null=True, blank=True)
    ward_contact = models.CharField("病棟・連絡先", max_length=200, blank=True)
    notes = models.TextField("備考", blank=True)
    version = models.PositiveIntegerField("版", default=1, editable=False)
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登録者",
    )

    objects = HospitalStayQuerySet.as_manager()

    class Meta:
        verbose_name = "入院"
        verbose_name_plural = "入院"
        ordering = ["client", "-admitted_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(discharged_on__isnull=True) | Q(discharged_on__gte=F("admitted_on")),
                name="hospital_stay_discharge_after_admission",
                violation_error_message="退院日は入院日以降の日付にしてください。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hospital_name}（{self.admitted_on:%Y-%m-%d}〜）"

    def inpatient_days(self, first_day: dt.date, last_day: dt.date) -> set[dt.date]:
        """Days in [first_day, last_day] strictly inside the stay (no home services)."""
        start = max(first_day, self.admitted_on + dt.timedelta(days=1))
        end = (
            last_day
            if self.discharged_on is None
            else min(last_day, self.discharged_on - dt.timedelta(days=1))
        )
        days: set[dt.date] = set()
        day = start
        while day <= end:
            days.add(day)
            day += dt.timedelta(days=1)
        return days
