"""Plan import uploads (issue 9, item 7): names are checked before anything is read, the
number of files, each file's size and the total are capped, and entries are read with a hard
byte limit whatever the ZIP header claims."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from careplans.exchange_upload import UploadLimits, read_uploaded_unit, size_label
from careplans.models import CarePlan

MB = 1024 * 1024
NAME = "UP{kind}_1370999999_43_1379900001_11_20260401153012.CSV"
UP1 = NAME.format(kind="1KYO")
LIMITS = UploadLimits(max_files=20, max_file_bytes=5 * MB, max_total_bytes=20 * MB)


def zipped(entries: list[tuple[str, bytes]]) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return SimpleUploadedFile("unit.zip", buffer.getvalue())


def refusal(uploads: list, limits: UploadLimits = LIMITS) -> str:  # noqa: ANN001
    with pytest.raises(ValidationError) as caught:
        read_uploaded_unit(uploads, limits)
    (message,) = caught.value.message_dict["files"]
    return message


def test_size_label() -> None:
    assert (size_label(5 * MB), size_label(20 * MB), size_label(2048), size_label(1000)) == (
        "5MB",
        "20MB",
        "2KB",
        "1,000バイト",
    )


def test_many_large_entries_are_refused_before_any_is_read() -> None:
    # the reported archive: 40 entries each just under 5 MB, about 200 KB zipped
    data = b"0" * (5 * MB - 1)
    entries = [
        (f"UP1KYO_1370999999_43_13799{i:05d}_11_20260401153012.CSV", data) for i in range(40)
    ]
    upload = zipped(entries)
    assert upload.size < 300 * 1024
    tracemalloc.start()
    try:
        message = refusal([upload])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert message == "ファイルの数が多すぎます（20個まで）。"
    assert peak < 2 * MB


def test_total_uncompressed_size_is_capped() -> None:
    entries = [(NAME.format(kind=kind), b"0" * (5 * MB - 1)) for kind in ("1KYO", "2KYO", "3KYO")]
    entries.append(("UPHOSOKU_000000_1370999999_43_1379900001_11_20260401153012.CSV", b"0" * 100))
    limits = UploadLimits(max_files=20, max_file_bytes=5 * MB, max_total_bytes=10 * MB)
    assert (
        refusal([zipped(entries)], limits)
        == "ファイルの合計が大きすぎます（展開後の合計10MBまで）。"
    )


def test_one_large_entry_is_refused_by_its_declared_size() -> None:
    message = refusal([zipped([(UP1, b"0" * (5 * MB + 1))])])
    assert message == f"ファイルが大きすぎます: {UP1}（1ファイル5MBまで）。"


def _lie_about_size(data: bytes, claimed: int) -> bytes:
    """Rewrite the uncompressed size in the local and central headers of a one-entry ZIP."""
    patched = bytearray(data)
    local = patched.find(b"PK\x03\x04")
    struct.pack_into("<I", patched, local + 22, claimed)
    central = patched.find(b"PK\x01\x02")
    struct.pack_into("<I", patched, central + 24, claimed)
    return bytes(patched)


def test_lying_header_cannot_make_an_entry_read_past_the_limit() -> None:
    limits = UploadLimits(max_files=20, max_file_bytes=1000, max_total_bytes=4000)
    honest = zipped([(UP1, b"0" * 50_000)]).read()
    upload = SimpleUploadedFile("unit.zip", _lie_about_size(honest, 10))
    message = refusal([upload], limits)
    assert message in (
        f"ファイルが大きすぎます: {UP1}（1ファイル1,000バイトまで）。",
        "ZIPファイルを読み込めません: unit.zip",
    )


def test_stream_read_stops_at_limit_plus_one_byte() -> None:
    from careplans.exchange_upload import _Budget

    class Endless(io.RawIOBase):
        served = 0

        def read(self, size: int = -1) -> bytes:
            assert 0 < size <= 64 * 1024
            self.served += size
            return b"0" * size

    stream = Endless()
    budget = _Budget(UploadLimits(max_files=20, max_file_bytes=1000, max_total_bytes=4000))
    with pytest.raises(ValidationError):
        budget.read_capped(UP1, stream)
    assert stream.served == 1001


@pytest.mark.parametrize(
    "name",
    ["README.txt", "UP1KYO.CSV", "DLT1KYO_1370999999_43_1379900001_11_20260401153012.CSV"],
)
def test_wrong_names_are_refused_before_reading(name: str) -> None:
    upload = zipped([(UP1, b"x"), (name, b"y")])
    opened: list[str] = []
    original = zipfile.ZipFile.open

    def spy(self, member, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        opened.append(getattr(member, "filename", member))
        return original(self, member, *args, **kwargs)

    zipfile.ZipFile.open = spy
    try:
        message = refusal([upload])
    finally:
        zipfile.ZipFile.open = original
    assert message.startswith(f"取り込めないファイル名です: {name}（")
    assert opened == []
    csv_message = refusal([SimpleUploadedFile(name, b"y")])
    assert csv_message.startswith(f"取り込めないファイル名です: {name}（")


def test_duplicate_names_and_too_many_csv_files() -> None:
    assert refusal([SimpleUploadedFile(UP1, b"a"), zipped([(UP1, b"b")])]) == (
        f"同じ名前のファイルが2つあります: {UP1}"
    )
    limits = UploadLimits(max_files=1, max_file_bytes=5 * MB, max_total_bytes=20 * MB)
    uploads = [SimpleUploadedFile(NAME.format(kind=k), b"a") for k in ("1KYO", "2KYO")]
    assert refusal(uploads, limits) == "ファイルの数が多すぎます（1個まで）。"


def test_good_unit_in_folders_is_read() -> None:
    files = read_uploaded_unit(
        [zipped([("unit/", b""), (f"unit/{UP1}", b"abc"), ("__MACOSX/unit/._x", b"z")])],
        LIMITS,
    )
    assert files == {UP1: b"abc"}


@pytest.mark.django_db
def test_import_page_shows_the_limit(plan_setup, login, world, settings) -> None:  # noqa: ANN001
    settings.CAREPLAN_IMPORT_MAX_FILES = 2
    http = login(world.care_manager)
    entries = [(NAME.format(kind=k), b"0") for k in ("1KYO", "2KYO", "3KYO")]
    response = http.post(
        reverse("careplans:import", args=[plan_setup.client.pk]), {"files": [zipped(entries)]}
    )
    assert response.status_code == 200
    assert "ファイルの数が多すぎます（2個まで）。" in response.content.decode()
    assert CarePlan.objects.filter(client=plan_setup.client).count() == 0
