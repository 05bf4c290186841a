"""Characters outside MS932 are replaced visibly and reported, never dropped (REFERENCE §3.2)."""

from __future__ import annotations

import dataclasses
import logging

import pytest

from careplans.exchange import (
    REPLACEMENT_CHARACTER,
    Substitution,
    build_sending_unit,
    read_uphosoku,
    to_ms932_text,
    write_up1kyo,
    write_uphosoku,
)
from tests.careplans import test_exchange_samples as samples


@pytest.mark.parametrize("character", ["髙", "﨑", "彅", "①", "㈱", "～", "∥"])
def test_characters_ms932_has_are_kept(character: str) -> None:
    assert to_ms932_text(f"x{character}y") == (f"x{character}y", [])


@pytest.mark.parametrize(
    ("original", "expected", "kind"),
    [
        ("𠮷", "吉", "variant"),  # CJK Ext-B, a well-known stand-in
        ("〜", "～", "variant"),  # WAVE DASH → MS932's FULLWIDTH TILDE
        ("−", "－", "variant"),  # MINUS SIGN
        ("—", "―", "variant"),  # EM DASH
        ("㋿", "令和", "variant"),  # NFKC
        ("か\u3099", "が", "variant"),  # decomposed が → NFC
        ("葛\U000e0100", "葛", "variant"),  # ideographic variation selector dropped
        ("😀", REPLACEMENT_CHARACTER, "replaced"),
        ("\U0002a6b2", REPLACEMENT_CHARACTER, "replaced"),  # CJK Ext-B with no stand-in
        ("\ue000", REPLACEMENT_CHARACTER, "replaced"),  # private use → would be 外字 0xF040
    ],
)
def test_substitution_rule(original: str, expected: str, kind: str) -> None:
    text, changes = to_ms932_text(f"あ{original}い")
    assert text == f"あ{expected}い"
    assert [(c.position, c.original, c.replacement, c.kind) for c in changes] == [
        (1, original, expected, kind)
    ]


def test_written_file_is_encodable_and_the_report_names_record_row_field() -> None:
    record = dataclasses.replace(samples.supplement(), name="𠮷田 😀子", address_2="〜")
    report: list[Substitution] = []
    data = write_uphosoku([record, record], report=report)
    data.decode("cp932")  # strict: every byte is MS932
    assert "吉田 〓子".encode("cp932") in data
    assert [
        (s.record_type, s.row, s.field_number, s.field_label, s.original, s.replacement, s.kind)
        for s in report
    ] == [
        ("UPHOSOKU", row, number, label, original, replacement, kind)
        for row in (1, 2)
        for number, label, original, replacement, kind in (
            (6, "利用者氏名", "𠮷", "吉", "variant"),
            (6, "利用者氏名", "😀", "〓", "replaced"),
            (11, "利用者住所2", "〜", "～", "variant"),
        )
    ]
    assert str(report[1]) == "UPHOSOKU 1行目 No.6 利用者氏名: 😀(U+1F600) → 〓"
    assert read_uphosoku(data)[0].name == "吉田 〓子"


def test_sending_unit_collects_substitutions_from_every_file() -> None:
    unit = samples.sending_unit()
    unit = dataclasses.replace(
        unit,
        table1=dataclasses.replace(unit.table1, plan_author="𠮷岡"),
        supplement=dataclasses.replace(unit.supplement, name="😀"),
    )
    report: list[Substitution] = []
    build_sending_unit(unit, report=report)
    assert {(s.record_type, s.original) for s in report} == {("UP1KYO", "𠮷"), ("UPHOSOKU", "😀")}


def test_without_a_report_list_substitutions_are_logged_not_dropped(caplog) -> None:  # noqa: ANN001
    record = dataclasses.replace(samples.table1(), plan_author="😀")
    with caplog.at_level(logging.WARNING, logger="careplans.exchange"):
        write_up1kyo([record])
    assert "UP1KYO row 1 No.8: U+1F600 → U+3013" in caplog.text
