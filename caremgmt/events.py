"""Events in a client's care that other parts of the product react to.

The app that owns a record (clients, careplans, billing, monitoring) calls `emit(...)` inside
the transaction that made the change; the monitoring app listens and writes the automatic
支援経過 (第5表) entry and refreshes the client's work queue. Apps lower in the dependency order
never import monitoring — they only send this signal.

Receivers get keyword arguments: event (a key of EVENTS), client_id, on (the date the
event happened), summary (Japanese text for the 第5表 内容; no need to repeat the client's
name), source ("app.model:pk" of the record, used to link back and to write once), actor (the
Staff who did it, or None for the system), counterpart (相手, may be "").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.dispatch import Signal

client_event = Signal()

# event → the 第5表 種別 (monitoring.models.LogKind value) its automatic entry is filed under;
# None: an office step the work queue reacts to that is not part of the client's 支援経過
# (no 第5表 entry).
EVENTS: dict[str, str | None] = {
    "plan_confirmed": "plan",  # 居宅サービス計画の確定（説明・同意・交付）
    "plan_minor_change": "plan",  # 軽微な変更（理由）
    "meeting_held": "meeting",  # サービス担当者会議の開催
    "ticket_delivered": "ticket",  # 利用票の交付・同意
    "actuals_confirmed": None,  # サービス提供実績の確定（事業所ごと; 事務's billing step）
    "actuals_unconfirmed": None,  # 実績の確定の取消
    "monitoring_recorded": "monitoring",  # モニタリングの記録
    "evaluation_recorded": "monitoring",  # 評価表
    "application_filed": "application",  # 認定申請（新規・更新・区分変更）
    "admitted": "hospital",  # 入院
    "admission_info_provided": "hospital",  # 入院時情報提供書の提供
    "discharged": "hospital",  # 退院
    "discharge_conference": "hospital",  # 退院前カンファレンス
    "outpatient_liaison": "hospital",  # 通院時情報連携
}


def source_of(instance: models.Model) -> str:
    return f"{instance._meta.label_lower}:{instance.pk}"


def emit(
    event: str,
    *,
    client_id: int,
    on: dt.date,
    summary: str,
    source: models.Model | str,
    actor: Any = None,
    counterpart: str = "",
) -> None:
    if event not in EVENTS:
        raise ValueError(f"unknown client event {event!r}")
    client_event.send(
        sender=event,
        event=event,
        client_id=client_id,
        on=on,
        summary=summary,
        source=source if isinstance(source, str) else source_of(source),
        actor=actor,
        counterpart=counterpart,
    )
