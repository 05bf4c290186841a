"""ケアプランデータ連携 import: the uploaded files (CSV files and/or ZIP archives) → {name: bytes}.

An upload is untrusted: a small ZIP can unpack to hundreds of megabytes. So, in this order:

1. every name is checked first (only the plan unit's file names: `PLAN_UNIT_PREFIXES` in the
   §3.3 pattern), then the number of files (`CAREPLAN_IMPORT_MAX_FILES`); nothing is read
   while any name is wrong;
2. each file's size and the total size are checked against the sizes the upload or the
   archive declares (`CAREPLAN_IMPORT_MAX_FILE_BYTES`, `CAREPLAN_IMPORT_MAX_TOTAL_BYTES`);
3. the files are read in chunks with a hard limit (at most limit + 1 bytes each, whatever
   the archive's header claims), the total counted as they are read.

Any breach raises `ValidationError({"files": <Japanese message naming the limit>})`.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError

from careplans.exchange.filenames import ExchangeFileName

PLAN_UNIT_PREFIXES = ("UP1KYO", "UP2KYO", "UP3KYO", "UPHOSOKU")
_CHUNK = 64 * 1024
# entries a ZIP tool adds on its own (macOS resource forks); never read
_IGNORED_DIRECTORIES = ("__MACOSX/",)

NO_FILES_MESSAGE = "CSVファイル（またはZIP）を選んでください。"
BAD_NAME_MESSAGE = (
    "取り込めないファイル名です: {name}"
    "（UP1KYO・UP2KYO・UP3KYO・UPHOSOKUで始まる連携ファイル名のCSVだけを取り込めます）。"
)
DUPLICATE_NAME_MESSAGE = "同じ名前のファイルが2つあります: {name}"
TOO_MANY_FILES_MESSAGE = "ファイルの数が多すぎます（{limit}個まで）。"
FILE_TOO_LARGE_MESSAGE = "ファイルが大きすぎます: {name}（1ファイル{limit}まで）。"
TOTAL_TOO_LARGE_MESSAGE = "ファイルの合計が大きすぎます（展開後の合計{limit}まで）。"
BAD_ZIP_MESSAGE = "ZIPファイルを読み込めません: {name}"
ENCRYPTED_ZIP_MESSAGE = "パスワード付きのZIPは取り込めません: {name}"


@dataclass(frozen=True)
class UploadLimits:
    max_files: int
    max_file_bytes: int
    max_total_bytes: int

    @classmethod
    def from_settings(cls) -> UploadLimits:
        return cls(
            max_files=settings.CAREPLAN_IMPORT_MAX_FILES,
            max_file_bytes=settings.CAREPLAN_IMPORT_MAX_FILE_BYTES,
            max_total_bytes=settings.CAREPLAN_IMPORT_MAX_TOTAL_BYTES,
        )


def size_label(size: int) -> str:
    """5242880 → "5MB"; sizes that are not whole megabytes/kilobytes in bytes."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor and size % factor == 0:
            return f"{size // factor}{unit}"
    return f"{size:,}バイト"


def _refuse(message: str, **values: Any) -> ValidationError:
    return ValidationError({"files": message.format(**values)})


def is_plan_unit_name(name: str) -> bool:
    try:
        parsed = ExchangeFileName.parse(name)
    except ValueError:
        return False
    return parsed.prefix in PLAN_UNIT_PREFIXES


class _Budget:
    """Counts files and bytes across the whole upload."""

    def __init__(self, limits: UploadLimits) -> None:
        self.limits = limits
        self.names: set[str] = set()
        self.declared = 0
        self.read = 0

    def admit_names(self, names: Iterable[str]) -> None:
        """Files about to be read: their names, then their count."""
        for name in names:
            if not is_plan_unit_name(name):
                raise _refuse(BAD_NAME_MESSAGE, name=name)
            if name in self.names:
                raise _refuse(DUPLICATE_NAME_MESSAGE, name=name)
            self.names.add(name)
        if len(self.names) > self.limits.max_files:
            raise _refuse(TOO_MANY_FILES_MESSAGE, limit=self.limits.max_files)

    def admit_size(self, name: str, declared_size: int) -> None:
        """The size a file declares (upload size, ZIP header), before reading it."""
        if declared_size > self.limits.max_file_bytes:
            raise _refuse(
                FILE_TOO_LARGE_MESSAGE, name=name, limit=size_label(self.limits.max_file_bytes)
            )
        self.declared += declared_size
        if self.declared > self.limits.max_total_bytes:
            raise _refuse(TOTAL_TOO_LARGE_MESSAGE, limit=size_label(self.limits.max_total_bytes))

    def read_capped(self, name: str, stream: IO[bytes]) -> bytes:
        """Read in chunks: never more than the per-file limit + 1 bytes, whatever was declared."""
        limit = self.limits.max_file_bytes
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = stream.read(min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise _refuse(FILE_TOO_LARGE_MESSAGE, name=name, limit=size_label(limit))
            if self.read + size > self.limits.max_total_bytes:
                raise _refuse(
                    TOTAL_TOO_LARGE_MESSAGE, limit=size_label(self.limits.max_total_bytes)
                )
        self.read += size
        return b"".join(chunks)


def _zip_members(archive: zipfile.ZipFile) -> list[tuple[str, zipfile.ZipInfo]]:
    members = []
    for info in archive.infolist():
        if info.is_dir() or info.filename.startswith(_IGNORED_DIRECTORIES):
            continue
        members.append((PurePosixPath(info.filename.replace("\\", "/")).name, info))
    return members


def _read_zip(upload: Any, name: str, budget: _Budget) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(upload) as archive:
            members = _zip_members(archive)
            # names, count and declared sizes of every entry before reading any of them
            budget.admit_names(entry_name for entry_name, _ in members)
            for entry_name, info in members:
                budget.admit_size(entry_name, info.file_size)
                if info.flag_bits & 0x1:
                    raise _refuse(ENCRYPTED_ZIP_MESSAGE, name=name)
            for entry_name, info in members:
                with archive.open(info) as stream:
                    files[entry_name] = budget.read_capped(entry_name, stream)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError) as error:
        raise _refuse(BAD_ZIP_MESSAGE, name=name) from error
    return files


def read_uploaded_unit(
    uploads: Iterable[Any], limits: UploadLimits | None = None
) -> dict[str, bytes]:
    """{file name: bytes} from uploaded CSV files and/or ZIP archives (folders ignored).
    Raises `ValidationError({"files": …})` for a wrong name, too many or too large files."""
    limits = limits or UploadLimits.from_settings()
    budget = _Budget(limits)
    uploads = list(uploads)
    # the uploaded CSV files' names first, then the archives (each checked before reading)
    csv_uploads = [u for u in uploads if not u.name.lower().endswith(".zip")]
    zip_uploads = [u for u in uploads if u.name.lower().endswith(".zip")]
    budget.admit_names(PurePosixPath(upload.name).name for upload in csv_uploads)
    for upload in csv_uploads:
        budget.admit_size(PurePosixPath(upload.name).name, upload.size or 0)
    for upload in zip_uploads:
        if (upload.size or 0) > limits.max_total_bytes:
            raise _refuse(
                FILE_TOO_LARGE_MESSAGE,
                name=PurePosixPath(upload.name).name,
                limit=size_label(limits.max_total_bytes),
            )
    files: dict[str, bytes] = {}
    for upload in csv_uploads:
        name = PurePosixPath(upload.name).name
        upload.seek(0)
        files[name] = budget.read_capped(name, upload)
    for upload in zip_uploads:
        files.update(_read_zip(upload, PurePosixPath(upload.name).name, budget))
    if not files:
        raise ValidationError({"files": NO_FILES_MESSAGE})
    return files
