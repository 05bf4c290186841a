"""Providers' monthly reports (サービス提供報告書): checked upload, stored under a random name.

Only PDF and images (JPEG, PNG) are accepted — the extension and the file's first bytes must
agree — up to MONITORING_REPORT_MAX_BYTES (default 10 MB). The name the user's file had is
kept only as display text (control characters, path parts and characters that are unsafe in
a download header removed); the stored file gets a random name. Reports are served only by
the scoped download view, never from MEDIA_URL.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from caremgmt.access import Actor, require_plan_writer
from clients.models import Client
from monitoring.models import ProviderReport

# extension → (content type, accepted leading bytes)
ALLOWED: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "MONITORING_REPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def sanitize_filename(name: str) -> str:
    """The display name: last path part, NFC, no control or header-unsafe characters,
    at most 120 characters (the extension kept)."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'[<>:"|?*;]', "_", name).strip(" .")
    if not name:
        return "report"
    stem, dot, ext = name.rpartition(".")
    if dot and len(ext) <= 5:
        return stem[: 120 - len(ext) - 1] + "." + ext
    return name[:120]


def extension_of(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot >= 0 else ""


def content_type_of(name: str) -> str:
    return ALLOWED.get(extension_of(name), ("application/octet-stream", ()))[0]


def _check_file(upload: UploadedFile) -> str:
    ext = extension_of(upload.name or "")
    if ext not in ALLOWED:
        raise ValidationError({"file": "PDF・JPEG・PNGのファイルだけを添付できます。"})
    limit = max_bytes()
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            {"file": f"ファイルが大きすぎます（{limit // (1024 * 1024)}MBまで）。"}
        )
    if upload.size == 0:
        raise ValidationError({"file": "空のファイルです。"})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in ALLOWED[ext][1]):
        raise ValidationError(
            {"file": "ファイルの中身が拡張子と合いません（PDF・JPEG・PNGだけを添付できます）。"}
        )
    return ext


@transaction.atomic
def report_upload(
    *,
    actor: Actor,
    client: Client,
    fields: Mapping[str, Any],
    upload: UploadedFile,
) -> ProviderReport:
    """Attach a provider's report to the client-month (`fields["month"]`, any day of it)
    and, when given, to a monitoring record of the same client and month."""
    require_plan_writer(actor)
    ext = _check_file(upload)
    month: dt.date = fields["month"].replace(day=1)
    record = fields.get("record")
    if record is not None and (record.client_id != client.pk or record.month != month):
        raise ValidationError({"record": "この利用者・この月のモニタリング記録を選んでください。"})
    provider = fields.get("provider")
    if provider is not None and provider.office_id != client.office_id:
        raise ValidationError({"provider": "事業所を選び直してください。"})
    report = ProviderReport(
        client=client,
        month=month,
        provider=provider,
        record=record,
        original_name=sanitize_filename(upload.name or ""),
        received_on=fields["received_on"],
        note=fields.get("note", ""),
        uploaded_by=actor.staff,
    )
    report.file.save(f"{uuid.uuid4().hex}{ext}", upload, save=False)
    report.save()
    return report


@transaction.atomic
def report_delete(*, actor: Actor, report: ProviderReport) -> None:
    """Delete a report attached by mistake (by those who may attach one). The row goes now;
    the stored file only after the transaction commits, so a rollback keeps the file the row
    still points at (a file whose removal fails is left behind, never a row without a file)."""
    require_plan_writer(actor)
    locked = ProviderReport.objects.select_for_update().filter(pk=report.pk).first()
    if locked is None:
        return
    storage, name = locked.file.storage, locked.file.name
    locked.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
