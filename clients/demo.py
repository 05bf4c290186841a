"""Demo clients (fictional). Idempotent: keyed on office + name + birth date."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from caremgmt.models import Office, Staff
from clients.models import Client, ClientStatus

DEMO_CLIENTS = (
    # office, name, kana, birth date, sex, care manager login, status
    (
        "1370100011",
        "青木 トメ",
        "アオキ トメ",
        dt.date(1935, 4, 12),
        "2",
        "sato",
        ClientStatus.CONTRACTED,
    ),
    (
        "1370100011",
        "石井 正男",
        "イシイ マサオ",
        dt.date(1940, 9, 3),
        "1",
        "sato",
        ClientStatus.CONTRACTED,
    ),
    (
        "1370100011",
        "上田 千代",
        "ウエダ チヨ",
        dt.date(1938, 1, 20),
        "2",
        "sato",
        ClientStatus.HOSPITALIZED,
    ),
    (
        "1370100011",
        "遠藤 清",
        "エンドウ キヨシ",
        dt.date(1944, 11, 30),
        "1",
        "suzuki",
        ClientStatus.CONTRACTED,
    ),
    (
        "1370100011",
        "岡田 ハル",
        "オカダ ハル",
        dt.date(1931, 6, 8),
        "2",
        "suzuki",
        ClientStatus.CONTRACTED,
    ),
    (
        "1370100011",
        "加藤 勇",
        "カトウ イサム",
        dt.date(1947, 2, 14),
        "1",
        "suzuki",
        ClientStatus.CONSULTING,
    ),
    (
        "1470200025",
        "木村 フミ",
        "キムラ フミ",
        dt.date(1936, 8, 25),
        "2",
        "takahashi",
        ClientStatus.CONTRACTED,
    ),
    (
        "1470200025",
        "小林 茂",
        "コバヤシ シゲル",
        dt.date(1942, 12, 1),
        "1",
        "takahashi",
        ClientStatus.CONTRACTED,
    ),
)


@transaction.atomic
def load_demo_clients() -> None:
    offices = {office.office_number: office for office in Office.objects.all()}
    staff = {person.username: person for person in Staff.objects.all()}
    for office_number, name, kana, birth_date, sex, login_id, status in DEMO_CLIENTS:
        Client.objects.update_or_create(
            office=offices[office_number],
            name=name,
            birth_date=birth_date,
            defaults={
                "name_kana": kana,
                "sex": sex,
                "care_manager": staff[login_id],
                "status": status,
            },
        )
